"""YAML paths of the input: every key's path, where it is, and which paths findings or the parser cover.

Paths are written the way findings name them: ``services.web.ports[0].target`` in a Compose
project, ``Deployment/frontend.spec.template.spec.containers[0].env[2]`` in Kubernetes (the
object's ``Kind/name`` is its root). The same walk serves two purposes: findings made from a
model element (which carries a position, not a path) get the path of the node at that position,
and the "no silent drops" test compares the input's key paths with what the parser reads and
what findings name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from translator.findings import Finding
from translator.source import Position
from translator.yamlsource import YamlMap, YamlSeq


def walk(node: Any, prefix: str) -> Iterator[tuple[str, Position]]:
    """(path, position) of ``node``'s keys and items, parents before children.

    A key yields the position of the key and then of its value, so that a finding pointing at
    either resolves to that key; sequence items yield their own position.
    """
    if isinstance(node, YamlMap):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path, node.where_key(key)
            yield path, node.where(key)
            yield from walk(value, path)
    elif isinstance(node, YamlSeq):
        for i, value in enumerate(node):
            path = f"{prefix}[{i}]"
            yield path, node.where(i)
            yield from walk(value, path)


def key_paths(node: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Position]:
    """Every mapping key below ``node`` as path segments (keys as written, items as ``[i]``):
    keys may hold dots (``xpack.security.enabled``), so the segments are kept apart."""
    paths: dict[tuple[str, ...], Position] = {}
    if isinstance(node, YamlMap):
        for key, value in node.items():
            path = (*prefix, str(key))
            paths[path] = node.where_key(key)
            paths.update(key_paths(value, path))
    elif isinstance(node, YamlSeq):
        for i, value in enumerate(node):
            paths.update(key_paths(value, (*prefix, f"[{i}]")))
    return paths


def joined(segments: tuple[str, ...]) -> str:
    """The path as findings write it: ``services.web.ports[0].target``."""
    text = ""
    for segment in segments:
        text += segment if segment.startswith("[") or not text else f".{segment}"
    return text


def position_index(roots: Iterable[tuple[str, Any]]) -> dict[Position, str]:
    """Position → the outermost path found there (a mapping and its first key share a position;
    the finding is about the mapping)."""
    index: dict[Position, str] = {}
    for prefix, node in roots:
        if prefix and isinstance(node, (YamlMap, YamlSeq)):
            index.setdefault(node.pos, prefix)
        for path, position in walk(node, prefix):
            index.setdefault(position, path)
    return index


def with_paths(findings: list[Finding], index: dict[Position, str]) -> list[Finding]:
    """Findings, each with a YAML path: the one it was given, else the path of its position."""
    return [f if f.path or f.position not in index else replace(f, path=index[f.position]) for f in findings]


def paths_given(findings: list[Finding], roots: Callable[[], Iterable[tuple[str, Any]]]) -> list[Finding]:
    """``with_paths(findings, position_index(roots()))``, computed for the positions that findings
    without a path hold only: on large inputs the full index costs as much as a stage."""
    wanted = {f.position for f in findings if not f.path}
    if not wanted:
        return findings
    index = paths_at(roots(), wanted)
    return [
        f
        if f.path or f.position not in index
        else Finding(f.code, f.position, f.message, f.hint, index[f.position], f.subject, f.severity)
        for f in findings
    ]


def paths_at(roots: Iterable[tuple[str, Any]], wanted: set[Position]) -> dict[Position, str]:
    """What ``position_index`` maps each of ``wanted`` to, walking in the same order (the first path
    found at a position wins) but making path text only where it is needed, and stopping once every
    wanted position is found."""
    found: dict[Position, str] = {}

    def visit(node: Any, prefix: str) -> bool:
        """Walk below ``node``; True once everything wanted is found."""
        if isinstance(node, YamlMap):
            # node.where_key(key) and node.where(key), without two calls per key
            key_positions, value_positions, own = node.key_pos, node.value_pos, node.pos
            for key, value in node.items():
                key_pos = key_positions.get(key) or own
                value_pos = value_positions.get(key) or key_pos
                nested = isinstance(value, (YamlMap, YamlSeq))
                if nested or key_pos in wanted or value_pos in wanted:
                    path = f"{prefix}.{key}" if prefix else str(key)
                    if key_pos in wanted:
                        found.setdefault(key_pos, path)
                    if value_pos in wanted:
                        found.setdefault(value_pos, path)
                    if len(found) == len(wanted) or (nested and visit(value, path)):
                        return True
        elif isinstance(node, YamlSeq):
            for i, value in enumerate(node):
                item_pos = node.where(i)
                nested = isinstance(value, (YamlMap, YamlSeq))
                if nested or item_pos in wanted:
                    path = f"{prefix}[{i}]"
                    if item_pos in wanted:
                        found.setdefault(item_pos, path)
                    if len(found) == len(wanted) or (nested and visit(value, path)):
                        return True
        return False

    for prefix, node in roots:
        if prefix and isinstance(node, (YamlMap, YamlSeq)) and node.pos in wanted:
            found.setdefault(node.pos, prefix)
            if len(found) == len(wanted):
                break
        if visit(node, prefix):
            break
    return found


def kubernetes_roots(objects: Iterable[YamlMap]) -> list[tuple[str, Any]]:
    """Each object under its ``Kind/name``, the root the Kubernetes parser's finding paths use."""
    roots: list[tuple[str, Any]] = []
    for doc in objects:
        metadata = doc.get("metadata")
        name = metadata.get("name") if isinstance(metadata, YamlMap) else None
        roots.append((f"{doc.get('kind')}/{name}", doc))
    return roots


def covers(parent: str, path: str) -> bool:
    """Whether ``parent`` names ``path`` or one of its ancestors."""
    return path == parent or path.startswith((parent + ".", parent + "["))


def matches(pattern: str, path: tuple[str, ...]) -> bool:
    """Glob over segments: ``*`` is one key, ``[*]`` one item, ``x-*`` a key with that prefix, and a
    trailing ``**`` the whole subtree."""
    want = pattern.replace("[", ".[").split(".")
    have = list(path)
    if want[-1] == "**":
        want = want[:-1]
        if len(have) < len(want):
            return False
        have = have[: len(want)]
    if len(want) != len(have):
        return False
    return all(_segment_matches(w, h) for w, h in zip(want, have, strict=True))


def _segment_matches(want: str, have: str) -> bool:
    if want == "[*]":
        return have.startswith("[")
    if want.endswith("*") and not have.startswith("["):
        return have.startswith(want[:-1])
    return want == have


def uncovered(
    paths: Iterable[tuple[str, ...]], read: Iterable[str], findings: Iterable[Finding]
) -> list[str]:
    """Input key paths that the parser does not read (``read`` patterns) and no finding names."""
    patterns = list(read)
    named = [f.path for f in findings if f.path]
    missing = []
    for path in paths:
        if any(matches(p, path) for p in patterns):
            continue
        text = joined(path)
        if not any(covers(n, text) for n in named):
            missing.append(text)
    return missing
