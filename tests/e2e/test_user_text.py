"""User text is shown as the characters typed, never as markup: an image name, a scene, an
analyst's name and a deep link that hold markdown links and images render as text, and
the browser never asks the address they name."""

import json
import os
import re
from urllib.parse import urlsplit

import numpy as np
import pytest
from browser import demo_server, open_expander, wait_for_app

from seep.jobs import queue
from seep.workspace import Workspace, lookalikes

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect

HOST = "elsewhere.invalid"
LINK = "[Session expired](http://elsewhere.invalid/phish)"
IMAGE = "![x](http://elsewhere.invalid/p.png)"
ICON = ":red[loud] :material/home: **bold** www.elsewhere.invalid"


def shows(page, text: str) -> bool:
    """Whether the page comes to show `text` (word joiners aside) within 20 s."""
    try:
        page.wait_for_function(
            "t => document.querySelector('[data-testid=stApp]').innerText.replaceAll('\\u2060', '').includes(t)",
            arg=text,
            timeout=20_000,
        )
        return True
    except Exception:
        print(page.locator("[data-testid=stApp]").inner_text())
        return False


def assert_inert(page, asked: list[str]) -> None:
    assert page.locator("a[href*='elsewhere'], img[src*='elsewhere']").count() == 0
    assert page.locator("svg a").count() == 0  # Plotly draws <a href> of a label as an SVG link
    assert page.locator("[data-testid='stMain'] strong:text('bold')").count() == 0
    assert not asked, f"the browser fetched {asked}"


def test_names_ids_and_deep_links_render_as_text(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)
    donor = ws.list_images(limit=1)[0]
    pixels = ws.read_image(donor.id).copy()
    pixels[0, 0] += 1  # another image, not the donor again (imports skip identical pixels)
    rec, created = ws.add_image(pixels, name=f"tile {LINK}", scene=ICON)
    assert created
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if urlsplit(r.url).hostname == HOST else None)

    page.goto(f"{url}/review?image={LINK}")
    wait_for_app(page)
    assert shows(page, LINK)  # the error names what was asked for, as typed
    assert_inert(page, asked)

    page.goto(f"{url}/review?image={rec.id}")
    wait_for_app(page)
    assert shows(page, f"tile {LINK}") and shows(page, ICON)
    # A colleague with a hostile name saves while this tile is open: the notice names them as text.
    ws.save_label(rec.id, np.zeros((rec.height, rec.width), np.uint8), parent=None, author=IMAGE)
    page.get_by_text("Confidence", exact=True).click()  # any rerun shows the notice
    wait_for_app(page)
    assert shows(page, f"{IMAGE} saved v1 since you opened this tile")
    assert_inert(page, asked)


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux's /proc tables)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                found.add(addr)
    return found


def test_the_app_listens_on_this_machine_only_and_hides_deploy(server, page):
    """`streamlit run app.py` with no flags, as the README says: the project's
    .streamlit/config.toml keeps the port off the network and Streamlit's Deploy button away."""
    url, _ = server
    assert listening_addresses(urlsplit(url).port) == {"0100007F"}  # 127.0.0.1, IPv4 only
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("textbox", name="Analyst").wait_for()
    assert page.locator("[data-testid='stAppDeployButton']").count() == 0


REASON = "[wake](http://elsewhere.invalid/w)"  # reasons are short
ANCHOR = '<a href="http://elsewhere.invalid/phish">Session expired</a>'


def hostile(ws: Workspace) -> None:
    """A class table, a look-alike reason and a failed job's message that hold markup, as an
    admin's typo or a crafted file name would put them there."""
    config = json.loads((ws.root / "dataset.json").read_text())
    config["classes"][1]["name"] = ANCHOR
    config["classes"][2]["name"] = IMAGE
    (ws.root / "dataset.json").write_text(json.dumps(config))
    lookalikes.set_reasons(Workspace(ws.root, create=False), [REASON, ":red[loud] **bold**"], actor="admin")
    job = queue.submit(ws, "predict_all", {})
    job = queue.claim_next(ws, os.getpid())
    queue.finish(ws, job.id, job.lease, "ERROR", message=f"cannot read {IMAGE} {ANCHOR}")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    yield from demo_server(
        tmp_path_factory, "e2e-hostile", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "3", prepare=hostile
    )


def test_class_names_reasons_and_job_messages_render_as_text(hostile_server, page):
    url, ws_path = hostile_server
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if urlsplit(r.url).hostname == HOST else None)
    page.goto(f"{url}/review")
    wait_for_app(page)
    assert shows(page, ANCHOR) and shows(page, IMAGE)  # the class table beside the editor
    assert_inert(page, asked)
    for path, expected in (("team", "Look-alike reasons"), ("train", f"cannot read {IMAGE} {ANCHOR}"), ("models", "Class")):
        page.goto(f"{url}/{path}")
        wait_for_app(page)
        assert shows(page, expected), path
        page.wait_for_timeout(500)  # Plotly draws after the page settles
        assert_inert(page, asked)
        if path == "team":  # the reasons are edited as lines of a text box
            box = page.get_by_label("Reasons an analyst can give for removing a predicted seep, one per line")
            expect(box).to_have_value(re.compile(re.escape(REASON)))  # filled once the page settles
    ticks = page.locator("[data-testid=stPlotlyChart] .xtick text")
    ticks.first.wait_for()
    assert ANCHOR in ticks.all_text_contents()  # Plotly's label, as typed
    # What to expect of the shipped model names the workspace's classes, as text too.
    assert shows(page, "The shipped model on scenes it never saw")
    assert shows(page, f"It almost never gets the class right for {IMAGE}, ")
    open_expander(page, "Which class it takes for which")
    rows = page.locator("[data-testid=stPlotlyChart] .ytick text")
    rows.first.wait_for()
    assert ANCHOR in rows.all_text_contents() and shows(page, f"{IMAGE} as {ANCHOR} (")
    assert_inert(page, asked)
