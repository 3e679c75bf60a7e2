"""`seep backup`: a copy that opens as a workspace, taken while other processes save; refused
where it would overwrite, recurse or miss something; nothing half-made left behind."""

from __future__ import annotations

import errno
import sqlite3
import threading
import time

import numpy as np
import pytest
from savers import make_tiles, run_savers

import seep.workspace.backup as bk
from seep.cli import main
from seep.errors import BadInputError, WorkspaceError
from seep.workspace import Workspace
from seep.workspace.doctor import check

pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws")
    make_tiles(ws, 5)
    return ws


def test_backups_taken_while_three_processes_save_open_whole(ws, tmp_path, monkeypatch):
    """Each backup holds the history as it was at one moment: every version it names is the
    source's, with its mask, and its files are exactly those its records name."""
    reports = []
    saving = threading.Thread(target=lambda: reports.extend(run_savers(ws.root, processes=3, seconds=4)))
    saving.start()
    copies = []
    while saving.is_alive():
        copies.append(bk.backup(ws, tmp_path / f"copy{len(copies)}").dest)
        time.sleep(0.3)
    saving.join()
    assert len(copies) >= 3 and sum(len(r["acks"]) for r in reports) > 10
    sizes = []
    monkeypatch.delenv("SEEP_DATABASE_URL", raising=False)  # each copy opens on its own
    for dest in copies:
        copy = Workspace(dest, create=False)
        assert check(copy, grace_s=0).clean, dest
        assert not (dest / "seep.db-wal").exists()  # one file: a -wal beside it could be left behind
        versions = 0
        for image_id in copy.image_ids():
            for v in copy.history(image_id):
                mine = ws.version(image_id, v.version)
                assert (mine.author, mine.checksum) == (v.author, v.checksum)
                assert np.array_equal(copy.label(image_id, v.version)[1], ws.label(image_id, v.version)[1])
                versions += 1
        sizes.append(versions)
    assert sizes == sorted(sizes) and sizes[0] >= 5  # later backups hold more
    assert not list(tmp_path.glob(".*.partial"))


def test_a_backup_is_refused_where_it_would_overwrite_recurse_or_miss_a_file(ws, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("someone's")
    with pytest.raises(BadInputError, match="already exists: a backup goes into a new folder; nothing was copied"):
        bk.backup(ws, tmp_path / "taken")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["mine.txt"]
    with pytest.raises(BadInputError, match="inside the workspace it would back up"):
        bk.backup(ws, ws.root / "backups" / "today")
    assert not (ws.root / "backups").exists()

    lost = ws.root / ws.version(ws.image_ids()[0]).file
    kept = lost.read_bytes()
    lost.unlink()
    with pytest.raises(WorkspaceError, match="1 files the workspace's records name are missing .*nothing was kept"):
        bk.backup(ws, tmp_path / "copy")
    lost.write_bytes(kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken", "ws"]  # no copy, no half of one


def test_the_workers_and_running_jobs_of_the_workspace_are_not_the_copys(ws, tmp_path, monkeypatch):
    """A worker's recent beat would tell an app opened on the copy that a worker serves it; a
    job running in the workspace goes on there, not in the copy."""
    from seep.jobs import queue

    with ws.connect(write=True) as con:
        con.execute("INSERT INTO workers VALUES ('gpu:7', 'gpu', 7, 'cuda', '2026-11-30', ?)", (time.time(),))
    running = queue.submit(ws, "predict_all", {})
    queue.claim_next(ws, 7)
    waiting = queue.submit(ws, "predict_all", {})
    dest = bk.backup(ws, tmp_path / "copy").dest
    monkeypatch.delenv("SEEP_DATABASE_URL", raising=False)
    copy = Workspace(dest, create=False)
    with copy.connect() as con:
        assert con.execute("SELECT count(*) FROM workers").fetchone()[0] == 0
    ended = queue.get(copy, running.id)
    assert ended.status == "ERROR" and ended.message.startswith("still running in the workspace when this backup was taken")
    assert queue.get(copy, waiting.id).status == "SUBMITTED"  # queued: the copy's worker runs it
    assert queue.get(ws, running.id).status == "RUNNING"


def test_a_disk_that_fills_during_the_copy_leaves_nothing_half_made(ws, tmp_path, monkeypatch):
    real, calls = bk.shutil.copy2, []

    def copy2(src, dst):
        calls.append(src)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(bk.shutil, "copy2", copy2)
    with pytest.raises(WorkspaceError, match=f"cannot write the backup in {tmp_path}: No space left on device; nothing was kept"):
        bk.backup(ws, tmp_path / "copy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
    monkeypatch.setattr(bk.shutil, "copy2", real)

    def failing(con):
        raise sqlite3.OperationalError("disk I/O error")

    named_files = bk.named_files
    monkeypatch.setattr(bk, "named_files", failing)  # the copy's database, on a failing disk
    with pytest.raises(WorkspaceError, match="cannot write the backup's database in .*disk I/O error; nothing was kept"):
        bk.backup(ws, tmp_path / "copy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
    monkeypatch.setattr(bk, "named_files", named_files)
    assert bk.backup(ws, tmp_path / "copy").files == 10  # 5 rasters, 5 masks


def test_the_cli_backs_up_and_the_copy_opens_with_workspace_alone(ws, tmp_path, capsys, monkeypatch, store):
    """From PostgreSQL too: the copy is a SQLite workspace holding every record (a team's
    workspace moved back to one machine), opened without the server."""
    ws.set_status(ws.image_ids()[0], "accepted")
    from seep.workspace import accounts as acc
    from seep.workspace import registry as reg

    acc.add_user(ws, "ada", "admin", "correct horse battery", actor="setup")
    assert main(["backup", str(tmp_path / "copy"), "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("backed up the records and 10 files (") and f"open it with --workspace {tmp_path / 'copy'}" in out
    assert ("no --database-url" in out) is (store == "postgres")
    monkeypatch.delenv("SEEP_DATABASE_URL", raising=False)
    copy = Workspace(tmp_path / "copy", create=False)
    assert copy.store.dialect == "sqlite" and copy.status_counts() == ws.status_counts()
    assert main(["status", "--workspace", str(tmp_path / "copy")]) == 0
    assert "corrected   4" in capsys.readouterr().out and acc.get_user(copy, "ada") == acc.User("ada", "admin")
    assert [e["action"] for e in acc.audit_rows(copy)] == ["user-add"] and reg.list_models(copy) == []
    assert check(copy, grace_s=0).clean
    assert main(["backup", str(tmp_path / "copy"), "--workspace", str(ws.root)]) == 1
    assert capsys.readouterr().err.startswith("error: ") and (tmp_path / "copy").is_dir()
