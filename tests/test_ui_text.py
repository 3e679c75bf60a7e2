"""plain(): user text inside Streamlit markdown keeps its characters and loses its markup."""

import re

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
