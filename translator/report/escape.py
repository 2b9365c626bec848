"""Filters the report templates write every input string through (registered in the one Jinja
environment, ``translator.emit.templating``). Input text is untrusted: a name or message must not
break a table row, open HTML, or start Markdown formatting."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
_BACKTICKS = re.compile(r"`+")


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def markdown_text(value: Any) -> str:
    """Plain text in a Markdown table cell or list item: one line, punctuation escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(value))


def markdown_code(value: Any) -> str:
    """An inline code span that holds any text, also inside a table cell (``|`` escaped, as GFM asks)."""
    text = _one_line(value)
    if not text:
        return ""
    fence = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def json_value(value: Any) -> str:
    """A JSON value (the JSON report's template writes every datum through this)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


REPORT_FILTERS: dict[str, Callable[[Any], str]] = {
    "md": markdown_text,
    "md_code": markdown_code,
    "json": json_value,
}
