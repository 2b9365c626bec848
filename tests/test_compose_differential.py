"""The loader against Docker Compose: every corpus case and loader fixture, field by field.

Expected files come from ``docker compose config --format json``; the comparison covers
the fields the translator reads (see ``tests.compose_reference.FIELDS``) and the set of
services left after profiles.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.compose_reference import LOADER_FIXTURES, load_options, ours, theirs, variants
from tests.helpers import compose_corpus_cases, consistent
from translator.compose.loader import LoadOptions

CORPUS = compose_corpus_cases()

# (case, service, field) → why our value differs from the expected file on purpose.
DIFFER_ON_PURPOSE: dict[tuple[str, str, str], str] = {
    ("voting-app", "worker", "build"): (
        "the expected file holds a mangled build.context ('$CASE_DIR$CASE_DIR/../../../../..er'), "
        "an artefact of the path replacement when the corpus was made; ours is $CASE_DIR/worker"
    ),
}


def _compare(case: str, got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems = []
    if sorted(got["services"]) != sorted(expected["services"]):
        problems.append(f"services: {sorted(got['services'])} != {sorted(expected['services'])}")
    for name, service in expected["services"].items():
        mine = got["services"].get(name, {})
        for field in sorted(set(service) | set(mine)):
            if (case, name, field) in DIFFER_ON_PURPOSE:
                continue
            if mine.get(field) != service.get(field):
                problems.append(f"{name}.{field}: {mine.get(field)!r} != {service.get(field)!r}")
    return problems


@pytest.mark.parametrize(("name", "path"), CORPUS, ids=[name for name, _ in CORPUS])
def test_corpus_case_matches_docker_compose(name: str, path: Path) -> None:
    expected = theirs(json.loads((path.parent / "expected.config.json").read_text(encoding="utf-8")))
    got = ours(LoadOptions(files=[str(path)], environ={}, consistency=consistent(path)), path.parent)
    assert _compare(name, got, expected) == []
    assert got["name"] == expected["name"]


LOADER_CASES = [
    (case, variant, spec)
    for case in sorted(p.parent for p in LOADER_FIXTURES.glob("*/case.json"))
    for variant, spec in variants(case).items()
]


@pytest.mark.parametrize(
    ("case", "variant", "spec"), LOADER_CASES, ids=[f"{c.name}-{v}" for c, v, _ in LOADER_CASES]
)
def test_loader_fixture_matches_docker_compose(case: Path, variant: str, spec: dict[str, Any]) -> None:
    expected = theirs(json.loads((case / f"expected.{variant}.json").read_text(encoding="utf-8")))
    got = ours(load_options(case, spec), case)
    assert _compare(case.name, got, expected) == []
    assert got["name"] == expected["name"]


def test_exceptions_are_still_needed() -> None:
    """An entry in DIFFER_ON_PURPOSE whose values now agree must be removed."""
    paths = dict(CORPUS)
    for case, service, field in DIFFER_ON_PURPOSE:
        path = paths[case]
        config = json.loads((path.parent / "expected.config.json").read_text(encoding="utf-8"))
        expected = theirs(config)["services"][service].get(field)
        options = LoadOptions(files=[str(path)], environ={}, consistency=consistent(path))
        got = ours(options, path.parent)["services"][service].get(field)
        assert got != expected, (case, service, field)
