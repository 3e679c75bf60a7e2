"""A background job as the pages show it: what it is, how far it got, cancel, its log."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from seep.errors import SeepError
from seep.jobs import queue
from seep.ui import session
from seep.ui.tables import show_table, when
from seep.ui.text import plain
from seep.workspace import Workspace

KIND_NAMES = {"finetune": "Fine-tune", "predict_all": "Predict all", "evaluate": "Evaluate", "import_scene": "Import scene"}


def job_card(ws: Workspace, job: queue.Job, key: str, extra: Callable[[], None] | None = None) -> None:
    """One job in a bordered box; `extra` draws job-specific content under its progress bar."""
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{KIND_NAMES[job.kind]} · job {plain(job.id)}** · {job.status.lower()}")
            if job.active:
                cancel_button(ws, job, key)
        timing = job.timing()
        text = plain(job.message) if job.message else "waiting for the worker"
        st.progress(min(max(job.progress, 0.0), 1.0), text=f"{text} · {timing}" if timing else text)
        if job.host:
            st.caption(f"Worker: {plain(job.where)}")
        elif job.active:
            st.caption(plain(serving(ws)))
        if extra:
            extra()
        if job.status == "ERROR":
            st.error(plain(job.message))
        for warning in job.result.get("warnings", []) if job.status == "DONE" else []:
            st.warning(plain(warning))
        if job.log:
            with st.expander("Log"):
                st.code("\n".join(job.log.splitlines()[-30:]), language=None)


def cancel_button(ws: Workspace, job: queue.Job, key: str) -> None:
    """Stops the job, for those whose role may start it (drawn disabled for the others, and
    checked again on the click: the role may have changed since)."""
    need = queue.STARTED_BY[job.kind]
    if st.button("Cancel", key=f"{key}_cancel_{job.id}", icon=":material/stop:", disabled=not session.allowed(ws, need)):
        try:
            session.require(ws, need)
            queue.request_cancel(ws, job.id, actor=session.author())
            st.rerun(scope="fragment")
        except SeepError as e:
            session.show_error(e)


def serving(ws: Workspace) -> str:
    """Which workers serve the queue, for a job that waits: here, or a GPU node elsewhere."""
    workers = queue.live_workers(ws)
    if not workers:
        return "No worker is running yet; one starts on this server."
    names = ", ".join(f"{w['host']} ({w['device']})" for w in workers)
    return f"Workers serving this queue: {names}."


def newest_job(ws: Workspace, kinds: tuple[str, ...] | None = None) -> queue.Job | None:
    """The running job (of those kinds), else the newest one; a worker that died is reaped first."""
    jobs = queue.list_jobs(ws, limit=20)
    if queue.looks_stale(jobs) and queue.reap_dead(ws):  # a worker died: say so instead of "running"
        jobs = queue.list_jobs(ws, limit=20)
    jobs = [j for j in jobs if kinds is None or j.kind in kinds]
    return next((j for j in jobs if j.active), None) or next(iter(jobs), None)


def past_jobs(ws: Workspace, limit: int = 50) -> None:
    """The jobs of this workspace, newest first: what ran, how it ended, how long it took and
    what it said (a fine-tune's model, what Predict all skipped, an error)."""
    jobs = queue.list_jobs(ws, limit=limit)
    if not jobs:
        return
    with st.expander(f"Past jobs ({len(jobs)})", icon=":material/history:"):
        show_table(
            [
                {
                    "job": j.id,
                    "kind": KIND_NAMES[j.kind],
                    "status": j.status.lower(),
                    "submitted": when(j.created_at),
                    "time": j.timing(),
                    "worker": j.where,
                    "model": j.result.get("model_id", ""),
                    "message": j.message,  # a dataframe cell shows text as text
                }
                for j in jobs
            ],
            key="train_past_jobs",
        )
