"""Secret values never reach a report.

The jobspec must carry values exactly (the application needs them); the report is read, pasted
into tickets and attached to CI runs, so anything that looks secret is masked there: values of
variables whose names look like credentials, passwords inside URLs, and every occurrence of such
a value anywhere else in the report's text (a message quoting it, say).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from translator.secret_names import looks_secret

if TYPE_CHECKING:
    from translator.api import Result


MASK = "********"

# scheme://user:password@host — the password part.
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s/]+)(?=@)")
_MIN_SCRUBBED = 4  # shorter values ("1", "yes") would mask unrelated text


def mask_value(name: str, value: str) -> str:
    """The value as a report may show it."""
    if looks_secret(name) and value:
        return MASK
    return mask_urls(value)


def mask_urls(text: str) -> str:
    if "://" not in text:  # the cheap test first: most report text holds no URL
        return text
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)


class Scrubber:
    """Replaces known secret values in any text (longest first, so overlapping values mask fully)."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = sorted({v for v in values if len(v) >= _MIN_SCRUBBED}, key=lambda v: (-len(v), v))

    def __call__(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, MASK)
        return mask_urls(text)


def secret_values(result: Result) -> list[str]:
    """Values that must not appear anywhere in the report."""
    return [
        var.value
        for workload in result.project.workloads
        for container in workload.containers
        for var in container.environment
        if var.secret is None and var.runtime is None and looks_secret(var.name)
    ]


def report_text(result: Result) -> tuple[Callable[[str], str], bool]:
    """What every string shown in a report (or the CLI summary) goes through: secret values
    masked, then kept variables (``--keep-variables``) read as ``${NAME}``; and whether that can
    change a string that holds no URL (False: no secret values, no kept variables)."""
    scrubber = Scrubber(secret_values(result))
    if result.project.variables:  # markers read as ${NAME} (translator/variables.py)
        from translator.variables import shown

        return (lambda text: shown(scrubber(text))), True
    return scrubber, bool(scrubber.values)
