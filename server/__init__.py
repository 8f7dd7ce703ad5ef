"""Làng Số: the offline-first app for Vietnam's community digital-technology teams."""

from pathlib import Path

__version__ = "0.1.0"

_PACKAGE = Path(__file__).resolve().parent


def shipped(installed: str, checkout: str) -> Path:
    """A folder shipped with the package: inside it once installed, beside it in a checkout.

    pyproject.toml maps the repository's pwa/, locales/ and content/ into the package.
    """
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / checkout
