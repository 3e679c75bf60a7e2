"""Background jobs as rows in the workspace database.

A job is SUBMITTED, then a worker process claims it (RUNNING) with a lease (a random
token), beats a heartbeat every couple of seconds while it works, and ends it DONE, ERROR
or STOPPED. Cancel is a flag the job reads between steps. A RUNNING job whose worker is
gone is marked ERROR by whoever looks next, with its log kept, so nothing stays "running"
forever: on the worker's own machine when its process no longer exists, anywhere when it
has not beaten for LEASE_S. Reaping revokes the lease: every later write by that worker
(progress, finish, a model's registration) is refused with LeaseLost, so a worker that was
only paused cannot finish a job that was already declared dead. A worker runs one job at a
time; several workers (a GPU node beside the app's server) take the waiting jobs in order,
each claim taking a job no other worker holds.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from seep.errors import BadInputError, NotFoundError, SeepError
from seep.workspace import Workspace

KINDS = ("finetune", "predict_all", "evaluate", "import_scene")
HEARTBEAT_S = 2.0
# A job whose worker has not beaten for this long loses its lease even if its process is
# alive (stopped, swapped out, on a machine that vanished): ten missed beats, so a busy
# machine's slow beat is not mistaken for death, and a dead GPU node's job is failed
# within half a minute by whoever looks next.
LEASE_S = 20.0
HOST = socket.gethostname()


class LeaseLost(SeepError):
    """This worker no longer holds the job: it was declared dead and its results are discarded."""


LOG_LINES = 200


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    params: dict
    created_at: str
    started_at: str | None
    finished_at: str | None
    pid: int | None
    heartbeat: float | None
    progress: float
    message: str
    history: list
    log: str
    cancel: bool
    result: dict
    lease: str | None = None
    host: str | None = None
    device: str | None = None

    @property
    def where(self) -> str:
        """Which worker runs it, as the Train page says: 'gpu-node (cuda: NVIDIA H100), pid 812'."""
        if not self.host:
            return ""
        return f"{self.host} ({self.device or 'cpu'}), pid {self.pid}"

    @property
    def active(self) -> bool:
        return self.status in ("SUBMITTED", "RUNNING")

    def timing(self, now: datetime | None = None) -> str:
        """'1 min 20 s elapsed, about 3 min left' while running (the time left from the
        progress so far, once there is enough of it to say); the duration once finished."""
        if self.started_at is None:
            return ""
        end = datetime.fromisoformat(self.finished_at) if self.finished_at else now or datetime.now(UTC)
        elapsed = max(0.0, (end - datetime.fromisoformat(self.started_at)).total_seconds())
        if not self.active:
            return f"took {_duration(elapsed)}"
        text = f"{_duration(elapsed)} elapsed"
        if 0.02 <= self.progress < 1 and elapsed >= 5:
            text += f", about {_duration(elapsed * (1 - self.progress) / self.progress)} left"
        return text


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _job(row) -> Job:
    d = dict(row)
    for k in ("params", "history", "result"):
        d[k] = json.loads(d[k])
    d["cancel"] = bool(d["cancel"])
    return Job(**d)


def process_alive(pid: int | None) -> bool:
    """True for a live process; a zombie (killed, not yet reaped by its parent) is dead."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True  # no /proc (macOS): trust kill(0)


def submit(ws: Workspace, kind: str, params: dict) -> Job:
    if kind not in KINDS:
        raise BadInputError(f"unknown job kind {kind!r}; use one of {', '.join(KINDS)}")
    with ws.connect(write=True) as con:
        job_id = con.execute(
            "INSERT INTO jobs (kind, status, params, created_at) VALUES (?, 'SUBMITTED', ?, ?) RETURNING id",
            (kind, json.dumps(params), _now()),
        ).fetchone()[0]
    return get(ws, job_id)


def get(ws: Workspace, job_id: int) -> Job:
    with ws.connect() as con:
        row = con.execute("SELECT * FROM jobs WHERE id = ?", (int(job_id),)).fetchone()
    if row is None:
        raise NotFoundError(f"no job {job_id} in this workspace; `python -m seep jobs` lists them")
    return _job(row)


def list_jobs(ws: Workspace, limit: int = 50) -> list[Job]:
    """The newest jobs, read only: a page polling this every 2 s takes no write lock. Call
    `reap_dead` where a RUNNING job may have lost its worker (see `looks_stale`)."""
    with ws.connect() as con:
        rows = con.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [_job(r) for r in rows]


def looks_stale(jobs: list[Job]) -> bool:
    """A RUNNING job whose worker process on this machine is gone (the page says so at its
    next poll), or which has missed several heartbeats: worth a `reap_dead` (which may still
    find its worker alive and busy)."""
    return any(
        j.status == "RUNNING" and (time.time() - (j.heartbeat or 0) > 5 * HEARTBEAT_S or _gone_here(j.host, j.pid)) for j in jobs
    )


def _gone_here(host: str | None, pid: int | None) -> bool:
    """A worker on this machine whose process has ended (elsewhere its pid means nothing here)."""
    return host == HOST and not process_alive(pid)


def reap_dead(ws: Workspace, lease_s: float = LEASE_S) -> list[int]:
    """Mark RUNNING jobs whose worker is gone as ERROR and revoke their lease; returns their ids."""
    with ws.connect() as con:  # read first: every idle worker asks twice a second
        running = con.execute("SELECT id, pid, host, heartbeat, lease FROM jobs WHERE status = 'RUNNING'").fetchall()
    dead = [(row, why) for row in running if (why := _why_dead(row, lease_s))]
    if not dead:
        return []
    with ws.connect(write=True) as con:
        for row, why in dead:
            con.execute(  # unless it beat or finished since it was read
                "UPDATE jobs SET status = 'ERROR', finished_at = ?, message = ?, lease = NULL "
                "WHERE id = ? AND status = 'RUNNING' AND lease = ? AND heartbeat = ?",
                (_now(), why, row["id"], row["lease"], row["heartbeat"]),
            )
    return [row["id"] for row, _ in dead if get(ws, row["id"]).status == "ERROR"]


def _why_dead(row, lease_s: float) -> str:
    silent = time.time() - (row["heartbeat"] or 0)
    if _gone_here(row["host"], row["pid"]):
        return f"the worker process (pid {row['pid']}) died; see the log below"
    if silent > lease_s:
        return f"the worker (pid {row['pid']} on {row['host']}) gave no sign of life for {silent:.0f} s; its lease was revoked"
    return ""


def hold(con, job_id: int, lease: str):
    """Inside a write transaction: the job's row, if `lease` still holds it; else LeaseLost."""
    row = con.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None or row["status"] != "RUNNING" or row["lease"] != lease:
        status = row["status"] if row else "deleted"
        raise LeaseLost(f"job {job_id} is no longer this worker's (it is {status}); its results are discarded")
    return row


# The role a person needs to stop a job: the one that starts it (an analyst's Cancel on an
# admin's fine-tune would undo work they may not do).
STARTED_BY = {"finetune": "train", "predict_all": "predict", "evaluate": "train", "import_scene": "import"}


def request_cancel(ws: Workspace, job_id: int, *, actor: str = "system") -> Job:
    from seep.workspace.accounts import record_in

    job = get(ws, job_id)
    with ws.connect(write=True) as con:
        if job.status == "SUBMITTED":  # never started: stopped at once
            con.execute(
                "UPDATE jobs SET status = 'STOPPED', finished_at = ?, message = 'cancelled before it started' "
                "WHERE id = ? AND status = 'SUBMITTED'",
                (_now(), job.id),
            )
        elif job.status == "RUNNING":
            con.execute("UPDATE jobs SET cancel = 1 WHERE id = ?", (job.id,))
        if job.active:
            record_in(con, actor, "cancel", str(job.id), job.kind)
    return get(ws, job_id)


def claim_next(ws: Workspace, pid: int, device: str = "cpu") -> Job | None:
    """The oldest waiting job, now RUNNING under this worker (`pid` on this host); None
    while this worker already runs one. Atomic on both stores: SQLite's claim holds the
    write lock; PostgreSQL's locks the job row and skips rows other workers are claiming,
    so two workers never take one job and neither waits for the other."""
    reap_dead(ws)
    postgres = ws.store.dialect == "postgres"  # one statement: atomic on its own there
    with ws.connect(write=not postgres) as con:
        if con.execute("SELECT 1 FROM jobs WHERE status = 'RUNNING' AND host = ? AND pid = ?", (HOST, pid)).fetchone():
            return None
        row = con.execute(
            "UPDATE jobs SET status = 'RUNNING', pid = ?, host = ?, device = ?, lease = ?, started_at = ?, heartbeat = ? "
            "WHERE status = 'SUBMITTED' AND id = (SELECT id FROM jobs WHERE status = 'SUBMITTED' ORDER BY id LIMIT 1"
            + (" FOR UPDATE SKIP LOCKED)" if postgres else ")")
            + " RETURNING id",
            (pid, HOST, device, secrets.token_hex(16), _now(), time.time()),
        ).fetchone()
    return get(ws, row["id"]) if row else None


def beat(
    ws: Workspace,
    job_id: int,
    lease: str,
    *,
    progress: float | None = None,
    message: str | None = None,
    epoch: dict | None = None,
    log: str | None = None,
) -> bool:
    """Record a sign of life (and progress); returns True when a cancel was requested.
    LeaseLost when the job is no longer this worker's."""
    with ws.connect(write=True) as con:
        row = hold(con, job_id, lease)
        history = json.loads(row["history"])
        if epoch is not None:
            history.append(epoch)
        lines = row["log"].splitlines()
        if log:
            lines = (lines + [f"{datetime.now(UTC).strftime('%H:%M:%S')} {log}"])[-LOG_LINES:]
        con.execute(
            "UPDATE jobs SET heartbeat = ?, progress = COALESCE(?, progress), message = COALESCE(?, message), "
            "history = ?, log = ? WHERE id = ?",
            (time.time(), progress, message, json.dumps(history), "\n".join(lines), job_id),
        )
        return bool(row["cancel"])


def finish(ws: Workspace, job_id: int, lease: str, status: str, *, message: str = "", result: dict | None = None) -> None:
    with ws.connect(write=True) as con:
        hold(con, job_id, lease)
        con.execute(
            "UPDATE jobs SET status = ?, finished_at = ?, message = ?, result = ?, lease = NULL, progress = "
            "CASE WHEN ? = 'DONE' THEN 1 ELSE progress END WHERE id = ?",
            (status, _now(), message, json.dumps(result or {}), status, job_id),
        )


# ---- the workers serving this queue ------------------------------------------------------

WORKER_SILENT_S = 10.0  # a worker beats every HEARTBEAT_S; this long without a beat: gone


def announce(ws: Workspace, pid: int, device: str) -> None:
    """This worker (`pid` on this host) is alive and serves the queue; called on every beat."""
    with ws.connect(write=True) as con:
        con.execute(
            "INSERT INTO workers VALUES (?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET device = excluded.device, beat = excluded.beat",
            (f"{HOST}:{pid}", HOST, pid, device, _now(), time.time()),
        )


def depart(ws: Workspace, pid: int) -> None:
    with ws.connect(write=True) as con:
        con.execute("DELETE FROM workers WHERE id = ?", (f"{HOST}:{pid}",))


def live_workers(ws: Workspace) -> list[dict]:
    """Workers that beat lately, wherever they run (a process on this host must also exist)."""
    with ws.connect() as con:
        rows = con.execute("SELECT * FROM workers WHERE beat > ? ORDER BY started_at", (time.time() - WORKER_SILENT_S,))
        found = [dict(r) for r in rows]
    return [w for w in found if w["host"] != HOST or process_alive(w["pid"])]
