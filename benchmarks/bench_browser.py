"""The app's latency as an analyst feels it, driven in headless Chromium (medians of repeats).

    python benchmarks/bench_browser.py [--repeats 15]

Targets: next image to overlay painted <= 500 ms; save round trip (key press to the new
version on disk and the editor showing it) <= 300 ms; Browse over 1,000 images, first
thumbnails painted <= 1.5 s. Needs /usr/bin/chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from seep.data.synthetic import DemoSpec  # noqa: E402
from seep.ui.launch import CHROMIUM, CHROMIUM_ARGS, start_app  # noqa: E402
from seep.workspace import Workspace  # noqa: E402
from seep.workspace.demo import build_demo  # noqa: E402

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as d:
        small = Workspace(Path(d) / "small")
        build_demo(small, DemoSpec(scenes=2, tiles_per_scene=args.repeats + 2), labelled_per_scene=args.repeats + 2)
        big = Workspace(Path(d) / "big")
        t = time.perf_counter()
        build_demo(big, DemoSpec(scenes=20, tiles_per_scene=50), labelled_per_scene=25)
        print(f"(made a 1,000-image workspace in {time.perf_counter() - t:.0f} s)")
        servers = [start_app(small.root, 8711), start_app(big.root, 8712)]
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

                # First paint as a first visit (a new browser profile: nothing cached) and as a
                # returning analyst (Streamlit's JavaScript already in the browser cache).
                first, warm = [], []
                ctx = b.new_context(viewport={"width": 1500, "height": 1100})
                for i in range(max(3, args.repeats // 3) + 1):
                    fresh = b.new_page(viewport={"width": 1500, "height": 1100})
                    again = ctx.new_page()
                    for pg, out in ((fresh, first), (again, warm)):
                        t = time.perf_counter()
                        pg.goto("http://127.0.0.1:8712/")
                        pg.wait_for_selector("[data-testid='stImage'] img", timeout=60_000)
                        if i or out is first:  # the returning analyst's first visit fills the cache
                            out.append(time.perf_counter() - t)
                        pg.close()
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
    report("Browse of 1,000 images: first thumbnail, first visit", first, 1500)
    report("Browse of 1,000 images: first thumbnail, returning", warm, 1500)
    return 0


if __name__ == "__main__":
    sys.exit(main())
