"""What the Review page remembers per browser session, as a plain class over a mapping
(st.session_state in the app, a dict in the tests): the tile on screen and the list it walks,
what the editor opened on each tile, a choice waiting for the analyst (leave with unsaved
strokes; a colleague saved first), and a nonce that throws unsaved strokes away."""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np


class ReviewState:
    def __init__(self, state: MutableMapping, ids: list[str] | None = None):
        self.state = state
        self.ids = ids or []

    @property
    def image_id(self) -> str | None:
        return self.state.get("review_image")

    def show(self, image_id: str) -> None:
        self.state["review_image"] = image_id

    @property
    def position(self) -> int:
        return self.ids.index(self.image_id)

    @property
    def opened(self) -> dict:
        """image id -> the seep.workspace.review.Opened the editor holds for it."""
        return self.state.setdefault("review_opened", {})

    @property
    def pending(self) -> dict | None:
        return self.state.get("review_pending")

    @property
    def nonce(self) -> int:
        """Part of the editor's mask id: a new one makes the editor reload its mask."""
        return self.state.setdefault("review_nonce", 0)

    def reopen(self) -> None:
        """Open the newest version next (after a save, a reload, or leaving the tile)."""
        self.opened.pop(self.image_id, None)
        self.state.pop("review_pending", None)

    def stepped(self, step: int) -> str:
        """The tile `step` places along the list from this one, round at its ends."""
        return self.ids[(self.position + step) % len(self.ids)]

    def go(self, step: int) -> None:
        self.go_to(self.stepped(step))

    def go_to(self, image_id: str) -> None:
        """Another tile: by a step along the list, or the tile beside this one in its scene."""
        self.reopen()
        self.show(image_id)

    def discard(self) -> None:
        """Throw the unsaved strokes away and open the newest version."""
        self.state["review_nonce"] = self.nonce + 1
        self.reopen()

    def ask_to_leave(self, to: str, mask: np.ndarray | None) -> None:
        """Unsaved strokes and a move to tile `to`: ask save / discard / stay (mask None: save not
        offered, the strokes never reached Python)."""
        self.state["review_pending"] = {"kind": "leave", "to": to, "mask": mask}

    def ask_conflict(self, mask: np.ndarray, current: int | None, accept: bool) -> None:
        """A colleague saved v`current` first: ask whether to load theirs or save mine on top."""
        self.state["review_pending"] = {"kind": "conflict", "mask": mask, "current": current, "accept": accept}

    def refusal(self, image_id: str, author: str) -> Exception | None:
        """The editor's last refusal on this tile for this analyst, kept until their next action
        there: a rerun that follows (the editor's own, another panel) must not wipe it unread."""
        kept = self.state.get("review_refusal")
        return kept[2] if kept and kept[:2] == (image_id, author) else None

    def refuse(self, image_id: str, author: str, error: Exception | None) -> None:
        """Remember a refusal (None: the last action went through)."""
        self.state["review_refusal"] = (image_id, author, error)

    def stay(self) -> None:
        self.state.pop("review_pending", None)

    def navigate(self, step: int, *, dirty: bool, mask: np.ndarray | None = None) -> None:
        self.navigate_to(self.stepped(step), dirty=dirty, mask=mask)

    def navigate_to(self, image_id: str, *, dirty: bool, mask: np.ndarray | None = None) -> None:
        if dirty:
            self.ask_to_leave(image_id, mask)
        else:
            self.go_to(image_id)
