"""Search keys: the server's `fold` against the vectors the phone is checked against too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from server.search import fold

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[1] / "fold_vectors.json").read_text(encoding="utf-8")
)["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["why"] for vector in VECTORS])
def test_fold_gives_the_shared_vectors(vector: dict[str, Any]) -> None:
    assert fold(vector["input"]) == vector["folded"]


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["why"] for vector in VECTORS])
def test_a_folded_key_folds_to_itself(vector: dict[str, Any]) -> None:
    assert fold(vector["folded"]) == vector["folded"]
