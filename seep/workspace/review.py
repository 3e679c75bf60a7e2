"""What a save or an accept on the Review page writes: one place for the rules, used by
the app and testable without it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seep.errors import BadInputError, ConflictError, NotFoundError
from seep.workspace import batches
from seep.workspace.accounts import record, record_in
from seep.workspace.agreement import open_round
from seep.workspace.records import MAX_COMMENT, RESOLUTIONS, STATUS_LABELS, LabelVersion, clean_note, timestamp
from seep.workspace.workspace import Workspace

RETURNABLE = ("corrected", "accepted")  # a person's version; a model's is corrected, not returned


@dataclass(frozen=True)
class Opened:
    """The mask an analyst opened in the editor."""

    image_id: str
    version: int | None  # label version loaded (None: the image had no label)
    source: str  # label | prediction | empty | blind (the analyst's own blind label)
    model_id: str | None = None  # for source = prediction
    round_id: int | None = None  # a blind round: a save goes to the analyst's blind label
    at: str | None = None  # for source = blind: when it was saved

    @property
    def mask_id(self) -> str:
        """Names the mask in the editor: it reloads when this changes, and keeps unsaved strokes
        per name in the tab (so a blind label never starts from strokes made outside it)."""
        blind = f":round{self.round_id}" if self.round_id is not None else ""
        return f"{self.image_id}:{self.source}:{self.version or self.model_id or self.at or 0}{blind}"


def to_open(
    head_version: int | None, opened: Opened | None, image_id: str, model_id: str | None, *, dirty: bool = False
) -> tuple[Opened, str | None]:
    """What the editor shows for an image, and a note for the analyst when it changed.

    What is open stays open until the analyst saves, reloads or leaves: a colleague's save
    must not swap the mask under their strokes. One exception: an untouched prediction (or
    an empty mask) follows the active model, so a promote or rollback shows the new model's
    prediction at the next rerun. With strokes on it, the old one stays, and the note says so."""
    if opened is None:
        if head_version is not None:
            return Opened(image_id, head_version, "label"), None
        if model_id is not None:
            return Opened(image_id, None, "prediction", model_id), None
        return Opened(image_id, None, "empty"), None
    stale = opened.source in ("prediction", "empty") and opened.model_id != model_id and model_id is not None
    if not stale:
        return opened, None
    if dirty:
        return opened, (
            f"The active model is now {model_id}; your strokes are on "
            + (f"model {opened.model_id}'s prediction" if opened.model_id else "an empty mask")
            + ". Save them, or discard them to see the new prediction."
        )
    return Opened(image_id, None, "prediction", model_id), f"The active model is now {model_id}: showing its prediction."


def save_edit(
    ws: Workspace,
    opened: Opened,
    mask: np.ndarray,
    *,
    author: str,
    dirty: bool,
    accept: bool = False,
    note: str = "",
    batch: int | None = None,
) -> LabelVersion:
    """A new version from the editor, with the analyst's note. An untouched prediction is
    recorded as the model's; anything the analyst changed is theirs. A colleague's save since
    it was opened raises ConflictError, for resolve_conflict. Recorded in `batch` (a grid
    accept), to undo it by."""
    from_prediction = opened.source == "prediction" and not dirty
    lv = ws.save_label(
        opened.image_id,
        mask,
        parent=opened.version,
        author=author,
        source="predicted" if from_prediction else "edited",
        model_id=opened.model_id if from_prediction else None,
        status="accepted" if accept else None,
        note=note,
        batch=batch,
    )
    if accept:
        _verdict(ws, lv.image_id, lv.version, author, "accepted", batch=batch)
    else:
        record(ws, author, "save", lv.image_id, f"v{lv.version} {lv.note}".strip())
    return lv


def accept(ws: Workspace, opened: Opened, mask: np.ndarray, *, author: str, dirty: bool, note: str = "") -> LabelVersion | None:
    """Accept what the editor shows. An untouched label only changes status (a note becomes the
    verdict's comment); a prediction or an edited mask is saved as a version, with the note, and
    accepted in the same step."""
    if opened.source == "label" and not dirty:
        _verdict(ws, opened.image_id, opened.version, author, "accepted", clean_note(note))
        return None
    return save_edit(ws, opened, mask, author=author, dirty=dirty, accept=True, note=note)


def accept_prediction(ws: Workspace, image_id: str, model_id: str, *, author: str, batch: int | None = None) -> None:
    """Accept model `model_id`'s prediction of a tile nobody has labelled, as it is, without
    opening it (Browse's grid: open sea the model rightly left empty is most of a scene).
    The tile's label becomes that prediction, accepted, as A does in Review. Refused,
    writing nothing, for a tile a person has labelled or is editing (in review), one in a
    blind round, and one the model has not predicted. Recorded in `batch`, to undo it by."""
    image = ws.image(image_id)
    if image.status not in ("unlabelled", "predicted"):
        raise BadInputError(f"{image.name} is {STATUS_LABELS[image.status]}: open it in Review to judge it")
    if open_round(ws, image.id) is not None:
        raise BadInputError(f"{image.name} is out for blind labels: it is adjudicated, not accepted")
    head = ws.version(image.id) if image.head_version is not None else None
    if head is not None and (head.source != "predicted" or head.model_id != model_id):
        raise BadInputError(f"{image.name}'s label is {head.describe}, not model {model_id}'s: open it in Review")
    try:
        if head is not None:  # Predict all's version: only the verdict is new
            _verdict(ws, image.id, head.version, author, "accepted", batch=batch)
            return
        got = ws.prediction(image.id, model_id)
        if got is None:
            raise BadInputError(f"model {model_id} has not predicted {image.name} yet")
        opened = Opened(image.id, None, "prediction", model_id)
        save_edit(ws, opened, got[0], author=author, dirty=False, accept=True, batch=batch)
    except ConflictError as e:
        raise ConflictError(
            f"{image.name} was saved by someone meanwhile: open it in Review", current_version=e.current_version
        ) from e


def acceptable_on_grid(records: list, model_id: str, predicted: set[str], heads: dict[str, LabelVersion]) -> set[str]:
    """Which of these tiles (a page of Browse, with the newest label version of each that has
    one) accept_prediction would take: nobody has labelled or is editing them, and the model's
    prediction is cached (what the card shows)."""
    fresh = [r for r in records if r.status in ("unlabelled", "predicted") and r.id in predicted]
    return {r.id for r in fresh if r.id not in heads or (heads[r.id].source == "predicted" and heads[r.id].model_id == model_id)}


@dataclass(frozen=True)
class GridAccept:
    done: int  # tiles accepted
    left: list[str]  # why each other one was not
    batch: int  # its record, to undo it by (seep.workspace.batches)


def accept_predictions(ws: Workspace, image_ids: list[str], model_id: str, *, author: str) -> GridAccept:
    """accept_prediction for each tile, each on its own, as one batch undone whole."""
    batch, done, left = batches.begin(ws, "grid", model_id, author), 0, []
    try:
        for image_id in image_ids:
            try:
                accept_prediction(ws, image_id, model_id, author=author, batch=batch)
                done += 1
            except (BadInputError, ConflictError, NotFoundError) as e:
                left.append(str(e))
    finally:
        batches.finish(ws, batch)
    return GridAccept(done, left, batch)


def opened_mask(ws: Workspace, opened: Opened) -> np.ndarray:
    """The mask the editor opened: the analyst's strokes are whatever differs from it."""
    image = ws.image(opened.image_id)
    if opened.source == "label":
        return ws.label(image.id, opened.version)[1]
    if opened.source == "prediction":
        got = ws.prediction(image.id, opened.model_id)
        if got is None:
            raise NotFoundError(
                f"model {opened.model_id}'s prediction of {image.name}, which your strokes started from, is no longer "
                "in the workspace, so your strokes cannot be told from it; choose 'mine as is' or 'keep theirs'"
            )
        return got[0]
    return np.zeros((image.height, image.width), np.uint8)


def on_top(theirs: np.ndarray, mine: np.ndarray, base: np.ndarray) -> np.ndarray:
    """My strokes as a patch onto their version: the pixels I changed from what I opened
    take my class, every other pixel keeps theirs."""
    return np.where(mine != base, mine, theirs)


def resolve_conflict(
    ws: Workspace,
    opened: Opened,
    mine: np.ndarray,
    *,
    theirs: int,
    how: str,
    author: str,
    accept: bool = False,
    note: str = "",
) -> LabelVersion:
    """A colleague saved v`theirs` while this analyst edited `opened`: save a new version on
    top of theirs that names both parents, keeping theirs, mine on top of theirs, or mine as
    is. Raises ConflictError again when yet another version was saved meanwhile."""
    if how not in RESOLUTIONS:
        raise BadInputError(f"unknown way to resolve a conflict {how!r}; use one of {', '.join(RESOLUTIONS)}")
    _, their_mask = ws.label(opened.image_id, theirs)
    mask = {
        "theirs": lambda: their_mask,
        "patch": lambda: on_top(their_mask, mine, opened_mask(ws, opened)),
        "mine": lambda: mine,
    }[how]()
    lv = ws.save_label(
        opened.image_id,
        mask,
        parent=theirs,
        author=author,
        source="edited",
        status="accepted" if accept else None,
        merged_from=opened.version,
        resolution=how,
        note=note,
    )
    record(ws, author, "resolve", lv.image_id, f"v{lv.version}: {RESOLUTIONS[how]} of v{theirs}")
    if accept:
        _verdict(ws, lv.image_id, lv.version, author, "accepted")
    return lv


def conflicts_over(ws: Workspace, image_id: str, analyst: str) -> list[tuple[LabelVersion, LabelVersion]]:
    """(resolution, the analyst's version it was saved on top of), newest first: what a
    colleague did with this analyst's work after a save conflict, since the analyst last saved."""
    versions = {v.version: v for v in ws.history(image_id)}
    told = []
    for v in sorted(versions.values(), key=lambda v: -v.version):
        if v.author == analyst:
            break
        over = versions.get(v.parent)
        if v.resolution and over is not None and over.author == analyst:
            told.append((v, over))
    return told


def restore(ws: Workspace, image_id: str, version: int, *, author: str) -> LabelVersion:
    """An old version made the newest again (as a new version), in the audit trail."""
    lv = ws.restore(image_id, version, author=author)
    record(ws, author, "restore", image_id, f"v{version} as v{lv.version}")
    return lv


@dataclass(frozen=True)
class Returned:
    """Why a tile came back: shown to the analyst on the tile."""

    reviewer: str
    version: int
    comment: str
    at: str


def return_tile(ws: Workspace, image_id: str, version: int, *, reviewer: str, comment: str) -> None:
    """Send the corrected `version` back to whoever saved it, with what to fix. Refused when
    someone saved a newer version since the reviewer looked (they judged another mask)."""
    comment = comment.strip()
    if not comment:
        raise BadInputError("say what to fix: a tile is returned with a comment for the analyst")
    if len(comment) > MAX_COMMENT:
        raise BadInputError(f"the comment has {len(comment):,} characters; keep it under {MAX_COMMENT:,}")
    image = ws.image(image_id)
    if image.status not in RETURNABLE:
        raise BadInputError(f"{image.name} is {STATUS_LABELS[image.status]}: only a tile an analyst corrected can be returned")
    _verdict(ws, image.id, version, reviewer, "returned", comment)


def last_return(ws: Workspace, image_id: str) -> Returned | None:
    """The comment of the newest return, while the tile is still returned."""
    with ws.connect() as con:
        row = con.execute(
            "SELECT r.reviewer, r.version, r.comment, r.at FROM reviews r JOIN images i ON i.id = r.image_id "
            "WHERE r.image_id = ? AND i.status = 'returned' AND r.verdict = 'returned' ORDER BY r.id DESC LIMIT 1",
            (image_id,),
        ).fetchone()
    return Returned(*row) if row else None


def last_accepted(ws: Workspace) -> dict[str, str]:
    """When each accepted tile was last accepted (image id -> time), in one query."""
    with ws.connect() as con:
        rows = con.execute("SELECT image_id, MAX(at) FROM reviews WHERE verdict = 'accepted' GROUP BY image_id").fetchall()
    return {image_id: at for image_id, at in rows}


def reviews(ws: Workspace, image_id: str) -> list[dict]:
    """Every verdict on a tile, newest first; one given on Browse's grid says so, and whether
    it was undone."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT id, at, reviewer, version, verdict, comment FROM reviews WHERE image_id = ? ORDER BY id DESC",
            (image_id,),
        ).fetchall()
    batched = batches.batched_verdicts(ws, image_id)
    verdicts = [dict(r) for r in rows]
    for r in verdicts:
        if how := batched.get(r.pop("id")):
            r["verdict"] += f" ({how})"
    return verdicts


def _verdict(
    ws: Workspace, image_id: str, version: int, reviewer: str, verdict: str, comment: str = "", batch: int | None = None
) -> None:
    """Status, verdict and audit entry in one transaction, for the version the reviewer saw,
    and the verdict's place in `batch` (grid accepts, seep.workspace.batches)."""
    with ws.connect(write=True) as con:
        head, before = con.execute("SELECT head_version, status FROM images WHERE id = ?", (image_id,)).fetchone()
        if head != version:
            raise ConflictError(
                f"v{head} was saved since you opened v{version}; look at the newest version first",
                current_version=head,
            )
        con.execute("UPDATE images SET status = ? WHERE id = ?", (verdict, image_id))
        review = con.execute(
            "INSERT INTO reviews (image_id, version, reviewer, verdict, comment, at) VALUES (?,?,?,?,?,?) RETURNING id",
            (image_id, version, reviewer, verdict, comment, timestamp()),
        ).fetchone()[0]
        record_in(con, reviewer, "accept" if verdict == "accepted" else "return", image_id, f"v{version} {comment}".strip())
        if batch is not None:  # the version's own record when the batch saved it, else a new one
            con.execute(
                "INSERT INTO batch_tiles (batch_id, image_id, version, before_version, before_status, review_id) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT (batch_id, image_id) DO UPDATE SET review_id = excluded.review_id",
                (batch, image_id, version, version, before, review),
            )
