"""The seven classes mean something on screen: a legend on Browse and Review invites naming
them, the Team page names them, and the brush buttons then show each name, with its
description on hover; differences are hatched, never a class colour."""

import csv
import io
import json
import zipfile

import pytest
from browser import editor_ready, shot, wait_for_app

from seep.workspace import Workspace

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect

HOSTILE = '<img src=x onerror="document.title=1">'


def test_classes_are_named_on_the_team_page_and_shown_on_the_brush_and_legends(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_text("classes 1, 2, 3, 4, 5, 6, 7 have no names yet: name them on the Team page")).to_be_visible()

    page.locator("[data-testid='stSidebarNav'] a", has_text="Team").click()
    wait_for_app(page)
    page.locator(".st-key-team_class_name_1 input").fill("fresh slick")
    page.locator(".st-key-team_class_about_1 input").fill("dark, smooth, hours old")
    page.locator(".st-key-team_class_name_2 input").fill(HOSTILE)
    page.get_by_role("button", name="Save class names").click()
    expect(page.get_by_text("Class names saved")).to_be_visible()
    named = Workspace(ws_path, create=False).classes  # dataset.json, as every page reads it
    assert (named[1].name, named[1].description, named[2].name) == ("fresh slick", "dark, smooth, hours old", HOSTILE)
    shot(page, "62-team-classes")

    page.locator("[data-testid='stSidebarNav'] a", has_text="Browse").click()
    wait_for_app(page)
    expect(page.get_by_text("1 fresh slick")).to_be_visible()
    expect(page.get_by_text("classes 3, 4, 5, 6, 7 have no names yet")).to_be_visible()
    expect(page.get_by_text(f"2 {HOSTILE}")).to_be_visible()  # as text, not an element

    tile = next(i for i in ws.list_images(limit=1000) if i.head_version is not None)
    page.goto(f"{url}/review?image={tile.id}")
    editor_ready(page, f"{tile.id}:label:")
    wait_for_app(page)
    first = page.get_by_test_id("seep-class-1")
    expect(first).to_contain_text("fresh slick")
    assert "dark, smooth, hours old" in first.get_attribute("title")
    expect(page.get_by_test_id("seep-class-2")).to_contain_text(HOSTILE)
    expect(page.get_by_test_id("seep-class-3")).to_have_text("3")  # an unnamed class keeps its number
    assert page.title() != "1"  # the hostile name ran nowhere
    page.get_by_role("radio", name="Difference").or_(page.get_by_role("button", name="Difference")).first.click()
    expect(page.get_by_text("hatched: magenta missed, cyan false alarm, white other class")).to_be_visible()
    shot(page, "63-review-named-classes")

    # The labels leave as a zip in the exercise layout, with the names saying what each value means.
    page.locator("[data-testid='stSidebarNav'] a", has_text="Browse").click()
    wait_for_app(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Export labels").click()
    path = got.value.path()
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        table = json.loads(z.read("dataset.json"))["classes"]
        manifest = list(csv.DictReader(io.TextIOWrapper(z.open("manifest.csv"), encoding="utf-8")))
    labelled = [i for i in ws.list_images(limit=1000) if i.head_version is not None]
    assert sum(n.startswith("train_masks_256/") for n in names) == len(labelled)
    assert sum(n.startswith("train_images_256/") for n in names) == len(manifest) == ws.count_images()
    assert (table[1]["name"], table[1]["description"], table[2]["name"]) == ("fresh slick", "dark, smooth, hours old", HOSTILE)
