"""Helpers for the browser tests: a demo server, screenshots, waiting for Streamlit."""

import subprocess
import sys
from pathlib import Path

import pytest

from seep.ui.launch import REPO, free_port, start_app
from seep.workspace import Workspace

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def upload(page, *paths: Path, within=None) -> None:
    """Put `paths` in the page's file uploader (several at once, as a drop of them) and wait until
    they are on the server: the upload starts a moment after the files are set (the drop zone
    reads them asynchronously), and a form submitted in that moment goes without them. `within`:
    the part of the page holding the uploader meant, on a page of several."""
    (within or page).locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(p) for p in paths])
    page.wait_for_function(
        """names => names.every(n => [...document.querySelectorAll('[data-testid="stFileChipName"]')].some(c => c.title === n))
            && !document.querySelector('[data-testid="stFileChipIconSpinner"]')""",
        arg=[p.name for p in paths],
    )


def failure_state(page, name: str) -> str:
    """What a page showed when its test failed (its address, script state and the messages on
    it), with a screenshot in artifacts/: a failure seen once on a loaded machine is otherwise
    gone with its page."""
    try:
        shot(page, f"FAILED-{name}")
        return page.evaluate(
            """() => [location.href, 'script ' + document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState,
                ...[...document.querySelectorAll('[data-testid=stAlert], [data-testid=stException], [data-testid=stToast]')]
                    .map(e => e.innerText)].join('\\n')"""
        )
    except Exception as e:  # noqa: BLE001 - a page that cannot be read says so, it must not hide the failure
        return f"page unreadable: {e}"


# Each page notes when the person last pressed (a pointer or a key) and when a script run last
# began, so wait_for_app can tell a click whose run has not begun yet from an idle app.
_RUNS_AND_INPUTS = """
window.__seep = {input: -1, run: -1};
for (const type of ["pointerdown", "keydown"]) addEventListener(type, () => (window.__seep.input = performance.now()), true);
new MutationObserver((records) => {
  if (records.some((r) => r.oldValue === "notRunning")) window.__seep.run = performance.now();
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ["data-test-script-state"]});
"""
RUN_GRACE_MS = 750  # a press that starts no run (an expander, typing) is waited on this long


def new_context(browser, width: int = 1500, height: int = 1100):
    """A browser context whose pages wait_for_app can follow (every test's page comes from one)."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.add_init_script(_RUNS_AND_INPUTS)
    return ctx


def wait_for_app(page) -> None:
    """Streamlit is done when the app says its script is not running, its status widget is gone
    and nothing on the page is stale (what a run did not draw again stays on the page, marked
    stale, until the run ends and removes it), once the page shows something: a server's first
    page is empty, with no status widget yet, until its first run starts (about 6 s on a 2-core
    machine, past an assertion's 5 s). The status widget alone is not enough: it shows only
    after a run has gone on a while, and 26 of 135 waits in the browser tests returned mid-run
    on it alone."""
    page.wait_for_selector("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']")
    # A click's run begins once its message reaches the server: checked before then, the app
    # looks idle and the test goes on against the page as it was (seen on a loaded machine).
    page.wait_for_function(
        "grace => !window.__seep || window.__seep.run >= window.__seep.input || performance.now() - window.__seep.input > grace",
        arg=RUN_GRACE_MS,
    )
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
            && !document.querySelector('[data-testid="stStatusWidget"]') && !document.querySelector('[data-stale="true"]')""",
        timeout=30_000,
    )


def open_expander(page, heading: str) -> None:
    """Opens the expander headed `heading` and waits out its half-second opening animation: a
    click inside it meanwhile can press on a button and release beside it as the layout settles
    (seen on a loaded 2-core machine), and a click whose press and release miss each other is
    no click at all."""
    page.get_by_text(heading).click()
    page.wait_for_function(
        """heading => {
            const box = [...document.querySelectorAll('details')].find(d => d.querySelector('summary')?.textContent.includes(heading));
            return box?.open && !box.getAnimations({subtree: true}).some(a => a.playState === 'running');
        }""",
        arg=heading,
    )


def drawn(page) -> None:
    """The whole page drawn, where no one element says so: `wait_for_app` can return on a
    fresh page half-drawn (Streamlit shows its running widget only after a moment); done is
    when the count of elements stops changing."""
    count = -1
    for _ in range(20):
        wait_for_app(page)
        now = page.locator("[data-testid='stElementContainer']").count()
        if now == count:
            return
        count = now
        page.wait_for_timeout(1500)
    raise AssertionError(f"{page.url} still changing after 30 s")


# A select box shows its pick as its text; a multiselect as a tag beside it.
PICKED = """([el, v]) => el.value === v || [...(el.closest('[data-testid="stMultiSelect"]')
    ?.querySelectorAll('[data-tag]') ?? [])].some(t => t.getAttribute('aria-label') === v)"""


def choose(page, box, option: str) -> None:
    """Pick `option` in a Streamlit select box, and see it picked. A rerun that redraws the box
    can close its list at any moment: before it opens (the click opens nothing), or between the
    option showing and the click on it (the option is detached; both seen on a loaded CI
    machine). Either way the pick starts again, and it is done only when the box shows it and
    the run it started has ended (a button clicked during that run did nothing, seen in CI)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    opt = page.get_by_role("option", name=option)
    for _ in range(5):
        wait_for_app(page)
        # A rerun redrawing the page shows the box twice for a moment (its old and new element):
        # the one left is the one to pick in (strict mode refused the pair, seen in CI).
        expect(box).to_have_count(1)
        try:
            if page.evaluate(PICKED, [box.element_handle(timeout=6_000), option]):  # a lost check, not a lost pick
                return
            box.click(timeout=6_000)
            opt.first.click(timeout=6_000)
            page.wait_for_function(PICKED, arg=[box.element_handle(timeout=6_000), option], timeout=6_000)
            wait_for_app(page)  # the run the pick started: a click during it can be dropped
            return
        except PlaywrightError as e:
            # The list closed under the click, the pick was lost, or a run began after the count
            # and showed the box twice again (seen on a float32 CPU): again. Anything else fails.
            if not isinstance(e, PlaywrightTimeout) and "strict mode violation" not in e.message:
                raise
            page.keyboard.press("Escape")
    raise AssertionError(f"could not pick {option!r} in five tries")


def editor_ready(page, mask_id_part: str):
    page.wait_for_function(
        """part => {
            for (const host of document.querySelectorAll('*')) {
                const root = host.shadowRoot;
                const ed = root && root.querySelector('.seep-editor');
                if (ed && (ed.dataset.maskId || '').includes(part)) return true;
            }
            return false;
        }""",
        arg=mask_id_part,
    )
    return page.get_by_test_id("seep-canvas")


def open_review(page, url: str, image_id: str, mask: str = ""):
    """Review opened by its link on one tile, its editor holding a mask whose id starts with
    the tile's and contains `mask`, the app settled: the canvas."""
    page.goto(f"{url}/review?image={image_id}")
    canvas = editor_ready(page, f"{image_id}:{mask}")
    wait_for_app(page)
    return canvas


def open_mask_id(page) -> str:
    """The mask id of the editor on the page (image id first): which tile and mask it holds."""
    return page.evaluate(
        "() => [...document.querySelectorAll('*')].map(h => h.shadowRoot && h.shadowRoot.querySelector('.seep-editor'))"
        ".find(Boolean).dataset.maskId"
    )


def eventually(check, timeout: float = 20.0):
    """A click's effect lands after Streamlit's rerun: poll the workspace for it."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def demo_server(tmp_path_factory, name: str, *demo_args: str, prepare=None, flags=None):
    """`streamlit run app.py` on a fresh demo workspace (`seep demo` with `demo_args`), as a
    new user starts it; `prepare(workspace)` runs before the server starts; `flags(port)`: more
    of Streamlit's options for a server on that port. Yields (url, path)."""
    ws = tmp_path_factory.mktemp(name) / "workspace"
    argv = [sys.executable, "-m", "seep", "demo", "--workspace", str(ws), *demo_args]
    subprocess.run(argv, cwd=REPO, check=True, capture_output=True)
    if prepare:
        prepare(Workspace(ws, create=False))
    port = free_port()
    log_path = ws.parent / "streamlit.log"
    with open(log_path, "wb") as log:
        try:
            proc = start_app(ws, port, log=log, flags=tuple(flags(port)) if flags else ())
        except RuntimeError as e:
            pytest.fail(f"{e}: {log_path.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}", ws
        proc.terminate()
        proc.wait(10)
