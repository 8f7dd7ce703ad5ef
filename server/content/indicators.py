"""The indicator set, consent purposes and checklist templates in content/.

The file formats are described field by field in docs/content.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from server.content.toml import (
    ACCEPTED_FIELDS,
    INDICATOR_TYPES,
    MSG_BOOL,
    MSG_CHOICE,
    MSG_INT,
    Source,
    _read_toml,
    _Table,
)


@dataclass(frozen=True)
class Choice:
    value: str
    label: dict[str, str]


@dataclass(frozen=True)
class IndicatorGroup:
    key: str
    label: dict[str, str]


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    type: str
    label: dict[str, str]
    help: dict[str, str]
    choices: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    meets: tuple[str, ...] = ()
    meets_min: int | None = None
    not_applicable: tuple[str, ...] = ()

    def check(self, value: object) -> str | None:
        """None when `value` is valid (None, unknown yet, always is), else an English msgid.

        Format the translated message with `{"min": indicator.min, "max": indicator.max}`.
        """
        if value is None:
            return None
        if self.type == "bool":
            return None if isinstance(value, bool) else MSG_BOOL
        if self.type == "choice":
            ok = isinstance(value, str) and value in {c.value for c in self.choices}
            return None if ok else MSG_CHOICE
        if not isinstance(value, int) or isinstance(value, bool):
            return MSG_INT
        too_low = self.min is not None and value < self.min
        too_high = self.max is not None and value > self.max
        return MSG_INT if too_low or too_high else None

    def meets_value(self, value: object) -> bool:
        """Whether a household with this value counts as covered."""
        if value is None or self.check(value) is not None:
            return False
        if self.type == "bool":
            return value is True
        if self.type == "choice":
            return value in self.meets
        assert isinstance(value, int)
        return value >= (1 if self.meets_min is None else self.meets_min)

    def applies(self, value: object) -> bool:
        """False when the value says the indicator does not apply (e.g. not a producer)."""
        return not (isinstance(value, str) and value in self.not_applicable)

    def parse_form(self, raw: str | None) -> object:
        """Turn a submitted form field into a value; unparsable text is returned for check()."""
        text = (raw or "").strip()
        if not text:
            return None
        if self.type == "bool":
            lowered = text.lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
        elif self.type == "int" and re.fullmatch(r"[+-]?\d{1,9}", text):
            return int(text)
        return text


@dataclass(frozen=True)
class Target:
    """A coverage target: a household meets it when it meets every indicator of `group`."""

    key: str
    label: dict[str, str]
    group: str


@dataclass(frozen=True)
class IndicatorSet:
    version: int
    indicators: tuple[Indicator, ...]
    groups: tuple[IndicatorGroup, ...] = ()
    targets: tuple[Target, ...] = ()
    sources: tuple[Source, ...] = ()
    checked: dt.date | None = None

    @cached_property
    def by_key(self) -> dict[str, Indicator]:
        return {indicator.key: indicator for indicator in self.indicators}

    @cached_property
    def memo(self) -> dict[str, Any]:
        """Results other modules work out from this set and keep with it (by their own key)."""
        return {}

    def meets_target(self, target: Target, values: Mapping[str, object]) -> bool:
        """Whether a household with these indicator values meets `target`."""
        return all(
            indicator.meets_value(values.get(indicator.key))
            for indicator in self.indicators
            if indicator.group == target.group
        )


DEFAULT_CONSENT_VERSION = "1"  # a purpose without `version` in content/consent.toml


@dataclass(frozen=True)
class ConsentPurpose:
    key: str
    required: bool
    label: dict[str, str]
    help: dict[str, str]
    # The household fields the purpose covers: withdrawing it empties them (docs/content.md).
    fields: tuple[str, ...] = ()
    # Days its data is kept after the household's last change (`langso privacy sweep`).
    retention_days: int = 0
    # The version of the texts (e.g. "2026-01-01"); a consent records the one it was given to.
    version: str = DEFAULT_CONSENT_VERSION
    # Earlier versions still accepted from phones that have not fetched the new texts.
    previous_versions: tuple[str, ...] = ()

    def knows(self, version: str) -> bool:
        """True when `version` is this purpose's current or an earlier version."""
        return version == self.version or version in self.previous_versions


# The household fields that say who a household is; the required purpose covers them all.
PERSONAL_FIELDS = ("head_name", "address", "phone", "notes")


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: dict[str, str]
    help: dict[str, str]
    sets_indicator: tuple[str, object] | None = None


@dataclass(frozen=True)
class ChecklistTemplateDef:
    key: str
    version: int
    title: dict[str, str]
    description: dict[str, str]
    items: tuple[ChecklistItem, ...]
    sources: tuple[Source, ...] = ()
    checked: dt.date | None = None


def load_indicators(content_dir: Path) -> IndicatorSet:
    """Read content/indicators.toml."""
    path = content_dir / "indicators.toml"
    top = _Table(_read_toml(path), path, "", "indicators")
    version = top.integer("version", minimum=1)
    groups: list[IndicatorGroup] = []
    seen: dict[str, str] = {}
    for t in top.tables("group", "indicators.group"):
        key = t.key("key")
        t.unique("key", key, seen)
        groups.append(IndicatorGroup(key=key, label=t.translated("label")))
    seen = {}
    indicators = []
    for t in top.tables("indicator", "indicators.indicator"):
        indicator = _indicator(t, {g.key for g in groups})
        t.unique("key", indicator.key, seen)
        indicators.append(indicator)
    seen = {}
    targets = []
    for t in top.tables("target", "indicators.target") if "target" in top.data else []:
        key = t.key("key")
        t.unique("key", key, seen)
        group = t.key("group")
        if not any(indicator.group == group for indicator in indicators):
            raise t.error("group", f"{group!r} is not the group of any [[indicator]]")
        targets.append(Target(key=key, label=t.translated("label"), group=group))
    return IndicatorSet(
        version=version,
        indicators=tuple(indicators),
        groups=tuple(groups),
        targets=tuple(targets),
        sources=top.sources(),
        checked=top.checked(),
    )


_TYPE_FIELDS = {
    "bool": frozenset[str](),
    "choice": frozenset({"choices", "meets", "not_applicable"}),
    "int": frozenset({"min", "max", "meets_min"}),
}


def _indicator(t: _Table, groups: set[str]) -> Indicator:
    key = t.key("key")
    group = t.key("group")
    if group not in groups:
        raise t.error("group", f"{group!r} is not one of the [[group]] keys {sorted(groups)}")
    kind = t.text("type")
    if kind not in INDICATOR_TYPES:
        raise t.error("type", f"{kind!r} must be one of {', '.join(INDICATOR_TYPES)}")
    for name in ACCEPTED_FIELDS["indicators.indicator"] - {"key", "group", "type", "label", "help"}:
        if name in t.data and name not in _TYPE_FIELDS[kind]:
            raise t.error(name, f"is not used by indicators of type {kind!r}")
    label, help_ = t.translated("label"), t.translated("help")
    if kind == "bool":
        return Indicator(key=key, group=group, type=kind, label=label, help=help_)
    if kind == "int":
        low, high = t.integer("min"), t.integer("max")
        if high < low:
            raise t.error("max", f"must not be less than min ({low})")
        meets_min = t.integer("meets_min")
        if not low <= meets_min <= high:
            raise t.error("meets_min", f"must be between min ({low}) and max ({high})")
        return Indicator(
            key=key,
            group=group,
            type=kind,
            label=label,
            help=help_,
            min=low,
            max=high,
            meets_min=meets_min,
        )
    choices: list[Choice] = []
    seen: dict[str, str] = {}
    for c in t.tables("choices", "indicators.indicator.choices"):
        value = c.key("value")
        c.unique("value", value, seen)
        choices.append(Choice(value=value, label=c.translated("label")))
    if len(choices) < 2:
        raise t.error("choices", "needs at least 2 choices")
    meets = t.texts("meets")
    not_applicable = t.texts("not_applicable", default=())
    for field, values in (("meets", meets), ("not_applicable", not_applicable)):
        for value in values:
            if value not in seen:
                raise t.error(field, f"{value!r} is not one of the choices {list(seen)}")
    if overlap := set(meets) & set(not_applicable):
        raise t.error("not_applicable", f"{sorted(overlap)} are also in meets")
    return Indicator(
        key=key,
        group=group,
        type=kind,
        label=label,
        help=help_,
        choices=tuple(choices),
        meets=meets,
        not_applicable=not_applicable,
    )


def load_consent_purposes(content_dir: Path) -> tuple[ConsentPurpose, ...]:
    """Read content/consent.toml; exactly one purpose must be required."""
    path = content_dir / "consent.toml"
    top = _Table(_read_toml(path), path, "", "consent")
    purposes: list[ConsentPurpose] = []
    seen: dict[str, str] = {}
    for t in top.tables("purpose", "consent.purpose"):
        key = t.key("key")
        t.unique("key", key, seen)
        covered = t.texts("fields", default=())
        unknown = [name for name in covered if name not in PERSONAL_FIELDS]
        if unknown:
            raise t.error("fields", f"{unknown[0]!r} is not one of {list(PERSONAL_FIELDS)}")
        purposes.append(
            ConsentPurpose(
                key=key,
                required=t.boolean("required"),
                label=t.translated("label"),
                help=t.translated("help"),
                fields=covered,
                retention_days=t.integer("retention_days", minimum=1),
                version=t.text("version", max_len=40)
                if "version" in t.data
                else DEFAULT_CONSENT_VERSION,
                previous_versions=t.texts("previous_versions", default=()),
            )
        )
    required_keys = [p.key for p in purposes if p.required]
    if len(required_keys) != 1:
        raise top.error("purpose", f"exactly one purpose must be required; found {required_keys}")
    if any(set(p.fields) != set(PERSONAL_FIELDS) for p in purposes if p.required):
        raise top.error("purpose", f"the required purpose covers every field {PERSONAL_FIELDS}")
    return tuple(purposes)


def load_checklist_templates(
    content_dir: Path, *, indicators: IndicatorSet | None = None
) -> tuple[ChecklistTemplateDef, ...]:
    """Read content/checklists/*.toml (sorted by file name); sets_indicator must be valid."""
    indicator_set = load_indicators(content_dir) if indicators is None else indicators
    templates: list[ChecklistTemplateDef] = []
    for path in sorted((content_dir / "checklists").glob("*.toml")):
        top = _Table(_read_toml(path), path, "", "checklist")
        key = top.key("key")
        if key != path.stem:
            raise top.error("key", f"{key!r} must match the file name ({path.stem}.toml)")
        items: list[ChecklistItem] = []
        item_keys: dict[str, str] = {}
        for t in top.tables("item", "checklist.item"):
            item_key = t.key("key")
            t.unique("key", item_key, item_keys)
            items.append(
                ChecklistItem(
                    key=item_key,
                    label=t.translated("label"),
                    help=t.translated("help"),
                    sets_indicator=_sets_indicator(t, indicator_set),
                )
            )
        templates.append(
            ChecklistTemplateDef(
                key=key,
                version=top.integer("version", minimum=1),
                title=top.translated("title"),
                description=top.translated("description"),
                items=tuple(items),
                sources=top.sources(),
                checked=top.checked(),
            )
        )
    return tuple(templates)


def _sets_indicator(t: _Table, indicator_set: IndicatorSet) -> tuple[str, object] | None:
    if "sets_indicator" not in t.data:
        return None
    where = f"{t.where}.sets_indicator"
    inner = _Table(t.data["sets_indicator"], t.file, where, "checklist.item.sets_indicator")
    key = inner.key("key")
    indicator = indicator_set.by_key.get(key)
    if indicator is None:
        raise inner.error("key", f"{key!r} is not an indicator in indicators.toml")
    value = inner.raw("value")
    problem = indicator.check(value)
    if problem is not None:
        problem = problem % {"min": indicator.min, "max": indicator.max}
        raise inner.error("value", f"{value!r} is not valid for {key!r}: {problem}")
    return (key, value)
