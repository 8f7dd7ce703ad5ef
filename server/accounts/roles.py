"""The four roles and what each may do."""

from __future__ import annotations

MEMBER = "member"
TRAINER = "trainer"
COORDINATOR = "coordinator"
ADMIN = "admin"

ROLES = (MEMBER, TRAINER, COORDINATOR, ADMIN)
