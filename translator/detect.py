"""Tell Compose input from Kubernetes input by content.

Top-level ``services:`` is Compose; ``apiVersion`` and ``kind`` is Kubernetes. A directory is
Kubernetes (Compose input is named files). Standard input is read once here and handed on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from translator.yamlsource import first_top_level_keys, read_source, read_stdin

SOURCES = ("compose", "kubernetes")


_KUBERNETES_KEYS = frozenset({"apiVersion", "kind"})
_COMPOSE_KEYS = frozenset({"services"})


def kind_of(text: str, filename: str) -> str | None:
    """``kubernetes`` when the first document has ``apiVersion`` and ``kind``, else ``compose``.

    Only the first document's top-level keys are read, and only until they decide. Anything
    else is left to the Compose loader, which knows every Compose file shape (``services:``,
    or only ``include:``) and reports what is wrong with the rest.
    """
    keys = first_top_level_keys(text, (_KUBERNETES_KEYS, _COMPOSE_KEYS))
    return "kubernetes" if keys >= _KUBERNETES_KEYS and "services" not in keys else "compose"


def detect_source(
    paths: Sequence[str], stdin_text: str | None, stdin_name: str = "<stdin>"
) -> tuple[str, str | None]:
    """The kind of input, and the standard input text if it had to be read to tell."""
    for path in paths:
        if path == "-":
            if stdin_text is None:
                stdin_text = read_stdin(stdin_name)
            found = kind_of(stdin_text, stdin_name)
        elif Path(path).is_dir():
            return "kubernetes", stdin_text
        elif Path(path).is_file():
            found = kind_of(read_source(path), path)
        else:
            continue  # the loader reports the missing file
        # Input that is neither (a list, a scalar) goes to the Compose loader, which says what is wrong.
        return found or "compose", stdin_text
    return "compose", stdin_text
