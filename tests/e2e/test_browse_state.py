"""Browse keeps its filters, sort and view: across a visit to Review through the sidebar,
through the browser's Back button, and in a shared link (whose bad values are ignored), also
one written /browse."""

import re

import pytest
from browser import choose, wait_for_app

from seep.workspace import ImageFilter, Workspace

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


def matching(page) -> int:
    return int(re.search(r"(\d+) images match", page.get_by_text("images match").inner_text()).group(1))


def test_browse_keeps_its_filters_across_review_back_and_a_shared_link(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    accepted = ws.count_images(ImageFilter(status=("accepted",), scene=(ws.scenes()[1],)))
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name=re.compile("^Accepted ·")).click()
    wait_for_app(page)
    choose(page, page.get_by_label("Scene").first, ws.scenes()[1])
    page.keyboard.press("Escape")
    wait_for_app(page)
    page.get_by_text("Table", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    assert matching(page) == accepted
    assert "status=accepted" in page.url and "view=Table" in page.url and f"scene={ws.scenes()[1]}" in page.url

    page.get_by_role("link", name="Review").click()  # through the sidebar...
    wait_for_app(page)
    page.get_by_role("link", name="Browse").click()  # ...and back the same way
    wait_for_app(page)
    assert matching(page) == accepted
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()  # still the table
    expect(page.get_by_text("Session State API")).to_have_count(0)  # no warning of a widget set twice
    assert "status=accepted" in page.url

    page.get_by_text("Grid", exact=True).click()
    wait_for_app(page)
    page.locator(".seep-gallery a[data-id]").first.click()
    page.wait_for_url(re.compile(r"/review\?image="))
    wait_for_app(page)
    page.go_back()  # the browser's Back button returns to Browse as it was
    page.wait_for_url(re.compile(r"status=accepted"))
    wait_for_app(page)
    assert matching(page) == accepted

    other = page.context.new_page()  # a colleague opens the shared link; its bad values are left out, said
    other.goto(f"{url}/?status=accepted&status=bogus&scene={ws.scenes()[1]}&class=99&view=Sideways&sort=<b>")
    wait_for_app(other)
    assert matching(other) == accepted
    expect(other.get_by_test_id("stException")).to_have_count(0)
    expect(other.get_by_text("Left out of the link")).to_contain_text("status=bogus, class=99, sort=<b>, view=Sideways")


def test_browse_answers_at_slash_browse_with_its_link_kept(server, page):
    """Browse is the root page, so /browse (the path the other pages' addresses suggest) was
    Streamlit's 'Page not found' over an unfiltered grid."""
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    accepted = ws.count_images(ImageFilter(status=("accepted",), scene=(ws.scenes()[1],)))
    page.goto(f"{url}/browse?status=accepted&scene={ws.scenes()[1]}")
    page.wait_for_url(re.compile(r"/\?status=accepted"))
    wait_for_app(page)
    assert matching(page) == accepted
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("link", name="Browse")).to_have_count(1)  # the hidden page is not in the menu
    image = ws.list_images(ImageFilter(scene=(ws.scenes()[1],)))[0].id
    page.goto(f"{url}/browse?image={image}")  # a deep link to one image, written the same way
    page.wait_for_url(re.compile(rf"/review\?image={image}"))


def test_a_reviewer_ticks_the_right_predictions_on_the_grid_and_accepts_them(server, page):
    """Open sea the model rightly left empty is most of a scene: a reviewer accepts those from
    Browse's grid without opening each; a tick never opens the tile."""
    import numpy as np
    from browser import eventually

    from seep.learn.shipped import SHIPPED_MODEL

    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    scene = ws.scenes()[2]
    fresh = ws.list_images(ImageFilter(status=("unlabelled",), scene=(scene,)))[:3]
    for r in fresh:  # cached, as Predict all leaves them
        ws.save_prediction(r.id, SHIPPED_MODEL.stem, np.zeros((r.height, r.width), np.uint8), np.ones((r.height, r.width)), 0.0)
    page.goto(f"{url}/?scene={scene}&status=unlabelled&overlay=prediction")
    wait_for_app(page)
    expect(page.get_by_test_id("seep-pick")).to_have_count(3)
    accept = page.get_by_role("button", name=re.compile(r"^Accept \d+ selected"))
    expect(accept).to_be_disabled()
    page.get_by_role("checkbox", name=f"Select {fresh[0].name}").check()
    page.get_by_role("checkbox", name=f"Select {fresh[1].name}").check()
    wait_for_app(page)
    assert "/review" not in page.url  # ticking opened nothing
    expect(page.get_by_role("button", name="Accept 2 selected")).to_be_enabled()
    page.get_by_role("button", name="Accept 2 selected").click()
    assert eventually(lambda: [ws.image(r.id).status for r in fresh] == ["accepted", "accepted", "unlabelled"])
    expect(page.get_by_text("Accepted 2 predictions of model seep-unet-cgg as they were.")).to_be_visible()
    expect(page.get_by_test_id("seep-pick")).to_have_count(1)  # the filter is unlabelled: they left the page
    lv = ws.version(fresh[0].id)
    assert (lv.source, lv.model_id, lv.author) == ("predicted", SHIPPED_MODEL.stem, "tester")

    # The wrong tiles were ticked: Undo puts both back as they were, to look at again.
    page.get_by_role("button", name="Undo").click()
    assert eventually(lambda: [ws.image(r.id).status for r in fresh] == ["unlabelled"] * 3)
    expect(page.get_by_text("undid accepting 2 predictions of model seep-unet-cgg on the grid")).to_be_visible()
    expect(page.get_by_test_id("seep-pick")).to_have_count(3)
    assert ws.image(fresh[0].id).head_version is None and len(ws.history(fresh[0].id)) == 1  # History keeps it
    page.get_by_test_id("seep-pick-all").check()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Accept 3 selected")).to_be_enabled()
    expect(page.get_by_role("button", name="Undo")).to_have_count(0)  # a new tick: the old report is gone

    # Accepted, then the page reloaded (a new session; or the next morning): the accept is still there to undo.
    page.get_by_role("button", name="Accept 3 selected").click()
    assert eventually(lambda: [ws.image(r.id).status for r in fresh] == ["accepted"] * 3)
    page.goto(f"{url}/?scene={scene}&overlay=prediction")
    wait_for_app(page)
    expect(page.get_by_text("Your last accept on the grid: 3 predictions of model seep-unet-cgg, ")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    assert eventually(lambda: [ws.image(r.id).status for r in fresh] == ["unlabelled"] * 3)
    expect(page.get_by_text("undid accepting 3 predictions of model seep-unet-cgg on the grid")).to_be_visible()


def test_train_and_review_keep_their_settings_across_a_visit_to_browse(server, page):
    """A fine-tune set up on Train and the contrast tuned on Review were back at their defaults
    after a look at Browse (Streamlit forgets the widgets of a page not drawn)."""
    url, _ = server
    page.goto(f"{url}/train")
    wait_for_app(page)
    epochs = page.get_by_role("spinbutton", name="Epochs")
    epochs.fill("12")
    epochs.press("Enter")
    wait_for_app(page)
    page.get_by_text("Binary (seep vs. not)").click()
    wait_for_app(page)
    page.get_by_role("link", name="Review").click()
    wait_for_app(page)
    page.get_by_text("Display", exact=True).click()
    gamma = page.get_by_role("slider", name="Gamma")
    gamma.focus()
    for _ in range(4):
        gamma.press("ArrowRight")
    wait_for_app(page)
    expect(gamma).to_have_value("1.2")

    page.get_by_role("link", name="Browse").click()
    wait_for_app(page)
    page.get_by_role("link", name="Train").click()
    wait_for_app(page)
    expect(page.get_by_role("spinbutton", name="Epochs")).to_have_value("12")
    expect(page.locator("label:has-text('Binary (seep vs. not)') input")).to_be_checked()
    page.get_by_role("link", name="Review").click()
    wait_for_app(page)
    page.get_by_text("Display", exact=True).click()
    expect(page.get_by_role("slider", name="Gamma")).to_have_value("1.2")
