"""The four roles and what each may do."""

from __future__ import annotations

MEMBER = "member"
TRAINER = "trainer"
COORDINATOR = "coordinator"
ADMIN = "admin"

ROLES = (MEMBER, TRAINER, COORDINATOR, ADMIN)

# The role groups, each defined once.
MANAGERS = frozenset({COORDINATOR, ADMIN})  # manage villages, members, checklists, conflicts
AUTHORS = frozenset({TRAINER, ADMIN})  # write and publish lessons
REPORT_VIEWERS = frozenset({TRAINER, COORDINATOR, ADMIN})  # lesson completion reports
RECORD_WRITERS = frozenset({MEMBER, COORDINATOR, ADMIN})  # record households and checklists
