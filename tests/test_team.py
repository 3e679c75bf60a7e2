"""A team's server: the PostgreSQL store itself, many processes saving at once, and workers
on several machines (processes naming different hosts) serving one queue."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from savers import lost_versions, make_tiles, run_savers

from seep.data.synthetic import DemoSpec
from seep.errors import WorkspaceError
from seep.jobs import queue
from seep.workspace import Workspace
from seep.workspace import registry as reg
from seep.workspace.demo import build_demo

pytestmark = pytest.mark.usefixtures("store")

REPO = Path(__file__).parents[1]


def test_eight_processes_saving_to_five_tiles_lose_nothing(ws, store):
    """Every save that was acknowledged is in the history as acknowledged; every other one
    was refused as a conflict (bench_load.py runs this for 30 s)."""
    make_tiles(ws, 5)
    reports = run_savers(ws.root, processes=8, seconds=4)
    saved, refused = sum(len(r["acks"]) for r in reports), sum(r["conflicts"] for r in reports)
    assert saved > 8 and refused > 0, reports  # they did collide
    assert lost_versions(ws, reports) == []
    assert sum(len(ws.history(i)) for i in ws.image_ids()) == 5 + saved
    assert ws.head_versions(ws.image_ids()) == {i: ws.version(i) for i in ws.image_ids()}  # Browse's table, one query


def test_postgres_keeps_every_record_and_writes_no_sqlite_file(ws, store):
    if store == "sqlite":
        assert (ws.root / "seep.db").exists()
        return
    make_tiles(ws, 1)
    image_id = ws.image("t0").id
    assert not (ws.root / "seep.db").exists()
    code = "import sys; from seep.workspace import Workspace; print(Workspace(sys.argv[1], create=False).image(sys.argv[2]).head_version)"
    out = subprocess.run([sys.executable, "-c", code, str(ws.root), image_id], cwd=REPO, capture_output=True, text=True)
    assert out.stdout.strip() == "1", out.stderr  # another process, the same database


def test_an_unreachable_server_is_a_clear_error_without_the_password(tmp_path, monkeypatch, store):
    if store == "sqlite":
        pytest.skip("about the PostgreSQL store's server")
    monkeypatch.setenv("SEEP_DATABASE_URL", "postgresql://seep:hunter2@127.0.0.1:1/seepdb")
    t = time.monotonic()
    with pytest.raises(WorkspaceError, match=r"cannot reach the workspace database postgresql://seep@127.0.0.1:1/seepdb") as e:
        Workspace(tmp_path / "w")
    assert "hunter2" not in str(e.value) and time.monotonic() - t < 10
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "seep",
            "list",
            "--workspace",
            str(tmp_path / "w"),
            "--database-url",
            "postgresql://a:pw@127.0.0.1:1/x",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "cannot reach the workspace database" in out.stderr and "pw@" not in out.stderr


def test_a_newer_schema_on_the_server_is_refused(ws, store):
    if store == "sqlite":
        pytest.skip("test_workspace.py covers SQLite's user_version")
    from seep.workspace import postgres

    with ws.connect(write=True) as con:
        con.execute("UPDATE seep_schema SET version = 99")
    postgres._CURRENT.clear()  # as a new process would open it
    with pytest.raises(WorkspaceError, match="schema 99, newer than this Seep knows"):
        Workspace(ws.root)


def test_saves_go_on_after_the_database_server_restarts(ws, store, request, monkeypatch):
    """A restart closes every pooled connection; the pool checks one idle for a while before
    handing it out, so the analyst's next save after a restart works instead of failing."""
    if store == "sqlite":
        pytest.skip("about the PostgreSQL server")
    from seep.workspace import postgres

    make_tiles(ws, 1)
    image_id = ws.image_ids()[0]
    head = ws.image(image_id).head_version
    request.getfixturevalue("postgres_server").restart()
    monkeypatch.setattr(postgres, "CHECK_IDLE_S", 0.0)  # as after a few idle seconds
    mask = ws.label(image_id, head)[1].copy()
    mask[0, 0] = 1 - mask[0, 0]
    assert ws.save_label(image_id, mask, parent=head, author="a").version == head + 1


CLAIMER = """
import json, os, sys, time
from seep.jobs import queue
from seep.workspace import Workspace
ws = Workspace(sys.argv[1], create=False)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
got = []
while (job := queue.claim_next(ws, os.getpid())) is not None:
    got.append(job.id)
    queue.finish(ws, job.id, job.lease, "DONE")
print(json.dumps(got))
"""


def test_workers_racing_for_jobs_never_take_one_twice(ws, tmp_path):
    jobs = {queue.submit(ws, "evaluate", {"model": "x"}).id for _ in range(40)}
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", CLAIMER, str(ws.root), str(go)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    time.sleep(2.0)  # all have imported Seep and opened the workspace
    go.touch()
    taken = [job for p in procs for job in json.loads(p.communicate(timeout=120)[0])]
    assert sorted(taken) == sorted(jobs)  # each job once, none left
    assert {j.status for j in queue.list_jobs(ws, limit=100)} == {"DONE"}


WORKER = (
    "import sys; import seep.jobs.queue as q; q.HOST = sys.argv[2]; "  # another machine, as far as the queue can tell
    "from seep.jobs.worker import run_worker; run_worker(sys.argv[1], None)"
)


def _worker(root: Path, host: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(root), host], cwd=REPO, stderr=subprocess.DEVNULL)


def _until(what, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := what():
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s")


def test_a_killed_workers_job_is_failed_by_another_machine_which_serves_the_queue(tmp_path, tiny_model, monkeypatch):
    import seep.jobs.finetune

    monkeypatch.setattr(seep.jobs.finetune, "SHIPPED_MODEL", tmp_path / "no-shipped-model.pt")
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=3, tiles_per_scene=3, geo_scene=False), labelled_per_scene=3)
    reg.promote(ws, reg.register_model(ws, tiny_model, model_id="tiny").id)
    long = queue.submit(ws, "finetune", {"epochs": 200, "batch_size": 2})
    a = _worker(ws.root, "machine-a")
    b = None
    try:
        _until(lambda: queue.get(ws, long.id).log, 90)  # machine-a is into the job's own work
        assert queue.get(ws, long.id).where.startswith("machine-a (cpu), pid")
        b = _worker(ws.root, "machine-b")
        _until(lambda: {w["host"] for w in queue.live_workers(ws)} == {"machine-a", "machine-b"}, 60)
        a.send_signal(signal.SIGKILL)
        a.wait()
        killed = time.monotonic()
        after = queue.submit(ws, "predict_all", {"model": "tiny"})
        dead = _until(lambda: (j := queue.get(ws, long.id)).status == "ERROR" and j, 40)
        assert time.monotonic() - killed <= 30, "the dead machine's job was failed within 30 s"
        assert "machine-a" in dead.message and "no sign of life" in dead.message
        served = _until(lambda: (j := queue.get(ws, after.id)).status in ("DONE", "ERROR") and j, 120)
        assert served.host == "machine-b" and served.status == "DONE", served.message
        assert [w["host"] for w in queue.live_workers(ws)] == ["machine-b"]
    finally:
        for p in (a, b):
            if p and p.poll() is None:
                p.terminate()
                p.wait(timeout=30)
    assert queue.live_workers(ws) == []  # a stopped worker leaves the table


def test_server_errors_say_what_happened(store):
    if store == "sqlite":
        pytest.skip("test_workspace.py covers SQLite's disk and lock errors")
    from psycopg import errors

    from seep.workspace.postgres import PostgresStore

    pg = PostgresStore("postgresql://seep:secret@db.example.org/seep")
    assert "disk of the database server postgresql://seep@db.example.org:5432/seep is full" in str(
        pg._error(errors.DiskFull("could not extend file"))
    )
    assert "held the write lock for over 120 s" in str(pg._error(errors.LockNotAvailable("lock timeout")))
    refused = str(pg._error(errors.OperationalError("connection refused")))
    assert refused.startswith("cannot reach the workspace database") and "secret" not in refused


def test_a_database_without_its_folder_is_a_clear_error(ws, tmp_path):
    """A worker on a machine where the shared folder is not mounted (or a wrong --workspace)
    is told so, instead of starting a second workspace on the same records."""
    (ws.root / "dataset.json").rename(tmp_path / "aside.json")
    with pytest.raises(WorkspaceError, match=r"holds a workspace, but the folder .* has no dataset.json"):
        Workspace(ws.root)
