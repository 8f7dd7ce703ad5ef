"""A Babel extractor for the member app's JavaScript: every `t("...")` call is a message.

Babel's own JavaScript lexer misses calls nested in template literals, which the app's views
use everywhere; this one reads the literal first argument of `t(` wherever it stands.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

_CALL = re.compile(r'(?<![\w.$])t\(\s*"((?:[^"\\\n]|\\.)*)"')


def extract_js(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield `(line, "_", message, [])` for each `t("message")`: `_` is a default keyword."""
    text = fileobj.read().decode("utf-8")
    for match in _CALL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield line, "_", json.loads(f'"{match.group(1)}"'), []
