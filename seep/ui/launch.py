"""Start the app headless on a local port, and the flags to drive it in headless Chromium:
one place for the browser tests, the benchmarks and scripted demos."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser
# Without the networking flags Chromium keeps trying hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    workspace: Path,
    port: int,
    *,
    log=subprocess.DEVNULL,
    timeout: float = 60.0,
    script: Path = REPO / "app.py",
    flags: tuple[str, ...] = (),
) -> subprocess.Popen:
    """`streamlit run app.py` on port over `workspace`, as a user starts it: the address
    (127.0.0.1) and the rest come from the project's .streamlit/config.toml. Returns once it answers.
    `log` must be a file (or DEVNULL): an unread pipe fills up and blocks the server.
    `script`: another app (the benchmarks' bare Streamlit page, Streamlit's own floor);
    `flags`: more of Streamlit's options (`--secrets.files PATH`)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            *flags,
        ],
        cwd=REPO,
        env={**os.environ, "SEEP_WORKSPACE": str(workspace)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the app did not answer on port {port} within {timeout:.0f} s")
