"""Review's per-session state as a plain class: moving, leaving with unsaved strokes, a
conflict, throwing strokes away; no Streamlit needed."""

import numpy as np

from seep.ui.review_state import ReviewState
from seep.workspace.review import Opened


def test_moving_walks_the_list_round_and_forgets_what_was_open():
    state = {}
    rs = ReviewState(state, ["a", "b", "c"])
    rs.show("a")
    rs.opened["a"] = Opened("a", 1, "label")
    rs.go(-1)
    assert rs.image_id == "c" and "a" not in rs.opened and rs.position == 2
    rs.go(1)
    assert state["review_image"] == "a"  # the mapping is the session state


def test_unsaved_strokes_ask_before_leaving_and_stay_keeps_them():
    rs = ReviewState({}, ["a", "b"])
    rs.show("a")
    mask = np.ones((4, 4), np.uint8)
    rs.navigate(1, dirty=True, mask=mask)
    assert rs.image_id == "a" and rs.pending["kind"] == "leave" and rs.pending["mask"] is mask
    rs.stay()
    assert rs.pending is None and rs.image_id == "a"
    rs.navigate(1, dirty=False)
    assert rs.image_id == "b"


def test_discarding_changes_the_nonce_so_the_editor_reloads_and_drops_a_pending_conflict():
    rs = ReviewState({}, ["a"])
    rs.show("a")
    rs.opened["a"] = Opened("a", 1, "label")
    rs.ask_conflict(np.zeros((4, 4), np.uint8), current=2, accept=False)
    before = rs.nonce
    rs.discard()
    assert rs.nonce == before + 1 and rs.pending is None and "a" not in rs.opened


def test_a_blind_label_names_its_save_time_so_the_editor_reloads_after_a_save():
    first = Opened("a", None, "blind", round_id=3, at="2026-11-22T10:00:00")
    again = Opened("a", None, "blind", round_id=3, at="2026-11-22T10:05:00")
    assert first.mask_id != again.mask_id
    assert Opened("a", 2, "label").mask_id == "a:label:2"


def test_a_refusal_stays_until_the_analysts_next_action_on_that_tile():
    rs = ReviewState({}, ["a", "b"])
    rs.refuse("a", "", ValueError("say who you are first"))
    assert str(rs.refusal("a", "")) == "say who you are first"  # a rerun with no action keeps it
    assert rs.refusal("b", "") is None  # said of tile a only
    assert rs.refusal("a", "Nia") is None  # said to nobody: Nia has not tried yet
    rs.refuse("a", "", None)  # the next action went through
    assert rs.refusal("a", "") is None


def test_a_step_to_the_tile_beside_asks_before_leaving_unsaved_strokes_as_next_does():
    rs = ReviewState({}, ["a", "b", "c"])
    rs.show("a")
    rs.opened["a"] = Opened("a", 1, "label")
    mask = np.ones((4, 4), np.uint8)
    rs.navigate_to("x", dirty=True, mask=mask)  # a scene neighbour outside the list
    assert rs.image_id == "a" and rs.pending == {"kind": "leave", "to": "x", "mask": mask}
    rs.go_to(rs.pending["to"])  # "Discard and go" / "Save and go"
    assert rs.image_id == "x" and rs.pending is None and "a" not in rs.opened
    rs.show("b")
    rs.navigate(1, dirty=True)  # Next names its tile too
    assert rs.pending["to"] == "c"
