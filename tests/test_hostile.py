"""Named hostile inputs: each ends in bounded time with a clean, positioned error (or exact output)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import FIXTURES, ROOT
from translator.api import translate, translate_text
from translator.cli import EXIT_INPUT, EXIT_OK, app
from translator.source import InputError
from translator.yamlsource import MAX_FILE_BYTES

runner = CliRunner()

BILLION_LAUGHS = "services:\n  a:\n    image: x\n" + "".join(
    f"x-l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else '1'}]\n" for i in range(10)
)


def error_of(text: str) -> str:
    with pytest.raises(InputError) as caught:
        translate_text(text, "hostile.yaml", environ={})
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_alias_bomb_is_refused() -> None:
    message = error_of(BILLION_LAUGHS)
    assert message.startswith("hostile.yaml:")
    assert "alias bomb" in message


def test_deep_nesting_is_refused() -> None:
    message = error_of("services:\n  a:\n    image: x\nx-deep: " + "[" * 5000 + "]" * 5000 + "\n")
    # libyaml stops first (at depth 1000); deeper block nesting stops at the tool's own bound.
    assert message.startswith("hostile.yaml:4:1008: invalid YAML: exceeded maximum nesting depth")


def test_deep_block_nesting_is_refused() -> None:
    nested = "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(600)) + "  " * 601 + "v\n"
    message = error_of("services:\n  a:\n    image: x\nx-deep:\n" + nested)
    assert "nesting deeper than 400 levels" in message


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "compose.yaml"
    with big.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError) as caught:
        translate([str(big)], environ={})
    assert f"expected at most {MAX_FILE_BYTES:,}" in str(caught.value)


def test_file_that_is_not_utf8() -> None:
    with pytest.raises(InputError) as caught:
        translate([str(FIXTURES / "hostile" / "latin1.yaml")], environ={})
    assert str(caught.value).endswith(
        "latin1.yaml:3:15: file is not valid UTF-8 text; expected a UTF-8 YAML file"
    )


def test_utf8_bom_is_accepted() -> None:
    result = translate_text("\ufeffservices:\n  a:\n    image: busybox\n", environ={})
    assert [w.name for w in result.project.workloads] == ["a"]


def test_tab_indentation() -> None:
    assert error_of("services:\n\ta:\n\t\timage: x\n").startswith("hostile.yaml:2:1: invalid YAML")


def test_nul_byte() -> None:
    message = error_of("services:\n  a:\n    image: x\x00y\n")
    assert (
        message
        == "hostile.yaml:3:13: invalid YAML: control character U+0000 is not allowed; expected printable text"
    )


def test_duplicate_keys() -> None:
    message = error_of("services:\n  a:\n    image: x\n    image: y\n")
    assert (
        message == "hostile.yaml:4:5: duplicate key 'image' (first defined at line 3); expected each key once"
    )


def test_merge_key_of_a_scalar() -> None:
    assert "merge key '<<' expects a mapping" in error_of("x: &s text\nservices:\n  a:\n    <<: *s\n")


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!custom"])
def test_code_execution_tags_are_never_constructed(tag: str) -> None:
    assert "unsupported YAML tag" in error_of(f"services:\n  a:\n    image: {tag} ['echo pwned']\n")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs", "a b", 'quo"te'])
def test_service_names_that_would_escape(name: str) -> None:
    assert "invalid service name" in error_of(f"services:\n  {name!r}:\n    image: x\n")


@pytest.mark.parametrize(
    "project", ["../../evil", "/abs/path", "new\nline", 'q"uote', "nul\x00byte", "..", "-"]
)
def test_output_stays_inside_the_directory(tmp_path: Path, project: str) -> None:
    out_dir = tmp_path / "out"
    result = runner.invoke(
        app, ["-", "-p", project, "-o", str(out_dir)], input="services:\n  a:\n    image: x\n"
    )
    if result.exit_code == EXIT_OK:
        written = list(out_dir.iterdir())
        assert len(written) == 1
        assert written[0].parent == out_dir
        assert written[0].name.endswith(".nomad.hcl")
    else:
        assert result.exit_code == EXIT_INPUT
    assert sorted(p.name for p in tmp_path.iterdir()) in (["out"], [])


def test_output_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    source = str(FIXTURES / "compose" / "ports-long" / "compose.yaml")
    for _ in range(3):
        assert runner.invoke(app, [source, "-o", str(tmp_path)]).exit_code == EXIT_OK
    assert [p.name for p in tmp_path.iterdir()] == ["ports-long.nomad.hcl"]


def _run_with_seed(seed: str, path: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "translator", str(path)]
    return subprocess.run(command, capture_output=True, env=env, cwd=ROOT, check=True).stdout


def test_output_does_not_depend_on_hash_seed() -> None:
    path = FIXTURES / "compose" / "unknown-keys" / "compose.yaml"
    assert _run_with_seed("1", path) == _run_with_seed("2", path) == _run_with_seed("12345", path)


def test_key_order_does_not_change_the_job() -> None:
    a_first = "  a:\n    ports: ['80']\n    image: y\n"
    a_second = "  a:\n    image: y\n    ports: ['80']\n"
    first = "services:\n  b:\n    image: x\n    environment: {B: 1, A: 2}\n" + a_first
    second = "services:\n" + a_second + "  b:\n    environment: {A: 2, B: 1}\n    image: x\n"

    def without_comments(text: str) -> list[str]:  # comments name source lines, which moved
        return [line for line in text.splitlines() if not line.lstrip().startswith("#")]

    (one,) = translate_text(first, environ={}).hcl.values()
    (two,) = translate_text(second, environ={}).hcl.values()
    assert without_comments(one) == without_comments(two)


def test_symlink_loop_in_a_kubernetes_directory(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    (manifests / "apps").mkdir(parents=True)
    (manifests / "apps" / "loop").symlink_to(manifests, target_is_directory=True)
    (manifests / "apps" / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n"
        "spec:\n  containers: [{name: web, image: nginx}]\n",
        encoding="utf-8",
    )
    result = translate([str(manifests)], environ={})
    assert list(result.hcl) == ["web"]  # read once, and the walk ends
