"""Checklist templates: national ones from content/, and the versions coordinators save.

A saved version never changes: an edit saves the next version and makes it current, so a
checklist started on an older version keeps its steps. Every templates query lives here.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from server.areas import kinds
from server.areas.models import Area
from server.areas.scope import Scope
from server.checklists.models import ChecklistTemplate
from server.content import curriculum
from server.errors import UserError
from server.i18n import N_

MAX_STEPS = 30
MAX_LABEL = 200

# Item keys of each saved version, by (key, version): versions are immutable, so this never
# goes stale in any process; push fills it before it checks a batch (see `remember`).
_known: dict[tuple[str, int], frozenset[str]] = {}


class TemplateError(UserError):
    """A problem with a checklist template the coordinator can fix."""


async def remember(conn: BaseDBAsyncClient, records: list[dict[str, Any]]) -> None:
    """Load the item keys of the template versions these checklist records use."""
    wanted = {
        (str(r.get("template_key")), r["template_version"])
        for r in records
        if isinstance(r.get("template_version"), int)
        and not isinstance(r["template_version"], bool)
    }
    missing = wanted - set(_known)
    if not missing:
        return
    keys = sorted({k for k, _ in missing})
    rows = (
        await ChecklistTemplate.filter(key__in=keys)
        .using_db(conn)
        .values_list("key", "version", "items")
    )
    for key, version, items in rows:
        _known[(str(key), int(version))] = frozenset(str(item["key"]) for item in items)


def known_items(key: str, version: int) -> frozenset[str] | None:
    """The step keys of one template version, or None when there is no such version."""
    found = _known.get((key, version))
    if found is not None:
        return found
    template = curriculum.checklist_templates().get(key)
    if template is not None and template.version == version:
        return frozenset(item.key for item in template.items)
    return None


async def versions_of(pairs: set[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
    """Stored template versions (`{"title", "items", ...}`) by (key, version), content/ else."""
    rows = await ChecklistTemplate.filter(key__in=sorted({key for key, _ in pairs}))
    found = {(row.key, row.version): _as_json(row) for row in rows}
    for key, version in pairs - set(found):
        template = curriculum.checklist_templates().get(key)
        if template is not None:
            found[(key, version)] = _content_json(template)
    return found


async def _codes_around(scope: Scope) -> set[str]:
    """Area codes whose templates the scope uses: its areas and everything above them."""
    areas = await Area.filter(
        code__in=sorted(scope.villages | scope.communes | scope.provinces)
    ).values_list("code", "commune_code", "province_code")
    return {str(code) for row in areas for code in row if code}


async def visible(scope: Scope, current_only: bool = False) -> list[ChecklistTemplate]:
    """National templates and those of the areas around and below the scope."""
    query = ChecklistTemplate.all()
    if not scope.everywhere:
        codes = await _codes_around(scope)
        if scope.provinces:
            below = await Area.filter(
                kind=kinds.COMMUNE, province_code__in=sorted(scope.provinces)
            ).values_list("code", flat=True)
            codes |= {str(code) for code in below}
        query = query.filter(Q(area_code__isnull=True) | Q(area_code__in=sorted(codes)))
    if current_only:
        query = query.filter(is_current=True)
    return await query.order_by("key", "-version")


def _as_json(row: ChecklistTemplate) -> dict[str, Any]:
    return {
        "key": row.key,
        "version": row.version,
        "title": row.title,
        "description": row.description or {},
        "items": [
            {
                "key": item["key"],
                "label": item["label"],
                "help": item.get("help") or {},
                "sets_indicator": item.get("sets_indicator"),
            }
            for item in row.items
        ],
    }


async def for_device(scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(current templates, older versions) for a user's device; content/ if none are stored."""
    rows = await visible(scope)
    if not rows:
        return [_content_json(t) for t in curriculum.checklist_templates().values()], []
    return [_as_json(r) for r in rows if r.is_current], [
        _as_json(r) for r in rows if not r.is_current
    ]


def _content_json(template: Any) -> dict[str, Any]:
    return {
        "key": template.key,
        "version": template.version,
        "title": template.title,
        "description": template.description,
        "items": [
            {
                "key": item.key,
                "label": item.label,
                "help": item.help,
                "sets_indicator": list(item.sets_indicator) if item.sets_indicator else None,
            }
            for item in template.items
        ],
    }


async def can_edit(scope: Scope, area_code: str | None) -> bool:
    """Admins edit every template; a coordinator those of their commune or province."""
    if scope.everywhere:
        return True
    if area_code is None:
        return False
    area = await Area.get_or_none(code=area_code)
    return area is not None and (
        area.code in scope.communes | scope.provinces or area.province_code in scope.provinces
    )


async def current(scope: Scope, key: str) -> ChecklistTemplate | None:
    """The current version of a template the scope can see."""
    return next((row for row in await visible(scope, True) if row.key == key), None)


def _steps(lines: str) -> list[str]:
    steps = [" ".join(line.split()) for line in lines.splitlines()]
    steps = [step for step in steps if step]
    if not steps:
        raise TemplateError(N_("Write at least one step, one per line."))
    if len(steps) > MAX_STEPS:
        raise TemplateError(N_("Use at most 30 steps."))
    if any(len(step) > MAX_LABEL for step in steps):
        raise TemplateError(N_("Keep each step under 200 characters."))
    return steps


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = plain.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:40] or "checklist"


def _items(steps: list[str], language: str, old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New items; a step whose wording did not change keeps its key, help and indicator."""
    by_label = {str(item["label"].get(language, "")): item for item in old}
    used = {str(item["key"]) for item in old}
    items: list[dict[str, Any]] = []
    for number, step in enumerate(steps, start=1):
        kept = by_label.pop(step, None)
        if kept is not None:
            items.append(kept)
            continue
        key = f"step_{number}"
        while key in used:
            key = f"step_{number}_{secrets.token_hex(2)}"
        used.add(key)
        items.append({"key": key, "label": {language: step}, "help": {}, "sets_indicator": None})
    return items


async def save(
    scope: Scope,
    *,
    key: str | None,
    area_code: str | None,
    title: str,
    description: str,
    steps: str,
    language: str = "vi",
) -> ChecklistTemplate:
    """Create a template (no `key`) or save the next version of one; it becomes current."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_LABEL:
        raise TemplateError(N_("Write a title of at most 200 characters."))
    if len(description) > 2000:
        raise TemplateError(N_("Use at most 2000 characters for the description."))
    lines = _steps(steps)
    latest = await current(scope, key) if key else None
    if key and latest is None:
        raise TemplateError(N_("This checklist is not in your area."), status=404)
    area = latest.area_code if latest else area_code
    if not await can_edit(scope, area):
        raise TemplateError(
            N_("Only an administrator can change a national checklist."), status=403
        )
    async with in_transaction() as conn:
        if latest is not None:
            await ChecklistTemplate.filter(key=latest.key).using_db(conn).update(is_current=False)
        row = await ChecklistTemplate.create(
            using_db=conn,
            key=latest.key if latest else f"{_slug(title)}_{secrets.token_hex(3)}",
            version=latest.version + 1 if latest else 1,
            title={**(latest.title if latest else {}), language: title},
            description={**((latest.description or {}) if latest else {}), language: description},
            items=_items(lines, language, latest.items if latest else []),
            is_current=True,
            area_code=area,
            created_by=scope.user_id,
        )
    return row
