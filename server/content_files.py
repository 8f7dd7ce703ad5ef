"""Load and validate the files in content/: indicator set, consent purposes, checklists, lessons.

The file formats are described field by field in docs/content.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from server.accounts.roles import MEMBER, ROLES

LANGUAGES = ("vi", "en")
INDICATOR_TYPES = ("bool", "choice", "int")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SLUG = re.compile(r"^[a-z0-9-]+$")
_KEY_MAX = 60  # checklist_template.key and friends are CharField(max_length=60)
_SLUG_MAX = 80  # lesson.slug is CharField(max_length=80)
_TITLE_MAX = 200  # lesson_version.title is CharField(max_length=200)
_FENCE = "+++"


def N_(message: str) -> str:
    """Mark a message for extraction (Babel's `N_`); it is translated where it is shown."""
    return message


MSG_BOOL = N_("Choose yes or no.")
MSG_CHOICE = N_("Choose one of the listed options.")
MSG_INT = N_("Enter a whole number between %(min)s and %(max)s.")

ACCEPTED_FIELDS: Mapping[str, frozenset[str]] = {
    "text": frozenset(LANGUAGES),
    "indicators": frozenset({"version", "group", "indicator", "target"}),
    "indicators.target": frozenset({"key", "label", "group"}),
    "indicators.group": frozenset({"key", "label"}),
    "indicators.indicator": frozenset(
        {"key", "group", "type", "label", "help", "choices", "min", "max", "meets", "meets_min"}
        | {"not_applicable"}
    ),
    "indicators.indicator.choices": frozenset({"value", "label"}),
    "consent": frozenset({"purpose"}),
    "consent.purpose": frozenset({"key", "required", "label", "help"}),
    "checklist": frozenset({"key", "version", "title", "description", "item"}),
    "checklist.item": frozenset({"key", "label", "help", "sets_indicator"}),
    "checklist.item.sets_indicator": frozenset({"key", "value"}),
    "lesson": frozenset(
        {"slug", "title", "language", "order", "summary", "objectives", "audience_roles", "quiz"}
    ),
    "lesson.quiz": frozenset({"id", "prompt", "choices", "answer", "explanation"}),
}
"""Every field name each kind of table accepts; anything else is rejected as unknown."""


class ContentError(ValueError):
    """A content file is missing or invalid; the message names the file and the field."""


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

    @cached_property
    def by_key(self) -> dict[str, Indicator]:
        return {indicator.key: indicator for indicator in self.indicators}

    def meets_target(self, target: Target, values: Mapping[str, object]) -> bool:
        """Whether a household with these indicator values meets `target`."""
        return all(
            indicator.meets_value(values.get(indicator.key))
            for indicator in self.indicators
            if indicator.group == target.group
        )


@dataclass(frozen=True)
class ConsentPurpose:
    key: str
    required: bool
    label: dict[str, str]
    help: dict[str, str]


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


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class LessonDef:
    slug: str
    title: str
    language: str
    summary: str
    objectives: tuple[str, ...]
    order: int
    audience_roles: tuple[str, ...]
    body_md: str
    quiz: tuple[QuizQuestion, ...]
    source_path: Path


class _Table:
    """One TOML table being read: rejects unknown fields, checks types, raises ContentError."""

    def __init__(self, data: object, file: Path, where: str, kind: str) -> None:
        self.file = file
        self.where = where
        if not isinstance(data, dict):
            raise ContentError(f"{file}: {where or 'file'}: must be a table")
        self.data: dict[str, object] = data
        allowed = ACCEPTED_FIELDS[kind]
        for name in data:
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.error(name, f"unknown field; expected one of {expected}")

    def error(self, field: str, problem: str) -> ContentError:
        at = f"{self.where}.{field}" if self.where else field
        return ContentError(f"{self.file}: {at}: {problem}")

    def raw(self, field: str) -> object:
        if field not in self.data:
            raise self.error(field, "is required")
        return self.data[field]

    def text(self, field: str, *, max_len: int | None = None) -> str:
        value = self.raw(field)
        if not isinstance(value, str):
            raise self.error(field, "must be text in quotes")
        if not value.strip():
            raise self.error(field, "must not be empty")
        if max_len is not None and len(value) > max_len:
            raise self.error(field, f"must be at most {max_len} characters")
        return value

    def key(self, field: str) -> str:
        value = self.text(field, max_len=_KEY_MAX)
        if not _KEY.match(value):
            raise self.error(field, f"{value!r} must be lowercase snake_case, like 'vneid_level'")
        return value

    def integer(self, field: str, *, minimum: int | None = None) -> int:
        value = self.raw(field)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(field, "must be a whole number")
        if minimum is not None and value < minimum:
            raise self.error(field, f"must be at least {minimum}")
        return value

    def boolean(self, field: str) -> bool:
        value = self.raw(field)
        if not isinstance(value, bool):
            raise self.error(field, "must be true or false")
        return value

    def texts(self, field: str, *, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if field not in self.data and default is not None:
            return default
        value = self.raw(field)
        if not isinstance(value, list) or not value:
            raise self.error(field, "must be a non-empty list of texts")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.error(field, "every entry must be non-empty text in quotes")
        if len(set(value)) != len(value):
            raise self.error(field, "has the same entry twice")
        return tuple(value)

    def translated(self, field: str) -> dict[str, str]:
        inner = _Table(self.raw(field), self.file, f"{self.where}.{field}".lstrip("."), "text")
        return {language: inner.text(language) for language in LANGUAGES}

    def tables(self, field: str, kind: str) -> list[_Table]:
        value = self.raw(field)
        if not isinstance(value, list) or not value:
            raise self.error(field, f"needs at least one [[{field}]] entry")
        prefix = f"{self.where}." if self.where else ""
        return [_Table(v, self.file, f"{prefix}{field}[{i}]", kind) for i, v in enumerate(value)]

    def unique(self, field: str, value: str, seen: dict[str, str]) -> None:
        if value in seen:
            raise self.error(field, f"{value!r} is used twice (also at {seen[value]})")
        seen[value] = self.where


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: not valid UTF-8 TOML: {exc}") from None


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
        purposes.append(
            ConsentPurpose(
                key=key,
                required=t.boolean("required"),
                label=t.translated("label"),
                help=t.translated("help"),
            )
        )
    required = [p.key for p in purposes if p.required]
    if len(required) != 1:
        raise top.error("purpose", f"exactly one purpose must be required; found {required}")
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


def load_lessons(content_dir: Path) -> tuple[LessonDef, ...]:
    """Read content/lessons/*.md sorted by (order, slug); empty if the folder is missing."""
    lessons: list[LessonDef] = []
    seen: dict[str, Path] = {}
    for path in sorted((content_dir / "lessons").glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ContentError(f"{path}: not valid UTF-8: {exc}") from None
        lesson = parse_lesson(text, path)
        if not re.fullmatch(r"\d+-" + re.escape(lesson.slug), path.stem):
            raise ContentError(f"{path}: slug: file name must be NN-{lesson.slug}.md")
        if lesson.slug in seen:
            also = seen[lesson.slug]
            raise ContentError(f"{path}: slug: {lesson.slug!r} is used twice (also in {also})")
        seen[lesson.slug] = path
        lessons.append(lesson)
    return tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.slug)))


def parse_lesson(text: str, source_path: Path) -> LessonDef:
    """Parse one lesson file: TOML front matter between `+++` lines, then the Markdown body."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].strip() != _FENCE:
        raise ContentError(f"{source_path}: must start with a line of {_FENCE}")
    try:
        end = next(i for i, line in enumerate(lines) if i > 0 and line.strip() == _FENCE)
    except StopIteration:
        raise ContentError(f"{source_path}: front matter has no closing {_FENCE} line") from None
    try:
        front = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{source_path}: front matter is not valid TOML: {exc}") from None
    t = _Table(front, source_path, "", "lesson")
    slug = t.text("slug", max_len=_SLUG_MAX)
    if not _SLUG.match(slug):
        raise t.error("slug", f"{slug!r} may use only a-z, 0-9 and -")
    language = t.text("language")
    if language not in LANGUAGES:
        raise t.error("language", f"{language!r} must be one of {', '.join(LANGUAGES)}")
    roles = t.texts("audience_roles", default=(MEMBER,))
    for role in roles:
        if role not in ROLES:
            raise t.error("audience_roles", f"{role!r} must be one of {', '.join(ROLES)}")
    quiz: list[QuizQuestion] = []
    ids: dict[str, str] = {}
    for q in t.tables("quiz", "lesson.quiz") if "quiz" in t.data else []:
        quiz.append(_question(q))
        q.unique("id", quiz[-1].id, ids)
    body = normalise_body("\n".join(lines[end + 1 :]))
    if not body:
        raise ContentError(f"{source_path}: body: the lesson text after {_FENCE} is empty")
    return LessonDef(
        slug=slug,
        title=t.text("title", max_len=_TITLE_MAX),
        language=language,
        summary=t.text("summary"),
        objectives=t.texts("objectives"),
        order=t.integer("order", minimum=0),
        audience_roles=roles,
        body_md=body,
        quiz=tuple(quiz),
        source_path=source_path,
    )


def _question(q: _Table) -> QuizQuestion:
    choices = q.texts("choices")
    if len(choices) < 2:
        raise q.error("choices", "needs at least 2 choices")
    answer = q.integer("answer", minimum=0)
    if answer >= len(choices):
        last = len(choices) - 1
        raise q.error(
            "answer", f"{answer} is out of range: choices count from 0, the last is {last}"
        )
    return QuizQuestion(
        id=q.text("id"),
        prompt=q.text("prompt"),
        choices=choices,
        answer=answer,
        explanation=q.text("explanation"),
    )


def normalise_body(body: str) -> str:
    """A lesson body as stored: Unix line ends, no leading blank lines, no trailing whitespace."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", body.replace("\r\n", "\n")).rstrip()


def dump_lesson(lesson: LessonDef) -> str:
    """Write a lesson back in the file format; parse_lesson() of the result equals the lesson.

    The body is stored without leading blank lines or trailing whitespace.
    """
    out = [
        _FENCE,
        f"slug = {_toml_str(lesson.slug)}",
        f"title = {_toml_str(lesson.title)}",
        f"language = {_toml_str(lesson.language)}",
        f"order = {lesson.order}",
        f"summary = {_toml_str(lesson.summary)}",
        f"objectives = {_toml_list(lesson.objectives)}",
        f"audience_roles = {_toml_list(lesson.audience_roles)}",
    ]
    for q in lesson.quiz:
        out += [
            "",
            "[[quiz]]",
            f"id = {_toml_str(q.id)}",
            f"prompt = {_toml_str(q.prompt)}",
            f"choices = {_toml_list(q.choices)}",
            f"answer = {q.answer}",
            f"explanation = {_toml_str(q.explanation)}",
        ]
    out += [_FENCE, normalise_body(lesson.body_md), ""]
    return "\n".join(out)


_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_str(value: str) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _ESCAPES.get(char, f"\\u{ord(char):04X}")

    return '"' + re.sub(r'[\\"\x00-\x1f\x7f]', escape, value) + '"'


def _toml_list(values: tuple[str, ...]) -> str:
    if sum(len(v) for v in values) < 60:
        return "[" + ", ".join(_toml_str(v) for v in values) + "]"
    return "[\n" + "".join(f"  {_toml_str(v)},\n" for v in values) + "]"
