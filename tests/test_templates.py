"""Templates compiled at build time render exactly what the template sources render."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from tests.helpers import FIXTURES
from translator.api import translate
from translator.emit import hcl, templating


@pytest.fixture
def compiled_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    templating.source_environment().compile_templates(str(tmp_path), zip=None, ignore_errors=False)
    monkeypatch.setattr(templating, "COMPILED", tmp_path)
    templating.environment.cache_clear()
    yield tmp_path
    templating.environment.cache_clear()


def test_compiled_templates_render_the_same(compiled_templates: Path) -> None:
    cases = sorted(p for p in (FIXTURES / "compose").glob("*/compose.yaml"))
    expected = {}
    for case in cases:
        expected[case] = translate([str(case)], environ={}).hcl
    assert any(compiled_templates.iterdir())
    assert isinstance(templating.environment().loader, jinja2.ModuleLoader)
    for case in cases:
        result = translate([str(case)], environ={})
        assert [hcl.render_job(job) for job in result.jobs] == list(expected[case].values())
