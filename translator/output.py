"""Writing jobspecs into a directory, and checking a directory for drift."""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from pathlib import Path

GENERATED_MARK = "# Translated from "


class RefusedError(Exception):
    """A write that would leave the output directory or replace a file translate did not write."""


def _safe_name(directory: Path, name: str) -> Path:
    # Job names are sanitised to [a-z0-9-]; this guards the directory whatever a name holds.
    if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
        raise RefusedError(f"refusing to write {name!r} outside {directory}")
    return directory / name


def is_generated(path: Path) -> bool:
    """Whether ``path`` looks like a file translate wrote (so it may be replaced)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            if path.suffix == ".json":
                document = json.load(handle)
                return isinstance(document, dict) and list(document) == ["Job"]
            return handle.readline().startswith(GENERATED_MARK)
    except (OSError, ValueError):
        return False


def write_documents(directory: Path, documents: dict[str, str], force: bool = False) -> list[Path]:
    """Write each document atomically (temporary file + rename); refuse foreign files unless ``force``."""
    targets = {name: _safe_name(directory, name) for name in documents}
    for target in targets.values():
        if target.exists() and not force and not is_generated(target):
            raise RefusedError(f"{target}: exists and was not written by translate; use --force to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in documents.items():
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, targets[name])
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        written.append(targets[name])
    return written


def drift(directory: Path, documents: dict[str, str]) -> str:
    """A unified diff from the files in ``directory`` to what the sources produce now ("" when equal)."""
    chunks: list[str] = []
    for name, text in sorted(documents.items()):
        target = _safe_name(directory, name)
        try:
            current = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = ""
        except OSError as err:
            raise RefusedError(f"{target}: cannot read: {err.strerror}") from None
        if current != text:
            chunks.extend(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=str(target) if target.exists() else "/dev/null",
                    tofile=str(target),
                )
            )
    return "".join(chunks)
