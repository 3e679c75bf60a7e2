"""Accounts in a real browser: the sign-in form in front of every page, an analyst's save
under their account (no Accept button for them), a wrong password, sign-out."""

import numpy as np
import pytest
from browser import demo_server, editor_ready, eventually, shot, wait_for_app

from seep.workspace import Workspace
from seep.workspace import accounts as acc

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect
PASSWORD = "correct horse battery"


def accounts(ws):
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    acc.add_user(ws, "Ana <b>Lyst</b>", "analyst", PASSWORD, actor="ada")


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    yield from demo_server(
        tmp_path_factory, "e2e-team", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "3", prepare=accounts
    )


def sign_in(page, name, password):
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)


def test_an_analyst_signs_in_saves_under_their_name_and_signs_out(team_server, page):
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    target = ws.list_images()[0]
    page.goto(f"{url}/review?image={target.id}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sign in to Seep")).to_be_visible()
    expect(page.get_by_test_id("seep-canvas")).to_have_count(0)  # nothing of the workspace before signing in
    sign_in(page, "Ana <b>Lyst</b>", "not the password")
    expect(page.get_by_text("wrong name or password")).to_be_visible()
    shot(page, "30-sign-in-refused")

    sign_in(page, "Ana <b>Lyst</b>", PASSWORD)
    expect(page.get_by_text("Signed in as Ana <b>Lyst</b> · analyst")).to_be_visible()  # the name as text, not markup
    expect(page.get_by_role("link", name="Team")).to_have_count(0)  # accounts are an admin's page
    page.get_by_role("link", name="Review").click()
    canvas = editor_ready(page, ":label:1")
    wait_for_app(page)
    expect(page.get_by_test_id("seep-accept")).to_be_hidden()  # accepting is a reviewer's call
    opened = page.url.split("image=")[1]
    box = canvas.bounding_box()
    zoom = box["width"] / 256
    page.get_by_test_id("seep-class-4").click()
    page.mouse.move(box["x"] + 40 * zoom, box["y"] + 60 * zoom)
    page.mouse.down()
    page.mouse.move(box["x"] + 90 * zoom, box["y"] + 60 * zoom, steps=6)
    page.mouse.up()
    canvas.focus()
    page.keyboard.press("a")  # the accept key does nothing for an analyst
    page.keyboard.press("s")
    assert eventually(lambda: ws.image(opened).head_version == 2)
    lv = ws.version(opened)
    assert lv.author == "Ana <b>Lyst</b>" and ws.image(opened).status == "corrected"
    assert (ws.label(opened)[1][60, 45:85] == 4).all() and np.any(ws.label(opened, 1)[1][60, 45:85] != 4)
    assert [r["action"] for r in acc.audit_rows(ws, actor="Ana <b>Lyst</b>")] == ["save", "sign-in"]
    shot(page, "31-analyst-saved")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Seep")).to_be_visible()
    expect(page.get_by_text("You signed out.")).to_be_visible()
