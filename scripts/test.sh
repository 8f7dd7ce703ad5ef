#!/usr/bin/env bash
# Set everything up and run the whole test suite: lint, then SQLite, then PostgreSQL.
# PostgreSQL runs when CI=true or LANGSO_TEST_DATABASE_URL is set; in CI a missing service fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh test

# The browser tests (tests/browser) drive Debian's Chromium; never `playwright install`.
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! { $SUDO apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; }; then
    if [ "${CI:-}" = "true" ]; then echo "could not install chromium" >&2; exit 1; fi
    echo "chromium could not be installed: the browser tests will be skipped" >&2
  fi
fi

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
  # The restore drill restores into a second, empty database beside the test one (made here).
  RESTORE_URL=${LANGSO_TEST_RESTORE_DATABASE_URL:-${PG_URL}_restore}
  .venv/bin/python - "$PG_URL" "$RESTORE_URL" <<'PY'
import asyncio, sys
import asyncpg

async def main(url: str, restore: str) -> None:
    name = restore.rsplit("/", 1)[1]
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()

asyncio.run(main(*sys.argv[1:]))
PY
  echo "== tests on PostgreSQL ($PG_URL; restore drill into $RESTORE_URL)"
  LANGSO_TEST_DATABASE_URL="$PG_URL" LANGSO_TEST_RESTORE_DATABASE_URL="$RESTORE_URL" \
    .venv/bin/python -m pytest "$@"
else
  echo "== PostgreSQL run skipped (set LANGSO_TEST_DATABASE_URL or CI=true)"
fi
