#!/usr/bin/env bash
# Set up, index the bundled practices and serve them on http://127.0.0.1:5000/.
# An existing index is kept and updated, never replaced (scripts/index_bundled.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Tesseract and antiword read scanned and .doc attachments: installed only when missing.
bash scripts/system_packages.sh
bash scripts/setup.sh
bash scripts/index_bundled.sh
exec .venv/bin/bdp serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
