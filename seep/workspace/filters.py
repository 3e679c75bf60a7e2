"""ImageFilter: what Browse and the CLI filter and sort images on, as SQL over `images`."""

from __future__ import annotations

from dataclasses import dataclass

from seep.errors import BadInputError
from seep.workspace.records import REVIEWED, STATUSES


@dataclass(frozen=True)
class ImageFilter:
    """What Browse and the CLI filter on; None means 'any'."""

    status: tuple[str, ...] | None = None
    scene: tuple[str, ...] | None = None
    class_present: int | None = None  # in the head label
    name_contains: str | None = None
    has_prediction: bool | None = None  # by `model`
    model: str | None = None  # the model whose predictions the filter and sorts read
    returned_to: str | None = None  # returned tiles whose returned version this person saved
    blind_for: str | None = None  # tiles sent to this person for a blind label, still open
    adjudicate: bool = False  # tiles whose two blind labels are in, waiting for a reviewer
    noted: bool = False  # tiles whose newest label version came with a note
    saved_by: str | None = None  # tiles whose newest label version this person saved
    assigned_to: str | None = None  # tiles of the scenes handed out to this person
    acquired_since: str | None = None  # tiles of scenes acquired at or after this (ISO 8601 UTC): the new passes
    acquired_before: str | None = None  # ... and before this: the passes of a week, a month
    installation_km: float | None = None  # scene tiles within this of one of the team's installations
    sort: str = "name"  # a key of SORTS (below: the ORDER BY of each)
    queue_per_scene: int = 5  # most_useful: how many of each scene's most doubtful tiles come first

    def where(self) -> tuple[str, list]:
        clauses, args = [], []
        if self.status:
            bad = [s for s in self.status if s not in STATUSES]
            if bad:
                raise BadInputError(f"unknown review status {bad}; use one of {', '.join(STATUSES)}")
            clauses.append(f"status IN ({','.join('?' * len(self.status))})")
            args += list(self.status)
        if self.scene:
            clauses.append(f"scene IN ({','.join('?' * len(self.scene))})")
            args += list(self.scene)
        if self.class_present is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM label_classes lc WHERE lc.image_id = images.id "
                "AND lc.version = images.head_version AND lc.class_id = ?)"
            )
            args.append(int(self.class_present))
        if self.name_contains:
            clauses.append("lower(name) LIKE lower(?) ESCAPE '!'")  # LIKE: the same in SQLite and PostgreSQL
            args.append("%" + "".join("!" + ch if ch in "%_!" else ch for ch in self.name_contains) + "%")
        if self.returned_to is not None:
            clauses.append("status = 'returned' AND " + _HEAD_VERSION.format("lv.author = ?"))
            args.append(self.returned_to)
        if self.blind_for is not None:
            clauses.append(
                "id IN (SELECT r.image_id FROM blind_rounds r JOIN blind_labels b ON b.round_id = r.id "
                "WHERE r.closed_at IS NULL AND b.analyst = ?)"
            )
            args.append(self.blind_for)
        if self.adjudicate:
            clauses.append(
                "id IN (SELECT r.image_id FROM blind_rounds r WHERE r.closed_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM blind_labels b WHERE b.round_id = r.id AND b.saved_at IS NULL))"
            )
        if self.saved_by is not None:
            clauses.append(_HEAD_VERSION.format("lv.author = ?"))
            args.append(self.saved_by)
        if self.assigned_to is not None:
            clauses.append("scene IN (SELECT a.scene FROM assignments a WHERE a.person = ?)")
            args.append(self.assigned_to)
        if self.noted:
            clauses.append(_HEAD_VERSION.format("lv.note <> ''"))
        if self.acquired_since is not None:  # stored as 2025-03-02T03:14:07Z: as text, in time order
            clauses.append("scene IN (SELECT s.name FROM scenes s WHERE s.acquired >= ?)")
            args.append(self.acquired_since)
        if self.acquired_before is not None:
            clauses.append("scene IN (SELECT s.name FROM scenes s WHERE s.acquired < ?)")
            args.append(self.acquired_before)
        if self.installation_km is not None:  # measured by installations.measure_tiles, which the workspace runs first
            from seep.workspace.installations import NEAR_KM  # it reads the workspace, which reads this

            km = float(self.installation_km)
            if not 0 <= km <= NEAR_KM:
                raise BadInputError(f"an installation within {km:g} km: give 0 to {NEAR_KM} km")
            clauses.append("id IN (SELECT t.image_id FROM tile_installations t WHERE t.km <= ?)")
            args.append(km)
        if self.has_prediction is not None:
            clauses.append(
                ("" if self.has_prediction else "NOT ") + "EXISTS (SELECT 1 FROM predictions p "
                "WHERE p.image_id = images.id AND p.model_id = ?)"
            )
            args.append(self.model or "")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def order(self) -> str:
        if self.sort not in SORTS:
            raise BadInputError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if self.sort == "most_useful":
            if not (isinstance(self.queue_per_scene, int) and self.queue_per_scene >= 1):
                raise BadInputError(f"queue_per_scene {self.queue_per_scene!r}: give a whole number, at least 1")
            return SORTS["most_useful"].replace("PER_SCENE", str(self.queue_per_scene))
        return SORTS[self.sort]

    def order_args(self) -> list:
        """The model id for each prediction subquery of the sort."""
        return [self.model or ""] * self.order().count("?")


# The image's newest label version meets a condition on `lv` (who saved it, its note).
_HEAD_VERSION = (
    "EXISTS (SELECT 1 FROM label_versions lv WHERE lv.image_id = images.id AND lv.version = images.head_version AND {})"
)
# The model's prediction of an image, for the sorts that read it (one "?": ImageFilter.model).
_PREDICTED_SEEP = "(SELECT p.seep_pixels FROM predictions p WHERE p.image_id = images.id AND p.model_id = ?)"
_DOUBT = "(SELECT p.uncertainty FROM predictions p WHERE p.image_id = images.id AND p.model_id = ?)"
_SAVED = "(SELECT lv.created_at FROM label_versions lv WHERE lv.image_id = images.id AND lv.version = images.head_version)"
_DONE = f"(status IN ({', '.join(repr(s) for s in REVIEWED)}))"  # corrected or accepted: sorts after the rest

# ORDER BY clauses; every one ends in id so that pages never overlap. Images without a
# prediction by the model sort last in the prediction sorts.
SORTS = {
    "name": "name, id",
    "scene": "scene, name, id",
    "smallest_seep": "seep_pixels, name, id",
    "largest_seep": "seep_pixels DESC, name, id",
    # What the team did last, newest first (timestamps are UTC ISO text: they sort as they read);
    # tiles with no label last.
    "recently_saved": f"{_SAVED} IS NULL, {_SAVED} DESC, name, id",
    "largest_predicted": f"{_PREDICTED_SEEP} IS NULL, -{_PREDICTED_SEEP}, name, id",
    # Open sea first: the least predicted seep, the surest of it first. With the Prediction
    # overlay a reviewer accepts whole pages of these from the grid.
    "smallest_predicted": f"{_PREDICTED_SEEP} IS NULL, {_PREDICTED_SEEP}, {_DOUBT}, name, id",
    "least_confident": f"{_DOUBT} IS NULL, -{_DOUBT}, name, id",
    # The review queue: the PER_SCENE most doubtful tiles of each scene first, most doubtful
    # first (correcting them fixes the most pixels, and no scene crowds the others out), then
    # the rest by doubt. A window function: the same in SQLite and PostgreSQL, paged in SQL.
    # Tiles already corrected or accepted come after all the others, and the cap counts only
    # those still to review: once a scene's five are done, its next five move up.
    "most_useful": f"{_DONE}, {_DOUBT} IS NULL, "
    f"ROW_NUMBER() OVER (PARTITION BY scene, {_DONE} ORDER BY COALESCE({_DOUBT}, -1) DESC, name, id) > PER_SCENE, "
    f"-{_DOUBT}, name, id",
    # A tile of each scene in turn, each scene's in id order: blind to what is on them (an
    # id is its pixels' checksum), so the first N cover the scenes alike. The review
    # queue's most doubtful tiles hold a scene's big slicks: retrained in, they taught a
    # model nothing about the rest of their scenes, where five tiles a scene drawn like
    # this taught +0.03 binary IoU (models/EXPERIMENTS.md, "What corrections can teach at all").
    # Tiles already reviewed come last here too, so the sample goes on where the analyst left it.
    "teaching_sample": f"{_DONE}, ROW_NUMBER() OVER (PARTITION BY scene, {_DONE} ORDER BY id), id",
}


def reads_predictions(sort: str) -> bool:
    """Whether the sort orders images by a model's predictions (its ORDER BY takes the model id)."""
    return "?" in SORTS[sort]
