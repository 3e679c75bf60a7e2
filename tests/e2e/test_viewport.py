"""The editor's viewport in a real browser: zoom to 16x at the cursor (wheel, + and -), pan
(space+drag, middle-drag, arrow keys), a minimap, the toolbar and the reference panel never
covered nor cut on a laptop's page, strokes landing on the pixel the readout names, H hiding
the overlay. Screenshots of Review at 1x, 4x and 8x on 1280x800 and 1920x1080 land in
artifacts/ to be looked at."""

import re

import numpy as np
import pytest
from browser import drawn, eventually, new_context, open_review, shot

from seep.workspace import Workspace

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


def view(page) -> dict:
    return page.get_by_test_id("seep-viewport").evaluate(
        "el => ({left: el.scrollLeft, top: el.scrollTop, w: el.clientWidth, h: el.clientHeight})"
    )


def under_cursor(page, x: float, y: float) -> tuple[int, int]:
    """The tile pixel the readout names at screen point (x, y)."""
    page.mouse.move(x + 1, y)
    page.mouse.move(x, y)
    text = page.get_by_test_id("seep-readout").inner_text()
    row, col = re.match(r"row (\d+), col (\d+)", text).groups()
    return int(row), int(col)


def to_editor(page) -> None:
    """Scroll the page to the editor's toolbar, as the analyst does."""
    page.get_by_test_id("seep-undo").evaluate(
        "b => b.closest('.seep-editor').scrollIntoView({block: 'start', behavior: 'instant'})"
    )


def zoom_to(page, z: int) -> None:
    label = page.get_by_test_id("seep-zoom")
    for _ in range(10):
        now = int(label.inner_text().rstrip("x"))
        if now == z:
            return
        page.get_by_test_id("seep-zoom-in" if now < z else "seep-zoom-out").click()
    raise AssertionError(f"zoom stuck at {label.inner_text()}")


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_review_at_1x_4x_and_8x_keeps_the_toolbar_and_the_panel_clear(server, browser, size):
    url, ws_path = server
    target = Workspace(ws_path, create=False).list_images()[3]
    ctx = new_context(browser, *size)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    open_review(page, url, target.id)
    expect(page.get_by_test_id("seep-undo")).to_be_disabled()  # nothing to undo on a fresh tile
    expect(page.get_by_test_id("seep-redo")).to_be_disabled()
    side = page.get_by_text("Reference", exact=True).first.bounding_box()
    # A laptop's narrower page wraps the header and the panel: Previous and Next stay side by
    # side, and every reference layer stays in its column (none scrolled out of sight).
    prev, nxt = (page.get_by_role("button", name=n, exact=True).bounding_box() for n in ("Previous", "Next"))
    assert abs(prev["y"] - nxt["y"]) < 2 and 0 < nxt["x"] - prev["x"] < 200, "Previous and Next on different rows"
    column = page.get_by_test_id("stColumn").filter(has=page.get_by_text("Reference", exact=True)).last.bounding_box()
    for layer in ("Label", "Prediction", "Confidence", "Difference"):
        b = page.get_by_role("radio", name=layer, exact=True).bounding_box()
        assert b["x"] + b["width"] <= column["x"] + column["width"] + 1, f"{layer} is cut off the Reference panel"
    for z in (1, 4, 8):
        zoom_to(page, z)
        # The analyst scrolls the page to the editor: then the toolbar and the whole view fit the window.
        to_editor(page)
        port = page.get_by_test_id("seep-viewport").bounding_box()
        save = page.get_by_test_id("seep-save").bounding_box()
        assert port["x"] + port["width"] <= side["x"], f"{z}x: the editor runs under the Reference panel"
        assert 0 <= save["y"] < port["y"] and port["y"] + port["height"] <= size[1] + 1, f"{z}x: toolbar or view off screen"
        expect(page.get_by_test_id("seep-minimap")).to_be_visible() if z >= 4 else None
        shot(page, f"50-review-{z}x-{size[0]}x{size[1]}")
    ctx.close()


def test_zoom_at_the_cursor_pan_and_paint_where_the_readout_says(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    target = ws.list_images()[4]
    canvas = open_review(page, url, target.id)
    to_editor(page)
    zoom_to(page, 4)  # the tile overflows the view from here on: every zoom can keep its anchor
    port = page.get_by_test_id("seep-viewport").bounding_box()
    x, y = port["x"] + port["width"] * 0.3, port["y"] + port["height"] * 0.4
    before = under_cursor(page, x, y)
    page.mouse.wheel(0, -120)  # zoom in at the cursor: 4x -> 6x
    expect(page.get_by_test_id("seep-zoom")).to_have_text("6x")
    for _ in range(2):
        page.mouse.wheel(0, -120)
    expect(page.get_by_test_id("seep-zoom")).to_have_text("12x")
    after = under_cursor(page, x, y)
    assert abs(after[0] - before[0]) <= 1 and abs(after[1] - before[1]) <= 1  # the same pixel stays under the cursor

    start = view(page)
    page.keyboard.down(" ")  # space+drag pans; it paints nothing
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y - 80, steps=5)
    page.mouse.up()
    page.keyboard.up(" ")
    panned = view(page)
    assert abs(panned["left"] - start["left"] - 150) <= 2 and abs(panned["top"] - start["top"] - 80) <= 2
    page.mouse.move(x, y)
    page.mouse.down(button="middle")  # so does a middle-drag
    page.mouse.move(x + 60, y, steps=3)
    page.mouse.up(button="middle")
    assert abs(view(page)["left"] - (panned["left"] - 60)) <= 2
    page.keyboard.press("ArrowRight")
    assert view(page)["left"] > panned["left"] - 60
    assert page.get_by_test_id("seep-status").inner_text() == ""  # panning left the mask alone

    to_editor(page)
    mm = page.get_by_test_id("seep-minimap").bounding_box()
    page.mouse.click(mm["x"] + mm["width"] / 2, mm["y"] + mm["height"] / 2)
    # the view centres on the tile's middle
    port = page.get_by_test_id("seep-viewport").bounding_box()  # clicks may scroll the page
    centre = under_cursor(page, port["x"] + view(page)["w"] / 2, port["y"] + view(page)["h"] / 2)
    assert abs(centre[0] - target.height / 2) <= 2 and abs(centre[1] - target.width / 2) <= 2

    x, y = port["x"] + port["width"] * 0.3, port["y"] + port["height"] * 0.4
    row, col = under_cursor(page, x, y)
    page.get_by_test_id("seep-class-5").click()
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.up()
    assert under_cursor(page, x, y) == (row, col) and "seep 5" in page.get_by_test_id("seep-readout").inner_text()
    page.keyboard.press("h")
    assert canvas.evaluate("c => getComputedStyle(c).opacity") == "0"
    page.keyboard.press("h")
    head = ws.image(target.id).head_version
    page.keyboard.press("s")
    assert eventually(lambda: ws.image(target.id).head_version == head + 1)
    saved = ws.label(target.id)[1]
    assert saved[row, col] == 5  # the brush landed on the pixel the readout named
    value = float(ws.read_image(target.id)[row, col, 0])
    shown = float(re.search(r"(-?\d+\.\d) dB", page.get_by_test_id("seep-readout").inner_text()).group(1))
    assert abs(shown - 10 * np.log10(value)) < 0.2  # the pixel's value, in dB
    assert (saved == 5).sum() < 60  # a 6-px brush at 12x: a dot, not a smear from the pans
    assert np.argwhere(saved == 5).mean(axis=0).round().tolist() == pytest.approx([row, col], abs=2)


# Text Streamlit cut with an ellipsis: it keeps a widget's label and a popover's button to one
# line, so a long one loses its end in a narrow column.
CUT_TEXT = """() => [...document.querySelectorAll('[data-testid=stMarkdownContainer], button, p, span')]
    .filter(e => e.offsetParent && getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText)"""


def test_no_label_or_button_is_cut_on_a_small_laptop(server, browser):
    """Every page at 1024x700 with the sidebar open: no label or button text cut short (the
    Train page's promote switch and Review's blind button were, once)."""
    url, ws_path = server
    target = Workspace(ws_path, create=False).list_images()[0]
    ctx = new_context(browser, 1024, 700)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    cut = {}
    for path in ("", "review", "scene", "train", "models", "team", "?view=table", "?view=scenes"):
        if path == "review":
            open_review(page, url, target.id)
        else:
            page.goto(f"{url}/{path}")
        drawn(page)
        cut[path or "browse"] = page.evaluate(CUT_TEXT)
        if path == "review":
            table = pixel_table(page)
    ctx.close()
    assert {p: texts for p, texts in cut.items() if texts} == {}
    # Review's pixels-per-class table ran 26 px out of its column, each class name broken over
    # three lines ("■ / seep / 1"): now it fits, one line a class.
    assert table["overrun"] <= 1, f"the pixel table runs {table['overrun']:.0f} px past its column"
    assert max(table["rows"]) < 1.5 * min(table["rows"]), f"class names wrap: row heights {table['rows']}"


def pixel_table(page) -> dict:
    side = page.get_by_test_id("stColumn").filter(has=page.get_by_text("Pixels per class", exact=True)).last
    return side.evaluate(
        """col => { const t = col.querySelector('table');
        return {overrun: t.getBoundingClientRect().right - col.getBoundingClientRect().right,
                rows: [...t.querySelectorAll('tr')].map(r => r.getBoundingClientRect().height)} }"""
    )
