"""Loader errors and findings: one line naming file:line:col, snapshot per case; positions after merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.compose.loader import ComposeProject, LoadOptions, load_project
from translator.compose.normalize import split_command_dropping
from translator.source import InputError, Position

ERRORS: dict[str, dict[str, str]] = {
    "duplicate-key": {"compose.yaml": "services:\n  a:\n    image: x\n    image: y\n"},
    # Compose's YAML reads these plain scalars as times, and its schema takes a time nowhere
    "time-value": {"compose.yaml": "services:\n  a:\n    image: x\n    environment:\n      V: 2024-01-01\n"},
    "time-in-list": {
        "compose.yaml": "services:\n  a:\n    image: x\n    command: [run, 2024-1-5 10:00:00]\n"
    },
    "time-extended-service": {
        "compose.yaml": "services:\n  a:\n    extends:\n      file: base.yaml\n      service: b\n",
        "base.yaml": "services:\n  b:\n    image: x\n    labels:\n      built: 2024-01-01T10:00:00Z\n",
    },
    "mem-limit-twice": {
        "compose.yaml": "services:\n  a:\n    image: x\n    mem_limit: 1g\n    deploy:\n      resources:\n"
        "        limits:\n          cpus: '1'\n"
    },
    "bad-memory-size": {"compose.yaml": "services:\n  a:\n    image: x\n    mem_limit: 10x\n"},
    "number-key": {"compose.yaml": "services:\n  a:\n    image: x\n    labels:\n      1: one\n"},
    "boolean-key-in-extension": {"compose.yaml": "x-flags:\n  true: 1\nservices:\n  a:\n    image: x\n"},
    "time-key": {"compose.yaml": "services:\n  a:\n    image: x\n    environment:\n      2024-01-01: x\n"},
    "port-float": {"compose.yaml": "services:\n  a:\n    image: x\n    ports: [80.5]\n"},
    "service-not-mapping": {"compose.yaml": "services:\n  a: [1, 2]\n"},
    "extends-missing-service": {"compose.yaml": "services:\n  a:\n    extends: nope\n"},
    "extends-missing-file": {
        "compose.yaml": "services:\n  a:\n    extends:\n      file: base.yaml\n      service: b\n"
    },
    "extends-service-not-in-file": {
        "compose.yaml": "services:\n  a:\n    extends:\n      file: base.yaml\n      service: b\n",
        "base.yaml": "services:\n  c:\n    image: x\n",
    },
    "extends-cycle": {
        "compose.yaml": "services:\n  a:\n    extends: b\n  b:\n    extends: c\n  c:\n    extends: a\n"
    },
    "env-file-missing": {"compose.yaml": "services:\n  a:\n    image: x\n    env_file: missing.env\n"},
    "env-file-format": {
        "compose.yaml": "services:\n  a:\n    image: x\n    env_file:\n"
        "      - path: a.env\n        format: ini\n",
        "a.env": "A=1\n",
    },
    "depends-on-cycle": {
        "compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n"
        "    depends_on: [a]\n"
    },
    "include-cycle": {
        "compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n",
        "other.yaml": "include: [compose.yaml]\nservices:\n  b:\n    image: x\n",
    },
    "include-missing": {"compose.yaml": "include: [nope.yaml]\nservices:\n  a:\n    image: x\n"},
    "required-variable": {"compose.yaml": "services:\n  a:\n    image: ${TAG:?set TAG first}\n"},
    "profiles-not-a-list": {"compose.yaml": "services:\n  a:\n    image: x\n    profiles: debug\n"},
    "command-unclosed-quote": {"compose.yaml": "services:\n  a:\n    image: x\n    command: echo 'open\n"},
    "command-bare-parenthesis": {"compose.yaml": "services:\n  a:\n    image: x\n    command: echo (a)\n"},
    "depends-on-without-condition": {
        "compose.yaml": "services:\n  a:\n    image: x\n    depends_on:\n      b: {required: true}\n"
        "  b:\n    image: x\n"
    },
    "no-image": {"compose.yaml": "services:\n  a:\n    ports: ['80']\n"},
    "undefined-network": {"compose.yaml": "services:\n  a:\n    image: x\n    networks: [front]\n"},
    "undefined-volume": {"compose.yaml": "services:\n  a:\n    image: x\n    volumes: ['data:/var/lib']\n"},
    "volume-empty-source": {"compose.yaml": "services:\n  a:\n    image: x\n    volumes: [':/var/lib']\n"},
    "undefined-secret": {"compose.yaml": "services:\n  a:\n    image: x\n    secrets: [token]\n"},
    "healthcheck-test-kind": {
        "compose.yaml": "services:\n  a:\n    image: x\n    healthcheck:\n      test: [curl, -f, http://localhost]\n"
    },
    "scale-and-replicas-differ": {
        "compose.yaml": "services:\n  a:\n    image: x\n    scale: 2\n    deploy:\n      replicas: 3\n"
    },
    "container-name-with-replicas": {
        "compose.yaml": "services:\n  a:\n    image: x\n    container_name: one\n    scale: 2\n"
    },
    "network-mode-unknown-service": {
        "compose.yaml": "services:\n  a:\n    image: x\n    network_mode: service:vpn\n"
    },
    "undefined-dependency": {"compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [db]\n"},
    "dependency-left-out-by-profile": {
        "compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [db]\n"
        "  db:\n    image: y\n    profiles: [data]\n"
    },
    "include-service-conflict": {
        "compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n",
        "other.yaml": "services:\n  a:\n    image: y\n",
    },
    "include-network-conflict": {
        "compose.yaml": "include: [other.yaml]\nservices:\n  a:\n    image: x\n"
        "networks:\n  n: {driver: bridge}\n",
        "other.yaml": "services:\n  b:\n    image: y\nnetworks:\n  n: {}\n",
    },
    "platform-not-built": {
        "compose.yaml": "services:\n  a:\n    image: x\n    platform: linux/s390x\n    build:\n"
        "      context: .\n      platforms: [linux/amd64]\n"
    },
    "dockerfile-and-inline": {
        "compose.yaml": "services:\n  a:\n    build:\n      dockerfile: Dockerfile\n"
        "      dockerfile_inline: FROM alpine\n"
    },
    "unknown-service-key": {"compose.yaml": "services:\n  a:\n    image: x\n    start_on_create: true\n"},
    "unknown-top-level-key": {"compose.yaml": "services:\n  a:\n    image: x\nextra: 1\n"},
    "duration-without-unit": {
        "compose.yaml": "services:\n  a:\n    image: x\n    healthcheck:\n      timeout: 10\n"
    },
    "command-item-number": {"compose.yaml": "services:\n  a:\n    image: x\n    command: [sleep, 10]\n"},
    "user-number": {"compose.yaml": "services:\n  a:\n    image: x\n    user: 1000\n"},
    "dns-number": {"compose.yaml": "services:\n  a:\n    image: x\n    dns: 8\n"},
    "environment-item-number": {"compose.yaml": "services:\n  a:\n    image: x\n    environment: [5]\n"},
    "depends-on-twice": {
        "compose.yaml": "services:\n  a:\n    image: x\n    depends_on: [b, b]\n  b:\n    image: y\n"
    },
    "extra-hosts-twice": {
        "compose.yaml": "services:\n  a:\n    image: x\n    extra_hosts: ['h:1.1.1.1', 'h:1.1.1.1']\n"
    },
    "extra-hosts-bad-host": {
        "compose.yaml": "services:\n  a:\n    image: x\n    extra_hosts: ['=1.1.1.1']\n"
    },
    "service-key-empty": {
        "compose.yaml": "services:\n  a:\n    image: x\n    environment:\n      # none yet\n    command:\n"
    },
    "top-level-key-empty": {"compose.yaml": "services:\n  a:\n    image: x\nvolumes:\n  # none\n"},
    "project-name-empty": {"compose.yaml": "name: ${NO_SUCH_NAME}\nservices:\n  a:\n    image: x\n"},
    "port-host-not-an-ip": {
        "compose.yaml": "services:\n  a:\n    image: x\n    ports: ['localhost:8080:80']\n"
    },
    "network-mode-and-networks": {
        "compose.yaml": "services:\n  a:\n    image: x\n    network_mode: host\n    networks: [n]\n"
        "networks:\n  n: {}\n"
    },
    "healthcheck-key-misspelt": {
        "compose.yaml": "services:\n  a:\n    image: x\n    healthcheck:\n      test: [NONE]\n"
        "      intervall: 5s\n"
    },
    "port-key-misspelt": {
        "compose.yaml": "services:\n  a:\n    image: x\n    ports:\n"
        "      - target: 80\n        publish: 8080\n"
    },
    "bad-duration": {
        "compose.yaml": "services:\n  a:\n    image: x\n    healthcheck:\n      interval: soon\n"
    },
}


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "compose.yaml"


def _load(*paths: Path, project_name: str | None = None, consistency: bool = True) -> ComposeProject:
    options = LoadOptions(
        files=[str(p) for p in paths], environ={}, project_name=project_name, consistency=consistency
    )
    return load_project(options)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_message(case: str, tmp_path: Path, snapshot: object) -> None:
    compose = _write(tmp_path, ERRORS[case])
    with pytest.raises(InputError) as caught:
        _load(compose)
    message = str(caught.value).replace(str(tmp_path), "$DIR")
    assert "\n" not in message
    assert message == snapshot


def test_invalid_project_name_flag(tmp_path: Path) -> None:
    compose = _write(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n"})
    with pytest.raises(InputError, match="invalid project name 'Bad Name'"):
        _load(compose, project_name="Bad Name")


def _findings(project: ComposeProject) -> list[str]:
    return [f.line() for f in project.findings.sorted()]


def test_findings_for_profiles_dependencies_and_top_level(tmp_path: Path, snapshot: object) -> None:
    compose = _write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: x\n    depends_on: [db, ghost]\n"
            "  db:\n    image: y\n    profiles: [data]\n  api:\n    image: z\n    depends_on: [web]\n"
            "extra: 1\n"
        },
    )
    project = _load(compose, consistency=False)  # docker compose refuses it without --no-consistency
    assert sorted(project.services) == []
    lines = [line.replace(str(tmp_path), "$DIR") for line in _findings(project)]
    assert lines == snapshot


def test_positions_point_at_the_file_that_supplied_the_value(tmp_path: Path) -> None:
    base = _write(
        tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n    environment:\n      A: '1'\n"}
    )
    override = tmp_path / "override.yaml"
    override.write_text("services:\n  a:\n    environment:\n      B: ${UNSET}\n", encoding="utf-8")
    project = _load(base, override)
    env = project.services["a"]["environment"]
    assert (env.where("A").file, env.where("A").line) == (str(base), 5)
    assert (env.where("B").file, env.where("B").line) == (str(override), 4)
    (unset,) = [f for f in project.findings.items if f.code == "L002"]
    assert (unset.position.file, unset.position.line) == (str(override), 4)


def test_several_positional_files_merge_through_the_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from translator.cli import app

    base = _write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    ports: ['80']\n"})
    override = tmp_path / "prod.yaml"
    override.write_text("services:\n  web:\n    image: nginx:2\n", encoding="utf-8")
    result = CliRunner().invoke(app, [str(base), str(override), "-p", "demo"])
    assert result.exit_code == 0, result.output
    assert 'image = "nginx:2"' in result.output.replace("  ", "")


def test_no_consistency_loads_what_compose_refuses_and_reports_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from translator.api import translate
    from translator.cli import app

    compose = _write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx\n    networks: [front]\n"
            "    not_a_key: 1\n    depends_on: [ghost]\nbogus: true\n"
        },
    )
    refused = CliRunner().invoke(app, [str(compose)])
    assert refused.exit_code == 1
    assert "unknown top-level key 'bogus'" in refused.output
    loaded = CliRunner().invoke(app, [str(compose), "--no-consistency"])
    assert loaded.exit_code == 0, loaded.output
    codes = {f.code for f in translate([str(compose)], environ={}, consistency=False).findings}
    assert {"L001", "L003", "L009"} <= codes


def test_compose_project_name_must_be_valid(tmp_path: Path) -> None:
    compose = _write(tmp_path, {"compose.yaml": "services:\n  a:\n    image: x\n"})
    options = LoadOptions(files=[str(compose)], environ={"COMPOSE_PROJECT_NAME": "My App"})
    with pytest.raises(InputError, match="COMPOSE_PROJECT_NAME: invalid project name 'My App'"):
        load_project(options)


@pytest.mark.parametrize(
    ("text", "words", "dropped"),
    [
        ("npm install && npm start", ["npm", "install"], "&& npm start"),
        ("a;b", ["a"], ";b"),
        ("app --verbose 2>&1 | tee log", ["app", "--verbose"], "2>&1 | tee log"),
        ("run < input", ["run"], "< input"),
        ("echo 'a && b' \"c | d\"", ["echo", "a && b", "c | d"], ""),
        ("echo a\\&\\&b", ["echo", "a&&b"], ""),
    ],
)
def test_command_strings_split_as_compose_and_say_what_was_dropped(
    text: str, words: list[str], dropped: str
) -> None:
    assert split_command_dropping(text, Position("compose.yaml", 1, 1)) == (words, dropped)


def test_values_that_only_look_like_times_and_times_in_extensions_load(tmp_path: Path) -> None:
    compose = _write(
        tmp_path,
        {
            "compose.yaml": "x-release:\n  date: 2024-01-01\nservices:\n  a:\n    image: x\n"
            "    x-built: 2024-01-01T10:00:00Z\n    environment:\n      INVALID_DAY: 2023-02-29\n"
            "      NO_ZONE: 2024-01-01T10:00:00\n      QUOTED: '2024-01-01'\n      '1': quoted key\n"
        },
    )
    environment = _load(compose).services["a"]["environment"]
    assert dict(environment) == {
        "INVALID_DAY": "2023-02-29",
        "NO_ZONE": "2024-01-01T10:00:00",
        "QUOTED": "2024-01-01",
        "1": "quoted key",
    }


def test_kubernetes_reads_keys_and_times_as_kubectl_does() -> None:
    from translator.yamlsource import load_documents

    (document,) = load_documents("data:\n  1: x\n  when: 2024-01-01\n", "configmap.yaml")
    assert dict(document["data"]) == {"1": "x", "when": "2024-01-01"}
