"""Lesson Markdown to safe HTML: markdown-it-py parses, nh3 (ammonia) sanitises."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

MEDIA_PREFIX = "/media/lessons/"
_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "img", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}}
_LOCAL_IMAGE = re.compile(r'src="(?:\./)?images/([A-Za-z0-9._-]+)"')

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(source: str) -> str:
    """Render lesson Markdown to HTML that is safe to show: no script, no event handlers."""
    html = _parser.render(source)
    html = _LOCAL_IMAGE.sub(lambda m: f'src="{MEDIA_PREFIX}{m.group(1)}"', html)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
