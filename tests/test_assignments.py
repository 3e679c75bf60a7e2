"""Scenes handed out to the team (`seep assign`; Browse's Scenes view, the Scene page), on SQLite
and on a real PostgreSQL server: a lead hands the passes out, an analyst lists their own, takes a
free scene and gives it back, and cannot take a colleague's; a renamed scene keeps its holder, a
removed one lets it go."""

from __future__ import annotations

import pytest

from seep.cli import main
from seep.data.synthetic import DemoSpec
from seep.errors import BadInputError, PermissionDenied
from seep.workspace import ImageFilter, Workspace
from seep.workspace.accounts import add_user, audit_rows
from seep.workspace.assignments import assign, assignments, holder, people
from seep.workspace.demo import build_demo
from seep.workspace.scene_edits import remove_scene, rename_scene
from tests.test_scene_edits import imported

pytestmark = pytest.mark.usefixtures("store")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def demo(tmp_path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=3, tiles_per_scene=4, geo_scene=False), labelled_per_scene=1)
    return ws


def test_a_lead_hands_scenes_out_and_each_analyst_lists_their_own(capsys, tmp_path):
    ws = demo(tmp_path)
    a, b, c = ws.scenes()
    at = ("--workspace", str(ws.root))
    assert run(capsys, "assign", *at) == (0, "no scene is handed out\n", "")

    code, out, err = run(capsys, "assign", a, b, "--to", "tess", "--author", "lee", *at)
    assert code == 0, err
    listed = [line.split()[:4] for line in out.splitlines()]
    assert listed == [[a, "tess", "by", "lee,"], [b, "tess", "by", "lee,"]]
    code, out, _ = run(capsys, "status", "--by-scene", *at)
    assert {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:]} == {a: "tess", b: "tess", c: "-"}
    code, out, _ = run(capsys, "list", "--assigned-to", "tess", *at)
    assert code == 0 and out.splitlines()[-1] == "8 images match"
    assert {line.split()[2] for line in out.splitlines()[:-1]} == {a, b}
    assert ws.count_images(ImageFilter(assigned_to="tess", status=("unlabelled",))) == 6

    code, out, _ = run(capsys, "assign", b, c, "--to", "ana", "--author", "lee", *at)  # b changes hands
    assert code == 0 and {x.scene: x.person for x in assignments(ws).values()} == {a: "tess", b: "ana", c: "ana"}
    code, out, _ = run(capsys, "assign", a, "--to", "tess", "--author", "lee", *at)
    assert code == 0 and out.splitlines()[0] == f"already so: {a}"
    code, out, _ = run(capsys, "assign", c, "--nobody", "--author", "lee", *at)
    assert code == 0 and holder(ws, c) is None and holder(ws, b).by == "lee"

    trail = [(e["action"], e["target"], e["detail"]) for e in reversed(audit_rows(ws, actor="lee"))]
    assert trail == [
        ("assign", a, "no one -> tess"),
        ("assign", b, "no one -> tess"),
        ("assign", b, "tess -> ana"),
        ("assign", c, "no one -> ana"),
        ("assign", c, "ana -> no one"),
    ]


def test_a_mistyped_scene_or_person_is_said_and_nothing_changes(capsys, tmp_path, monkeypatch):
    ws = demo(tmp_path)
    a = ws.scenes()[0]
    at = ("--workspace", str(ws.root))
    for argv, said in (
        (("assign", a, "nope", "--to", "tess"), "no scene nope in this workspace"),
        (("assign", a), "say whom to hand them to (--to NAME), or --nobody"),
        (("assign", a, "--to", " "), "a label needs an author"),
        (("assign", a, "--to", "model"), "model is the model's predictions, not a person"),
        (("assign", a, "--to", "tess", "--author", ""), "say who you are"),
        (
            ("list", "--assigned-to", "tess"),
            "--assigned-to tess: no scene is handed out to them; scenes are handed out to nobody",
        ),
    ):
        code, out, err = run(capsys, *argv, *at)
        assert code == 1 and said in err, (argv, err)
    assert assignments(ws) == {} and audit_rows(ws) == []
    with pytest.raises(BadInputError, match="pick the scenes"):
        assign(ws, [], "tess", "lee")
    # A scene renamed between the check and the write: said, and nothing handed out (all or nothing).
    monkeypatch.setattr(Workspace, "check_scenes", lambda self, wanted: None)
    with pytest.raises(BadInputError, match="scene gone was renamed or removed meanwhile; nothing was handed out"):
        assign(ws, [a, "gone"], "tess", "lee")
    assert assignments(ws) == {}


def test_with_accounts_an_analyst_takes_a_free_scene_and_only_a_lead_hands_one_on(tmp_path):
    ws = demo(tmp_path)
    a, b, _ = ws.scenes()
    add_user(ws, "lee", "reviewer", "a long password 1", actor="admin")
    add_user(ws, "tess", "analyst", "a long password 2", actor="lee")
    add_user(ws, "ana", "analyst", "a long password 3", actor="lee")
    assert people(ws) == (["ana", "lee", "tess"], False)  # the accounts, and no other name
    with pytest.raises(BadInputError, match="no active account is named bob; scenes go to one of ana, lee, tess"):
        assign(ws, [a], "bob", "lee")

    assert assign(ws, [a], "tess", "tess", lead=False) == [a]  # free: hers to take
    with pytest.raises(PermissionDenied, match=f"scene {a} is handed to tess: a lead"):
        assign(ws, [b, a], "ana", "ana", lead=False)
    assert holder(ws, b) is None  # all or nothing: b was not taken either
    with pytest.raises(PermissionDenied, match="ana may take scenes for themselves only"):
        assign(ws, [b], "tess", "ana", lead=False)
    with pytest.raises(PermissionDenied, match="is handed to tess"):
        assign(ws, [a], None, "ana", lead=False)  # nor give back someone else's
    assert assign(ws, [a], None, "tess", lead=False) == [a]  # her own, back
    assert assign(ws, [a, b], "ana", "lee") == [a, b] and holder(ws, a).by == "lee"
    assert assign(ws, [a], "tess", "lee") == [a]  # a lead hands one from one analyst to another


def test_a_renamed_scene_keeps_its_holder_and_a_removed_one_lets_it_go(capsys, tmp_path):
    ws, _ = imported(capsys, tmp_path, scene="first")
    assign(ws, ["first"], "tess", "lee")
    rename_scene(ws, "first", "S1A_20250302", "lee")
    assert holder(ws, "first") is None and holder(ws, "S1A_20250302").person == "tess"
    assert ws.count_images(ImageFilter(assigned_to="tess")) == 6

    remove_scene(ws, "S1A_20250302", "lee")
    assert assignments(ws) == {}
    ws, _ = imported(capsys, tmp_path, scene="S1A_20250302")  # imported again: free, not still tess's
    assert holder(ws, "S1A_20250302") is None and ws.count_images(ImageFilter(scene=("S1A_20250302",))) == 6
