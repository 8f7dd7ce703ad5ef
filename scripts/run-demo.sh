#!/usr/bin/env bash
# Set everything up and run Làng Số on a SQLite file with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
export LANGSO_DATA_DIR=${LANGSO_DATA_DIR:-data}
.venv/bin/langso db upgrade
.venv/bin/langso demo
PORT=${PORT:-8000}
echo "Open http://127.0.0.1:${PORT}/ (Ctrl+C stops the server)"
exec .venv/bin/langso serve --host "${HOST:-127.0.0.1}" --port "$PORT"
