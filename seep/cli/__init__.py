"""`python -m seep`: the same library calls the app makes, from a terminal.

An expected error (SeepError) prints one line and exits 1; anything else is a bug and
keeps its traceback. An import that skipped files (each printed with its reason) exits 3,
so scripts notice.

The commands sit beside this file by what they act on: `workspace.py` (images and labels),
`training.py` (train, crossval), `models.py` (evaluate, predict, the registry), `team.py`
(worker, jobs, accounts, audit); `parser.py` holds every flag.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from seep.cli.parser import build_parser
from seep.errors import SeepError


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.database_url:  # the environment carries it to the workers this command starts
        os.environ["SEEP_DATABASE_URL"] = args.database_url
    try:
        return args.func(args)
    except SeepError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m seep list | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is left behind", file=sys.stderr)
        return 130
