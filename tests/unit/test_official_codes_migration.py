"""`langso db upgrade` repairs a database whose area codes were stored as numbers.

The old database is made by `tests/unit/old_codes_support.py` in its own process, on a fresh
SQLite file, or on PostgreSQL in a schema of its own inside LANGSO_TEST_DATABASE_URL's database.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.paths import REPO_ROOT
from tests.unit.old_codes_support import COORDINATOR, HOUSEHOLDS, MEMBER

LANGSO = Path(sys.executable).parent / "langso"
SCHEMA = "old_codes"
[HOAN_KIEM, CAC_SON, THUC_PHAN] = HOUSEHOLDS


async def _fresh_schema(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    finally:
        await conn.close()


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSO_", "LC_", "LANG"))}
    url = os.environ.get("LANGSO_TEST_DATABASE_URL")
    if url:
        asyncio.run(_fresh_schema(url))
        url = f"{url}{'&' if '?' in url else '?'}schema={SCHEMA}"
    else:
        url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    env.update(LANGSO_DATA_DIR=str(tmp_path), LANGSO_DATABASE_URL=url, LANGSO_LANGUAGE="en")
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        args, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _state(env: dict[str, str]) -> dict[str, Any]:
    out = _run(env, sys.executable, "-m", "tests.unit.old_codes_support", "read")
    state: dict[str, Any] = json.loads(out)
    return state


def test_the_upgrade_gives_every_area_its_official_code_and_moves_what_named_it(
    environ: dict[str, str],
) -> None:
    _run(environ, sys.executable, "-m", "tests.unit.old_codes_support", "build")
    before = _state(environ)
    assert before["areas"]["4"]["name"] == "Phường Ba Đình"  # the clash the old import made
    assert before["kinds"] == {"province": 34, "commune": 3317}

    said = _run(environ, str(LANGSO), "db", "upgrade")
    after = _state(environ)

    assert "Coverage counts were empty: counted 3 households." in said
    areas = after["areas"]
    assert sorted(areas) == ["00004", "00070", "00070-001", "01273", "04"]
    assert (areas["04"]["kind"], areas["04"]["name"], areas["04"]["parent_code"]) == (
        "province",
        "Cao Bằng",
        None,
    )
    assert (areas["00004"]["kind"], areas["00004"]["name"], areas["00004"]["parent_code"]) == (
        "commune",
        "Phường Ba Đình",
        "01",
    )
    assert (areas["01273"]["parent_code"], areas["01273"]["province_code"]) == ("04", "04")
    village = areas["00070-001"]
    assert (village["parent_code"], village["commune_code"], village["province_code"]) == (
        "00070",
        "00070",
        "01",
    )
    assert after["kinds"] == {"province": 34, "commune": 3321}
    # `--area 4` was stored on a row of kind province: the account keeps what it was shown.
    assert after["user_area"] == [[COORDINATOR, "04"], [MEMBER, "00070-001"]]
    assert after["teams"] == ["00070-001"]
    assert after["templates"] == ["04"]


def test_the_upgrade_moves_records_to_the_new_codes_and_phones_pull_them_again(
    environ: dict[str, str],
) -> None:
    _run(environ, sys.executable, "-m", "tests.unit.old_codes_support", "build")
    before = _state(environ)["households"]

    _run(environ, str(LANGSO), "db", "upgrade")
    after = _state(environ)

    codes = {
        record: (h["village_code"], h["commune_code"], h["province_code"])
        for record, h in after["households"].items()
    }
    assert codes == {
        HOAN_KIEM: ("00070-001", "00070", "01"),
        CAC_SON: ("16591-001", "16591", "38"),
        THUC_PHAN: ("01273-001", "01273", "04"),
    }
    newest = max(h["version"] for h in before.values())
    assert after["households"][HOAN_KIEM]["version"] > newest
    assert after["households"][THUC_PHAN]["version"] > newest
    assert after["households"][CAC_SON]["version"] == before[CAC_SON]["version"]
    assert [(row["village_code"], row["after"]["village_code"]) for row in after["log"]] == [
        ("00070-001", "00070-001"),
        ("16591-001", "16591-001"),
        ("01273-001", "01273-001"),
    ]
    assert after["conflicts"] == [
        {
            "village_code": "00070-001",
            "commune_code": "00070",
            "kept_value": "00070-001",
            "lost_value": "00070-001",
        }
    ]
    # Recounted under the new codes: nothing left under `4`, `70` or `1`.
    counted = ("00070-001", "00070", "01", "16591-001", "16591", "38", "01273-001", "01273", "04")
    assert dict(after["coverage"]) == dict.fromkeys(counted, 1)
