"""A real Streamlit server on a free localhost port and headless Debian Chromium driven by
Playwright. Screenshots of every page land in artifacts/ (not committed) for a person to
look at."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seep.ui.launch import CHROMIUM, CHROMIUM_ARGS, REPO, free_port, start_app


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a fresh demo workspace, as a new user starts it."""
    ws = tmp_path_factory.mktemp("e2e") / "workspace"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "seep",
            "demo",
            "--no-geo-scene",
            "--workspace",
            str(ws),
            "--scenes",
            "3",
            "--tiles-per-scene",
            "8",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log_path = ws.parent / "streamlit.log"
    with open(log_path, "wb") as log:
        try:
            proc = start_app(ws, port, log=log)
        except RuntimeError as e:
            pytest.fail(f"{e}: {log_path.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}", ws
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
