"""The glossary and the card of things to remember, in the content shipped in content/."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.content import ContentError, Glossary, Term, load_glossary, load_lessons
from server.lessons.rendering import glossary_keys, render_lesson

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "content"
LESSONS = load_lessons(SHIPPED)
GLOSSARY = load_glossary(SHIPPED)


def test_the_glossary_holds_the_words_the_issue_names() -> None:
    keys = {term.key for term in GLOSSARY.terms}
    assert {"ekyc", "nfc", "otp", "passcode", "ma_qr", "san_tmdt", "dong_bo"} <= keys
    assert {"vneid_muc_1", "vneid_muc_2", "sinh_trac_hoc", "vi_dien_tu", "mobile_money"} <= keys
    assert GLOSSARY.checked is not None


@pytest.mark.parametrize("slug", [lesson.slug for lesson in LESSONS])
def test_every_glossary_link_resolves(slug: str) -> None:
    lesson = next(lesson for lesson in LESSONS if lesson.slug == slug)
    unknown = [key for key in glossary_keys(lesson.body_md) if GLOSSARY.get(key) is None]
    assert not unknown, f"{lesson.source_path.name} links to words not in glossary.toml: {unknown}"


def test_every_glossary_word_is_used_by_a_lesson() -> None:
    used = {key for lesson in LESSONS for key in glossary_keys(lesson.body_md)}
    unused = sorted(term.key for term in GLOSSARY.terms if term.key not in used)
    assert not unused, f"glossary words no lesson links to: {unused}"


@pytest.mark.parametrize("slug", [lesson.slug for lesson in LESSONS])
def test_each_lesson_has_three_things_to_remember(slug: str) -> None:
    lesson = next(lesson for lesson in LESSONS if lesson.slug == slug)
    assert len(lesson.remember) == 3, lesson.source_path.name


def test_a_lesson_renders_its_card_and_the_words_it_links_to() -> None:
    words = Glossary(
        terms=(
            Term(
                "otp", {"vi": "Mã OTP", "en": "OTP code"}, {"vi": "Số dùng <một> lần.", "en": "x"}
            ),
        )
    )
    body = "Nhập [mã OTP](glossary:otp), lại [OTP](glossary:otp), và [lạ](glossary:nope)."
    html = render_lesson(body, "vi", ["Điều <một>", "Hai", "Ba"], words)
    assert html.index('class="remember"') < html.index("Nhập")
    assert "3 điều cần nhớ" in html and "Điều &lt;một&gt;" in html
    assert html.count('data-term="otp"') == 2
    assert 'href="#term-otp"' in html and "glossary:" not in html
    assert "lạ" in html and "nope" not in html  # an unknown word is plain text
    assert '<dt id="term-otp">Mã OTP</dt><dd>Số dùng &lt;một&gt; lần.</dd>' in html
    assert "Từ trong bài này" in html
    english = render_lesson(body, "en", [], words)
    assert "remember" not in english and "Words in this lesson" in english


def test_a_bad_glossary_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "glossary.toml").write_text(
        '[[term]]\nkey = "Bad Key"\nterm = { vi = "a", en = "a" }\n'
        'definition = { vi = "b", en = "b" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match=r"glossary.toml: term\[0\]\.key"):
        load_glossary(tmp_path)
    (tmp_path / "glossary.toml").write_text(
        '[[term]]\nkey = "a"\nterm = { vi = "a", en = "a" }\ndefinition = { vi = "b" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match=r"term\[0\]\.definition"):
        load_glossary(tmp_path)


def test_more_than_three_things_to_remember_are_rejected(tmp_path: Path) -> None:
    lesson = (
        '+++\nslug = "a"\ntitle = "A"\nlanguage = "vi"\norder = 1\nsummary = "S"\n'
        'objectives = ["O"]\nremember = ["1", "2", "3", "4"]\n+++\nText\n'
    )
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "01-a.md").write_text(lesson, encoding="utf-8")
    with pytest.raises(ContentError, match="remember: has 4 points"):
        load_lessons(tmp_path)
