"""Test configuration: hypothesis profiles, and the Go template renderer built once per session.

The default profile keeps the property suite short enough for CI; run the long one
locally with ``pytest --hypothesis-profile=long tests/test_properties.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from tests import gotemplate

settings.register_profile(
    "default",
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")


@pytest.fixture(scope="session")
def go_renderer(tmp_path_factory: pytest.TempPathFactory) -> gotemplate.Renderer:
    """tests/gotemplate/main.go compiled once; ``gotemplate.render`` uses it from then on."""
    renderer = gotemplate.build(tmp_path_factory.mktemp("gotemplate"))
    gotemplate.use(renderer)
    return renderer
