"""A coordinator's household screen: correct a household's fields, restrict and lift it.

Every change goes through the sync engine (`server_write`, the `web:` device), so it is versioned,
reaches the phones and is in the household's history like any other change.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from server.areas.scope import Scope
from server.content import curriculum
from server.errors import UserError
from server.households import services as households
from server.households.models import Household
from server.i18n import N_
from server.syncable import statuses
from server.syncable.writes import server_write

# The fields a coordinator corrects on the household screen (indicators besides, key by key).
TEXT_FIELDS = ("head_name", "address", "phone", "notes")
COUNT_FIELDS = ("people_count", "adult_count")
MAX_REASON = 500


class DossierError(UserError):
    """A correction or restriction the server refused, with the field it is about."""


async def household_in(scope: Scope, household_id: uuid.UUID) -> Household:
    """The scope's household (not deleted), or `NotFound`-like 404."""
    household = await households.in_scope(scope, household_id)
    if household is None or household.deleted:
        raise DossierError(N_("This household is not in your area."), status=404)
    return household


def corrections(household: Household, form: dict[str, str]) -> dict[str, Any]:
    """The changed fields of a submitted correction form (indicators key by key)."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in form:
            value: Any = form[name].strip()
            if name == "phone" and not value:
                value = None
            if value != getattr(household, name):
                data[name] = value
    for name in COUNT_FIELDS:
        if name in form:
            raw = form[name].strip()
            count: Any = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else raw
            count = None if raw == "" else count
            if count != getattr(household, name):
                data[name] = count
    current = household.indicators or {}
    changed = {}
    for indicator in curriculum.indicator_set().indicators:
        field = f"indicator.{indicator.key}"
        if field in form:
            value = indicator.parse_form(form[field])
            if value != current.get(indicator.key):
                changed[indicator.key] = value
    if changed:
        data["indicators"] = changed
    return data


async def _write(scope: Scope, household: Household, data: dict[str, Any], language: str) -> None:
    receipt = await server_write(scope, "household", household.id, data, language)
    if receipt["status"] == statuses.REJECTED:
        errors = receipt.get("errors") or [{}]
        first = errors[0]
        raise DossierError(
            N_("The value could not be saved: %(reason)s"),
            str(first.get("field") or "") or None,
            params={"reason": "; ".join(str(e.get("message", "")) for e in errors)},
        )


async def correct(scope: Scope, household: Household, data: dict[str, Any], language: str) -> bool:
    """Write the corrected fields (an ordinary change, in the history); False if none changed."""
    if not data:
        return False
    await _write(scope, household, data, language)
    return True


async def restrict(scope: Scope, household: Household, reason: str, by: str, language: str) -> None:
    """Restrict the household: kept but not processed, until a coordinator lifts it."""
    reason = reason.strip()
    if not reason:
        raise DossierError(N_("Write why the household's data is restricted."), "reason")
    if len(reason) > MAX_REASON:
        raise DossierError(
            N_("Write at most %(n)s characters."), "reason", params={"n": MAX_REASON}
        )
    since = datetime.now(UTC).isoformat()
    await _write(
        scope, household, {"restricted": {"reason": reason, "since": since, "by": by}}, language
    )


async def lift(scope: Scope, household: Household, language: str) -> None:
    """Lift the household's restriction: it is processed again."""
    if household.restricted:
        await _write(scope, household, {"restricted": None}, language)
