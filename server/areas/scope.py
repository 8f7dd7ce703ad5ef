"""What part of the country a user may see and change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from server.areas import kinds


def _in(column: str, codes: frozenset[str]) -> dict[str, Any]:
    return {f"{column}__in": sorted(codes)}


@dataclass(frozen=True)
class Scope:
    """A user's areas, split by level; an admin's scope is the whole country."""

    user_id: uuid.UUID
    role: str
    villages: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    everywhere: bool = False  # the whole country (an administrator)

    @classmethod
    def of(
        cls,
        user_id: uuid.UUID,
        role: str,
        areas: Iterable[tuple[str, str]],
        everywhere: bool = False,
    ) -> Scope:
        """Build from `(kind, code)` pairs of the user's areas."""
        by_kind: dict[str, set[str]] = {kind: set() for kind in kinds.KINDS}
        for kind, code in areas:
            by_kind[kind].add(code)
        return cls(
            user_id=user_id,
            role=role,
            villages=frozenset(by_kind[kinds.VILLAGE]),
            communes=frozenset(by_kind[kinds.COMMUNE]),
            provinces=frozenset(by_kind[kinds.PROVINCE]),
            everywhere=everywhere,
        )

    def covers(self, village_code: str, commune_code: str | None, province_code: str) -> bool:
        """True when the village (with its commune and province) is inside this scope."""
        return (
            self.everywhere
            or village_code in self.villages
            or commune_code in self.communes
            or province_code in self.provinces
        )

    def area_filter(self) -> Q:
        """A filter for rows carrying village/commune/province codes, limited to this scope."""
        if self.everywhere:
            return Q()
        parts = [
            Q(**_in(column, codes))
            for column, codes in (
                ("village_code", self.villages),
                ("commune_code", self.communes),
                ("province_code", self.provinces),
            )
            if codes
        ]
        return Q(*parts, join_type=Q.OR) if parts else Q(village_code__in=["-"])
