"""Placeholder until the well-known image table lands (branch imageports)."""

from __future__ import annotations

from translator.records import record


@record(frozen=True)
class ImagePort:
    port: int
    protocol: str = "tcp"
    source: str = ""


def default_ports(image: str) -> tuple[ImagePort, ...]:
    name = image.split("@")[0].rsplit(":", 1)[0].removeprefix("docker.io/").removeprefix("library/")
    return {
        "redis": (ImagePort(6379, source="redis"),),
        "postgres": (ImagePort(5432, source="postgres"),),
    }.get(name, ())
