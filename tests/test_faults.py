"""kill -9 during saves loses nothing that was acknowledged and leaves nothing `seep check
--repair` cannot clean: SEEP_FAULT_KILLS kills here (50), 500 in `benchmarks/bench_faults.py`.

A child process saves label versions of three images in a loop and prints each version once
save_label has returned (the analyst's "saved"); the parent kills it at a random moment."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from seep.data.synthetic import DemoSpec
from seep.errors import BadInputError, NotFoundError
from seep.workspace import Workspace
from seep.workspace.demo import build_demo
from seep.workspace.doctor import check, repair

KILLS = int(os.environ.get("SEEP_FAULT_KILLS", "50"))
REPO = Path(__file__).resolve().parents[1]

SAVER = """
import sys, numpy as np
from seep.workspace import Workspace
ws = Workspace(sys.argv[1], create=False)
ids = [r.id for r in ws.list_images(limit=3)]
rng = np.random.default_rng(int(sys.argv[2]))
print("ready", flush=True)
while True:
    for i in ids:
        rec = ws.image(i)
        mask = rng.integers(0, 3, (rec.height, rec.width), dtype=np.uint8)
        mask[ws.no_data(i)] = 0  # no seep outside the swath: the workspace refuses it
        lv = ws.save_label(i, mask, parent=rec.head_version, author="saver")
        sys.stdout.write(f"{i} {lv.version} {lv.checksum}\\n")  # one write: print() writes each
        sys.stdout.flush()                                       # piece alone when unbuffered
"""


def test_kill_9_during_saves_loses_no_acknowledged_version(tmp_path):
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=3, geo_scene=False), labelled_per_scene=0)
    rnd = random.Random(0)
    acked: dict[tuple[str, int], str] = {}
    for kill in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(ws.root), str(kill)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        *lines, partial = child.stdout.read().split("\n")  # a line cut by the kill was never "saved"
        for line in lines:
            assert len(line.split()) == 3, f"the saver printed {line!r}, then {partial!r}"
            image_id, version, checksum = line.split()
            acked[(image_id, int(version))] = checksum
        child.wait()
    assert len(acked) > KILLS  # the kills landed among many saves, not before the first
    for (image_id, version), checksum in acked.items():
        lv, _ = ws.label(image_id, version)
        assert lv.checksum == checksum
    found = check(ws, grace_s=0)
    assert found.integrity == "ok" and not found.missing
    print(
        f"\n{KILLS} kills: {len(acked)} acknowledged versions all intact; "
        f"{len(found.orphans)} orphan files and {len(found.leftovers)} .tmp leftovers removed by repair"
    )
    repair(ws, grace_s=0)
    assert check(ws, grace_s=0).clean
    for image_id in {i for i, _ in acked}:  # every version still reads back after the repair
        head = ws.image(image_id).head_version
        assert all(ws.label(image_id, v)[1].dtype == np.uint8 for v in range(1, head + 1))


def test_check_reports_and_repair_removes_what_a_crash_leaves(tmp_path):
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=2, geo_scene=False), labelled_per_scene=2)
    rec = ws.list_images(limit=1)[0]
    orphan = ws.root / "labels" / rec.id / "v0009-deadbeef.tif"
    orphan.write_bytes(b"half a save")
    leftover = ws.root / "labels" / rec.id / ".v0009.tif.abcd.tmp"
    leftover.write_bytes(b"")
    fresh = ws.root / "labels" / rec.id / "v0010-cafecafe.tif"  # a save in flight elsewhere
    old = time.time() - 600
    for p in (orphan, leftover):
        os.utime(p, (old, old))
    fresh.write_bytes(b"in flight")
    from seep.cli import main

    assert main(["check", "--workspace", str(ws.root)]) == 3
    assert orphan.exists() and leftover.exists()  # checking never deletes
    assert main(["check", "--repair", "--workspace", str(ws.root)]) == 0
    assert not orphan.exists() and not leftover.exists() and fresh.exists()
    assert ws.label(rec.id)[0].version == 1


def test_repair_deflates_the_masks_older_versions_kept_raw(tmp_path, capsys, monkeypatch):
    """A workspace from before masks were deflated: `check` says how many are raw (not wrong:
    exit 0) and changes nothing; `check --repair` rewrites them deflated, the same pixels (the
    label versions' checksums still match), a file being written now and a damaged one left."""
    import tifffile

    from seep.cli import main
    from seep.data.raster import encode_tiff
    from seep.workspace import doctor
    from seep.workspace.records import pixel_checksum

    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=3, geo_scene=False), labelled_per_scene=3)
    recs = ws.list_images(limit=3)
    rng = np.random.default_rng(0)
    ws.save_prediction(recs[0].id, "m1", (rng.random((256, 256)) > 0.9).astype(np.uint8), rng.random((256, 256)), 0.1)
    files = [ws.root / con_file for con_file in sorted(named(ws)) if con_file.startswith(("labels/", "predictions/"))]
    old = time.time() - 600
    for f in files:  # as an older Seep wrote them
        f.write_bytes(encode_tiff(tifffile.imread(f)))
        os.utime(f, (old, old))
    fresh, damaged = files[0], files[1]
    os.utime(fresh, None)  # written just now: a save in flight is never touched
    damaged.write_bytes(b"II*\x00 damaged")
    os.utime(damaged, (old, old))
    before = {f: f.read_bytes() for f in files}
    labels = {r.id: ws.label(r.id)[1] for r in recs if r.id not in (fresh.parent.name, damaged.parent.name)}
    prediction = ws.prediction(recs[0].id, "m1")

    assert main(["check", "--workspace", str(ws.root)]) == 0
    out = capsys.readouterr().out
    raw = len(files) - 2
    assert f"{raw} masks kept raw, as written before masks were deflated" in out
    assert f"{raw} masks can be deflated with `python -m seep check --repair` (the same pixels)" in out
    assert all(f.read_bytes() == before[f] for f in files)  # checking changes nothing
    assert check(ws).lines(ws.root) == []  # no damage: the app's warning of leftovers says nothing of them

    assert main(["check", "--repair", "--workspace", str(ws.root)]) == 0
    assert f"deflated {raw} of {raw} masks kept raw: " in capsys.readouterr().out
    assert fresh.read_bytes() == before[fresh] and damaged.read_bytes() == before[damaged]
    for f in set(files) - {fresh, damaged}:
        assert f.stat().st_size < len(before[f]) / (4 if "labels" in f.parts else 1)  # a prediction of noise: less
        with tifffile.TiffFile(f) as tif:
            assert tif.pages[0].compression != 1
    for image_id, mask in labels.items():
        version, now = ws.label(image_id)
        assert (now == mask).all() and pixel_checksum(now) == version.checksum
    again = ws.prediction(recs[0].id, "m1")
    assert all((a == b).all() for a, b in zip(again, prediction, strict=True))
    assert doctor.raw_masks(ws) == [] and doctor.raw_masks(ws, grace_s=0) == [fresh]  # left until older than the grace

    # One removed between the look and the repair (a candidate model's predictions, gone with it).
    gone = ws.root / "predictions" / "m2" / "gone.tif"
    monkeypatch.setattr(doctor, "raw_masks", lambda ws, grace_s: [gone])
    up = doctor.repair(ws)
    assert up.deflated == (0, 0, 0) and "deflated 0 of 1 masks kept raw" in up.raw_lines()[0]


def named(ws: Workspace) -> set[str]:
    from seep.workspace.doctor import named_files

    with ws.connect() as con:
        return named_files(con)


WRITER = """
import sys, time, numpy as np
from seep.errors import ConflictError
from seep.workspace import Workspace
ws = Workspace(sys.argv[1], create=False)
image_id, until = sys.argv[2], time.time() + float(sys.argv[3])
rng = np.random.default_rng(int(sys.argv[4]))
while time.time() < until:
    rec = ws.image(image_id)
    mask = rng.integers(0, 3, (rec.height, rec.width), dtype=np.uint8)
    mask[ws.no_data(image_id)] = 0  # no seep outside the swath: the workspace refuses it
    try:
        lv = ws.save_label(image_id, mask, parent=rec.head_version, author=f"w{sys.argv[4]}")
        print("saved", lv.version, lv.checksum, flush=True)
    except ConflictError as e:
        print("conflict", rec.head_version or 0, e.current_version, flush=True)
"""


def test_eight_writers_on_one_image_lose_no_update(tmp_path):
    """Eight processes save the same image as fast as they can: every save either becomes
    the next version or is refused as a conflict naming a newer one; no version is lost."""
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=1, geo_scene=False), labelled_per_scene=0)
    image_id = ws.list_images(limit=1)[0].id
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(ws.root), image_id, "4", str(i)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        for i in range(8)
    ]
    lines = [line.split() for p in procs for line in p.communicate()[0].splitlines()]
    assert all(p.returncode == 0 for p in procs)
    saved = {int(x[1]): x[2] for x in lines if x[0] == "saved"}
    assert len(saved) == sum(x[0] == "saved" for x in lines)  # no version acknowledged twice
    head = ws.image(image_id).head_version
    assert sorted(saved) == list(range(1, head + 1))  # every version is someone's acknowledged save
    assert all(ws.version(image_id, v).checksum == c for v, c in saved.items())
    assert all(int(x[2]) > int(x[1]) for x in lines if x[0] == "conflict")  # refused only for a newer version
    assert len(saved) >= 8


ACCEPTER = """
import sys
from seep.workspace import Workspace
from seep.workspace.review import accept_predictions
ws = Workspace(sys.argv[1], create=False)
ids = [r.id for r in ws.list_images() if r.status == "unlabelled"]
print("ready", flush=True)
accept_predictions(ws, ids, "m1", author="rey")
"""


def test_kill_9_during_a_grid_accept_leaves_every_accepted_tile_to_its_undo(tmp_path):
    """Browse's grid accepts tile after tile; killed at any moment, every tile it accepted is in
    its batch (the version, or verdict, and its record are one transaction), so Undo takes back
    all it did and nothing else."""
    from seep.workspace.batches import undo_batch

    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=1, tiles_per_scene=24, geo_scene=False), labelled_per_scene=0)
    for r in ws.list_images():
        ws.save_prediction(r.id, "m1", np.zeros((r.height, r.width), np.uint8), np.ones((r.height, r.width)), 0.0)
    rnd = random.Random(1)
    for kill in range(max(3, KILLS // 10)):
        child = subprocess.Popen([sys.executable, "-c", ACCEPTER, str(ws.root)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
        with ws.connect(write=True) as con:
            batch = con.execute("SELECT max(id) FROM batches").fetchone()[0]
            con.execute("UPDATE batches SET at = '2000-01-01T00:00:00+00:00' WHERE id = ?", (batch,))  # as a crash long ago
        accepted = {r.id for r in ws.list_images() if r.status == "accepted"}
        if not accepted:  # killed before its first tile: no batch of its own, or an empty one, which no list shows
            with pytest.raises((NotFoundError, BadInputError), match=f"no batch of labels {batch} in|was undone already"):
                undo_batch(ws, batch, "rey")
            continue
        undone = undo_batch(ws, batch, "rey")
        assert undone.undone == len(accepted) and not undone.kept, kill
        assert all(r.status == "unlabelled" for r in ws.list_images())
