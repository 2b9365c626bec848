"""``--keep-variables`` for Compose: which fields keep ``${NAME}``, and each variable's default.

A variable is kept only in the free-text fields that reach the jobspec as they are
(image, command, entrypoint, environment values, working_dir, user). Everywhere else it
is resolved as without the option; where the translator reads the value (ports,
durations, counts, health-check commands, network modes) a finding says so, and the
variable is then resolved at every use, so that one value serves them all.

A kept variable's default is the value Compose would use with the project's env files
and an empty process environment: the env files' value, else the first default written
(``${NAME:-x}``), else none for a required ``${NAME:?msg}``, else the empty string. The
process environment of the translating machine is never written into the jobspec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import TYPE_CHECKING

from translator import findings as codes
from translator.compose.interpolation import Path, report_unset
from translator.compose.normalize import split_command
from translator.findings import Findings
from translator.records import record
from translator.source import InputError, Position
from translator.variables import VALID_NAME, KeptVariable, Use, marker, replace_markers

if TYPE_CHECKING:
    from translator.compose.interpolation import Interpolator

# Field paths (below services.<name>) whose variables are kept; "[]" is any list index.
_KEPT_FIELDS = frozenset(
    {
        ("image",), ("command",), ("command", "[]"), ("entrypoint",), ("entrypoint", "[]"),
        ("environment", "*"), ("environment", "[]"), ("working_dir",), ("user",),
    }
)  # fmt: skip


# Fields (below services.<name>) that the translator reads: a variable resolved there fixes a value
# of the jobspec, which a finding says. Other fields are not translated (build, volumes, labels,
# ...): each has a finding of its own, and resolving their variables changes nothing.
_READ_FIELDS = frozenset(
    {
        "ports", "expose", "network_mode", "networks", "links", "depends_on", "scale", "hostname",
        "extra_hosts", "dns", "dns_search", "dns_opt", "restart", "healthcheck", "env_file", "extends",
        "profiles",
    }
)  # fmt: skip


def _read_field(path: Path) -> bool:
    if path[:1] in (("include",), ("name",)):
        return True
    if len(path) < 3 or path[0] != "services":
        return False
    return path[2] in _READ_FIELDS or path[2:4] == ("deploy", "replicas")


def _kept_field(path: Path) -> bool:
    if len(path) < 3 or path[0] != "services":
        return False
    rest = path[2:]
    if len(rest) == 2 and rest[0] == "environment":
        return ("environment", "[]" if isinstance(rest[1], int) else "*") in _KEPT_FIELDS
    shape = tuple("[]" if isinstance(part, int) else part for part in rest)
    return shape in _KEPT_FIELDS


@record
class VariableKeeper:
    """Collects the uses of kept variables across every file of a project."""

    findings: Findings
    # Variables resolved at every use, with where one use could not be kept (a second load).
    unkept: Mapping[str, str] = field(default_factory=dict)
    file_values: Mapping[str, str] = field(default_factory=dict)  # env-file values in this scope
    uses: dict[str, list[Use]] = field(default_factory=dict)  # shared by every scope
    resolved: dict[str, str] = field(default_factory=dict)  # name → first field it was resolved in

    def scoped(self, file_values: Mapping[str, str]) -> VariableKeeper:
        """The same collection, for a file that sees other env files (an included project)."""
        return VariableKeeper(self.findings, self.unkept, file_values, self.uses, self.resolved)

    def conflicts(self) -> dict[str, str]:
        """Variables kept at some uses and resolved at others: one value must serve them all, so
        the project is loaded again with these resolved everywhere."""
        return {name: where for name, where in self.resolved.items() if name in self.uses}

    def interpolate(
        self,
        interpolator: Interpolator,
        text: str,
        position: Position,
        path: Path,
        where: str,
        free_text: bool,
    ) -> str:
        """``text`` interpolated, its variables kept where the field allows it."""
        if not (free_text and _kept_field(path)):
            if not _read_field(path):
                return interpolator.string(text, position, where)
            reason = "the translator reads this field's value"
            return self._resolved(interpolator, text, position, where, reason)
        if path[-2] == "environment" and isinstance(path[-1], int):  # "KEY=value": keep in the value
            key, equals, value = text.partition("=")
            if not equals or "$" in key:
                return self._resolved(
                    interpolator, text, position, where, "it is part of the variable's name"
                )
            return key + equals + self._kept(interpolator, value, position, where)
        if len(path) == 3 and path[2] in ("command", "entrypoint"):  # a string Compose splits into words
            return self._kept(interpolator, text, position, where, splits=True)
        return self._kept(interpolator, text, position, where)

    def _kept(
        self, interpolator: Interpolator, text: str, position: Position, where: str, splits: bool = False
    ) -> str:
        pending: list[tuple[str, Use]] = []

        def hook(name: str, operator: str, argument: str) -> str | None:
            if name in self.unkept:
                reason = f"it is also used in {self.unkept[name]}, where it cannot stay a variable"
                self._note(position, where, name, reason)
                return None
            if operator.endswith("+"):
                self._note(position, where, name, f"${{{name}{operator}...}} has no Nomad equivalent")
                return None
            if not VALID_NAME.fullmatch(name):
                self._note(position, where, name, f"{name!r} is not a valid Nomad variable name")
                return None
            pending.append((name, Use(position, where, operator, argument, self.file_values.get(name))))
            return marker(name)

        result = interpolator.string(text, position, where, hook)
        if splits and pending and not _splits_alike(result, pending):
            reason = "its value has spaces or quotes, and Compose splits a command string into words"
            return self._resolved(interpolator, text, position, where, reason)
        for name, use in pending:
            self.uses.setdefault(name, []).append(use)
        return result

    def _resolved(
        self, interpolator: Interpolator, text: str, position: Position, where: str, reason: str
    ) -> str:
        def hook(name: str, operator: str, argument: str) -> None:
            self._note(position, where, name, reason)

        return interpolator.string(text, position, where, hook)

    def _note(self, position: Position, where: str, name: str, reason: str) -> None:
        self.resolved.setdefault(name, where)
        self.findings.add(
            codes.VARIABLE_RESOLVED,
            position,
            f"${{{name}}} in {where} was resolved at translation time: {reason}",
            "the value is fixed in the jobspec; to change it, translate again with the new value",
            path=where,
        )

    def finish(self) -> list[KeptVariable]:
        """The jobspec's variables, by name, each with its default (reported by the mapper)."""
        return [self._variable(name, self.uses[name]) for name in sorted(self.uses)]

    def _variable(self, name: str, uses: list[Use]) -> KeptVariable:
        variable = KeptVariable(name, uses[0].position, uses=list(uses))
        from_files = next((u for u in uses if u.file_value is not None), None)
        written = next((u for u in uses if u.operator in (":-", "-")), None)
        required = next((u for u in uses if u.operator in (":?", "?")), None)
        if from_files is not None:
            variable.default, variable.origin = from_files.file_value, "from the project's env files"
        elif written is not None:
            variable.default, variable.origin = written.argument, f"as written at {written.position.short}"
        elif required is not None:
            variable.default, variable.required = None, required
        else:
            variable.default, variable.origin = "", "it is not set in the project's env files"
            for use in uses:
                report_unset(self.findings, name, use.position)
        for use in uses:
            use.compose_value = _compose_value(use)
        return variable


def _splits_alike(kept: str, pending: list[tuple[str, Use]]) -> bool:
    """Whether splitting ``kept`` into words and then filling in the values gives the words Compose
    gets by filling in first: then each kept variable stays inside its word."""
    values = {name: _likely_value(use) for name, use in pending}
    try:
        direct = split_command(replace_markers(kept, values.__getitem__), Position("-"))
        words = split_command(kept, Position("-"))
    except InputError:
        return False  # the loader reports the command when it splits it
    return direct == [replace_markers(word, values.__getitem__) for word in words]


def _likely_value(use: Use) -> str:
    if use.file_value is not None:
        return use.file_value
    return use.argument if use.operator in (":-", "-") else ""


def _compose_value(use: Use) -> str | None:
    """What Compose substitutes at ``use`` with only the env files set; None for a failure (``:?``)."""
    value, argument = use.file_value, use.argument
    if use.operator == ":-":
        return value or argument
    if use.operator == "-":
        return argument if value is None else value
    if use.operator == ":?":
        return value or None
    if use.operator == "?":
        return value
    return value or ""
