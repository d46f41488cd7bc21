#!/usr/bin/env bash
# Set up with the test extras, lint, type-check, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's Chromium for the browser tests (never a browser download), Tesseract and
# antiword for the attachment tests: installed only when missing.
bash scripts/system_packages.sh
bash scripts/setup.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
