"""Classic XSS payloads for lesson Markdown; each one, if it ever ran, would set window.__xss or
call alert(). Shared by the API test (nothing dangerous survives) and the browser tests (nothing
runs, in the trainer's preview or in the member's reader)."""

from __future__ import annotations

import html.parser
from urllib.parse import urlsplit

PAYLOADS: tuple[str, ...] = (
    # script tags, plain and disguised
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    '<script type="module">window.__xss=1</script>',
    "<<script>script>window.__xss=1;//<</script>/script>",
    # event handlers
    '<img src=x onerror="window.__xss=1">',
    "<img src=x onerror=window.__xss=1//",
    '<body onload="window.__xss=1">',
    '<div onmouseover="window.__xss=1">hover</div>',
    '<input autofocus onfocus="window.__xss=1">',
    '<details open ontoggle="window.__xss=1">',
    '<video><source onerror="window.__xss=1"></video>',
    '<marquee onstart="window.__xss=1">x</marquee>',
    # javascript:, vbscript: and data: URLs
    '<a href="javascript:window.__xss=1">bấm</a>',
    "[bấm vào đây](javascript:window.__xss=1)",
    "[bấm](JaVaScRiPt:alert(1))",
    "[bấm](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[bấm](javascript&colon;alert(1))",
    "[bấm](java\tscript:alert(1))",
    "[bấm](vbscript:msgbox(1))",
    "[bấm](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![ảnh](javascript:alert(1))",
    '![ảnh" onerror="window.__xss=1](x.png)',
    '![ảnh](x.png"onerror="window.__xss=1)',
    '[a](https://example.org "title" onmouseover=window.__xss=1)',
    '<https://example.org/"onmouseover="window.__xss=1>',
    "[ref]: javascript:alert(1)\n\n[bấm][ref]",
    # SVG and MathML
    '<svg onload="window.__xss=1"></svg>',
    "<svg><script>window.__xss=1</script></svg>",
    '<svg><a xlink:href="javascript:window.__xss=1"><text y="20">x</text></a></svg>',
    '<svg><animate onbegin="window.__xss=1" attributeName="x" dur="1s"/></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    '<math href="javascript:window.__xss=1">x</math>',
    # styles
    '<div style="background:url(javascript:window.__xss=1)">x</div>',
    '<div style="width:expression(window.__xss=1)">x</div>',
    "<style>@import 'javascript:window.__xss=1';</style>",
    '<link rel="stylesheet" href="javascript:window.__xss=1">',
    # frames, objects, embeds, forms, meta, base
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<object data="javascript:window.__xss=1"></object>',
    '<embed src="javascript:window.__xss=1">',
    '<form action="javascript:window.__xss=1"><button>gửi</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    '<base href="javascript:window.__xss=1//">',
    # entity and encoding tricks
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
    '<img src=x onerror="&#119;indow.__xss=1">',
    '<a href="&#x6A;avascript:window.__xss=1">bấm</a>',
    "<img src=x on\x00error=window.__xss=1>",
    "`<script>window.__xss=1</script>`",
    "```html\n<script>window.__xss=1</script>\n```",
    "<!--<img src=x onerror=window.__xss=1>-->",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<template><script>window.__xss=1</script></template>",
)

ALLOWED_SCHEMES = {"", "http", "https", "mailto", "tel"}
DANGEROUS_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base",
    "form", "input", "button", "body", "video", "source", "marquee", "details", "template",
    "noscript", "animate",
}  # fmt: skip


def corpus_markdown() -> str:
    """Every payload as its own paragraph of one lesson."""
    return "## Bài kiểm tra an toàn\n\n" + "\n\n".join(PAYLOADS) + "\n\nKết thúc bài."


class _Inspector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "xlink:href"}:
                self.problems.append(f"<{tag} {name}>")
            if name in {"href", "src", "action", "data"} and value is not None:
                cleaned = "".join(ch for ch in value if ch.isprintable() and not ch.isspace())
                if urlsplit(cleaned).scheme.lower() not in ALLOWED_SCHEMES:
                    self.problems.append(f"<{tag} {name}={value!r}>")


def dangerous_parts(rendered: str) -> list[str]:
    """The tags and attributes in `rendered` HTML that could run script; empty when safe."""
    inspector = _Inspector()
    inspector.feed(rendered)
    inspector.close()
    return inspector.problems
