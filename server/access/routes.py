"""The access log page: who opened or exported personal data, for province coordinators."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.access import services
from server.accounts import roles
from server.accounts import services as accounts
from server.accounts.gate import require_user
from server.errors import UserError
from server.i18n import N_
from server.web.paging import page_window, search_text
from server.web.requests import language_of, wants_fragment
from server.web.templating import render


def _day(raw: str, name: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) == 10 else date.fromisoformat(text)
    except ValueError:
        raise UserError(N_("Enter a date like 2026-03-31."), name, status=400) from None


async def access_log_page(request: Request) -> Response:
    """Newest first, one page at a time; filtered by a person's name and a range of days."""
    user = await require_user(request, *roles.MANAGERS)
    lang = language_of(request, user)
    scope = await accounts.scope_of(user)
    params = request.query_params
    filters = services.Filters(
        who=search_text(params, "who"),
        since=_day(params.get("since", ""), "since"),
        until=_day(params.get("until", ""), "until"),
    )
    page = await services.entries(scope, filters, page_window(params))
    context = {
        "user": user,
        "entries": page,
        "filters": filters,
        "labels": services.ACTION_LABELS,
    }
    name = "manage/_access_log_list.html" if wants_fragment(request) else "manage/access_log.html"
    response = render(request, name, context, lang)
    response.headers["Vary"] = "HX-Request"
    return response


routes = [Route("/manage/access-log", access_log_page, methods=["GET"])]
