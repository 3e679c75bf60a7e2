"""What the Streamlit server process does once, before its first page."""

from __future__ import annotations

import gc

_frozen = False


def freeze_imports() -> None:
    """Keep Streamlit's after-every-run garbage collection cheap.

    Streamlit collects all generations after each script run (runner.postScriptGC) on the
    thread that must answer the analyst's next key press. With torch, OpenCV and
    Streamlit imported that walks about 250,000 long-lived objects: 150-200 ms, measured
    as the largest share of a save or next-image round trip. Everything alive once the
    imports are done lives as long as the process, so it is moved out of the collector's
    sight (gc.freeze); the per-run collection then only walks what the runs create.
    Call it after the imports; a second call does nothing, so objects that later runs
    create and drop are still collected."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
