"""The app's latency as an analyst feels it, driven in headless Chromium (medians of repeats).

    python benchmarks/bench_browser.py [--repeats 15]

Targets: next image to overlay painted <= 500 ms; save round trip (key press to the new
version on disk and the editor showing it) <= 300 ms; Browse over 1,000 images, first
thumbnails painted <= 1.5 s. Needs /usr/bin/chromium and the playwright package.

Browse is timed as a first visit (a new browser profile: Streamlit's JavaScript not yet
cached) and as a returning analyst (cached). For scale, the same two figures are taken
for a bare Streamlit page holding one title and one image: the floor that Streamlit's
own start-up sets on this machine, which no page of ours can beat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("SEEP_AUTHOR", "bench")  # the servers started here: every save needs an analyst
sys.path.insert(0, str(REPO))

from seep.data.synthetic import DemoSpec  # noqa: E402
from seep.ui.launch import CHROMIUM, CHROMIUM_ARGS, start_app  # noqa: E402
from seep.workspace import Workspace  # noqa: E402
from seep.workspace.demo import build_demo  # noqa: E402

FLOOR_APP = """
import numpy as np
import streamlit as st

st.title("Floor")
st.image(np.full((160, 160, 3), 128, np.uint8))
"""
THUMB_PAINTED = """() => {
    for (const host of document.querySelectorAll('*')) {
        const img = host.shadowRoot && host.shadowRoot.querySelector('.seep-gallery img');
        if (img) return img.complete && img.naturalWidth > 0;
    }
    return false;
}"""
IMAGE_PAINTED = """() => {
    const img = document.querySelector("[data-testid='stImage'] img");
    return !!img && img.complete && img.naturalWidth > 0;
}"""

MASK_ID = """part => {
    for (const host of document.querySelectorAll('*')) {
        const ed = host.shadowRoot && host.shadowRoot.querySelector('.seep-editor');
        if (ed && (ed.dataset.maskId || '').startsWith(part)) {
            const img = ed.querySelector('img.base');
            return img.complete && img.naturalWidth > 0;
        }
    }
    return false;
}"""


def settle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def first_paint(browser, url: str, painted: str, repeats: int) -> dict[str, list[float]]:
    """Seconds from navigation to the first image painted, as a first visit (a new browser
    profile each time) and as a returning analyst (one profile). The first round is not
    counted but reported as "server start": the server's first page imports torch and
    renders the thumbnails into its cache, and the returning profile fills its cache."""
    times = {"first visit": [], "returning": [], "server start": []}
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    for i in range(repeats + 1):
        for kind in ("first visit", "returning"):
            pg = browser.new_page(viewport={"width": 1500, "height": 1100}) if kind == "first visit" else ctx.new_page()
            t = time.perf_counter()
            pg.goto(url)
            pg.wait_for_function(painted, timeout=60_000, polling=10)
            times[kind if i else "server start"].append(time.perf_counter() - t)
            pg.close()
    ctx.close()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as d:
        small = Workspace(Path(d) / "small")
        build_demo(
            small, DemoSpec(scenes=2, tiles_per_scene=args.repeats + 2, geo_scene=False), labelled_per_scene=args.repeats + 2
        )
        big = Workspace(Path(d) / "big")
        t = time.perf_counter()
        build_demo(big, DemoSpec(scenes=20, tiles_per_scene=50, geo_scene=False), labelled_per_scene=25)
        print(f"(made a 1,000-image workspace in {time.perf_counter() - t:.0f} s)")
        floor_app = Path(d) / "floor.py"
        floor_app.write_text(FLOOR_APP)
        servers = [
            start_app(small.root, 8711),
            start_app(big.root, 8712),
            start_app(small.root, 8713, script=floor_app),
        ]
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = b.new_page(viewport={"width": 1500, "height": 1100})
                ids = small.image_ids()
                page.goto(f"http://127.0.0.1:8711/review?image={ids[0]}")
                page.wait_for_function(MASK_ID, arg=ids[0], timeout=60_000)
                settle(page)

                nxt, saves = [], []
                for i in range(1, args.repeats + 1):
                    t = time.perf_counter()
                    page.keyboard.press("n")
                    page.wait_for_function(MASK_ID, arg=ids[i], timeout=30_000)
                    nxt.append(time.perf_counter() - t)
                    settle(page)
                    box = page.get_by_test_id("seep-canvas").bounding_box()
                    page.mouse.move(box["x"] + 20, box["y"] + 20 + 8 * i)
                    page.mouse.down()
                    page.mouse.move(box["x"] + 200, box["y"] + 20 + 8 * i, steps=10)
                    page.mouse.up()
                    before = small.image(ids[i]).head_version
                    t = time.perf_counter()
                    page.keyboard.press("s")
                    page.wait_for_function(MASK_ID, arg=f"{ids[i]}:label:{before + 1}:", timeout=30_000)
                    saves.append(time.perf_counter() - t)
                    assert small.image(ids[i]).head_version == before + 1
                    settle(page)

                browse = first_paint(b, "http://127.0.0.1:8712/", THUMB_PAINTED, max(3, args.repeats // 3))
                floor = first_paint(b, "http://127.0.0.1:8713/", IMAGE_PAINTED, max(3, args.repeats // 3))
                b.close()
        finally:
            for s in servers:
                s.terminate()

    def report(label, xs, target):
        med = statistics.median(xs) * 1000
        print(
            f"{label:<46} median {med:6.0f} ms (min {min(xs) * 1000:.0f}, max {max(xs) * 1000:.0f}, n={len(xs)}); "
            f"target {target} ms, ratio {med / target:.2f}"
        )

    report("next image -> its overlay painted", nxt, 500)
    report("save round trip (S -> new version shown)", saves, 300)
    for label in ("first visit", "returning"):
        report(f"Browse of 1,000 images: first thumbnail, {label}", browse[label], 1500)
        print(f"{'':<46} bare Streamlit page: median {statistics.median(floor[label]) * 1000:6.0f} ms")
    start = ", ".join(f"{x * 1000:.0f}" for x in browse["server start"])
    print(f"(not counted: the server's first pages, {start} ms, import torch and fill the thumbnail cache)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
