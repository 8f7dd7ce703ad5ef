"""What other domains add to a user's home page, plugged in by the app factory.

The home page belongs to accounts, below the domains that have something to show on it (e.g. the
data requests that are overdue); each such domain hands the app factory a panel, a function
returning extra template context, instead of accounts importing it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.accounts.models import User
from server.areas.scope import Scope

HomePanel = Callable[[User, Scope], Awaitable[dict[str, Any]]]
_panels: dict[str, HomePanel] = {}


def plug(name: str, panel: HomePanel) -> None:
    """Add `panel`'s context to every home page (the app factory calls it; `name` keeps it once)."""
    _panels[name] = panel


async def context(user: User, scope: Scope) -> dict[str, Any]:
    """The extra context of every plugged-in panel for this user."""
    extra: dict[str, Any] = {}
    for panel in _panels.values():
        extra.update(await panel(user, scope))
    return extra
