"""Where the checkout's files are, for tests that read docs, templates or the shipped content."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
