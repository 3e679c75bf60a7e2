"""The Models page's registry kept tidy: a candidate no one relied on removed (its weights and
cached predictions with it), a model that served kept, saying why; a model trained elsewhere added
and made active."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import choose, demo_server, open_expander, shot, upload, wait_for_app

from seep.learn.shipped import SHIPPED_MODEL, SHIPPED_SCORES
from seep.workspace import Workspace
from seep.workspace import registry as reg
from seep.workspace.accounts import audit_rows

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


def candidates(ws: Workspace) -> None:
    """Two fine-tunes of the shipped weights: one served a while (then rolled back), one never did."""
    reg.register_model(ws, SHIPPED_MODEL, model_id="m-base")
    reg.promote(ws, "m-base")
    reg.register_model(ws, SHIPPED_MODEL, model_id="m-served", parent="m-base")
    reg.promote(ws, "m-served")
    reg.rollback(ws)
    reg.register_model(ws, SHIPPED_MODEL, model_id="m-worse", parent="m-base")


@pytest.fixture(scope="module")
def models_server(tmp_path_factory):
    yield from demo_server(
        tmp_path_factory, "e2e-models", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "2", prepare=candidates
    )


def test_a_candidate_no_one_relied_on_is_removed_and_a_served_one_kept(models_server, page):
    url, ws_path = models_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/models")
    wait_for_app(page)
    choose(page, page.get_by_role("combobox", name="Model"), "m-worse")
    open_expander(page, "Remove m-worse")
    expect(page.get_by_text(re.compile(r"^A candidate no one relied on: its weights \(\d+\.\d MB\)"))).to_be_visible()
    remove = page.get_by_role("button", name="Remove model")
    expect(remove).to_be_disabled()  # not until it is ticked
    page.get_by_text("Yes, remove it for good").click()
    wait_for_app(page)
    remove.click()
    wait_for_app(page)
    expect(page.get_by_text("Removed model m-worse.")).to_be_visible()  # the run after the removal's
    wait_for_app(page)
    expect(page.get_by_role("combobox", name="Model")).to_have_count(1)  # the box offering m-worse replaced
    assert [m.id for m in reg.list_models(ws)] == ["m-base", "m-served"]
    shot(page, "50-model-removed")

    choose(page, page.get_by_role("combobox", name="Model"), "m-served")
    open_expander(page, "Remove m-served")
    expect(page.get_by_text(re.compile(r"^Kept: it has been the active model"))).to_be_visible()
    expect(page.get_by_role("button", name="Remove model")).to_have_count(0)


def test_a_model_trained_elsewhere_is_uploaded_and_made_active(models_server, page, tmp_path):
    """A lead's new base, trained on a GPU node, brought in from the browser: a file that is no
    model is refused, saying so; the model is registered without figures, then made active, and
    its file downloaded to take elsewhere."""
    url, ws_path = models_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/models")
    wait_for_app(page)
    open_expander(page, "Add a model trained elsewhere")
    (tmp_path / "notes.pt").write_text("not a model")
    upload(page, tmp_path / "notes.pt")
    page.get_by_role("button", name="Add model").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^notes\.pt is not a readable Seep model"))).to_be_visible()  # not its copy's path
    assert "notes" not in {m.id for m in reg.list_models(ws)}

    page.get_by_role("button", name="Remove notes.pt").click()  # a file picked by mistake, taken out
    expect(page.get_by_role("button", name="Remove notes.pt")).to_have_count(0)
    shutil.copy(SHIPPED_MODEL, tmp_path / "lead-v2.pt")
    shutil.copy(SHIPPED_SCORES, tmp_path / "lead-v2.cv.json")  # its recipe's cross-validation, with it
    upload(page, tmp_path / "lead-v2.pt", tmp_path / "lead-v2.cv.json")
    page.get_by_label("What it is").fill("recipe B on the 2024 archive")
    page.get_by_role("button", name="Add model").click()
    wait_for_app(page)
    expect(page.get_by_text("Added model lead-v2 with what to expect of it on new scenes")).to_be_visible()
    expect(page.get_by_role("heading", name="lead-v2 on scenes it never saw")).to_be_visible()
    assert not reg.get_model(ws, "lead-v2").active and reg.get_model(ws, "lead-v2").note == "recipe B on the 2024 archive"
    entry = audit_rows(ws)[0]
    assert (entry["action"], entry["target"]) == ("add model", "lead-v2")
    assert re.fullmatch(r"from lead-v2\.pt, uploaded \(\d+\.\d MB\)", entry["detail"])  # not its copy's path
    expect(page.get_by_text("lead-v2 has no figures on this workspace's tiles yet")).to_be_visible()  # picked
    expect(page.get_by_text("lead-v2.pt")).to_have_count(0)  # an empty form for the next one
    page.get_by_role("button", name="Make lead-v2 the active model").click()
    wait_for_app(page)
    expect(page.get_by_text("lead-v2 is now the active model")).to_be_visible()
    assert reg.active_model(ws).id == "lead-v2"
    expect(page.get_by_test_id("stSidebar").get_by_text("lead-v2")).to_be_visible()
    with page.expect_download() as got:  # to take to another workspace
        page.get_by_role("button", name="Download the model file").click()
    assert got.value.suggested_filename == "lead-v2.pt"
    assert Path(got.value.path()).read_bytes() == reg.get_model(ws, "lead-v2").path(ws).read_bytes()
    with page.expect_download() as got_figures:  # and what to expect of it, bound to that file
        page.get_by_role("button", name="Download what to expect of it").click()
    assert got_figures.value.suggested_filename == "lead-v2.cv.json"
    shot(page, "51-model-added")

    # The pair taken to a workspace (this one, under another name) brings the figures with it.
    shutil.copy(got.value.path(), tmp_path / "lead-v3.pt")
    shutil.copy(got_figures.value.path(), tmp_path / "lead-v3.cv.json")
    upload(page, tmp_path / "lead-v3.pt", tmp_path / "lead-v3.cv.json")  # the panel still open
    page.get_by_role("button", name="Add model").click()
    wait_for_app(page)
    expect(page.get_by_text("Added model lead-v3 with what to expect of it on new scenes")).to_be_visible()
    assert reg.get_model(ws, "lead-v3").expected["binary_iou"] == reg.get_model(ws, "lead-v2").expected["binary_iou"]

    # What it is, said again by the admin once it served.
    choose(page, page.get_by_role("combobox", name="Model"), "lead-v2")
    page.get_by_role("button", name="Its note").click()
    page.get_by_label("Its note, in a line").fill("recipe B on the 2024 archive; active since the Nov passes")
    page.get_by_role("button", name="Save the note").click()
    wait_for_app(page)
    expect(page.get_by_text("Noted lead-v2: recipe B on the 2024 archive; active since the Nov passes")).to_be_visible()
    assert reg.get_model(ws, "lead-v2").note == "recipe B on the 2024 archive; active since the Nov passes"


def test_before_promoting_a_candidate_the_tiles_it_changes_most_are_seen_and_opened(models_server, page):
    """The Train page's candidate beside its base on the unreviewed tiles it changes most (each
    predicted by both, side by side), and one opened in Review to correct it."""
    import os

    from seep.jobs import queue
    from seep.workspace import UNREVIEWED, ImageFilter

    url, ws_path = models_server
    ws = Workspace(ws_path, create=False)
    base = reg.active_model(ws) or reg.promote(ws, "m-base")
    tile = (
        ws.list_images(ImageFilter(status=UNREVIEWED))[0]
        if ws.count_images(ImageFilter(status=UNREVIEWED))
        else ws.list_images()[0]
    )
    metrics = {"rest_agreement": 0.8, "rest_tiles": 2, "rest_changes": [{"image": tile.id, "added": 1234, "removed": 56}]}
    reg.register_model(ws, SHIPPED_MODEL, model_id="cand-rest", parent=base.id, metrics=metrics)
    job = queue.submit(ws, "finetune", {})
    queue.finish(ws, job.id, queue.claim_next(ws, os.getpid()).lease, "DONE", result={"model_id": "cand-rest"})
    page.goto(f"{url}/train")
    wait_for_app(page)
    open_expander(page, "Where it changes most what nobody reviewed (1 tile)")
    box = page.locator("details", has_text="Where it changes most")
    expect(box.get_by_text(f"{tile.name}: 1,234 seep pixels added, 56 taken away")).to_be_visible()
    expect(box.get_by_test_id("stImage")).to_have_count(2)
    shot(page, "52-candidate-changes")
    box.get_by_role("link", name="Open in Review").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=tile.name)).to_be_visible()
    # beside the editor, the candidate's prediction there, shown first: what promoting it puts on the tile
    expect(page.get_by_text("Model cand-rest's prediction: what making it active would put on this tile")).to_be_visible()
    assert "model=cand-rest" in page.url
    shot(page, "53-candidate-in-review")
