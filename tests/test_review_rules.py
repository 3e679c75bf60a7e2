"""What the Review page opens and writes, without Streamlit."""

import pytest

from seep.workspace.review import Opened, to_open

pytestmark = pytest.mark.usefixtures("store")


def test_a_new_visit_opens_the_label_else_the_prediction_else_nothing():
    assert to_open(3, None, "i", "m1") == (Opened("i", 3, "label"), None)
    assert to_open(None, None, "i", "m1") == (Opened("i", None, "prediction", "m1"), None)
    assert to_open(None, None, "i", None) == (Opened("i", None, "empty"), None)


def test_what_is_open_stays_open_when_a_colleague_saves():
    mine = Opened("i", 3, "label")
    assert to_open(4, mine, "i", "m2", dirty=False) == (mine, None)
    pred = Opened("i", None, "prediction", "m1")
    assert to_open(1, pred, "i", "m1", dirty=False) == (pred, None)


def test_an_untouched_prediction_follows_a_promote_and_an_edited_one_says_so():
    pred = Opened("i", None, "prediction", "m1")
    opened, note = to_open(None, pred, "i", "m2", dirty=False)
    assert opened == Opened("i", None, "prediction", "m2") and "now m2" in note
    opened, note = to_open(None, pred, "i", "m2", dirty=True)
    assert opened == pred and "your strokes are on model m1's prediction" in note
    empty = Opened("i", None, "empty")
    assert to_open(None, empty, "i", "m2", dirty=False)[0] == Opened("i", None, "prediction", "m2")
    assert to_open(None, pred, "i", None, dirty=False) == (pred, None)  # the model failed to load: keep what is shown
