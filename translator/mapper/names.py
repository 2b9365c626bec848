"""Names Nomad accepts: RFC 1123 labels for jobs, groups, tasks and services; env-safe port labels."""

from __future__ import annotations

import re

from translator import findings as codes
from translator.findings import Findings
from translator.model import Workload

_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
_LABEL_INVALID = re.compile(r"[^a-z0-9_]+")

MAX_NAME = 63


def dns_label(name: str, fallback: str = "app") -> str:
    """Lowercase ``[a-z0-9-]``, no edge dashes, at most 63 characters."""
    cleaned = _DASHES.sub("-", _INVALID.sub("-", name.lower())).strip("-")
    cleaned = cleaned[:MAX_NAME].rstrip("-")
    return cleaned or fallback


def port_label(text: str) -> str:
    """A label that is also a valid environment variable suffix: ``^[a-z_][a-z0-9_]*$``."""
    cleaned = _LABEL_INVALID.sub("_", text.lower()).strip("_")
    if not cleaned:
        return "port"
    if cleaned[0].isdigit():
        cleaned = f"port_{cleaned}"
    return cleaned


class NameSpace:
    """Hands out unique names in one scope; comparison ignores case."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, wanted: str, separator: str = "-") -> str:
        candidate = wanted
        n = 2
        while candidate.lower() in self.taken:
            suffix = f"{separator}{n}"
            candidate = wanted[: MAX_NAME - len(suffix)] + suffix
            n += 1
        self.taken.add(candidate.lower())
        return candidate

    def reserve(self, name: str) -> None:
        self.taken.add(name.lower())


def claim_reported(names: NameSpace, wanted: str, what: str, workload: Workload, findings: Findings) -> str:
    """A unique name from ``names``; a suffixed one is reported, since references to it change."""
    name = names.claim(wanted)
    if name != wanted:
        findings.add(
            codes.NAME_CLASH,
            workload.position,
            f"{what} name {wanted!r} is already used; this {what} is named {name!r}",
            subject=workload.name,
        )
    return name
