"""A whole scene in a real browser: the demo's georeferenced scene on the Scene page, a
click on a tile opens it in Review, and the seeps download as GeoJSON."""

import json
import subprocess
import sys

import pytest
from browser import editor_ready, shot, wait_for_app

from seep.ui.launch import REPO, free_port, start_app
from seep.workspace import Workspace
from seep.workspace.scenes import tile_offsets_of

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect


@pytest.fixture(scope="module")
def geo_server(tmp_path_factory):
    ws = tmp_path_factory.mktemp("e2e-scene") / "workspace"
    argv = [sys.executable, "-m", "seep", "demo", "--workspace", str(ws), "--scenes", "1", "--tiles-per-scene", "2"]
    subprocess.run(argv, cwd=REPO, check=True, capture_output=True)
    port = free_port()
    with open(ws.parent / "streamlit.log", "wb") as log:
        proc = start_app(ws, port, log=log)
        yield f"http://127.0.0.1:{port}", ws
        proc.terminate()
        proc.wait(10)


def test_click_a_tile_on_the_scene_map_opens_it_in_review(geo_server, page):
    url, ws_path = geo_server
    ws = Workspace(ws_path, create=False)
    page.goto(f"{url}/scene")
    wait_for_app(page)
    expect(page.get_by_text("512 x 400 pixels", exact=False)).to_be_visible(timeout=30_000)
    points = page.locator(".js-plotly-plot .scatterlayer .point")
    expect(points).to_have_count(4)  # one marker per tile, all accepted (the demo scene comes with its mask)
    shot(page, "20-scene")

    with page.expect_download() as download:
        page.get_by_role("button", name="Seeps as GeoJSON (EPSG:4326)").click()
    features = json.loads(open(download.value.path()).read())["features"]
    assert features and {f["properties"]["scene"] for f in features} == {"demo_scene"}
    assert any(f["properties"]["tiles"].count(",") == 3 for f in features)  # merged across four tiles

    box = points.nth(3).bounding_box()  # plotly's drag layer lies over the markers and hit-tests clicks itself
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/review?image=*")
    opened = page.url.split("image=")[1]
    assert opened in tile_offsets_of(ws, "demo_scene")
    editor_ready(page, f"{opened}:label:1")
    r, c = tile_offsets_of(ws, "demo_scene")[opened]
    expect(page.get_by_text(f"rows {r:,}-{r + 255:,}, columns {c:,}-{c + 255:,}", exact=False)).to_be_visible()
    shot(page, "21-scene-tile-in-review")
