"""Render consul-template text with Go's own text/template, as Nomad would (tests/gotemplate/main.go).

Use::

    from tests.gotemplate import render

    done = render(
        '{{ range nomadService "db" }}server {{ .Address }}:{{ .Port }};\\n{{ end }}',
        nomad={"db": [{"Address": "192.0.2.10", "Port": 5432}]},
        consul={"api": [{"Address": "192.0.2.20", "Port": 8080, "Status": "passing"}]},
        env={"NOMAD_ALLOC_ID": "a1"},
    )
    assert done.error == "" and done.output == "server 192.0.2.10:5432;\\n"

``render(template, nomad=..., consul=..., env=..., variables=...) -> Rendered``:

- ``template``: the text consul-template receives (a ``Template``'s ``data``, before HCL escaping).
- ``nomad`` / ``consul``: service name → instances, what ``nomadService`` / ``service`` find.
  An instance is a mapping with ``Address`` and ``Port`` and optionally ``Tags``, ``ID``,
  ``Node``, ``AllocID``, ``JobID``, ``Datacenter``, ``Status`` (Consul, default ``passing``),
  ``Meta``. A name with an empty list is registered with no instance; a name left out was
  never registered, and looking it up is reported in ``missing``.
- ``env``: the task's whole environment, what ``env "NAME"`` reads.
- ``variables``: Nomad variable path → items, what ``nomadVar "path"`` reads.

``Rendered``: ``output`` (the rendered text), ``error`` (``parse: …`` or ``execute: …``; empty
on success), ``missing`` (``nomad:<name>``, ``consul:<name>``, ``var:<path>`` looked up but
absent), ``unset_env`` (names ``env`` read that ``env`` did not give). ``render_many`` renders
a list of ``Request``s in one process.

The functions known are those translate's templates call (``nomadService``, ``service``,
``nomadVar``, ``env``, ``contains``, ``toJSON``, plus Go's builtins); any other fails to
parse, as an unknown function does in Nomad. The renderer is compiled once per test session
(the ``go_renderer`` fixture of tests/conftest.py, or on first use); a missing ``go`` is a
failure, never a skip.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parent / "gotemplate" / "main.go"
INSTALL_HINT = "install Go: apt-get install -y --no-install-recommends golang"

Catalog = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class Rendered:
    output: str
    error: str
    missing: tuple[str, ...] = ()
    unset_env: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    template: str
    nomad: Catalog = field(default_factory=dict)
    consul: Catalog = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "nomad": {name: list(instances) for name, instances in self.nomad.items()},
            "consul": {name: list(instances) for name, instances in self.consul.items()},
            "env": dict(self.env),
            "variables": {path: dict(items) for path, items in self.variables.items()},
        }


class Renderer:
    """A compiled renderer binary."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def render_many(self, requests: Sequence[Request]) -> list[Rendered]:
        if not requests:
            return []
        done = subprocess.run(
            [str(self.binary)],
            input=json.dumps([r.as_json() for r in requests]),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, f"the Go renderer failed: {done.stderr}"
        answers = json.loads(done.stdout)
        assert len(answers) == len(requests)
        return [
            Rendered(a["output"], a["error"], tuple(a["missing"]), tuple(a["unset_env"])) for a in answers
        ]


def build(directory: Path) -> Renderer:
    """Compile tests/gotemplate/main.go into ``directory``; fails (never skips) without Go."""
    go = shutil.which("go")
    assert go is not None, f"the Go toolchain is needed to check templates: {INSTALL_HINT}"
    environment = dict(os.environ, CGO_ENABLED="0", GO111MODULE="off", GOFLAGS="", GOTOOLCHAIN="local")
    home = os.environ.get("HOME", "")
    if not (home and os.path.isdir(home) and os.access(home, os.W_OK)):
        # Go keeps its build cache and GOPATH under $HOME; without a usable one, under directory.
        environment.setdefault("GOCACHE", str(directory / "gocache"))
        environment.setdefault("GOPATH", str(directory / "gopath"))
    binary = directory / "render"
    done = subprocess.run(
        [go, "build", "-o", str(binary), str(SOURCE)],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"go build of {SOURCE} failed:\n{done.stderr}"
    return Renderer(binary)


_renderer: Renderer | None = None


def use(renderer: Renderer) -> None:
    """Make ``render`` and ``render_many`` use this binary (the session fixture calls it)."""
    global _renderer
    _renderer = renderer


def default_renderer() -> Renderer:
    """The session's renderer; compiled into a temporary directory on first use if no fixture did."""
    if _renderer is None:
        directory = Path(tempfile.mkdtemp(prefix="gotemplate-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        use(build(directory))
    assert _renderer is not None
    return _renderer


def render(
    template: str,
    *,
    nomad: Catalog | None = None,
    consul: Catalog | None = None,
    env: Mapping[str, str] | None = None,
    variables: Mapping[str, Mapping[str, str]] | None = None,
) -> Rendered:
    """Parse and execute ``template`` as Nomad's template runner would (see the module docstring)."""
    request = Request(template, nomad or {}, consul or {}, env or {}, variables or {})
    (rendered,) = default_renderer().render_many([request])
    return rendered


def render_many(requests: Sequence[Request]) -> list[Rendered]:
    """Several templates in one process, answers in order."""
    return default_renderer().render_many(requests)
