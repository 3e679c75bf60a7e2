"""Plotly figures for training progress and model evaluation (pure: data in, figure out).

Class names and model ids are user text: Plotly reads tags such as <a href> in labels, so
they pass through chart_text (Plotly shows its entities as the characters typed)."""

from __future__ import annotations

import plotly.graph_objects as go

from seep.ui.text import chart_text


def training_curves(history: list[dict]) -> go.Figure:
    epochs = [h["epoch"] for h in history]
    fig = go.Figure()
    fig.add_scatter(x=epochs, y=[h["loss"] for h in history], name="training loss", mode="lines+markers")
    fig.add_scatter(
        x=epochs,
        y=[h.get("val_binary_iou") for h in history],
        name="validation seep IoU",
        mode="lines+markers",
        yaxis="y2",
    )
    fig.update_layout(
        height=280,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="epoch", tickformat="d", dtick=max(1, -(-len(epochs) // 10))),  # whole epochs, about 10 ticks
        yaxis=dict(title="loss"),
        # Left to itself the overlaying axis puts its ticks on the loss grid lines (IoU 0.168, 0.502, ...).
        yaxis2=dict(
            title="IoU", overlaying="y", side="right", range=[0, 1], tickmode="linear", tick0=0, dtick=0.2, showgrid=False
        ),
        legend=dict(orientation="h", y=1.15),
    )
    return fig


def iou_bars(reports: dict[str, dict]) -> go.Figure:
    """Per-class IoU of one or more models (name -> evaluation report), side by side. A class no
    report scores (in neither the labels nor the predictions) is left off rather than drawn as
    an empty slot that reads as IoU 0; the table under the chart names it."""
    first = next(iter(reports.values()))
    scored = [i for i in range(len(first["classes"])) if any(r["iou"][i] is not None for r in reports.values())]
    fig = go.Figure()
    for name, r in reports.items():
        x = ["seep (binary)", *(chart_text(r["classes"][i]) for i in scored)]
        y = [r.get("binary_iou"), *(r["iou"][i] for i in scored)]
        # The value over each bar: an IoU of 0 draws no bar at all, and would look like no score.
        fig.add_bar(x=x, y=y, name=chart_text(name), texttemplate="%{y:.2f}", textposition="outside")
    fig.update_layout(
        barmode="group",
        height=300,
        margin=dict(l=10, r=10, t=30, b=10),
        # Headroom over 1 for the value over a bar near it, which the plot area would clip.
        yaxis=dict(range=[0, 1.12], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1]),
        yaxis_title="IoU",
        legend=dict(orientation="h", y=1.15),
    )
    return fig


def expected_iou_bars(scores: dict, names: list[str], colours: list[str]) -> go.Figure:
    """Cross-validated IoU, seep or not and per seep class (`names` and `colours` in the order
    of `scores["iou"]`), the mean over folds with the spread as a whisker: one number per class
    would hide how much scenes differ. The figures are in the axis labels, where no whisker
    covers them and an IoU of 0, which draws no bar, still reads as a score."""
    rows = [("seep or not", scores["binary_iou"], "#888888"), *zip(names, scores["iou"], colours, strict=True)]
    rows = [r for r in rows if r[1]["mean"] is not None]
    fig = go.Figure(
        go.Bar(
            x=[f"{chart_text(name)}<br>{s['mean']:.2f} ± {s['std']:.2f}" for name, s, _ in rows],
            y=[s["mean"] for _, s, _ in rows],
            error_y=dict(type="data", array=[s["std"] for _, s, _ in rows], visible=True, color="#444444"),
            marker_color=[colour for _, _, colour in rows],
        )
    )
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), yaxis=dict(range=[0, 1]), yaxis_title="IoU")
    return fig


def confusion_heatmap(report: dict, names: list[str]) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=report["confusion_matrix"],
            x=[chart_text(n) for n in names],
            y=[chart_text(n) for n in names],
            colorscale="Blues",
            zmin=0,
            zmax=1,
            text=[[f"{v:.2f}" for v in row] for row in report["confusion_matrix"]],
            texttemplate="%{text}",
        )
    )
    fig.update_layout(
        height=420,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="predicted",
        yaxis_title="truth",
        yaxis=dict(autorange="reversed"),
    )
    return fig


def pr_curves(report: dict) -> go.Figure:
    fig = go.Figure()
    for name, curve in (report.get("pr_curves") or {}).items():
        fig.add_scatter(x=curve["recall"], y=curve["precision"], name=chart_text(name), mode="lines")
    fig.update_layout(
        height=340,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="recall", range=[0, 1]),
        yaxis=dict(title="precision", range=[0, 1]),
        legend=dict(orientation="h", y=1.15),
    )
    return fig
