"""Every Compose case of the shared corpus translates, and its jobspec parses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import compose_corpus_cases, consistent, groups, parse_hcl
from translator.api import translate

CASES = compose_corpus_cases()


def test_corpus_is_present() -> None:
    assert len(CASES) == 26


@pytest.mark.parametrize(("name", "path"), CASES, ids=[name for name, _ in CASES])
def test_corpus_case_translates(name: str, path: Path) -> None:
    result = translate([str(path)], environ={}, consistency=consistent(path))
    assert result.hcl, name
    for text in result.hcl.values():
        parsed = parse_hcl(text)
        assert groups(parsed), f"{name}: no groups"
