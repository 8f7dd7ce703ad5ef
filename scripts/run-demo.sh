#!/usr/bin/env bash
# Set everything up and run Làng Số on a SQLite file with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
export LANGSO_DATA_DIR=${LANGSO_DATA_DIR:-data}
.venv/bin/langso db upgrade
.venv/bin/langso demo
PORT=${PORT:-8000}
URL="http://127.0.0.1:${PORT}"
echo "Mở ${URL}/ · ứng dụng của tổ viên: ${URL}/app (Ctrl+C để dừng máy chủ)"
echo "Open ${URL}/ · the team members' app: ${URL}/app (Ctrl+C stops the server)"
exec .venv/bin/langso serve --host "${HOST:-127.0.0.1}" --port "$PORT"
