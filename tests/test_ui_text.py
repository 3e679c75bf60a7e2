"""plain(): user text inside Streamlit markdown keeps its characters and loses its markup."""

import re

import pytest

from seep.ui.text import plain


def visible(md: str) -> str:
    """What a reader sees: markdown's backslash escapes resolved, word joiners invisible."""
    return re.sub(r"\\(.)", r"\1", md).replace("\u2060", "")


def test_markup_is_escaped_and_the_characters_kept():
    for text in ["![x](http://a.b/p.png)", "**b** _i_ `c` <b>h</b> $x^2$ #h", ":red[x] :smile: www.a.b a@b.c", "a\\b|c~d"]:
        md = plain(text)
        assert visible(md) == text
        assert "](" not in md and "**" not in md and "`" not in md.replace("\\`", "")
        assert md.count(":") == md.count(":\u2060")  # no icon, colour directive or URL can form


def test_one_line():
    assert visible(plain("name\n\n# heading\r\n- item")) == "name # heading - item"
    assert plain(42) == "42"


def test_list_markers_are_escaped_only_where_they_would_make_a_list():
    assert plain("900101.000001") == "900101.000001"  # tile names read as typed in the markdown too
    for text in ["1. item", "- item", "+ item", "---"]:
        assert plain(text) != text and visible(plain(text)) == text


def test_a_class_without_a_score_is_named_as_text_not_shown_as_none():
    from seep.ui.tables import scored_classes

    rows = [{"class": "sheen", "IoU": 0.4, "AP50": None}, {"class": "**[x](http://a.b)**", "IoU": None, "AP50": None}]
    table, note = scored_classes(rows, ("IoU", "AP50"))
    assert list(table["class"]) == ["sheen"] and list(table.columns) == ["class", "IoU", "AP50"]
    assert visible(note) == "No score for **[x](http://a.b)**: in neither the labels nor the predictions of the validation tiles."
    assert "](" not in note
    table, note = scored_classes(rows[:1], ("IoU",))
    assert note == "" and len(table) == 1


def test_the_iou_chart_leaves_off_a_class_no_model_scores():
    from seep.ui.charts import iou_bars

    a = {"classes": ["sheen", "slick", "<b>x</b>"], "iou": [0.4, None, None], "binary_iou": 0.5}
    b = {"classes": ["sheen", "slick", "<b>x</b>"], "iou": [None, 0.2, None], "binary_iou": 0.3}
    fig = iou_bars({"a": a, "b": b})
    assert [list(bar.x) for bar in fig.data] == [["seep (binary)", "sheen", "slick"]] * 2
    assert list(fig.data[0].y) == [0.5, 0.4, None] and list(fig.data[1].y) == [0.3, None, 0.2]
    assert fig.data[0].texttemplate == "%{y:.2f}"  # an IoU of 0 draws no bar: its value says it was scored
    assert fig.layout.yaxis.range[1] > 1.05  # the value over a bar of IoU 1 is inside the plot, not clipped


def test_a_stored_time_reads_to_the_minute_in_utc():
    from seep.ui.tables import when

    assert when("2026-11-26T04:26:53.120+00:00") == "2026-11-26 04:26 UTC"
    assert when(None) is None  # no time: the table's dash, not "None UTC"


def test_places_read_as_in_a_report():
    from seep.workspace.places import lat_lon

    assert lat_lon(4.24622, 42.97475) == "42.9748° N, 4.2462° E"
    assert lat_lon(-90.5, -0.00001) == "0.0000° S, 90.5000° W"


@pytest.mark.parametrize(
    "typed, path",
    [
        ("  /data/pass.tif \n", "/data/pass.tif"),
        ("'/data/my pass.tif'", "/data/my pass.tif"),  # as a shell quotes it
        ('"/data/pass.tif"', "/data/pass.tif"),
        ("file:///data/my%20pass.tif", "/data/my pass.tif"),  # as a file manager copies it
        ("file://localhost/data/pass.tif", "/data/pass.tif"),
        ("file://nas/share/pass.tif", "file://nas/share/pass.tif"),  # another computer's: not found, as typed
        ("   ", ""),
    ],
)
def test_a_path_is_read_as_an_analyst_pastes_it(typed, path):
    from seep.ui.scene import pasted_path

    assert pasted_path(typed) == path
