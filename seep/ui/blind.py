"""Blind double labelling in the app: a reviewer's send form (Review: this tile; Browse: the
filtered tiles), the round's panel on Review (the analyst's note; the reviewer's comparison
and verdict), and the agreement tables of the Models page."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from seep.data.display import difference, difference_counts, difference_overlay
from seep.errors import SeepError
from seep.ui import session
from seep.ui.tables import show_table
from seep.ui.text import plain
from seep.workspace import ImageRecord, Workspace, agreement
from seep.workspace.accounts import accounts_enabled, list_users
from seep.workspace.render import DisplaySettings, render_tile


def send_form(ws: Workspace, tiles: Callable[[], list[str]], author: str, *, key: str, label: str) -> None:
    """Pick two analysts and send them `tiles()` to label blind (listed only on Send: Browse
    draws this form on every rerun)."""
    if not session.allowed(ws, "blind"):
        return
    sends = st.session_state.get(f"{key}_sends", 0)  # keys the popover: drawn anew, closed, after a send
    with st.popover(label, icon=":material/visibility_off:", key=f"{key}_pop_{sends}"):
        with st.form(f"{key}_form", border=False):
            if accounts_enabled(ws):
                people = [u["name"] for u in list_users(ws) if u["active"]]
                pair = st.multiselect("Two analysts", people, max_selections=2, key=f"{key}_pair")
            else:  # single-user mode: names as typed in the sidebar
                pair = [st.text_input("First analyst", key=f"{key}_a"), st.text_input("Second analyst", key=f"{key}_b")]
            st.caption("Each labels the tile without seeing the other's mask; a reviewer then keeps one.")
            if not st.form_submit_button("Send", type="primary"):
                return
    try:
        session.require(ws, "blind")
        sent, skipped = agreement.send(ws, tiles(), tuple(pair), by=author)
    except SeepError as e:
        session.show_error(e)
        return
    note = f"; {skipped} already had a round" if skipped else ""
    st.session_state[f"{key}_sends"] = sends + 1
    session.rerun_saying(
        f"Sent {sent} tile{'s' * (sent != 1)} blind to {plain(' and '.join(pair))}{note}", icon=":material/visibility_off:"
    )


def panel(ws: Workspace, image: ImageRecord, rnd, author: str, display: DisplaySettings, on_closed) -> None:
    """The tile's blind round: what each person may see of it and do with it."""
    if rnd is None:
        # One line at 1024 px: Streamlit cuts a longer label short.
        send_form(ws, lambda: [image.id], author, key="review_blind_send", label="Send blind")
        return
    names = plain(" and ".join(rnd.analysts))
    if author in rnd.saved:
        st.info(
            f"**Blind double label.** {plain(rnd.sent_by)} sent this tile to {names}: label it on your own; "
            "nobody sees your mask until a reviewer compares the two. "
            + ("Yours is saved; saving again replaces it." if rnd.saved[author] else "Yours is not saved yet."),
            icon=":material/visibility_off:",
        )
        return
    reviewer = session.allowed(ws, "blind")
    if not rnd.ready or not reviewer:
        waiting = f"waiting for {plain(' and '.join(rnd.waiting_on))}" if not rnd.ready else "both are in, for a reviewer"
        st.caption(f"Sent blind to {names} by {plain(rnd.sent_by)} on {rnd.sent_at[:10]}: {waiting}.")
    if reviewer and rnd.ready:
        compare(ws, image, rnd, author, display, on_closed)
    if reviewer and st.button("Withdraw the blind round", key="review_blind_withdraw"):
        _act(ws, lambda: agreement.withdraw(ws, rnd.id, by=author), "Withdrew the blind round", on_closed)


def compare(ws: Workspace, image: ImageRecord, rnd, reviewer: str, display: DisplaySettings, on_closed) -> None:
    """Both blind masks, their agreement per class, where they differ; keep one."""
    c = agreement.compare(ws, rnd)
    a, b = rnd.analysts
    st.markdown(f"**Blind double label: {plain(a)} and {plain(b)} agree on seep IoU {c.iou[0]:.2f}**")
    show_table(
        [{"class": "any seep" if k == 0 else ws.classes[k].name, "IoU": v} for k, v in c.iou.items()],
        column_config={"IoU": st.column_config.ProgressColumn("IoU", min_value=0, max_value=1, format="%.2f")},
    )
    base = render_tile(ws, image.id, display=display)
    diff = difference(c.masks[b], c.masks[a])
    counts = difference_counts(diff)
    st.image(difference_overlay(base, diff), width="stretch")
    st.caption(
        f"hatched magenta: only {plain(a)} drew seep ({counts['missed']:,} px) · cyan: only {plain(b)} "
        f"({counts['false alarm']:,} px) · white: different classes ({counts['other class']:,} px)"
    )
    cols = st.columns(2)
    for i, (col, name) in enumerate(zip(cols, (a, b), strict=True)):
        col.image(render_tile(ws, image.id, display=display, mask=c.masks[name]), caption=plain(name), width="stretch")
        if col.button(f"Keep {plain(name)}'s", key=f"review_blind_keep_{i}", type="primary"):
            _act(
                ws,
                lambda n=name: agreement.adjudicate(ws, rnd.id, n, reviewer=reviewer),
                f"Kept {plain(name)}'s label as the accepted version",
                on_closed,
            )


def _act(ws: Workspace, do, done: str, on_closed) -> None:
    try:
        session.require(ws, "blind")
        do()
    except SeepError as e:
        session.show_error(e)
        return
    on_closed()
    session.rerun_saying(done, icon=":material/visibility_off:")


def quality(ws: Workspace) -> None:
    """Agreement per analyst and per class over time (the Models page)."""
    people = agreement.by_analyst(ws)
    if not people:
        st.caption(
            "No blind double labels yet. A reviewer sends tiles to two analysts (Browse or Review); "
            "once both have labelled a tile, their agreement shows here."
        )
        return
    show_table(
        people,
        column_config={
            "rounds": st.column_config.NumberColumn("tiles labelled blind", help="with both masks in"),
            "seep IoU": st.column_config.ProgressColumn("seep IoU with the colleague", min_value=0, max_value=1, format="%.2f"),
            "adjudicated": st.column_config.NumberColumn("adjudicated"),
            "kept": st.column_config.NumberColumn("kept by the reviewer"),
        },
    )
    rows = agreement.by_class_and_month(ws)
    table: dict[str, dict] = {}
    for r in rows:
        name = "any seep" if r["class_id"] == 0 else ws.classes[r["class_id"]].name
        table.setdefault(name, {"class": name})[r["month"]] = r["IoU"]
        table[name]["tiles"] = table[name].get("tiles", 0) + r["rounds"]
    show_table(list(table.values()))
    st.caption(
        "Mean IoU between the two analysts per class and month (the month the second mask came in), over the tiles "
        "where either drew the class. A class that stays low is one the team draws differently: define it better."
    )
