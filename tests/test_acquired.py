"""When a scene was acquired: read from a raster's metadata or name, or typed by an analyst, and
how the other passes over a slick read beside it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seep.data.acquired import FIRST_SAR, of_raster, parse_when, same_pass
from seep.errors import BadInputError
from seep.ui.text import pass_when, seen_heading


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-01-05", "2023-01-05T00:00:00"),
        ("2023-01-05 03:15", "2023-01-05T03:15:00"),
        (" 2023-01-05T03:15:12Z ", "2023-01-05T03:15:12"),
        ("2023-01-05T03:15:12.734Z", "2023-01-05T03:15:12"),
        ("2023-01-05 03:15 UTC", "2023-01-05T03:15:00"),
        ("2023-01-05T04:15:12+01:00", "2023-01-05T03:15:12"),  # a zone is carried into UTC
        ("2023-01-04T22:15-05:00", "2023-01-05T03:15:00"),  # across midnight
        ("20230105T031512", "2023-01-05T03:15:12"),  # as a Sentinel-1 name writes it
    ],
)
def test_times_as_people_and_products_write_them_are_read_in_utc(text, expected):
    assert parse_when(text) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text, said",
    [
        ("", "give the acquisition time as a date"),
        ("  UTC ", "give the acquisition time as a date"),
        ("yesterday", "'yesterday' is not a date"),
        ("2023-13-05", "'2023-13-05' is not a date"),
        ("05/01/2023", "'05/01/2023' is not a date"),  # day or month first? not guessed
        ("2023-01-05T25:00", "is not a date"),
        ("0001-01-01T00:00+01:00", "is not a date"),  # before year 1 in UTC
        ("1970-01-01", "before any radar imaged the sea from orbit"),
        ((datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d"), "is in the future"),
        ("2023-01-05" + "x" * 10_000, "'2023-01-05xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a date"),  # not a page of it
    ],
)
def test_a_time_that_is_not_one_says_why(text, said):
    with pytest.raises(BadInputError) as e:
        parse_when(text)
    assert said in str(e.value) and len(str(e.value)) < 200


@settings(max_examples=int(os.environ.get("SEEP_FUZZ_EXAMPLES", "60")) * 5, deadline=None)
@given(st.one_of(st.text(max_size=40), st.datetimes().map(str), st.datetimes(timezones=st.timezones()).map(datetime.isoformat)))
def test_any_text_is_a_time_since_the_first_radar_or_a_clear_error(text):
    try:
        when = parse_when(text)
    except BadInputError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert when.tzinfo == UTC and FIRST_SAR <= when <= datetime.now(UTC) + timedelta(days=1) and when.microsecond == 0


def test_a_raster_says_when_by_its_tag_else_its_name():
    s1 = Path("/data/S1A_IW_GRDH_1SDV_20230105T031512_20230105T031537_046634_059716_ABCD.SAFE/measurement")
    tiff = s1 / "s1a-iw-grd-vv-20230105t031512-20230105t031537-046634-059716-001.tiff"
    assert of_raster({}, tiff) == ("2023-01-05T03:15:12Z", "read from its file name")  # the start, not the end
    assert of_raster({}, s1 / "vv.tif") == ("2023-01-05T03:15:12Z", "read from its folder's name")
    tag = {"ACQUISITION_START_TIME": "2023-01-06T05:00:01.123456"}
    assert of_raster(tag, tiff) == ("2023-01-06T05:00:01Z", "read from its ACQUISITION_START_TIME tag")
    assert of_raster({"ACQUISITION_START_TIME": "n/a"}, tiff)[1] == "read from its file name"  # a tag of no time
    assert of_raster({"TIFFTAG_DATETIME": "2024:02:02 10:00:00"}, Path("/x/gulf.tif")) is None  # when the file was written
    assert of_raster({}, Path("/x/run_12345678T999999.tif")) is None  # digits that are no time
    assert of_raster({}, Path("/x/id123456789T1234567.tif")) is None  # nor inside a longer number


@pytest.mark.parametrize(
    "path, expected",
    [
        ("RS2_OK12345_PK678901_DK606752_SCWA_20120314_142336_HH_HV_SGF/imagery_HH.tif", "2012-03-14T14:23:36Z"),
        ("RCM1_OK1234_PK5678_1_SC30MCPC_20200101_123456_CH_CV_GRD/imagery/RCM1_x_CV.tif", "2020-01-01T12:34:56Z"),
        ("CAPELLA_C13_SP_GEO_HH_20231024161327_20231024161351.tif", "2023-10-24T16:13:27Z"),
        ("2023-05-30-05-21-36_UMBRA-05_GEC.tif", "2023-05-30T05:21:36Z"),
        ("ICEYE_X7_GRD_SLH_54321_20210310T002234.tif", "2021-03-10T00:22:34Z"),
        ("run_12345678_123456_S1A_20230105T031512.tif", "2023-01-05T03:15:12Z"),  # an id first, then the time
        ("gulf_99999999999999.tif", None),
        ("tile_20230105.tif", None),  # a day is no pass's time: the analyst gives it
        ("scan_2023-05-30.tif", None),
    ],
)
def test_the_start_time_in_other_satellites_names(path, expected):
    """RADARSAT-2 and RCM folders write 20120314_142336, Capella 14 digits, Umbra dashes: read
    as Sentinel-1's 20230105T031512 is, their scenes were of unknown time."""
    found = of_raster({}, Path("/data") / path)
    assert (found and found[0]) == expected


def test_other_passes_read_as_before_later_or_the_same_pass():
    assert pass_when("2025-03-02T03:14:07Z", -12.00002) == "2025-03-02, 12 days earlier"
    assert pass_when("2025-03-14T03:14:09Z", 12.0) == "2025-03-14, 12 days later"
    assert pass_when("2025-03-14T03:14:09Z", 0.5) == "2025-03-14, 12 hours later"
    assert pass_when("2025-03-14T03:14:09Z", 20 / 86400) == "2025-03-14, the same pass"
    assert pass_when("2025-03-14T03:14:09Z", None) == "2025-03-14"  # this scene's own time unknown
    assert pass_when(None, None) == ""
    assert same_pass(0.5 / 24) and not same_pass(1.5 / 24) and not same_pass(None)
    assert seen_heading([-12.0, 3.0])[0] == "Seen before"
    assert seen_heading([3.0, None])[0] == "Seen again later"
    assert seen_heading([None])[0] == "Seen in other passes"
    heading, why = seen_heading([0.0001])  # the next frame of one orbit: one slick, not a return
    assert heading == "In another scene of this pass" and "comes back" not in why
    assert seen_heading([0.0001, -30.0])[0] == "Seen before"


@settings(max_examples=int(os.environ.get("SEEP_FUZZ_EXAMPLES", "60")) * 5, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789_-Tt", max_size=30),
            st.datetimes().map(lambda d: d.strftime("%Y%m%d_%H%M%S")),
            st.datetimes().map(lambda d: d.strftime("%Y-%m-%d-%H-%M-%S")),
            st.text(max_size=10),
        ),
        max_size=4,
    ).map(lambda parts: "_".join(parts).replace("/", "_") or "x")
)
def test_any_text_as_a_name_holds_a_pass_time_or_none(name):
    """Names full of digits, dates and dashes: a time since the first radar, or None; never an error."""
    found = of_raster({}, Path("/data") / name / "x.tif")
    if found is not None:
        when = datetime.fromisoformat(found[0].replace("Z", "+00:00"))
        assert FIRST_SAR <= when <= datetime.now(UTC) + timedelta(days=1) and found[1] == "read from its folder's name"
