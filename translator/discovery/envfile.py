"""Text for ``template { env = true }`` data: consul-template actions around env-file values.

Nomad reads the rendered file with go-envparse, where ``KEY="..."`` takes JSON escapes. The
literal text of a value must also survive consul-template, which opens an action at every
``{{``: such runs are written as string actions, ``{{ "{{" }}``.
"""

from __future__ import annotations

import json
import re

_BRACES = re.compile(r"\{+")


def template_text(text: str, before_action: bool = False) -> str:
    """Literal text inside a double-quoted env-file value; ``before_action``: an action follows it.

    A lone ``{`` is literal unless an action follows at once: ``{`` + ``{{ with`` would open an
    action one character early, so that brace is written as a string action as well.
    """
    quoted = json.dumps(text, ensure_ascii=False)[1:-1]

    def brace_run(match: re.Match[str]) -> str:
        run = match.group()
        at_end = match.end() == len(quoted)
        if len(run) >= 2 or (at_end and before_action):
            return '{{ "' + run + '" }}'
        return run

    return _BRACES.sub(brace_run, quoted)


def template_literal(value: str) -> str:
    """A whole double-quoted env-file value with no actions: exactly ``value`` once rendered."""
    return '"' + template_text(value) + '"'


def template_raw_text(text: str) -> str:
    """Any text as template data that renders to exactly that text: ``{{`` runs as string actions."""
    return _BRACES.sub(lambda m: '{{ "' + m.group() + '" }}' if len(m.group()) >= 2 else m.group(), text)
