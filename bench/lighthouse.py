"""Lighthouse 13 scores for the member app and the sign-in page, on Debian's Chromium.

    .venv/bin/python bench/lighthouse.py [--url http://127.0.0.1:8000] [--runs N] [--out DIR]

Installs Lighthouse 13 from npm into .bench-tools/ when it is missing, starts `langso serve` on a
demo database in a temporary data dir (unless --url is given), runs Lighthouse once per page with
the default mobile form factor and the performance, accessibility and best-practices categories
(Lighthouse 13 has no PWA category: tests/browser checks installability), keeps the JSON reports
in --out and prints the scores (0-100; the median of --runs runs) and the audits that lost points
in the last run. Every step is time-bound; the server is stopped at the end. Exits 1 when a run
fails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS = REPO_ROOT / ".bench-tools"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_PACKAGE = "lighthouse@13"
LANGSO = REPO_ROOT / ".venv" / "bin" / "langso"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run"
    " --disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices")
PAGES = ("/app", "/sign-in")
RUN_TIMEOUT = 240  # seconds for one Lighthouse run


def ensure_lighthouse() -> None:
    """`npm install --prefix .bench-tools lighthouse@13` unless it is there already."""
    if LIGHTHOUSE.exists():
        return
    print(f"installing {LIGHTHOUSE_PACKAGE} into {TOOLS} …", flush=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", LIGHTHOUSE_PACKAGE],
        check=True,
        timeout=600,
    )


def _warn_about_node() -> None:
    """Lighthouse 13 declares Node >= 22.19; our machines have Node 20, which runs it anyway."""
    try:
        version = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return
    major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    if (major, minor) < (22, 19):
        print(f"note: Lighthouse 13 asks for Node >= 22.19; this is Node {version}", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(LANGSO), *args], env=env, cwd=REPO_ROOT, check=True, timeout=600, capture_output=True
    )


@contextmanager
def demo_server() -> Iterator[str]:
    """`langso serve` on a fresh demo database; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="langso-lighthouse-") as data_dir:
        env = {key: value for key, value in os.environ.items() if not key.startswith("LANGSO_")}
        env |= {
            "LANGSO_DATA_DIR": data_dir,
            "LANGSO_DATABASE_URL": f"sqlite://{data_dir}/demo.sqlite3",
        }
        print("creating the demo database …", flush=True)
        _cli(env, "db", "upgrade")
        _cli(env, "demo")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with (Path(data_dir) / "server.log").open("wb") as log:
            proc = subprocess.Popen(
                [str(LANGSO), "serve", "--port", str(port)],
                env=env,
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_serving(url, proc, timeout=60)
            yield url
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            proc.wait(timeout=15)


def _wait_until_serving(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"langso serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/sign-in", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"langso serve did not answer within {timeout:.0f} s")


def run_lighthouse(url: str, report: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile, the three categories); returns the parsed JSON report."""
    argv = [
        str(LIGHTHOUSE),
        url,
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    done = subprocess.run(argv, timeout=RUN_TIMEOUT, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse {url} failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    if result.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {result['runtimeError']}")
    return result


def _median_score(runs: list[dict[str, Any]], category: str) -> str:
    scores = [run["categories"][category].get("score") for run in runs]
    known = [score * 100 for score in scores if score is not None]
    return str(round(statistics.median(known))) if known else "n/a"


def _lost_points(result: dict[str, Any]) -> list[str]:
    """Audits that count towards a category and scored below 0.9."""
    audits = result["audits"]
    lines = []
    for name in CATEGORIES:
        for ref in result["categories"][name]["auditRefs"]:
            audit = audits[ref["id"]]
            score = audit.get("score")
            if ref.get("weight", 0) > 0 and score is not None and score < 0.9:
                shown = audit.get("displayValue", "")
                lines.append(f"    {name}: {audit['id']} {round(score * 100)} {shown}".rstrip())
    return lines


def measure(base_url: str, out: Path, runs: int) -> int:
    """Run every page `runs` times, print the table; return the exit status."""
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {}
    failed = 0
    for page in PAGES:
        for run in range(1, runs + 1):
            name = page.strip("/").replace("/", "_") or "root"
            report = out / f"{name}-{run}.json"
            report.unlink(missing_ok=True)
            print(f"lighthouse {base_url}{page} (run {run} of {runs}) …", flush=True)
            try:
                results.setdefault(page, []).append(run_lighthouse(f"{base_url}{page}", report))
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"  FAILED: {error}")
                failed += 1
    results = {page: done for page, done in results.items() if done}
    if results:
        version = next(iter(results.values()))[0]["lighthouseVersion"]
        print(f"\nLighthouse {version}, mobile form factor, {CHROMIUM}, median of {runs} run(s)")
        print(f"{'page':<10}" + "".join(f"{name:>16}" for name in CATEGORIES))
        for page, done in results.items():
            cells = "".join(f"{_median_score(done, name):>16}" for name in CATEGORIES)
            print(f"{page:<10}{cells}")
        for page, done in results.items():
            lost = _lost_points(done[-1])
            if lost:
                print(f"  {page} lost points on:")
                print("\n".join(lost))
        print(f"reports: {out}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", help="a running server (default: a demo server of our own)")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    parser.add_argument("--out", type=Path, default=TOOLS / "reports", help="JSON reports folder")
    args = parser.parse_args()
    if not 1 <= args.runs <= 9:
        parser.error("--runs must be between 1 and 9")
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 1
    ensure_lighthouse()
    _warn_about_node()
    if args.url:
        return measure(args.url.rstrip("/"), args.out, args.runs)
    with demo_server() as url:
        return measure(url, args.out, args.runs)


if __name__ == "__main__":
    sys.exit(main())
