"""Two analysts in two browsers on one tile: Ana saves first, Bo's save is a conflict. Bo sees
both masks side by side with what differs, puts his strokes on top of hers, and Ana is told."""

import numpy as np
import pytest
from browser import choose, editor_ready, eventually, new_context, open_expander, shot, wait_for_app
from test_review_flow import stroke

from seep.workspace import Workspace

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


def analyst(browser, url: str, name: str, image_id: str):
    """A browser of its own, signed as `name`, with `image_id` open in Review."""
    ctx = new_context(browser, 1500, 1000)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/review?image={image_id}")
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Analyst")
    box.fill(name)
    box.press("Enter")
    wait_for_app(page)
    canvas = editor_ready(page, f"{image_id}:label:1")
    return ctx, page, canvas.bounding_box()


def test_a_conflict_shows_theirs_and_mine_and_merges_my_strokes_onto_theirs(server, browser):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    tile = next(i for i in ws.list_images(limit=1000) if i.head_version == 1)
    zoom = None
    ctx_a, ana, box_a = analyst(browser, url, "Ana", tile.id)
    ctx_b, bo, box_b = analyst(browser, url, "Bo", tile.id)
    try:
        zoom = box_a["width"] / tile.width
        ana.get_by_test_id("seep-class-3").click()
        stroke(ana, box_a, y=60)
        ana.keyboard.press("s")
        assert eventually(lambda: ws.image(tile.id).head_version == 2)

        bo.get_by_test_id("seep-class-2").click()
        stroke(bo, box_b, y=300)
        bo.keyboard.press("s")
        expect(bo.get_by_text(f"Ana saved {tile.name} as v2 since you opened v1")).to_be_visible()
        expect(bo.get_by_text("Theirs: v2 by Ana")).to_be_visible()
        expect(bo.get_by_text("Mine (not saved)")).to_be_visible()
        expect(bo.get_by_text("pixels differ")).to_be_visible()
        patch = bo.get_by_role("button", name="Mine on top of theirs")
        expect(patch).to_be_in_viewport()  # the choice is above the fold, not under the editor
        shot(bo, "60-conflict")
        assert ws.image(tile.id).head_version == 2  # nothing saved until Bo chooses
        patch.click()
        assert eventually(lambda: ws.image(tile.id).head_version == 3)
        editor_ready(bo, f"{tile.id}:label:3")

        v1, v2, v3 = (ws.label(tile.id, v)[1] for v in (1, 2, 3))
        lv = ws.version(tile.id)
        assert (lv.author, lv.parent, lv.merged_from, lv.resolution) == ("Bo", 2, 1, "patch")
        ana_px = v2 != v1
        assert ana_px.any() and (v3[ana_px] == 3).all(), "Ana's strokes were dropped"
        bo_px = (v3 != v2) & (v3 == 2)
        rows = np.nonzero(bo_px)[0]
        assert len(rows) and abs(rows.mean() - 300 / zoom) < 4, "Bo's stroke is not where he drew it"

        ana.reload()
        editor_ready(ana, f"{tile.id}:label:3")
        expect(ana.get_by_text("Bo saved v3 over your v2 after a save conflict")).to_be_visible()
        shot(ana, "61-conflict-told")

        # Ana looks at her v2 before taking it back: a preview first, then the restore.
        open_expander(ana, "History (3 versions)")
        box = ana.get_by_role("combobox", name="Restore version")
        box.scroll_into_view_if_needed()
        wait_for_app(ana)
        choose(ana, box, "v2")
        expect(ana.get_by_text("v2 as it was:")).to_be_visible(timeout=20_000)  # a rerun on a busy machine
        assert ws.image(tile.id).head_version == 3  # a preview changes nothing
        ana.get_by_role("button", name="Restore v2 as newest").click()
        assert eventually(lambda: ws.image(tile.id).head_version == 4)
        assert ws.version(tile.id).restored_from == 2
    finally:
        ctx_a.close()
        ctx_b.close()
