"""Model registry, job queue and the worker process, on a small demo workspace."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from finetuning import TINY, fake_evaluate
from helpers import sar_tile

from seep.data.synthetic import DemoSpec
from seep.errors import BadInputError, NotFoundError, SeepError
from seep.jobs import queue
from seep.jobs.finetune import FinetuneParams, plan, run_finetune
from seep.jobs.worker import ensure_worker
from seep.learn.shipped import SHIPPED_MODEL
from seep.workspace import ImageFilter, Workspace, doctor
from seep.workspace import registry as reg
from seep.workspace.demo import build_demo

pytestmark = pytest.mark.usefixtures("store")

REPO = Path(__file__).parents[1]


def test_registry_promote_and_rollback(ws, tiny_model):
    a = reg.register_model(ws, tiny_model, model_id="a")
    b = reg.register_model(ws, tiny_model, parent="a", model_id="b", metrics={"binary_iou": 0.4})
    assert reg.active_model(ws) is None and (ws.root / a.file).exists()
    reg.promote(ws, "a")
    reg.promote(ws, "b")
    assert reg.active_model(ws).id == "b" and [m.active for m in reg.list_models(ws)] == [False, True]
    assert reg.rollback(ws).id == "a" and reg.active_model(ws).id == "a"
    assert reg.get_model(ws, "b").metrics["binary_iou"] == 0.4 and b.parent == "a"
    with pytest.raises(NotFoundError, match="no model 'zz'.*models: a, b"):
        reg.promote(ws, "zz")
    (ws.root / b.file).unlink()  # lost to a crash or a hand: made active, every prediction would fail
    with pytest.raises(NotFoundError, match=f"model b cannot be made active: its file {b.file} is missing"):
        reg.promote(ws, "b")
    assert reg.active_model(ws).id == "a"


def test_a_promotion_frees_the_predictions_of_models_no_longer_served(ws, tiny_model):
    tiles = [ws.add_image(sar_tile(i, 32), name=f"t{i}", scene="s")[0].id for i in range(3)]
    for m in ("a", "b", "c", "never"):
        reg.register_model(ws, tiny_model, model_id=m)

    def predict_all(model_id):  # as Predict all leaves the cache: every tile, by the model
        for t in tiles:
            ws.save_prediction(t, model_id, np.ones((32, 32), np.uint8), np.full((32, 32), 0.9), 0.1)

    def cached(model_id):
        return sorted(ws.predicted(tiles, model_id))

    for m in ("a", "never"):
        predict_all(m)
    reg.promote(ws, "a")
    files_of_a = list((ws.root / "predictions" / "a").iterdir())
    reg.promote(ws, "b", actor="lead")
    predict_all("b")
    assert cached("a") == sorted(tiles)  # a is what a rollback returns to: kept
    reg.promote(ws, "c", actor="lead")
    assert cached("a") == [] and not any(p.exists() for p in files_of_a)  # two promotions back: freed
    assert cached("b") == sorted(tiles) and cached("never") == sorted(tiles)  # the rollback's, and one never served
    assert doctor.check(ws).clean
    with ws.connect() as con:
        entry = [tuple(r) for r in con.execute("SELECT actor, target, detail FROM audit WHERE action = 'free predictions'")]
    assert entry == [("lead", "a", "3 cached predictions of models no longer served")]

    assert reg.rollback(ws).id == "b" and cached("b") == sorted(tiles)  # rolled back, its cache is there
    predict_all("a")  # made again on demand, as any prediction
    reg.promote(ws, "a")  # served again: it and b (the rollback's) keep theirs
    assert cached("a") == sorted(tiles) and cached("b") == sorted(tiles)


def test_rollback_needs_an_earlier_model(ws, tiny_model):
    reg.promote(ws, reg.shipped_model(ws, SHIPPED_MODEL).id)
    with pytest.raises(BadInputError, match="nothing to roll back to"):
        reg.rollback(ws)


def test_the_first_model_made_active_rolls_back_to_the_shipped_one(ws, tiny_model):
    """A model added from elsewhere made active in a new workspace: the shipped model predicted
    before it, and is what roll back returns to (registered then, as a first fine-tune does)."""
    reg.register_model(ws, tiny_model, model_id="lead")
    reg.promote(ws, "lead")
    assert reg.rollback(ws).id == SHIPPED_MODEL.stem and reg.active_model(ws).id == SHIPPED_MODEL.stem
    assert reg.rollback(ws).id == "lead"  # and back again


def test_queue_runs_one_job_at_a_time_and_cancels(ws):
    j1 = queue.submit(ws, "evaluate", {"model": "x"})
    j2 = queue.submit(ws, "predict_all", {})
    me = os.getpid()
    claimed = queue.claim_next(ws, me)
    assert claimed.id == j1.id and claimed.lease
    assert queue.claim_next(ws, me) is None  # one heavy job at a time
    assert queue.beat(ws, j1.id, claimed.lease, progress=0.5, log="half way") is False
    queue.request_cancel(ws, j1.id)
    assert queue.beat(ws, j1.id, claimed.lease) is True  # the running job sees the flag at its next step
    queue.finish(ws, j1.id, claimed.lease, "STOPPED", message="cancelled")
    assert queue.request_cancel(ws, j2.id).status == "STOPPED"  # waiting jobs stop at once
    assert [j.status for j in queue.list_jobs(ws)] == ["STOPPED", "STOPPED"]
    assert "half way" in queue.get(ws, j1.id).log
    with pytest.raises(BadInputError, match="unknown job kind"):
        queue.submit(ws, "mine bitcoin", {})


def test_a_job_is_cancelled_from_the_command_line(ws, capsys):
    """A fine-tune started in someone's browser, stopped by whoever runs the server."""
    from seep.cli import main
    from seep.workspace import accounts as acc

    running, waiting = queue.submit(ws, "evaluate", {"model": "x"}), queue.submit(ws, "predict_all", {})
    lease = queue.claim_next(ws, os.getpid()).lease
    root = str(ws.root)
    said = []
    for job_id in (running.id, waiting.id, waiting.id):
        assert main(["jobs", "--cancel", str(job_id), "--workspace", root]) == 0
        said.append(capsys.readouterr().out)
    assert said == [
        f"job {running.id} (evaluate): cancel requested; its worker stops it at its next step\n",
        f"job {waiting.id} (predict_all) stopped before it started\n",
        f"job {waiting.id} (predict_all) has already ended (stopped); nothing to cancel\n",
    ]
    assert queue.beat(ws, running.id, lease) is True  # the worker sees the request at its next step
    cancels = [(r["action"], r["target"], r["detail"]) for r in reversed(acc.audit_rows(ws)) if r["action"] == "cancel"]
    assert cancels == [("cancel", str(running.id), "evaluate"), ("cancel", str(waiting.id), "predict_all")]  # not the no-op
    assert main(["jobs", "--cancel", "99", "--workspace", root]) == 1
    assert capsys.readouterr().err == "error: no job 99 in this workspace; `python -m seep jobs` lists them\n"


def test_a_job_whose_worker_died_is_marked_failed(ws):
    job = queue.submit(ws, "evaluate", {"model": "x"})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lease = queue.claim_next(ws, dead.pid).lease
    queue.beat(ws, job.id, lease, log="started")
    assert queue.reap_dead(ws) == [job.id]
    j = queue.get(ws, job.id)
    assert j.status == "ERROR" and f"pid {dead.pid}" in j.message and "started" in j.log
    with pytest.raises(queue.LeaseLost, match="no longer this worker's"):  # a late write is refused
        queue.finish(ws, job.id, lease, "DONE")


def test_a_live_but_silent_worker_keeps_its_job_until_its_lease_runs_out(ws):
    """Liveness of a process on this machine says more than a late heartbeat: a busy or
    briefly paused worker keeps its job; silence longer than the lease ends it anywhere."""
    job = queue.submit(ws, "evaluate", {"model": "x"})
    lease = queue.claim_next(ws, os.getpid()).lease
    with ws.connect(write=True) as con:
        con.execute("UPDATE jobs SET heartbeat = heartbeat - 15 WHERE id = ?", (job.id,))
    assert queue.reap_dead(ws) == []  # 15 s silent, process alive, lease 20 s
    assert queue.reap_dead(ws, lease_s=10) == [job.id]
    assert "no sign of life for 15" in queue.get(ws, job.id).message
    with pytest.raises(queue.LeaseLost):
        queue.beat(ws, job.id, lease, progress=0.9)
    assert queue.get(ws, job.id).progress == 0


def test_finetune_registers_a_candidate_beside_its_parent(demo):
    first = run_finetune(demo, FinetuneParams(epochs=1, from_scratch=TINY, batch_size=4))
    assert first["base_model"] is None and reg.get_model(demo, first["model_id"]).parent is None
    reg.promote(demo, first["model_id"])
    second = run_finetune(demo, FinetuneParams(epochs=1, batch_size=4))
    cand = reg.get_model(demo, second["model_id"])
    assert cand.parent == first["model_id"] and not cand.active
    assert "iou" in cand.metrics and cand.train_images == second["train_tiles"] == 7
    assert second["base_binary_iou"] is not None and second["worse"] == cand.metrics["worse_than_base"]


def test_few_scenes_validate_on_held_out_tiles_of_the_same_scenes(demo):
    """3 reviewed scenes: keeping a whole one out would leave two thirds of the corrections
    unused, so a fifth of the tiles, spread over the scenes, checks the candidate instead."""
    p = plan(demo, FinetuneParams())
    assert p.val_scenes == [] and reg.get_setting(demo, "val_scenes") is None
    assert len(p.val) == 2 and len({r.scene for r in p.val}) == 2  # round(0.2 * 9), two scenes
    assert not {r.id for r in p.val} & {r.id for r in p.train} and len(p.train) == 7
    assert {r.scene for r in p.train} == {r.scene for r in demo.list_images()}
    assert [r.id for r in plan(demo, FinetuneParams()).val] == [r.id for r in p.val]  # stable


def test_many_scenes_validate_on_whole_fixed_scenes(tmp_path):
    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=5, tiles_per_scene=2, geo_scene=False), labelled_per_scene=2)
    p = plan(ws, FinetuneParams())
    assert p.val_scenes and {r.scene for r in p.val} == set(p.val_scenes)
    assert not {r.scene for r in p.train} & set(p.val_scenes)
    assert reg.get_setting(ws, "val_scenes") == p.val_scenes  # fixed: models stay comparable
    with pytest.raises(BadInputError, match=f"{p.val_scenes[0]}: validation scene, kept out of training"):
        plan(ws, FinetuneParams(train_scenes=(p.val_scenes[0],)))  # named on the command line: trained on nothing


def test_plan_counts_corrected_and_accepted_tiles(demo):
    for rec in demo.list_images()[:3]:
        _, mask = demo.label(rec.id)
        demo.save_label(rec.id, mask, parent=rec.head_version, author="ana")  # corrected
    p = plan(demo, FinetuneParams())
    assert p.corrected + p.accepted == len(p.train) and p.accepted == sum(r.status == "accepted" for r in p.train)
    assert p.corrected == sum(r.status == "corrected" for r in p.train) > 0
    assert p.as_predicted == 0  # the demo's labels are imported masks and an analyst's saves

    from helpers import sar_tile

    from seep.workspace.review import accept_prediction

    scene = demo.list_images()[0].scene
    fresh = [demo.add_image(sar_tile(50 + i, 256), name=f"sea.{i}", scene=scene)[0] for i in range(4)]
    for rec in fresh:  # a reviewer takes the model's prediction as it was, from the grid
        empty = np.zeros((rec.height, rec.width), np.uint8)
        demo.save_prediction(rec.id, "m", empty, empty.astype(np.float32), 0.0)
        accept_prediction(demo, rec.id, "m", author="rey")
    p = plan(demo, FinetuneParams())
    taken = {r.id for r in fresh}
    assert p.as_predicted == sum(r.id in taken for r in p.train) > 0  # those of them it trains on (not held out)
    assert f"accepted, {p.as_predicted} of them a model's prediction taken as it was)" in p.describe_training()


def test_since_a_model_counts_predictions_accepted_after_it(tmp_path, tiny_model, monkeypatch):
    """'Corrected since a model' trains on the labels that came after it. A prediction accepted
    with A after the model is such a label, though its version was written (by predict-all)
    before: it used to be left out, and with nothing else new the fine-tune was refused."""

    import seep.jobs.finetune as ft
    from seep.jobs.predict import predict_all
    from seep.learn.infer import Predictor
    from seep.workspace.review import Opened, accept

    monkeypatch.setattr(ft, "SHIPPED_MODEL", tmp_path / "no-shipped-model.pt")
    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=5, geo_scene=False), labelled_per_scene=2)
    predict_all(ws, Predictor(tiny_model), "old")  # the unlabelled tiles get the prediction as v1
    time.sleep(1.1)  # a model's time is kept to the second
    since = reg.register_model(ws, tiny_model, model_id="since").id
    with pytest.raises(BadInputError, match="no reviewed labels to train on"):
        plan(ws, FinetuneParams(since_model=since))  # nothing reviewed after it yet
    predicted = ws.list_images(ImageFilter(status=("predicted",)))[:3]
    for r in predicted:
        accept(ws, Opened(r.id, r.head_version, "label"), ws.label(r.id)[1], author="rey", dirty=False)
    p = plan(ws, FinetuneParams(since_model=since))
    held = {r.id for r in p.val}
    assert {r.id for r in p.train} == {r.id for r in predicted} - held and len(p.train) >= 2
    assert p.accepted == len(p.train)


def test_the_command_line_reaches_the_pages_training_sets_and_promote(demo, tiny_model, monkeypatch, capsys):
    """Chosen scenes, Corrected since a model and Promote if not worse, from `seep train`."""
    import seep.jobs.judge as judge
    from seep.cli import main

    reg.promote(demo, reg.register_model(demo, tiny_model, model_id="tiny").id)
    monkeypatch.setattr(judge, "evaluate", fake_evaluate(candidate_iou=0.50, base_iou=0.45))
    scene = demo.scenes()[0]
    ws = str(demo.root)
    assert main(["train", "--workspace", ws, "--epochs", "1", "--train-scenes", scene, "--promote"]) == 0
    assert "promoted: it is the active model now" in capsys.readouterr().err
    cand = reg.active_model(demo)
    assert cand.id != "tiny" and {demo.image(i).scene for i, _ in cand.data_snapshot} == {scene}
    time.sleep(1.1)  # a model's time is kept to the second
    reg.register_model(demo, tiny_model, model_id="later")
    assert main(["train", "--workspace", ws, "--epochs", "1", "--since-model", "later"]) == 1
    assert "no reviewed labels to train on" in capsys.readouterr().err  # nothing reviewed since
    assert main(["train", "--workspace", ws, "--since-model", "nosuch"]) == 1
    assert "no model 'nosuch' in this workspace" in capsys.readouterr().err
    assert main(["train", "--workspace", ws, "--train-scenes", "nosuch"]) == 1
    assert f"no scene nosuch in this workspace (scenes: {', '.join(demo.scenes())})" in capsys.readouterr().err
    assert main(["train", "--data", ws, "--promote", "--train-scenes", scene]) == 1
    assert "--train-scenes, --promote: only on a workspace's reviewed tiles" in capsys.readouterr().err


def test_finetune_without_reviewed_labels_says_what_to_do(tmp_path):
    ws = Workspace(tmp_path / "w")
    build_demo(ws, DemoSpec(scenes=2, tiles_per_scene=2, geo_scene=False), labelled_per_scene=0)
    with pytest.raises(SeepError, match="needs at least 2 reviewed tiles"):
        run_finetune(ws, FinetuneParams(epochs=1, from_scratch=TINY))


def wait_for(ws, job_id, statuses, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = queue.get(ws, job_id)
        if job.status in statuses:
            return job
        queue.reap_dead(ws)
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {queue.get(ws, job_id).status}: {queue.get(ws, job_id).log[-800:]}")


def test_worker_process_runs_cancels_and_dies_visibly(demo, tiny_model):
    # The worker is another process: give the workspace its own small active model to start from.
    reg.promote(demo, reg.register_model(demo, tiny_model, model_id="tiny").id)
    done = queue.submit(demo, "finetune", {"epochs": 1, "batch_size": 4, "auto_promote": True})
    long = queue.submit(demo, "finetune", {"epochs": 50, "batch_size": 2})
    pid = ensure_worker(demo)
    assert pid and ensure_worker(demo) is None  # one worker per workspace
    job = wait_for(demo, done.id, ("DONE", "ERROR"))
    assert job.status == "DONE", job.log
    r = job.result
    assert job.history and r["base_model"] == "tiny"
    assert r["promoted"] == (r["binary_iou"] >= r["base_binary_iou"])  # promoted only if not worse
    assert reg.active_model(demo).id == (r["model_id"] if r["promoted"] else "tiny")

    wait_for(demo, long.id, ("RUNNING",))
    while not queue.get(demo, long.id).history:  # let it get into its epochs
        time.sleep(0.2)
    t = time.monotonic()
    queue.request_cancel(demo, long.id)
    stopped = wait_for(demo, long.id, ("STOPPED", "DONE", "ERROR"))
    assert stopped.status == "STOPPED" and time.monotonic() - t < 5

    killed = queue.submit(demo, "finetune", {"epochs": 50, "batch_size": 2})
    running = wait_for(demo, killed.id, ("RUNNING",))
    active_before = reg.active_model(demo).id
    os.kill(running.pid, signal.SIGKILL)
    failed = wait_for(demo, killed.id, ("ERROR",), timeout=60)
    assert "died" in failed.message and reg.active_model(demo).id == active_before
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running.pid == pid and not Path(f"/proc/{pid}").exists()  # reaped: no zombie left in the app's process


def test_a_fenced_finetune_records_nothing_once_its_lease_is_gone(demo):
    def lost(con):
        raise queue.LeaseLost("job 7 is no longer this worker's (it is ERROR); its results are discarded")

    with pytest.raises(queue.LeaseLost):
        run_finetune(demo, FinetuneParams(epochs=1, from_scratch=TINY, batch_size=4, auto_promote=True), fence=lost)
    assert reg.list_models(demo) == [] and not list((demo.root / "models").glob("*.pt"))


def stop_outside_a_write(ws, pid: int) -> None:
    """SIGSTOP `pid` at a moment it holds no write lock on the database. A process stopped
    inside a write keeps everyone else out (they say so after 120 s): another test's matter;
    this one is about a stalled worker whose lease runs out."""
    for _ in range(50):
        os.kill(pid, signal.SIGSTOP)
        if _write_lock_free(ws):
            return
        os.kill(pid, signal.SIGCONT)  # stopped mid-write: let it finish and try again
        time.sleep(0.05)
    raise AssertionError("the worker never left its write transaction")


def _write_lock_free(ws) -> bool:
    if ws.store.dialect == "postgres":
        from seep.workspace.postgres import WRITE_LOCK

        with ws.connect() as con:  # released again at this transaction's end
            return con.execute("SELECT pg_try_advisory_xact_lock(?)", (WRITE_LOCK,)).fetchone()[0]
    import sqlite3

    con = sqlite3.connect(ws.db_path, timeout=0.2)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        con.close()


def test_a_stalled_worker_is_fenced_off_and_its_late_results_discarded(demo, tiny_model):
    """SIGSTOP a worker mid fine-tune; the job's lease runs out and it is marked ERROR; on
    SIGCONT the worker finds its lease gone, registers nothing, writes no progress, and
    serves the next job."""
    reg.promote(demo, reg.register_model(demo, tiny_model, model_id="tiny").id)
    stalled = queue.submit(demo, "finetune", {"epochs": 3, "batch_size": 2})
    ensure_worker(demo)
    running = wait_for(demo, stalled.id, ("RUNNING",))
    while not queue.get(demo, stalled.id).log:  # into the job's own work
        time.sleep(0.1)
    stop_outside_a_write(demo, running.pid)
    try:
        time.sleep(1.5)
        assert queue.reap_dead(demo, lease_s=1.0) == [stalled.id]
        at_reap = queue.get(demo, stalled.id)
        assert at_reap.status == "ERROR" and "lease was revoked" in at_reap.message
    finally:
        os.kill(running.pid, signal.SIGCONT)
    after = queue.submit(demo, "evaluate", {"model": "tiny"})
    served = wait_for(demo, after.id, ("DONE", "ERROR"), timeout=120)
    assert served.pid == running.pid  # the same worker, alive and serving
    late = queue.get(demo, stalled.id)
    assert (late.status, late.progress, late.history, late.log) == ("ERROR", at_reap.progress, at_reap.history, at_reap.log)
    assert [m.id for m in reg.list_models(demo)] == ["tiny"]


def test_listing_jobs_is_a_read_and_a_dead_workers_job_is_reaped_on_demand(ws):
    """The Train page polls the list every 2 s: that must not take the write lock. A job
    whose worker here has ended looks stale at once, one whose heartbeat stopped (a worker on
    another machine) after a few missed beats; reaping then marks it failed."""
    job = queue.submit(ws, "evaluate", {"model": "x"})
    queue.claim_next(ws, os.getpid())
    jobs = queue.list_jobs(ws)
    assert jobs[0].status == "RUNNING" and not queue.looks_stale(jobs)  # just claimed, by a live process
    with ws.connect(write=True) as con:
        con.execute("UPDATE jobs SET host = 'elsewhere' WHERE id = ?", (job.id,))
    assert not queue.looks_stale(queue.list_jobs(ws))  # its pid means nothing here: the beat counts
    with ws.connect(write=True) as con:
        con.execute("UPDATE jobs SET heartbeat = heartbeat - 30 WHERE id = ?", (job.id,))
    jobs = queue.list_jobs(ws)
    assert jobs[0].status == "RUNNING" and queue.looks_stale(jobs)  # listing changed nothing
    assert queue.reap_dead(ws) == [job.id] and queue.list_jobs(ws)[0].status == "ERROR"

    job = queue.submit(ws, "evaluate", {"model": "x"})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    queue.claim_next(ws, dead.pid)
    jobs = queue.list_jobs(ws)
    assert jobs[0].status == "RUNNING" and queue.looks_stale(jobs)  # its process here is gone: no waiting for beats
    assert queue.reap_dead(ws) == [job.id] and "died" in queue.get(ws, job.id).message


def test_a_running_job_says_elapsed_and_time_left_and_a_finished_one_its_duration():
    from dataclasses import replace
    from datetime import UTC, datetime

    from seep.ui.charts import training_curves

    job = queue.Job(
        1,
        "finetune",
        "RUNNING",
        {},
        "2026-01-01T10:00:00+00:00",
        "2026-01-01T10:00:00+00:00",
        None,
        1,
        0.0,
        0.25,
        "",
        [],
        "",
        False,
        {},
    )
    now = datetime(2026, 1, 1, 10, 1, 20, tzinfo=UTC)
    assert job.timing(now) == "1 min 20 s elapsed, about 4 min 00 s left"
    assert replace(job, progress=0.0).timing(now) == "1 min 20 s elapsed"  # nothing to extrapolate from yet
    done = replace(job, status="DONE", finished_at="2026-01-01T11:02:03+00:00", progress=1.0)
    assert done.timing(now) == "took 1 h 02 min"
    assert replace(job, started_at=None, status="SUBMITTED").timing(now) == ""
    fig = training_curves([{"epoch": e, "loss": 1.0 / e} for e in range(1, 31)])
    assert fig.layout.xaxis.tickformat == "d" and fig.layout.xaxis.dtick == 3  # whole epochs, never 1.2, 1.4
    assert (fig.layout.yaxis2.tickmode, fig.layout.yaxis2.dtick) == ("linear", 0.2)  # IoU 0, 0.2, ..., never 0.168


def test_the_estimate_before_any_job_measures_this_machine_once(demo, monkeypatch):
    """No fine-tune has run: the speed comes from a few real steps, measured once per host and
    architecture and kept; the first job's own speed then takes over."""
    from dataclasses import replace

    import seep.jobs.finetune as ft
    from seep.learn.speed import Speed

    calls = []
    monkeypatch.setattr(ft, "measure", lambda cfg, **kw: calls.append(cfg) or Speed(crops_per_s=10.0, tiles_per_s=5.0))
    params = ft.FinetuneParams(epochs=2, from_scratch=TINY)
    p = ft.plan(demo, params)
    crops = (len(p.train) + len(p.replay)) * params.crops_per_tile
    first = ft.estimate_seconds(demo, params, p)
    assert first == pytest.approx(2 * (crops / 10 + len(p.val) / 5) + 3 * len(p.val) / 5 + ft.JOB_OVERHEAD_S)
    assert ft.estimate_seconds(demo, params, p) == first and len(calls) == 1  # kept in the workspace
    assert (
        ft.estimate_seconds(demo, ft.FinetuneParams(epochs=2, from_scratch=TINY, batch_size=4), p) and len(calls) == 2
    )  # another setting
    monkeypatch.setattr(ft, "SHIPPED_MODEL", Path(__file__))  # a base: the candidate is read on the unreviewed rest
    kept, not_kept = (ft.estimate_seconds(demo, replace(params, keep_area=k), p) for k in (True, False))
    assert kept - not_kept == pytest.approx(ft.REST_TILES / 5)  # keeping the seep area reads it once more
