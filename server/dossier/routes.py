"""The coordinator's household screen: its copy, corrections and restriction (pages)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.access import services as access
from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.accounts.models import User
from server.content import curriculum
from server.dossier import copy, services
from server.errors import NotFound
from server.households import services as households
from server.households.models import Household
from server.i18n import N_
from server.web.requests import language_of, posted_form
from server.web.templating import render


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound() from None


async def copy_page(request: Request) -> Response:
    """One printable page of everything held about a household (the copy it is given)."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    household = await households.in_scope(scope, _uuid(request.path_params["household_id"]))
    if household is None:
        raise NotFound(N_("This household is not in your area."))
    await access.record(user, access.COPY, access.household_subject(household))
    sections = await copy.build(household, lang)
    now = datetime.now(UTC)
    context = {"user": user, "household": household, "sections": sections, "now": now}
    return render(request, "review/copy.html", context, lang)


async def household_page(request: Request) -> Response:
    """The household's details to correct, and its restriction to set or lift."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    household = await services.household_in(scope, _uuid(request.path_params["household_id"]))
    error: str | None = None
    error_field: str | None = None
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await posted_form(request)
        action = form.get("action", "")
        try:
            if action == "restrict":
                await services.restrict(scope, household, form.get("reason", ""), user.name, lang)
            elif action == "lift":
                await services.lift(scope, household, lang)
            else:
                data = services.corrections(household, form)
                await services.correct(scope, household, data, lang)
        except services.DossierError as problem:
            error, error_field, status = problem.message(lang), problem.field, problem.status
        else:
            return RedirectResponse(f"/review/households/{household.id}/edit?done=1", 303)
    else:
        await access.record(user, access.HOUSEHOLD, access.household_subject(household))
    return _page(request, user, household, lang, form, error, error_field, status)


def _page(
    request: Request,
    user: User,
    household: Household,
    lang: str,
    form: dict[str, str],
    error: str | None,
    error_field: str | None,
    status: int,
) -> Response:
    context = {
        "user": user,
        "household": household,
        "indicators": curriculum.indicator_set().indicators,
        "form": form,
        "error": error,
        "error_field": error_field,
        "done": request.query_params.get("done"),
    }
    return render(request, "review/household.html", context, lang, status)


routes = [
    Route("/review/households/{household_id}/copy", copy_page, methods=["GET"]),
    Route("/review/households/{household_id}/edit", household_page, methods=["GET", "POST"]),
]
