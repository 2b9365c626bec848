"""String escaping for each layer a value passes through on its way into a container.

Layer A is HCL2 itself (quoted strings; ``${`` and ``%{`` start templates). Layer C
is the Docker driver evaluating its ``config`` block as HCL a second time on the
client, so config strings are escaped for it first and then for Layer A.
"""

from __future__ import annotations

import re

from translator.nomad import Interpolated
from translator.variables import OPEN, as_hcl_reference

_SIMPLE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TABLE = str.maketrans(_SIMPLE)
# Other control characters, C1 controls and the Unicode line separators are written as \uNNNN.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Any character the escaping below changes, and the opening of a kept variable (OPEN): most
# values hold none (a translate call costs 5x more than this search).
_ESCAPED = re.compile(f'[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029{OPEN}]')


def _template_escape(text: str) -> str:
    """Make ``${`` and ``%{`` literal for one HCL template pass."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _quote(text: str) -> str:
    if _ESCAPED.search(text) is None:
        return '"' + text + '"'
    # What _TABLE maps, as replacements (backslash first): far faster than translate on long text.
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if _UNPRINTABLE.search(escaped):
        escaped = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)
    if OPEN in escaped:  # kept variables (--keep-variables) become HCL references, unescaped
        escaped = as_hcl_reference(escaped)
    return '"' + escaped + '"'


def hcl_string(text: str) -> str:
    """A quoted HCL string literal whose value is exactly ``text``."""
    return _quote(_template_escape(text))


def hcl_config_string(text: str) -> str:
    """A string inside a driver ``config`` block: survives Layer A and the driver's Layer C."""
    return _quote(_template_escape(_template_escape(text)))


def hcl_reference(text: str) -> str:
    """A string that deliberately contains Nomad ``${...}`` references (already composed by the mapper)."""
    return _quote(text)


def config_layer_escape(text: str) -> str:
    """For JSON API output: the driver ``config`` is still evaluated as HCL once on the client."""
    return _template_escape(text)


def _escaped_for(text: str, passes: int) -> str:
    for _ in range(passes):
        text = _template_escape(text)
    return text


def _parts(value: object, passes: int, hcl: bool) -> str:
    """The text of a value for ``passes`` template passes before the one that resolves references.

    Literal parts are escaped for every pass (and quoted for HCL); deliberate ``${name}``
    references are kept. A literal ``$`` just before a reference would make ``$${``, the escape
    of a literal ``${``, so that run of ``$`` is written as a template expression, ``${"$"}``,
    live in the pass that resolves the reference.
    """

    def literal(text: str) -> str:
        escaped = _escaped_for(text, passes)
        return _quote(escaped)[1:-1] if hcl else escaped

    if not isinstance(value, Interpolated):
        return literal(str(value))
    written = []
    for at, part in enumerate(value.parts):
        if not isinstance(part, str):
            written.append(f"${{{part.name}}}")
            continue
        head = part.rstrip("$") if passes and at + 1 < len(value.parts) else part
        written.append(literal(head))
        if len(head) < len(part):
            expression = _escaped_for('${"' + part[len(head) :] + '"}', passes - 1)
            # live in HCL's own pass: written as code; for a later pass: text, quoted as such
            written.append(_quote(expression)[1:-1] if hcl and passes > 1 else expression)
    return "".join(written)


def hcl_value(value: object) -> str:
    """A quoted HCL string for a plain string or an ``Interpolated`` one (env values, Layers A and B)."""
    if type(value) is str and "{" not in value:  # the filter of every value: no template escape needed
        return _quote(value)
    return '"' + _parts(value, 1, hcl=True) + '"'


def hcl_config_value(value: object) -> str:
    """Like ``hcl_value`` inside a driver ``config`` block: literal parts escaped for Layers A and C."""
    if type(value) is str and "{" not in value:  # as in hcl_value
        return _quote(value)
    return '"' + _parts(value, 2, hcl=True) + '"'


def json_value(value: object) -> str:
    """The API JSON form of a value outside driver config: no escaping layer applies before Layer B."""
    return _parts(value, 0, hcl=False)


def json_config_value(value: object) -> str:
    """The API JSON form of a driver ``config`` string: literal parts escaped for Layer C only."""
    return _parts(value, 1, hcl=False)
