"""Scenes handed out in the browser: a lead hands the morning's scenes out from Browse's Scenes
view, the analyst finds theirs at the top of Browse and behind My scenes, Review says whose scene
a tile is part of, and the Scene page takes a free scene and gives it back."""

from __future__ import annotations

import re

import pytest
from browser import choose, demo_server, open_review, shot, wait_for_app

from seep.workspace import ImageFilter, Workspace
from seep.workspace.assignments import assign, holder

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "e2e-assign", "--scenes", "2", "--tiles-per-scene", "8")


def hand_out(page, scenes: list[str], person: str, *, typed: bool = False) -> None:
    for name in scenes:
        choose(page, page.get_by_role("combobox", name="Scenes"), name)
    page.keyboard.press("Escape")  # the list stays open after a pick, hiding the rest of the form
    to = page.get_by_role("combobox", name="To")
    if typed:  # a name the workspace has not seen yet (no accounts: anyone may be named)
        to.click()
        page.keyboard.type(person)
        page.keyboard.press("Enter")
        expect(to).to_have_value(person)
    else:
        choose(page, to, person)
    page.get_by_role("button", name="Hand out").click()
    wait_for_app(page)


def test_a_lead_hands_scenes_out_and_the_analyst_finds_theirs(team_server, page):
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_text("of the scenes handed to you")).to_have_count(0)
    expect(page.get_by_role("switch", name=re.compile("My scenes"))).to_have_count(0)  # none handed out: no toggle

    page.get_by_role("radio", name="Scenes").click()  # Browse's view switch
    wait_for_app(page)
    hand_out(page, ["900100", "demo_scene_2"], "ana", typed=True)
    expect(page.get_by_text("Handed 900100, demo_scene_2 to ana.")).to_be_visible()
    assert (holder(ws, "900100").person, holder(ws, "900100").by) == ("ana", "tester")
    form = page.get_by_test_id("stForm")
    expect(form.locator("[data-tag]")).to_have_count(0)  # no scene picked: the form is empty for the next
    expect(page.get_by_role("combobox", name="To")).to_have_value("")
    hand_out(page, ["900101"], "tester")  # the lead's own: offered first
    expect(page.get_by_text("Handed 900101 to tester.")).to_be_visible()
    mine = ws.count_images(ImageFilter(scene=("900101",)))
    left = ws.count_images(ImageFilter(scene=("900101",), status=("unlabelled", "predicted", "in_review", "returned")))
    left_a = ws.count_images(ImageFilter(scene=("900100",), status=("unlabelled",)))  # demo_scene_2 comes all accepted
    expect(
        page.get_by_text(f"Handed out: ana 2 scenes, {left_a} left to review · tester 1 scene, {left} left to review")
    ).to_be_visible()
    shot(page, "40-scenes-handed-out")

    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_text(re.compile(rf"{left} tiles? of the scenes handed to you (is|are) not reviewed yet"))).to_be_visible()
    page.get_by_text(f"My scenes · {mine}").click()
    wait_for_app(page)
    expect(page.get_by_text(f"{mine} images match")).to_be_visible()
    expect(page.get_by_text("900101.000000", exact=True)).to_be_visible()
    expect(page.get_by_text("900100.000000", exact=True)).to_have_count(0)
    page.wait_for_url("**my_scenes=1**")  # in the address: Back from Review and a shared link keep it

    theirs = ws.image_ids(ImageFilter(scene=("900100",)))[0]
    open_review(page, url, theirs)
    expect(page.get_by_text(re.compile(r"^scene 900100 \(handed to ana\)"))).to_be_visible()
    open_review(page, url, ws.image_ids(ImageFilter(scene=("900101",)))[0])
    expect(page.get_by_text(re.compile(r"^scene 900101 \(yours\)"))).to_be_visible()


def test_the_scene_page_takes_a_free_scene_and_gives_it_back(team_server, page):
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/scene?name=demo_scene")
    wait_for_app(page)
    expect(page.get_by_text("Handed to no one yet")).to_be_visible()
    page.get_by_role("button", name="Take it").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Taken by tester, "))).to_be_visible()
    assert holder(ws, "demo_scene").person == "tester"
    shot(page, "41-scene-taken")
    page.get_by_role("button", name="Give it back").click()
    wait_for_app(page)
    expect(page.get_by_text("Handed to no one yet")).to_be_visible()
    assert holder(ws, "demo_scene") is None

    # A colleague's scene offers no Take it; a lead hands it on from the popover.
    if holder(ws, "demo_scene_2") is None:  # run alone, without the test above
        assign(ws, ["demo_scene_2"], "ana", "lee")
    page.goto(f"{url}/scene?name=demo_scene_2")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Handed to ana by "))).to_be_visible()
    expect(page.get_by_role("button", name="Take it")).to_have_count(0)
    page.get_by_role("button", name="Hand out").click()
    choose(page, page.get_by_role("combobox", name="To"), "tester")
    page.get_by_role("button", name="Hand out").last.click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"^Taken by tester, "))).to_be_visible()  # handed to oneself
    expect(page.get_by_text("Handed demo_scene_2 to tester.")).to_be_visible()  # said beside the popover,
    expect(page.get_by_role("combobox", name="To")).to_have_count(0)  # which closed: the next click is the page's
    assert holder(ws, "demo_scene_2").by == "tester"
