"""Many analysts at once: N browser sessions on one running app, on SQLite and on PostgreSQL.

    python benchmarks/bench_load.py [--sessions 20] [--rounds 5] [--savers 8 --seconds 30]

Each session is a Playwright context (its own cookies, its own Streamlit session) in one
headless Chromium, opening Review on its own run of tiles and, concurrently with all the
others: N (next image, painted), a look at the tile (--think seconds, 5 by default, drawn
between half and one and a half times that: analysts look before they paint), a stroke and
S (the new version shown). --think 0 is a stress test: every session acting back to back. Prints p50/p95
of next-tile and save, the errors (timeouts, tracebacks in the server's log), and checks
afterwards that every save the editor acknowledged is in the history. Then 8 processes save
to the same 5 tiles for 30 s through the workspace API: conflicts refused, versions lost.

Targets (issue 12), PostgreSQL, 20 sessions on the 2-core machine: save p95 <= 500 ms,
next-tile p95 <= 1 s, 0 errors, 0 acknowledged saves missing; savers: 0 lost on both stores.
The browsers run on the same 2 cores as the server, so their own rendering is in the figures.
PostgreSQL is a throwaway server (tests/pg_cluster.py) on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from bench_browser import MASK_ID  # noqa: E402  (this folder is on the path: the script's own)
from pg_cluster import Cluster  # noqa: E402
from savers import lost_versions, make_tiles, run_savers  # noqa: E402

from seep.data.synthetic import DemoSpec  # noqa: E402
from seep.ui.launch import CHROMIUM, CHROMIUM_ARGS, free_port, start_app  # noqa: E402
from seep.workspace import Workspace  # noqa: E402
from seep.workspace.demo import build_demo  # noqa: E402
from seep.workspace.postgres import close_pools  # noqa: E402

SETTLED = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
TIMEOUT_MS = 60_000


async def analyst(browser, url: str, ids: list[str], ws: Workspace, out: dict, think: float) -> None:
    """One analyst: open the first tile, then next-look-paint-save through the rest, looking
    at each tile for about `think` seconds (drawn between half and one and a half times it)."""
    rng = random.Random(ids[0])
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


async def crowd(url: str, runs: list[list[str]], ws: Workspace, think: float) -> dict:
    from playwright.async_api import async_playwright

    out = {"next": [], "save": [], "acked": [], "errors": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(analyst(browser, url, ids, ws, out, think) for ids in runs))
        out["cpu_end"] = cpu_split()  # before the browser's processes end and take their CPU time along
        await browser.close()
    return out


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


def browsers(store: str, root: Path, sessions: int, rounds: int, think: float) -> dict:
    ws = Workspace(root)
    per = rounds + 1
    build_demo(
        ws, DemoSpec(scenes=4, tiles_per_scene=-(-sessions * per // 4), geo_scene=False), labelled_per_scene=sessions * per
    )
    ids = ws.image_ids()
    runs = [ids[i * per : (i + 1) * per] for i in range(sessions)]
    port, log_path = free_port(), Path(tempfile.gettempdir()) / f"seep-bench-load-{store}.log"
    with open(log_path, "wb") as log:
        server = start_app(root, port, log=log)
        try:
            asyncio.run(crowd(f"http://127.0.0.1:{port}", runs[:1], ws, 0))  # warm up: imports, caches (not counted)
            t, cpu = time.perf_counter(), cpu_split()
            out = asyncio.run(crowd(f"http://127.0.0.1:{port}", runs[1:] + runs[:1], ws, think))
            out["wall"] = time.perf_counter() - t
            out["cpu"] = {k: v - cpu[k] for k, v in out["cpu_end"].items()}
        finally:
            server.terminate()
            server.wait(30)
    out["tracebacks"] = log_path.read_text(errors="replace").count("Traceback")
    out["log"] = log_path
    stored = {(image_id, v.version) for image_id in ws.image_ids() for v in ws.history(image_id)}
    out["missing"] = [a for a in out["acked"] if a not in stored]
    return out


def savers(root: Path, processes: int, seconds: float) -> tuple[int, int, list[str]]:
    ws = Workspace(root)
    make_tiles(ws, 5)
    reports = run_savers(root, processes, seconds)
    return sum(len(r["acks"]) for r in reports), sum(r["conflicts"] for r in reports), lost_versions(ws, reports)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5, help="next-and-save rounds per session")
    ap.add_argument(
        "--think", type=float, default=5.0, help="seconds an analyst looks at a tile before painting (0: a stress test)"
    )
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
                out = browsers(store, Path(d) / f"{store}-browsers", args.sessions, args.rounds, args.think)
                errors = len(out["errors"]) + out["tracebacks"]
                print(
                    f"{store:<8} {args.sessions} sessions, {args.think:.0f} s looking at each tile: next-tile p50 {p(out['next'], 50):5.0f} ms p95 "
                    f"{p(out['next'], 95):5.0f} ms (target 1000, ratio {p(out['next'], 95) / 1000:.2f}); save p50 "
                    f"{p(out['save'], 50):5.0f} ms p95 {p(out['save'], 95):5.0f} ms (target 500, ratio "
                    f"{p(out['save'], 95) / 500:.2f}); {len(out['save'])} saves acknowledged in {out['wall']:.0f} s, "
                    f"{len(out['missing'])} missing; errors {errors}"
                )
                for e in out["errors"][:5]:
                    print(f"         error: {e}")
                print(
                    "         CPU seconds over the run (2 cores: "
                    f"{2 * out['wall']:.0f} available): " + ", ".join(f"{k} {v:.0f}" for k, v in out["cpu"].items())
                )
                if errors:
                    print(f"         the server's log: {out['log']}")
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
