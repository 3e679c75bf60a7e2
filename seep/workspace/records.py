"""What a workspace's rows say: review statuses, label sources, an image's and a label
version's record, and how rows stamp time and name pixels."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from seep.errors import BadInputError

STATUSES = ("unlabelled", "predicted", "in_review", "corrected", "returned", "accepted")
# What people read: a corrected tile waits for a reviewer, who accepts or returns it.
STATUS_LABELS = {
    "unlabelled": "unlabelled",
    "predicted": "predicted",
    "in_review": "in review",
    "corrected": "awaiting review",
    "returned": "returned",
    "accepted": "accepted",
}
REVIEWED = ("corrected", "accepted")
# Nobody has corrected or judged these yet: a model may (re)predict them, and none needs a saved label.
UNREVIEWED = ("unlabelled", "predicted", "in_review")
SOURCES = ("imported", "predicted", "edited", "restored")
# How an analyst resolved a save conflict, as the history says it.
RESOLUTIONS = {"theirs": "kept theirs", "patch": "mine on top of theirs", "mine": "mine as is"}
# The review status a save leaves behind. Imported masks are ground truth from upstream,
# so they count as reviewed; an analyst's edit or restore is a correction.
STATUS_AFTER = {"imported": "accepted", "predicted": "predicted", "edited": "corrected", "restored": "corrected"}
PREDICT_ALL = "model"  # the author Predict all writes a model's prediction as a label under
MAX_COMMENT = 2000  # a note with a version, a reviewer's comment: a few sentences read on the tile


def clean_author(name: str | None) -> str:
    """Who saved a label, as it is kept: trimmed, and never empty or holding a control
    character (`seep history` and the audit trail print it as it is)."""
    author = (name or "").strip()
    if not author:
        raise BadInputError("a label needs an author; set your name in the sidebar or pass --author")
    if not author.isprintable():
        raise BadInputError(f"author {author!r} holds a control character (a newline, tab or escape)")
    return author


def acting(actor: str | None, doing: str) -> str:
    """Who does something the audit trail keeps (`doing`: "before removing a scene"), as
    clean_author keeps it; no name at all is asked for by what it is needed for."""
    if not str(actor or "").strip():
        raise BadInputError(f"say who you are (your name in the sidebar, or --author) {doing}")
    return clean_author(actor)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """The count with its noun, "1 image" or "2 images": a summary line reads as a sentence."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def first_few(names: list[str], n: int = 3) -> str:
    """The first `n` names, then how many more: "a, b, c and 4 more"."""
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def clean_note(text: str | None) -> str:
    """A note with a saved version (or an accept), as it is kept: trimmed. One line of plain
    text: `seep history` and the audit trail print it as it is."""
    note = (text or "").strip()
    if len(note) > MAX_COMMENT:
        raise BadInputError(f"the note has {len(note):,} characters; keep it under {MAX_COMMENT:,}; nothing was saved")
    if not note.isprintable():
        raise BadInputError("the note holds a control character (a newline, tab or escape); nothing was saved")
    return note


def timestamp() -> str:
    """Now in UTC to the millisecond, as every row of the workspace records it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def pixel_checksum(array: np.ndarray) -> str:
    """sha256 over dtype, shape and pixels: the same raster gets the same id in any file format."""
    h = hashlib.sha256(f"{array.dtype.str}|{array.shape}|".encode())
    h.update(np.ascontiguousarray(array).data)
    return h.hexdigest()


@dataclass(frozen=True)
class ImageRecord:
    id: str
    name: str
    scene: str
    checksum: str
    height: int
    width: int
    channels: int
    dtype: str
    file: str
    origin: str
    status: str
    head_version: int | None
    seep_pixels: int
    imported_at: str


@dataclass(frozen=True)
class LabelVersion:
    image_id: str
    version: int
    parent: int | None
    author: str
    source: str
    model_id: str | None
    restored_from: int | None
    created_at: str
    checksum: str
    file: str
    merged_from: int | None = None  # a resolved conflict: the version the analyst had opened
    resolution: str | None = None  # a resolved conflict: a key of RESOLUTIONS
    note: str = ""  # what the person who saved it wanted the next reader to know

    @property
    def describe(self) -> str:
        if self.source == "predicted":
            return f"predicted by model {self.model_id}"
        if self.source == "restored":
            return f"restored from v{self.restored_from}"
        if self.resolution:
            mine = f"v{self.merged_from}" if self.merged_from else "a prediction"
            return f"conflict resolved: {RESOLUTIONS[self.resolution]} (mine from {mine}, theirs v{self.parent})"
        return self.source
