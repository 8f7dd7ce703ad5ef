"""The phone builds search keys as the server does: `fold` in dom.js against the shared vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.browser.support import LiveServer, Phones

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "fold_vectors.json").read_text(encoding="utf-8")
)["vectors"]


def test_the_phone_folds_the_shared_vectors(
    live_server: LiveServer, browser_context_factory: Phones
) -> None:
    page = browser_context_factory.page(browser_context_factory.open("fold"))
    page.goto(f"{live_server.url}/sign-in")  # any page of the app's origin
    folded = page.evaluate(
        """async (inputs) => {
            const { fold } = await import("/static/app/dom.js");
            return inputs.map((input) => fold(input));
        }""",
        [vector["input"] for vector in VECTORS],
    )
    wrong = [
        (vector["why"], got, vector["folded"])
        for vector, got in zip(VECTORS, folded, strict=True)
        if got != vector["folded"]
    ]
    assert not wrong, wrong
