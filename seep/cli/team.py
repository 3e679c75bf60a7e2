"""Commands of a team server: the background worker and its jobs, accounts, the audit
trail."""

from __future__ import annotations

import io
import os
import sys

from seep.cli.common import open_workspace, stamp
from seep.data.raster import atomic_write_bytes
from seep.errors import BadInputError
from seep.workspace import default_author
from seep.workspace.records import counted


def cmd_worker(args) -> int:
    from seep.jobs.worker import run_worker

    run_worker(args.workspace, idle_exit_s=args.idle_exit)
    return 0


def cmd_jobs(args) -> int:
    from seep.jobs.queue import list_jobs, reap_dead

    ws = open_workspace(args)
    reap_dead(ws)  # a job whose worker died is listed as failed, not running
    if args.cancel is not None:
        return _cancel(ws, args.cancel)
    jobs = list_jobs(ws, limit=args.limit)
    for j in jobs:
        print(f"{j.id:>4}  {j.kind:<12} {j.status:<9} {100 * j.progress:5.1f}%  {stamp(j.created_at)}  {j.message}")
    if not jobs:
        print("no jobs yet")
    return 0


def _cancel(ws, job_id: int) -> int:
    """The Cancel button of the Train and Models pages, for a job started in someone's browser."""
    from seep.jobs.queue import get, request_cancel

    job = get(ws, job_id)  # "no job N in this workspace"
    if not job.active:
        print(f"job {job.id} ({job.kind}) has already ended ({job.status.lower()}); nothing to cancel")
        return 0
    job = request_cancel(ws, job.id, actor=default_author())
    if job.active:
        print(f"job {job.id} ({job.kind}): cancel requested; its worker stops it at its next step")
    else:
        print(f"job {job.id} ({job.kind}) stopped before it started")
    return 0


def cmd_user(args) -> int:
    """Accounts. Whoever can run this can already write the workspace's files: an admin by nature."""
    from seep.workspace import accounts as acc

    # Never creates one: accounts for a workspace that is not there come from a mistyped folder (or
    # the default ./workspace where none was meant), and the app would never ask for them.
    ws = open_workspace(args)
    if args.action == "list":
        users = acc.list_users(ws)
        for u in users:
            print(
                f"{u['name']:<24} {u['role']:<9} {'active' if u['active'] else 'disabled':<9} since {stamp(u['created_at'])}  "
                f"last sign-in {stamp(u['last_sign_in']) if u['last_sign_in'] else 'never':<23}  {u['email']}"
            )
        if not users:
            print("no accounts: the app is single-user; `user add NAME --role admin` turns sign-in on")
        return 0
    if not args.name:
        raise BadInputError(f"`user {args.action}` needs the account's NAME")
    if args.action == "add":
        # With --email the account signs in through the deployment's identity provider: no password.
        password = None if args.email and not args.password_stdin else _new_password(args)
        role = args.role or "analyst"
        acc.add_user(ws, args.name, role, password, actor=default_author(), email=args.email)
        print(
            f"account {args.name} ({role}) created" + ("; sign-in is now on in the app" if len(acc.list_users(ws)) == 1 else "")
        )
    elif args.action == "role":
        if not args.role:  # it made anyone an analyst, an admin included
            raise BadInputError("`user role NAME` needs --role analyst, reviewer or admin; nothing was changed")
        acc.set_role(ws, args.name, args.role, actor=default_author())
        print(f"{args.name} is now {args.role}")
    elif args.action == "email":
        if not args.email:
            raise BadInputError("`user email NAME` needs --email ADDRESS")
        acc.set_email(ws, args.name, args.email, actor=default_author())
        print(f"{args.name} signs in through the identity provider as {args.email.strip().casefold()}")
    elif args.action == "password":
        acc.set_password(ws, args.name, _new_password(args), actor=default_author())
        print(f"password of {args.name} changed; their sessions signed in with the old one end at their next click")
    elif args.action == "sign-out":
        acc.end_sessions(ws, args.name, actor=default_author())
        print(f"every session of {args.name} ends at its next click; their password is unchanged")
    elif args.action == "enable":
        acc.reactivate(ws, args.name, actor=default_author())
        print(f"{args.name} can sign in again")
    else:
        acc.deactivate(ws, args.name, actor=default_author())
        print(f"{args.name} can no longer sign in")
    return 0


def _new_password(args) -> str:
    """Typed twice without echo, or one line on stdin (--password-stdin, for scripts): never an argument, which `ps` shows."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        first = getpass.getpass("password: ")
        again = getpass.getpass("again: ")
    except EOFError:  # no terminal, and stdin ended: getpass's own EOFError was a traceback
        raise BadInputError(
            "no password was typed (no terminal?); pass one line on stdin with --password-stdin; nothing was changed"
        ) from None
    if again != first:
        raise BadInputError("the two passwords differ; nothing was changed")
    return first


def cmd_audit(args) -> int:
    from seep.workspace.accounts import audit_actors, audit_rows, write_audit_csv
    from seep.workspace.importer import printable

    ws = open_workspace(args)
    if args.actor and args.actor not in (actors := audit_actors(ws)):  # a mistyped name printed nothing, as if idle
        shown = ", ".join(printable(a) for a in actors) or "nobody yet"
        raise BadInputError(f"--actor {printable(args.actor)}: the audit trail has no entry of theirs; those who acted: {shown}")
    if args.csv:
        # Written whole, then renamed into place as the export's manifest is: a folder given, or one
        # that cannot be written, is said in one line, and a failed write leaves no part file behind.
        buf = io.StringIO(newline="")
        n = write_audit_csv(ws, buf, args.actor)
        atomic_write_bytes(args.csv, buf.getvalue().encode())
        print(f"wrote {counted(n, 'audit entry', 'audit entries')} to {args.csv}")
        return 0
    rows = audit_rows(ws, limit=args.limit, actor=args.actor)
    for r in reversed(rows):
        actor, target, detail = (printable(str(r[k] or "")) for k in ("actor", "tile", "detail"))  # one entry, one line
        target = target or printable(r["target"] or "")
        print(f"{stamp(r['at'])}  {actor:<20} {r['action']:<14} {target:<20} {detail}")
    if not rows and args.limit:
        print("no audit entries yet")
    return 0


def cmd_activity(args) -> int:
    from seep.workspace.activity import team_activity
    from seep.workspace.importer import printable

    rows = team_activity(open_workspace(args), args.days)
    if not rows:
        print(f"nobody labelled or reviewed a tile in the last {'day' if args.days == 1 else f'{args.days:g} days'}")
        return 0
    print(f"{'person':<20} {'corrected':>9} {'took predictions':>16} {'accepted':>8} {'returned':>8}  last active")
    for a in rows:
        print(
            f"{printable(a.person):<20} {a.corrected:>9} {a.took_predictions:>16} {a.accepted:>8} {a.returned:>8}  {stamp(a.last)}"
        )
    return 0


def cmd_assign(args) -> int:
    from seep.workspace.assignments import assign, assignments
    from seep.workspace.importer import printable

    ws = open_workspace(args)
    if args.scenes:
        if args.to is None and not args.nobody:
            raise BadInputError("say whom to hand them to (--to NAME), or --nobody to take them back")
        changed = assign(ws, args.scenes, None if args.nobody else args.to, args.author)
        same = [s for s in dict.fromkeys(args.scenes) if s not in changed]
        if same:
            print(f"already so: {', '.join(same)}")
    held = assignments(ws)
    if not held:
        print("no scene is handed out")
    for a in held.values():
        print(f"{printable(a.scene):<40} {printable(a.person):<20} by {printable(a.by)}, {stamp(a.at)}")
    return 0


def cmd_copy_to_postgres(args) -> int:
    from seep.workspace.postgres import redacted
    from seep.workspace.to_postgres import copy_to_postgres

    url = args.url or os.environ.get("SEEP_DATABASE_URL", "")  # main() put --database-url there
    if not url:
        raise BadInputError("copy-to-postgres needs the database: postgresql://USER@HOST/DB, or SEEP_DATABASE_URL set")
    counts = copy_to_postgres(args.workspace, url)
    for table, n in sorted(counts.items()):
        print(f"{table:<20} {n:>8}")
    print(
        f"copied {counted(sum(counts.values()), 'record')} of {args.workspace} to {redacted(url)}; from now on start the app, "
        "its workers and every command with SEEP_DATABASE_URL set to it (the rasters stay in this folder)"
    )
    return 0
