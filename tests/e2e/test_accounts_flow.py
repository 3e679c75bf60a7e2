"""Accounts in a real browser: the sign-in form in front of every page, an analyst's save
under their account (no Accept button for them), a wrong password, sign-out; a second review
where a reviewer returns a tile with a comment, the analyst fixes it, the reviewer accepts; a
blind double label that two analysts draw apart and a reviewer adjudicates."""

import re

import numpy as np
import pytest
from browser import choose, demo_server, editor_ready, eventually, new_context, shot, wait_for_app

from seep.workspace import ImageFilter, Workspace, agreement
from seep.workspace import accounts as acc

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect
PASSWORD = "correct horse battery"


def accounts(ws):
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    acc.add_user(ws, "Ana <b>Lyst</b>", "analyst", PASSWORD, actor="ada")
    acc.add_user(ws, "Rey", "reviewer", PASSWORD, actor="ada")
    acc.add_user(ws, "Ben", "analyst", PASSWORD, actor="ada")


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    yield from demo_server(
        tmp_path_factory, "e2e-team", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "3", prepare=accounts
    )


def sign_in(page, name, password):
    # Exact names: right after Sign out is clicked, the page can still show Browse, whose "Name
    # contains" filter a loose "Name" matches; the name went there and the form sent none.
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
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
    expect(page.get_by_text("Page not found")).to_have_count(0)  # the form is at the link's own address
    assert page.url == f"{url}/review?image={target.id}"
    sign_in(page, "Ana <b>Lyst</b>", "not the password")
    expect(page.get_by_text("wrong name or password")).to_be_visible()
    shot(page, "30-sign-in-refused")

    sign_in(page, "Ana <b>Lyst</b>", PASSWORD)
    expect(page.get_by_text("Signed in as Ana <b>Lyst</b> · analyst")).to_be_visible()  # the name as text, not markup
    expect(page.get_by_role("link", name="Team")).to_have_count(0)  # accounts are an admin's page
    # The link asked for before signing in is where signing in lands: that image, on Review.
    canvas = editor_ready(page, ":label:1")
    wait_for_app(page)
    assert page.url == f"{url}/review?image={target.id}"
    expect(page.get_by_role("heading", name=target.name)).to_be_visible()
    expect(page.get_by_test_id("seep-accept")).to_be_hidden()  # accepting is a reviewer's call
    opened = target.id
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

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in to Seep")).to_be_visible()
    expect(page.get_by_text("You signed out.")).to_be_visible()
    assert [r["action"] for r in acc.audit_rows(ws, actor="Ana <b>Lyst</b>")] == ["sign-out", "save", "sign-in"]


def paint_and_save(page, canvas, cls: int, y: int) -> None:
    """A stroke along row y in class `cls` (0: the eraser), then S."""
    box = canvas.bounding_box()
    zoom = box["width"] / 256
    if cls:
        page.get_by_test_id(f"seep-class-{cls}").click()
    else:
        canvas.focus()
        page.keyboard.press("e")
    page.mouse.move(box["x"] + 40 * zoom, box["y"] + y * zoom)
    page.mouse.down()
    page.mouse.move(box["x"] + 90 * zoom, box["y"] + y * zoom, steps=6)
    page.mouse.up()
    canvas.focus()
    page.keyboard.press("s")


def switch_user(page, name):
    """Sign out and in as `name` in the same tab: a reload is a new Streamlit session."""
    if page.get_by_role("button", name="Sign out", exact=True).count():
        page.get_by_role("button", name="Sign out", exact=True).click()
        wait_for_app(page)
    sign_in(page, name, PASSWORD)


def open_tile(page, image_id, version):
    """The way people open a tile: its card in Browse."""
    page.get_by_role("link", name="Browse").click()
    wait_for_app(page)
    page.locator(f".seep-gallery a[data-id='{image_id}']").click()
    return editor_ready(page, f"{image_id}:label:{version}")


def open_the_one(page, notice: str, toggle: str) -> None:
    """On Browse: the notice of what waits, the toggle that shows only that, its one card opened."""
    page.get_by_role("link", name="Browse").click()
    expect(page.get_by_text(notice)).to_be_visible()
    wait_for_app(page)  # a toggle clicked while Browse still draws can be lost
    page.get_by_text(toggle).click()
    wait_for_app(page)
    cards = page.locator(".seep-gallery a[data-id]")
    expect(cards).to_have_count(1, timeout=20_000)  # a rerun of Browse on a busy machine
    cards.first.click()


def start(team_server, page, index: int, name: str):
    """(workspace, its index-th tile, the tile's version, the editor) with `name` signed in
    and the tile opened from Browse."""
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    target = ws.list_images()[index]
    page.goto(url)
    wait_for_app(page)
    switch_user(page, name)
    page.locator(f".seep-gallery a[data-id='{target.id}']").click()
    return ws, target, target.head_version or 0, editor_ready(page, target.id)


def test_a_reviewer_returns_a_tile_the_analyst_fixes_it_and_the_reviewer_accepts(team_server, page):
    ws, target, v, canvas = start(team_server, page, 1, "Ana <b>Lyst</b>")
    paint_and_save(page, canvas, 3, 100)
    assert eventually(lambda: ws.image(target.id).status == "corrected")
    expect(page.get_by_text("awaiting review", exact=True)).to_be_visible()

    switch_user(page, "Rey")
    open_tile(page, target.id, v + 1)
    page.get_by_role("button", name="Return to Ana <b>Lyst</b>").click()
    page.get_by_role("textbox", name="What should be fixed?").fill("<i>That</i> is a ship's wake, not a seep")
    page.get_by_role("button", name="Return", exact=True).click()
    assert eventually(lambda: ws.image(target.id).status == "returned")
    shot(page, "32-reviewer-returned")

    switch_user(page, "Ana <b>Lyst</b>")
    open_the_one(page, "A reviewer returned 1 of your tiles with comments.", "Returned to me · 1")
    canvas = editor_ready(page, f"{target.id}:label:{v + 1}")
    expect(page.get_by_text("<i>That</i> is a ship's wake, not a seep")).to_be_visible()  # as text, not markup
    shot(page, "33-analyst-sees-the-comment")
    paint_and_save(page, canvas, 0, 100)  # she erases the wake
    assert eventually(lambda: ws.image(target.id).head_version == v + 2)
    assert ws.image(target.id).status == "corrected" and (ws.label(target.id)[1][100, 45:85] == 0).all()

    switch_user(page, "Rey")
    open_tile(page, target.id, v + 2).focus()
    page.keyboard.press("a")
    assert eventually(lambda: ws.image(target.id).status == "accepted")
    actions = [(r["actor"], r["action"]) for r in acc.audit_rows(ws) if r["target"] == target.id]
    assert actions == [("Rey", "accept"), ("Ana <b>Lyst</b>", "save"), ("Rey", "return"), ("Ana <b>Lyst</b>", "save")]

    # The admin's morning: who did what this week, a row per person; Ana's row opens her tiles.
    from seep.workspace.activity import team_activity

    switch_user(page, "ada")
    page.get_by_role("link", name="Team").click()
    wait_for_app(page)
    heading = page.get_by_role("heading", name="Who did what")
    heading.scroll_into_view_if_needed()
    rows = team_activity(ws, 7)
    rey = next(a for a in rows if a.person == "Rey")
    assert (rey.accepted, rey.returned) == (1, 1)  # (the earlier test's analyst may have worked too)
    table = page.get_by_test_id("stDataFrame").filter(has=page.get_by_text("others' labels accepted", exact=True))
    for a in rows:  # a canvas grid: its cells are in the page for screen readers
        expect(table.get_by_text(a.person, exact=True)).to_be_attached()
    shot(page, "34-team-who-did-what")
    ana = [a.person for a in rows].index("Ana <b>Lyst</b>")
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 35 * ana + 17)  # the row's tick box
    page.wait_for_url("**/?saved_by=Ana*")
    wait_for_app(page)
    theirs = ws.count_images(ImageFilter(saved_by="Ana <b>Lyst</b>"))  # (the first test's tiles may be hers too)
    expect(page.get_by_text(f"{theirs} image{'s' * (theirs > 1)} match{'es' * (theirs == 1)}", exact=True)).to_be_visible()


def test_two_analysts_label_a_tile_blind_and_a_reviewer_keeps_one(team_server, page):
    ws, target, v, _ = start(team_server, page, 2, "Rey")
    page.get_by_role("button", name="Send blind", exact=True).click()
    for name in ("Ana <b>Lyst</b>", "Ben"):
        choose(page, page.get_by_role("combobox", name="Two analysts"), name)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Send", exact=True).click()
    assert eventually(lambda: agreement.open_round(ws, target.id) is not None)

    for name, cls in (("Ana <b>Lyst</b>", 1), ("Ben", 2)):
        switch_user(page, name)
        open_the_one(page, "1 tile waits for your blind label.", "Blind for me · 1")
        canvas = editor_ready(page, target.id)
        expect(page.get_by_text("Blind double label.", exact=False)).to_be_visible()
        paint_and_save(page, canvas, cls, 120)
        assert eventually(lambda n=name: agreement.open_round(ws, target.id).saved[n])
        editor_ready(page, f"{target.id}:blind:")
        assert ws.image(target.id).head_version == target.head_version  # nobody else sees it yet
    shot(page, "34-blind-label-saved")

    switch_user(page, "Rey")
    page.get_by_role("link", name="Browse").click()
    expect(page.get_by_text("To adjudicate · 1")).to_be_visible()
    wait_for_app(page)
    page.get_by_text("To adjudicate · 1").click()
    wait_for_app(page)
    page.locator(f".seep-gallery a[data-id='{target.id}']").click()
    editor_ready(page, target.id)
    expect(page.get_by_text("agree on seep IoU", exact=False)).to_be_visible()
    shot(page, "35-adjudicate")
    page.get_by_role("button", name="Keep Ben's").click()
    assert eventually(lambda: ws.image(target.id).head_version == v + 1)
    lv, mask = ws.label(target.id)
    assert lv.author == "Ben" and ws.image(target.id).status == "accepted" and (mask[120, 45:85] == 2).all()
    page.get_by_role("link", name="Models").click()
    expect(page.get_by_text("Agreement between analysts")).to_be_visible()


def test_an_admin_disables_an_account_and_enables_it_again(team_server, page):
    """A disabled account had no way back: its name stays on its work, so a new account could
    not take it, and neither the Team page nor `user` could let it sign in again."""
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/team")  # a bookmark: signing in lands on the page it names, not on Browse
    wait_for_app(page)
    switch_user(page, "ada")
    assert page.url == f"{url}/team"
    choose(page, page.get_by_role("combobox", name="Account"), "Ben")
    page.get_by_role("button", name="Disable").click()
    assert eventually(lambda: acc.get_user(ws, "Ben") is None)
    switch_user(page, "Ben")
    expect(page.get_by_text("wrong name or password")).to_be_visible()  # a disabled account reads as any refusal

    sign_in(page, "ada", PASSWORD)
    page.get_by_role("link", name="Team").click()
    wait_for_app(page)
    choose(page, page.get_by_role("combobox", name="Disabled account"), "Ben")
    shot(page, "37-enable-account")
    page.get_by_role("button", name="Enable").click()
    assert eventually(lambda: acc.get_user(ws, "Ben") == acc.User("Ben", "analyst"))
    expect(page.get_by_role("combobox", name="Disabled account")).to_have_count(0)  # none left to enable
    switch_user(page, "Ben")
    expect(page.get_by_text("Signed in as Ben · analyst")).to_be_visible()  # the same password and role
    changes = [r["action"] for r in acc.audit_rows(ws, actor="ada") if r["action"].startswith("user-")]
    assert changes[:2] == ["user-enable", "user-disable"]


def test_a_person_changes_their_password_and_an_admin_sets_one(team_server, page, browser):
    """Passwords were set only by whoever ran `python -m seep user password` on the server; and
    a changed password now ends the sessions signed in with the old one (a laptop left open,
    or whoever learnt it), where the session that changed it goes on."""
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    fresh = "a longer passphrase"
    elsewhere = new_context(browser).new_page()
    for tab in (elsewhere, page):
        tab.goto(url)
        wait_for_app(tab)
        switch_user(tab, "Ben")
    for current, new, again, said in (
        ("not it at all", fresh, fresh, "wrong name or password; your password was not changed"),
        (PASSWORD, fresh, fresh + "!", "the two new passwords differ"),
        (PASSWORD, fresh, fresh, "Password changed"),
    ):
        if not page.get_by_label("Current password").is_visible():  # the popover stays open after a refusal
            page.get_by_role("button", name="Change password").first.click()
        page.get_by_label("Current password").fill(current)
        page.get_by_label("New password", exact=True).fill(new)
        page.get_by_label("New password again").fill(again)
        page.get_by_test_id("stPopoverBody").get_by_role("button", name="Change password").click()
        expect(page.get_by_text(said)).to_be_visible()
        shot(page, "38-own-password")
    page.get_by_role("link", name="Browse").click()  # this session goes on
    wait_for_app(page)
    expect(page.get_by_text("Signed in as Ben · analyst")).to_be_visible()
    elsewhere.get_by_role("link", name="Browse").click()  # the other one ends at its next step
    expect(elsewhere.get_by_text("Your password was changed since you signed in")).to_be_visible()
    expect(elsewhere.get_by_role("button", name="Sign in")).to_be_visible()
    elsewhere.context.close()
    switch_user(page, "Ben")  # the old password no longer opens the account
    expect(page.get_by_text("wrong name or password")).to_be_visible()
    sign_in(page, "Ben", fresh)
    expect(page.get_by_text("Signed in as Ben · analyst")).to_be_visible()

    switch_user(page, "ada")  # an admin sets it back: a forgotten password
    page.get_by_role("link", name="Team").click()
    wait_for_app(page)
    page.get_by_text("Set a password").click()
    choose(page, page.get_by_role("combobox", name="Whose password"), "Ben")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Ben's password is set")).to_be_visible()
    assert acc.sign_in(ws, "Ben", PASSWORD).name == "Ben"
    changes = [(r["actor"], r["action"], r["target"]) for r in acc.audit_rows(ws) if r["action"] == "user-password"]
    assert changes[:2] == [("ada", "user-password", "Ben"), ("Ben", "user-password", "Ben")]


def test_a_person_signs_out_their_other_sessions_and_an_admin_signs_someone_out_everywhere(team_server, page, browser):
    """A browser left signed in on a shared screen or a lost laptop, the password not in doubt:
    its owner ends the other sessions from the sidebar, an admin all of them from Team."""
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    elsewhere = new_context(browser).new_page()
    for tab in (elsewhere, page):
        tab.goto(url)
        wait_for_app(tab)
        switch_user(tab, "Rey")
    page.get_by_role("button", name="Sign out my other sessions").click()
    expect(page.get_by_text("Your other sessions have ended")).to_be_visible()
    shot(page, "39-other-sessions-ended")
    elsewhere.get_by_role("link", name="Browse").click()  # the other one ends at its next step
    expect(elsewhere.get_by_text("This session was ended from elsewhere")).to_be_visible()
    page.get_by_role("link", name="Scene").click()  # this one goes on
    wait_for_app(page)
    expect(page.get_by_text("Signed in as Rey · reviewer")).to_be_visible()

    sign_in(elsewhere, "ada", PASSWORD)  # a lost laptop, reported to an admin
    elsewhere.get_by_role("link", name="Team").click()
    wait_for_app(elsewhere)
    choose(elsewhere, elsewhere.get_by_role("combobox", name="Account"), "Rey")
    elsewhere.get_by_role("button", name="Sign out everywhere").click()
    expect(elsewhere.get_by_text("Rey must sign in again in every browser")).to_be_visible()
    page.get_by_role("link", name="Browse").click()
    expect(page.get_by_text("This session was ended from elsewhere")).to_be_visible()
    elsewhere.context.close()
    sign_in(page, "Rey", PASSWORD)  # the same password
    expect(page.get_by_text("Signed in as Rey · reviewer")).to_be_visible()
    trail = [(r["actor"], r["action"], r["target"]) for r in acc.audit_rows(ws) if r["action"] == "sessions-ended"]
    assert trail[:2] == [("ada", "sessions-ended", "Rey"), ("Rey", "sessions-ended", "Rey")]


def test_a_reviewer_hands_a_scene_on_and_an_analyst_takes_only_a_free_one(team_server, page):
    """An analyst is offered only herself, and takes a scene no one holds; a reviewer hands it
    to a colleague (any account); the first analyst cannot take it back from her."""
    from seep.workspace.assignments import assign, holder

    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    scene = ws.scenes()[0]
    assign(ws, [scene], None, "setup")  # free, whatever ran before
    page.goto(url)
    wait_for_app(page)

    def scenes_view() -> None:  # a sign-in starts Browse afresh: the last person's filters were theirs
        page.get_by_role("radio", name="Scenes").click()
        wait_for_app(page)

    def hand_out(name: str) -> None:
        scenes_view()
        choose(page, page.get_by_role("combobox", name="Scenes"), scene)
        page.keyboard.press("Escape")
        choose(page, page.get_by_role("combobox", name="To"), name)
        page.get_by_role("button", name="Hand out").click()
        wait_for_app(page)

    switch_user(page, "Ben")
    scenes_view()
    page.get_by_role("combobox", name="To").click()
    expect(page.get_by_role("option", name="Ben")).to_be_visible()
    expect(page.get_by_role("option")).to_have_count(1)  # an analyst hands scenes to herself only
    page.keyboard.press("Escape")
    hand_out("Ben")
    expect(page.get_by_text(f"Handed {scene} to Ben.")).to_be_visible()

    switch_user(page, "Rey")
    hand_out("Ana <b>Lyst</b>")
    expect(page.get_by_text(f"Handed {scene} to Ana <b>Lyst</b>.")).to_be_visible()  # a name shown as typed
    assert (holder(ws, scene).person, holder(ws, scene).by) == ("Ana <b>Lyst</b>", "Rey")

    switch_user(page, "Ben")
    hand_out("Ben")
    said = re.compile(rf"^scene {scene} is handed to Ana <b>Lyst</b>\W+a lead \(reviewer or admin\) hands it on$")
    expect(page.get_by_text(said)).to_be_visible()
    assert holder(ws, scene).person == "Ana <b>Lyst</b>"

    switch_user(page, "Ana <b>Lyst</b>")  # her scene is all reviewed: no notice, its tiles one toggle away
    expect(page.get_by_text(f"My scenes · {ws.count_images(ImageFilter(scene=(scene,)))}")).to_be_visible()
    expect(page.get_by_text("of the scenes handed to you")).to_have_count(0)


def test_a_reviewer_sends_the_tiles_browse_lists_blind_and_the_form_closes(team_server, page):
    url, ws_path = team_server
    ws = Workspace(ws_path, create=False)
    page.goto(url)
    wait_for_app(page)
    switch_user(page, "Rey")
    n = ws.count_images()
    page.get_by_role("button", name=f"Send blind ({n})").click()
    for name in ("Ana <b>Lyst</b>", "Ben"):
        choose(page, page.get_by_role("combobox", name="Two analysts"), name)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text(f"Sent {n} tiles blind to Ana <b>Lyst</b> and Ben")).to_be_visible()
    expect(page.get_by_role("combobox", name="Two analysts")).to_have_count(0)  # closed: the next click is the page's
    rounds = [agreement.open_round(ws, i) for i in ws.image_ids()]
    assert all(r is not None and set(r.analysts) == {"Ana <b>Lyst</b>", "Ben"} for r in rounds)
    for r in rounds:  # the module's workspace as the other tests left it
        agreement.withdraw(ws, r.id, by="Rey")
