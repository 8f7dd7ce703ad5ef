"""What a household record holds, as the devices sync it: field rules and consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.accounts import roles
from server.content import curriculum
from server.households.models import Household
from server.i18n import N_
from server.syncable.fields import FieldError, Rule, parse_instant
from server.syncable.types import SCOPE_VILLAGE, SyncType, Viewer


def _check_consent(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError("consent", N_("Record the household's consent first."))
    given_by = value.get("given_by")
    if not isinstance(given_by, str) or not given_by.strip() or len(given_by) > 120:
        raise FieldError("consent", N_("Write the name of the person who gave consent."))
    purposes = value.get("purposes")
    known, required = curriculum.consent_rules()
    if not isinstance(purposes, list) or not all(isinstance(p, str) for p in purposes):
        raise FieldError("consent", N_("Record the household's consent first."))
    unknown = [p for p in purposes if p not in known]
    if unknown:
        raise FieldError(
            "consent", N_("Unknown consent purpose: %(purpose)s."), {"purpose": unknown[0]}
        )
    missing = [key for key in required if key not in purposes]
    if missing:
        raise FieldError(
            "consent",
            N_("Without consent to keep the household's records, nothing personal can be saved."),
        )
    given_at = parse_instant("consent", value.get("given_at"))
    # `withdrawn` (purposes withdrawn since) is the server's to write: consent given again
    # with a purpose lifts its withdrawal; `_guard` carries the rest over.
    cleaned: dict[str, Any] = {
        "given_by": given_by.strip(),
        "purposes": sorted(set(purposes)),
        "given_at": given_at.isoformat(),
    }
    if "versions" in value:  # a phone older than the versions sends none: kept without
        cleaned["versions"] = _check_versions(value["versions"], cleaned["purposes"])
    return cleaned


def _check_versions(versions: Any, purposes: list[str]) -> dict[str, str]:
    """Each purpose's text version the consent was given against: known, one per purpose."""
    by_key = {purpose.key: purpose for purpose in curriculum.consent_purposes()}
    if not isinstance(versions, dict) or len(versions) > len(by_key):
        raise FieldError("consent", N_("The consent's text versions could not be read."))
    for key, version in versions.items():
        purpose = by_key.get(key)
        if purpose is None:
            raise FieldError(
                "consent", N_("Unknown consent purpose: %(purpose)s."), {"purpose": key}
            )
        if not isinstance(version, str) or not purpose.knows(version):
            raise FieldError(
                "consent",
                N_("The consent texts on this phone are out of date. Sync, then ask again."),
            )
    missing = [key for key in purposes if key not in versions]
    if missing:
        raise FieldError("consent", N_("The consent's text versions could not be read."))
    return {key: versions[key] for key in sorted(versions)}


def _check_restriction(value: Any) -> dict[str, Any]:
    """A restriction set by a coordinator: why and since when (the server adds who)."""
    if not isinstance(value, dict) or set(value) - {"reason", "since", "by"}:
        raise FieldError("restricted", N_("The restriction could not be read."))
    reason = value.get("reason")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise FieldError("restricted", N_("Write why the household's data is restricted."))
    since = parse_instant("restricted", value.get("since"))
    by = value.get("by")
    return {"reason": reason.strip(), "since": since.isoformat(), "by": str(by or "")[:120]}


def _restricted_audience(row: dict[str, Any], viewer: Viewer) -> bool:
    """A restricted household reaches only its village team's phones (a tombstone elsewhere)."""
    return not row.get("restricted") or row["village_code"] in viewer.areas


def _consent_of(value: Any) -> dict[str, Any]:
    """A stored consent as a dict (None, or a shape written before checks, counts as empty)."""
    return value if isinstance(value, dict) else {}


def _guard(current: Mapping[str, Any], paths: dict[str, Any]) -> None:
    """Refuse a write to an erased household, and a value for a field whose purpose was withdrawn.

    A stale phone's edit or a replayed old change can never bring withdrawn data back
    (docs/sync-protocol.md, "Withdrawing consent"): it is refused whole, before any merge could
    keep its value in a conflict record.
    """
    if current.get("erased_at"):
        raise FieldError(
            "record_id",
            N_("This household's data was erased at its request: nothing can be saved for it."),
        )
    withdrawn = set(_consent_of(current.get("consent")).get("withdrawn") or ())
    new_consent = paths.get("consent")
    if isinstance(new_consent, dict):
        withdrawn -= set(new_consent["purposes"])
        if withdrawn:
            paths["consent"] = {**new_consent, "withdrawn": sorted(withdrawn)}
    for purpose in curriculum.consent_purposes():
        if purpose.key not in withdrawn:
            continue
        for name in purpose.fields:
            if paths.get(name) not in (None, ""):
                raise FieldError(
                    name,
                    N_(
                        "The household withdrew its consent for this. "
                        "Ask for its consent again before writing it down."
                    ),
                )


def _check_indicator(key: str, value: Any) -> Any:
    indicator = curriculum.indicator_set().by_key.get(key)
    if indicator is None:
        raise FieldError(f"indicators.{key}", N_("Unknown indicator."))
    problem = indicator.check(value)
    if problem is not None:
        params = {"min": indicator.min, "max": indicator.max}
        raise FieldError(f"indicators.{key}", problem, params)
    return value


def _check_counts(record: dict[str, Any]) -> list[FieldError]:
    people, adults = record.get("people_count"), record.get("adult_count")
    if people is not None and adults is not None and adults > people:
        return [FieldError("adult_count", N_("There cannot be more adults than people."))]
    return []


HOUSEHOLD = SyncType(
    name="household",
    model=Household,
    scope=SCOPE_VILLAGE,
    rules=(
        Rule("village_code", "area", required=True, label=N_("Village")),
        Rule("head_name", "text", required=True, max_length=120, label=N_("Head of household")),
        Rule("address", "text", max_length=200, label=N_("Address")),
        Rule("phone", "phone", label=N_("Phone")),
        Rule("people_count", "int", min=1, max=50, label=N_("People in the household")),
        Rule("adult_count", "int", min=0, max=50, label=N_("Adults")),
        Rule("consent", "object", required=True, check=_check_consent, label=N_("Consent")),
        # Indicator key -> a choice or a count: content/indicators.toml names about twenty.
        Rule("indicators", "map", entry=_check_indicator, max_keys=60, max_key_length=40),
        Rule("notes", "text", max_length=2000, label=N_("Notes")),
        # Set and lifted by a coordinator on the server (`server_write`); phones pull it only.
        Rule(
            "restricted",
            "object",
            check=_check_restriction,
            server_only=True,
            label=N_("Restricted"),
        ),
    ),
    checks=(_check_counts,),
    guard=_guard,
    cleared_on_delete={"head_name": "", "address": "", "phone": None, "notes": ""},
    extra_pull_fields=("created_by",),
    creator_field="created_by",
    writer_roles=roles.RECORD_WRITERS,
    # Names, phones, addresses: only on the phones of those who record households.
    reader_roles=roles.RECORD_WRITERS,
    audience=_restricted_audience,
    personal=True,
)
