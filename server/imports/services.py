"""What the import screens and the CLI call: where rows may go, the preview, the import."""

from __future__ import annotations

from datetime import date, datetime

from server.areas import kinds
from server.areas import services as areas
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import Forbidden, NotFound, UserError
from server.i18n import N_
from server.imports.columns import VIETNAM
from server.imports.households import Target, Village

HOUSEHOLDS, VILLAGES = "households", "villages"


async def household_target(scope: Scope, village: str = "", commune: str = "") -> Target:
    """One village of the user's area, or every village of one commune of it (then each row
    names its village)."""
    if village.strip():
        found = await areas.village_for(scope, village.strip())
        if found is None:
            raise Forbidden(N_("This village is not in your area."))
        return Target({found.code: Village(found.code, found.name)}, fixed=found.code)
    if commune.strip():
        area = await commune_for(scope, commune)
        villages = await areas.villages_in([area.code])
        return Target({v.code: Village(v.code, v.name) for v in villages})
    raise UserError(N_("Choose a village, or a commune when the file has a village column."))


async def commune_for(scope: Scope, code: str) -> Area:
    """A commune of the user's area, or a 403/404 that says so."""
    area = await areas.get_area(code.strip(), kinds.COMMUNE)
    if area is None:
        raise NotFound(N_("This commune does not exist."))
    if not scope.covers("", area.code, area.province_code):
        raise Forbidden(N_("This is outside your area."))
    return area


def today() -> date:
    """Today in Vietnam: a consent day may not be later."""
    return datetime.now(VIETNAM).date()
