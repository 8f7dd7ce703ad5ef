"""Official area codes keep their leading zeros: province 04 and ward 00004 are two units."""

from __future__ import annotations

import uuid

import pytest
from vietnam_provinces import Province, Ward

from server.accounts import roles
from server.accounts.models import UserArea
from server.accounts.services import AccountError, create_user
from server.areas.models import Area
from server.areas.services import import_official_units
from server.households.models import Household
from tests.data import PASSWORD, household_data, mutation

# The four numbers that are both a province and a ward of Hà Nội.
CLASHES = {
    "04": ("Cao Bằng", "00004", "Phường Ba Đình"),
    "08": ("Tuyên Quang", "00008", "Phường Ngọc Hà"),
    "25": ("Phú Thọ", "00025", "Phường Giảng Võ"),
    "91": ("An Giang", "00091", "Phường Phú Thượng"),
}
HOAN_KIEM, THUC_PHAN = "00070", "01273"  # a ward of Hà Nội, a ward of Cao Bằng


async def test_every_official_unit_is_stored_with_its_code_and_name(app):
    said = await import_official_units()

    stored = {
        code: (kind, name, parent)
        for code, kind, name, parent in await Area.filter(
            kind__in=["province", "commune"]
        ).values_list("code", "kind", "name", "parent_code")
    }
    expected = {f"{p.code:02d}": ("province", p.name, None) for p in Province.iter_all()}
    expected |= {
        f"{w.code:05d}": ("commune", w.name, f"{w.province_code:02d}") for w in Ward.iter_all()
    }
    assert (said.provinces, said.communes) == (34, 3321)
    assert len(expected) == 34 + 3321
    assert stored == expected


async def test_ba_dinh_and_cao_bang_stay_apart(app):
    for province, (province_name, ward, ward_name) in CLASHES.items():
        row = await Area.get(code=province)
        assert (row.kind, row.name, row.parent_code) == ("province", province_name, None)
        row = await Area.get(code=ward)
        assert (row.kind, row.name, row.parent_code, row.province_code) == (
            "commune",
            ward_name,
            "01",
            "01",
        )
        communes = [w for w in Ward.iter_all() if f"{w.province_code:02d}" == province]
        assert await Area.filter(kind="commune", parent_code=province).count() == len(communes)


async def test_a_coordinator_of_ba_dinh_sees_ba_dinh_and_not_cao_bang(client, village, user, login):
    in_ba_dinh, in_cao_bang = await village("00004"), await village(THUC_PHAN)
    coordinator = await user(roles.COORDINATOR, "00004")

    response = await client.get("/api/v1/villages", headers=await login(coordinator))

    assert [link.area_id for link in await UserArea.filter(user=coordinator)] == ["00004"]
    codes = [v["code"] for v in response.json()["villages"]]
    assert in_ba_dinh.code in codes
    assert in_cao_bang.code not in codes
    assert in_ba_dinh.code.startswith("00004-")
    assert (in_cao_bang.province_code, in_ba_dinh.province_code) == ("04", "01")


async def test_an_area_code_without_its_zeros_is_refused_with_what_it_may_mean(app):
    with pytest.raises(AccountError) as refused:
        await create_user(
            phone="0987000004",
            name="Lê Thị Hoa",
            role=roles.COORDINATOR,
            password=PASSWORD,
            area_codes=["4"],
        )

    assert refused.value.field == "area"
    assert refused.value.message("vi") == (
        "Không có địa bàn nào mang mã 4. Mã chính thức giữ nguyên các số 0 ở đầu; "
        "có phải bạn muốn nhập: 00004 (Phường Ba Đình), 04 (Cao Bằng)?"
    )
    assert refused.value.message("en").endswith(
        "perhaps you meant: 00004 (Phường Ba Đình), 04 (Cao Bằng)."
    )


async def test_a_commune_or_village_code_without_its_zeros_finds_that_commune_or_village(
    client, village, user, login
):
    made = await village("4")  # `langso village add --commune 4`: the kind says ward 00004
    headers = await login(await user(roles.COORDINATOR, "00004"))
    short = made.code.removeprefix("000")  # 4-00N

    renamed = await client.patch(
        f"/api/v1/villages/{short}", json={"name": f"Tổ {uuid.uuid4().hex[:6]}"}, headers=headers
    )

    assert made.code.startswith("00004-")
    assert (made.commune_code, made.province_code) == ("00004", "01")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["code"] == made.code


async def test_a_phone_sending_a_village_code_without_zeros_records_in_that_village(
    client, village, user, login
):
    home = await village(HOAN_KIEM)
    headers = await login(await user(roles.MEMBER, home.code))
    record = uuid.uuid4()
    old_code = home.code.lstrip("0")  # what a phone synced before the upgrade holds: 70-00N

    response = await client.post(
        "/api/v1/sync/push",
        json={"device_id": "old-phone", "mutations": [mutation(record, household_data(old_code))]},
        headers=headers,
    )

    assert response.json()["results"][0]["status"] == "applied", response.text
    stored = await Household.get(id=record)
    assert (stored.village_code, stored.commune_code, stored.province_code) == (
        home.code,
        HOAN_KIEM,
        "01",
    )
