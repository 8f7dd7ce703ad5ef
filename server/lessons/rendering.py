"""Lesson Markdown to safe HTML: markdown-it-py parses, nh3 (ammonia) sanitises.

`render_lesson` adds what the lesson's front matter holds around the text: the card of points
to remember at the top, and at the bottom the definitions of the glossary words the text links
to (`[word](glossary:key)`), so that the phone shows them offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

import nh3
from markdown_it import MarkdownIt

from server.content import GLOSSARY_LINK, Glossary, curriculum
from server.i18n import N_, gettext

MEDIA_PREFIX = "/media/lessons/"
TERM_PREFIX = "#term-"
_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "img", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}}
_LOCAL_IMAGE = re.compile(r'src="(?:\./)?images/([A-Za-z0-9._-]+)"')
_GLOSSARY_ANCHOR = re.compile(r'<a href="' + GLOSSARY_LINK + r'([^"]*)">(.*?)</a>', re.S)
_TERM_ANCHOR = re.compile(r'<a href="' + TERM_PREFIX + r'([a-z][a-z0-9_]*)"')

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(source: str) -> str:
    """Render lesson Markdown to HTML that is safe to show: no script, no event handlers."""
    html = _parser.render(source)
    html = _LOCAL_IMAGE.sub(lambda m: f'src="{MEDIA_PREFIX}{m.group(1)}"', html)
    return _clean(html)


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


def glossary_keys(source: str) -> list[str]:
    """The glossary keys a lesson's Markdown links to, in order of first use."""
    keys = [m.group(1) for m in _GLOSSARY_ANCHOR.finditer(_parser.render(source))]
    return list(dict.fromkeys(keys))


def render_lesson(
    source: str,
    language: str,
    remember: Sequence[str] = (),
    glossary: Glossary | None = None,
) -> str:
    """The lesson as members read it: the points to remember, the text, the words explained.

    A link to a glossary word the glossary does not hold is shown as plain text.
    """
    words = curriculum.glossary() if glossary is None else glossary
    used: list[str] = []

    def link(match: re.Match[str]) -> str:
        term = words.get(match.group(1))
        if term is None:
            return match.group(2)
        if term.key not in used:
            used.append(term.key)
        return f'<a href="{TERM_PREFIX}{term.key}">{match.group(2)}</a>'

    html = _parser.render(source)
    html = _LOCAL_IMAGE.sub(lambda m: f'src="{MEDIA_PREFIX}{m.group(1)}"', html)
    html = _clean(_GLOSSARY_ANCHOR.sub(link, html))
    html = _TERM_ANCHOR.sub(
        lambda m: (
            f'<a class="term" data-term="{m.group(1)}" href="{TERM_PREFIX}{m.group(1)}"'
            if m.group(1) in used
            else m.group(0)
        ),
        html,
    )
    parts = []
    points = [point.strip() for point in remember if point.strip()]
    if points:
        heading = gettext(language, N_("%(count)s things to remember"), {"count": len(points)})
        items = "".join(f"<li>{escape(point)}</li>" for point in points)
        parts.append(
            f'<section class="remember"><h2>{escape(heading)}</h2><ol>{items}</ol></section>'
        )
    parts.append(html)
    if used:
        entries = []
        for key in used:
            term = words.get(key)
            assert term is not None
            entries.append(
                f'<dt id="term-{key}">{escape(term.term.get(language, term.term["vi"]))}</dt>'
                f"<dd>{escape(term.definition.get(language, term.definition['vi']))}</dd>"
            )
        heading = gettext(language, N_("Words in this lesson"))
        listing = "".join(entries)
        parts.append(f'<section class="glossary"><h2>{escape(heading)}</h2><dl>{listing}</dl>')
        parts[-1] += "</section>"
    return "\n".join(parts)
