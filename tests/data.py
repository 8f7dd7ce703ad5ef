"""Plain test data shared by the suite and the benchmarks: areas, a password, valid records."""

from __future__ import annotations

import uuid
from typing import Any

PASSWORD = "mat-khau-thu"  # every test user's password
COMMUNE_A, COMMUNE_B = "16591", "16636"  # two communes of Thanh Hóa (38)


def household_data(village_code: str, **overrides: Any) -> dict[str, Any]:
    """A valid new household for `village_code`."""
    data: dict[str, Any] = {
        "village_code": village_code,
        "head_name": "Nguyễn Văn An",
        "address": "Xóm 2",
        "phone": "0912 345 678",
        "people_count": 4,
        "adult_count": 2,
        "consent": {
            "given_by": "Nguyễn Văn An",
            "purposes": ["support_records"],
            "given_at": "2026-11-23T08:00:00+07:00",
        },
        "indicators": {"vneid": "level1", "smartphone_count": 1},
    }
    data.update(overrides)
    return data


def mutation(
    record_id: str | uuid.UUID,
    data: dict[str, Any],
    op: str = "create",
    base_version: int = 0,
    type_: str = "household",
) -> dict[str, Any]:
    """One mutation with a fresh id."""
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "record_id": str(record_id),
        "op": op,
        "base_version": base_version,
        "data": data,
    }
