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
