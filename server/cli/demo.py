"""`langso demo`: a realistic Thanh Hóa demo through the same services the app uses."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from server import __version__
from server.accounts import roles
from server.accounts.models import User
from server.accounts.services import scope_of
from server.areas import kinds
from server.areas.models import Area
from server.areas.services import add_village, import_official_units
from server.content import Indicator, curriculum
from server.coverage import tally
from server.households.models import Household
from server.lessons.importer import import_content
from server.sync.push import PushRequest, push
from server.syncable.models import Device
from server.teams.models import Team, TeamMember
from server.teams.services import create_user

PROVINCE = "38"  # Thanh Hóa
COMMUNES = {
    "16591": [("Thôn Các Sơn 1", 62), ("Thôn Các Sơn 2", 48), ("Thôn Đồng Chùa", 55)],
    "16636": [("Thôn Trường Lâm", 58), ("Bản Hón", 40), ("Thôn Tân Lập", 52)],
}
PASSWORD = "langso-demo"
DEMO_USERS = [
    ("0901000001", "Quản trị Demo", roles.ADMIN, [PROVINCE]),
    ("0901000002", "Lê Thị Hoa (điều phối xã Các Sơn)", roles.COORDINATOR, ["16591"]),
    ("0901000003", "Trần Văn Minh (giảng viên)", roles.TRAINER, [PROVINCE]),
    ("0901000004", "Nguyễn Văn Bình (tổ viên)", roles.MEMBER, ["village:0"]),
    ("0901000005", "Phạm Thị Lan (tổ viên)", roles.MEMBER, ["village:3"]),
    ("0901000006", "Đỗ Văn Hùng (điều phối tỉnh Thanh Hóa)", roles.COORDINATOR, [PROVINCE]),
    ("0901000007", "Hà Thị Mai (tổ viên, cùng thôn với anh Bình)", roles.MEMBER, ["village:0"]),
]
_FAMILY = ["Nguyễn", "Lê", "Trần", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Lò", "Hà", "Cầm"]
_MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu", "Xuân", "Hữu"]
_GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Mai", "Nam", "Sơn"]


async def create_demo(seed: int = 2025) -> list[str]:
    """Create the demo once (re-running only reprints the logins); return the login lines."""
    lines = [f"{name} [{role}]: {phone} / {PASSWORD}" for phone, name, role, _ in DEMO_USERS]
    if await User.filter(phone=DEMO_USERS[0][0]).exists():
        return lines
    if not await Area.filter(kind=kinds.PROVINCE).exists():
        await import_official_units()
    await import_content(curriculum.content_dir())
    villages: list[Area] = []
    for commune, names in COMMUNES.items():
        for name, estimate in names:
            villages.append(await add_village(commune, name, estimate))
    rng = random.Random(seed)
    users: dict[str, User] = {}
    for phone, name, role, areas in DEMO_USERS:
        codes = [
            villages[int(a.split(":")[1])].code if a.startswith("village:") else a for a in areas
        ]
        users[phone] = await create_user(
            phone=phone, name=name, role=role, password=PASSWORD, area_codes=codes
        )
    for village in villages:
        team, _ = await Team.get_or_create(
            village=village, defaults={"name": f"Tổ CNSCĐ {village.name}"}
        )
        for member in users.values():
            if member.role == roles.MEMBER and await _in(member, village):
                team.leader = member
                await team.save()
                break
    admin = users[DEMO_USERS[0][0]]
    scope = await scope_of(admin)
    for n, village in enumerate(villages):
        # Villages move at different speeds, so some are clearly behind.
        pace = _PACE[n % len(_PACE)]
        count = int((village.household_estimate or 50) * pace * rng.uniform(0.9, 1.0))
        mutations = [_household(rng, village.code, pace) for _ in range(count)]
        await push(PushRequest(scope=scope, device_id="demo-seed", mutations=mutations))
    await _backdate(rng, villages)
    await _this_week(rng, villages, users)
    await tally.rebuild()
    return lines


# Share of the estimate onboarded, and how far along households are, village by village.
_PACE = (0.95, 0.55, 0.85, 0.75, 0.35, 0.9)
_WEEKS = 8


async def _backdate(rng: random.Random, villages: list[Area]) -> None:
    """Spread the seeded households over the last weeks, more of them recently."""
    now = datetime.now(UTC)
    seeded = Household.filter(village_code__in=[v.code for v in villages])
    for household in await seeded.only("id").order_by("id"):
        age = timedelta(days=_WEEKS * 7 * (1 - rng.random() ** 0.6), minutes=rng.randint(0, 600))
        when = now - age
        await Household.filter(id=household.id).update(created_at=when, updated_at=when)


async def _this_week(rng: random.Random, villages: list[Area], users: dict[str, User]) -> None:
    """The two demo members' phones: one synced today, one silent for five days."""
    for phone, device, village, count in (
        ("0901000004", "demo-phone-binh", villages[0], 4),
        ("0901000005", "demo-phone-lan", villages[3], 2),
    ):
        member = users[phone]
        mutations = [_household(rng, village.code, 0.8) for _ in range(count)]
        await push(
            PushRequest(
                scope=await scope_of(member),
                device_id=device,
                mutations=mutations,
                app_version=__version__,
                pending_changes=0,
            )
        )
        team = await Team.get(village=village)
        await TeamMember.get_or_create(team=team, user=member)
    five_days_ago = datetime.now(UTC) - timedelta(days=5)
    await Device.filter(id="demo-phone-lan").update(
        last_push_at=five_days_ago, last_pull_at=five_days_ago, pending_changes=7
    )


async def _in(user: User, village: Area) -> bool:
    scope = await scope_of(user)
    return village.code in scope.villages


def _household(rng: random.Random, village_code: str, pace: float = 0.8) -> dict[str, Any]:
    name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    people = rng.randint(1, 7)
    given_at = datetime.now(UTC) - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
    readiness = rng.random() * pace + 0.1  # some households are far along, some just starting
    return {
        "id": str(uuid.uuid4()),
        "type": "household",
        "record_id": str(uuid.uuid4()),
        "op": "create",
        "base_version": 0,
        "data": {
            "village_code": village_code,
            "head_name": name,
            "address": f"Xóm {rng.randint(1, 9)}",
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
            "people_count": people,
            "adult_count": rng.randint(1, people),
            "consent": {
                "given_by": name,
                "purposes": [
                    p.key for p in curriculum.consent_purposes() if p.required or rng.random() < 0.6
                ],
                "given_at": given_at.isoformat(),
                "versions": {p.key: p.version for p in curriculum.consent_purposes()},
            },
            "indicators": {
                i.key: _value(rng, i, readiness) for i in curriculum.indicator_set().indicators
            },
        },
    }


def _value(rng: random.Random, indicator: Indicator, readiness: float) -> Any:
    ahead = rng.random() < readiness
    if indicator.type == "bool":
        return ahead
    if indicator.type == "int":
        return rng.randint(1, 3) if ahead else rng.randint(0, 1)
    values = [choice.value for choice in indicator.choices]
    return values[-1] if ahead else rng.choice(values[:-1] or values)
