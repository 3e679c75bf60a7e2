"""AppTest runs of each page against a small demo workspace (no browser)."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from seep.data.synthetic import DemoSpec
from seep.workspace import Workspace
from seep.workspace.demo import build_demo

APP = str(Path(__file__).parents[1] / "app.py")


@pytest.fixture
def demo_ws(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "demo")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=4), labelled_per_scene=2)
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    return ws


def app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_first_start_fills_an_empty_workspace_with_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("SEEP_WORKSPACE", str(tmp_path / "fresh"))
    at = app()
    ws = Workspace(tmp_path / "fresh")
    assert ws.count_images() == 48 and ws.status_counts()["accepted"] == 30
    assert {m.label: m.value for m in at.metric}["Accepted"] == "30"


def test_browse_filters_and_counts(demo_ws):
    at = app()
    assert "8 images match" in [c.value for c in at.caption]
    at.multiselect(key="browse_status").set_value(["unlabelled"]).run()
    assert "4 images match" in [c.value for c in at.caption]
    at.multiselect(key="browse_status").set_value([]).run()
    at.multiselect(key="browse_scene").set_value(["900101"]).run()
    assert "4 images match" in [c.value for c in at.caption]
    at.segmented_control(key="browse_view").set_value("Table").run()
    assert not at.exception and len(at.dataframe) == 1
    assert at.dataframe[0].value["name"].str.startswith("900101").all()


def test_browse_open_goes_to_review(demo_ws):
    at = app()
    first = demo_ws.list_images()[0]
    at.button(key=f"browse_open_{first.id}").click().run()
    assert not at.exception
    assert at.subheader[0].value == first.name


def test_review_deep_link_and_next(demo_ws):
    target = demo_ws.list_images()[2]
    at = app(image=target.id)
    assert at.subheader[0].value == target.name
    at.button(key="review_next").click().run()
    assert at.subheader[0].value == demo_ws.list_images()[3].name


def test_review_of_an_unknown_image_says_so(demo_ws):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["image"] = "no-such-image"
    at.run()
    assert not at.exception
    assert any("no image 'no-such-image'" in e.value for e in at.error)


def test_review_restore_and_accept(demo_ws):
    rec = demo_ws.list_images()[0]
    _, mask = demo_ws.label(rec.id)
    demo_ws.save_label(rec.id, np.zeros_like(mask), parent=1, author="someone")
    at = app(image=rec.id)
    at.selectbox(key="review_restore_pick").set_value(1).run()
    at.button(key="review_restore").click().run()
    assert not at.exception
    lv = demo_ws.version(rec.id)
    assert lv.version == 3 and lv.restored_from == 1 and lv.author == "tester"
    np.testing.assert_array_equal(demo_ws.label(rec.id)[1], mask)
    at.button(key="review_accept").click().run()
    assert demo_ws.image(rec.id).status == "accepted"


def test_review_db_stretch(demo_ws):
    at = app(image=demo_ws.list_images()[0].id)
    at.segmented_control(key="review_mode").set_value("db").run()
    assert not at.exception
    assert any(s.label == "Window (dB)" for s in at.slider)
