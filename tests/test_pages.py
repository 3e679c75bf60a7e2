"""AppTest runs of each page against a small demo workspace (no browser)."""

import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from finetuning import TINY
from streamlit.testing.v1 import AppTest

import seep.ui.editor
import seep.ui.models
import seep.ui.session
from seep.data.synthetic import DemoSpec
from seep.ui.editor import payload
from seep.ui.text import plain
from seep.workspace import REVIEWED, UNREVIEWED, ImageFilter, Workspace
from seep.workspace.demo import build_demo

APP = str(Path(__file__).parents[1] / "app.py")


@pytest.fixture(autouse=True)
def _no_frame_rerun(monkeypatch):
    """AppTest resets Streamlit's legacy-pages flag before every run, so the once-per-server
    rerun of session._ensure_frame would fire on every run here; the browser tests cover it."""
    monkeypatch.setattr(seep.ui.session, "_ensure_frame", lambda: None)


@pytest.fixture
def demo_ws(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "demo")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=4, geo_scene=False), labelled_per_scene=2)
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
    # 6 scenes of 8 tiles (5 labelled) and the georeferenced demo scene's 4 tiles, all labelled
    assert ws.count_images() == 53 and ws.status_counts()["accepted"] == 35
    assert "Accepted · 35" in at.pills(key="browse_status").options
    # and a made-up register of installations around its scene, so theirs show with no data of one's own
    from seep.workspace.installations import loaded
    from seep.workspace.slicks import scene_slicks

    assert (loaded(ws).file, loaded(ws).by) == ("demo_installations.geojson", "demo ground truth")
    said = "3 installations (2 points, 1 line), named Demo platform Alpha, Demo pipeline 7, Demo platform Bravo"
    assert loaded(ws).described() == said
    largest = scene_slicks(ws, "demo_scene")[0]
    assert largest.installation == "Demo platform Alpha" and 0.3 < largest.installation_km < 0.9
    assert not at.selectbox(key="browse_installation").disabled


def test_browse_filters_and_counts(demo_ws):
    at = app()
    assert "8 images match" in [c.value for c in at.caption]
    at.pills(key="browse_status").set_value(["unlabelled"]).run()
    assert "4 images match" in [c.value for c in at.caption]
    at.pills(key="browse_status").set_value([]).run()
    at.multiselect(key="browse_scene").set_value(["900101"]).run()
    assert "4 images match" in [c.value for c in at.caption]
    at.segmented_control(key="browse_view").set_value("Table").run()
    assert not at.exception and len(at.dataframe) == 1
    assert at.dataframe[0].value["name"].str.startswith("900101").all()


def test_browse_table_says_who_saved_each_label_and_when(demo_ws):
    """Who last saved a tile, and when, is what a reviewer scans the table for; a label Predict
    all wrote names its model, not a colleague called 'model'."""
    from seep.jobs.predict import write_prediction_label
    from seep.workspace.review import accept_prediction

    ws = demo_ws
    mine, predicted, blank, taken = ws.list_images(ImageFilter(status=("unlabelled",)), limit=4)
    ws.save_label(mine.id, np.zeros((mine.height, mine.width), np.uint8), parent=None, author="ana <b>")
    write_prediction_label(ws, predicted.id, np.zeros((predicted.height, predicted.width), np.uint8), "m7")
    empty = np.zeros((taken.height, taken.width), np.uint8)
    ws.save_prediction(taken.id, "m7", empty, empty.astype(np.float32), 0.0)
    accept_prediction(ws, taken.id, "m7", author="rey")  # a reviewer took it as it was, from the grid
    at = app()
    at.segmented_control(key="browse_view").set_value("Table").run()
    rows = at.dataframe[0].value.set_index("name")
    assert len(rows) == 8 and rows.loc[predicted.name, "saved by"] == "Model m7 (Predict all)"
    assert rows.loc[taken.name, "saved by"] == "rey (model m7's prediction as it was)"  # not "Predict all"
    assert rows.loc[mine.name, "saved by"] == "ana <b>"  # as text, never markup
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", rows.loc[mine.name, "saved"])
    assert pd.isna(rows.loc[blank.name, "saved by"]) and pd.isna(rows.loc[blank.name, "saved"])
    assert at.selectbox(key="browse_saved_by").options == ["anyone", "ana <b>", "demo ground truth", "Predict all", "rey"]
    at.selectbox(key="browse_saved_by").set_value("rey").run()
    assert list(at.dataframe[0].value["name"]) == [taken.name] and at.query_params["saved_by"] == "rey"
    at.selectbox(key="browse_saved_by").set_value(None).run()
    at.selectbox(key="browse_sort").set_value("recently_saved").run()
    names = list(at.dataframe[0].value["name"])
    assert set(names[:3]) == {mine.name, predicted.name, taken.name} and names[-1] == max(
        r.name for r in ws.list_images(ImageFilter(status=("unlabelled",)))
    )  # the two just saved first; no label, last


class FakeGallery:
    """Stands in for the browser's grid: records the cards drawn and whether they had boxes,
    returns a queued click and the ticked ids (kept, as the browser keeps its ticks)."""

    def __init__(self):
        self.cards, self.click, self.ticked, self.select = [], None, [], False

    def __call__(self, cards, *, key, select=False):
        self.cards, self.select = list(cards), select
        clicked, self.click = self.click, None
        return clicked, list(self.ticked)


@pytest.fixture
def grid(monkeypatch):
    import seep.ui.gallery

    fake = FakeGallery()
    monkeypatch.setattr(seep.ui.gallery, "gallery", fake)
    return fake


def test_browse_grid_shows_the_page_and_a_click_opens_review(demo_ws, grid):
    at = app()
    records = demo_ws.list_images()
    assert [c.id for c in grid.cards] == [r.id for r in records]  # 8 images: one page, name order
    assert all(c.src.startswith("data:image/jpeg;base64,") for c in grid.cards)
    at.selectbox(key="browse_sort").set_value("largest_seep").run()
    by_area = sorted(records, key=lambda r: -(r.seep_pixels or 0))
    assert grid.cards[0].id == by_area[0].id
    grid.click = records[5].id
    at.run()
    assert not at.exception
    assert at.subheader[0].value == records[5].name
    assert at.query_params["image"] == records[5].id


def test_browse_shows_24_48_or_96_a_page_and_a_link_keeps_the_choice(demo_ws, grid):
    from helpers import sar_tile

    for i in range(50):
        demo_ws.add_image(sar_tile(100 + i, 32), name=f"z{i:02d}", scene="z")
    at = app()
    assert len(grid.cards) == 24
    at.segmented_control(key="browse_per_page").set_value(48).run()
    assert len(grid.cards) == 48 and at.query_params["per_page"] == "48"
    at.segmented_control(key="browse_per_page").set_value(96).run()
    assert len(grid.cards) == 58 and not at.exception  # all on one page
    app(per_page="48")
    assert len(grid.cards) == 48
    at = app(per_page="1000")  # an edited link: a size Browse does not offer is the default, said
    assert len(grid.cards) == 24
    assert any("Left out of the link" in i.value and "per\\_page=1000" in i.value for i in at.info)


def test_a_stale_or_mistyped_link_says_what_browse_left_out(demo_ws):
    """A shared link naming a scene renamed since, or a day mistyped, shows the rest of what it
    asks and names what it left out, as text: the longer list is not the link's answer."""
    at = app(scene="**gone**", since="yesterday", status="unlabelled", sort="name", installation="5")
    (said,) = [i.value for i in at.info if "Left out of the link" in i.value]
    # installation=5: the installations it was measured against are removed since
    assert said.endswith("(renamed or removed since, or mistyped): scene=\\*\\*gone\\*\\*, since=yesterday, installation=5")
    assert at.selectbox(key="browse_installation").disabled
    assert at.pills(key="browse_status").value == ["unlabelled"] and "4 images match" in [c.value for c in at.caption]
    assert "scene" not in at.query_params and at.query_params["status"] == "unlabelled"  # the address: what is shown
    at.pills(key="browse_status").set_value([]).run()  # said once, for the link
    assert not [i for i in at.info if "Left out of the link" in i.value] and not at.exception
    at = app(status="unlabelled")  # a link Browse takes whole says nothing
    assert not [i for i in at.info if "Left out of the link" in i.value]


def test_review_deep_link_and_next(demo_ws):
    target = demo_ws.list_images()[2]
    at = app(image=target.id)
    assert at.subheader[0].value == target.name
    at.button(key="review_next").click().run()
    assert at.subheader[0].value == demo_ws.list_images()[3].name


def test_a_required_control_the_browser_sends_back_empty_takes_its_default(demo_ws):
    """The browser once sent no value for Review's stretch (a stroke's rerun just after sign-in,
    CI) and Review stopped with "display mode None"; it draws with the default, as Browse does."""
    target = demo_ws.list_images()[0]
    at = app(image=target.id)
    at.session_state["review_mode"] = None
    at.run()
    assert not at.exception and at.subheader[0].value == target.name
    assert at.session_state["review_mode"] == "percentile"
    at = app()  # Browse's view, overlay and page size alike: drawn and written to the address as the defaults
    for key in ("browse_view", "browse_overlay", "browse_per_page"):
        at.session_state[key] = None
    at.run()
    assert not at.exception and [at.session_state[k] for k in ("browse_view", "browse_overlay", "browse_per_page")] == [
        "Grid",
        "label",
        24,
    ]
    assert not at.query_params


def test_review_of_an_unknown_image_says_so(demo_ws):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["image"] = "no-such-image"
    at.run()
    assert not at.exception
    assert any("This workspace has no image no-such-image" in e.value and "seep" not in e.value for e in at.error)
    assert not at.get("editor")  # nothing of a tile is drawn
    at.button(key="review_first").click().run()  # the way on (Back to Browse is a page link)
    assert not at.error and at.subheader[0].value == demo_ws.list_images()[0].name


def test_review_goes_on_when_the_model_file_cannot_load(demo_ws, editor, tiny_model, tmp_path, monkeypatch):
    from seep.learn.checkpoint import load_checkpoint, save_checkpoint

    state = load_checkpoint(tiny_model)
    save_checkpoint(tmp_path / "huge.pt", {**state, "model_config": {**state["model_config"], "base": 1024, "depth": 5}})
    monkeypatch.setattr(seep.ui.models, "SHIPPED_MODEL", tmp_path / "huge.pt")
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    assert any("huge.pt is not a usable Seep model" in e.value and "base=1024 is outside" in e.value for e in at.error)
    assert editor.calls[-1][0].startswith(f"{rec.id}:label:1:")  # the label is still there to edit


def test_the_sidebar_says_when_a_crash_left_files_behind(demo_ws):
    stale = demo_ws.root / "labels" / ".v0002.tif.x1y2.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (time.time() - 600,) * 2)
    at = app()
    assert any("1 leftovers of interrupted saves" in w.value for w in at.sidebar.warning)


def test_review_restore(demo_ws):
    rec = demo_ws.list_images()[0]
    _, mask = demo_ws.label(rec.id)
    demo_ws.save_label(rec.id, np.zeros_like(mask), parent=1, author="someone")
    at = app(image=rec.id)
    assert [e.label for e in at.expander if e.label.startswith("History")] == ["History (2 versions)"]
    assert not [b for b in at.button if b.key == "review_restore"]  # nothing to restore until one is picked
    at.selectbox(key="review_restore_pick").set_value(1).run()
    assert any(c.value.startswith("v1 as it was: ") and "differ from the current one, v2" in c.value for c in at.caption)
    assert demo_ws.version(rec.id).version == 2  # a preview changes nothing
    at.button(key="review_restore").click().run()
    assert not at.exception
    lv = demo_ws.version(rec.id)
    assert lv.version == 3 and lv.restored_from == 1 and lv.author == "tester"
    first = demo_ws.list_images(ImageFilter(status=("accepted",)))[1]
    assert [e.label for e in app(image=first.id).expander if e.label.startswith("History")] == ["History (1 version)"]
    np.testing.assert_array_equal(demo_ws.label(rec.id)[1], mask)


def test_history_keeps_an_undone_imports_version_to_restore_on_a_tile_left_with_no_label(tmp_path, monkeypatch):
    """Seeps imported from a GIS file onto a tile nobody had labelled, then undone: the tile has
    no label, and History still lists the import's version, marked undone, to restore."""
    import json

    from rasterio.transform import from_origin

    from seep.data.geo import write_geotiff
    from seep.data.synthetic import SCENE_CRS, SCENE_ORIGIN, SCENE_PIXEL_M, make_scene
    from seep.workspace.batches import undo_last_import
    from seep.workspace.gis_import import import_seeps
    from seep.workspace.scenes import import_scene

    ws = Workspace(tmp_path / "geo")
    made = make_scene(seed=5, height=256, width=256)
    write_geotiff(tmp_path / "gulf.tif", made.image, SCENE_CRS, from_origin(*SCENE_ORIGIN, SCENE_PIXEL_M, SCENE_PIXEL_M))
    import_scene(ws, tmp_path / "gulf.tif", scene="gulf", author="ana")
    (x, y), m = SCENE_ORIGIN, SCENE_PIXEL_M
    ring = [[x + c * m, y - r * m] for r, c in ((100, 100), (100, 160), (140, 160), (140, 100), (100, 100))]
    drawn = {"type": "Feature", "properties": {"class_id": 2}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32631"}}
    (tmp_path / "s.geojson").write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": [drawn]}))
    assert import_seeps(ws, tmp_path / "s.geojson", scene_name="gulf", author="bo").tiles == 1
    assert undo_last_import(ws, "gulf", "bo").undone == 1
    tile = ws.list_images()[0]
    assert tile.head_version is None
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))

    at = app(image=tile.id)
    assert [e.label for e in at.expander if e.label.startswith("History")] == ["History (1 version)"]
    (versions,) = [d.value for d in at.dataframe if "source" in d.value]
    assert versions["source"][0].startswith("imported (from s.geojson; import undone by bo, ")
    assert at.selectbox(key="review_restore_pick").options == ["v1"]  # the undone version, above no head
    at.selectbox(key="review_restore_pick").set_value(1).run()
    assert any(c.value == "v1 as it was; the tile has no label now" for c in at.caption)
    at.button(key="review_restore").click().run()
    assert not at.exception
    lv = ws.version(tile.id)
    assert (lv.version, lv.restored_from, lv.parent) == (2, 1, None) and ws.image(tile.id).status == "corrected"


def test_a_newer_models_prediction_over_an_open_tile_is_named_as_such(demo_ws, editor, tiny_model):
    """Predict all writes a newer model's prediction over an untouched one as a new version: an
    analyst who had the tile open is told which model did, not that a colleague named 'model' saved."""
    from seep.jobs.predict import predict_all
    from seep.learn.infer import Predictor

    rec = demo_ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    empty = np.zeros((rec.height, rec.width), np.uint8)
    demo_ws.save_label(rec.id, empty, parent=None, author="model", source="predicted", model_id="old")
    at = app(image=rec.id)  # opens v1, the old model's prediction
    predict_all(demo_ws, Predictor(tiny_model), "newer", scene=rec.scene)
    assert demo_ws.version(rec.id).version == 2
    at.run()
    notes = [i.value.replace("\\", "") for i in at.info]
    assert any("Model newer (Predict all) saved v2 since you opened this tile" in n for n in notes), notes


def test_review_offers_the_active_models_prediction_over_an_older_untouched_one(demo_ws, editor, with_model):
    """After a promote, before Predict all: a tile labelled with an earlier model's prediction,
    untouched, says so and takes the active model's in one click, as a new version."""
    from seep.ui.models import active_model

    model = active_model(demo_ws)
    rec = demo_ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    empty = np.zeros((rec.height, rec.width), np.uint8)
    demo_ws.save_label(rec.id, empty, parent=None, author="model", source="predicted", model_id="old")
    at = app(image=rec.id)
    notes = [i.value.replace("\\", "") for i in at.info]
    assert f"This label is model old's prediction, untouched; the active model is {model.id}." in notes, notes
    at.button(key="review_use_active").click().run()
    assert not at.exception
    lv = demo_ws.version(rec.id)
    assert (lv.version, lv.source, lv.model_id, lv.parent) == (2, "predicted", model.id, 1)
    assert demo_ws.image(rec.id).status == "predicted" and not any("untouched" in i.value for i in at.info)
    assert any(c.value.startswith("Editing label v2") for c in at.caption)


class FakeEditor:
    """Stands in for the browser: records what the editor was given, reports the queued
    dirty flags; `send` delivers an event the way the component's callback does."""

    def __init__(self):
        self.queue, self.calls = [], []

    def __call__(self, image_rgb, mask, *, mask_id, key, **kw):
        import streamlit as st

        st.session_state[f"{key}__mask_id"] = mask_id
        self.calls.append((mask_id, mask.copy()))
        dirty = self.queue.pop(0) if self.queue else False
        st.session_state["_fake_dirty"] = dirty
        return dirty

    def send(self, at, kind, mask=None, *, dirty=True, step=0, mask_id=None):
        at.session_state["review_editor__event"] = {
            "type": kind,
            "mask_id": mask_id or self.calls[-1][0],
            "dirty": dirty,
            "step": step,
            "mask": payload.encode_mask(mask) if mask is not None else None,
        }


@pytest.fixture
def editor(monkeypatch):
    import streamlit as st

    fake = FakeEditor()
    monkeypatch.setattr(seep.ui.editor, "mask_editor", fake)
    monkeypatch.setattr(seep.ui.editor, "editor_dirty", lambda key: st.session_state.get("_fake_dirty", False))
    return fake


@pytest.fixture
def with_model(monkeypatch, tiny_model):
    monkeypatch.setattr(seep.ui.models, "SHIPPED_MODEL", tiny_model)
    return tiny_model


def test_save_writes_a_version_with_the_analysts_name(demo_ws, editor):
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    opened_id, opened_mask = editor.calls[-1]
    assert opened_id.startswith(f"{rec.id}:label:1:")
    painted = opened_mask.copy()
    painted[10:20, 10:20] = 3
    editor.send(at, "save", painted)
    at.run()
    assert not at.exception
    lv, saved = demo_ws.label(rec.id)
    assert (lv.version, lv.parent, lv.author, lv.source) == (2, 1, "tester", "edited")
    np.testing.assert_array_equal(saved, painted)
    assert demo_ws.image(rec.id).status == "corrected"
    assert editor.calls[-1][0].startswith(f"{rec.id}:label:2:")  # the editor reloads the saved version


def test_a_note_typed_under_the_editor_goes_with_the_save_and_waits_on_the_tile(demo_ws, editor):
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    box = f"review_note_{rec.id}"
    painted = editor.calls[-1][1].copy()
    painted[10:20, 10:20] = 3
    at.text_input(key=box).input("two\tparts").run()  # a tab pasted in: refused, nothing lost
    editor.send(at, "save", painted)
    at.run()
    assert any("control character" in e.value for e in at.error) and demo_ws.image(rec.id).head_version == 1
    assert at.text_input(key=box).value == "two\tparts"  # the note is still there to mend
    at.text_input(key=box).input("<b>unsure</b> of the tail: low wind?").run()
    at.button(key="review_next").click().run()  # off to another tile and back: the note is still there
    assert at.subheader[0].value != rec.name
    at.button(key="review_prev").click().run()
    assert at.subheader[0].value == rec.name and at.text_input(key=box).value == "<b>unsure</b> of the tail: low wind?"
    editor.send(at, "save", painted)
    at.run()
    lv = demo_ws.version(rec.id)
    assert (lv.version, lv.note) == (2, "<b>unsure</b> of the tail: low wind?")
    assert at.text_input(key=box).value == ""  # the next save starts without it
    shown = [i.value for i in at.info if "note on" in i.value]
    assert shown == [f"tester's note on v2: {plain('<b>unsure</b> of the tail: low wind?')}"]  # as text

    at.switch_page("pages/browse.py").run()
    assert at.toggle(key="browse_noted").label == "With a note · 1"
    at.toggle(key="browse_noted").set_value(True).run()
    at.segmented_control(key="browse_view").set_value("Table").run()
    rows = at.dataframe[0].value.set_index("name")
    assert list(rows.index) == [rec.name] and rows.loc[rec.name, "note"] == "<b>unsure</b> of the tail: low wind?"
    assert at.query_params["noted"] == "1"  # a link to the noted tiles


def test_a_conflicting_save_shows_both_and_puts_mine_on_top_of_theirs(demo_ws, editor):
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    opened = editor.calls[-1][1]
    mine = opened.copy()
    mine[0:5, 0:5] = 2
    theirs = opened.copy()
    theirs[40:50, 40:50] = 3
    demo_ws.save_label(rec.id, theirs, parent=1, author="colleague")  # saved meanwhile
    at.text_input(key=f"review_note_{rec.id}").input("the NE blob is mine").run()
    editor.send(at, "save", mine)
    at.run()
    assert any("colleague saved" in w.value and "v2" in w.value for w in at.warning)
    assert [c.value for c in at.caption if c.value.startswith(("Theirs", "Mine"))] == [
        "Theirs: v2 by colleague",
        "Mine (not saved)",
    ]
    assert any("Your strokes changed 25 pixels" in c.value and "they changed 100" in c.value for c in at.caption)
    assert demo_ws.version(rec.id).author == "colleague"  # nothing saved until the analyst chooses
    at.button(key="review_conflict_patch").click().run()
    lv, saved = demo_ws.label(rec.id)
    assert (lv.version, lv.parent, lv.merged_from, lv.resolution, lv.author) == (3, 2, 1, "patch", "tester")
    assert lv.note == "the NE blob is mine"  # the note waited through the choice
    expected = theirs.copy()
    expected[0:5, 0:5] = 2
    np.testing.assert_array_equal(saved, expected)  # both analysts' strokes
    assert not at.warning and editor.calls[-1][0].startswith(f"{rec.id}:label:3:")


def test_leaving_with_unsaved_strokes_asks_first(demo_ws, editor):
    recs = demo_ws.list_images()
    at = app(image=recs[0].id)
    editor.queue.append(True)
    at.run()
    editor.queue.append(True)
    at.button(key="review_next").click().run()
    assert at.subheader[0].value == recs[0].name  # still here
    assert any("unsaved strokes" in w.value for w in at.warning)
    at.button(key="review_leave_discard").click().run()
    assert at.subheader[0].value == recs[1].name
    assert demo_ws.version(recs[0].id).version == 1  # nothing was saved


def test_save_and_go_from_the_keyboard(demo_ws, editor):
    recs = demo_ws.list_images()
    at = app(image=recs[0].id)
    painted = editor.calls[-1][1].copy()
    painted[30:40, 30:40] = 4
    editor.send(at, "navigate", painted, step=1)
    at.run()
    at.button(key="review_leave_save").click().run()
    assert at.subheader[0].value == recs[1].name
    np.testing.assert_array_equal(demo_ws.label(recs[0].id)[1], painted)


def test_accept_takes_the_prediction_as_it_is(demo_ws, editor, with_model):
    unlabelled = demo_ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    at = app(image=unlabelled.id)
    opened_id, predicted = editor.calls[-1]
    assert opened_id.startswith(f"{unlabelled.id}:prediction:best:")
    editor.send(at, "accept", predicted, dirty=False)
    at.run()
    assert not at.exception
    lv, saved = demo_ws.label(unlabelled.id)
    assert (lv.source, lv.model_id, lv.parent) == ("predicted", "best", None)
    assert demo_ws.image(unlabelled.id).status == "accepted"
    np.testing.assert_array_equal(saved, predicted)


def test_reference_layers_with_a_model(demo_ws, with_model):
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    for layer in ["Prediction", "Confidence", "Difference", "Label"]:
        at.segmented_control(key="review_layer").set_value(layer).run()
        assert not at.exception, layer
        if layer == "Difference":  # the pixel counts of the label against the prediction
            pred = demo_ws.prediction(rec.id, with_model.stem)[0]
            missed = int(((demo_ws.label(rec.id)[1] > 0) & (pred == 0)).sum())
            assert any(f"missed: {missed:,}" in c.value for c in at.caption)


def test_a_scene_tile_shows_where_other_passes_saw_a_slick(tmp_path, monkeypatch):
    """The demo's second pass over its scene's sea: Review says the slick was seen before, and
    the Other passes layer outlines that pass's slicks over the tile."""
    from seep.ui.text import plain
    from seep.workspace.scenes import tile_offsets_of

    demo_ws = Workspace(tmp_path / "geo")
    build_demo(demo_ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(demo_ws.root))
    tile = next(i for i, off in tile_offsets_of(demo_ws, "demo_scene").items() if off == (0, 256))
    at = app(image=tile)
    said = plain("demo_scene_2") + " (2025-03-14, 12 days later)"  # as markdown: the underscores escaped
    assert any(f"Seen again later: the reviewed labels of {said} hold a slick within 2 km" in i.value for i in at.info)
    at.segmented_control(key="review_layer").set_value("Other passes").run()
    assert not at.exception
    assert any(f"Outlined in cyan: the reviewed slicks of {said}" in c.value for c in at.caption)
    later = next(iter(tile_offsets_of(demo_ws, "demo_scene_2")))  # from the next pass, the first was before it
    at = app(image=later)
    said = plain("demo_scene") + " (2025-03-02, 12 days earlier)"
    assert any(f"Seen before: the reviewed labels of {said} hold a slick" in i.value for i in at.info)
    loose = demo_ws.image("900100.000000")  # a tile of no scene: nothing seen elsewhere, no such layer
    at = app(image=loose.id)
    assert "Other passes" not in at.segmented_control(key="review_layer").options
    assert not any("Seen before" in i.value for i in at.info)


def test_review_says_a_near_installation_aloud_and_a_far_one_quietly(tmp_path, monkeypatch):
    """Where platforms stand every few km a far one on every tile would be noise: one beyond
    CLOSE_KM is a caption, one within it a note, and the layer is offered where one lies on the tile."""
    from seep.workspace.installations import load_installations
    from seep.workspace.scenes import tile_offsets_of
    from seep.workspace.slicks import scene_slicks

    demo_ws = Workspace(tmp_path / "geo")
    build_demo(demo_ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(demo_ws.root))
    tile = next(i for i, off in tile_offsets_of(demo_ws, "demo_scene").items() if off == (0, 256))
    slick = next(s for s in scene_slicks(demo_ws, "demo_scene") if s.image_id == tile)
    for name, north, close in (("Far *Rig*", 0.2, False), ("Alpha", 0.0, True)):  # 0.2 degrees: 22 km
        platform = {"type": "Point", "coordinates": [slick.lon, slick.lat + north]}
        feature = {"type": "Feature", "properties": {"name": name}, "geometry": platform}
        (tmp_path / "p.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        load_installations(demo_ws, tmp_path / "p.geojson", "tester")
        at = app(image=tile)
        assert not at.exception
        said = [i.value for i in at.info if i.value.startswith("Nearest installation")]
        quiet = [c.value for c in at.caption if c.value.startswith("Nearest installation")]
        if close:
            assert said == ["Nearest installation: Alpha, under the seep shown here. A slick that starts at an installation "
                            "is more often a discharge or a leak than a natural seep."] and not quiet  # fmt: skip
            assert "Installations" in at.segmented_control(key="review_layer").options
        else:
            assert not said and re.fullmatch(
                rf"Nearest installation: {re.escape(plain(name))}, 2\d\.\d km from the seep shown here\.", quiet[0]
            )
            assert "Installations" not in at.segmented_control(key="review_layer").options
    loose = demo_ws.image("900100.000000")  # a tile of no scene: no installation near it
    at = app(image=loose.id)
    assert not any(c.value.startswith("Nearest installation") for c in [*at.caption, *at.info])
    at = app(installation="1", view="Table")  # Browse: the tiles within 1 km of one, each with its nearest
    rows = at.dataframe[0].value.set_index("name")
    assert rows.loc[demo_ws.image(tile).name, "nearest installation"] == "Alpha, under it" and loose.name not in rows.index
    assert at.selectbox(key="browse_installation").value == 1.0


def test_review_says_a_vessel_at_the_pass_near_the_seep_aloud_and_a_far_one_quietly(tmp_path, monkeypatch):
    """AIS of the demo pass: a ship on the slick when the radar passed is said aloud, one 4 km off only
    as a caption, and one under way with its course, speed and the seep on its last hour's track."""
    from pyproj import Geod

    from seep.workspace.scenes import set_acquired, tile_offsets_of
    from seep.workspace.slicks import scene_slicks
    from seep.workspace.vessels import clear_vessels, load_vessels

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))  # its pass: 2025-03-02 03:14:07 UTC
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    tile = next(i for i, off in tile_offsets_of(ws, "demo_scene").items() if off == (0, 256))
    slick = next(s for s in scene_slicks(ws, "demo_scene") if s.image_id == tile)
    for north_m, said in ((0, True), (4000, False)):
        lon, lat, _ = Geod(ellps="WGS84").fwd(slick.lon, slick.lat, 0, north_m)
        ais = tmp_path / f"ais{north_m}.csv"
        ais.write_text(
            f"MMSI,BaseDateTime,LAT,LON,VesselName\n21900000{int(said)},2025-03-02T03:14:00,{lat:.6f},{lon:.6f},<b>STAR</b>\n"
        )
        load_vessels(ws, ais, "tester")
        at = app(image=tile)
        aloud = [i.value for i in at.info if i.value.startswith("At the pass, AIS placed")]
        quiet = [c.value for c in at.caption if c.value.startswith("Nearest vessel at the pass")]
        if said:
            assert (
                aloud
                == [
                    "At the pass, AIS placed \\<b\\>STAR\\</b\\> \\(MMSI 219000001\\) on the seep shown here. A slick trailing a "
                    "ship is more often its discharge than a natural seep."
                ]
                and not quiet
            )  # the name as text
        else:
            # the nearest now: the far one, the near one removed
            assert not aloud and re.fullmatch(
                r"Nearest vessel at the pass: .*\\\(MMSI 219000000\\\), [34]\.\d km from the seep shown here\.", quiet[0]
            )
        clear_vessels(ws, "tester")
    # A ship under way east, over the slick at the pass: its course and speed, and the track it sailed
    # the hour before lying over the seep, said aloud.
    west, east = (Geod(ellps="WGS84").fwd(slick.lon, slick.lat, azimuth, 2000) for azimuth in (270, 90))
    ais = tmp_path / "wake.csv"
    ais.write_text(
        "MMSI,BaseDateTime,LAT,LON,VesselName\n"
        f"219000002,2025-03-02T03:04:07,{west[1]:.6f},{west[0]:.6f},WAKE\n"
        f"219000002,2025-03-02T03:24:07,{east[1]:.6f},{east[0]:.6f},WAKE\n"
    )
    load_vessels(ws, ais, "tester")
    at = app(image=tile)
    aloud = [i.value for i in at.info if i.value.startswith("At the pass, AIS placed")]
    assert aloud == [
        "At the pass, AIS placed WAKE \\(MMSI 219000002\\) on the seep shown here, making 6.5 kn on 090°. The seep lies on "
        "the track WAKE \\(MMSI 219000002\\) sailed in the hour before the pass (65% of it within 0.5 km of the track). "
        "A slick trailing a ship is more often its discharge than a natural seep."
    ]
    at.segmented_control(key="review_layer").set_value("Vessels").run()  # and drawn over the tile, on its track
    assert [c.value for c in at.caption if c.value.startswith("In cyan")] == [
        "In cyan: the vessels AIS placed at the pass, each pointing its course, on its track of the hour around it (WAKE "
        "\\(MMSI 219000002\\), between its reports at " + plain("03:04:07 and 03:24:07") + " UTC, making 6.5 kn on 090°)."
    ]
    set_acquired(ws, "demo_scene", "2025-03-02T05:00:00Z", "tester")  # its time corrected after the load: another hour's AIS
    said = [c.value for c in app("pages/scene.py", name="demo_scene").caption if "vessels placed" in c.value]
    assert "0 vessels placed at this pass." in said[0] and "load the day's AIS again to place vessels at it" in said[0]


def test_review_predicts_the_next_tile_in_the_background(demo_ws, with_model):
    from concurrent.futures import wait

    records = demo_ws.list_images()
    app(image=records[0].id)
    wait([g.future for g in list(seep.ui.models._guesses.values())], timeout=60)
    assert demo_ws.predicted([r.id for r in records[:3]], with_model.stem) == {records[0].id, records[1].id}


def test_strokes_made_on_another_tile_are_refused(demo_ws, editor):
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    editor.send(at, "save", np.zeros((256, 256), np.uint8), mask_id="some-other-tile:label:1:0")
    at.run()
    assert any("belong to another tile" in e.value for e in at.error)
    assert demo_ws.version(rec.id).version == 1


def test_an_event_the_editor_could_not_have_sent_is_refused_and_the_tile_stays(demo_ws, editor):
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    for step in ("1; drop", 40):
        editor.send(at, "navigate", step=step)
        at.run()
        assert any(f"a step of {step!r}" in e.value for e in at.error) and at.subheader[0].value == rec.name


def test_train_and_review_settings_outlast_a_visit_to_another_page(demo_ws):
    """Streamlit forgets a widget's value once a run draws another page: a fine-tune set up on
    Train, or the contrast tuned on Review, were back at their defaults after a look at Browse."""
    at = app("pages/train.py")
    at.number_input(key="train_epochs").set_value(12).run()
    at.toggle(key="train_binary").set_value(True).run()
    at.multiselect(key="train_augment").set_value(["vflip"]).run()
    at.switch_page("pages/review.py").run()
    at.slider(key="review_gamma").set_value(1.6).run()
    at.slider(key="review_opacity").set_value(0.8).run()
    at.segmented_control(key="review_layer").set_value("Prediction").run()
    at.switch_page("pages/browse.py").run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.number_input(key="train_epochs").value == 12 and at.toggle(key="train_binary").value
    assert at.multiselect(key="train_augment").value == ["vflip"]
    at.switch_page("pages/review.py").run()
    assert (at.slider(key="review_gamma").value, at.slider(key="review_opacity").value) == (1.6, 0.8)
    assert at.segmented_control(key="review_layer").value == "Prediction"
    at.button(key="review_next").click().run()  # the next tile is drawn with them too
    assert at.slider(key="review_gamma").value == 1.6 and not at.exception


def test_review_db_stretch(demo_ws):
    at = app(image=demo_ws.list_images()[0].id)
    at.segmented_control(key="review_mode").set_value("db").run()
    assert not at.exception
    assert any(s.label == "Window (dB)" for s in at.slider)


def test_train_page_starts_a_finetune_job(demo_ws, monkeypatch):
    import seep.jobs.worker
    from seep.jobs import queue

    started = []
    monkeypatch.setattr(seep.jobs.worker, "ensure_worker", lambda ws: started.append(ws.root))
    at = app(page="pages/train.py")
    assert "No jobs yet." in [c.value for c in at.caption]
    # Before any job: an estimate from this machine's measured speed, measured once and kept.
    assert any("estimated time" in c.value and "on this machine" in c.value for c in at.caption)
    with demo_ws.connect() as con:
        assert con.execute("SELECT count(*) FROM settings WHERE key LIKE 'speed:%'").fetchone()[0] == 1
    at.number_input(key="train_epochs").set_value(2).run()
    at.toggle(key="train_auto").set_value(True).run()
    at.button(key="train_start").click().run()
    assert not at.exception
    jobs = queue.list_jobs(demo_ws)
    assert [(j.kind, j.status, j.params["epochs"], j.params["auto_promote"]) for j in jobs] == [
        ("finetune", "SUBMITTED", 2, True)
    ]
    assert started == [demo_ws.root]
    at.run()
    assert any("Fine-tune · job" in m.value for m in at.markdown)
    at.button(key=f"train_cancel_{jobs[0].id}").click().run()
    assert queue.get(demo_ws, jobs[0].id).status == "STOPPED"
    at.run()
    past = next(d.value for d in at.dataframe if "kind" in d.value.columns)  # the table of past jobs
    assert past[["job", "kind", "status"]].values.tolist() == [[jobs[0].id, "Fine-tune", "stopped"]]


def test_train_page_compares_and_promotes_a_candidate(demo_ws, tiny_model):
    from seep.jobs import queue
    from seep.workspace import registry as reg

    # seep 3 is in neither the labels nor the predictions of the validation tiles: no IoU
    report = {"binary_iou": 0.3, "classes": [f"seep {i}" for i in range(1, 8)], "iou": [0.3, 0.0, None] + [0.0] * 4}
    reg.register_model(demo_ws, tiny_model, model_id="base", metrics=report)
    reg.promote(demo_ws, "base")
    better = {**report, "binary_iou": 0.4, "iou": [0.4, 0.1, None] + [0.1] * 4}
    reg.register_model(demo_ws, tiny_model, parent="base", model_id="cand", metrics=better)
    job = queue.submit(demo_ws, "finetune", {})
    lease = queue.claim_next(demo_ws, __import__("os").getpid()).lease
    queue.finish(demo_ws, job.id, lease, "DONE", result={"model_id": "cand"})
    at = app(page="pages/train.py")
    at.run()  # the fragment saw the finished job and remembered its candidate
    assert any("Candidate cand vs. active base" in s.value for s in at.subheader)
    df = at.dataframe[0].value
    assert round(float(df.loc[df["class"] == "seep (binary)", "difference"].iloc[0]), 3) == 0.1
    assert '"difference":{"type_config":{"type":"number","format":"%+.3f"}}' in at.dataframe[0].proto.columns.replace(" ", "")
    assert "seep 3" not in set(df["class"]) and len(df) == 7  # a row of "None" reads as a bug
    assert any(c.value.startswith("No score for seep 3: in neither the labels") for c in at.caption)
    assert at.selectbox(key="train_base").value == "base"
    at.button(key="train_promote").click().run()
    assert reg.active_model(demo_ws).id == "cand"
    assert at.selectbox(key="train_base").value == "cand"  # the next fine-tune starts from what is promoted
    at.selectbox(key="train_base").set_value("base").run()  # unless another is picked: kept across pages
    at.switch_page("pages/browse.py").run()
    at.switch_page("pages/train.py").run()
    assert at.selectbox(key="train_base").value == "base"


def test_the_train_page_shows_where_a_candidate_changes_most_what_nobody_reviewed(demo_ws, tiny_model):
    """Before promoting: the unreviewed tiles it changes most, its base's seep beside its own
    (predicted here, and kept), each a link to Review."""
    from seep.jobs import queue
    from seep.workspace import UNREVIEWED, ImageFilter
    from seep.workspace import registry as reg

    reg.promote(demo_ws, reg.register_model(demo_ws, tiny_model, model_id="base").id)
    tile = demo_ws.list_images(ImageFilter(status=UNREVIEWED))[0]
    changes = [{"image": tile.id, "added": 1234, "removed": 56}, {"image": "gone-with-its-scene", "added": 9, "removed": 0}]
    metrics = {"rest_agreement": 0.8, "rest_tiles": 6, "rest_changes": changes}
    reg.register_model(demo_ws, tiny_model, parent="base", model_id="cand", metrics=metrics)
    job = queue.submit(demo_ws, "finetune", {})
    queue.finish(demo_ws, job.id, queue.claim_next(demo_ws, os.getpid()).lease, "DONE", result={"model_id": "cand"})
    at = app(page="pages/train.py")
    at.run()  # the fragment saw the finished job and remembered its candidate
    assert not at.exception
    assert [e.label for e in at.expander if e.label.startswith("Where")] == [
        "Where it changes most what nobody reviewed (1 tile)"
    ]
    assert any(m.value == f"**{tile.name}**: 1,234 seep pixels added, 56 taken away" for m in at.markdown)
    assert [i.proto.imgs[0].caption for i in at.get("image")] == ["base", "cand"]
    (link,) = [p for p in at.get("page_link") if p.proto.label == "Open in Review"]
    assert link.proto.page == "review" and f"image={tile.id}&model=cand" in link.proto.query_string
    assert demo_ws.predicted([tile.id], "cand") and demo_ws.predicted([tile.id], "base")  # kept, as Review's are
    at.switch_page("pages/models.py").run()  # where any model is made active, the same for the one picked
    assert at.selectbox(key="models_pick").value == "cand" and not at.exception
    assert [e.label for e in at.expander if e.label.startswith("Where")] == [
        "Where it changes most what nobody reviewed (1 tile)"
    ]
    assert any("the seep of its base base, then its own." in c.value for c in at.caption)
    assert not [c for c in at.caption if "The active model now is" in c.value]  # its base is active: shown is what changes
    at.selectbox(key="models_pick").set_value("base").run()
    assert not [e for e in at.expander if e.label.startswith("Where")]
    said = "The active model now is later, not its base: promoting it changes later's seep, which these do not show."
    reg.promote(demo_ws, reg.register_model(demo_ws, tiny_model, model_id="later").id)
    at.selectbox(key="models_pick").set_value("cand").run()
    assert [c for c in at.caption if said in c.value] and not at.exception


def test_review_opened_from_a_candidate_shows_its_prediction_beside_the_active_models(demo_ws, tiny_model):
    """The link from "where it changes most" names the candidate: Review shows its prediction as
    a reference layer, picked on arrival, while the editor holds what it always does; the model
    belongs to the tile the link opened, and a link naming a model this workspace lacks says so."""
    from seep.ui.review_panels import OTHER_MODEL
    from seep.workspace import ImageFilter
    from seep.workspace import registry as reg

    reg.promote(demo_ws, reg.register_model(demo_ws, tiny_model, model_id="base").id)
    reg.register_model(demo_ws, tiny_model, parent="base", model_id="cand")
    tile = demo_ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    at = app(image=tile.id, model="cand")
    layer = at.segmented_control(key="review_layer")
    assert layer.options == ["Prediction", OTHER_MODEL, "Confidence"] and layer.value == OTHER_MODEL
    assert any("Model cand's prediction: what making it active would put on this tile" in c.value for c in at.caption)
    assert any("| class | model | compared |" in m.value for m in at.markdown)  # its pixels per class beside
    assert demo_ws.predicted([tile.id], "cand")  # predicted by the candidate, and kept
    layer.set_value("Prediction").run()  # the analyst's pick then stands
    assert at.segmented_control(key="review_layer").value == "Prediction" and not at.exception
    at.button(key="review_next").click().run()  # the next tile: no longer the link's
    assert "model" not in at.query_params
    assert OTHER_MODEL not in at.segmented_control(key="review_layer").options
    at = app(image=tile.id, model="base")  # the active one: already the Prediction layer
    assert OTHER_MODEL not in at.segmented_control(key="review_layer").options
    at = app(image=tile.id, model="gone")
    assert any("compares with model gone, which cannot be shown here" in c.value for c in at.caption)
    assert OTHER_MODEL not in at.segmented_control(key="review_layer").options and not at.exception


def test_train_page_rolls_back_to_a_model_named_with_its_score(demo_ws, tiny_model):
    from seep.workspace import registry as reg

    reg.register_model(demo_ws, tiny_model, model_id="first", metrics={"binary_iou": 0.41}, note="<b>B</b> on 2024")
    reg.register_model(
        demo_ws, tiny_model, model_id="second", parent="first", metrics={"worse_than_base": True, "binary_iou": 0.3}
    )
    reg.register_model(demo_ws, tiny_model, model_id="third")
    reg.promote(demo_ws, "third")
    at = app(page="pages/train.py")
    pick = at.selectbox(key="train_rollback_pick")
    assert [re.sub(r" · [^·]* UTC", "", o) for o in pick.options] == [
        "second · seep IoU 0.300, worse than its base",
        "first · seep IoU 0.410 · <b>B</b> on 2024",  # what it is, as added from elsewhere
        "seep-unet-cgg · the shipped model, which predicted before",  # before any was made active
    ]  # newest first, the active one left out
    assert at.selectbox(key="train_base").options == ["first · <b>B</b> on 2024", "second", "third"]
    pick.set_value("first").run()
    at.button(key="train_rollback").click().run()
    assert reg.active_model(demo_ws).id == "first" and not at.exception


def test_with_no_active_model_the_train_page_fine_tunes_what_predicts(demo_ws, tiny_model, monkeypatch):
    """A model added from elsewhere and not made active: the shipped model still predicts, and a
    fine-tune starts from it unless the admin picks the new one, as `seep train` does."""
    import seep.jobs.worker
    import seep.learn.shipped
    from seep.jobs import queue
    from seep.workspace import registry as reg

    monkeypatch.setattr(seep.jobs.worker, "ensure_worker", lambda ws: None)  # queued is enough here

    reg.register_model(demo_ws, tiny_model, model_id="lead", note="from the GPU node")
    at = app(page="pages/train.py")
    assert at.selectbox(key="train_base").options == ["(the shipped model)", "lead · from the GPU node"]
    assert at.selectbox(key="train_base").value == "(the shipped model)"
    at.button(key="train_start").click().run()
    assert not at.exception and queue.list_jobs(demo_ws)[0].params["base_model"] is None  # `seep train`'s default
    at.selectbox(key="train_base").set_value("lead").run()
    assert "(the shipped model)" in at.selectbox(key="train_base").options
    with monkeypatch.context() as m:  # an install without shipped weights: none to offer
        m.setattr(seep.learn.shipped, "SHIPPED_MODEL", demo_ws.root / "no-shipped-model.pt")
        at.run()
        assert at.selectbox(key="train_base").options == ["lead · from the GPU node"] and not at.exception

    reg.promote(demo_ws, "lead")  # made active: the shipped model, which predicted before, is what to roll back to
    at.run()
    assert at.selectbox(key="train_base").options == ["lead · from the GPU node"]
    pick = at.selectbox(key="train_rollback_pick")
    assert pick.options == ["seep-unet-cgg · the shipped model, which predicted before"]
    at.button(key="train_rollback").click().run()
    assert not at.exception and reg.active_model(demo_ws).id == "seep-unet-cgg"


def test_models_page_shows_evaluations(demo_ws, tiny_model):
    import seep.jobs.finetune
    from seep.jobs.finetune import FinetuneParams, run_finetune
    from seep.workspace import registry as reg

    seep.jobs.finetune.SHIPPED_MODEL = Path("/nonexistent.pt")
    try:
        trained = run_finetune(demo_ws, FinetuneParams(epochs=1, from_scratch=TINY, batch_size=4))
    finally:
        from seep.learn.shipped import SHIPPED_MODEL

        seep.jobs.finetune.SHIPPED_MODEL = SHIPPED_MODEL
    reg.register_model(demo_ws, tiny_model, model_id="unscored")
    at = app(page="pages/models.py")
    assert not at.exception
    assert len(at.dataframe[0].value) == 2
    at.selectbox(key="models_pick").set_value(trained["model_id"]).run()
    assert any("Per-class IoU" in s.value for s in at.subheader)
    assert len(at.get("plotly_chart")) >= 4  # IoU bars, confusion matrix, PR curves, class distribution
    report = reg.get_model(demo_ws, trained["model_id"]).metrics
    table = next(d.value for d in at.dataframe if "AP50" in d.value.columns)
    want = dict(zip(report["classes"], report["target_slicks"], strict=True))
    assert sum(want.values()) and {c: want[c] for c in table["class"]} == dict(
        zip(table["class"], table["true slicks"], strict=True)
    )
    at.selectbox(key="models_compare").set_value("unscored").run()
    assert any("unscored has no figures" in w.value for w in at.warning)


def test_a_model_with_no_figures_is_scored_where_a_fine_tune_would_be(demo_ws, tiny_model, monkeypatch):
    """The shipped model, registered by a first prediction, has no figures. Evaluate scores it on
    the tiles a fine-tune would check its candidate on (the held-out fifth while there are few
    scenes; the job used to look only for whole validation scenes and failed), and is not
    offered where there is nothing to score it on."""
    import seep.jobs.worker
    from seep.jobs import queue
    from seep.jobs.finetune import FinetuneParams, plan
    from seep.workspace import registry as reg

    monkeypatch.setattr(seep.jobs.worker, "ensure_worker", lambda ws: None)  # the job runs here, below
    model = reg.register_model(demo_ws, tiny_model, model_id="shipped")
    at = app(page="pages/models.py")
    assert any("shipped has no figures on this workspace's tiles yet" in w.value for w in at.warning)
    assert at.dataframe[0].value["validated on"].tolist() == [""]
    assert at.dataframe[0].value["train tiles"].isna().all()  # trained elsewhere, not on none
    at.button(key="models_evaluate_shipped").click().run()
    (job,) = queue.list_jobs(demo_ws)
    seep.jobs.worker.run_job(demo_ws, queue.claim_next(demo_ws, os.getpid()))
    done = queue.get(demo_ws, job.id)
    assert done.status == "DONE" and done.message.startswith("shipped: binary seep IoU "), done.message
    val = sorted(r.id for r in plan(demo_ws, FinetuneParams()).val)
    assert reg.get_model(demo_ws, model.id).metrics["val_tiles"] == val
    at.run()
    assert not at.exception and not at.warning
    assert any("Per-class IoU on the validation tiles" in s.value for s in at.subheader)
    assert f"shipped: {len(val)} held-out tile" in [c.value.replace("\u2060", "") for c in at.caption]
    (seep_empty, seep_called) = reg.get_model(demo_ws, model.id).metrics["tile_counts"][1]
    said = f"Tile by tile, it left {seep_empty} of the {seep_empty + seep_called} tiles holding seep empty"
    assert any(c.value.startswith(said) for c in at.caption)

    trained = reg.register_model(demo_ws, tiny_model, model_id="saw-all", data_snapshot=[[i, 1] for i in val])
    at.run().selectbox(key="models_pick").set_value(trained.id).run()
    said = "Every validation tile of this workspace is one saw-all trained on: it can only be scored on tiles"
    assert any(i.value.replace("\u2060", "").startswith(said) for i in at.info)
    assert not any(b.key == "models_evaluate_saw-all" for b in at.button)


def test_a_model_with_nothing_to_be_scored_on_says_why_once(tmp_path, tiny_model, monkeypatch):
    """With no reviewed tile the Models page says why there are no figures, naming the model once
    (it used to read "m has no figures ...: no reviewed tiles to score m on yet")."""
    from seep.workspace import registry as reg

    ws = Workspace(tmp_path / "unreviewed")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=2, geo_scene=False), labelled_per_scene=0)
    reg.promote(ws, reg.register_model(ws, tiny_model, model_id="tiny").id)
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = app(page="pages/models.py")
    said = "This workspace has no reviewed tiles to score tiny on yet: correct or accept some first."
    assert not at.exception and said in [i.value.replace("\u2060", "") for i in at.info]
    assert not any(b.key == "models_evaluate_tiny" for b in at.button)


def test_models_page_says_what_to_expect_of_the_shipped_model(demo_ws):
    """Before any fine-tune the shipped model predicts: the page gives its cross-validated IoU
    per class and names the classes it almost never gets right, by the workspace's names."""
    from seep.learn.shipped import expected_scores

    kept = expected_scores()
    if kept is None:
        pytest.skip("no shipped model with its figures in models/")
    at = app(page="pages/models.py")
    assert any(s.value == "The shipped model on scenes it never saw" for s in at.subheader)
    text = " ".join(m.value for m in at.markdown)
    assert f"Seep or not: IoU {kept['binary_iou']['mean']:.2f}" in text
    weak = [demo_ws.classes[c + 1].name for c, s in enumerate(kept["iou"]) if s["mean"] < 0.05]
    assert weak and f"It almost never gets the class right for {', '.join(weak)} (IoU under 0.05)" in text
    captions = " ".join(c.value for c in at.caption)
    assert "Taken for another seep class more often than for itself:" in captions
    assert "it predicts in this workspace" in captions and f"the mean over the {kept['folds'] * kept['runs']} models" in captions


def test_a_model_added_with_its_cross_validation_says_what_to_expect_of_it(demo_ws, tiny_model):
    """Its figures, as the shipped model's: under the model picked, by its id."""
    from seep.learn.shipped import SHIPPED_SCORES
    from seep.workspace import registry as reg

    figures = {**json.loads(SHIPPED_SCORES.read_text()), "runs": 1} if SHIPPED_SCORES.is_file() else None
    if figures is None:
        pytest.skip("no shipped model figures in models/ to stand for a lead's")
    reg.register_model(demo_ws, tiny_model, model_id="lead <i>v2</i>", expected=figures)
    reg.register_model(demo_ws, tiny_model, model_id="plain")
    at = app(page="pages/models.py")
    at.selectbox(key="models_pick").set_value("lead <i>v2</i>").run()
    assert [s.value for s in at.subheader if "never saw" in s.value] == [
        "lead \\<i\\>v2\\</i\\> on scenes it never saw",  # as text
        "The shipped model on scenes it never saw",
    ]
    assert f"the mean over the {figures['folds']} models" in " ".join(c.value for c in at.caption)
    at.selectbox(key="models_pick").set_value("plain").run()
    assert [s.value for s in at.subheader if "never saw" in s.value] == ["The shipped model on scenes it never saw"]


def test_a_reviewer_accepts_the_ticked_predictions_from_the_grid(demo_ws, grid, with_model):
    from seep.ui.models import prediction
    from seep.workspace import registry as reg

    ws = demo_ws
    fresh = ws.list_images(ImageFilter(status=("unlabelled",)))
    model = seep.ui.models.active_model(ws)
    for r in fresh[:3]:
        prediction(model, ws, r.id)  # cached, as opening or Predict all leaves them
    mine = fresh[2]
    ws.save_label(mine.id, np.zeros((mine.height, mine.width), np.uint8), parent=None, author="ana")  # a person's label
    at = app()
    at.segmented_control(key="browse_overlay").set_value("prediction").run()
    assert grid.select  # the reviewer (single-user: everyone) sees boxes over the predictions
    boxes = {c.id for c in grid.cards if c.selectable}
    assert boxes == {fresh[0].id, fresh[1].id}  # labelled by a person, or not predicted yet: no box
    assert at.button(key="browse_accept").disabled
    grid.ticked = [fresh[0].id, fresh[1].id, mine.id]  # a stale tick on a tile someone labelled meanwhile
    at.run()
    assert at.button(key="browse_accept").label == "Accept 2 selected"
    at.button(key="browse_accept").click().run()
    assert not at.exception
    for r in fresh[:2]:
        lv, saved = ws.label(r.id)
        assert (lv.source, lv.model_id, lv.author, ws.image(r.id).status) == ("predicted", model.id, "tester", "accepted")
        np.testing.assert_array_equal(saved, ws.prediction(r.id, model.id)[0])
    assert ws.image(mine.id).status == "corrected" and ws.version(mine.id).author == "ana"  # untouched
    assert any("Accepted 2 predictions" in s.value for s in at.success)
    assert {c.id for c in grid.cards if c.selectable} == set()  # accepted ones lose their box
    assert not any("validation tiles" in c.value for c in at.caption)  # not scored here yet: nothing to go by
    reg.register_model(ws, with_model, model_id=model.id, metrics={"tile_counts": [[5, 1], [2, 6]]})  # as Evaluate keeps them
    at.run()
    said = f"On this workspace's validation tiles, model {model.id} left 2 of the 8 tiles holding seep empty (25%)"
    assert any(c.value.startswith(said) for c in at.caption)
    at.segmented_control(key="browse_overlay").set_value("label").run()
    assert not grid.select  # boxes only over what would be accepted

    # A promote between drawing the grid and the click: the ticks were made on the old model's masks.
    at.segmented_control(key="browse_overlay").set_value("prediction").run()
    other = fresh[3]
    prediction(model, ws, other.id)
    at.run()
    grid.ticked = [other.id]
    at.run()
    at.session_state["browse_grid_model"] = "an-older-model"  # as the run before a promote left it
    at.button(key="browse_accept").click().run()
    assert any("the active model is now" in e.value for e in at.error) and ws.image(other.id).status == "unlabelled"


def test_browse_most_useful_next_order(demo_ws, editor, with_model):
    from seep.ui.models import active_model

    model = active_model(demo_ws)
    recs = demo_ws.list_images(ImageFilter(status=UNREVIEWED))  # reviewed tiles come after these
    conf = np.full((256, 256), 0.5, np.float32)
    for i, r in enumerate(recs[:3]):
        demo_ws.save_prediction(r.id, model.id, np.zeros((256, 256), np.uint8), conf, uncertainty=0.1 * (i + 1))
    at = app()
    at.selectbox(key="browse_sort").set_value("most_useful").run()
    assert not at.exception
    assert demo_ws.image_ids(at.session_state["browse_filter"])[:3] == [recs[2].id, recs[1].id, recs[0].id]
    missing = demo_ws.count_images() - 3  # the model predicted only those: the rest sort last, and the page says so
    assert f"{missing} of them have no prediction by {model.id} yet and sort last" in " ".join(c.value for c in at.caption)


def test_browse_teaching_sample_order(demo_ws, editor):
    """Needs no predictions; Review's previous / next walk the sample, a tile of each scene in turn."""
    at = app()
    at.selectbox(key="browse_sort").set_value("teaching_sample").run()
    assert not at.exception
    order = demo_ws.image_ids(at.session_state["browse_filter"])
    recs = demo_ws.list_images(ImageFilter(), limit=1000)
    done = {r.id: r.status in REVIEWED for r in recs}  # what is reviewed comes last, in turns of its own
    turn = {r.id: sorted(q.id for q in recs if (q.scene, done[q.id]) == (r.scene, done[r.id])).index(r.id) for r in recs}
    assert order == sorted(turn, key=lambda i: (done[i], turn[i], i))
    first = [demo_ws.image(i).scene for i in order[: len(demo_ws.scenes())]]
    assert sorted(first) == sorted(demo_ws.scenes()) and not any(done[i] for i in order[: len(demo_ws.scenes())])


def test_cli_and_train_page_train_the_same_candidate(demo_ws, tiny_model, tmp_path, monkeypatch):
    """One set of defaults: Start on the Train page and `seep train` on the same labels and
    seed give the same weights."""
    import shutil

    import torch

    import seep.jobs.worker
    from seep.cli import main
    from seep.jobs import queue
    from seep.jobs.finetune import FinetuneParams, run_finetune
    from seep.workspace import registry as reg

    reg.promote(demo_ws, reg.register_model(demo_ws, tiny_model, model_id="tiny").id)
    twin = Workspace(shutil.copytree(demo_ws.root, tmp_path / "twin"))
    monkeypatch.setattr(seep.jobs.worker, "ensure_worker", lambda ws: None)  # the job runs here, below
    at = app(page="pages/train.py")
    at.button(key="train_start").click().run()
    assert not at.exception
    (job,) = queue.list_jobs(demo_ws)
    from_page = run_finetune(demo_ws, FinetuneParams.from_dict(job.params))
    assert main(["train", "--workspace", str(twin.root)]) == 0
    (from_cli,) = [m for m in reg.list_models(twin) if m.id != "tiny"]
    a = torch.load(reg.get_model(demo_ws, from_page["model_id"]).path(demo_ws), weights_only=True)["model"]
    b = torch.load(from_cli.path(twin), weights_only=True)["model"]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], torch.load(tiny_model, weights_only=True)["model"][k]) for k in a)  # it trained


def test_the_train_pages_training_sets(demo_ws, tiny_model):
    """'Corrected since a model' is offered once there is a model (it trained on everything when
    there was none); 'Chosen scenes' with none chosen says so (it blamed the validation tiles)."""
    from seep.workspace import registry as reg

    at = app(page="pages/train.py")
    assert at.radio(key="train_which").options == ["All reviewed labels", "Chosen scenes"]
    at.radio(key="train_which").set_value("scenes").run()
    assert [i.value for i in at.info] == ["choose at least one scene to train on"]
    assert at.button(key="train_start").disabled
    scene = at.multiselect(key="train_scenes").options[0]
    at.multiselect(key="train_scenes").set_value([scene]).run()
    assert not at.info and not at.button(key="train_start").disabled
    assert any(c.value.startswith("Trains on") for c in at.caption)

    time.sleep(1.1)  # a model's time is kept to the second
    reg.register_model(demo_ws, tiny_model, model_id="tiny")  # after every label of the demo
    at = app(page="pages/train.py")
    at.radio(key="train_which").set_value("since").run()
    assert at.selectbox(key="train_since").value == "tiny"
    assert any("no reviewed labels to train on" in i.value for i in at.info) and at.button(key="train_start").disabled


def test_predict_all_on_the_train_page_says_what_the_active_model_has_not_predicted(demo_ws, tiny_model, monkeypatch):
    """After a promote the new model has predicted nothing: the panel says how many unreviewed
    tiles wait for it, and Predict with the active model predicts them."""
    import seep.jobs.worker
    from seep.jobs import queue
    from seep.workspace import registry as reg

    monkeypatch.setattr(seep.jobs.worker, "ensure_worker", lambda ws: None)  # the job runs here, below
    reg.promote(demo_ws, reg.register_model(demo_ws, tiny_model, model_id="tiny").id)
    waiting = demo_ws.count_images(ImageFilter(status=UNREVIEWED))
    at = app(page="pages/train.py")
    assert any(c.value.startswith(f"{waiting} unreviewed tiles have no prediction by the active model tiny") for c in at.caption)
    at.button(key="train_predict_all").click().run()
    (job,) = queue.list_jobs(demo_ws)
    assert job.kind == "predict_all" and job.params == {"only_unreviewed": True}
    seep.jobs.worker.run_job(demo_ws, queue.claim_next(demo_ws, os.getpid()))
    at.run()
    assert not at.exception and not any("no prediction by the active model" in c.value for c in at.caption)


def test_train_and_models_pages_say_a_candidate_is_worse_than_its_base(demo_ws, tiny_model):
    from seep.jobs import queue
    from seep.jobs.finetune import tiles_of
    from seep.learn.evaluate import evaluate
    from seep.learn.infer import Predictor
    from seep.workspace import REVIEWED, ImageFilter
    from seep.workspace import registry as reg

    reviewed = demo_ws.list_images(ImageFilter(status=REVIEWED))
    report = {**evaluate(Predictor(tiny_model), tiles_of(demo_ws, reviewed)), "binary_iou": 0.45}
    reg.promote(demo_ws, reg.register_model(demo_ws, tiny_model, model_id="base", metrics=report).id)
    worse = {**report, "binary_iou": 0.3, "worse_than_base": True, "base_binary_iou": 0.45, "val_tiles": ["a", "b"]}
    worse |= {"rest_agreement": 0.5, "rest_tiles": 6, "area_shift": 0.8}
    reg.register_model(demo_ws, tiny_model, parent="base", model_id="cand", metrics=worse)
    job = queue.submit(demo_ws, "finetune", {})
    lease = queue.claim_next(demo_ws, __import__("os").getpid()).lease
    queue.finish(demo_ws, job.id, lease, "DONE", result={"model_id": "cand"})
    at = app(page="pages/train.py")
    at.run()
    (warning,) = [w.value for w in at.warning if "cand is worse than its base" in w.value]
    assert "0.45" in warning and "on 6 tiles of the same scenes nobody reviewed" in warning and "only 50%" in warning
    (rest,) = [c.value for c in at.caption if c.value.startswith("On 6 tiles of the same scenes nobody reviewed")]
    assert "as much seep there as its base (background logit +0.80)" in rest and "on 50.0% of the pixels" in rest
    (plan,) = [c.value for c in at.caption if c.value.startswith("Trains on")]
    assert plan.startswith("Trains on 3 tiles (0 corrected awaiting review, 3 accepted) and checks")
    assert "1 held-out" in plan
    reg.register_model(demo_ws, tiny_model, parent="base", model_id="fine", metrics={**worse, "worse_than_base": False})
    at = app(page="pages/models.py")
    assert at.dataframe[0].value.set_index("model").loc["fine", "vs. base"] == "not worse"
    row = at.dataframe[0].value.set_index("model").loc["cand"]
    assert row["vs. base"] == "worse" and row["validated on"] == "2 held-out tiles" and row["base seep IoU"] == 0.45
    base = at.dataframe[0].value.set_index("model").loc["base"]
    assert pd.isna(base["vs. base"]) and pd.isna(base["base seep IoU"]) and pd.isna(base["job"])
    assert {d.proto.placeholder for d in at.dataframe} == {"—"}  # a cell with no value reads as a dash, not "None"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", row["created"])  # not 2026-11-26T04:26:53.120+00:00


def test_scene_page_without_scenes_says_how_to_import(demo_ws):
    at = app("pages/scene.py")
    assert any("python -m seep import SCENE.tif" in i.value for i in at.info)


def test_scene_page_shows_the_demo_scene(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = app("pages/scene.py")
    assert at.selectbox(key="scene_name").value == "demo_scene"
    caption = " ".join(c.value for c in at.caption)
    assert "512 x 400 pixels, 1 band uint16" in caption and "WGS 84 / UTM zone 31N" in caption and "4 tiles of 256 px" in caption
    assert "pixel 10 x 10 m · " in caption  # on the ground, as the report gives it
    assert "Acquired 2025-03-02 03:14 UTC (read from its ACQUISITION\\_START\\_TIME tag)" in caption  # the demo file's tag
    (link,) = [p for p in at.get("page_link") if p.proto.label.startswith("demo")]  # the other pass over its sea
    seeps = at.dataframe[-1].value  # the seeps list: each slick seen again names the pass, and its first
    again = seeps[seeps["also seen in"].notna()]
    assert (
        len(again) and set(again["also seen in"]) == {"demo_scene_2 (2025-03-14)"} and set(again["first seen"]) == {"2025-03-02"}
    )
    assert link.proto.label == "demo\\_scene\\_2 · 2025-03-14, 12 days later" and link.proto.query_string == "name=demo_scene_2"

    # Each tile's marker says where its middle lies on the Earth, as pyproj puts it.
    import json

    from pyproj import Transformer

    from seep.workspace.scenes import scene, tile_offsets_of

    sc = scene(ws, "demo_scene")
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    hovers = {
        i: t for trace in figure["data"] if "customdata" in trace for i, t in zip(trace["customdata"], trace["text"], strict=True)
    }
    to_lonlat = Transformer.from_crs(sc.grid.crs, "EPSG:4326", always_xy=True)
    for image_id, (r, c) in tile_offsets_of(ws, "demo_scene").items():
        lon, lat = to_lonlat.transform(*(sc.grid.affine(r, c) @ (128, 128)))
        assert hovers[image_id].endswith(f"<br>{lat:.4f}° N, {lon:.4f}° E"), hovers[image_id]


def test_review_gives_a_scene_tiles_seep_area_on_the_ground(tmp_path, monkeypatch):
    """Analysts report a slick's area in km², not in pixels: on a scene tile the class table is
    followed by the seep's area, from the pixel's footprint on the WGS 84 ellipsoid; and the
    scene's remarks are read under the header while its tiles are judged."""
    from seep.workspace.remarks import set_remarks
    from seep.workspace.scenes import scene, tile_offsets_of

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    sc = scene(ws, "demo_scene")
    tile = max(tile_offsets_of(ws, "demo_scene"), key=lambda i: ws.image(i).seep_pixels)
    seep = int((ws.label(tile)[1] > 0).sum())
    at = app(image=tile)
    got = next(c.value for c in at.caption if c.value.startswith("Seep on the ground"))
    km2 = float(re.search(r"label ([\d.]+) km²", got)[1])
    grid_m2 = abs(sc.grid.transform[0] * sc.grid.transform[4])  # UTM: metres, within its 0.04% scale error
    assert seep > 0 and abs(km2 - seep * grid_m2 / 1e6) / km2 < 0.01, got
    assert any("centre 4" in c.value and "° N, " in c.value for c in at.caption)  # and where it lies
    assert any(c.value.startswith("scene demo\\_scene, acquired 2025-03-02 03:14 UTC · rows ") for c in at.caption)  # and when
    assert not any(c.value.startswith("Remarks on this scene") for c in at.caption)  # none written yet

    set_remarks(ws, "demo_scene", "Wind 3 m/s, *calm*.\n\nShip wakes in the north." + " x" * 200, "ana")
    said = [c.value for c in app(image=tile).caption if c.value.startswith("Remarks on this scene")]
    short = ("Wind 3 m/s, *calm*. / Ship wakes in the north." + " x" * 200)[:239] + "…"
    assert said == [plain(f"Remarks on this scene (ana): {short}")]  # while judging its tiles, as typed

    loose = next(i for i in ws.image_ids() if i not in tile_offsets_of(ws, "demo_scene"))
    assert not any(c.value.startswith(("Seep on the ground", "Remarks")) for c in app(image=loose).caption)  # no map, no area


def test_browse_lists_scenes_with_their_review_progress_and_a_link_to_the_map(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=3), labelled_per_scene=1)
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = app()
    at.segmented_control(key="browse_view").set_value("Scenes").run()
    table = at.dataframe[0].value.set_index("scene")
    loose_ones = [s for s in ws.scenes() if not s.startswith("demo_scene")]
    assert list(table.index) == ["demo_scene_2", "demo_scene", *loose_ones]  # the newest pass first, then by name
    assert table.loc["demo_scene", "tiles"] == 4 and table.loc["demo_scene", "reviewed"] == 1.0
    assert table.loc["demo_scene", "map"] == "scene?name=demo_scene"
    assert table.loc["demo_scene", "acquired"] == "2025-03-02 03:14 UTC"
    loose = next(s for s in ws.scenes() if s != "demo_scene")
    assert table.loc[loose, "tiles"] == 3 and table.loc[loose, "unlabelled"] == 2 and not isinstance(table.loc[loose, "map"], str)
    names = list(table.index)
    # The passes of a window (Browse's acquired since and until) only, and the sites of those passes.
    at = app(view="Scenes", since="2025-03-10", until="2025-03-20")
    assert list(at.dataframe[0].value["scene"]) == ["demo_scene_2"]  # the other pass before; the loose ones of no time
    assert any(
        "of every georeferenced scene acquired since 2025-03-10 00:00 UTC and before 2025-03-21 00:00 UTC" in c.value
        for c in at.caption
    )

    at = app("pages/scene.py", name="demo_scene")  # the link's target
    assert at.selectbox(key="scene_name").value == "demo_scene"
    assert not at.warning
    at = app("pages/scene.py", name="**gone**")  # a stale link: said, as text, and the picker still works
    assert [w.value for w in at.warning] == [
        "This workspace has no scene \\*\\*gone\\*\\*: the link may come from another workspace, or the scene was removed. "
        "Pick one below."
    ]
    assert at.selectbox(key="scene_name").value in names
    at = app("pages/scene.py", name="")  # `?name=` names no scene: no warning about a scene called ''
    assert not at.warning and at.selectbox(key="scene_name").value in names


def test_when_a_scene_was_acquired_is_set_on_its_page_and_a_bad_time_changes_nothing(tmp_path, monkeypatch):
    from seep.ui.text import plain
    from seep.workspace.accounts import audit_rows
    from seep.workspace.scenes import scene

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = app("pages/scene.py", name="demo_scene_2")
    at.session_state["author"] = "ana"
    box = at.text_input(key="scene_acquired_demo_scene_2_0")  # keyed by the saves made: none yet
    assert box.value == "2025-03-14T03:14:09Z"
    box.set_value("14/03/2025")
    next(b for b in at.button if b.label == "Save").click().run()
    said = "acquisition time '14/03/2025' is not a date: write it as 2023-01-05, 2023-01-05 03:15 or 2023-01-05T03:15:12Z (UTC)"
    assert [e.value for e in at.error] == [plain(said)]  # shown as the text it is
    assert scene(ws, "demo_scene_2").acquired == "2025-03-14T03:14:09Z"
    at.text_input(key="scene_acquired_demo_scene_2_0").set_value("2025-03-14 05:14 +02:00")  # a refusal keeps it
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception and not at.error
    assert (scene(ws, "demo_scene_2").acquired, scene(ws, "demo_scene_2").acquired_from) == ("2025-03-14T03:14:00Z", "set by ana")
    assert any(c.value.startswith("Acquired 2025-03-14 03:14 UTC (set by ana)") for c in at.caption)
    assert audit_rows(ws)[0]["detail"] == "2025-03-14T03:14:09Z -> 2025-03-14T03:14:00Z"
    assert at.text_input(key="scene_acquired_demo_scene_2_1").value == "2025-03-14T03:14:00Z"  # drawn anew, closed


def test_scene_page_predicts_its_scene_in_the_background(tmp_path, monkeypatch, tiny_model):
    import os

    import seep.jobs.worker
    from seep.jobs import queue
    from seep.workspace import registry as reg
    from seep.workspace.scenes import tile_offsets_of

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=2), labelled_per_scene=0)
    for i in tile_offsets_of(ws, "demo_scene"):
        ws.set_status(i, "in_review")  # not reviewed yet: predict-this-scene predicts them
    reg.promote(ws, reg.register_model(ws, tiny_model, model_id="tiny").id)
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    monkeypatch.setattr(seep.jobs.worker, "ensure_worker", lambda ws: None)  # the job runs here, below
    at = app("pages/scene.py")
    at.segmented_control(key="scene_layer").set_value("predictions").run()
    holes = "4 of 4 tiles have no prediction by the active model yet: the files below say nothing about them (the mask: no-data)."
    assert holes in [c.value for c in at.caption]  # a download would be empty, not seep-free
    at.button(key="scene_predict").click().run()
    (job,) = queue.list_jobs(ws)
    assert job.kind == "predict_all" and job.params == {"only_unreviewed": True, "scene": "demo_scene"}
    seep.jobs.worker.run_job(ws, queue.claim_next(ws, os.getpid()))
    at.run()
    assert not at.exception and at.segmented_control(key="scene_layer").value == "predictions"
    assert any("Predict all · job" in m.value for m in at.markdown)
    predicted = ws.predicted(list(tile_offsets_of(ws, "demo_scene")), "tiny")
    assert len(predicted) == 4 and ws.count_images(ImageFilter(has_prediction=True, model="tiny")) == 4
    assert not any("no prediction by the active model" in c.value for c in at.run().caption)


def test_an_import_that_adds_nothing_says_so_on_its_job(tmp_path, monkeypatch):
    """A scene whose every tile is already in the workspace makes no scene: the finished job
    says so where the analyst looks (it was only in the collapsed log, under 'done · finished')
    and the page does not try to open a scene that was never made."""
    from rasterio.transform import from_origin

    from seep.data.geo import write_geotiff
    from seep.data.synthetic import SCENE_CRS, SCENE_ORIGIN, SCENE_PIXEL_M, make_scene
    from seep.jobs import queue
    from seep.jobs.worker import run_job

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    made = make_scene(seed=5, height=256, width=256)
    write_geotiff(tmp_path / "gulf.tif", made.image, SCENE_CRS, from_origin(*SCENE_ORIGIN, SCENE_PIXEL_M, SCENE_PIXEL_M))
    for name in ("gulf", "gulf_again"):
        job = queue.submit(ws, "import_scene", {"path": str(tmp_path / "gulf.tif"), "scene": name, "author": "ana"})
        run_job(ws, queue.claim_next(ws, os.getpid()))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["scene_job"] = job.id
    at.run()
    at.switch_page("pages/scene.py").run()
    assert not at.exception
    assert any("so no scene gulf_again was made" in w.value.replace("\\", "") for w in at.warning), [w.value for w in at.warning]
    assert at.selectbox(key="scene_name").value != "gulf_again"


def test_the_scene_page_shows_the_scene_it_showed_when_the_analyst_comes_back(tmp_path, monkeypatch):
    """Back from a tile through the sidebar (whose link names no scene) the page showed the
    first scene again, and its predictions outlines were labels again."""
    from rasterio.transform import from_origin

    from seep.data.geo import write_geotiff
    from seep.data.synthetic import SCENE_CRS, SCENE_ORIGIN, SCENE_PIXEL_M, make_scene
    from seep.workspace.scenes import import_scene

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    made = make_scene(seed=5, height=256, width=256)
    write_geotiff(tmp_path / "gulf.tif", made.image, SCENE_CRS, from_origin(*SCENE_ORIGIN, SCENE_PIXEL_M, SCENE_PIXEL_M))
    import_scene(ws, tmp_path / "gulf.tif", scene="gulf", author="ana")
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = app("pages/scene.py")
    assert at.selectbox(key="scene_name").value == "demo_scene" and at.query_params["name"] == "demo_scene"
    at.selectbox(key="scene_name").set_value("gulf").run()
    at.segmented_control(key="scene_layer").set_value("predictions").run()
    assert at.query_params["name"] == "gulf"  # the address says which, for a reload or a colleague
    at.switch_page("pages/review.py").run()
    at.query_params.clear()  # the sidebar's link
    at.switch_page("pages/scene.py").run()
    assert not at.exception and at.selectbox(key="scene_name").value == "gulf"
    assert at.segmented_control(key="scene_layer").value == "predictions"
    at.query_params["name"] = "demo_scene"  # a link names its scene: that one, kept from then on
    at.run()
    assert at.selectbox(key="scene_name").value == "demo_scene"


def test_an_import_that_ends_as_the_page_lists_its_scenes_shows_the_new_scene(tmp_path, monkeypatch):
    """The page lists the scenes before it looks up its job; an import that ends between the two
    must still open its scene, not call the new scene's name a stale link."""
    from rasterio.transform import from_origin

    import seep.workspace.scenes
    from seep.data.geo import write_geotiff
    from seep.data.synthetic import SCENE_CRS, SCENE_ORIGIN, SCENE_PIXEL_M, make_scene
    from seep.jobs import queue
    from seep.jobs.worker import run_job

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    made = make_scene(seed=5, height=256, width=256)
    write_geotiff(tmp_path / "gulf.tif", made.image, SCENE_CRS, from_origin(*SCENE_ORIGIN, SCENE_PIXEL_M, SCENE_PIXEL_M))
    job = queue.submit(ws, "import_scene", {"path": str(tmp_path / "gulf.tif"), "scene": "gulf", "author": "ana"})
    run_job(ws, queue.claim_next(ws, os.getpid()))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["scene_job"] = job.id  # this session started the import
    at.run()
    listed, calls = seep.workspace.scenes.scene_names, []

    def listed_before_the_end_at_first(w):
        calls.append(1)
        return [n for n in listed(w) if n != "gulf" or len(calls) > 1]

    monkeypatch.setattr(seep.workspace.scenes, "scene_names", listed_before_the_end_at_first)
    at.switch_page("pages/scene.py").run()
    said = [w.value for w in at.warning]
    assert not at.exception and len(said) == 1 and "is the demo workspace" in said[0] and "synthetic tiles" in said[0]
    assert at.selectbox(key="scene_name").value == "gulf"  # an import into the demo says so, and nothing else


PASSWORD = "correct horse battery"


def app_as(name: str | None, page: str | None = None, **query) -> AppTest:
    """The app with `name` signed in (as the sign-in form leaves it), on `page`."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    if name:
        at.session_state["signed_in"] = {"name": name, "at": time.time(), "seen": time.time()}
    at.run()
    if page:
        at.switch_page(page).run()
    return at


@pytest.fixture
def team(demo_ws):
    from seep.workspace import accounts as acc

    acc.add_user(demo_ws, "ada", "admin", PASSWORD, actor="setup")
    acc.add_user(demo_ws, "ana <i>x</i>", "analyst", PASSWORD, actor="ada")
    acc.add_user(demo_ws, "rey", "reviewer", PASSWORD, actor="ada")
    return demo_ws


def test_with_accounts_every_page_is_behind_the_sign_in_form(team):
    from seep.workspace import accounts as acc

    at = app_as(None)
    assert [t.value for t in at.title] == ["Sign in to Seep"] and not at.get("stPlotlyChart")
    name, password = at.text_input
    name.set_value("ada")
    at.button[0].click().run()  # Enter pressed before the password was typed: said, and not a failure
    assert [e.value for e in at.error] == ["type your name and your password"]
    with team.connect() as con:
        assert con.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0
    name, password = at.text_input
    name.set_value("ada")
    password.set_value("wrong password!")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["wrong name or password"] and at.title[0].value == "Sign in to Seep"
    name, password = at.text_input
    name.set_value("ada")
    password.set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.title[0].value == "Browse"
    assert any("Signed in as **ada** · admin" in c.value for c in at.sidebar.caption)
    # Sign-out is a sidebar button: AppTest reruns a page without app.py's sidebar, so the browser test clicks it.
    at.session_state["signed_in"]["at"] -= session_hours(13)
    at.switch_page("pages/review.py").run()
    assert not at.title or at.title[0].value != "Review"  # expired: the page draws nothing of the workspace
    ended = acc.audit_rows(team, actor="ada")[0]
    assert (ended["action"], ended["detail"]) == ("sign-out", "Your session expired; sign in again.")


def session_hours(h: float) -> float:
    return h * 3600


def test_an_analyst_is_refused_promote_even_when_the_handler_runs(team, tiny_model):
    from seep.workspace import accounts as acc
    from seep.workspace import registry as reg

    reg.promote(team, reg.register_model(team, tiny_model, model_id="base").id)
    reg.register_model(team, tiny_model, parent="base", model_id="cand")
    at = app_as("ana <i>x</i>", "pages/train.py")
    at.session_state["train_candidate"] = "cand"
    at.run()
    assert at.button(key="train_promote").disabled and at.button(key="train_start").disabled
    # The button is offered to admins only; the handler checks the role again when it runs: here
    # ada is an admin when the page is drawn and an analyst by the time she clicks.
    acc.add_user(team, "root", "admin", PASSWORD, actor="ada")
    at = app_as("ada", "pages/train.py")
    at.session_state["train_candidate"] = "cand"
    at.run()
    acc.set_role(team, "ada", "analyst", actor="root")
    at.button(key="train_promote").click().run()  # the page, drawn again for her role now, drops the click
    assert at.button(key="train_promote").disabled and reg.active_model_id(team) == "base"

    def promote_as_analyst():  # the page's handler itself, called as an analyst
        import streamlit as st

        from seep.errors import SeepError
        from seep.ui.actions import activate
        from seep.workspace import Workspace

        try:
            activate(Workspace(st.session_state["ws"], create=False), "cand")
        except SeepError as e:
            st.error(str(e))

    handler = AppTest.from_function(promote_as_analyst)
    handler.session_state["ws"] = str(team.root)
    handler.session_state["signed_in"] = {"name": "ana <i>x</i>", "at": time.time(), "seen": time.time()}
    handler.run()
    assert [e.value for e in handler.error] == ["ana <i>x</i> may not promote: that needs the admin role or above; ask an admin"]
    assert reg.active_model_id(team) == "base" and not [r for r in acc.audit_rows(team) if r["target"] == "cand"]
    at = app_as("ana <i>x</i>")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/team.py")  # not among an analyst's pages at all


def test_only_an_admin_adds_a_model_or_makes_one_active_on_the_models_page(team, tiny_model):
    from seep.workspace import accounts as acc
    from seep.workspace import registry as reg

    reg.register_model(team, tiny_model, model_id="cand")
    for name, admin in (("ana <i>x</i>", False), ("rey", False), ("ada", True)):
        at = app_as(name, "pages/models.py")
        assert not at.exception and at.title[0].value == "Models"
        assert any(e.label == "Add a model trained elsewhere" for e in at.expander) == admin, name
        assert at.button(key="models_activate_cand").disabled != admin, name
        assert ("models_note_cand" in [t.key for t in at.text_input]) == admin, name  # its note, said again
    at.text_input(key="models_note_cand").input("kept: <b>best</b> on the Nov passes")
    at.button(key="FormSubmitter:models_note_form_cand-Save the note").click().run()
    assert not at.exception and reg.get_model(team, "cand").note == "kept: <b>best</b> on the Nov passes"
    at.button(key="models_activate_cand").click().run()
    assert reg.active_model_id(team) == "cand"
    assert [(r["actor"], r["action"]) for r in acc.audit_rows(team) if r["target"] == "cand"] == [
        ("ada", "promote"),
        ("ada", "note model"),
    ]


def analyst_sends(team, editor, kind: str):
    """The first tile opened by the analyst, painted, and `kind` (save, accept) sent: (tile, app, mask)."""
    rec = team.list_images()[0]
    at = app_as("ana <i>x</i>", image=rec.id)
    painted = editor.calls[-1][1].copy()
    painted[0:5, 0:5] = 2
    editor.send(at, kind, painted)
    at.run()
    return rec, at, painted


def test_an_analyst_saves_under_their_account_but_may_not_accept(team, editor):
    rec, at, painted = analyst_sends(team, editor, "accept")
    assert any("may not accept" in e.value for e in at.error) and team.image(rec.id).head_version == 1
    editor.send(at, "save", painted)
    at.run()
    lv = team.version(rec.id)
    assert (lv.version, lv.author) == (2, "ana <i>x</i>") and team.image(rec.id).status == "corrected"
    at = app_as("rey", image=rec.id)
    editor.send(at, "accept", None, dirty=False)
    at.run()
    assert not at.error and team.image(rec.id).status == "accepted"


def test_only_a_reviewer_gets_boxes_to_accept_predictions_on_the_grid(team, grid, with_model):
    from seep.ui.models import prediction

    fresh = team.list_images(ImageFilter(status=("unlabelled",)))[0]
    prediction(seep.ui.models.active_model(team), team, fresh.id)
    for name, boxes in (("ana <i>x</i>", False), ("rey", True)):
        at = app_as(name, overlay="prediction")
        assert not at.exception and grid.select is boxes, name
        assert ("browse_accept" in [b.key for b in at.button]) is boxes
    grid.ticked = [fresh.id]
    at.run()
    assert at.button(key="browse_accept").label == "Accept 1 selected"
    from seep.workspace import accounts as acc

    acc.set_role(team, "rey", "analyst", actor="ada")  # demoted while the page was open
    at.button(key="browse_accept").click().run()
    assert team.image(fresh.id).status == "unlabelled" and not grid.select  # the role as it is now
    assert "browse_accept" not in [b.key for b in at.button]


def test_a_job_is_cancelled_only_by_a_role_that_may_start_it(team):
    """The Train page shows everyone the running job: an analyst's Cancel stopped an admin's fine-tune."""
    from seep.jobs import queue
    from seep.workspace import accounts as acc

    job = queue.submit(team, "finetune", {})
    at = app_as("ana <i>x</i>", "pages/train.py")
    [cancel] = [b for b in at.button if b.key.endswith(f"_cancel_{job.id}")]
    assert cancel.disabled and not at.exception
    at = app_as("ada", "pages/train.py")
    [cancel] = [b for b in at.button if b.key.endswith(f"_cancel_{job.id}")]
    assert not cancel.disabled
    cancel.click().run()
    assert queue.get(team, job.id).status == "STOPPED"
    entry = acc.audit_rows(team, limit=1)[0]
    assert (entry["actor"], entry["action"], entry["target"], entry["detail"]) == ("ada", "cancel", str(job.id), "finetune")


def test_an_admin_adds_an_account_on_the_team_page(team):
    from seep.workspace import accounts as acc

    at = app_as("ada", "pages/team.py")
    assert not at.exception
    accounts = at.dataframe[0].value.set_index("name")
    assert set(accounts.index) == {"ada", "ana <i>x</i>", "rey"} and accounts["last_sign_in"].isna().all()  # nobody yet
    name, password, again = at.text_input[:3]  # the account form, above the class names
    name.set_value("zoe")
    password.set_value(PASSWORD)
    again.set_value(PASSWORD)
    at.selectbox[0].set_value("reviewer")
    at.button[0].click().run()
    assert acc.get_user(team, "zoe") == acc.User("zoe", "reviewer")
    assert acc.audit_rows(team)[0]["action"] == "user-add"


def test_an_admin_who_sets_her_own_password_stays_signed_in_where_her_other_sessions_end(team):
    from seep.workspace import accounts as acc

    signed_at = acc.sign_in(team, "ada", PASSWORD).password_set_at
    here, there = app_as("ada", "pages/team.py"), app_as("ada", "pages/team.py")
    for at in (here, there):
        at.session_state["signed_in"]["password_set_at"] = signed_at  # as the sign-in form leaves it
    new = "a new passphrase"
    here.selectbox(key="team_password_who").set_value("ada")
    form = [t for t in here.text_input if t.label.startswith("New password")]
    for field in form:
        field.set_value(new)
    here.button(key="FormSubmitter:team_password-Set password").click().run()
    assert any("ada's password is set" in m.value for m in here.success)
    here.switch_page("pages/browse.py").run()
    assert not here.exception and here.title[0].value == "Browse"
    there.switch_page("pages/browse.py").run()  # (AppTest runs the page without app.py's sign-in form)
    assert not there.title and "signed_in" not in there.session_state
    assert there.session_state["signed_out_why"].startswith("Your password was changed since you signed in")
    ended = [r for r in acc.audit_rows(team, actor="ada") if r["action"] == "sign-out"]
    assert len(ended) == 1 and ended[0]["detail"].startswith("Your password was changed since you signed in")
    assert acc.sign_in(team, "ada", new).name == "ada"


def test_an_admin_signs_an_account_out_everywhere_and_her_own_other_sessions(team):
    """A lost laptop: "Sign out everywhere" on the Team page ends every session of that account
    and nothing else; chosen for herself it ends all but the one she clicked in (the sidebar's
    "Sign out my other sessions" is the same for everyone: the browser test clicks it)."""
    from seep.workspace import accounts as acc

    def signed(name: str, page: str = "pages/browse.py") -> AppTest:
        at = app_as(name, page)
        account = acc.sign_in(team, name, PASSWORD)  # the stamps the sign-in form leaves
        at.session_state["signed_in"].update(password_set_at=account.password_set_at, sessions_ended_at=account.sessions_ended_at)
        return at

    def ended(at: AppTest) -> bool:  # the sign-in form, saying why, in place of Browse
        at.switch_page("pages/browse.py").run()
        said = [i.value for i in at.info]
        return [t.value for t in at.title] == ["Sign in to Seep"] and any(
            s.startswith("This session was ended from elsewhere") for s in said
        )

    here, there, rey = signed("ada", "pages/team.py"), signed("ada"), signed("rey")
    here.selectbox(key="team_who").set_value("rey")
    here.button(key="team_end_sessions").click().run()
    assert [t.value for t in here.toast] == ["rey must sign in again in every browser"]
    assert ended(rey) and not ended(there) and acc.get_user(team, "rey").role == "reviewer"  # only the sessions
    here.switch_page("pages/team.py").run()
    here.selectbox(key="team_who").set_value("ada")
    here.button(key="team_end_sessions").click().run()
    assert [t.value for t in here.toast] == ["Your other sessions have ended"]
    assert ended(there) and not ended(here)  # the one that asked goes on
    trail = [(r["actor"], r["action"], r["target"]) for r in acc.audit_rows(team, limit=20) if "sessions" in r["action"]]
    assert trail == [("ada", "sessions-ended", "ada"), ("ada", "sessions-ended", "rey")]
    assert acc.sign_in(team, "rey", PASSWORD).name == "rey"  # the password is unchanged


def test_the_first_admin_account_is_made_on_the_team_page_and_turns_on_sign_in(demo_ws):
    from seep.workspace import accounts as acc

    at = app("pages/team.py")
    assert any("Accounts are off" in i.value for i in at.info)
    name, password, again = at.text_input[:3]  # the account form, above the class names
    name.set_value("ada")
    password.set_value(PASSWORD)
    again.set_value(PASSWORD + "x")
    at.button[0].click().run()
    assert any("differ" in e.value for e in at.error) and not acc.accounts_enabled(demo_ws)
    name, password, again = at.text_input[:3]  # the account form, above the class names
    name.set_value("ada")
    password.set_value(PASSWORD)
    again.set_value(PASSWORD)
    at.button[0].click().run()
    assert acc.get_user(demo_ws, "ada").role == "admin" and not at.exception
    assert at.session_state["signed_in"]["name"] == "ada"  # the one who turned it on is signed in


def test_a_reviewer_returns_a_tile_and_its_analyst_finds_it_with_the_comment(team, editor):
    rec, at, painted = analyst_sends(team, editor, "save")
    assert team.image(rec.id).status == "corrected" and not at.text_area  # analysts have no Return
    at = app_as("rey", image=rec.id)
    at.text_area(key="review_return_comment").input("the <b>wake</b> is a ship's")  # a form: sent with its button
    at.button(key="FormSubmitter:review_return_form-Return").click().run()
    assert not at.exception and team.image(rec.id).status == "returned"
    at = app_as("ana <i>x</i>", "pages/browse.py")
    assert any("returned 1 of your tiles" in w.value for w in at.warning)
    at.toggle(key="browse_returned").set_value(True).run()
    assert at.session_state["browse_filter"].returned_to == "ana <i>x</i>"
    assert any(c.value == "1 image matches" for c in at.caption)
    at = app_as("ana <i>x</i>", image=rec.id)
    note = next(w.value for w in at.warning if "Returned by rey" in w.value)
    assert "\\<b\\>wake\\</b\\>" in note  # markup shown as text
    editor.send(at, "save", painted)  # she fixes it: it waits for the reviewer again
    at.run()
    assert team.image(rec.id).status == "corrected" and not [w for w in at.warning if "Returned by" in w.value]


def test_removing_a_predicted_seep_asks_why_and_keeps_the_reason(demo_ws, editor, with_model):
    from seep.workspace import lookalikes

    image = demo_ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    pred = np.zeros((image.height, image.width), np.uint8)
    pred[10:30, 10:30], pred[100:120, 100:140] = 1, 3
    demo_ws.save_prediction(image.id, with_model.stem, pred, np.ones(pred.shape), 0.1)
    at = app(image=image.id)
    assert editor.calls[-1][0].startswith(f"{image.id}:prediction:")
    saved = pred.copy()
    saved[10:30, 10:30] = 0  # a blob delete of the first one
    editor.send(at, "save", saved)
    at.run()
    assert not at.exception and any("You removed 1 seep the model predicted" in m.value for m in at.markdown)
    at.selectbox(key="review_lookalike_1").set_value("ship wake")
    at.button(key="FormSubmitter:review_lookalike_form-Keep reasons").click().run()
    assert lookalikes.counts(demo_ws) == [{"reason": "ship wake", "model": with_model.stem, "regions": 1, "pixels": 400}]
    assert not any("You removed" in m.value for m in at.markdown)
    at = app("pages/models.py")
    tables = [d.value for d in at.dataframe if "reason" in d.value.columns]
    assert not at.exception and tables[0]["reason"].tolist() == ["ship wake"]


def test_a_removed_seep_at_an_installation_names_it_beside_its_reason(tmp_path, monkeypatch, editor, with_model):
    """A slick at a platform or on a ship's track is often their discharge: the question that asks why
    it was removed says so."""
    from seep.workspace.installations import load_installations
    from seep.workspace.scenes import tile_offsets_of
    from seep.workspace.tile_places import pixel_lonlat
    from seep.workspace.vessels import load_vessels

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    tile = next(i for i, off in tile_offsets_of(ws, "demo_scene").items() if off == (0, 0))
    image = ws.image(tile)
    pred = np.zeros((image.height, image.width), np.uint8)
    pred[110:130, 110:130] = 1
    ws.save_prediction(tile, with_model.stem, pred, np.ones(pred.shape), 0.1)
    opened = np.maximum(ws.label(tile)[1], pred)
    ws.save_label(tile, opened, parent=image.head_version, author="ana")
    removed = opened.copy()
    removed[110:130, 110:130] = 0
    for name, north, said in (("Far", 0.2, ""), ("Rig *7*", 0.0, " · nearest installation Rig \\*7\\*, under it")):
        lon, lat = pixel_lonlat(ws, tile, 120, 120)
        feature = {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "Point", "coordinates": [lon, lat + north]},
        }
        (tmp_path / "p.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        load_installations(ws, tmp_path / "p.geojson", "tester")
        at = app(image=tile)
        editor.send(at, "save", removed)
        at.run()
        assert not at.exception and at.selectbox(key="review_lookalike_1").label == f"Region 1 (400 px){said}"
        ws.save_label(tile, opened, parent=ws.image(tile).head_version, author="ana")  # the slick back, to remove again
    # A ship that sailed over it in the hour before the pass: the track is said beside the installation.
    west, east = (pixel_lonlat(ws, tile, 120, col) for col in (20, 220))  # 1 km west at 03:04:07, 1 km east at 03:24:07
    (tmp_path / "ais.csv").write_text(
        f"MMSI,BaseDateTime,LAT,LON,VesselName\n219000002,2025-03-02T03:04:07,{west[1]},{west[0]},<i>WAKE</i>\n"
        f"219000002,2025-03-02T03:24:07,{east[1]},{east[0]},<i>WAKE</i>\n"
    )
    load_vessels(ws, tmp_path / "ais.csv", "tester")
    at = app(image=tile)
    editor.send(at, "save", removed)
    at.run()
    assert at.selectbox(key="review_lookalike_1").label == (
        f"Region 1 (400 px){said} · on the track of \\<i\\>WAKE\\</i\\> \\(MMSI 219000002\\)"
    )


def test_the_look_alike_reasons_are_edited_on_the_team_page(demo_ws):
    from seep.workspace import lookalikes

    at = app("pages/team.py")
    at.text_area(key="team_reasons_text").input("low wind\nship <b>wake</b>\n")
    at.button(key="FormSubmitter:team_reasons-Save reasons").click().run()
    assert not at.exception and lookalikes.reasons(demo_ws) == ["low wind", "ship <b>wake</b>"]


def test_a_first_start_stopped_while_building_the_demo_is_finished_by_the_next(tmp_path, monkeypatch):
    from seep.workspace.demo import build_demo, unfinished

    ws = Workspace(tmp_path / "fresh")

    def killed(i, n):
        if i == 3:
            raise KeyboardInterrupt  # the server stopped during the first start

    with pytest.raises(KeyboardInterrupt):
        build_demo(ws, on_progress=killed)
    assert ws.count_images() == 3 and unfinished(ws)
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    app()
    assert ws.count_images() == 53 and not unfinished(ws) and "demo_scene" in ws.scenes()


def test_a_blind_double_label_from_send_to_adjudication(team, editor):
    from seep.workspace import accounts as acc
    from seep.workspace import agreement

    acc.add_user(team, "ben", "analyst", PASSWORD, actor="ada")
    rec = team.list_images()[0]
    at = app_as("rey", image=rec.id)
    at.multiselect(key="review_blind_send_pair").set_value(["ana <i>x</i>", "ben"])
    next(b for b in at.button if b.label == "Send").click().run()
    assert agreement.open_round(team, rec.id).analysts == ("ana <i>x</i>", "ben")

    def blind_save(name, box, cls):
        at = app_as(name, "pages/browse.py")
        assert any("1 tile waits for your blind label" in i.value for i in at.info)
        at = app_as(name, image=rec.id)
        assert editor.calls[-1][0].startswith(f"{rec.id}:label:1:")  # both start from the label, not each other's
        assert any("Blind double label" in i.value for i in at.info)
        mask = editor.calls[-1][1].copy()
        mask[box] = cls
        editor.send(at, "save", mask)
        at.run()
        assert not at.error and editor.calls[-1][0].startswith(f"{rec.id}:blind:")  # reloads their saved blind mask
        return mask

    ana = blind_save("ana <i>x</i>", np.s_[0:10, 0:10], 1)
    assert team.image(rec.id).head_version == 1  # a blind label is not a version anyone sees
    blind_save("ben", np.s_[0:10, 0:10], 2)
    at = app_as("rey", image=rec.id)
    assert any("agree on seep IoU" in m.value for m in at.markdown)
    at.button(key="review_blind_keep_0").click().run()  # ana's
    lv, kept = team.label(rec.id)
    assert (lv.version, lv.author) == (2, "ana <i>x</i>") and team.image(rec.id).status == "accepted"
    np.testing.assert_array_equal(kept, ana)
    at = app_as("ada", "pages/models.py")
    agreed = at.dataframe[-2].value
    assert set(agreed["analyst"]) == {"ana <i>x</i>", "ben"} and list(agreed["kept"]) == [1, 0]


def with_identity(at: AppTest, **claims) -> AppTest:
    """The app as a deployment with an OpenID Connect provider sees it after st.login."""
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "company": {"client_id": "seep", "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known"},
    }
    at.user = {"is_logged_in": bool(claims), **claims}
    return at


def test_an_identity_from_the_provider_expires_12_hours_after_it_signed_in(team):
    from seep.workspace import accounts as acc

    acc.set_email(team, "ada", "ada@example.org", actor="setup")
    at = with_identity(AppTest.from_file(APP, default_timeout=60)).run()
    assert at.title[0].value == "Sign in to Seep" and not at.text_input  # no password form
    assert [b.label for b in at.button] == ["Sign in with Company"]
    at = with_identity(AppTest.from_file(APP, default_timeout=60), email="ada@example.org", iat=time.time()).run()
    assert not at.exception and at.title[0].value == "Browse"
    assert any("Signed in as **ada** · admin" in c.value for c in at.sidebar.caption)
    stale = time.time() - session_hours(13)  # a reload brings the same identity cookie back
    at = with_identity(AppTest.from_file(APP, default_timeout=60), email="ada@example.org", iat=stale).run()
    assert at.title[0].value == "Sign in to Seep" and at.user["is_logged_in"] is False  # st.logout ran


def test_opening_a_tile_changes_its_status_only_for_the_model_and_the_first_stroke(demo_ws, editor, with_model):
    """Browse's counts stay honest: a prediction made on opening counts as predicted, a tile
    only looked at keeps its status, and the first stroke makes it "in review"."""
    fresh = demo_ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    accepted = demo_ws.list_images(ImageFilter(status=("accepted",)))[0]
    at = app(image=accepted.id)
    assert demo_ws.image(accepted.id).status == "accepted"  # looked at, not touched
    at = app(image=fresh.id)
    assert not at.exception
    assert (demo_ws.image(fresh.id).status, demo_ws.image(fresh.id).head_version) == ("predicted", None)
    assert demo_ws.status_counts()["predicted"] >= 1
    editor.queue.append(True)  # the analyst's first stroke: the editor reports unsaved strokes
    at.run()
    assert demo_ws.image(fresh.id).status == "in_review"


def test_a_new_browser_is_asked_who_is_reviewing_and_nothing_saves_without_a_name(demo_ws, editor, monkeypatch):
    monkeypatch.delenv("SEEP_AUTHOR")  # no deployment default: the server's OS user is not the analyst
    rec = demo_ws.list_images()[0]
    at = app(image=rec.id)
    assert any("Who is reviewing?" in m.value for m in at.markdown)
    painted = editor.calls[-1][1].copy()
    painted[5:9, 5:9] = 2
    editor.send(at, "save", painted)
    at.run()
    assert any("say who you are first" in e.value for e in at.error)
    assert demo_ws.image(rec.id).head_version == 1  # nothing saved
    # Answering the question is app.py's form, which AppTest does not rerun: tests/e2e/test_review_flow.py does.


def test_only_an_admin_sets_when_a_scene_was_acquired(tmp_path, monkeypatch):
    """A scene's time is the workspace's record of the pass, like the import that made it: a
    reviewer reads it, an admin corrects it, under their own name."""
    from seep.workspace import accounts as acc
    from seep.workspace.scenes import scene

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    acc.add_user(ws, "rey", "reviewer", PASSWORD, actor="ada")
    at = app_as("rey", "pages/scene.py")
    assert any(c.value.startswith("Acquired 2025-03-02 03:14 UTC") for c in at.caption)
    assert not [t.key for t in at.text_input if (t.key or "").startswith("scene_acquired_")]
    at = app_as("ada", "pages/scene.py")
    at.text_input(key="scene_acquired_demo_scene_0").set_value("2025-03-02T03:14:07.5Z")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception and scene(ws, "demo_scene").acquired_from == "set by ada"


def test_browse_keeps_to_the_passes_acquired_since_a_day(tmp_path, monkeypatch):
    """The morning's question: what came in since yesterday. The day is in the address (a shared
    link, Back) and filters the tiles by their scene's pass; scenes of unknown time drop out."""
    from datetime import date

    ws = Workspace(tmp_path / "geo")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=2))
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    at = app(since="2025-03-10", view="Table")
    assert not at.exception and not at.warning and at.date_input(key="browse_since").value == date(2025, 3, 10)
    assert set(at.dataframe[0].value["scene"]) == {"demo_scene_2"}
    at.date_input(key="browse_since").set_value(date(2025, 3, 1)).run()
    assert set(at.dataframe[0].value["scene"]) == {"demo_scene", "demo_scene_2"} and at.query_params["since"] == "2025-03-01"
    at.date_input(key="browse_since").set_value(None).run()
    assert len(set(at.dataframe[0].value["scene"])) == 3 and "since" not in at.query_params
    assert not app(since="yesterday").exception  # an edited link: ignored, as Browse does every value it cannot read
    # A day until, too: the passes of a week; the address keeps both; a range the wrong way round says so.
    at = app(since="2025-03-01", until="2025-03-13", view="Table")
    assert set(at.dataframe[0].value["scene"]) == {"demo_scene"} and at.date_input(key="browse_until").value == date(2025, 3, 13)
    at.date_input(key="browse_until").set_value(date(2025, 3, 14)).run()  # the day of the second pass counts whole
    assert set(at.dataframe[0].value["scene"]) == {"demo_scene", "demo_scene_2"} and at.query_params["until"] == "2025-03-14"
    at.date_input(key="browse_since").set_value(date(2025, 3, 20)).run()
    assert at.warning[0].value == "Acquired until 2025-03-14 is before since 2025-03-20: no pass lies between them."
    assert not app(until="2025-13-01").exception


def test_the_team_page_says_who_did_what_over_the_period_chosen(demo_ws):
    """Imported labels are nobody's work; a correction is its author's, the day it was saved and
    for as long as the period holds it."""
    from seep.workspace.review import Opened, save_edit

    at = app("pages/team.py")
    assert "Nobody labelled or reviewed a tile in that time." in [c.value for c in at.caption]
    tile = demo_ws.list_images()[0]
    mask = np.zeros((256, 256), np.uint8)
    mask[5:9, 5:9] = 2
    save_edit(demo_ws, Opened(tile.id, tile.head_version, "label"), mask, author="<b>ana</b>", dirty=True)
    at.segmented_control(key="team_activity_days").set_value(1).run()
    (row,) = at.dataframe(key="team_activity").value.to_dict("records")
    assert row["person"] == "<b>ana</b>" and row["tiles corrected"] == 1 and row["returned"] == 0
    assert row["last active"].endswith(" UTC")
