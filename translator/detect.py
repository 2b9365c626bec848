"""Tell Compose input from Kubernetes input by content.

Top-level ``services:`` is Compose; ``apiVersion`` and ``kind`` is Kubernetes. A directory is
Kubernetes (Compose input is named files). Standard input is read once here and handed on.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from translator.source import InputError, Position
from translator.yamlsource import MAX_FILE_BYTES, YamlMap, decode, load_documents, read_source

SOURCES = ("compose", "kubernetes")


def kind_of(text: str, filename: str) -> str | None:
    """``compose``, ``kubernetes``, or None when the first document is not a mapping."""
    for document in load_documents(text, filename):
        if document is None:
            continue
        if isinstance(document, YamlMap) and "apiVersion" in document and "kind" in document:
            return "kubernetes"
        # Any other mapping is left to the Compose loader, which knows every Compose file shape
        # (``services:``, or only ``include:``) and reports what is wrong with it.
        return "compose" if isinstance(document, YamlMap) else None
    return None


def detect_source(
    paths: Sequence[str], stdin_text: str | None, stdin_name: str = "<stdin>"
) -> tuple[str, str | None]:
    """The kind of input, and the standard input text if it had to be read to tell."""
    for path in paths:
        if path == "-":
            if stdin_text is None:
                data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise InputError(Position(stdin_name), f"input is larger than {MAX_FILE_BYTES:,} bytes")
                stdin_text = decode(data, stdin_name)
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
