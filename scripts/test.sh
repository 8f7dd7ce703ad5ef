#!/usr/bin/env bash
# Set everything up and run the whole test suite: lint, then SQLite, then PostgreSQL.
# PostgreSQL runs when CI=true or LANGSO_TEST_DATABASE_URL is set; in CI a missing service fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

echo "== lint"
.venv/bin/ruff check server tests bench
.venv/bin/ruff format --check server tests bench
.venv/bin/mypy

echo "== tests on SQLite"
env -u LANGSO_TEST_DATABASE_URL .venv/bin/python -m pytest "$@"

PG_URL=${LANGSO_TEST_DATABASE_URL:-}
if [ -z "$PG_URL" ] && [ "${CI:-}" = "true" ]; then
  PG_URL="postgres://postgres@127.0.0.1:5432/test"
fi
if [ -n "$PG_URL" ]; then
  echo "== tests on PostgreSQL ($PG_URL)"
  LANGSO_TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "$@"
else
  echo "== PostgreSQL run skipped (set LANGSO_TEST_DATABASE_URL or CI=true)"
fi
