"""What the import screens and the CLI call: where rows may go, the preview, the import."""

from __future__ import annotations

from datetime import date, datetime

from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.models import User
from server.areas import kinds
from server.areas import services as areas
from server.areas.models import Area
from server.areas.scope import Scope
from server.errors import Forbidden, NotFound, UserError
from server.i18n import N_
from server.imports import households
from server.imports.columns import VIETNAM, counter
from server.imports.households import Target, Village
from server.imports.plans import Plan
from server.imports.reading import read_table
from server.phones import normalize_phone

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


async def importer(phone: str | None) -> Scope:
    """The scope of the coordinator or admin an import is made as: by mobile number, else the
    first administrator (the CLI's default)."""
    query = User.filter(is_active=True, role__in=sorted(roles.MANAGERS))
    if phone:
        query = query.filter(phone=normalize_phone(phone) or phone)
    else:
        query = query.filter(role=roles.ADMIN)
    user = await query.order_by("created_at").first()
    if user is None:
        raise NotFound(N_("No active coordinator or administrator has this number."))
    return await accounts.scope_of(user)


async def households_from_file(
    scope: Scope, name: str, data: bytes, village: str, commune: str
) -> Plan:
    """The preview of a household file for one village, or a commune's villages."""
    where = await household_target(scope, village, commune)
    table = read_table(name, data, counter(households.columns()))
    return await households.plan(table, where, scope, today())
