"""The content files: the shipped ones load, broken ones are rejected with a useful message."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from server.content import (
    ACCEPTED_FIELDS,
    MSG_BOOL,
    MSG_CHOICE,
    MSG_INT,
    Choice,
    ContentError,
    Indicator,
    LessonDef,
    QuizQuestion,
    Source,
    dump_lesson,
    load_checklist_templates,
    load_consent_purposes,
    load_indicators,
    load_lessons,
    parse_lesson,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "content"

INDICATORS = """\
version = 1

[[group]]
key = "core"
label = { vi = "Cốt lõi", en = "Core" }

[[indicator]]
key = "has_phone"
group = "core"
type = "bool"
label = { vi = "Có điện thoại", en = "Has a phone" }
help = { vi = "Trợ giúp.", en = "Help." }

[[indicator]]
key = "level"
group = "core"
type = "choice"
label = { vi = "Mức", en = "Level" }
help = { vi = "Trợ giúp.", en = "Help." }
choices = [
  { value = "none", label = { vi = "Không", en = "None" } },
  { value = "low", label = { vi = "Thấp", en = "Low" } },
  { value = "high", label = { vi = "Cao", en = "High" } },
]
meets = ["high"]
not_applicable = ["none"]

[[indicator]]
key = "count"
group = "core"
type = "int"
label = { vi = "Số lượng", en = "Count" }
help = { vi = "Trợ giúp.", en = "Help." }
min = 0
max = 20
meets_min = 1
"""

CONSENT = """\
[[purpose]]
key = "records"
required = true
label = { vi = "Lưu", en = "Keep" }
help = { vi = "Trợ giúp.", en = "Help." }
fields = ["head_name", "address", "phone", "notes"]
retention_days = 1825

[[purpose]]
key = "phone"
required = false
label = { vi = "Gọi", en = "Call" }
help = { vi = "Trợ giúp.", en = "Help." }
fields = ["phone"]
retention_days = 365
"""

CHECKLIST = """\
key = "setup"
version = 1
title = { vi = "Cài đặt", en = "Setup" }
description = { vi = "Mô tả.", en = "Description." }
checked = 2026-01-05

[[sources]]
title = "Hướng dẫn"
publisher = "Công an tỉnh"
date = 2025-07-01
url = "https://congan.example.gov.vn/huong-dan"

[[item]]
key = "first"
label = { vi = "Bước một", en = "Step one" }
help = { vi = "Trợ giúp.", en = "Help." }
sets_indicator = { key = "level", value = "low" }

[[item]]
key = "second"
label = { vi = "Bước hai", en = "Step two" }
help = { vi = "Trợ giúp.", en = "Help." }
sets_indicator = { key = "has_phone", value = true }
"""

LESSON = """\
+++
slug = "first-lesson"
title = "Bài đầu"
language = "vi"
order = 1
summary = "Tóm tắt."
objectives = ["Mục tiêu một", "Mục tiêu hai"]
audience_roles = ["member", "trainer"]
checked = 2026-01-05

[[sources]]
title = "Quyết định"
publisher = "Bộ"
date = 2025-04-29
url = "https://example.gov.vn/a"
note = "Điều 1."

[[quiz]]
id = "q1"
prompt = "Câu hỏi?"
choices = ["Một", "Hai", "Ba"]
answer = 1
explanation = "Vì thế."
+++

## Nội dung

Chữ.
"""

FILES = {
    "indicators.toml": INDICATORS,
    "consent.toml": CONSENT,
    "checklists/setup.toml": CHECKLIST,
    "lessons/01-first-lesson.md": LESSON,
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def load_all(content_dir: Path) -> None:
    load_indicators(content_dir)
    load_consent_purposes(content_dir)
    load_checklist_templates(content_dir)
    load_lessons(content_dir)


# --- the shipped content ------------------------------------------------------------------------


def test_shipped_indicators_cover_the_national_set() -> None:
    indicators = load_indicators(SHIPPED)
    skills = [i.key for i in indicators.indicators if i.group == "skills05"]
    assert len(skills) == 5
    by_key = indicators.by_key
    assert by_key["vneid"].meets == ("level2",)
    assert by_key["smartphone_count"].meets_min == 1
    assert by_key["sells_online"].not_applicable == ("not_producer",)
    for key in ("epayment_account", "public_services_login"):
        assert by_key[key].type == "bool"


def test_shipped_consent_has_one_required_purpose() -> None:
    purposes = load_consent_purposes(SHIPPED)
    assert [p.key for p in purposes if p.required] == ["support_records"]
    assert {"contact_phone", "aggregate_reporting"} <= {p.key for p in purposes}


def test_shipped_checklists_set_every_target_indicator() -> None:
    templates = load_checklist_templates(SHIPPED)
    assert len(templates) == 6
    effects = {item.sets_indicator for t in templates for item in t.items if item.sets_indicator}
    assert ("vneid", "level1") in effects
    assert ("vneid", "level2") in effects
    assert ("sells_online", "selling_online") in effects
    set_keys = {key for key, _ in effects}
    for key in ("epayment_account", "public_services_login", "skill_cyber_safety"):
        assert key in set_keys


def test_shipped_lessons_load_and_round_trip() -> None:
    for lesson in load_lessons(SHIPPED):
        assert parse_lesson(dump_lesson(lesson), lesson.source_path) == lesson


def test_every_accepted_field_is_documented() -> None:
    doc = (REPO / "docs" / "content.md").read_text(encoding="utf-8")
    names = {name for fields in ACCEPTED_FIELDS.values() for name in fields}
    missing = sorted(name for name in names if f"`{name}`" not in doc)
    assert not missing, f"docs/content.md does not mention: {missing}"


# --- invalid files ------------------------------------------------------------------------------


def test_the_valid_fixture_loads(content: Path) -> None:
    load_all(content)


BROKEN = [
    # (file, replace this, with this, the message must contain)
    ("indicators.toml", 'type = "bool"', 'type = "bool"\ncolour = "red"', "colour: unknown field"),
    ("indicators.toml", 'key = "count"', 'key = "has_phone"', "'has_phone' is used twice"),
    ("indicators.toml", 'key = "count"', 'key = "Count"', "snake_case"),
    ("indicators.toml", 'type = "bool"', 'type = "yesno"', "type: 'yesno' must be one of"),
    (
        "indicators.toml",
        'group = "core"\ntype = "bool"',
        'group = "x"\ntype = "bool"',
        "group: 'x'",
    ),
    ("indicators.toml", 'meets = ["high"]', 'meets = ["top"]', "'top' is not one of the choices"),
    ("indicators.toml", 'meets = ["high"]', "meets = []", "meets: must be a non-empty list"),
    ("indicators.toml", 'not_applicable = ["none"]', 'not_applicable = ["high"]', "also in meets"),
    ("indicators.toml", "meets_min = 1", "meets_min = 21", "meets_min: must be between"),
    ("indicators.toml", "max = 20", "max = -1", "max: must not be less than min"),
    ("indicators.toml", "min = 0\n", "", "min: is required"),
    ("indicators.toml", "min = 0", 'min = "0"', "min: must be a whole number"),
    ("indicators.toml", "version = 1", "version = 0", "version: must be at least 1"),
    ("indicators.toml", 'label = { vi = "Có điện thoại", en = "Has a phone" }', "", "label: is"),
    ("indicators.toml", 'en = "Has a phone"', 'fr = "Téléphone"', "fr: unknown field"),
    ("indicators.toml", 'vi = "Có điện thoại"', 'vi = "  "', "vi: must not be empty"),
    (
        "indicators.toml",
        'type = "bool"\nlabel',
        'type = "bool"\nmeets = ["x"]\nlabel',
        "meets: is not used by indicators of type 'bool'",
    ),
    (
        "indicators.toml",
        '  { value = "low", label = { vi = "Thấp", en = "Low" } },\n'
        '  { value = "high", label = { vi = "Cao", en = "High" } },\n',
        "",
        "needs at least 2 choices",
    ),
    ("indicators.toml", 'value = "low"', 'value = "none"', "'none' is used twice"),
    ("indicators.toml", "version = 1", "version = ", "not valid UTF-8 TOML"),
    ("consent.toml", "required = true", "required = false", "exactly one purpose"),
    ("consent.toml", "required = false", "required = true", "exactly one purpose"),
    ("consent.toml", "required = true", 'required = "yes"', "required: must be true or false"),
    ("consent.toml", 'key = "phone"', 'key = "records"', "'records' is used twice"),
    ("consent.toml", 'fields = ["phone"]', 'fields = ["email"]', "'email' is not one of"),
    ("consent.toml", '"address", "phone", ', "", "the required purpose covers every field"),
    ("consent.toml", "retention_days = 365", "retention_days = 0", "must be at least 1"),
    ("consent.toml", "retention_days = 365\n", "", "retention_days: is required"),
    ("checklists/setup.toml", 'key = "level"', 'key = "colour"', "not an indicator"),
    ("checklists/setup.toml", 'value = "low"', 'value = "top"', "not valid for 'level'"),
    ("checklists/setup.toml", "value = true", 'value = "yes"', MSG_BOOL),
    ("checklists/setup.toml", 'value = "low" }', 'value = "low", at = 1 }', "at: unknown"),
    ("checklists/setup.toml", 'key = "second"', 'key = "first"', "'first' is used twice"),
    ("checklists/setup.toml", 'key = "setup"', 'key = "set_up"', "must match the file name"),
    ("checklists/setup.toml", "version = 1", "version = 1.5", "version: must be a whole number"),
    ("lessons/01-first-lesson.md", 'title = "Bài đầu"\n', "", "title: is required"),
    ("lessons/01-first-lesson.md", 'summary = "Tóm tắt."', 'summary = ""', "must not be empty"),
    ("lessons/01-first-lesson.md", "order = 1", "order = 1\nlevel = 2", "level: unknown field"),
    ("lessons/01-first-lesson.md", "answer = 1", "answer = 3", "answer: 3 is out of range"),
    ("lessons/01-first-lesson.md", "answer = 1", "answer = true", "must be a whole number"),
    ("lessons/01-first-lesson.md", "answer = 1", "answer = -1", "answer: must be at least 0"),
    (
        "lessons/01-first-lesson.md",
        'choices = ["Một", "Hai", "Ba"]\nanswer = 1',
        'choices = ["Một"]\nanswer = 0',
        "needs at least 2 choices",
    ),
    ("lessons/01-first-lesson.md", '"Hai", "Ba"]', '"Hai", "Hai"]', "the same entry twice"),
    ("lessons/01-first-lesson.md", 'language = "vi"', 'language = "fr"', "language: 'fr'"),
    ("lessons/01-first-lesson.md", '"member", "trainer"', '"elder"', "audience_roles: 'elder'"),
    ("lessons/01-first-lesson.md", '"Mục tiêu một", "Mục tiêu hai"', "", "objectives: must be"),
    ("lessons/01-first-lesson.md", 'explanation = "Vì thế."', "", "explanation: is required"),
    ("lessons/01-first-lesson.md", "+++\n\n## Nội dung\n\nChữ.\n", "+++\n\n", "body"),
    ("lessons/01-first-lesson.md", "+++\n\n## Nội", "\n## Nội", "no closing +++"),
    ("lessons/01-first-lesson.md", "+++\nslug", "slug", "must start with a line of +++"),
    ("lessons/01-first-lesson.md", "order = 1", "order = ", "front matter is not valid TOML"),
    ("lessons/01-first-lesson.md", '"https://example.gov.vn/a"', '"example.gov.vn"', "web address"),
    ("lessons/01-first-lesson.md", '"https://example.gov.vn/a"', '"https://x y"', "web address"),
    ("lessons/01-first-lesson.md", "date = 2025-04-29", 'date = "29/4/2025"', "must be a date"),
    ("lessons/01-first-lesson.md", "checked = 2026-01-05", "checked = 2026-01-05T10:00:00", "date"),
    ("lessons/01-first-lesson.md", 'publisher = "Bộ"\n', "", "sources[0].publisher: is required"),
    ("lessons/01-first-lesson.md", 'note = "Điều 1."', 'page = "3"', "page: unknown field"),
    ("checklists/setup.toml", 'url = "https://congan.example.gov.vn/huong-dan"\n', "", "url: is"),
    ("checklists/setup.toml", 'title = "Hướng dẫn"', 'title = ""', "title: must not be empty"),
    ("checklists/setup.toml", "checked = 2026-01-05", 'checked = "hôm nay"', "checked: must be"),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN)
def test_a_broken_file_is_rejected(
    content: Path, name: str, old: str, new: str, message: str
) -> None:
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's {old!r} is not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_all(content)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("slug", "message"),
    [("First-Lesson", "may use only a-z, 0-9 and -"), ("first_lesson", "may use only")],
)
def test_a_bad_slug_is_rejected(content: Path, slug: str, message: str) -> None:
    path = content / "lessons" / f"01-{slug}.md"
    path.write_text(LESSON.replace("first-lesson", slug), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(message)):
        load_lessons(content)


def test_a_duplicate_slug_is_rejected(content: Path) -> None:
    (content / "lessons" / "02-first-lesson.md").write_text(LESSON, encoding="utf-8")
    with pytest.raises(ContentError, match="'first-lesson' is used twice"):
        load_lessons(content)


def test_a_duplicate_quiz_id_is_rejected(content: Path) -> None:
    quiz = LESSON[LESSON.index("[[quiz]]") : LESSON.index("+++\n\n")]
    path = content / "lessons" / "01-first-lesson.md"
    path.write_text(LESSON.replace(quiz, quiz + "\n" + quiz), encoding="utf-8")
    with pytest.raises(ContentError, match=r"quiz\[1\]\.id: 'q1' is used twice"):
        load_lessons(content)


def test_the_file_name_must_carry_the_slug(content: Path) -> None:
    (content / "lessons" / "01-first-lesson.md").rename(content / "lessons" / "01-other.md")
    with pytest.raises(ContentError, match=r"file name must be NN-first-lesson\.md"):
        load_lessons(content)


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"indicators\.toml: file not found"):
        load_indicators(tmp_path)
    with pytest.raises(ContentError, match=r"consent\.toml: file not found"):
        load_consent_purposes(tmp_path)
    assert load_lessons(tmp_path) == ()


def test_checklists_can_reuse_a_loaded_indicator_set(content: Path) -> None:
    indicators = load_indicators(content)
    (content / "indicators.toml").unlink()
    (template,) = load_checklist_templates(content, indicators=indicators)
    assert [item.sets_indicator for item in template.items] == [
        ("level", "low"),
        ("has_phone", True),
    ]


# --- lessons: parse and dump --------------------------------------------------------------------


def test_a_lesson_parses(content: Path) -> None:
    (lesson,) = load_lessons(content)
    assert lesson.slug == "first-lesson"
    assert lesson.objectives == ("Mục tiêu một", "Mục tiêu hai")
    assert lesson.audience_roles == ("member", "trainer")
    assert lesson.quiz[0].answer == 1
    assert lesson.body_md == "## Nội dung\n\nChữ."
    assert lesson.source_path == content / "lessons" / "01-first-lesson.md"
    assert lesson.checked == dt.date(2026, 1, 5)
    assert lesson.sources == (
        Source("Quyết định", "Bộ", dt.date(2025, 4, 29), "https://example.gov.vn/a", "Điều 1."),
    )


def test_sources_and_checked_are_optional(content: Path) -> None:
    text = LESSON.split("checked = ")[0] + "\n[[quiz]]" + LESSON.split("[[quiz]]")[1]
    lesson = parse_lesson(text, content / "x.md")
    assert (lesson.sources, lesson.checked) == ((), None)
    (template,) = load_checklist_templates(content)
    assert template.checked == dt.date(2026, 1, 5)
    assert template.sources[0].publisher == "Công an tỉnh" and template.sources[0].note == ""


def test_audience_roles_default_to_member(tmp_path: Path) -> None:
    text = LESSON.replace('audience_roles = ["member", "trainer"]\n', "")
    assert parse_lesson(text, tmp_path / "x.md").audience_roles == ("member",)


def test_a_lesson_survives_dump_and_load(tmp_path: Path) -> None:
    tricky = 'Dấu "ngoặc" \\ gạch\tTab\nxuống dòng \x07 +++'
    lesson = LessonDef(
        slug="tricky-1",
        title=tricky,
        language="en",
        summary=tricky,
        objectives=(tricky, "Một mục tiêu khá dài " * 5),
        order=0,
        audience_roles=("member", "coordinator"),
        body_md="# Body\n\n+++\n\nStill the body.",
        quiz=(
            QuizQuestion(id="a", prompt=tricky, choices=("x", tricky), answer=1, explanation="ok"),
            QuizQuestion(id="b", prompt="p", choices=("1", "2"), answer=0, explanation=tricky),
        ),
        source_path=tmp_path / "lessons" / "00-tricky-1.md",
        sources=(
            Source(tricky, "Bộ", dt.date(2025, 1, 2), 'https://a.vn/?q="x"', tricky),
            Source("Hai", "Báo", dt.date(2026, 3, 4), "http://b.vn"),
        ),
        checked=dt.date(2026, 5, 6),
    )
    lesson.source_path.parent.mkdir()
    lesson.source_path.write_text(dump_lesson(lesson), encoding="utf-8")
    assert load_lessons(tmp_path) == (lesson,)


def test_crlf_and_bom_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + LESSON.replace("\n", "\r\n")
    assert parse_lesson(text, tmp_path / "x.md") == parse_lesson(LESSON, tmp_path / "x.md")


# --- indicators ---------------------------------------------------------------------------------

LABEL = {"vi": "Nhãn", "en": "Label"}
FLAG = Indicator("flag", "core", "bool", LABEL, LABEL)
LEVEL = Indicator(
    "level",
    "core",
    "choice",
    LABEL,
    LABEL,
    choices=(Choice("none", LABEL), Choice("low", LABEL), Choice("high", LABEL)),
    meets=("high",),
    not_applicable=("none",),
)
COUNT = Indicator("count", "core", "int", LABEL, LABEL, min=0, max=20, meets_min=1)


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        (FLAG, None, None),
        (FLAG, True, None),
        (FLAG, False, None),
        (FLAG, 1, MSG_BOOL),
        (FLAG, "true", MSG_BOOL),
        (LEVEL, None, None),
        (LEVEL, "low", None),
        (LEVEL, "top", MSG_CHOICE),
        (LEVEL, 1, MSG_CHOICE),
        (COUNT, None, None),
        (COUNT, 0, None),
        (COUNT, 20, None),
        (COUNT, 21, MSG_INT),
        (COUNT, -1, MSG_INT),
        (COUNT, True, MSG_INT),
        (COUNT, 2.0, MSG_INT),
        (COUNT, "2", MSG_INT),
    ],
)
def test_check(indicator: Indicator, value: object, expected: str | None) -> None:
    assert indicator.check(value) == expected


def test_the_int_message_takes_the_bounds() -> None:
    assert (
        MSG_INT % {"min": COUNT.min, "max": COUNT.max} == "Enter a whole number between 0 and 20."
    )
    assert MSG_BOOL % {"min": 0, "max": 1} == MSG_BOOL


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        (FLAG, True, True),
        (FLAG, False, False),
        (FLAG, None, False),
        (FLAG, 1, False),
        (LEVEL, "high", True),
        (LEVEL, "low", False),
        (LEVEL, "none", False),
        (LEVEL, "top", False),
        (COUNT, 1, True),
        (COUNT, 5, True),
        (COUNT, 0, False),
        (COUNT, 99, False),
        (COUNT, True, False),
    ],
)
def test_meets_value(indicator: Indicator, value: object, expected: bool) -> None:
    assert indicator.meets_value(value) is expected


def test_applies() -> None:
    assert not LEVEL.applies("none")
    assert LEVEL.applies("low")
    assert LEVEL.applies(None)
    assert FLAG.applies(False)


@pytest.mark.parametrize(
    ("indicator", "raw", "expected"),
    [
        (FLAG, None, None),
        (FLAG, " ", None),
        (FLAG, "true", True),
        (FLAG, "0", False),
        (FLAG, "maybe", "maybe"),
        (COUNT, " 3 ", 3),
        (COUNT, "3.5", "3.5"),
        (LEVEL, "high", "high"),
    ],
)
def test_parse_form(indicator: Indicator, raw: str | None, expected: object) -> None:
    assert indicator.parse_form(raw) == expected
