"""Moving one analyst's workspace to a team's PostgreSQL server (`seep copy-to-postgres`):
every record arrives, work goes on there, the old seep.db refuses saves, and a copy that
cannot be whole changes nothing on either side."""

import json
import sqlite3
import subprocess
import sys

import numpy as np
import psycopg
import pytest
from savers import REPO, make_tiles
from streamlit.testing.v1 import AppTest

from seep.cli import main
from seep.errors import WorkspaceError
from seep.jobs import queue
from seep.ui.text import plain
from seep.workspace import Workspace, lookalikes
from seep.workspace import accounts as acc
from seep.workspace import registry as reg
from seep.workspace.db import MOVED_KEY
from seep.workspace.installations import load_installations, loaded, nearest_to_points
from seep.workspace.postgres import close_pools
from seep.workspace.review import return_tile, reviews


@pytest.fixture
def sqlite_ws(tmp_path, monkeypatch) -> Workspace:
    """A workspace on SQLite with a little of everything: edits with a note, a returned tile,
    a look-alike (a BLOB), an account, two models promoted in turn, a queued job."""
    monkeypatch.delenv("SEEP_DATABASE_URL", raising=False)
    ws = Workspace(tmp_path / "ws")
    make_tiles(ws, 3)
    first = ws.image("t0").id
    mask = np.zeros((64, 64), np.uint8)
    mask[10:20, 10:30] = 1
    ws.save_label(first, mask, parent=1, author="ana", note="unsure of the tail: low wind?")
    return_tile(ws, first, 2, reviewer="rui", comment="the tail is a ship wake")
    region = lookalikes.Region(top=30, left=30, pixels=20, inside=np.ones((4, 5), bool))
    lookalikes.record(ws, first, 2, None, [(region, "ship wake")], author="ana")
    acc.add_user(ws, "ana", "admin", "correct horse battery", actor="setup")
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"weights")
    for model_id in ("m1", "m2"):
        reg.register_model(ws, weights, model_id=model_id)
        reg.promote(ws, model_id, actor="ana")
    queue.submit(ws, "predict_all", {"model": "m2"})
    platform = {"type": "Feature", "properties": {"name": "Alpha"}, "geometry": {"type": "Point", "coordinates": [3.2, 42.9]}}
    (tmp_path / "platforms.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [platform]}))
    load_installations(ws, tmp_path / "platforms.geojson", "ana")  # a BLOB and four REALs
    with ws.connect(write=True) as con:  # an AIS position (a table keyed by two columns, no id); its loader wants a pass
        con.execute(
            "INSERT INTO vessel_positions VALUES ('219000001', 'NORDIC STAR', '2025-03-02T03:14:07Z', 3.2, 42.9, 12.5, NULL)"
        )
    return ws


def _rows(con, table: str, columns: list[str]) -> list[tuple]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    return sorted((tuple(r) for r in con.execute(f'SELECT {quoted} FROM "{table}"')), key=repr)


def _all_rows_equal(db_file, url) -> list[str]:
    """Every table of seep.db (but its workers) holds the same rows on the server; returns the tables."""
    s = sqlite3.connect(db_file)
    tables = [r[0] for r in s.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")]
    with psycopg.connect(url) as d:
        for table in tables:
            columns = [r[1] for r in s.execute(f'PRAGMA table_info("{table}")')]
            ours = [r for r in _rows(s, table, columns) if r[0] != MOVED_KEY]  # the mark seep.db got afterwards
            theirs = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in _rows(d, table, columns)]
            assert theirs == ([] if table == "workers" else ours), table
    s.close()
    return tables


def _server_is_empty(url) -> bool:
    with psycopg.connect(url) as d:
        tables = [r[0] for r in d.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return all(not d.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0] for t in tables if t != "seep_schema")


def test_a_workspace_moved_to_postgres_keeps_every_record_and_goes_on_there(sqlite_ws, postgres_server, monkeypatch, capsys):
    ws, url = sqlite_ws, postgres_server.new_database()
    first = ws.image("t0").id

    assert main(["copy-to-postgres", url, "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert "label_versions" in out and f"records of {ws.root} to postgresql://postgres@" in out
    assert {"lookalikes", "installations", "vessel_positions"} <= set(_all_rows_equal(ws.db_path, url))

    monkeypatch.setenv("SEEP_DATABASE_URL", url)
    try:
        team = Workspace(ws.root, create=False)
        assert [v.note for v in team.history(first)] == [v.note for v in ws.history(first)]
        assert np.array_equal(team.label(first)[1], ws.label(first)[1])
        assert reviews(team, first)[0]["comment"] == "the tail is a ship wake"
        assert lookalikes.hard_negatives(team, first, (64, 64)).sum() == 20
        assert loaded(team) == loaded(ws) and nearest_to_points(team, [(3.2, 42.91)])[0].name == "Alpha"
        assert acc.sign_in(team, "ana", "correct horse battery").role == "admin"
        assert reg.active_model_id(team) == "m2" and reg.rollback(team, actor="ana").id == "m1"  # activations in order
        job = queue.submit(team, "evaluate", {})
        assert job.id > max(j.id for j in queue.list_jobs(ws))  # numbered after the copied ones, not from 1
        assert team.save_label(first, np.zeros((64, 64), np.uint8), parent=2, author="rui").version == 3
    finally:
        close_pools()

    monkeypatch.delenv("SEEP_DATABASE_URL")
    # A Seep started without the server (the app not yet restarted with it) is told where the records are.
    status = subprocess.run(
        [sys.executable, "-m", "seep", "status", "--workspace", str(ws.root)], cwd=REPO, capture_output=True, text=True
    )
    assert status.returncode == 1 and "copied to PostgreSQL (postgresql://postgres@" in status.stderr, status.stderr
    assert "SEEP_DATABASE_URL" in status.stderr
    with pytest.raises(WorkspaceError, match="copied to PostgreSQL"):  # one open since then cannot save there
        ws.save_label(first, np.zeros((64, 64), np.uint8), parent=2, author="ana")
    assert [v.version for v in ws.history(first)] == [2, 1]  # seep.db kept as it was: a backup of that moment
    assert len(list((ws.root / "labels" / first).iterdir())) == 3  # v1, v2 and the server's v3: no file left over


def test_the_app_on_the_server_says_where_the_records_are_without_the_password(tmp_path, postgres_server, monkeypatch):
    monkeypatch.delenv("SEEP_DATABASE_URL", raising=False)
    ws = Workspace(tmp_path / "ws")
    make_tiles(ws, 2)
    url = postgres_server.new_database()
    assert main(["copy-to-postgres", url, "--workspace", str(ws.root)]) == 0
    monkeypatch.setenv("SEEP_WORKSPACE", str(ws.root))
    monkeypatch.setenv("SEEP_DATABASE_URL", url.replace("postgres@", "postgres:hunter2@"))  # trust: never asked for
    try:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    finally:
        close_pools()
    assert not at.exception, at.exception
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert f"Records: {plain(url)}" in sidebar, sidebar  # as text: escaped, never a link
    assert "hunter2" not in sidebar and "2 images · 2 reviewed" in sidebar


def test_a_copy_that_cannot_be_whole_changes_nothing(sqlite_ws, postgres_server, tmp_path, capsys):
    ws, url = sqlite_ws, postgres_server.new_database()
    assert main(["copy-to-postgres", url, "--workspace", str(tmp_path / "elsewhere")]) == 1
    assert "has no seep.db" in capsys.readouterr().err
    assert main(["copy-to-postgres", "--workspace", str(ws.root)]) == 1
    assert "needs the database" in capsys.readouterr().err

    queue.announce(ws, 4242, "cpu")  # a worker (the app's) still serving seep.db
    assert main(["copy-to-postgres", url, "--workspace", str(ws.root)]) == 1
    assert "in use (worker" in capsys.readouterr().err
    queue.depart(ws, 4242)

    with sqlite3.connect(ws.db_path) as s:  # a value SQLite took and PostgreSQL refuses
        s.execute("UPDATE audit SET detail = ? WHERE id = 1", ("a\x00b",))
    assert main(["copy-to-postgres", url, "--workspace", str(ws.root)]) == 1
    assert "table audit: the server refused a row of seep.db" in capsys.readouterr().err
    assert _server_is_empty(url)  # the tables copied before it were rolled back too
    assert ws.image("t0").head_version == 2 and ws.save_label(
        ws.image("t1").id, np.ones((64, 64), np.uint8), parent=1, author="ana"
    )

    with sqlite3.connect(ws.db_path) as s:
        s.execute("UPDATE audit SET detail = 'ab' WHERE id = 1")
    assert main(["copy-to-postgres", url, "--workspace", str(ws.root)]) == 0  # mended, the same database takes it

    other = Workspace(tmp_path / "other")
    make_tiles(other, 1)
    assert main(["copy-to-postgres", url, "--workspace", str(other.root)]) == 1
    assert "already holds Seep records (in" in capsys.readouterr().err
    other.save_label(other.image("t0").id, np.ones((64, 64), np.uint8), parent=1, author="ana")  # still its own
    assert _all_rows_equal(ws.db_path, url)  # the server holds the first workspace, untouched


def test_an_unreachable_server_is_named_without_its_password(sqlite_ws, capsys):
    assert main(["copy-to-postgres", "postgresql://seep:hunter2@127.0.0.1:1/seep", "--workspace", str(sqlite_ws.root)]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the workspace database postgresql://seep@127.0.0.1:1/seep" in err and "hunter2" not in err
    sqlite_ws.save_label(sqlite_ws.image("t0").id, np.ones((64, 64), np.uint8), parent=2, author="ana")  # not marked moved
