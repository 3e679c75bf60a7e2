"""Helpers for the browser tests: screenshots and waiting for Streamlit."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_app(page) -> None:
    """Streamlit is done when its status widget stops saying it is running."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


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


def eventually(check, timeout: float = 20.0):
    """A click's effect lands after Streamlit's rerun: poll the workspace for it."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)
