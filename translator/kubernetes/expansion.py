"""``$(VAR)`` expansion in env values, command and args, as the kubelet does it.

Rules (Kubernetes ``third_party/forked/golang/expansion``): ``$(NAME)`` becomes NAME's value
when NAME is defined, and stays as written otherwise; ``$$`` is an escaped ``$``, so
``$$(NAME)`` gives the literal ``$(NAME)``; any other ``$`` is literal. Expansion is a
single pass: a value brought in is not expanded again.
"""

from __future__ import annotations

from collections.abc import Callable


def expand(text: str, lookup: Callable[[str], str | None]) -> tuple[str, list[str], list[str]]:
    """Expand ``text``; return it with the names that were expanded and those left as written."""
    out: list[str] = []
    used: list[str] = []
    missing: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 >= len(text):
            out.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "$":
            out.append("$")
            i += 2
            continue
        if following == "(":
            end = text.find(")", i + 2)
            if end != -1:
                name = text[i + 2 : end]
                value = lookup(name)
                if value is None:
                    out.append(text[i : end + 1])
                    missing.append(name)
                else:
                    out.append(value)
                    used.append(name)
                i = end + 1
                continue
        out.append(char)
        i += 1
    return "".join(out), used, missing
