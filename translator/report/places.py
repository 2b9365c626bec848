"""Where findings and workloads are shown from, shared by the full report and the CLI summary."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from translator.model import Workload


def owners(workloads: Iterable[Workload]) -> dict[str, str]:
    """Finding subject → workload: a workload's own name and each container's (a Compose service
    that joined another's network is reported under its own name)."""
    found: dict[str, str] = {}
    for workload in workloads:
        found.setdefault(workload.name, workload.name)
        for container in workload.containers:
            found.setdefault(container.name, workload.name)
    return found


def base_directory(files: list[str]) -> str:
    """Positions are shown relative to the directory holding the inputs: readable, and the same
    wherever the project is checked out."""
    real = [os.path.abspath(f) for f in files if f not in ("-", "") and not f.startswith("<")]
    if not real:
        return ""
    return os.path.commonpath([os.path.dirname(f) for f in real])


def shown(file: str, base: str) -> str:
    return _relative(file, base, os.getcwd())


@functools.lru_cache(maxsize=1024)
def _relative(file: str, base: str, cwd: str) -> str:
    """``cwd`` is part of the key because ``abspath`` depends on it."""
    if base and not file.startswith("<"):
        relative = os.path.relpath(os.path.abspath(file), base)
        if not relative.startswith(".."):
            return relative
    return file
