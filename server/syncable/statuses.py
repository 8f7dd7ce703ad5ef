"""The receipt a device gets for each mutation it pushed."""

from __future__ import annotations

APPLIED = "applied"
DUPLICATE = "duplicate"
MERGED = "merged"
CONFLICT = "conflict"
REJECTED = "rejected"

ALL = (APPLIED, DUPLICATE, MERGED, CONFLICT, REJECTED)
