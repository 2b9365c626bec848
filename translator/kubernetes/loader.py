"""Read Kubernetes manifests: files, directories, standard input, multi-document YAML, ``kind: List``.

Every object keeps its positions (``translator.yamlsource``), so findings point at the
line the user wrote. JSON is read by the same YAML reader: JSON is YAML 1.2 flow syntax.
``helm template`` output (documents separated by ``---``, with ``# Source:`` comments and
empty documents) is ordinary multi-document YAML.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import field
from pathlib import Path

from translator import findings as codes
from translator.findings import Findings
from translator.records import record
from translator.source import InputError, Position
from translator.yamlsource import YamlMap, YamlSeq, load_documents, read_source, read_stdin

STDIN = "-"
STDIN_NAME = "<stdin>"
SUFFIXES = (".yaml", ".yml", ".json")


@record
class Manifests:
    """Every Kubernetes object found in the input, in input order."""

    files: list[str]
    objects: list[YamlMap] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)


def expand_paths(paths: Sequence[str]) -> list[str]:
    """Directories become every ``*.yaml``/``*.yml``/``*.json`` below them, sorted for determinism."""
    result: list[str] = []
    for path in paths:
        if path != STDIN and Path(path).is_dir():
            found = sorted(
                str(p) for p in Path(path).rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
            if not found:
                raise InputError(Position(path), "directory holds no *.yaml, *.yml or *.json file")
            result.extend(found)
        else:
            result.append(path)
    return result


def _read(path: str, stdin_text: str | None, stdin_name: str) -> tuple[str, str]:
    if path != STDIN:
        return path, read_source(path)
    if stdin_text is None:
        stdin_text = read_stdin(stdin_name)
    return stdin_name, stdin_text


def load_manifests(
    paths: Sequence[str], stdin_text: str | None = None, stdin_name: str = STDIN_NAME
) -> Manifests:
    """Load every object of every file; ``-`` (or no path at all) reads standard input."""
    files = expand_paths(paths or [STDIN])
    manifests = Manifests(files=[])
    for path in files:
        name, text = _read(path, stdin_text, stdin_name)
        manifests.files.append(name)
        for document in load_documents(text, name):
            manifests.objects.extend(_objects(document, name, manifests.findings))
    return manifests


def _objects(document: object, filename: str, findings: Findings) -> Iterator[YamlMap]:
    """The objects in one document: itself, or the items of a ``List`` (``kind: FooList`` too)."""
    if document is None:  # an empty document, as helm template leaves between ``---`` lines
        return
    if not isinstance(document, YamlMap):
        pos = getattr(document, "pos", Position(filename))
        raise InputError(pos, "expected a Kubernetes object (a mapping with apiVersion and kind)")
    kind = document.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(document.get("items"), YamlSeq):
        items = document["items"]
        for key in document:
            if key not in ("apiVersion", "kind", "items", "metadata"):
                findings.add(
                    codes.K8S_UNKNOWN_KEY,
                    document.where_key(key),
                    f"key {key!r} of a {kind} was ignored",
                    path=key,
                )
        for item in items:
            yield from _objects(item, filename, findings)
        return
    if "kind" not in document or "apiVersion" not in document:
        raise InputError(
            document.pos, "not a Kubernetes object: expected apiVersion and kind at the top of the document"
        )
    yield document
