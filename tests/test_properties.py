"""Property tests: arbitrary valid projects translate exactly; arbitrary broken ones fail cleanly.

Every run either produces jobspecs that parse and in which each value reads back as it
went in, or stops with ``InputError`` (a one-line, positioned message). Anything else
(a traceback) is a bug.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import parse_hcl
from tests.test_exact_values import check_exact
from translator.api import translate_text
from translator.source import InputError

# Text YAML can carry: no surrogates; everything else, control characters included.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
service_names = st.text(string.ascii_lowercase + string.digits + "._-", min_size=1, max_size=20).map(
    lambda s: f"svc{s}"
)
# Env names as applications use them; python-hcl2 (the test's reader) mis-lexes quoted object keys
# made of punctuation such as ";", which HCL itself accepts.
env_keys = st.text(string.ascii_letters + string.digits + "_.-", min_size=1, max_size=20)
# python-hcl2 also cannot read an escaped "$${" or "%%{" that no "}" follows, which HCL itself
# reads as a literal; such values are covered by test_escape_of_unclosed_template_starts.
readable_text = any_text.filter(lambda s: not _UNCLOSED_TEMPLATE.search(s))


_UNCLOSED_TEMPLATE = re.compile(r"[$%]\{[^}]*$")
_NOT_RAW_IN_YAML = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def to_yaml(document: Any) -> str:
    """JSON is YAML; characters YAML would fold or refuse are written as escapes."""
    text = json.dumps(document, ensure_ascii=False)
    return _NOT_RAW_IN_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def compose_escape(value: str) -> str:
    """Compose interpolates ``$``: doubling it writes a literal one."""
    return value.replace("$", "$$")


@st.composite
def compose_projects(draw: st.DrawFn) -> tuple[str, dict[str, dict[str, Any]]]:
    """A valid Compose project as YAML text, and the values each service should carry."""
    names = draw(st.lists(service_names, min_size=1, max_size=4, unique=True))
    services: dict[str, Any] = {}
    expected: dict[str, dict[str, Any]] = {}
    for name in names:
        image = draw(readable_text.filter(lambda s: s.strip() != ""))
        env = draw(st.dictionaries(env_keys, readable_text, max_size=5))
        command = draw(st.none() | st.lists(readable_text, max_size=4))
        entrypoint = draw(st.none() | st.lists(readable_text, max_size=3))
        ports = draw(st.lists(st.integers(1, 65535), max_size=3, unique=True))
        service: dict[str, Any] = {"image": compose_escape(image)}
        if env:
            service["environment"] = {k: compose_escape(v) for k, v in env.items()}
        if command is not None:
            service["command"] = [compose_escape(c) for c in command]
        if entrypoint is not None:
            service["entrypoint"] = [compose_escape(e) for e in entrypoint]
        if ports:
            service["ports"] = [str(p) for p in ports]
        services[name] = service
        expected[name] = {"image": image, "env": env, "command": command, "entrypoint": entrypoint}
    return to_yaml({"services": services}), expected


@given(compose_projects())
def test_valid_projects_translate_and_read_back_exactly(case: tuple[str, dict[str, dict[str, Any]]]) -> None:
    text, expected = case
    result = translate_text(text, environ={})
    containers = {c.name: c for w in result.project.workloads for c in w.containers}
    for name, values in expected.items():
        container = containers[name]
        assert container.image == values["image"]
        assert {v.name: v.value for v in container.environment} == values["env"]
        assert container.command == values["command"]
        assert container.entrypoint == values["entrypoint"]
    check_exact(result)


# Arbitrary YAML values, to put in places where the schema expects something else.
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=10,
)
service_keys = st.sampled_from(
    [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose",
        "network_mode", "networks", "links", "depends_on", "deploy", "scale", "hostname", "extra_hosts",
        "dns", "dns_search", "restart", "volumes", "healthcheck", "profiles", "labels", "secrets",
        "container_name", "extends", "working_dir", "user",
    ]
)  # fmt: skip


def _expect_clean_outcome(text: str) -> None:
    try:
        result = translate_text(text, environ={})
    except InputError as err:
        message = str(err)
        assert "\n" not in message.strip() or message.count("\n") == 0, message
        assert err.position is not None
        return
    for jobspec in result.hcl.values():
        parse_hcl(jobspec)


@given(st.dictionaries(service_keys, yaml_values, max_size=4))
def test_wrong_types_in_a_service_fail_cleanly(service: dict[str, Any]) -> None:
    _expect_clean_outcome(to_yaml({"services": {"app": {"image": "busybox", **service}}}))


@given(yaml_values)
def test_any_document_fails_cleanly(document: Any) -> None:
    _expect_clean_outcome(to_yaml(document))


@given(any_text)
def test_any_text_fails_cleanly(text: str) -> None:
    _expect_clean_outcome(text)


@given(st.integers(0, 10_000))
def test_truncated_files_fail_cleanly(cut: int) -> None:
    from tests.helpers import compose_corpus_cases

    _, path = compose_corpus_cases()[cut % 26]
    text = path.read_text(encoding="utf-8")
    _expect_clean_outcome(text[: cut % (len(text) + 1)])


def _decode_hcl_quoted(literal: str) -> str:
    """Decode one HCL quoted string exactly as HCL's scanner does, refusing live template sequences."""
    assert literal.startswith('"') and literal.endswith('"')
    body, out, i = literal[1:-1], [], 0
    simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        if body.startswith("\\u", i):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif body[i] == "\\":
            out.append(simple[body[i + 1]])
            i += 2
        elif body.startswith(("$${", "%%{"), i):
            out.append(body[i + 1 : i + 3])
            i += 3
        else:
            assert not body.startswith(("${", "%{"), i), f"live template sequence in {literal}"
            out.append(body[i])
            i += 1
    return "".join(out)


@given(any_text)
def test_escape_of_unclosed_template_starts(value: str) -> None:
    from translator.emit.escape import hcl_config_string, hcl_string

    assert _decode_hcl_quoted(hcl_string(value)) == value
    # The driver's config: HCL's reading (Layer A), then its own template pass on the result (Layer C).
    assert _decode_template(_decode_hcl_quoted(hcl_config_string(value))) == value


def _decode_template(text: str) -> str:
    """One HCL template pass over already-unquoted text: only ``$${``/``%%{`` escapes apply."""
    assert not re.search(r"(?<![$%])[$%]\{", re.sub(r"([$%])\1\{", "", text)), text
    return text.replace("$${", "${").replace("%%{", "%{")
