"""A Mermaid flowchart of who reaches whom, as GitHub and GitLab render it.

Node ids are generated (``w1``, ``w2``, … in workload order), never taken from names: names hold
dots and dashes, and words like ``end`` or ``graph`` that Mermaid reads as keywords. Names appear
only inside quoted labels, with the characters that would end a label replaced by entities.
"""

from __future__ import annotations

from translator.report.model import FORWARDERS, Edge

EXTERNAL = "external"  # the pseudo-workload for clients outside the cluster

# Mermaid entity codes for the characters that end or break a quoted label.
_ENTITIES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "#": "#35;", "`": "#96;"}

# Arrow per kind: solid for rewritten addresses and published ports, dashed for a served name (the
# application still dials the name) and for start-up order only; their labels tell the two apart.
_ARROW = {"name": "-.->", "depends_on": "-.->"}


def label(text: str) -> str:
    """Text safe inside ``"…"`` in a Mermaid label (one line)."""
    text = " ".join(text.split())
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def flowchart(workloads: list[str], edges: list[Edge]) -> str:
    """``flowchart LR`` with one node per workload (plus the outside when something is published)."""
    ids = {name: f"w{i}" for i, name in enumerate(workloads, start=1)}
    lines = ["flowchart LR"]
    if any(e.source == EXTERNAL for e in edges):
        ids[EXTERNAL] = "ext"
        lines.append('  ext(["clients outside the cluster"])')
    for name in workloads:
        lines.append(f'  {ids[name]}["{label(name)}"]')
    for edge in edges:
        if edge.source not in ids or edge.target not in ids:
            continue  # a reference to something outside the project: shown in the tables instead
        text = _text(edge)
        arrow = _ARROW.get(edge.kind, "-->")
        lines.append(f'  {ids[edge.source]} {arrow}|"{label(text)}"| {ids[edge.target]}')
    return "\n".join(lines) + "\n"


def _text(edge: Edge) -> str:
    """``5432 · nomad`` for a rewritten address; ``name :5432 · nginx`` for a served name."""
    if edge.kind == "name":
        parts = ["name :" + edge.port if edge.port else "name", FORWARDERS.get(edge.mode, edge.mode)]
    else:
        parts = [edge.port, edge.mode]
    return " · ".join(part for part in parts if part)
