"""What every command shares: the workspace it opens, a progress line, the exit code
for "finished, but look"."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from seep.errors import BadInputError
from seep.workspace import Workspace
from seep.workspace.workspace import is_workspace

NEEDS_ATTENTION = 3  # finished, but something needs a look: files import skipped, damage check found


def progress(label: str) -> Callable[[int, int], None]:
    """A tqdm-like line on stderr, redrawn at most 10 times a second; only the last line
    when stderr is not a terminal (logs, CI)."""
    last = [0.0]
    tty = sys.stderr.isatty()
    start = time.monotonic()

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and (not tty or now - last[0] < 0.1):
            return
        last[0] = now
        rate = done / max(now - start, 1e-9)
        end = "\n" if done >= total else ""
        print(f"{chr(13) if tty else ''}{label}: {done}/{total} ({rate:.0f}/s)", end=end, file=sys.stderr, flush=True)

    return update


def open_workspace(args, *, create: bool = False, config=None) -> Workspace:
    """The --workspace folder; `config` (a DatasetConfig) is what a workspace created here gets."""
    return Workspace(args.workspace, create=create, config=config)


def stamp(iso: str) -> str:
    """A stored UTC timestamp as one width, to the second, whatever precision its writer kept
    (2026-11-29T03:26:27.203+00:00 and 2026-11-29T03:26:27+00:00 both 2026-11-29 03:26:27 UTC)."""
    return f"{iso[:19].replace('T', ' ')} UTC"


def check_out(out, flag: str = "--out") -> None:
    """A run's or a prediction's folder is never a workspace's own (crossval --out WORKSPACE
    wrote fold0/, fold1/ and summary.json among its records)."""
    if out is not None and is_workspace(out):
        raise BadInputError(f"{flag} {out} is a Seep workspace; give a new or empty folder for this command's files")


def model_file(args, given: Path | str | None) -> tuple[Path, str]:
    """A model given on the command line: a file, or the id `models` lists in --workspace (a
    fine-tune made in the app is used by its id, not by a path inside the workspace); with the
    id its predictions are kept under. None: the shipped model."""
    from seep.learn.shipped import SHIPPED_MODEL

    given = Path(given or SHIPPED_MODEL)
    if given.is_file():
        return given, given.stem
    if given.suffix != ".pt" and given.parent == Path(".") and (Path(args.workspace) / "dataset.json").is_file():
        from seep.workspace.registry import get_model

        ws = open_workspace(args)
        model = get_model(ws, given.name)  # "no model 'x' in this workspace (models: ...)"
        return model.path(ws), model.id
    raise BadInputError(
        f"no model at {given}; pass a model file or a model id of --workspace (`python -m seep models` lists them)"
    )
