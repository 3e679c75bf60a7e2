"""A real Streamlit server on a free localhost port and headless Debian Chromium driven by
Playwright. Screenshots of every page land in artifacts/ (not committed) for a person to
look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import demo_server, failure_state, new_context

from seep.ui.launch import CHROMIUM, CHROMIUM_ARGS

# The analyst of a browser test that types no name (the app asks a new browser otherwise, and a
# deployment may set SEEP_AUTHOR the same way); the servers inherit it.
os.environ.setdefault("SEEP_AUTHOR", "tester")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "e2e", "--no-geo-scene", "--scenes", "3", "--tiles-per-scene", "8")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):  # CI must run the browser tests, as it must the PostgreSQL ones
            pytest.fail(why)
        pytest.skip(why)
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)")
    # expect() waits as long as the page's own calls (below): these tests say what a page shows,
    # not how soon; with the suite run on two workers, a 2-core machine can take over 5 s to draw.
    playwright.expect.set_options(timeout=30_000)
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = new_context(browser)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report carries what its page showed (before the page closes)."""
    report = (yield).get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None and not page.is_closed():
        report.sections.append(("page at failure", failure_state(page, item.name)))
