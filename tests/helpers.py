"""Shared test helpers: locating test data and reading jobspecs back."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_dir(kind: str) -> Path:
    """The shared corpus; its absence is a failure, never a skip."""
    path = CORPUS / kind
    assert path.is_dir(), f"test data missing: {path} (clone the project next to ../shared)"
    return path


def compose_corpus_cases() -> list[tuple[str, Path]]:
    """(case name, Compose file) for every Compose case in the corpus, from cases.tsv."""
    index = CORPUS / "cases.tsv"
    assert index.is_file(), f"test data missing: {index} (clone the project next to ../shared)"
    cases = []
    for line in index.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if fields[0].startswith("compose/"):
            cases.append((fields[0].split("/", 1)[1], CORPUS / fields[0] / fields[1]))
    return cases


@functools.cache
def _loaded_without_consistency() -> frozenset[Path]:
    """Corpus files whose expected output needed ``--no-consistency`` (cases.tsv's compose_config)."""
    found = set()
    for line in (CORPUS / "cases.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if fields[0].startswith("compose/") and fields[7] == "no-consistency":
            found.add((CORPUS / fields[0] / fields[1]).resolve())
    return frozenset(found)


def consistent(path: Path | str) -> bool:
    """False for a corpus file that Docker Compose loads only with ``--no-consistency``."""
    return Path(path).resolve() not in _loaded_without_consistency()


def parse_hcl(text: str) -> dict[str, Any]:
    """Parse a jobspec; string values come back with HCL escapes decoded (but not ``$${``)."""
    result: dict[str, Any] = hcl2.loads(
        text, serialization_options=SerializationOptions(strip_string_quotes=True)
    )
    return result


def evaluate_template(body: str, variables: dict[str, str] | None = None) -> str:
    """One HCL template pass over a string as python-hcl2 returns it, as Nomad makes the pass.

    ``$${``/``%%{`` escapes, ``${"text"}`` string expressions, and ``${name}`` or ``${var.name}``
    from ``variables``; any other ``${name}`` is an undefined root, which jobspec2 keeps as
    written (its UndefinedVariable hook) for the runtime layers.
    """
    return _template(body, variables or {}, quoted=False)


def decode_hcl_string(literal: str, variables: dict[str, str] | None = None) -> str:
    """The value of one quoted HCL string as written in a jobspec (Layer A), read exactly.

    As ``evaluate_template``, plus the quoted string's backslash escapes (python-hcl2 leaves
    them undecoded after a ``$${`` escape)."""
    assert literal.startswith('"') and literal.endswith('"'), literal
    return _template(literal[1:-1], variables or {}, quoted=True)


_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _template(body: str, variables: dict[str, str], quoted: bool) -> str:
    out, i = [], 0
    while i < len(body):
        if quoted and body[i] == "\\":
            if body[i + 1] in "uU":
                width = 4 if body[i + 1] == "u" else 8
                out.append(chr(int(body[i + 2 : i + 2 + width], 16)))
                i += 2 + width
            else:
                out.append(_SIMPLE_ESCAPES[body[i + 1]])
                i += 2
        elif body.startswith(("$${", "%%{"), i):
            out.append(body[i + 1 : i + 3])
            i += 3
        elif body.startswith('${"', i):
            end = body.index('"}', i + 3)
            out.append(body[i + 3 : end])
            i = end + 2
        elif body.startswith("${", i):
            end = body.index("}", i)
            name = body[i + 2 : end].removeprefix("var.")
            out.append(variables.get(name, body[i : end + 1]))
            i = end + 1
        else:
            assert not body.startswith("%{", i), f"live template directive in {body!r}"
            out.append(body[i])
            i += 1
    return "".join(out)


def runtime_interpolate(text: str, environment: dict[str, str]) -> str:
    """Nomad's client-side interpolation of env values (no escape; unknown names stay)."""
    return re.sub(r"\$\{([a-zA-Z0-9_\-.]+)\}", lambda m: environment.get(m[1], m[0]), text)


def undo_template_escape(value: str) -> str:
    """Undo one HCL template-escaping pass: ``$${`` → ``${``, ``%%{`` → ``%{``."""
    return value.replace("$${", "${").replace("%%{", "%{")


def fixture_options(case_dir: Path) -> dict[str, Any]:
    options_file = case_dir / "options.json"
    if options_file.is_file():
        loaded: dict[str, Any] = json.loads(options_file.read_text(encoding="utf-8"))
        return loaded
    return {}


def job_body(parsed: dict[str, Any]) -> dict[str, Any]:
    """The single job block of a parsed jobspec."""
    (job,) = parsed["job"]
    ((_, body),) = job.items()
    assert isinstance(body, dict)
    return body


def groups(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for block in job_body(parsed).get("group", []):
        ((name, body),) = block.items()
        result[name] = body
    return result


def tasks(group: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for block in group.get("task", []):
        ((name, body),) = block.items()
        result[name] = body
    return result
