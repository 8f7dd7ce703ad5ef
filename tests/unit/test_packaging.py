"""The installed package (not an editable checkout) serves the member app with every file."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from setuptools import find_packages

from tests.paths import REPO_ROOT

_DATA_PACKAGES = {"server.pwa", "server.locales", "server.default_content"}


def test_pyproject_lists_every_package() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set(find_packages(where=str(REPO_ROOT), include=["server*"]))
    assert listed - _DATA_PACKAGES == found, "update [tool.setuptools] packages in pyproject.toml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.skipif(
    bool(os.environ.get("LANGSO_TEST_DATABASE_URL")),
    reason="packaging does not depend on the database: checked once, on the SQLite run",
)
def test_pip_install_serves_the_member_app_from_another_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        if (REPO_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(source)],
        check=True,
        timeout=600,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "LANGSO_DATA_DIR": str(tmp_path / "data"), "LANGSO_LANGUAGE": "en"}
    env.pop("LANGSO_DATABASE_URL", None)
    env.pop("LANGSO_CONTENT_DIR", None)
    langso = str(venv / "bin" / "langso")
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([langso, *command], cwd=elsewhere, env=env, check=True, timeout=300)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [langso, "serve", "--port", str(port)], cwd=elsewhere, env=env, stdout=log, stderr=log
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 120  # a busy machine starts it slowly
            while True:
                try:
                    client.get("/sign-in")
                    break
                except httpx.TransportError:
                    stopped = server.poll() is not None
                    assert not stopped, (tmp_path / "serve.log").read_text()
                    assert time.monotonic() < deadline, "langso serve did not answer"
                    time.sleep(0.2)
            worker = client.get("/sw.js")
            assert worker.status_code == 200
            found = re.search(r"const PRECACHE = (\[.*?\]);", worker.text)
            assert found is not None
            precached = json.loads(found.group(1))
            assert "/app" in precached and any(url.endswith(".js") for url in precached)
            for url in precached:
                assert client.get(url).status_code == 200, url
            assert "Làng Số" in client.get("/sign-in").text
            lessons = client.get("/api/v1/sync/schema")  # signed out: the API answers 401
            assert lessons.status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
