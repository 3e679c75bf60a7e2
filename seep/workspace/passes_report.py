"""The passes of a window of time (the morning's, a week's) in one report to send: a table of the
passes, earliest first, with their slicks and how far each is reviewed, then each pass's own
report (its map, slicks and close-ups), each on its own printed page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from seep.data.acquired import Window, shown
from seep.errors import BadInputError
from seep.workspace.gis import prediction_model
from seep.workspace.records import counted
from seep.workspace.report import SceneReport, mark_reported, page, scene_part, write_html
from seep.workspace.scenes import acquired_times, in_time_order, scene
from seep.workspace.workspace import Workspace


@dataclass(frozen=True)
class PassesReport:
    html: str
    passes: int
    slicks: int
    missing: int  # tiles of all the passes with no label (or no prediction)


def passes_in(ws: Workspace, window: Window = Window(), names: list[str] | None = None) -> list[str]:
    """The georeferenced scenes acquired in `window` (of `names`, where given), earliest first;
    a scene of unknown time only in the open window, after the others."""
    times = acquired_times(ws)
    pool = list(times) if names is None else names
    if unknown := [n for n in pool if n not in times]:
        raise BadInputError(f"no georeferenced scene {unknown[0]!r} in this workspace (`status --by-scene` lists them)")
    return list(in_time_order([n for n in pool if window.holds(times[n])], times))


def passes_report(
    ws: Workspace,
    names: list[str],
    source: str = "labels",
    model_id: str | None = None,
    *,
    window: Window = Window(),
    author: str = "",
    now: datetime | None = None,
) -> PassesReport:
    """One page for the passes `names` (in passes_in's order): their table, then each one's report."""
    if not names:
        raise BadInputError(f"no georeferenced scene {str(window) or 'in this workspace'}: nothing to report")
    model_id = prediction_model(ws, model_id) if source == "predictions" else None
    now = now or datetime.now(UTC)
    parts = [scene_part(ws, scene(ws, n), model_id, author=author, now=now) for n in names]
    title = f"Seeps in {counted(len(names), 'pass', 'passes')}"
    body = [_heading(title, window, model_id, author, now), _table(ws, names, parts, model_id)]
    body += [f"<section class='pass' id='pass-{i}'>{_demoted(p.html)}</section>" for i, p in enumerate(parts, 1)]
    return PassesReport(page(title, body), len(names), sum(p.slicks for p in parts), sum(p.missing for p in parts))


def write_passes_report(
    ws: Workspace, out: Path, names: list[str], source: str = "labels", model_id: str | None = None, **kw
) -> PassesReport:
    """Written whole or not at all, replacing only a report Seep wrote (as a scene's report)."""
    report = write_html(ws, out, source, model_id, lambda: passes_report(ws, names, source, model_id, **kw))
    mark_reported(ws, names, kw.get("author", ""))
    return report


def _heading(title: str, window: Window, model_id: str | None, author: str, now: datetime) -> str:
    whose = f"the predictions of model {model_id}, checked by no one" if model_id else "the current labels"
    written = f"{now.astimezone(UTC):%Y-%m-%d %H:%M} UTC" + (f" by {author}" if author else "") + " with Seep"
    said = [str(window)] if str(window) else []  # the passes chosen by name (or all) need no words: the table lists them
    sub = "; ".join([*said, f"outlines: {whose}", f"written {written}"])
    sub = sub[0].upper() + sub[1:]
    return f"<h1>{escape(title)}</h1><p class='sub'>{escape(sub)}</p>"


def _table(ws: Workspace, names: list[str], parts: list[SceneReport], model_id: str | None) -> str:
    """A row a pass: when, how many slicks and how much area, how far reviewed, where it is silent."""
    times = acquired_times(ws)
    head = [
        "#",
        "pass",
        "acquired",
        "slicks",
        "area km²",
        "tiles",
        "reviewed",
        "with no " + ("prediction" if model_id else "label"),
    ]
    rows = []
    for i, (name, part) in enumerate(zip(names, parts, strict=True), 1):
        area = f"{part.area_km2:.3f}" if part.area_km2 is not None else ""
        when = shown(times[name]) if times[name] else "unknown"
        cells = [escape(str(i)), f"<a href='#pass-{i}'>{escape(name)}</a>"]
        cells += [escape(str(c)) for c in (when, part.slicks, area, part.tiles, part.reviewed, part.missing)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<h2>The passes</h2><table class='passes'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _demoted(fragment: str) -> str:
    """A scene's report one heading level down, under this page's own. Only Seep's tags can match:
    every typed text in the fragment is escaped, so it holds no '<h'."""
    return fragment.replace("<h2>", "<h3>").replace("</h2>", "</h3>").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
