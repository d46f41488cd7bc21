#!/usr/bin/env bash
# Index the bundled practices (data/practices) for scripts/serve.sh, saying which it does:
# without an index, build one; with one, update it (new and changed practices; nothing is
# removed, so an index built from other sources keeps them), so a second run changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if .venv/bin/bdp index stats >/dev/null 2>&1; then
    echo "Indeks już istnieje — uzupełniam go dołączonymi praktykami (nic nie usuwam)."
    exec .venv/bin/bdp index update
fi
echo "Brak indeksu — buduję go z dołączonych praktyk (data/practices)."
exec .venv/bin/bdp index build
