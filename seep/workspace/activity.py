"""Who did what lately: per person, the tiles they corrected, the predictions they took as they
were, and the labels they accepted or returned as a reviewer, over the last days.

What a team lead reads at the morning's meeting (where the work went, who is stuck on returned
tiles), read from the label history and the reviews, never kept apart: nothing to fall out of step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from seep.errors import BadInputError
from seep.workspace.records import PREDICT_ALL
from seep.workspace.scenes import acquired_times, in_time_order
from seep.workspace.workspace import Workspace

PERIODS = (1, 7, 30, 365)  # days: today's work, the week, the month, the year
# A tile a batch labelled and its undo put back (predictions accepted on the grid by mistake):
# that version and verdict were taken back, no one's work.
_TAKEN_BACK = "SELECT 1 FROM batch_tiles t WHERE t.put_back = 1"


@dataclass
class Activity:
    person: str
    corrected: int = 0  # tiles they saved a label of: painted, restored or merged
    took_predictions: int = 0  # tiles whose prediction they accepted as it was
    accepted: int = 0  # others' labels they accepted as a reviewer (a colleague's, or a model's from Predict all)
    returned: int = 0  # labels they returned to their author
    last: str = ""  # when they last did any of it (ISO 8601 UTC)

    @property
    def tiles(self) -> int:
        return self.corrected + self.took_predictions


def team_activity(ws: Workspace, days: float, now: datetime | None = None) -> list[Activity]:
    """Everyone who labelled or reviewed in the last `days`, the latest active first."""
    if not 0 < days <= 36_500:
        raise BadInputError(f"{days:g} days: give a number of days above 0 (0.5: the last 12 hours) and at most 36,500")
    since = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="milliseconds")
    people: dict[str, Activity] = {}
    with ws.connect() as con:
        saved = con.execute(
            "SELECT author, source = 'predicted', count(DISTINCT image_id), max(created_at) FROM label_versions "
            "WHERE created_at >= ? AND author <> ? AND source IN ('edited', 'restored', 'predicted') AND NOT EXISTS "
            f"({_TAKEN_BACK} AND t.image_id = label_versions.image_id AND t.version = label_versions.version "
            "AND (t.before_version IS NULL OR t.before_version <> t.version)) GROUP BY author, source = 'predicted'",
            (since, PREDICT_ALL),  # Predict all writes a model's predictions under PREDICT_ALL: nobody's work
        ).fetchall()
        # A reviewer's own label accepted in the step that saved it judges nobody else's work.
        judged = con.execute(
            "SELECT r.reviewer, r.verdict, count(DISTINCT r.image_id), max(r.at) FROM reviews r "
            "JOIN label_versions v ON v.image_id = r.image_id AND v.version = r.version "
            f"WHERE r.at >= ? AND v.author <> r.reviewer AND NOT EXISTS ({_TAKEN_BACK} AND t.review_id = r.id) "
            "GROUP BY r.reviewer, r.verdict",
            (since,),
        ).fetchall()
    for person, predicted, tiles, last in saved:
        a = people.setdefault(person, Activity(person))
        if predicted:
            a.took_predictions = tiles
        else:
            a.corrected = tiles
        a.last = max(a.last, last)
    for person, verdict, tiles, last in judged:
        a = people.setdefault(person, Activity(person))
        setattr(a, verdict, tiles)
        a.last = max(a.last, last)
    return sorted(people.values(), key=lambda a: a.last, reverse=True)


def last_worked(ws: Workspace, person: str) -> str | None:
    """When `person` last saved a label or judged one (ISO 8601 UTC); None if never."""
    with ws.connect() as con:
        return con.execute(
            "SELECT max(at) FROM (SELECT max(created_at) AS at FROM label_versions WHERE author = ? "
            "UNION ALL SELECT max(at) FROM reviews WHERE reviewer = ?) AS t",
            (person, person),
        ).fetchone()[0]


def passes_since(ws: Workspace, when: str) -> list[str]:
    """The georeferenced scenes imported after `when`, earliest pass first: what came in since."""
    with ws.connect() as con:
        names = [r[0] for r in con.execute("SELECT name FROM scenes WHERE complete = 1 AND imported_at > ?", (when,))]
    return list(in_time_order(names, acquired_times(ws)))
