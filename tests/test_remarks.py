"""An analyst's remarks on a scene (`seep remarks`; the Scene page's Remarks for the report), on
SQLite and on a real PostgreSQL server: written, shown with whose they are, carried by the
scene's report and the passes report, kept through a rename; bad text is refused with nothing
changed."""

from __future__ import annotations

import pytest

from seep.cli import main
from seep.errors import BadInputError, NotFoundError
from seep.workspace.accounts import audit_rows
from seep.workspace.passes_report import passes_report
from seep.workspace.records import MAX_COMMENT
from seep.workspace.remarks import Remarks, all_remarks, remarks, set_remarks
from seep.workspace.report import scene_report
from seep.workspace.scene_edits import rename_scene
from tests.test_scene_edits import imported

pytestmark = pytest.mark.usefixtures("store")

WIND = "Wind 3-5 m/s from the NE.\n\n<b>Slick 2</b> may be a ship's wake & its tail a rain cell."


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_remarks_are_written_shown_and_go_out_with_the_report(capsys, tmp_path):
    ws, _ = imported(capsys, tmp_path, scene="gulf")
    at = ("--workspace", str(ws.root))
    code, out, _ = run(capsys, "remarks", "gulf", *at)
    assert code == 0 and out == 'gulf has no remarks; write them with `remarks gulf "TEXT"`\n'
    assert "<h2>Remarks" not in scene_report(ws, "gulf").html  # none: no empty section

    code, out, err = run(capsys, "remarks", "gulf", "  " + WIND + "  \n", "--author", "ana", *at)
    assert code == 0, err
    head, *lines = out.splitlines()
    assert head.startswith("gulf, remarks by ana, 20") and lines == ["  " + x for x in WIND.split("\n")]
    r = remarks(ws, "gulf")
    assert (r.text, r.by) == (WIND, "ana") and r.at  # trimmed, her lines kept
    assert all_remarks(ws) == {"gulf": WIND}  # the Scenes view's column

    html = scene_report(ws, "gulf").html
    escaped = WIND.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")
    assert f"<h2>Remarks</h2><p class='remarks'>{escaped}</p><p class='sub'>ana, " in html
    assert "<b>Slick" not in html  # typed markup is text
    assert f"<p class='remarks'>{escaped}</p>" in passes_report(ws, ["gulf"]).html  # each pass's part carries its own

    set_remarks(ws, "gulf", WIND, "bo")  # the same text again: not rewritten, still hers
    assert remarks(ws, "gulf").by == "ana"
    code, out, _ = run(capsys, "remarks", "gulf", "--clear", "--author", "bo", *at)
    assert code == 0 and "has no remarks" in out and remarks(ws, "gulf").at is None and all_remarks(ws) == {}
    trail = [(e["actor"], e["action"], e["target"]) for e in reversed(audit_rows(ws)) if e["action"] == "remarks"]
    assert trail == [("ana", "remarks", "gulf"), ("bo", "remarks", "gulf")]
    assert audit_rows(ws)[0]["detail"] == f"{WIND!r} -> ''"  # the old text kept, on one line


def test_bad_remarks_are_refused_and_nothing_changes(capsys, tmp_path, monkeypatch):
    ws, _ = imported(capsys, tmp_path, scene="gulf")
    set_remarks(ws, "gulf", "calm sea", "ana")
    at = ("--workspace", str(ws.root))
    for argv, said in (
        (("remarks", "gulf", "a\tb"), "the remarks hold a control character"),
        (("remarks", "gulf", "x" * (MAX_COMMENT + 1)), f"keep them under {MAX_COMMENT:,}; nothing was saved"),
        (("remarks", "gulf", "x", "--clear"), "give the remarks or --clear, not both"),
        (("remarks", "nope", "x"), "no georeferenced scene 'nope'"),
        (("remarks", "gulf", "x", "--author", " "), "say who you are"),
    ):
        code, _, err = run(capsys, *argv, *at)
        assert code == 1 and said in err, (argv, err)
    assert remarks(ws, "gulf").text == "calm sea"
    with pytest.raises(NotFoundError):
        remarks(ws, "nope")
    with pytest.raises(BadInputError, match="escape"):
        set_remarks(ws, "gulf", "\x1b[31mred", "ana")
    monkeypatch.setattr("seep.workspace.remarks.remarks", lambda ws, name: Remarks("", "", None))  # read before a rename
    with pytest.raises(BadInputError, match="scene gone was renamed or removed meanwhile; the remarks were not saved"):
        set_remarks(ws, "gone", "calm", "ana")


def test_a_renamed_scene_keeps_its_remarks(capsys, tmp_path):
    ws, _ = imported(capsys, tmp_path, scene="gulf")
    set_remarks(ws, "gulf", WIND, "ana")
    rename_scene(ws, "gulf", "gulf-2025-06-01", "lee")
    r = remarks(ws, "gulf-2025-06-01")
    assert (r.text, r.by) == (WIND, "ana")
