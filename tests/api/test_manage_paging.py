"""The coordinators' long lists come a page at a time, searchable without diacritics, in scope.

Each test fills a commune of Hà Nội (no other test uses it) with enough rows to page through,
written in bulk: a province's lists are thousands of rows long.
"""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from server.accounts import roles
from server.accounts.models import User, UserArea
from server.areas import kinds
from server.areas.models import Area
from server.assignments.models import Assignment
from server.households.models import Household
from server.search import fold
from server.syncable.clock import allocate_versions
from server.syncable.models import Conflict
from server.teams.models import Team
from tests.api.html import alert, csrf
from tests.data import COMMUNE_A

HANOI = "01"
_communes = itertools.count(0)
_phones = itertools.count(61_000_001)


async def _empty_commune() -> Area:
    """A commune of Hà Nội no other test has used (from the last: tests/api/test_official_codes.py
    uses wards 00004 and 00070)."""
    commune = (
        await Area.filter(kind=kinds.COMMUNE, province_code=HANOI)
        .order_by("-code")
        .offset(next(_communes))
        .first()
    )
    assert commune is not None
    return commune


async def _villages(
    commune: Area, count: int, name: str = "Thôn Đồng", start: int = 1
) -> list[Area]:
    rows = [
        Area(
            code=f"{commune.code}-{n:03d}" if n < 1000 else f"{commune.code}-{n}",
            kind=kinds.VILLAGE,
            name=f"{name} {n:04d}",
            search_name=fold(f"{name} {n:04d}"),
            division_type="thôn",
            parent_code=commune.code,
            province_code=commune.province_code,
            commune_code=commune.code,
        )
        for n in range(start, start + count)
    ]
    await Area.bulk_create(rows, batch_size=500)
    return rows


async def _members(village: Area, count: int, name: str = "Nguyễn Thị Huệ") -> list[User]:
    users = [
        User(
            id=uuid.uuid4(),
            phone=f"03{next(_phones):08d}",
            name=f"{name} {n:03d}",
            search_name=fold(f"{name} {n:03d}"),
            role=roles.MEMBER,
            password_hash="-",
        )
        for n in range(1, count + 1)
    ]
    await User.bulk_create(users, batch_size=500)
    await UserArea.bulk_create([UserArea(user_id=u.id, area_id=village.code) for u in users])
    return users


def _listed(page_text: str, prefix: str) -> list[str]:
    """The codes (or ids) the list links to, in order."""
    return re.findall(rf'<a href="{prefix}/([^"?]+)">', page_text)


# Villages


async def test_villages_come_fifty_a_page_with_the_total(user, signed_in):
    commune = await _empty_commune()
    made = await _villages(commune, 1050)
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))

    first = await browser.get("/manage/villages")
    second = await browser.get("/manage/villages?page=2")
    last = await browser.get("/manage/villages?page=21")
    beyond = await browser.get("/manage/villages?page=22")

    codes = [v.code for v in made]
    assert _listed(first.text, "/manage/villages") == codes[:50]
    assert "Đang xem 1–50 trên 1.050" in first.text and "Trang 1/21" in first.text
    assert 'rel="prev"' not in first.text and 'href="/manage/villages?page=2"' in first.text
    assert _listed(second.text, "/manage/villages") == codes[50:100]
    assert "Đang xem 51–100 trên 1.050" in second.text
    assert 'href="/manage/villages"' in second.text  # page 1 is the bare address
    assert _listed(last.text, "/manage/villages") == codes[1000:]
    assert "Đang xem 1.001–1.050 trên 1.050" in last.text and 'rel="next"' not in last.text
    assert beyond.status_code == 200 and _listed(beyond.text, "/manage/villages") == []
    assert "Trang này không có gì." in beyond.text
    assert 'href="/manage/villages?page=21"' in beyond.text  # back to the last page


async def test_the_village_search_ignores_diacritics_and_keeps_the_query(user, signed_in):
    commune = await _empty_commune()
    made = await _villages(commune, 120)
    browser = await signed_in(await user(roles.COORDINATOR, commune.code, language="en"))

    plain = await browser.get("/manage/villages", params={"q": "DONG 0007"})
    marked = await browser.get("/manage/villages", params={"q": "đồng 001"})
    paged = await browser.get("/manage/villages", params={"q": "dong", "page": "3"})
    nothing = await browser.get("/manage/villages", params={"q": "Xóm Chùa"})

    assert _listed(plain.text, "/manage/villages") == [made[6].code]
    assert "Showing 1–1 of 1" in plain.text and 'value="DONG 0007"' in plain.text
    assert _listed(marked.text, "/manage/villages") == [v.code for v in made[9:19]]
    assert _listed(paged.text, "/manage/villages") == [v.code for v in made[100:]]
    assert "Showing 101–120 of 120" in paged.text
    assert 'href="/manage/villages?q=dong&amp;page=2"' in paged.text
    assert "No village matches your search." in nothing.text


async def test_htmx_gets_only_the_list(user, signed_in):
    commune = await _empty_commune()
    await _villages(commune, 60)
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))

    fragment = await browser.get("/manage/villages?page=2", headers={"HX-Request": "true"})
    boosted = await browser.get(
        "/manage/villages?page=2", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )

    assert fragment.text.lstrip().startswith('<section id="villages-list"')
    # Phone numbers and names stay out of htmx's history cache in localStorage.
    assert 'hx-history="false"' in fragment.text
    assert "<html" not in fragment.text and 'method="post"' not in fragment.text
    assert "Đang xem 51–60 trên 60" in fragment.text
    assert 'hx-get="/manage/villages"' in fragment.text and 'hx-push-url="true"' in fragment.text
    assert "<html" in boosted.text and "Đang xem 51–60 trên 60" in boosted.text
    assert "HX-Request" in fragment.headers["vary"]


async def test_another_communes_villages_never_show_on_any_page_or_search(village, user, signed_in):
    commune = await _empty_commune()
    theirs = await _villages(commune, 70, name="Bản Khác")
    await village(COMMUNE_A)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    pages = [await browser.get(f"/manage/villages?page={n}") for n in range(1, 4)]
    found = await browser.get("/manage/villages", params={"q": "ban khac"})

    shown = {code for page in pages for code in _listed(page.text, "/manage/villages")}
    assert shown and not shown & {v.code for v in theirs}
    assert all(code.startswith(COMMUNE_A) for code in shown)
    assert _listed(found.text, "/manage/villages") == []


async def test_adding_a_village_still_works_from_a_searched_page(user, signed_in):
    commune = await _empty_commune()
    await _villages(commune, 60)
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))
    page = await browser.get("/manage/villages", params={"q": "dong", "page": "2"})

    bad = await browser.post(
        "/manage/villages",
        data={
            "csrf_token": csrf(page),
            "commune_code": commune.code,
            "name": "Thôn Mới Lập",
            "household_estimate": "khoảng 90",
        },
    )
    good = await browser.post(
        "/manage/villages",
        data={"csrf_token": csrf(page), "commune_code": commune.code, "name": "Thôn Mới Lập"},
    )

    assert bad.status_code == 422 and alert(bad) == "Hãy nhập số nguyên."
    assert 'value="Thôn Mới Lập"' in bad.text and 'value="khoảng 90"' in bad.text
    assert "Đang xem 1–50 trên 60" in bad.text
    assert good.status_code == 303
    found = await browser.get("/manage/villages", params={"q": "thon moi lap"})
    assert "Thôn Mới Lập" in found.text and "Đang xem 1–1 trên 1" in found.text


# Bad paging values


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "２", "9" * 40, "100001"])
async def test_a_bad_page_number_is_a_clear_400(user, signed_in, value):
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    response = await browser.get("/manage/villages", params={"page": value})

    assert response.status_code == 400
    assert alert(response) == "Hãy dùng số nguyên từ 1 đến 100000 cho “page”."


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/api/v1/villages", {"limit": "0"}, "Use a whole number from 1 to 500 for “limit”."),
        ("/api/v1/villages", {"limit": "501"}, "Use a whole number from 1 to 500 for “limit”."),
        (
            "/api/v1/members",
            {"offset": "-5"},
            "Use a whole number from 0 to 10000000 for “offset”.",
        ),
        ("/api/v1/members", {"limit": "ten"}, "Use a whole number from 1 to 500 for “limit”."),
    ],
)
async def test_bad_api_limits_are_a_400_in_the_users_language(
    client, user, login, path, params, message
):
    headers = await login(await user(roles.COORDINATOR, COMMUNE_A, language="en"))

    response = await client.get(path, params=params, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == message


# The villages API


async def test_the_villages_api_pages_with_limit_and_offset(client, user, login):
    commune = await _empty_commune()
    made = await _villages(commune, 30)
    headers = await login(await user(roles.COORDINATOR, commune.code))

    everything = (await client.get("/api/v1/villages", headers=headers)).json()
    window = await client.get(
        "/api/v1/villages", params={"limit": 10, "offset": 25}, headers=headers
    )
    beyond = await client.get(
        "/api/v1/villages", params={"limit": 10, "offset": 30}, headers=headers
    )
    found = await client.get("/api/v1/villages", params={"q": "dong 0012"}, headers=headers)

    assert [v["code"] for v in everything["villages"]] == [v.code for v in made]
    assert (everything["total"], everything["offset"], everything["limit"]) == (30, 0, None)
    assert [v["code"] for v in window.json()["villages"]] == [v.code for v in made[25:]]
    assert (window.json()["total"], window.json()["limit"]) == (30, 10)
    assert beyond.json() == {"villages": [], "total": 30, "offset": 30, "limit": 10}
    assert [v["code"] for v in found.json()["villages"]] == [made[11].code]


# Members


async def test_members_come_fifty_a_page_and_are_found_by_name_or_number(user, signed_in):
    commune = await _empty_commune()
    [home, other] = await _villages(commune, 2)
    people = await _members(home, 70) + await _members(other, 5, name="Trần Văn Đức")
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))

    first = await browser.get("/manage/members")
    second = await browser.get("/manage/members?page=2")
    by_name = await browser.get("/manage/members", params={"q": "nguyen thi hue 007"})
    by_number = await browser.get(
        "/manage/members", params={"q": people[41].phone[:4] + " " + people[41].phone[4:]}
    )
    by_village = await browser.get("/manage/members", params={"village": other.code})
    in_village = await browser.get("/manage/members", params={"village": other.code, "q": "duc 00"})

    ids = [str(u.id) for u in people]
    assert _listed(first.text, "/manage/members") == ids[:50]
    assert "Đang xem 1–50 trên 75" in first.text
    assert _listed(second.text, "/manage/members") == ids[50:]
    assert _listed(by_name.text, "/manage/members") == [ids[6]]
    assert _listed(by_number.text, "/manage/members") == [ids[41]]
    assert _listed(by_village.text, "/manage/members") == ids[70:]
    assert "Chỉ các thành viên của Thôn Đồng 0002." in by_village.text
    assert _listed(in_village.text, "/manage/members") == ids[70:]
    assert f'name="village" value="{other.code}"' in in_village.text


async def test_the_members_api_pages_and_searches_in_scope(client, user, login):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    people = await _members(home, 12)
    leader = people[3]
    await Team.create(village_id=home.code, name=home.name, leader_id=leader.id)
    mine = await login(await user(roles.COORDINATOR, commune.code))
    theirs = await login(await user(roles.COORDINATOR, COMMUNE_A))

    window = (
        await client.get("/api/v1/members", params={"limit": 5, "offset": 2}, headers=mine)
    ).json()
    found = await client.get("/api/v1/members", params={"q": "hue 004"}, headers=mine)
    outside = await client.get("/api/v1/members", params={"q": "hue 004"}, headers=theirs)
    village_of_others = await client.get(
        "/api/v1/members", params={"village": home.code}, headers=theirs
    )

    assert [m["id"] for m in window["members"]] == [str(u.id) for u in people[2:7]]
    assert (window["total"], window["offset"], window["limit"]) == (12, 2, 5)
    assert [m["is_leader"] for m in window["members"]] == [False, True, False, False, False]
    assert [m["id"] for m in found.json()["members"]] == [str(leader.id)]
    assert outside.json()["members"] == [] and outside.json()["total"] == 0
    assert village_of_others.json()["total"] == 0


async def test_adding_a_member_from_a_paged_page_keeps_what_was_typed(user, signed_in):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    await _members(home, 55)
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))
    page = await browser.get("/manage/members?page=2")

    bad = await browser.post(
        "/manage/members",
        data={
            "csrf_token": csrf(page),
            "name": "Phạm Văn Bình",
            "phone": "12345",
            "village_code": home.code,
        },
    )
    good = await browser.post(
        "/manage/members",
        data={
            "csrf_token": csrf(page),
            "name": "Phạm Văn Bình",
            "phone": "0356 000 111",
            "village_code": home.code,
        },
    )

    assert bad.status_code == 422
    assert 'value="Phạm Văn Bình"' in bad.text and 'value="12345"' in bad.text
    assert good.status_code == 201
    found = await browser.get("/manage/members", params={"q": "pham van binh"})
    assert "Phạm Văn Bình" in found.text and "Đang xem 1–1 trên 1" in found.text


# Assignments


async def _assignments(
    village: Area, member: User, coordinator: User, open_: int, late: int, done: int
) -> list[Assignment]:
    """Open ones due in 1..open_ days, overdue ones, then done ones (most recent first)."""
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    plans = (
        [(today + timedelta(days=n), None) for n in range(1, open_ + 1)]
        + [(today - timedelta(days=late + 1 - n), None) for n in range(1, late + 1)]
        + [(today + timedelta(days=3), now - timedelta(hours=n)) for n in range(1, done + 1)]
    )
    async with in_transaction() as conn:
        versions = await allocate_versions(conn, len(plans))
        rows = [
            Assignment(
                id=uuid.uuid4(),
                version=version,
                created_at=now,
                updated_at=now,
                village_code=village.code,
                commune_code=village.commune_code,
                province_code=village.province_code,
                user_id=member.id,
                assigned_by=coordinator.id,
                household_name=f"Hộ Lương Văn {n:03d}",
                template_key="scam_safety",
                due_date=due.isoformat(),
                done_at=done_at,
            )
            for n, ((due, done_at), version) in enumerate(zip(plans, versions, strict=True))
        ]
        await Assignment.bulk_create(rows, using_db=conn)
    return rows


def _ids(page_text: str, status: str | None = None) -> list[str]:
    found = re.findall(r'data-status="([a-z]+)" data-id="([^"]+)"', page_text)
    return [i for s, i in found if status is None or s == status]


async def test_open_and_done_work_are_paged_on_their_own(user, signed_in):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    [member] = await _members(home, 1)
    coordinator = await user(roles.COORDINATOR, commune.code)
    rows = await _assignments(home, member, coordinator, open_=60, late=3, done=55)
    overdue, open_, done = rows[60:63], rows[:60], rows[63:]
    ordered_open = [str(a.id) for a in overdue + open_]
    browser = await signed_in(coordinator)

    first = await browser.get("/manage/assignments")
    second = await browser.get("/manage/assignments?page=2")
    late = await browser.get("/manage/assignments?status=overdue")
    done_2 = await browser.get("/manage/assignments?status=done&done_page=2")
    bad = await browser.get("/manage/assignments?status=later")

    assert _ids(first.text, "overdue") + _ids(first.text, "open") == ordered_open[:50]
    assert _ids(first.text, "done") == [str(a.id) for a in done[:50]]
    assert "Đang xem 1–50 trên 63" in first.text and "Đang xem 1–50 trên 55" in first.text
    assert 'href="/manage/assignments?done_page=2"' in first.text
    assert _ids(second.text, "open") == ordered_open[50:]
    assert 'href="/manage/assignments?page=2&amp;done_page=2"' in second.text
    assert _ids(late.text) == [str(a.id) for a in overdue] and "Đang xem 1–3 trên 3" in late.text
    assert _ids(done_2.text) == [str(a.id) for a in done[50:]]
    assert bad.status_code == 400
    assert alert(bad) == "Hãy chọn một tình trạng: open, overdue hoặc done."


async def test_assignments_are_found_by_member_without_diacritics_in_scope(
    client, user, login, signed_in
):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    [sinh] = await _members(home, 1, name="Lò Văn Sính")
    [may] = await _members(home, 1, name="Hà Thị Mây")
    coordinator = await user(roles.COORDINATOR, commune.code)
    his = await _assignments(home, sinh, coordinator, open_=3, late=0, done=1)
    await _assignments(home, may, coordinator, open_=4, late=0, done=0)
    browser = await signed_in(coordinator)
    outsider = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    found = await browser.get("/manage/assignments", params={"q": "lo van sinh"})
    fragment = await browser.get(
        "/manage/assignments", params={"q": "lo van sinh"}, headers={"HX-Request": "true"}
    )
    api = await client.get(
        "/api/v1/assignments", params={"q": "LÒ VĂN"}, headers=await login(coordinator)
    )
    elsewhere = await outsider.get("/manage/assignments", params={"q": "lo van sinh"})

    assert sorted(_ids(found.text)) == sorted(str(a.id) for a in his)
    assert '<section id="assignment-lists"' in fragment.text and "<html" not in fragment.text
    assert sorted(a["id"] for a in api.json()["assignments"]) == sorted(str(a.id) for a in his)
    assert api.json()["total"] == 4
    assert _ids(elsewhere.text) == []


async def test_the_assignments_api_pages_across_open_and_done(client, user, login):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    [member] = await _members(home, 1)
    coordinator = await user(roles.COORDINATOR, commune.code)
    rows = await _assignments(home, member, coordinator, open_=8, late=0, done=4)
    headers = await login(coordinator)

    window = (
        await client.get("/api/v1/assignments", params={"limit": 5, "offset": 6}, headers=headers)
    ).json()
    done = (
        await client.get("/api/v1/assignments", params={"status": "done"}, headers=headers)
    ).json()
    bad = await client.get("/api/v1/assignments", params={"status": "x"}, headers=headers)

    assert [a["id"] for a in window["assignments"]] == [str(a.id) for a in rows[6:11]]
    assert [a["status"] for a in window["assignments"]] == ["open", "open", "done", "done", "done"]
    assert (window["total"], window["offset"], window["limit"]) == (12, 6, 5)
    assert [a["id"] for a in done["assignments"]] == [str(a.id) for a in rows[8:]]
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "status"


# Conflicts


async def _conflicts(village: Area, member: User, count: int) -> list[Conflict]:
    """Open conflicts on made-up records of `village`, newest first."""
    now = datetime.now(UTC)
    rows = [
        Conflict(
            id=uuid.uuid4(),
            record_type="household",
            record_id=uuid.uuid4(),
            field="address",
            kept_value={"v": "Xóm 1"},
            kept_version=1,
            lost_value={"v": "Xóm 2"},
            lost_device_id="dev-x",
            lost_user_id=member.id,
            mutation_id=uuid.uuid4(),
            base_version=1,
            village_code=village.code,
            commune_code=village.commune_code,
            created_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    ]
    await Conflict.bulk_create(rows)
    return rows


def _conflict_ids(page_text: str) -> list[str]:
    return re.findall(r'<li id="conflict-([^"]+)">', page_text)


async def test_conflicts_are_paged_and_found_by_village_or_household(
    user, login, signed_in, make_conflict
):
    commune = await _empty_commune()
    dong, sen = await _villages(commune, 1), await _villages(commune, 1, name="Bản Sen", start=2)
    [member] = await _members(dong[0], 1)
    coordinator = await user(roles.COORDINATOR, commune.code)
    in_dong = await _conflicts(dong[0], member, 52)
    in_sen = await _conflicts(sen[0], member, 2)
    first, second = await user(roles.MEMBER, dong[0].code), await user(roles.MEMBER, dong[0].code)
    real = await make_conflict(
        await login(first),
        await login(second),
        dong[0].code,
        {"address": "Xóm 5"},
        {"address": "Xóm 6"},
    )
    await Household.filter(id=real).update(head_name="Quàng Văn Phúc")
    browser = await signed_in(coordinator)
    outsider = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    page_1 = await browser.get("/review/conflicts")
    page_2 = await browser.get("/review/conflicts?page=2")
    by_village = await browser.get("/review/conflicts", params={"q": "ban sen"})
    by_household = await browser.get("/review/conflicts", params={"q": "Phúc"})
    elsewhere = await outsider.get("/review/conflicts", params={"q": "ban sen"})

    [newest] = await Conflict.filter(record_id=real).values_list("id", flat=True)
    everything = [str(newest)] + [
        str(c.id) for c in sorted(in_dong + in_sen, key=lambda c: c.created_at, reverse=True)
    ]
    assert "Đang xem 1–50 trên 55" in page_1.text
    assert _conflict_ids(page_1.text) == everything[:50]
    assert _conflict_ids(page_2.text) == everything[50:]
    assert sorted(_conflict_ids(by_village.text)) == sorted(str(c.id) for c in in_sen)
    assert _conflict_ids(by_household.text) == [str(newest)]
    assert _conflict_ids(elsewhere.text) == []


async def test_resolving_still_works_from_a_paged_page(user, signed_in):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    [member] = await _members(home, 1)
    rows = await _conflicts(home, member, 55)
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))
    page = await browser.get("/review/conflicts?page=2")
    target = rows[52]

    unchosen = await browser.post(
        f"/review/conflicts/{target.id}", data={"csrf_token": csrf(page), "accept": ""}
    )
    kept = await browser.post(
        f"/review/conflicts/{target.id}", data={"csrf_token": csrf(page), "accept": "kept"}
    )
    card = await browser.post(
        f"/review/conflicts/{rows[53].id}",
        data={"csrf_token": csrf(page), "accept": "kept"},
        headers={"HX-Request": "true"},
    )

    assert unchosen.status_code == 422 and "Đang xem 1–50 trên 55" in unchosen.text
    assert kept.status_code == 303
    assert card.status_code == 200 and card.text.lstrip().startswith(
        f'<li id="conflict-{rows[53].id}"'
    )
    after = await browser.get("/review/conflicts?page=2")
    assert "Đang xem 51–53 trên 53" in after.text


async def test_another_communes_members_never_show_on_any_page_or_search(village, user, signed_in):
    commune = await _empty_commune()
    [theirs_village] = await _villages(commune, 1, name="Bản Khác")
    theirs = await _members(theirs_village, 60, name="Lò Văn Khác")
    mine = await village(COMMUNE_A)
    await _members(mine, 3)
    browser = await signed_in(await user(roles.COORDINATOR, COMMUNE_A))

    pages = [await browser.get(f"/manage/members?page={n}") for n in range(1, 4)]
    found = await browser.get("/manage/members", params={"q": "lo van khac"})
    by_their_village = await browser.get("/manage/members", params={"village": theirs_village.code})

    shown = {member for page in pages for member in _listed(page.text, "/manage/members")}
    assert shown and not shown & {str(u.id) for u in theirs}
    assert _listed(found.text, "/manage/members") == []
    assert _listed(by_their_village.text, "/manage/members") == []


async def test_the_assign_form_offers_fifty_members_and_finds_the_rest_by_search(
    village, user, signed_in
):
    commune = await _empty_commune()
    [home] = await _villages(commune, 1)
    people = await _members(home, 70, name="Đinh Thị Mận")
    people[5].is_active = False
    await people[5].save(update_fields=["is_active"])
    [elsewhere] = await _members(await village(COMMUNE_A), 1, name="Hà Văn Xa")
    browser = await signed_in(await user(roles.COORDINATOR, commune.code))

    first = await browser.get("/manage/assignments")
    found = await browser.get("/manage/assignments", params={"who": "dinh thi man 066"})
    gone = await browser.get("/manage/assignments", params={"who": "dinh thi man 006"})
    outside = await browser.get("/manage/assignments", params={"who": "ha van xa"})
    not_theirs = await browser.get("/manage/assignments", params={"member": str(elsewhere.id)})

    offered = re.findall(r'<option value="([0-9a-f-]{36})"', first.text)
    assert len(offered) == 50 and str(people[5].id) not in offered
    assert "Đang xem 1–50 trên 69" in first.text
    assert re.findall(r'<option value="([0-9a-f-]{36})"', found.text) == [str(people[65].id)]
    assert "Không có thành viên nào khớp với điều bạn tìm." in gone.text  # switched off
    assert str(elsewhere.id) not in outside.text
    assert 'name="member_id"' not in not_theirs.text  # no assign form for someone else's member
