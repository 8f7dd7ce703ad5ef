"""The demo gives its coordinator a believable coverage picture, with correct numbers."""

from __future__ import annotations

from server.accounts.models import User
from server.areas.models import Area
from server.cli.demo import DEMO_USERS, PASSWORD, create_demo
from server.households.models import Household


async def test_demo_coordinator_sees_correct_coverage_with_laggards_and_a_trend(client):
    await create_demo()
    coordinator = await User.get(phone=DEMO_USERS[1][0])
    token = (
        await client.post(
            "/api/v1/session", json={"phone": coordinator.phone, "password": PASSWORD}
        )
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    demo_villages = await Area.filter(parent_code="16591", name__startswith="Thôn C").order_by(
        "code"
    )
    demo_villages += await Area.filter(parent_code="16591", name="Thôn Đồng Chùa")
    assert len(demo_villages) == 3

    shares = []
    for village in demo_villages:
        body = (await client.get(f"/api/v1/coverage/{village.code}", headers=headers)).json()
        onboarded = await Household.filter(village_code=village.code, deleted=False).count()
        assert body["area"]["households"] == onboarded > 0
        shares.append(body["area"]["households"] / body["area"]["estimate"])
        growing = [p["households"] for p in body["trend"]]
        assert growing == sorted(growing)
        assert len({p for p in growing if p}) >= 4  # onboarding spread over several weeks
    assert max(shares) - min(shares) > 0.25  # some villages are clearly behind

    page = await client.get("/coverage/16591", headers=headers)
    assert page.status_code == 200
    activity = await client.get(f"/coverage/{demo_villages[0].code}/activity", headers=headers)
    assert 'data-device="demo-phone-binh"' in activity.text
