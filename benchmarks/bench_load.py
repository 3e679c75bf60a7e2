"""Many analysts at once on one running app, on SQLite and on PostgreSQL.

    python benchmarks/bench_load.py [--sessions 20] [--browsers 1] [--rounds 5] [--savers 8 --seconds 30]

Each analyst opens Review on their own run of tiles and, concurrently with all the others:
N (next image), a look at the tile (--think seconds, 5 by default, drawn between half and one
and a half times that: analysts look before they paint), a stroke and S (the new version
shown). Analysts arrive over the first --think seconds, as a team's morning does not start in
one second. --think 0 is a stress test: every session at once, acting back to back.

--sessions analysts speak Streamlit's websocket protocol (wire.Session: the messages the
browser sends, the editor's events with the painted mask); their times run until the new
mask has reached the client. They stand for analysts at their own machines: twenty Chromium
tabs on the server's two cores took 193 of its 254 CPU-seconds and measured the tabs, not the
server. --browsers analysts (1 by default) run in headless Chromium beside them, so one
analyst's whole experience, drawing included, is measured under the same load.

Prints p50/p95 of next-tile and save, the errors (timeouts, tracebacks on the page or in the
server's log), checks afterwards that every save acknowledged is in the history, and the CPU
seconds of the server, the browsers and the database. Then 8 processes save to the same 5
tiles for 30 s through the workspace API: conflicts refused, versions lost.

Targets (issue 12), PostgreSQL, 20 sessions on the 2-core machine: save p95 <= 500 ms,
next-tile p95 <= 1 s, 0 errors, 0 acknowledged saves missing; savers: 0 lost on both stores.
PostgreSQL is a throwaway server (tests/pg_cluster.py) on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from bench_browser import MASK_ID  # noqa: E402  (this folder is on the path: the script's own)
from pg_cluster import Cluster  # noqa: E402
from savers import lost_versions, make_tiles, run_savers  # noqa: E402
from wire import Session  # noqa: E402

from seep.data.synthetic import DemoSpec  # noqa: E402
from seep.ui.editor.payload import decode_mask, encode_mask  # noqa: E402
from seep.ui.launch import CHROMIUM, CHROMIUM_ARGS, free_port, start_app  # noqa: E402
from seep.workspace import Workspace  # noqa: E402
from seep.workspace.demo import build_demo  # noqa: E402
from seep.workspace.postgres import close_pools  # noqa: E402

SETTLED = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
TIMEOUT_MS = 60_000
TIMEOUT_S = TIMEOUT_MS / 1000


async def analyst(browser, url: str, ids: list[str], ws: Workspace, out: dict, think: float) -> None:
    """One analyst: open the first tile, then next-look-paint-save through the rest, looking
    at each tile for about `think` seconds (drawn between half and one and a half times it)."""
    rng = random.Random(ids[0])
    await asyncio.sleep(rng.uniform(0, think))  # a team comes in over a while, not in one second
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    try:
        await page.goto(f"{url}/review?image={ids[0]}")
        await page.wait_for_function(MASK_ID, arg=ids[0], timeout=TIMEOUT_MS)
        await page.wait_for_function(SETTLED, timeout=TIMEOUT_MS)
        for i, image_id in enumerate(ids[1:], 1):
            t = time.perf_counter()
            await page.keyboard.press("n")
            await page.wait_for_function(MASK_ID, arg=image_id, timeout=TIMEOUT_MS, polling=20)
            out["next"].append(time.perf_counter() - t)
            await page.wait_for_function(SETTLED, timeout=TIMEOUT_MS)
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            box = await page.get_by_test_id("seep-canvas").bounding_box()
            await page.mouse.move(box["x"] + 20, box["y"] + 20 + 8 * i)
            await page.mouse.down()
            await page.mouse.move(box["x"] + 200, box["y"] + 20 + 8 * i, steps=8)
            await page.mouse.up()
            version = (ws.image(image_id).head_version or 0) + 1
            t = time.perf_counter()
            await page.keyboard.press("s")
            await page.wait_for_function(MASK_ID, arg=f"{image_id}:label:{version}:", timeout=TIMEOUT_MS, polling=20)
            out["save"].append(time.perf_counter() - t)
            out["acked"].append((image_id, version))
            await page.wait_for_function(SETTLED, timeout=TIMEOUT_MS)
    except Exception as e:  # a timeout or a page that broke: an error, and this analyst stops
        out["errors"].append(f"{type(e).__name__}: {str(e).splitlines()[0][:160]}")


EDITOR = "seep.mask_editor"


async def analyst_wire(url: str, ids: list[str], ws: Workspace, out: dict, think: float) -> None:
    """The same analyst over Streamlit's websocket (wire.Session): the server gets the messages
    a browser sends (the navigate event, the dirty flag after the stroke, the save event with
    the painted mask); the time is until the editor's new mask has arrived, without drawing it."""
    rng = random.Random(ids[0])
    await asyncio.sleep(rng.uniform(0, think))  # a team comes in over a while, not in one second
    try:
        async with Session(url, "review", f"image={ids[0]}") as s:
            await s.until(EDITOR, "mask_id", ids[0], TIMEOUT_S)
            await s.settle(TIMEOUT_S)
            for i, image_id in enumerate(ids[1:], 1):
                shown = s.data(EDITOR)["mask_id"]
                t = time.perf_counter()
                await s.rerun(EDITOR, event={"type": "navigate", "step": 1, "mask_id": shown, "dirty": False, "nonce": i})
                await s.until(EDITOR, "mask_id", image_id, TIMEOUT_S)
                out["next"].append(time.perf_counter() - t)
                await s.settle(TIMEOUT_S)
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                data = s.data(EDITOR)
                dirty = {"dirty": {"mask_id": data["mask_id"], "dirty": True}}
                await s.rerun(EDITOR, state=dirty)  # the stroke flips the dirty flag: one rerun
                await s.settle(TIMEOUT_S)
                version = (ws.image(image_id).head_version or 0) + 1
                mask = encode_mask(stroke(data, row=20 + 8 * i))
                t = time.perf_counter()
                await s.rerun(
                    EDITOR,
                    event={"type": "save", "step": 0, "mask_id": data["mask_id"], "dirty": True, "mask": mask, "nonce": -i},
                )
                await s.until(EDITOR, "mask_id", f"{image_id}:label:{version}:", TIMEOUT_S)
                out["save"].append(time.perf_counter() - t)
                out["acked"].append((image_id, version))
                await s.settle(TIMEOUT_S)
    except Exception as e:  # a timeout, a traceback on the page, a dropped connection
        out["errors"].append(f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}")


def stroke(data: dict, row: int) -> np.ndarray:
    """The editor's mask with a brush line of class 1 across `row`, as the browser stroke
    paints it: not on locked (no-data) pixels."""
    shape = (data["height"], data["width"])
    mask = decode_mask(data["mask"], shape, len(data["names"]))
    line = np.zeros(shape, bool)
    line[row : row + 3, 20:200] = True
    if data.get("locked"):
        line &= decode_mask(data["locked"], shape, 2) == 0
    mask[line] = 1
    return mask


async def crowd(url: str, runs: list[list[str]], ws: Workspace, think: float, browsers: int) -> tuple[dict, dict]:
    """The first `browsers` runs in Chromium, the rest over the websocket, all at once:
    (what the websocket sessions measured, what the browsers measured)."""
    from playwright.async_api import async_playwright

    wire, seen = ({"next": [], "save": [], "acked": [], "errors": []} for _ in range(2))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS) if browsers else None
        await asyncio.gather(
            *(analyst(browser, url, ids, ws, seen, think) for ids in runs[:browsers]),
            *(analyst_wire(url, ids, ws, wire, think) for ids in runs[browsers:]),
        )
        wire["cpu_end"] = cpu_split()  # before the browser's processes end and take their CPU time along
        if browser:
            await browser.close()
    return wire, seen


def cpu_seconds(match) -> float:
    """CPU time (user + system) of the processes whose command line `match` accepts."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if match(cmdline):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_split() -> dict[str, float]:
    return {
        "server": cpu_seconds(lambda c: "streamlit run" in c),
        "browsers": cpu_seconds(lambda c: "chrom" in c.split(" ")[0]),
        "database": cpu_seconds(lambda c: c.startswith("postgres")),
    }


def p(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] * 1000 if len(xs) > 1 else (xs or [0])[0] * 1000


def sessions(root: Path, store: str, n: int, browsers: int, rounds: int, think: float, cold: bool) -> tuple[dict, dict]:
    """n websocket sessions and `browsers` Chromium ones on one app over a new workspace."""
    ws = Workspace(root)
    per, total = rounds + 1, n + browsers
    build_demo(ws, DemoSpec(scenes=4, tiles_per_scene=-(-total * per // 4), geo_scene=False), labelled_per_scene=total * per)
    if not cold:  # a team's set-up: the worker predicted the day's tiles before the analysts came in
        subprocess.run([sys.executable, "-m", "seep", "predict-all", "--workspace", str(root)], check=True, capture_output=True)
    ids = ws.image_ids()
    runs = [ids[i * per : (i + 1) * per] for i in range(total)]
    port, log_path = free_port(), Path(tempfile.gettempdir()) / f"seep-bench-load-{store}.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        server = start_app(root, port, log=log)
        try:
            asyncio.run(crowd(url, runs[:1] * min(browsers, 1) + runs[1:2], ws, 0, min(browsers, 1)))  # warm up (not counted)
            t, cpu = time.perf_counter(), cpu_split()
            wire, seen = asyncio.run(crowd(url, runs[2:] + runs[:2], ws, think, browsers))
            wire["wall"] = time.perf_counter() - t
            wire["cpu"] = {k: v - cpu[k] for k, v in wire["cpu_end"].items()}
        finally:
            server.terminate()
            server.wait(30)
    wire["tracebacks"] = log_path.read_text(errors="replace").count("Traceback")
    wire["log"] = log_path
    stored = {(image_id, v.version) for image_id in ws.image_ids() for v in ws.history(image_id)}
    for out in (wire, seen):
        out["missing"] = [a for a in out["acked"] if a not in stored]
    return wire, seen


def report(label: str, out: dict, think: float) -> None:
    print(
        f"{label}, {think:.0f} s looking at each tile: next-tile p50 {p(out['next'], 50):5.0f} ms p95 "
        f"{p(out['next'], 95):5.0f} ms (target 1000, ratio {p(out['next'], 95) / 1000:.2f}); save p50 "
        f"{p(out['save'], 50):5.0f} ms p95 {p(out['save'], 95):5.0f} ms (target 500, ratio "
        f"{p(out['save'], 95) / 500:.2f}); {len(out['save'])} saves acknowledged, "
        f"{len(out['missing'])} missing; errors {len(out['errors'])}"
    )
    for e in out["errors"][:5]:
        print(f"         error: {e}")


def savers(root: Path, processes: int, seconds: float) -> tuple[int, int, list[str]]:
    ws = Workspace(root)
    make_tiles(ws, 5)
    reports = run_savers(root, processes, seconds)
    return sum(len(r["acks"]) for r in reports), sum(r["conflicts"] for r in reports), lost_versions(ws, reports)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20, help="analysts over Streamlit's websocket")
    ap.add_argument("--browsers", type=int, default=1, help="analysts in Chromium beside them")
    ap.add_argument("--rounds", type=int, default=5, help="next-and-save rounds per session")
    ap.add_argument(
        "--think", type=float, default=5.0, help="seconds an analyst looks at a tile before painting (0: a stress test)"
    )
    ap.add_argument("--cold", action="store_true", help="tiles no worker has predicted: the app predicts each as it opens")
    ap.add_argument("--stores", default="sqlite,postgres")
    ap.add_argument("--savers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    os.environ.setdefault("SEEP_AUTHOR", "bench")
    cluster = Cluster().start()
    try:
        with tempfile.TemporaryDirectory() as d:
            for store in args.stores.split(","):
                if store == "postgres":
                    os.environ["SEEP_DATABASE_URL"] = cluster.new_database()
                else:
                    os.environ.pop("SEEP_DATABASE_URL", None)
                wire, seen = sessions(
                    Path(d) / f"{store}-sessions", store, args.sessions, args.browsers, args.rounds, args.think, args.cold
                )
                wire["errors"] += [f"a traceback in the server's log: {wire['log']}"] * wire["tracebacks"]
                report(f"{store:<8} {args.sessions} sessions over the websocket", wire, args.think)
                if args.browsers:
                    report(f"{'':<8} {args.browsers} Chromium session(s) beside them (drawing included)", seen, args.think)
                print(
                    f"{'':<8} CPU seconds over the {wire['wall']:.0f} s run (2 cores: "
                    f"{2 * wire['wall']:.0f} available): " + ", ".join(f"{k} {v:.0f}" for k, v in wire["cpu"].items())
                )
                if store == "postgres":
                    os.environ["SEEP_DATABASE_URL"] = cluster.new_database()
                saved, refused, lost = savers(Path(d) / f"{store}-savers", args.savers, args.seconds)
                print(
                    f"{store:<8} {args.savers} processes x 5 tiles x {args.seconds:.0f} s: {saved} saves, {refused} "
                    f"conflicts refused, {len(lost)} versions lost" + "".join(f"\n         {x}" for x in lost[:5])
                )
    finally:
        close_pools()  # before the server goes: a pool would keep trying to reconnect
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
