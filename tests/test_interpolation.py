"""Compose interpolation.

Every expected value, warning and error below was printed by docker-compose v2.40.3
(``docker-compose -f FILE config --format json``, with the value under test as a service's
environment value and ``env -i`` plus the listed variables as the environment). Compose
re-escapes ``$`` as ``$$`` in its output; the values here have that undone. Our error
texts wrap Compose's wording into one line and add ``file:line:col``; where Compose
printed something else, the comment says what.
"""

from __future__ import annotations

from typing import Any

import pytest

from translator.compose.interpolation import Interpolator, cast_kind, render_path, substitute
from translator.findings import UNSET_VARIABLE, YAML11_BOOLEAN, Findings
from translator.source import InputError, Position
from translator.yamlsource import YamlMap, YamlSeq, load_single

POS = Position("compose.yaml", 7, 12)
WHERE = "services.web.environment.X"
NO_ENV: dict[str, str] = {}


def interpolate(template: str, env: dict[str, str] | None = None) -> tuple[str, Findings]:
    findings = Findings()
    result = Interpolator((env or {}).get, findings).string(template, POS, WHERE)
    return result, findings


def warned(findings: Findings) -> list[str]:
    return [f.message for f in findings.items]


# (template, environment, value docker-compose printed)
VALUES: list[tuple[str, dict[str, str], str]] = [
    # plain forms
    ("$A", {"A": "1"}, "1"),
    ("${A}", {"A": "1"}, "1"),
    ("x${A}y$A-z", {"A": "1"}, "x1y1-z"),
    ("$A_B", {"A": "1"}, ""),  # the name is A_B
    ("${A}_B", {"A": "1"}, "1_B"),
    ("${a}", {"a": "low"}, "low"),
    ("$A$B", {"A": "1", "B": "2"}, "12"),
    # $$ and lone dollars
    ("$$", {}, "$"),
    ("$$$A", {"A": "1"}, "$1"),
    ("$$${A}", {"A": "1"}, "$1"),
    ("$${A}", {"A": "1"}, "${A}"),
    ("$", {}, "$"),
    ("$1 $ $- ${S}x", {"S": "hello"}, "$1 $ $- hellox"),
    ("$ {A}", {}, "$ {A}"),
    ("$é", {}, "$é"),
    # :- and -
    ("${A:-def}", {}, "def"),
    ("${A:-def}", {"A": ""}, "def"),
    ("${A:-def}", {"A": "v"}, "v"),
    ("${A-def}", {}, "def"),
    ("${A-def}", {"A": ""}, ""),
    ("${A:-}", {}, ""),
    ("${A-x:-y}", {}, "x:-y"),
    ("${A-B-C}", {}, "B-C"),
    ("${A:--}", {}, "-"),
    # :+ and +
    ("${A:+alt}", {"A": "v"}, "alt"),
    ("${A:+alt}", {"A": ""}, ""),
    ("${A:+alt}", {}, ""),
    ("${A+alt}", {"A": ""}, "alt"),
    ("${A+alt}", {}, ""),
    ("${A:+${B}}", {"A": "1", "B": "2"}, "2"),
    # ? and :? when satisfied
    ("${A:?msg}", {"A": "ok"}, "ok"),
    ("${A?}", {"A": ""}, ""),
    # nesting
    ("${A:-${B:-x}}", {}, "x"),
    ("${A:-${B}}", {"B": "bee"}, "bee"),
    ("${A:-$B}", {"A": "", "B": "bee"}, "bee"),
    ("${A:-${B:-${C:-deep}}}-tail", {}, "deep-tail"),
    ("${A:-$$}", {}, "$"),
    ("${A:-$${B}}", {}, "${B}"),
    # braces inside arguments: the argument runs to the last "}" on the line, then is
    # cut at the first brace that balances, and the rest is expanded on its own
    ("${A:-{x}}", {}, "{x}"),
    ("${A:-{{x}}}", {}, "{{x}}"),
    ("${A:-a{b}c}", {}, "a{b}c"),
    ("${A:-{}", {}, "{"),
    ("${A:-{}}", {}, "{}"),
    ("${A:-x}}", {}, "x}"),
    ("${A:-}}", {}, "}"),
    ("${A:-x}y}", {}, "xy}"),
    ("${A:-\\}}", {}, "\\}"),
    ("${A:-$}x}", {}, "$x}"),
    ("${A:-a}b${C:-c}d}", {}, "abcd}"),
    ("${A:-x}\n${B:-y}", {}, "x\ny"),
    # Go matches names case-insensitively, and its case folding lets the long s and
    # the Kelvin sign stand for s and k
    ("${ſ:-d} ${K:-k}", {}, "d k"),
]


@pytest.mark.parametrize(("template", "env", "expected"), VALUES)
def test_values_match_docker_compose(template: str, env: dict[str, str], expected: str) -> None:
    assert interpolate(template, env)[0] == expected


# (template, environment, variables docker-compose warned about, in order)
WARNINGS: list[tuple[str, dict[str, str], list[str]]] = [
    ("${UNSET_ONE}", {}, ["UNSET_ONE"]),
    ("$UNSET_ONE", {}, ["UNSET_ONE"]),
    ("${A:-${B}}", {}, ["B"]),
    ("${A:-x} - ${B}", {}, ["B"]),
    # Arguments are expanded even when unused, so these still warn about B.
    ("${SETV:-${UNSET_TWO}}", {"SETV": "hello"}, ["UNSET_TWO"]),
    ("${A:+${B}}", {"A": "v"}, ["B"]),
    ("${A:+x${B}y}", {}, ["B"]),
    # The operators themselves never warn.
    ("${A:+alt}${B+alt}${C-x}${D:-x}", {}, []),
]


@pytest.mark.parametrize(("template", "env", "names"), WARNINGS)
def test_unset_warnings_match_docker_compose(template: str, env: dict[str, str], names: list[str]) -> None:
    _, findings = interpolate(template, env)
    assert warned(findings) == [f"variable {name} is not set; using an empty string" for name in names]


def test_unset_variable_finding() -> None:
    value, findings = interpolate("db-${HOST}:5432")
    assert value == "db-:5432"
    [finding] = findings.items
    assert finding.code == UNSET_VARIABLE == "L002"
    assert finding.position == POS
    assert finding.message == "variable HOST is not set; using an empty string"
    assert "--env-file" in finding.hint and ".env" in finding.hint and "${HOST:-value}" in finding.hint
    assert finding.line() == (
        "compose.yaml:7: warning L002: variable HOST is not set; using an empty string (hint: set HOST in "
        "the environment, in the project's .env file or in a file given with --env-file, or give it a "
        "default: ${HOST:-value})"
    )


def test_one_finding_per_variable_and_place() -> None:
    _, findings = interpolate("$HOST:${HOST}")
    assert len(findings) == 1


def test_empty_is_set() -> None:
    value, findings = interpolate("${A}", {"A": ""})
    assert value == ""
    assert len(findings) == 0


# (template, environment, message); docker-compose printed, for the first group,
#   invalid interpolation format for services.web.environment.X.
#   You may need to escape any $ with another $.
#   <template>
# on three lines; we print it on one.
INVALID: list[tuple[str, str]] = [
    ("${", "${"),
    ("${VAR", "${VAR"),
    ("ok ${A", "ok ${A"),
    ("a ${A:-x", "a ${A:-x"),
    ("${1abc}", "${1abc}"),
    ("${}", "${}"),
    ("${A:x}", "${A:x}"),
    ("${A.B}", "${A.B}"),
    ("${İ:-d}", "${İ:-d}"),
    ("${A:-x} ${", "${A:-x} ${"),
    ("${A-}${B", "${A-}${B"),
    # An argument cannot cross a line break.
    ("${A:-x\ny}", "${A:-x\\ny}"),
    # Compose names the string being expanded when it met the error: here the default...
    ("${A:-${B}", "${B"),
    # ...and here the text after the balancing brace, which is expanded on its own.
    ("${A:-x} ${}", " ${}"),
]


@pytest.mark.parametrize(("template", "shown"), INVALID)
def test_invalid_syntax_is_an_error(template: str, shown: str) -> None:
    with pytest.raises(InputError) as caught:
        interpolate(template)
    assert str(caught.value) == (
        f'compose.yaml:7:12: invalid interpolation format for {WHERE}: "{shown}"; '
        "you may need to escape any $ with another $"
    )
    assert "\n" not in str(caught.value)


# (template, environment, the text docker-compose printed after "error while interpolating X: ")
REQUIRED: list[tuple[str, dict[str, str], str]] = [
    ("${A:?x}", {}, "required variable A is missing a value: x"),
    ("${A:?}", {}, "required variable A is missing a value"),
    ("${A:?}", {"A": ""}, "required variable A is missing a value"),
    ("${A?oops}", {}, "required variable A is missing a value: oops"),
    ("${A:?must set ${B:-b}}", {}, "required variable A is missing a value: must set b"),
    ("${A??}", {}, "required variable A is missing a value: ?"),
    ("${A:?:?}", {}, "required variable A is missing a value: :?"),
    ("${A:?${B:?inner}}", {}, "required variable B is missing a value: inner"),
    # Eager arguments: the unused default still fails (compose-go changed this in 2026).
    ("${A:-${B:?inner}}", {"A": "set"}, "required variable B is missing a value: inner"),
]


@pytest.mark.parametrize(("template", "env", "message"), REQUIRED)
def test_required_variables(template: str, env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as caught:
        interpolate(template, env)
    assert str(caught.value) == f"compose.yaml:7:12: error while interpolating {WHERE}: {message}"


def test_required_message_warns_before_failing() -> None:
    # docker-compose printed the warning about B, then the error about A.
    findings = Findings()
    with pytest.raises(InputError, match=r"required variable A is missing a value$"):
        Interpolator(NO_ENV.get, findings).string("${A:?${B}}", POS, WHERE)
    assert warned(findings) == ["variable B is not set; using an empty string"]


def test_required_message_stays_on_one_line() -> None:
    with pytest.raises(InputError) as caught:
        interpolate("${A:?$B}", {"B": "two\nlines"})
    assert str(caught.value).endswith('required variable A is missing a value: "two\\nlines"')


def test_string_without_path() -> None:
    interpolator = Interpolator(NO_ENV.get, Findings())
    with pytest.raises(InputError) as caught:
        interpolator.string("${A:?no}", POS)
    assert str(caught.value) == "compose.yaml:7:12: required variable A is missing a value: no"


def test_referenced_and_unset_names() -> None:
    interpolator = Interpolator({"A": "1", "C": ""}.get, Findings())
    interpolator.string("$A ${B:-x} ${C:+y} $D $$E", POS)
    assert interpolator.referenced == {"A", "B", "C", "D"}
    assert interpolator.unset == {"D"}


def test_substitute_reports_unset_names() -> None:
    unset: list[str] = []
    assert substitute("$X-${Y:-y}-$Z", {"Z": "z"}.get, unset.append) == "-y-z"
    assert unset == ["X"]


# --- whole documents ---------------------------------------------------------------

DOCUMENT = """\
name: "${PROJECT:-demo}"
services:
  web:
    image: "nginx:${TAG}"
    ports:
      - "${PORT}:80"
    deploy:
      replicas: ${N}
    privileged: "yes"
    environment:
      ${KEY}: "$$literal"
      RETRIES: 3
    healthcheck:
      retries: "${R:-5}"
      test: ["CMD", "true"]
    ulimits:
      nofile: "${NOFILE:-1024}"
    x-note: "${MISSING}"
"""


def load(text: str) -> YamlMap:
    document = load_single(text, "compose.yaml")
    assert isinstance(document, YamlMap)
    return document


def interpolate_tree(text: str, env: dict[str, str]) -> tuple[Any, Findings]:
    document = load(text)
    findings = Findings()
    return Interpolator(env.get, findings).tree(document, document.pos), findings


def test_tree_matches_docker_compose() -> None:
    # docker-compose with PORT=8080 N=3 printed name "demo", image "nginx:", published
    # port "8080", replicas 3, privileged true, environment {"${KEY}": "$literal",
    # "RETRIES": "3"} (keys are not interpolated), healthcheck retries 5, ulimits nofile
    # 1024; it warned about MISSING, TAG and the "yes" boolean.
    result, findings = interpolate_tree(DOCUMENT, {"PORT": "8080", "N": "3"})
    web = result["services"]["web"]
    assert result["name"] == "demo"
    assert web["image"] == "nginx:"
    assert web["ports"] == ["8080:80"]
    assert web["deploy"]["replicas"] == 3
    assert web["privileged"] is True
    assert web["environment"] == {"${KEY}": "$literal", "RETRIES": 3}
    assert web["healthcheck"] == {"retries": 5, "test": ["CMD", "true"]}
    assert web["ulimits"] == {"nofile": 1024}
    assert web["x-note"] == ""
    assert sorted((f.code, f.position.line, f.message) for f in findings.items) == [
        ("L002", 4, "variable TAG is not set; using an empty string"),
        ("L002", 18, "variable MISSING is not set; using an empty string"),
        ("L007", 9, '"yes" was read as true, as Compose reads it; YAML 1.2 only knows true and false'),
    ]


def test_tree_keeps_types_positions_and_tags() -> None:
    text = "services:\n  web:\n    command: [a, '$X']\n    labels: !reset\n      k: v\n"
    document = load(text)
    result = Interpolator({"X": "x"}.get, Findings()).tree(document, document.pos)
    web, original = result["services"]["web"], document["services"]["web"]
    assert isinstance(web, YamlMap) and isinstance(web["command"], YamlSeq)
    assert web.pos == original.pos
    assert web.key_pos == original.key_pos and web.value_pos == original.value_pos
    assert web.tags == {"labels": "!reset"}
    assert web["command"] == ["a", "x"]
    assert web["command"].pos == original["command"].pos
    assert web["command"].item_pos == original["command"].item_pos
    assert original["command"] == ["a", "$X"]  # the input is left as it was


def test_tree_findings_point_at_each_value() -> None:
    text = "services:\n  web:\n    command:\n      - run\n      - --host=$HOST\n    image: x\n"
    _, findings = interpolate_tree(text, {})
    [finding] = findings.items
    assert (finding.position.line, finding.position.column) == (5, 9)


def test_tree_error_names_the_path_and_place() -> None:
    # docker-compose printed "invalid interpolation format for services.web.command.[]."
    text = 'services:\n  web:\n    image: x\n    command: ["a", "${"]\n'
    with pytest.raises(InputError) as caught:
        interpolate_tree(text, {})
    assert str(caught.value) == (
        'compose.yaml:4:20: invalid interpolation format for services.web.command[1]: "${"; '
        "you may need to escape any $ with another $"
    )


def test_tree_passes_other_scalars_through() -> None:
    result, _ = interpolate_tree("a: 1\nb: true\nc: null\nd: 1.5\n", {})
    assert result == {"a": 1, "b": True, "c": None, "d": 1.5}


def test_tree_of_plain_containers() -> None:
    interpolator = Interpolator({"X": "x"}.get, Findings())
    assert interpolator.tree({"a": ["$X", 2]}, POS) == {"a": ["x", 2]}
    assert interpolator.tree("$X", POS) == "x"


# --- conversion of typed fields ----------------------------------------------------


def convert(field: str, value: str) -> Any:
    """Interpolate ``services.web.<field>: "<value>"`` and return the result."""
    text = f'services:\n  web:\n    {field}: "{value}"\n'
    result, _ = interpolate_tree(text, {})
    return result["services"]["web"][field.split(":")[0]]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        # docker-compose printed these typed values for the quoted strings
        ("cpus", "1e-1", 0.1),
        ("privileged", "yes", True),
        ("read_only", "On", True),
        ("tty", "TRUE", True),
        ("scale", "+007", 7),
        ("cpus", "0x1p-2", 0.25),
    ],
)
def test_typed_fields_are_converted(field: str, value: str, expected: Any) -> None:
    assert convert(field, value) == expected


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        # docker-compose: strconv.Atoi: parsing "abc": invalid syntax
        ("scale", "abc", '"abc" is not an integer'),
        # docker-compose: strconv.Atoi: parsing "99999999999999999999": value out of range
        ("scale", "99999999999999999999", '"99999999999999999999" is out of range for an integer'),
        # docker-compose: strconv.ParseInt: parsing "1_0": invalid syntax
        ("cpu_count", "1_0", '"1_0" is not an integer'),
        # docker-compose: invalid boolean: maybe
        ("init", "maybe", '"maybe" is not a boolean; expected true or false'),
        # docker-compose: strconv.ParseFloat: parsing "1e39": value out of range
        ("cpus", "1e39", '"1e39" is out of range for a 32-bit number'),
        ("cpu_percent", "ten", '"ten" is not a number'),
    ],
)
def test_bad_typed_values_are_errors(field: str, value: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        convert(field, value)
    assert str(caught.value) == (
        f"compose.yaml:3:{7 + len(field)}: error while interpolating services.web.{field}: "
        f"failed to cast to expected type: {reason}"
    )


def test_untyped_fields_stay_strings() -> None:
    result, _ = interpolate_tree('services:\n  web:\n    environment:\n      N: "3"\n', {})
    assert result["services"]["web"]["environment"]["N"] == "3"


def test_yaml11_boolean_finding() -> None:
    result, findings = interpolate_tree('services:\n  web:\n    tty: "${T:-off}"\n', {})
    assert result["services"]["web"]["tty"] is False
    [finding] = findings.items
    assert finding.code == YAML11_BOOLEAN
    assert finding.path == "services.web.tty"
    assert finding.hint == "write false"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (("services", "web", "deploy", "replicas"), "int"),
        (("services", "web", "ports", 0, "target"), "int"),
        (("services", "web", "depends_on", "db", "required"), "bool"),
        (("services", "web", "ulimits", "nproc"), "int"),
        (("networks", "front", "external"), "bool"),
        (("services", "web", "ports", 0), None),
        (("services", "web", "ports", "x", "target"), None),
        (("x-services", "web", "privileged"), None),
    ],
)
def test_cast_kind(path: tuple[str | int, ...], kind: str | None) -> None:
    assert cast_kind(path) == kind


def test_render_path() -> None:
    assert render_path(("services", "web", "ports", 2, "target")) == "services.web.ports[2].target"
    assert render_path(()) == ""
