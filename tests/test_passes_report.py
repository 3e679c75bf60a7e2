"""The passes of a window of time in one report to send (`seep report-passes`, Browse's Scenes
view): real GeoTIFFs with a real CRS imported with their times, the report read back as a
browser reads it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
from rasterio.transform import from_origin
from test_report import Page
from test_scenes import run, write_tif

from seep.workspace import Workspace
from seep.workspace.accounts import audit_rows
from seep.workspace.passes_report import passes_in, passes_report
from seep.workspace.report import downloaded, last_reported, mark_reported, scene_part, scene_report
from seep.workspace.scenes import scene
from seep.workspace.slicks import scene_slicks

PASSES = (("june_1", "2025-06-01T03:15Z", 1), ("june_13", "2025-06-13T03:15Z", 2), ("july_1", "2025-07-01T03:15Z", 3))


def three_passes(capsys, tmp_path) -> str:
    """Three passes over one sea, a slick or more each (pass k: k slicks), imported with their times."""
    ws_path = str(tmp_path / "ws")
    for i, (name, when, slicks) in enumerate(PASSES):
        img = np.random.default_rng(i).integers(100, 3000, (300, 520)).astype(np.uint16)
        mask = np.zeros((300, 520), np.uint8)
        for k in range(slicks):
            mask[40 + 80 * k : 60 + 80 * k, 100:300] = 1 + 2 * k
        tr = from_origin(500000 + 500 * i, 4600000, 20, 20)
        write_tif(tmp_path / f"{name}.tif", img, transform=tr)
        write_tif(tmp_path / f"{name}_mask.tif", mask, transform=tr)
        code, _, err = run(
            capsys,
            "import",
            str(tmp_path / f"{name}.tif"),
            "--mask",
            str(tmp_path / f"{name}_mask.tif"),
            "--acquired",
            when,
            "--workspace",
            ws_path,
        )
        assert code == 0, err
    return ws_path


def test_the_passes_of_june_in_one_report_each_with_its_own(capsys, tmp_path):
    ws_path = three_passes(capsys, tmp_path)
    out = tmp_path / "june.html"
    code, said, err = run(
        capsys, "report-passes", str(out), "--acquired-since", "2025-06-01", "--acquired-before", "2025-07-01",
        "--author", "ana", "--workspace", ws_path,
    )  # fmt: skip
    assert code == 0, err
    assert said == f"wrote the report of 2 passes (june_1, june_13; 3 slicks in the labels) to {out}\n"
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    ws = Workspace(ws_path, create=False)

    # The table of the passes, earliest first, each row a link to its pass's own report below.
    passes = page.tables[0]
    assert passes[0] == ["#", "pass", "acquired", "slicks", "area km²", "tiles", "reviewed", "with no label"]
    areas = [sum(s.area_km2 for s in scene_slicks(ws, n)) for n in ("june_1", "june_13")]
    assert passes[1:] == [
        ["1", "june_1", "2025-06-01 03:15 UTC", "1", f"{areas[0]:.3f}", "6", "6", "0"],
        ["2", "june_13", "2025-06-13 03:15 UTC", "2", f"{areas[1]:.3f}", "6", "6", "0"],
    ]
    assert re.findall(r"<a href='#(pass-\d)'>", text) == ["pass-1", "pass-2"]
    assert re.findall(r"<section class='pass' id='(pass-\d)'>", text) == ["pass-1", "pass-2"]
    assert "Acquired since 2025-06-01 00:00 UTC and before 2025-07-01 00:00 UTC; outlines: the current labels" in text
    assert "Seeps in july_1" not in text and "by ana with Seep" in text  # (its slicks' "also seen in" names it)

    # Each pass's section is its own report, its headings a level down under the page's.
    assert re.findall(r"<h1>(.*?)</h1>", text) == ["Seeps in 2 passes"]
    assert re.findall(r"<h2>(Seeps in .*?)</h2>", text) == ["Seeps in june_1", "Seeps in june_13"]
    now = datetime(2025, 7, 2, tzinfo=UTC)
    again = passes_report(ws, ["june_1", "june_13"], author="ana", now=now).html
    for name in ("june_1", "june_13"):
        own = scene_part(ws, scene(ws, name), None, author="ana", now=now).html
        assert own.replace("<h2>", "<h3>").replace("</h2>", "</h3>").replace("<h1>", "<h2>").replace("</h1>", "</h2>") in again
    assert len(page.images) == 2 * 2 + 2 * 3  # each map's radar and outlines, then a close-up of each slick

    # The open window: every pass, earliest first; one pass by name.
    assert passes_in(ws) == ["june_1", "june_13", "july_1"]
    code, said, _ = run(capsys, "report-passes", str(out), "--scene", "july_1", "--scene", "june_1", "--workspace", ws_path)
    assert code == 0 and said.startswith("wrote the report of 2 passes (june_1, july_1; 4 slicks")  # in time order
    assert "Outlines: the current labels; written" in out.read_text()  # no window to say
    code, said, _ = run(capsys, "report-passes", str(out), "--workspace", ws_path)
    assert code == 0 and "3 passes (june_1, june_13, july_1; 6 slicks" in said


def test_a_report_of_nothing_or_of_a_mistyped_scene_writes_nothing(capsys, tmp_path):
    ws_path = three_passes(capsys, tmp_path)
    out = tmp_path / "r.html"
    code, said, err = run(capsys, "report-passes", str(out), "--acquired-since", "2025-08-01", "--workspace", ws_path)
    assert code == 1 and err == "error: no georeferenced scene acquired since 2025-08-01 00:00 UTC: nothing to report\n"
    code, _, err = run(capsys, "report-passes", str(out), "--scene", "june", "--workspace", ws_path)
    assert code == 1 and "no georeferenced scene 'june' in this workspace" in err
    code, _, err = run(capsys, "report-passes", str(tmp_path / "r.pdf"), "--workspace", ws_path)
    assert code == 1 and "write the report to an .html file" in err
    code, _, err = run(capsys, "report-passes", str(out), "--model", "m-typo", "--workspace", ws_path)
    assert code == 1 and "m-typo" in err
    assert not out.exists() and not (tmp_path / "r.pdf").exists()
    assert last_reported(Workspace(ws_path, create=False)) == {}  # no report written: no pass reported
    mine = tmp_path / "mine.html"
    mine.write_text("<p>my notes</p>")
    code, _, err = run(capsys, "report-passes", str(mine), "--workspace", ws_path)
    assert code == 1 and "is not a report Seep wrote" in err and mine.read_text() == "<p>my notes</p>"
    assert sorted(p.name for p in tmp_path.glob("*.html")) == ["mine.html"]  # no temporary left


def test_typed_text_in_a_passes_report_reads_as_typed(capsys, tmp_path):
    ws_path = three_passes(capsys, tmp_path)
    ws = Workspace(ws_path, create=False)
    s = scene_slicks(ws, "june_1")[0]
    lv, m = ws.label(s.image_id)
    ws.save_label(s.image_id, m, parent=lv.version, author="<b>ana</b>", note="<script>alert(1)</script> & wake?")
    text = passes_report(ws, ["june_1"], author="<img src=x>").html
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; wake?" in text
    assert "<img src=x>" not in text and "by &lt;img src=x&gt; with Seep" in text


def test_the_passes_whose_reports_went_out_are_stamped(capsys, tmp_path):
    """Which passes' reports were written, when and by whom: a scene's own report, then a window's."""
    ws_path = three_passes(capsys, tmp_path)
    ws = Workspace(ws_path, create=False)
    code, _, err = run(capsys, "report", "july_1", str(tmp_path / "july.html"), "--author", "bo", "--workspace", ws_path)
    assert code == 0, err
    assert list(last_reported(ws)) == ["july_1"] and last_reported(ws)["july_1"][1] == "bo"
    code, _, err = run(
        capsys, "report-passes", str(tmp_path / "june.html"), "--acquired-before", "2025-07-01", "--author", "ana",
        "--workspace", ws_path,
    )  # fmt: skip
    assert code == 0, err
    sent = last_reported(ws)
    assert {k: v[1] for k, v in sent.items()} == {"june_1": "ana", "june_13": "ana", "july_1": "bo"}
    assert sent["june_1"][0] == sent["june_13"][0] >= sent["july_1"][0]  # one report, one time
    trail = [(e["actor"], e["target"], e["detail"]) for e in reversed(audit_rows(ws)) if e["action"] == "write report"]
    assert trail == [("bo", "july_1", ""), ("ana", "june_1", "with 1 other pass"), ("ana", "june_13", "with 1 other pass")]
    assert downloaded(ws, ["june_1"], "", scene_report(ws, "june_1")).startswith(b"<!doctype html>")  # the page's download
    assert last_reported(ws)["june_1"][1] == ""  # no name given: the time still says it went out
    mark_reported(ws, ["renamed_since"], "ana")  # a scene renamed while its report was made: nothing stamped
    assert "renamed_since" not in last_reported(ws) and not [e for e in audit_rows(ws) if e["target"] == "renamed_since"]
