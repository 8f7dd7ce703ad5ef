"""What a household's checklist holds, as the devices sync it."""

from __future__ import annotations

from typing import Any

from server.accounts import roles
from server.areas.scope import Scope
from server.checklists import services
from server.checklists.models import Checklist
from server.i18n import N_
from server.syncable.fields import FieldError, Rule, parse_instant
from server.syncable.types import SCOPE_PARENT, SyncType


def _check_item(key: str, value: Any) -> dict[str, Any]:
    name = f"items.{key}"
    if not isinstance(value, dict) or not isinstance(value.get("done"), bool):
        raise FieldError(name, N_("This value has the wrong shape."))
    at = parse_instant(name, value.get("at")).isoformat()
    return {"done": value["done"], "at": at}


def _check_template(record: dict[str, Any]) -> list[FieldError]:
    """The steps must be those of the template version the checklist was started on."""
    known = services.known_items(
        str(record.get("template_key") or ""), int(record.get("template_version") or 0)
    )
    if known is None:
        return [FieldError("template_key", N_("Unknown checklist."))]
    return [
        FieldError(f"items.{key}", N_("This step is not in the checklist."))
        for key in record.get("items") or {}
        if key not in known
    ]


async def _device_templates(scope: Scope) -> dict[str, Any]:
    """The templates the user may start, and older versions for checklists already started."""
    current, older = await services.for_device(scope)
    return {"checklists": current, "checklist_versions": older}


CHECKLIST = SyncType(
    name="checklist",
    model=Checklist,
    scope=SCOPE_PARENT,
    parent=("household_id", "household"),
    rules=(
        # A checklist stays with the household it was started for: moving it has no use, and
        # refusing it keeps the area check of `create` the only one a parent needs.
        Rule("household_id", "uuid", required=True, fixed=True),
        Rule("template_key", "text", required=True, max_length=60),
        Rule("template_version", "int", required=True, min=1),
        # Step key -> {"done", "at"}: a template has at most 30 steps (checklists/services.py).
        Rule(
            "items",
            "map",
            entry=_check_item,
            stamp_user=True,
            max_keys=60,
            max_key_length=40,
            max_value_size=120,
        ),
    ),
    checks=(_check_template,),
    prepare=services.remember,
    extra_pull_fields=("started_by",),
    creator_field="started_by",
    writer_roles=roles.RECORD_WRITERS,
    reader_roles=roles.RECORD_WRITERS,
    parent_missing=N_("The household for this checklist is not on the server."),
    schema_part=_device_templates,
)
