"""Scope matrix: every route is classified; management is for coordinators and admins only,
and a coordinator of commune B never sees or changes anything of commune A.

A new route makes `test_every_route_is_classified` fail until it is added to `ROUTES` below.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from server.accounts import roles
from server.accounts.models import User, UserArea
from server.areas.models import Area
from server.assignments.models import Assignment
from server.checklists.models import ChecklistTemplate
from server.households.models import Household
from server.rights.models import DataRequest, Incident
from server.syncable.models import Conflict
from tests.api.html import csrf
from tests.data import COMMUNE_A, COMMUNE_B, mutation

PROVINCE = "38"
PUBLIC, SIGNED_IN, MANAGE = "public", "signed in", "manage"
# Coordinators' reports: their scope matrix is in test_coverage_scope_and_exports.py.
REPORTS = "reports"
# Trainers' screens and lesson reports: tested in test_lesson_authoring.py, test_lesson_reports.py.
TRAINING = "training"
# The access log, for province coordinators and admins only: tested in test_access_log.py.
AUDIT = "audit"

_ACTIONS = ("acknowledge", "extend", "done", "refuse")
_ACTION_BODY = {"days": "5", "reason": "Chiếm"}

# Coordinators' imports (a file in, a preview, a confirmation): tested in test_imports.py.
IMPORTS = "imports"
# Health and metrics, for monitors (by address or token, not by role): test_ops_endpoints.py.
OPS = "ops"

# Every route of the app: who may call it. MANAGE routes are checked by the matrix below.
ROUTES: dict[tuple[str, str], str] = {
    ("/", "GET"): PUBLIC,
    ("/sign-in", "GET"): PUBLIC,
    ("/sign-in", "POST"): PUBLIC,
    ("/language", "POST"): PUBLIC,
    ("/api/v1/session", "POST"): PUBLIC,
    ("/api/v1/openapi.json", "GET"): PUBLIC,
    ("/app", "GET"): PUBLIC,
    ("/sw.js", "GET"): PUBLIC,
    ("/manifest.webmanifest", "GET"): PUBLIC,
    ("/app/i18n/{language}.json", "GET"): PUBLIC,
    ("/sign-out", "POST"): SIGNED_IN,
    ("/home", "GET"): SIGNED_IN,
    ("/account/password", "GET"): SIGNED_IN,
    ("/account/password", "POST"): SIGNED_IN,
    ("/api/v1/session", "DELETE"): SIGNED_IN,
    ("/api/v1/session/csrf", "GET"): SIGNED_IN,
    ("/api/v1/session/hand-over", "POST"): SIGNED_IN,
    ("/api/v1/me", "GET"): SIGNED_IN,
    ("/api/v1/me/password", "POST"): SIGNED_IN,
    ("/api/v1/villages", "GET"): SIGNED_IN,
    ("/api/v1/sync/push", "POST"): SIGNED_IN,
    ("/api/v1/sync/pull", "GET"): SIGNED_IN,
    ("/api/v1/sync/schema", "GET"): SIGNED_IN,
    ("/api/v1/villages", "POST"): MANAGE,
    ("/api/v1/villages/{code}", "PATCH"): MANAGE,
    ("/manage/villages", "GET"): MANAGE,
    ("/manage/villages", "POST"): MANAGE,
    ("/manage/villages/{code}", "GET"): MANAGE,
    ("/manage/villages/{code}", "POST"): MANAGE,
    ("/review/conflicts", "GET"): MANAGE,
    ("/review/conflicts/{conflict_id}", "POST"): MANAGE,
    ("/review/households/{household_id}", "GET"): MANAGE,
    ("/api/v1/conflicts", "GET"): MANAGE,
    ("/api/v1/conflicts/{conflict_id}", "POST"): MANAGE,
    ("/api/v1/households/{household_id}/history", "GET"): MANAGE,
    ("/review/households/{household_id}/withdraw", "POST"): MANAGE,
    ("/api/v1/households/{household_id}/withdrawals", "POST"): MANAGE,
    ("/review/households/{household_id}/copy", "GET"): MANAGE,
    ("/review/households/{household_id}/edit", "GET"): MANAGE,
    ("/review/households/{household_id}/edit", "POST"): MANAGE,
    ("/manage/access-log", "GET"): AUDIT,
    ("/manage/members", "GET"): MANAGE,
    ("/manage/members", "POST"): MANAGE,
    ("/manage/members/{user_id}", "GET"): MANAGE,
    ("/manage/members/{user_id}", "POST"): MANAGE,
    ("/api/v1/members", "GET"): MANAGE,
    ("/api/v1/members", "POST"): MANAGE,
    ("/api/v1/members/{user_id}", "PATCH"): MANAGE,
    ("/api/v1/members/{user_id}/password", "POST"): MANAGE,
    ("/manage/assignments", "GET"): MANAGE,
    ("/manage/assignments", "POST"): MANAGE,
    ("/manage/assignments/{assignment_id}/withdraw", "POST"): MANAGE,
    ("/api/v1/assignments", "GET"): MANAGE,
    ("/api/v1/assignments", "POST"): MANAGE,
    ("/api/v1/assignments/{assignment_id}", "DELETE"): MANAGE,
    ("/manage/checklists", "GET"): MANAGE,
    ("/manage/checklists", "POST"): MANAGE,
    ("/manage/checklists/{key}", "GET"): MANAGE,
    ("/manage/checklists/{key}", "POST"): MANAGE,
    ("/api/v1/checklist-templates", "GET"): MANAGE,
    ("/api/v1/checklist-templates", "POST"): MANAGE,
    ("/api/v1/checklist-templates/{key}/versions", "POST"): MANAGE,
    ("/healthz", "GET"): OPS,
    ("/readyz", "GET"): OPS,
    ("/metrics", "GET"): OPS,
    ("/manage/import", "GET"): IMPORTS,
    ("/manage/import/{kind}", "POST"): IMPORTS,
    ("/manage/import/confirm", "POST"): IMPORTS,
    ("/manage/import/errors/{token}", "GET"): IMPORTS,
    ("/manage/import/{kind}/template.xlsx", "GET"): IMPORTS,
    ("/coverage", "GET"): REPORTS,
    ("/coverage/{code}", "GET"): REPORTS,
    ("/coverage/{code}/activity", "GET"): REPORTS,
    ("/coverage/{code}/export/{kind}.{fmt}", "GET"): REPORTS,
    ("/api/v1/coverage/{code}", "GET"): REPORTS,
    ("/trainer/lessons", "GET"): TRAINING,
    ("/trainer/lessons/new", "GET"): TRAINING,
    ("/trainer/lessons/new", "POST"): TRAINING,
    ("/trainer/lessons/preview", "POST"): TRAINING,
    ("/trainer/lessons/{slug}", "GET"): TRAINING,
    ("/trainer/lessons/{slug}", "POST"): TRAINING,
    ("/trainer/lessons/{slug}/unpublish", "POST"): TRAINING,
    ("/trainer/lessons/{slug}/history", "GET"): TRAINING,
    ("/trainer/lessons/{slug}/versions/{number}", "POST"): TRAINING,
    ("/trainer/reports", "GET"): TRAINING,
    ("/trainer/reports.csv", "GET"): TRAINING,
    ("/media/lessons/{name}", "GET"): PUBLIC,
    ("/manage/requests", "GET"): MANAGE,
    ("/manage/requests", "POST"): MANAGE,
    ("/manage/requests/{request_id}", "GET"): MANAGE,
    **{(f"/manage/requests/{{request_id}}/{a}", "POST"): MANAGE for a in _ACTIONS},
    ("/api/v1/data-requests", "GET"): MANAGE,
    ("/api/v1/data-requests", "POST"): MANAGE,
    ("/api/v1/data-requests/{request_id}", "GET"): MANAGE,
    **{(f"/api/v1/data-requests/{{request_id}}/{a}", "POST"): MANAGE for a in _ACTIONS},
    ("/manage/incidents", "GET"): MANAGE,
    ("/manage/incidents", "POST"): MANAGE,
    ("/manage/incidents/{incident_id}", "POST"): MANAGE,
    ("/api/v1/incidents", "GET"): MANAGE,
    ("/api/v1/incidents", "POST"): MANAGE,
    ("/api/v1/incidents/{incident_id}", "PATCH"): MANAGE,
    ("/api/v1/push/key", "GET"): SIGNED_IN,
    ("/api/v1/push/subscriptions", "POST"): SIGNED_IN,
    ("/api/v1/push/subscriptions", "DELETE"): SIGNED_IN,
}


@dataclass
class World:
    """Commune A's objects, and one signed-in session per role."""

    village: Area
    member: User
    household: uuid.UUID
    conflict: uuid.UUID
    assignment: uuid.UUID
    template: str
    data_request: uuid.UUID
    incident: uuid.UUID
    marker: str
    cookies: dict[str, httpx.Cookies]
    tokens: dict[str, dict[str, str]]
    tokens_csrf: dict[str, str]


# How each MANAGE route is called with commune A's objects, and what commune B's coordinator
# gets back: a list (which must not show A's marker), or a refusal status.
Build = Callable[[World], tuple[str, dict[str, Any]]]
LIST = 200


def _sought(world: World) -> str:
    """What a paged list is searched for: the marker's own part (the lists are paged, and a
    search box echoes what was sought, which must not count as showing the marker)."""
    return world.marker.rsplit(" ", 1)[1]


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _due() -> str:
    return (datetime.now(UTC).date() + timedelta(days=5)).isoformat()


CALLS: dict[tuple[str, str], tuple[Build, int]] = {
    ("/api/v1/villages", "POST"): (
        lambda w: ("/api/v1/villages", {"commune_code": COMMUNE_A, "name": "Chiếm"}),
        403,
    ),
    ("/api/v1/villages/{code}", "PATCH"): (
        lambda w: (f"/api/v1/villages/{w.village.code}", {"name": "Chiếm"}),
        404,
    ),
    ("/manage/villages", "GET"): (lambda w: (f"/manage/villages?q={_sought(w)}", {}), LIST),
    ("/manage/villages", "POST"): (
        lambda w: ("/manage/villages", {"commune_code": COMMUNE_A, "name": "Chiếm"}),
        422,
    ),
    ("/manage/villages/{code}", "GET"): (lambda w: (f"/manage/villages/{w.village.code}", {}), 404),
    ("/manage/villages/{code}", "POST"): (
        lambda w: (f"/manage/villages/{w.village.code}", {"name": "Chiếm"}),
        404,
    ),
    ("/review/conflicts", "GET"): (lambda w: (f"/review/conflicts?q={_sought(w)}", {}), LIST),
    ("/review/conflicts/{conflict_id}", "POST"): (
        lambda w: (f"/review/conflicts/{w.conflict}", {"accept": "lost"}),
        404,
    ),
    ("/review/households/{household_id}", "GET"): (
        lambda w: (f"/review/households/{w.household}", {}),
        404,
    ),
    ("/review/households/{household_id}/copy", "GET"): (
        lambda w: (f"/review/households/{w.household}/copy", {}),
        404,
    ),
    ("/review/households/{household_id}/edit", "GET"): (
        lambda w: (f"/review/households/{w.household}/edit", {}),
        404,
    ),
    ("/review/households/{household_id}/edit", "POST"): (
        lambda w: (
            f"/review/households/{w.household}/edit",
            {"action": "restrict", "reason": "Chiếm"},
        ),
        404,
    ),
    ("/api/v1/conflicts", "GET"): (lambda w: ("/api/v1/conflicts", {}), LIST),
    ("/api/v1/conflicts/{conflict_id}", "POST"): (
        lambda w: (f"/api/v1/conflicts/{w.conflict}", {"accept": "lost"}),
        404,
    ),
    ("/api/v1/households/{household_id}/history", "GET"): (
        lambda w: (f"/api/v1/households/{w.household}/history", {}),
        404,
    ),
    ("/review/households/{household_id}/withdraw", "POST"): (
        lambda w: (
            f"/review/households/{w.household}/withdraw",
            {"purpose_support_records": "on", "asked_by": "Chiếm", "channel": "phone"},
        ),
        404,
    ),
    ("/api/v1/households/{household_id}/withdrawals", "POST"): (
        lambda w: (
            f"/api/v1/households/{w.household}/withdrawals",
            {"purposes": ["support_records"], "asked_by": "Chiếm", "channel": "phone"},
        ),
        404,
    ),
    ("/manage/members", "GET"): (lambda w: (f"/manage/members?q={_sought(w)}", {}), LIST),
    ("/manage/members", "POST"): (
        lambda w: (
            "/manage/members",
            {"name": "Chiếm", "phone": "0987 654 999", "village_code": w.village.code},
        ),
        422,
    ),
    ("/manage/members/{user_id}", "GET"): (lambda w: (f"/manage/members/{w.member.id}", {}), 404),
    ("/manage/members/{user_id}", "POST"): (
        lambda w: (f"/manage/members/{w.member.id}", {"action": "deactivate"}),
        404,
    ),
    ("/api/v1/members", "GET"): (lambda w: (f"/api/v1/members?q={_sought(w)}", {}), LIST),
    ("/api/v1/members", "POST"): (
        lambda w: (
            "/api/v1/members",
            {"name": "Chiếm", "phone": "0987 654 999", "village_code": w.village.code},
        ),
        422,
    ),
    ("/api/v1/members/{user_id}", "PATCH"): (
        lambda w: (f"/api/v1/members/{w.member.id}", {"active": False}),
        404,
    ),
    ("/api/v1/members/{user_id}/password", "POST"): (
        lambda w: (f"/api/v1/members/{w.member.id}/password", {}),
        404,
    ),
    ("/manage/assignments", "GET"): (lambda w: (f"/manage/assignments?q={_sought(w)}", {}), LIST),
    ("/manage/assignments", "POST"): (
        lambda w: (
            "/manage/assignments",
            {"member_id": str(w.member.id), "template_key": "scam_safety", "due_date": _due()},
        ),
        422,
    ),
    ("/manage/assignments/{assignment_id}/withdraw", "POST"): (
        lambda w: (f"/manage/assignments/{w.assignment}/withdraw", {}),
        404,
    ),
    ("/api/v1/assignments", "GET"): (lambda w: (f"/api/v1/assignments?q={_sought(w)}", {}), LIST),
    ("/api/v1/assignments", "POST"): (
        lambda w: (
            "/api/v1/assignments",
            {"member_id": str(w.member.id), "template_key": "scam_safety", "due_date": _due()},
        ),
        422,
    ),
    ("/api/v1/assignments/{assignment_id}", "DELETE"): (
        lambda w: (f"/api/v1/assignments/{w.assignment}", {}),
        404,
    ),
}
_STEPS = {"title": "Chiếm", "steps": "Bước một"}
CALLS.update(
    {
        ("/manage/checklists", "GET"): (lambda w: ("/manage/checklists", {}), LIST),
        ("/manage/checklists", "POST"): (
            lambda w: ("/manage/checklists", {**_STEPS, "area_code": COMMUNE_A}),
            403,
        ),
        ("/manage/checklists/{key}", "GET"): (
            lambda w: (f"/manage/checklists/{w.template}", {}),
            404,
        ),
        ("/manage/checklists/{key}", "POST"): (
            lambda w: (f"/manage/checklists/{w.template}", _STEPS),
            404,
        ),
        ("/api/v1/checklist-templates", "GET"): (
            lambda w: ("/api/v1/checklist-templates", {}),
            LIST,
        ),
        ("/api/v1/checklist-templates", "POST"): (
            lambda w: (
                "/api/v1/checklist-templates",
                {"title": "Chiếm", "steps": ["Bước"], "area_code": COMMUNE_A},
            ),
            403,
        ),
        ("/api/v1/checklist-templates/{key}/versions", "POST"): (
            lambda w: (
                f"/api/v1/checklist-templates/{w.template}/versions",
                {"title": "Chiếm", "steps": ["Bước"]},
            ),
            404,
        ),
    }
)
_REQUEST = {"kind": "erasure", "requester": "Chiếm", "channel": "phone", "area_code": COMMUNE_A}
_INCIDENT = {
    "what": "Chiếm",
    "discovered_at": "2026-11-30T09:00",
    "severity": "low",
    "area_code": COMMUNE_A,
}
CALLS.update(
    {
        ("/manage/requests", "GET"): (lambda w: ("/manage/requests", {}), LIST),
        ("/manage/requests", "POST"): (
            lambda w: ("/manage/requests", {**_REQUEST, "received_on": _today()}),
            422,
        ),
        ("/manage/requests/{request_id}", "GET"): (
            lambda w: (f"/manage/requests/{w.data_request}", {}),
            404,
        ),
        ("/api/v1/data-requests", "GET"): (lambda w: ("/api/v1/data-requests", {}), LIST),
        ("/api/v1/data-requests", "POST"): (
            lambda w: ("/api/v1/data-requests", {**_REQUEST, "received_on": _today()}),
            422,
        ),
        ("/api/v1/data-requests/{request_id}", "GET"): (
            lambda w: (f"/api/v1/data-requests/{w.data_request}", {}),
            404,
        ),
        ("/manage/incidents", "GET"): (lambda w: ("/manage/incidents", {}), LIST),
        ("/manage/incidents", "POST"): (lambda w: ("/manage/incidents", _INCIDENT), 422),
        ("/manage/incidents/{incident_id}", "POST"): (
            lambda w: (
                f"/manage/incidents/{w.incident}",
                {"authority_notified_at": "2026-12-01T08:00"},
            ),
            404,
        ),
        ("/api/v1/incidents", "GET"): (lambda w: ("/api/v1/incidents", {}), LIST),
        ("/api/v1/incidents", "POST"): (lambda w: ("/api/v1/incidents", _INCIDENT), 422),
        ("/api/v1/incidents/{incident_id}", "PATCH"): (
            lambda w: (
                f"/api/v1/incidents/{w.incident}",
                {"authority_notified_at": "2026-12-01T08:00"},
            ),
            404,
        ),
    }
)
for _action in _ACTIONS:
    for _prefix in ("/manage/requests", "/api/v1/data-requests"):
        CALLS[(f"{_prefix}/{{request_id}}/{_action}", "POST")] = (
            lambda w, p=_prefix, a=_action: (f"{p}/{w.data_request}/{a}", _ACTION_BODY),
            404,
        )
MANAGED = sorted(key for key, access in ROUTES.items() if access == MANAGE)


def test_every_route_is_classified(app):
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert sorted(served - set(ROUTES)) == [], "classify these routes in ROUTES"
    assert sorted(set(ROUTES) - served) == [], "these classified routes no longer exist"
    assert sorted(set(CALLS)) == MANAGED, "every management route needs a call in CALLS"


_world: World | None = None


@pytest.fixture
async def world(client, village, user, login, signed_in, make_conflict) -> World:
    """Built once for the module: commune A's objects and a session per role."""
    global _world
    if _world is not None:
        return _world
    marker = f"Ma Trận {uuid.uuid4().hex[:8]}"
    area = await village(COMMUNE_A)
    area.name = f"Thôn {marker}"
    await area.save(update_fields=["name"])
    member, other = await user(roles.MEMBER, area.code), await user(roles.MEMBER, area.code)
    member.name = f"Thành viên {marker}"
    await member.save(update_fields=["name"])
    household = await make_conflict(
        await login(member),
        await login(other),
        area.code,
        kept={"head_name": f"Hộ {marker}"},
        lost={"head_name": f"Hộ khác {marker}"},
    )
    conflict = await Conflict.get(record_id=household)
    coordinator = await login(await user(roles.COORDINATOR, COMMUNE_A))
    made = await client.post(
        "/api/v1/assignments",
        json={"member_id": str(member.id), "household_id": str(household), "due_date": _due()},
        headers=coordinator,
    )
    assert made.status_code == 201, made.text
    template = await client.post(
        "/api/v1/checklist-templates",
        json={"title": f"Việc {marker}", "steps": ["Bước một"], "area_code": COMMUNE_A},
        headers=coordinator,
    )
    assert template.status_code == 201, template.text
    # Received almost a year ago: the most overdue request, first in every register that shows it.
    data_request = await client.post(
        "/api/v1/data-requests",
        json={
            "kind": "access",
            "requester": f"Người hỏi {marker}",
            "channel": "in_person",
            "received_on": (datetime.now(UTC).date() - timedelta(days=360)).isoformat(),
            "household_id": str(household),
        },
        headers=coordinator,
    )
    assert data_request.status_code == 201, data_request.text
    incident = await client.post(
        "/api/v1/incidents",
        json={
            "what": f"Sự cố {marker}",
            "discovered_at": datetime.now(UTC).isoformat(),
            "severity": "medium",
            "area_code": area.code,
        },
        headers=coordinator,
    )
    assert incident.status_code == 201, incident.text
    people = {
        "member": await user(roles.MEMBER, (await village(COMMUNE_A)).code),
        "trainer": await user(roles.TRAINER, PROVINCE),
        "coord_a": await user(roles.COORDINATOR, COMMUNE_A),
        "coord_b": await user(roles.COORDINATOR, COMMUNE_B),
        "province": await user(roles.COORDINATOR, PROVINCE),
        "admin": await user(roles.ADMIN),
    }
    browsers = {role: await signed_in(who) for role, who in people.items()}
    tokens_csrf = {
        role: csrf(await browser.get("/account/password")) for role, browser in browsers.items()
    }
    cookies = {role: httpx.Cookies(browser.cookies) for role, browser in browsers.items()}
    _world = World(
        village=area,
        member=member,
        household=household,
        conflict=conflict.id,
        assignment=uuid.UUID(made.json()["id"]),
        template=template.json()["key"],
        data_request=uuid.UUID(data_request.json()["id"]),
        incident=uuid.UUID(incident.json()["id"]),
        marker=marker,
        cookies=cookies,
        tokens={role: await login(who) for role, who in people.items()},
        tokens_csrf=tokens_csrf,
    )
    return _world


async def _call(
    client: httpx.AsyncClient,
    world: World,
    role: str | None,
    route: tuple[str, str],
    token: str | None = None,
) -> httpx.Response:
    """Call a route as `role`; a page form carries the role's CSRF token unless `token` is given."""
    url, payload = CALLS[route][0](world)
    method = route[1]
    if not url.startswith("/api/"):
        cookies = world.cookies[role] if role else None
        async with httpx.AsyncClient(
            transport=client._transport, base_url=client.base_url, cookies=cookies
        ) as browser:
            if method == "GET":
                return await browser.get(url)
            if token is None:
                token = world.tokens_csrf[role] if role else "x"
            form = {**payload, "csrf_token": token}
            return await browser.post(url, data=form)
    headers = world.tokens[role] if role else {}
    body = {"json": payload} if method in ("POST", "PATCH") else {}
    return await client.request(method, url, headers=headers, **body)


async def _snapshot(world: World) -> tuple[Any, ...]:
    village = await Area.get(code=world.village.code)
    member = await User.get(id=world.member.id)
    return (
        village.name,
        village.household_estimate,
        member.is_active,
        member.password_hash,
        member.session_epoch,
        sorted(await UserArea.filter(user=member).values_list("area_id", flat=True)),
        (await Conflict.get(id=world.conflict)).resolved_at,
        (await Assignment.get(id=world.assignment)).deleted,
        await Area.filter(commune_code=COMMUNE_A).count(),
        await User.filter(phone="0987654999").count(),
        await Assignment.filter(village_code=world.village.code).count(),
        await ChecklistTemplate.filter(area_code=COMMUNE_A).count(),
        await ChecklistTemplate.filter(key=world.template).count(),
        await DataRequest.filter(id=world.data_request).values_list(
            "acknowledged_at", "extension_days", "done_at", "refused_at"
        ),
        await DataRequest.filter(commune_code=COMMUNE_A).count(),
        await Incident.filter(id=world.incident).values_list(
            "authority_notified_at", "households_notified_at"
        ),
        await Incident.filter(commune_code=COMMUNE_A).count(),
        (await Household.get(id=world.household)).restricted,
    )


@pytest.mark.parametrize("route", MANAGED, ids=lambda r: f"{r[1]} {r[0]}")
@pytest.mark.parametrize(
    "role", [None, "member", "trainer"], ids=["anonymous", "member", "trainer"]
)
async def test_members_trainers_and_strangers_cannot_reach_management(client, world, role, route):
    before = await _snapshot(world)

    response = await _call(client, world, role, route)

    if role is None and not route[0].startswith("/api/"):  # a page: go and sign in first
        assert (response.status_code, response.headers.get("location")) == (303, "/sign-in")
    else:
        assert response.status_code == (401 if role is None else 403), response.text[:300]
    assert world.marker not in response.text
    assert await _snapshot(world) == before


@pytest.mark.parametrize("route", MANAGED, ids=lambda r: f"{r[1]} {r[0]}")
async def test_another_communes_coordinator_sees_and_changes_nothing(client, world, route):
    before = await _snapshot(world)

    response = await _call(client, world, "coord_b", route)

    assert response.status_code == CALLS[route][1], response.text[:300]
    shown = response.text.replace(response.request.url.path, "")  # error pages echo the path
    assert world.marker not in shown
    assert str(world.conflict) not in shown
    assert str(world.assignment) not in shown
    assert str(world.data_request) not in shown and str(world.incident) not in shown
    assert await _snapshot(world) == before


FORMS = [r for r in MANAGED if r[1] == "POST" and not r[0].startswith("/api/")]


@pytest.mark.parametrize("route", FORMS, ids=lambda r: f"{r[1]} {r[0]}")
async def test_a_management_form_with_a_forged_token_changes_nothing(client, world, route):
    before = await _snapshot(world)

    response = await _call(client, world, "coord_a", route, token="gia-mao")

    assert response.status_code == 403, response.text[:300]
    assert "Biểu mẫu này đã hết hạn." in response.text
    assert await _snapshot(world) == before


READS = [r for r in MANAGED if r[1] == "GET"]


@pytest.mark.parametrize("route", READS, ids=lambda r: f"{r[1]} {r[0]}")
@pytest.mark.parametrize("role", ["coord_a", "province", "admin"])
async def test_the_communes_province_and_admin_see_it(client, world, role, route):
    response = await _call(client, world, role, route)

    assert response.status_code == 200, response.text[:300]
    if CALLS[route][1] == LIST:
        assert world.marker in response.text or str(world.conflict) in response.text


# Who pulls what on a phone (docs/sync-protocol.md, "Who pulls what"). `village member` works in
# commune A's village; `member` in another village of commune A.
PULLERS = ["village member", "member", "trainer", "coord_a", "coord_b", "province", "admin"]
SEES_THE_HOUSEHOLD = {"village member", "coord_a", "province", "admin"}
RECORDS_HOUSEHOLDS = {"village member", "member", "coord_a", "coord_b", "province", "admin"}


@pytest.mark.parametrize("role", PULLERS)
async def test_each_role_pulls_only_what_its_work_needs(world, login, push, pull_all, role):
    tokens = {**world.tokens, "village member": await login(world.member)}
    start = {"template_key": "vneid_account", "template_version": 1}
    checklist = uuid.uuid4()
    started = {**start, "household_id": str(world.household)}
    made = mutation(checklist, started, type_="checklist")
    await push(tokens["village member"], "dev-matrix", [made], {"applied"})
    progress = {who: uuid.uuid4() for who in PULLERS}
    for who, record in progress.items():
        data = {"lesson_slug": "ma-tran", "status": "started"}
        await push(tokens[who], f"dev-{who}", [mutation(record, data, type_="lesson_progress")])

    changes, _, _ = await pull_all(tokens[role], 1000)

    by_type: dict[str, set[str]] = {}
    for change in changes:
        by_type.setdefault(change["type"], set()).add(change["record_id"])
    sees = role in SEES_THE_HOUSEHOLD
    assert (str(world.household) in by_type.get("household", set())) == sees
    assert (str(checklist) in by_type.get("checklist", set())) == sees
    if role not in RECORDS_HOUSEHOLDS:
        assert not {"household", "checklist"} & by_type.keys(), sorted(by_type)
    assert "lesson" in by_type  # for its audience; a tombstone for anyone else
    mine = {str(record) for who, record in progress.items() if who == role}
    others = {str(record) for who, record in progress.items() if who != role}
    assert mine <= by_type["lesson_progress"] and not others & by_type["lesson_progress"]
    assigned = str(world.assignment) in by_type.get("assignment", set())
    assert assigned == (role == "village member")
