"""The analyst's day in a real browser: open an image, paint, undo, paint, save; accept the
next prediction; reload and see what was saved."""

import itertools
import time

import numpy as np
import pytest
from browser import demo_server, editor_ready, eventually, open_expander, open_mask_id, open_review, shot, wait_for_app

from seep.workspace import ImageFilter, Workspace

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


def stroke(page, box, y, x0=40, x1=230):
    page.mouse.move(box["x"] + x0, box["y"] + y)
    page.mouse.down()
    for x in range(x0, x1 + 1, 10):
        page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.up()


def test_paint_undo_paint_save_accept_reload(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    page.goto(url)
    wait_for_app(page)
    name = page.get_by_role("textbox", name="Analyst")
    name.fill("Ana Lyst")
    name.press("Enter")
    wait_for_app(page)
    shot(page, "01-browse")

    # The last labelled tile of scene 1, so that "next" is an unlabelled one with a prediction.
    # Opened the way an analyst does: a click on its card in Browse.
    target = ws.image("900100.000004")
    card = page.locator(f".seep-gallery a[data-id='{target.id}']")
    expect(card).to_contain_text(target.name)
    card.click()
    canvas = editor_ready(page, f"{target.id}:label:1")
    assert page.url.endswith(f"review?image={target.id}")
    wait_for_app(page)
    box = canvas.bounding_box()
    zoom = box["width"] / target.width

    page.get_by_test_id("seep-class-3").click()
    stroke(page, box, y=60)
    assert page.get_by_test_id("seep-status").inner_text() == "unsaved strokes"
    page.keyboard.press("Control+z")
    assert page.get_by_test_id("seep-status").inner_text() == ""
    stroke(page, box, y=300)
    shot(page, "02-review-painted")
    # Leaving with unsaved strokes asks first; staying keeps them.
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("This tile has unsaved strokes.")).to_be_visible()
    page.get_by_role("button", name="Stay").click()
    expect(page.get_by_text("This tile has unsaved strokes.")).to_have_count(0)
    assert page.get_by_test_id("seep-status").inner_text() == "unsaved strokes"
    page.get_by_test_id("seep-canvas").focus()
    page.keyboard.press("s")
    deadline = time.monotonic() + 20
    while ws.image(target.id).head_version != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    v1, v2 = ws.label(target.id, 1)[1], ws.label(target.id, 2)[1]
    changed = np.argwhere(v1 != v2)
    assert len(changed), "the save changed nothing"
    row = 300 / zoom  # the second stroke only: the undone first one left no trace
    assert changed[:, 0].min() >= row - 4 and changed[:, 0].max() <= row + 4
    assert changed[:, 1].min() >= 40 / zoom - 4 and changed[:, 1].max() <= 230 / zoom + 4
    assert set(np.unique(v2[v1 != v2])) == {3}
    assert (ws.version(target.id).source, ws.version(target.id).author) == ("edited", "Ana Lyst")
    editor_ready(page, f"{target.id}:label:2")
    shot(page, "03-review-saved")

    # Next tile is unlabelled: the editor opens the model's prediction; A accepts it as it is.
    # The version just saved is clean, so Next goes without asking.
    page.get_by_role("button", name="Next").click()
    nxt = ws.image("900100.000005")
    editor_ready(page, f"{nxt.id}:prediction")
    wait_for_app(page)
    shot(page, "04-review-prediction")
    page.keyboard.press("a")
    deadline = time.monotonic() + 20
    while ws.image(nxt.id).status != "accepted" and time.monotonic() < deadline:
        time.sleep(0.05)
    lv = ws.version(nxt.id)
    assert (lv.source, ws.image(nxt.id).status) == ("predicted", "accepted")

    # Reload the first tile: the saved state is what comes back.
    open_review(page, url, target.id, "label:2")
    assert page.get_by_text("Editing label v2").count() >= 1
    # A new session: the name comes back from the browser's cookie.
    expect(page.get_by_role("textbox", name="Analyst")).to_have_value("Ana Lyst")
    shot(page, "05-review-reloaded")
    assert ws.count_images(ImageFilter(status=("accepted",))) >= 1


def test_leaving_by_the_sidebar_with_unsaved_strokes_asks_and_keeps_them(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    tile = ws.image("900101.000002")
    box = open_review(page, url, tile.id, "label:").bounding_box()
    stroke(page, box, y=120)
    browse = page.locator("[data-testid='stSidebarNav'] a", has_text="Browse")

    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    browse.click()
    expect(page.get_by_test_id("seep-status")).to_have_text("unsaved strokes")  # stayed
    assert asked and "unsaved strokes" in asked[0] and page.url.endswith(f"review?image={tile.id}")

    page.once("dialog", lambda d: d.accept())
    browse.click()
    expect(page.locator(".seep-gallery img").first).to_be_visible()
    page.locator("[data-testid='stSidebarNav'] a", has_text="Review").click()
    editor_ready(page, f"{tile.id}:label:")
    expect(page.get_by_test_id("seep-status")).to_have_text("unsaved strokes")  # kept in this tab
    assert ws.image(tile.id).head_version == 1  # and nothing was saved


def test_no_seep_can_be_painted_outside_the_radar_swath(server, page):
    """A tile whose left quarter is no-data: a brush stroke across it and a fill clicked
    inside it leave no seep there; the rest of the stroke is saved."""
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    rng = np.random.default_rng(5)
    img = rng.integers(15000, 40000, (256, 256)).astype(np.uint16)
    img[:, :64] = 0
    rec, _ = ws.add_image(img, name="swath-edge.000001", scene="swath-edge")
    canvas = open_review(page, url, rec.id)
    box = canvas.bounding_box()
    zoom = box["width"] / 256
    page.get_by_test_id("seep-class-3").click()
    stroke(page, box, y=round(100 * zoom), x0=round(10 * zoom), x1=round(120 * zoom))
    page.get_by_test_id("seep-tool-fill").click()
    page.mouse.click(box["x"] + 30 * zoom, box["y"] + 200 * zoom)  # inside the no-data stripe
    page.get_by_test_id("seep-canvas").focus()
    page.keyboard.press("s")
    deadline = time.monotonic() + 20
    while ws.image(rec.id).head_version is None and time.monotonic() < deadline:
        time.sleep(0.05)
    mask = ws.label(rec.id)[1]
    assert not mask[:, :64].any(), "seep was saved on no-data"
    assert (mask[95:106, 70:115] == 3).any(), "the stroke over the swath was lost"


def test_an_open_prediction_follows_a_promote_until_it_is_edited(server, page, tiny_model):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    from seep.workspace import registry

    before = registry.active_model(ws)
    fresh = [i for i in ws.list_images(limit=1000) if i.head_version is None and not i.name.startswith("swath")]
    target = fresh[0]
    open_review(page, url, target.id, "prediction:")
    rec = registry.register_model(ws, tiny_model, model_id="promoted-while-open")
    registry.promote(ws, rec.id)
    try:
        open_expander(page, "Display")  # any rerun of the page: here, opening an expander...
        page.get_by_text("dB", exact=True).click()  # ...and a display control
        editor_ready(page, f"{target.id}:prediction:promoted-while-open")
        expect(page.get_by_text("The active model is now promoted-while-open")).to_be_visible()
    finally:  # the other tests of this server expect the model they started with
        if before is not None:
            registry.promote(ws, before.id)
        else:  # the shipped model, which has no registry row until now
            from seep.learn.shipped import SHIPPED_MODEL

            registry.promote(ws, registry.register_model(ws, SHIPPED_MODEL, model_id=SHIPPED_MODEL.stem).id)


@pytest.fixture(scope="module")
def nameless_server(tmp_path_factory):
    """A server no SEEP_AUTHOR names anyone for: as a new analyst's browser first finds it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SEEP_AUTHOR", raising=False)
        yield from demo_server(tmp_path_factory, "e2e-nameless", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "2")


def test_a_new_browser_says_who_is_reviewing_before_its_first_save(nameless_server, page):
    url, ws_path = nameless_server
    ws = Workspace(ws_path, create=False)
    target = ws.list_images()[0]
    canvas = open_review(page, url, target.id, "label:1")
    expect(page.get_by_text("Who is reviewing?")).to_be_visible()
    expect(page.get_by_role("textbox", name="Analyst")).to_have_value("")  # not the server's OS user
    box = canvas.bounding_box()
    page.get_by_test_id("seep-class-2").click()
    stroke(page, box, y=80)
    # The first stroke tells the app the tile is dirty (a rerun); once settled, "s" is a save
    # that nothing redraws over before the refusal shows (seen on a loaded machine).
    wait_for_app(page)
    page.get_by_test_id("seep-canvas").focus()
    page.keyboard.press("s")
    expect(page.get_by_text("say who you are first")).to_be_visible()
    assert ws.image(target.id).head_version == 1
    assert page.get_by_test_id("seep-status").inner_text() == "unsaved strokes"  # the strokes stay
    page.get_by_role("radio", name="Confidence", exact=True).click()  # a rerun that is no editor action
    expect(page.get_by_text("model confidence (dark: unsure)")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text("say who you are first")).to_be_visible()  # still there to be read

    page.get_by_role("textbox", name="Your name").fill("Nia")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Who is reviewing?")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Analyst")).to_have_value("Nia")
    expect(page.get_by_text("say who you are first")).to_have_count(0)  # answered
    page.get_by_test_id("seep-canvas").focus()
    page.keyboard.press("s")
    deadline = time.monotonic() + 20
    while ws.image(target.id).head_version == 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ws.version(target.id).author == "Nia"


def test_typing_another_analyst_name_keeps_the_open_tile_and_its_strokes(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    tile = ws.image("900101.000003")
    box = open_review(page, url, tile.id).bounding_box()
    opened = open_mask_id(page)
    stroke(page, box, y=150)
    name = page.get_by_role("textbox", name="Analyst")
    name.fill("Second Analyst")
    name.press("Enter")
    wait_for_app(page)
    expect(page.get_by_test_id("seep-status")).to_have_text("unsaved strokes")
    editor_ready(page, opened)  # the same mask, not reopened
    page.get_by_test_id("seep-save").click()
    assert eventually(lambda: ws.image(tile.id).head_version == (tile.head_version or 0) + 1)
    assert ws.version(tile.id).author == "Second Analyst"


def test_a_polygon_is_placed_corner_by_corner_edited_then_filled(server, page):
    """Four corners, one dragged further out, a stray fifth taken back with Backspace, Enter
    fills: the saved mask has the class inside the edited outline and nowhere else."""
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    img = np.random.default_rng(7).integers(15000, 40000, (256, 256)).astype(np.uint16)
    rec, _ = ws.add_image(img, name="polygon.000001", scene="polygon")
    canvas = open_review(page, url, rec.id)
    box = canvas.bounding_box()
    zoom = box["width"] / 256

    def at(col, row):
        return box["x"] + (col + 0.5) * zoom, box["y"] + (row + 0.5) * zoom

    page.get_by_test_id("seep-tool-polygon").click()
    page.get_by_test_id("seep-class-6").click()
    for corner in [(40, 40), (120, 40), (120, 120), (40, 120), (200, 20)]:
        page.mouse.click(*at(*corner))
    page.keyboard.press("Backspace")  # the stray fifth corner
    page.mouse.move(*at(120, 120))  # drag the third corner out
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(*at(120 + 4 * k, 120 + 4 * k))
    page.mouse.up()
    assert page.get_by_test_id("seep-status").inner_text() == ""  # nothing painted until it is closed
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("seep-status")).to_have_text("unsaved strokes")
    page.get_by_test_id("seep-save").click()
    assert eventually(lambda: ws.image(rec.id).head_version == 1)
    mask = ws.label(rec.id)[1]
    assert mask[60, 60] == 6 and mask[140, 140] == 6  # (140, 140) is inside only once the corner moved
    assert mask[25, 190] == 0 and mask[200, 200] == 0 and mask[30, 30] == 0
    assert set(np.unique(mask)) == {0, 6}


def test_opening_counts_the_prediction_flicking_through_changes_nothing_a_stroke_claims_the_tile(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    fresh = {i.id for i in ws.list_images(limit=1000) if i.status == "unlabelled"}
    order = ws.image_ids()  # what Next walks
    tile = ws.image(next(a for a, b in itertools.pairwise(order) if a in fresh and b in fresh))  # and the next is fresh too
    open_review(page, url, tile.id, "prediction:")
    assert eventually(lambda: ws.image(tile.id).status == "predicted")  # the prediction made on opening counts
    page.get_by_role("button", name="Next").click()
    page.wait_for_function(
        """first => [...document.querySelectorAll('*')].some(h => {
            const ed = h.shadowRoot && h.shadowRoot.querySelector('.seep-editor');
            return ed && ed.dataset.maskId && !ed.dataset.maskId.startsWith(first);
        })""",
        arg=tile.id,
    )
    wait_for_app(page)
    assert ws.image(tile.id).status == "predicted"  # looked at, not "in review"
    here = ws.image(open_mask_id(page).split(":")[0])
    box = page.get_by_test_id("seep-canvas").bounding_box()
    assert here.id == order[order.index(tile.id) + 1] and here.status in ("unlabelled", "predicted")
    stroke(page, box, y=90)
    assert eventually(lambda: ws.image(here.id).status == "in_review")  # the first stroke claims it


def test_a_note_typed_under_the_editor_goes_with_the_save_and_reaches_the_next_reader_as_text(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    tile = ws.image("900102.000001")
    box = open_review(page, url, tile.id, "label:").bounding_box()
    stroke(page, box, y=120)
    note = '<img src=x onerror="document.title=1"> **unsure** of the tail'
    page.get_by_role("textbox", name="Note with your save").fill(note)
    page.get_by_test_id("seep-save").click()  # straight from the note box to the editor's Save
    assert eventually(lambda: ws.image(tile.id).head_version == tile.head_version + 1)
    lv = ws.version(tile.id)
    assert (lv.note, lv.author) == (note, "tester")
    editor_ready(page, f"{tile.id}:label:{lv.version}")
    expect(page.get_by_role("textbox", name="Note with your save")).to_have_value("")  # not carried to the next save

    open_review(page, url, tile.id, f"label:{lv.version}")  # whoever opens the tile next
    expect(page.get_by_text(f"tester's note on v{lv.version}: {note}", exact=True)).to_be_visible()
    assert page.locator("img[src='x']").count() == 0 and page.title() != "1"  # shown as text, never markup

    page.goto(f"{url}/?noted=1")  # a reviewer scanning Browse for tiles with a note
    wait_for_app(page)
    card = page.locator(f".seep-gallery a[data-id='{tile.id}']")
    expect(card.get_by_test_id("seep-card-note")).to_have_attribute("title", note)
    assert page.locator(".seep-gallery a[data-id]").count() == 1 and page.locator("img[src='x']").count() == 0


def test_specks_cleared_and_holes_filled_in_one_step_each_protect_keeps_other_classes(server, page):
    """A label with specks (one of each class, one on the tile's edge), a slick with two pinholes
    and a real clearing: Protect with class 1 clears only class 1's speck; without it Clear specks
    takes the other; Fill holes fills the pinholes with the slick's class and leaves the clearing,
    the edge speck and the slicks; each is one undo step; the save holds exactly that."""
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    img = np.random.default_rng(11).integers(15000, 40000, (256, 256)).astype(np.uint16)
    rec, _ = ws.add_image(img, name="specks.000001", scene="specks")
    mask = np.zeros((256, 256), np.uint8)
    mask[40:120, 40:120] = 1  # a slick
    mask[60:63, 60:63] = 0  # a pinhole, 9 px
    mask[90:92, 100:102] = 0  # another, 4 px
    mask[150:250, 150:250] = 5  # a second slick with a clearing of 400 px: no pinhole
    mask[180:200, 180:200] = 0
    mask[20:23, 200:203] = 1  # a class 1 speck, 9 px
    mask[30:33, 220:224] = 2  # a class 2 speck, 12 px
    mask[0:2, 100:103] = 3  # a speck on the edge: it may go on in the next tile
    ws.save_label(rec.id, mask, parent=None, author="test", source="imported")
    open_review(page, url, rec.id, "label:1")
    cleaned = page.get_by_test_id("seep-cleaned")

    page.get_by_test_id("seep-class-1").click()
    page.get_by_text("Protect other classes").click()
    page.get_by_test_id("seep-under").fill("16")
    page.get_by_test_id("seep-specks").click()
    expect(cleaned).to_have_text("1 speck cleared (9 px)")
    expect(page.get_by_test_id("seep-status")).to_have_text("unsaved strokes")
    page.get_by_text("Protect other classes").click()
    page.get_by_test_id("seep-specks").click()
    expect(cleaned).to_have_text("1 speck cleared (12 px)")
    page.get_by_test_id("seep-specks").click()
    expect(cleaned).to_have_text("no speck under 16 px")
    page.get_by_test_id("seep-holes").click()
    expect(cleaned).to_have_text("2 holes filled (13 px)")
    page.get_by_test_id("seep-under").fill("1")
    page.get_by_test_id("seep-holes").click()
    expect(cleaned).to_have_text("Under how many pixels? A whole number from 2")
    page.get_by_test_id("seep-undo").click()  # the holes back, the specks still gone
    expect(cleaned).to_have_text("")
    page.get_by_test_id("seep-redo").click()
    page.get_by_test_id("seep-save").click()
    assert eventually(lambda: ws.image(rec.id).head_version == 2)

    want = mask.copy()
    want[20:23, 200:203] = want[30:33, 220:224] = 0
    want[60:63, 60:63] = want[90:92, 100:102] = 1
    np.testing.assert_array_equal(ws.label(rec.id)[1], want)


def test_a_blob_click_recolours_a_whole_slick_and_with_the_eraser_deletes_one(server, page):
    """O picks the blob tool: a click on a slick gives all of it (diagonal steps included) the
    current class, the eraser's click deletes another, a click on open sea changes nothing."""
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    img = np.random.default_rng(12).integers(15000, 40000, (256, 256)).astype(np.uint16)
    rec, _ = ws.add_image(img, name="blob.000001", scene="blob")
    mask = np.zeros((256, 256), np.uint8)
    mask[40:80, 40:80] = 1
    mask[80:120, 80:120] = 1  # joined to the first at one corner only
    mask[160:200, 40:80] = 5
    mask[160:200, 160:200] = 2
    ws.save_label(rec.id, mask, parent=None, author="test", source="imported")
    canvas = open_review(page, url, rec.id, "label:1")
    box = canvas.bounding_box()
    zoom = box["width"] / 256

    def click(row, col):
        page.mouse.click(box["x"] + (col + 0.5) * zoom, box["y"] + (row + 0.5) * zoom)

    page.get_by_test_id("seep-canvas").focus()
    page.keyboard.press("o")
    page.keyboard.press("4")
    click(50, 50)
    click(10, 10)  # open sea: nothing to recolour
    page.keyboard.press("e")
    click(180, 180)
    page.get_by_test_id("seep-save").click()
    assert eventually(lambda: ws.image(rec.id).head_version == 2)
    want = mask.copy()
    want[want == 1] = 4
    want[want == 2] = 0
    np.testing.assert_array_equal(ws.label(rec.id)[1], want)
