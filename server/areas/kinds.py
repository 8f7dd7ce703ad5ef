"""The three levels of area since 1 July 2025."""

from __future__ import annotations

PROVINCE = "province"
COMMUNE = "commune"
VILLAGE = "village"

KINDS = (PROVINCE, COMMUNE, VILLAGE)
