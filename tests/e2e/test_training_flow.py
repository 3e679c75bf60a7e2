"""Fine-tuning from the browser: corrections become a model, watched live, promoted; jobs
survive an app restart; a cancel and a killed worker are handled without losing anything."""

import os
import re
import signal
import socket
import time

from browser import editor_ready, eventually, shot, wait_for_app

from seep.jobs import queue
from seep.ui.launch import free_port, start_app
from seep.workspace import ImageFilter, Workspace
from seep.workspace import registry as reg


def wait_job(ws, job_id, statuses, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = queue.get(ws, job_id)
        if job.status in statuses:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} is {queue.get(ws, job_id).status}: {queue.get(ws, job_id).log[-600:]}")


def start_job(page, url, ws, epochs):
    before = len(queue.list_jobs(ws))
    page.goto(f"{url}/train")
    wait_for_app(page)
    field = page.get_by_role("spinbutton", name="Epochs")
    field.fill(str(epochs))
    field.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start fine-tune").click()
    deadline = time.monotonic() + 20
    while len(queue.list_jobs(ws)) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    return queue.list_jobs(ws, limit=1)[0]


def test_correct_finetune_promote_cancel_kill_restart(server, page):
    url, ws_path = server
    ws = Workspace(ws_path, create=False)

    # Correct three tiles in the editor.
    ids = ws.image_ids()
    page.goto(f"{url}/review?image={ids[0]}")
    for i in range(3):
        box = editor_ready(page, f"{ids[i]}:label:1").bounding_box()
        wait_for_app(page)
        page.mouse.move(box["x"] + 30, box["y"] + 40 + 20 * i)
        page.mouse.down()
        page.mouse.move(box["x"] + 250, box["y"] + 40 + 20 * i, steps=12)
        page.mouse.up()
        page.keyboard.press("s")
        editor_ready(page, f"{ids[i]}:label:2")
        wait_for_app(page)
        page.keyboard.press("n")
    assert ws.count_images(ImageFilter(status=("corrected",))) == 3

    # Before any job: the time is estimated from this machine's measured speed, and the
    # validation tiles are counted as they will be.
    page.goto(f"{url}/train")
    wait_for_app(page)
    page.get_by_text(re.compile(r"checks the candidate against its base on [1-9]\d* .*estimated time \d")).wait_for()
    # One epoch of fine-tuning, watched on the Train page.
    job = start_job(page, url, ws, epochs=1)
    page.get_by_text(f"Fine-tune · job {job.id}").wait_for()
    done = wait_job(ws, job.id, ("DONE", "ERROR"))
    assert done.status == "DONE", done.log
    candidate = done.result["model_id"]
    page.get_by_role("button", name=f"Promote {candidate}").wait_for(timeout=30_000)
    # The page is still drawing the comparison with the active model above the button (its chart
    # and table, once the base has figures): a click before the run ends can land on a button the
    # run then replaces.
    wait_for_app(page)
    shot(page, "10-train-candidate")
    page.get_by_role("button", name=f"Promote {candidate}").click()
    assert eventually(lambda: reg.active_model(ws).id == candidate)
    page.get_by_text(f"{candidate} is now the active model").wait_for()  # said after the rerun that shows it

    # Review now shows the new model's prediction on an unlabelled tile.
    unlabelled = ws.list_images(ImageFilter(status=("unlabelled",)))[0]
    page.goto(f"{url}/review?image={unlabelled.id}")
    page.get_by_text(f"Editing the prediction of model {candidate}").wait_for(timeout=60_000)
    assert ws.prediction(unlabelled.id, candidate) is not None
    shot(page, "11-review-new-model")

    # Tiles still labelled with the earlier model's untouched prediction: Review says so and takes
    # the new model's in one click; Predict all puts it on the others, so the analyst corrects
    # what the newest model says.
    opened, stale = ws.list_images(ImageFilter(status=("unlabelled",)))[1:3]
    empty = ws.label(ids[0], 1)[1] * 0
    for tile in (opened, stale):
        ws.save_label(tile.id, empty, parent=None, author="model", source="predicted", model_id="seep-unet-cgg")
    page.goto(f"{url}/review?image={opened.id}")
    page.get_by_role("button", name=f"Use {candidate}'s prediction").click()
    page.get_by_text("Editing label v2").first.wait_for(timeout=60_000)
    assert ws.version(opened.id).model_id == candidate
    page.goto(f"{url}/train")
    wait_for_app(page)
    page.get_by_role("button", name="Predict with the active model").click()
    page.get_by_text(re.compile(r"^Job \d+ queued$")).wait_for()
    assert eventually(lambda: ws.version(stale.id).model_id == candidate, timeout=120)
    page.goto(f"{url}/review?image={stale.id}")
    page.get_by_text("Editing label v2").first.wait_for(timeout=60_000)

    # Cancel a running job: stopped within 5 s. While it runs, progress names the epochs and the time.
    job = start_job(page, url, ws, epochs=200)
    page.get_by_text(re.compile(r"epoch \d+ of 200, step \d+/\d+ · .*elapsed")).wait_for(timeout=60_000)
    running = wait_job(ws, job.id, ("RUNNING",))
    where = re.compile(rf"Worker: {re.escape(socket.gethostname())} \((cpu|cuda: .*)\), pid {running.pid}")
    page.get_by_text(where).wait_for()  # which machine, on what, runs it
    page.get_by_role("button", name="Cancel").click()
    t = time.monotonic()
    stopped = wait_job(ws, job.id, ("STOPPED", "DONE", "ERROR"), timeout=30)
    assert stopped.status == "STOPPED" and time.monotonic() - t < 5

    # Restart the app during a job: its progress is still there.
    job = start_job(page, url, ws, epochs=200)
    wait_job(ws, job.id, ("RUNNING",))
    port = free_port()
    other = start_app(ws_path, port)
    try:
        page.goto(f"http://127.0.0.1:{port}/train")
        page.get_by_text(f"Fine-tune · job {job.id}").wait_for(timeout=60_000)
        shot(page, "12-train-after-restart")
        assert queue.get(ws, job.id).status == "RUNNING"

        # Kill the worker: the job is marked failed, the active model stays.
        active = reg.active_model(ws).id
        os.kill(queue.get(ws, job.id).pid, signal.SIGKILL)
        page.get_by_text("died").first.wait_for(timeout=60_000)
        assert queue.get(ws, job.id).status == "ERROR"
        assert reg.active_model(ws).id == active
        shot(page, "13-train-worker-killed")
    finally:
        other.terminate()
        other.wait(10)
