"""The Models page's registry kept tidy: a candidate no one relied on removed (its weights and
cached predictions with it), a model that served kept, saying why."""

from __future__ import annotations

import re

import pytest
from browser import choose, demo_server, open_expander, shot, wait_for_app

from seep.learn.shipped import SHIPPED_MODEL
from seep.workspace import Workspace
from seep.workspace import registry as reg

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
