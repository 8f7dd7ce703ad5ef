"""How the member app lists and searches a village of 2,000 households on a phone-class CPU.

Run: `.venv/bin/python bench/household_list.py [--households 2000] [--throttle 4]`

Starts a server (SQLite) with one village, pushes N households through the sync API, signs in
in Debian's Chromium at 360 × 640 with the CPU throttled 4× (DevTools
`Emulation.setCPUThrottlingRate`), then measures: opening the household list (route to rendered
rows), and typing a search (each keystroke to the list redrawn). Prints the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.member import sign_in  # noqa: E402
from tests.browser.support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    start_live_server,
    stop_process,
)
from tests.data import household_data  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Lò", "Hà"]
GIVEN = ["Văn An", "Thị Bình", "Đức Cường", "Thị Dung", "Văn Hùng", "Thị Lan", "Minh Sơn"]


def _seed(server, count: int) -> None:
    for start in range(0, count, 100):
        mutations = []
        for n in range(start, min(count, start + 100)):
            name = f"{FAMILY[n % len(FAMILY)]} {GIVEN[(n // 10) % len(GIVEN)]} {n}"
            mutations.append(
                {
                    "id": str(uuid.uuid4()),
                    "type": "household",
                    "record_id": str(uuid.uuid4()),
                    "op": "create",
                    "base_version": 0,
                    "data": household_data(server.village_code, head_name=name),
                }
            )
        response = server.api(
            "POST",
            "/api/v1/sync/push",
            phone=server.second_member,
            json={"device_id": "seed", "mutations": mutations},
        )
        response.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--throttle", type=float, default=4.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server, proc = start_live_server(Path(tmp) / "data")
        try:
            started = time.perf_counter()
            _seed(server, args.households)
            print(f"seeded {args.households} households in {time.perf_counter() - started:.1f} s")
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    Path(tmp) / "profile",
                    executable_path=str(CHROMIUM),
                    args=list(CHROMIUM_ARGS),
                    viewport={"width": 360, "height": 640},
                    is_mobile=True,
                    has_touch=True,
                    locale="vi-VN",
                )
                page = context.pages[0] if context.pages else context.new_page()
                started = time.perf_counter()
                sign_in(page, server, server.member)
                print(f"first sign-in and sync: {time.perf_counter() - started:.1f} s")
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
                opens = []
                for _ in range(5):
                    page.goto(f"{server.url}/app#/")
                    page.get_by_role("link", name="Thêm hộ").wait_for()
                    opens.append(
                        page.evaluate(
                            """async () => {
                                const t0 = performance.now();
                                location.hash = "#/households";
                                while (!document.querySelector("#households li")) {
                                    await new Promise((r) => requestAnimationFrame(r));
                                }
                                return performance.now() - t0;
                            }"""
                        )
                    )
                keystrokes = page.evaluate(
                    """async (text) => {
                        const input = document.querySelector("#search");
                        const list = document.querySelector("#households");
                        const times = [];
                        for (let i = 1; i <= text.length; i += 1) {
                            const before = list.dataset.drawn;
                            const t0 = performance.now();
                            input.value = text.slice(0, i);
                            input.dispatchEvent(new Event("input", { bubbles: true }));
                            const limit = t0 + 5000;
                            while (list.dataset.drawn === before && performance.now() < limit) {
                                await new Promise((r) => setTimeout(r, 2));
                            }
                            await new Promise((r) => requestAnimationFrame(r));
                            times.push(performance.now() - t0);
                        }
                        return times;
                    }""",
                    "nguyen van an 1",
                )
                context.close()
        finally:
            stop_process(proc)
    debounce = 120
    work = [t - debounce for t in keystrokes]
    print(f"households: {args.households}, CPU throttled {args.throttle:g}x, 360x640")
    print(
        f"open list: median {statistics.median(opens):.0f} ms, worst {max(opens):.0f} ms "
        f"({len(opens)} opens)"
    )
    print(
        f"search, keystroke to redrawn list (minus the {debounce} ms typing pause): "
        f"median {statistics.median(work):.0f} ms, worst {max(work):.0f} ms "
        f"({len(work)} keystrokes)"
    )


if __name__ == "__main__":
    main()
