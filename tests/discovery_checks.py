"""Checks on rendered discovery templates, shared by the discovery tests.

``well_formed`` reads consul-template text the way Go's text/template lexer does (an action
opens at the first ``{{`` and closes at the next ``}}``) and accepts only the actions the
translator writes. ``substitute`` renders the discovery actions as if each service had one
instance at ``10.0.0.1:23456``, so that the result can be compared with the source value.
"""

from __future__ import annotations

import json
import re

ADDRESS, PORT = "10.0.0.1", "23456"

_ACTIONS = [
    r'with (nomadService|service) "[a-z0-9-]+"',
    r"with index \. 0",
    r'range \$i, \$s := (nomadService|service) "[a-z0-9-]+"',
    r"if \$i",
    r'if \.Address \| contains ":"',
    r"else",
    r"end",
    r"\.Address",
    r"\.Port",
    r'env "NOMAD_UPSTREAM_(ADDR|IP|PORT)_[A-Za-z0-9_]+"',
    r'"\{+"',  # a literal run of braces
]
_ALLOWED = re.compile("^(?:" + "|".join(_ACTIONS) + ")$")
_OPENS = re.compile(r"^(with|range|if) ")


def actions(data: str) -> list[str]:
    """Every action's text, in order; fails on an unclosed action or an unknown one."""
    found: list[str] = []
    depth = 0
    position = 0
    while True:
        start = data.find("{{", position)
        if start < 0:
            break
        end = data.find("}}", start + 2)
        assert end >= 0, f"unclosed action in {data!r}"
        text = data[start + 2 : end]
        assert text.startswith(" ") and text.endswith(" "), f"malformed action {{{{{text}}}}} in {data!r}"
        inner = text.strip()
        assert _ALLOWED.match(inner), f"unexpected action {{{{{text}}}}} in {data!r}"
        depth += 1 if _OPENS.match(inner) else -1 if inner == "end" else 0
        assert depth >= 0, f"unbalanced end in {data!r}"
        found.append(inner)
        position = end + 2
    assert depth == 0, f"unclosed block in {data!r}"
    return found


def well_formed(data: str) -> None:
    actions(data)


def env_lines(data: str) -> dict[str, str]:
    """``KEY="..."`` lines of an env template, values still holding their actions."""
    result: dict[str, str] = {}
    for line in data.splitlines():
        key, sep, value = line.partition("=")
        assert sep and value.startswith('"') and value.endswith('"'), f'not a KEY="..." line: {line!r}'
        result[key] = value
    return result


_ADDRESS_IF = '{{ if .Address | contains ":" }}[{{ .Address }}]{{ else }}{{ .Address }}{{ end }}'
_WITH = re.compile(
    r'\{\{ with (?:nomadService|service) "[a-z0-9-]+" \}\}\{\{ with index \. 0 \}\}'
    r"(.*?)\{\{ end \}\}\{\{ end \}\}"
)
_RANGE = re.compile(
    r'\{\{ range \$i, \$s := (?:nomadService|service) "[a-z0-9-]+" \}\}'
    r"\{\{ if \$i \}\}.*?\{\{ end \}\}(.*?)\{\{ end \}\}"
)
_LITERAL = re.compile(r'\{\{ "(\{+)" \}\}')
_UPSTREAM = re.compile(r'\{\{ env "NOMAD_UPSTREAM_(ADDR|IP|PORT)_[A-Za-z0-9_]+" \}\}')


def substitute(quoted: str) -> str:
    """The value a one-instance cluster renders: discovery actions become 10.0.0.1 / 23456."""
    text = (
        quoted.replace(_ADDRESS_IF, ADDRESS).replace("{{ .Address }}", ADDRESS).replace("{{ .Port }}", PORT)
    )
    text = _RANGE.sub(lambda m: m.group(1), text)
    text = _WITH.sub(lambda m: m.group(1), text)
    text = _UPSTREAM.sub(lambda m: upstream_value(m.group(1)), text)
    assert not [a for a in actions(text) if not a.startswith('"')], f"actions left: {text!r}"
    text = _LITERAL.sub(lambda m: m.group(1), text)
    value: str = json.loads(text)
    return value


def upstream_value(kind: str) -> str:
    return {"ADDR": f"{ADDRESS}:{PORT}", "IP": ADDRESS, "PORT": PORT}[kind]


def substitute_runtime(text: str) -> str:
    """``${NOMAD_UPSTREAM_*}`` as Nomad sets them for a one-instance cluster (Connect values)."""
    return re.sub(
        r"\$\{NOMAD_UPSTREAM_(ADDR|IP|PORT)_[A-Za-z0-9_]+\}", lambda m: upstream_value(m.group(1)), text
    )


def normalise(value: str, hosts: list[str]) -> str:
    """Host and port positions replaced by markers, so only the rest of a value is compared."""
    if value.isdigit() or value == PORT:
        return "<port>"
    names = "|".join(re.escape(h) for h in sorted(hosts, key=len, reverse=True))
    pattern = rf"(?<![\w.\-])(?:{re.escape(ADDRESS)}|localhost|{names})(?::\d+)?(?![\w\-]|\.\w)"
    return re.sub(pattern, "<host>", value, flags=re.IGNORECASE)
