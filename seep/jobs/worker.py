"""The worker: a separate process that runs the workspace's jobs one at a time.

The app starts one (detached, so it outlives page reruns, closed tabs and an app restart)
when a job is submitted and no worker serves the queue; that one exits after a while with
nothing to do. `python -m seep worker` started by hand on another machine (a GPU node
sharing the workspace folder and its PostgreSQL database) serves the same queue and waits
for work until stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from seep.errors import Cancelled, SeepError
from seep.jobs import queue
from seep.workspace import Workspace
from seep.workspace import registry as reg

IDLE_EXIT_S = 60.0


def _run_finetune(ws: Workspace, job: queue.Job, ctx: _Context) -> dict:
    from seep.jobs.finetune import FinetuneParams, run_finetune

    params = FinetuneParams.from_dict(job.params)

    def on_epoch(rec: dict) -> None:
        ctx.update(
            progress=rec["epoch"] / params.epochs,
            epoch=rec,
            log=f"epoch {rec['epoch']}: loss {rec['loss']:.3f}, val IoU {rec.get('val_binary_iou', 0):.3f}",
        )

    def on_step(step: int, steps: int, loss: float) -> None:
        epoch = len(queue.get(ws, job.id).history)
        ctx.update(
            progress=(epoch + step / steps) / params.epochs, message=f"epoch {epoch + 1} of {params.epochs}, step {step}/{steps}"
        )

    return run_finetune(
        ws,
        params,
        job_id=job.id,
        on_epoch=on_epoch,
        on_step=on_step,
        on_log=lambda m: ctx.update(log=m, message=m),
        should_stop=ctx.stopped,
        fence=ctx.fence,
    )


def _run_predict_all(ws: Workspace, job: queue.Job, ctx: _Context) -> dict:
    from seep.jobs.finetune import base_model
    from seep.jobs.predict import predict_all
    from seep.learn.infer import Predictor

    model = base_model(ws, job.params.get("model"))
    if model is None:
        raise SeepError("no model to predict with: train one or promote one first")
    return predict_all(
        ws,
        Predictor(model.path(ws)),
        model.id,
        only_unreviewed=bool(job.params.get("only_unreviewed")),
        scene=job.params.get("scene"),
        on_progress=lambda i, n: ctx.update(progress=i / n, message=f"{i}/{n} images"),
        should_stop=ctx.stopped,
    )


def _run_evaluate(ws: Workspace, job: queue.Job, ctx: _Context) -> dict:
    from seep.jobs.finetune import score_registered

    model = reg.get_model(ws, job.params["model"])
    report, p = score_registered(
        ws, model, on_progress=lambda i, n: ctx.update(progress=i / n, message=f"{i}/{n} tiles"), fence=ctx.fence
    )
    summary = f"{model.id}: binary seep IoU {report['binary_iou']:.3f} on {p.describe_validation()}"
    return {"model_id": model.id, "binary_iou": report["binary_iou"], "val_tiles": len(p.val), "summary": summary}


def _run_import_scene(ws: Workspace, job: queue.Job, ctx: _Context) -> dict:
    """The import, then (with params["predict"]) the active model's predictions of the scene."""
    from seep.jobs.predict import predict_imported
    from seep.workspace.scenes import import_scene, scene_names

    p = job.params
    share = 0.5 if p.get("predict") else 1.0  # of the progress bar: the import's, then the prediction's
    report = import_scene(
        ws,
        Path(p["path"]),
        mask=Path(p["mask"]) if p.get("mask") else None,
        scene=p.get("scene"),
        author=p["author"],
        acquired=p.get("acquired"),
        on_progress=lambda i, n: ctx.update(progress=share * i / n, message=f"{i:,}/{n:,} tile windows read"),
        should_stop=ctx.stopped,
    )
    for w in report.warnings:
        ctx.update(log=f"warning: {w}")
    ctx.update(log=report.summary())
    summary = report.summary()
    if p.get("predict") and report.scene in scene_names(ws):  # none is made when every tile was already here
        predicted = predict_imported(
            ws,
            report.scene,
            on_progress=lambda i, n: ctx.update(progress=share + share * i / n, message=f"{i:,}/{n:,} tiles predicted"),
            should_stop=ctx.stopped,
        )
        ctx.update(log=predicted)
        summary = f"{summary}; {predicted}"
    return {
        "scene": report.scene,
        "tiles": report.tiles,
        "masks": report.masks,
        "skipped_no_data": report.skipped_no_data,
        "summary": summary,  # the job's message: what was added, and what was not
        "warnings": report.warnings,  # shown on the job, not only in its log (all present: no scene made)
        # Stopped while predicting, the scene is kept whole: say so, not a bare "cancelled".
        "if_stopped": f"{report.summary()}; its prediction was stopped part way (Predict this scene finishes it)",
    }


RUNNERS = {
    "finetune": _run_finetune,
    "predict_all": _run_predict_all,
    "evaluate": _run_evaluate,
    "import_scene": _run_import_scene,
}


class _Context:
    """The running job's link to its row: progress, log, heartbeat, cancel, and the lease
    that every one of those writes must still hold. Its beat also tells the app that this
    worker is alive while it is busy."""

    def __init__(self, ws: Workspace, job: queue.Job):
        self.ws, self.job_id, self.lease, self.device = ws, job.id, job.lease, job.device or "cpu"
        self.cancel = self.lost = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beater = threading.Thread(target=self._beat_forever, daemon=True)
        self._beater.start()

    def _beat_forever(self) -> None:
        while not self._stop.wait(queue.HEARTBEAT_S):
            queue.announce(self.ws, os.getpid(), self.device)
            self.update()

    def update(self, **kw) -> None:
        with self._lock:
            if self.lost:
                return
            try:
                self.cancel = queue.beat(self.ws, self.job_id, self.lease, **kw) or self.cancel
            except queue.LeaseLost as e:
                self.lost = self.cancel = True  # the job stops at its next step, writing nothing more
                _say(e)

    def fence(self, con) -> None:
        queue.hold(con, self.job_id, self.lease)

    def stopped(self) -> bool:
        return self.cancel

    def finish(self, status: str, **kw) -> None:
        if not self.lost:
            try:
                queue.finish(self.ws, self.job_id, self.lease, status, **kw)
            except queue.LeaseLost as e:
                _say(e)

    def close(self) -> None:
        self._stop.set()


def device_name() -> str:
    """What this worker trains on, as the Train page shows it."""
    import torch

    return f"cuda: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else "cpu"


def run_worker(ws_path: Path, idle_exit_s: float | None = IDLE_EXIT_S) -> None:
    """Serve the queue; return after `idle_exit_s` with nothing to do (None: never)."""
    # Below the app in CPU priority: on a 2-core machine a training job otherwise makes
    # page interactions wait; the job itself barely slows when the app is idle.
    os.nice(10)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` leaves the workers table as Ctrl-C does
    ws = Workspace(ws_path, create=False)
    pid, device = os.getpid(), device_name()
    idle_since = time.monotonic()
    try:
        while True:
            queue.announce(ws, pid, device)
            job = queue.claim_next(ws, pid, device)
            if job is None:
                if idle_exit_s is not None and time.monotonic() - idle_since > idle_exit_s:
                    return
                time.sleep(0.5)
                continue
            run_job(ws, job)
            idle_since = time.monotonic()
    finally:
        queue.depart(ws, pid)


def run_job(ws: Workspace, job: queue.Job) -> None:
    """Run one claimed job to its end; a failure is the job's, never the worker's."""
    ctx = _Context(ws, job)
    try:
        result = RUNNERS[job.kind](ws, job, ctx)
        stopped = ctx.cancel or bool(result.get("stopped"))
        done = result.get("summary") or "finished"  # predict-all says what it skipped and why
        ctx.finish(
            "STOPPED" if stopped else "DONE", message=result.get("if_stopped", "cancelled") if stopped else done, result=result
        )
    except queue.LeaseLost as e:  # a fenced write refused: nothing of this job is recorded
        _say(e)
    except Cancelled as e:  # stopped on request, and says what it kept
        ctx.finish("STOPPED", message=str(e))
    except SeepError as e:
        ctx.update(log=f"error: {e}")
        ctx.finish("ERROR", message=str(e))
    except Exception as e:  # a bug: keep the traceback in the job's log
        ctx.update(log=traceback.format_exc()[-4000:])
        ctx.finish("ERROR", message=f"{type(e).__name__}: {e}")
    finally:
        ctx.close()


def _say(e: Exception) -> None:
    """A line in the worker's own log (logs/worker.log): the job's row is no longer ours to write."""
    print(f"worker {os.getpid()}: {e}", file=sys.stderr, flush=True)


def ensure_worker(ws: Workspace) -> int | None:
    """Start a detached worker here unless a live one serves the queue (here or on another
    machine); returns the new pid, if any."""
    if queue.live_workers(ws):
        return None
    (ws.root / "logs").mkdir(exist_ok=True)
    log = open(ws.root / "logs" / "worker.log", "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "seep", "worker", "--workspace", str(ws.root.resolve()), "--idle-exit", str(IDLE_EXIT_S)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives the app process and its reruns
    )
    log.close()  # the child holds its own copy
    # Collect its exit status when it ends, or it lingers as a zombie of the app's process.
    threading.Thread(target=proc.wait, name=f"seep-worker-{proc.pid}-reaper", daemon=True).start()
    queue.announce(ws, proc.pid, "starting")  # so the next page run does not start a second one
    return proc.pid
