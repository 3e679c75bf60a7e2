"""When a scene was acquired: the radar's pass over the sea, not the file's date. It orders the
passes over one place, so that a slick seen again reads as seen before or seen after.

Read from the raster's GDAL metadata (ACQUISITION_START_TIME, as GDAL's Sentinel-1 and
RADARSAT-2 drivers name it and gdal_translate carries into a GeoTIFF), else from the start time
in its file name (Sentinel-1 product and measurement names: ..._20230105T031512_...; the other
satellites' forms, see _STAMPS), else given by the analyst. TIFFTAG_DATETIME is not read: it is when the file was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seep.errors import BadInputError

FIRST_SAR = datetime(1978, 6, 27, tzinfo=UTC)  # Seasat, the first radar imaging the sea from orbit
TAG = "ACQUISITION_START_TIME"
# A start time in a name, as SAR products write it: 20230105T031512 (Sentinel-1, ICEYE, SNAP),
# 20120314_142336 (RADARSAT-2 and RCM product folders), 20231024161327 (Capella),
# 2023-05-30-05-21-36 (Umbra). Digits that are no date (an id, an orbit) are passed over.
_STAMPS = (
    re.compile(r"(?<![0-9])([0-9]{8})[tT_]?([0-9]{6})(?![0-9])"),
    re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})[-_tT]([0-9]{2})-([0-9]{2})-([0-9]{2})(?![0-9])"),
)
_ZONE_WORDS = re.compile(r"\s*(UTC|GMT|Z)$", re.IGNORECASE)


def parse_when(text: str, what: str = "acquisition time") -> datetime:
    """A date or date and time as people and products write them (2023-01-05, 2023-01-05 03:15,
    2023-01-05T03:15:12Z, 20230105T031512, +01:00 offsets), in UTC; a time with no zone is UTC,
    as satellite times are. BadInputError saying what is wrong otherwise."""
    raw = str(text).strip()
    said = repr(raw if len(raw) <= 40 else raw[:40] + "...")  # typed text, shown as text, not a page of it
    plain = _ZONE_WORDS.sub("", raw).strip()
    if not plain:
        raise BadInputError(f"give the {what} as a date, e.g. 2023-01-05 or 2023-01-05T03:15Z (UTC)")
    try:
        when = datetime.fromisoformat(plain)
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadInputError(
            f"{what} {said} is not a date: write it as 2023-01-05, 2023-01-05 03:15 or 2023-01-05T03:15:12Z (UTC)"
        ) from None
    if when < FIRST_SAR:
        raise BadInputError(f"{what} {said} is before any radar imaged the sea from orbit (Seasat, June 1978)")
    if when > datetime.now(UTC) + timedelta(days=1):
        raise BadInputError(f"{what} {said} is in the future")
    return when.replace(microsecond=0)


def iso(when: datetime) -> str:
    """As stored and exported: 2023-01-05T03:15:12Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown(stored: str | None) -> str:
    """A stored UTC stamp (2023-01-05T03:15:12Z, 2026-11-26T04:26:53.120+00:00) as people read it:
    2023-01-05 03:15 UTC; 'unknown' for none."""
    return f"{stored[:16].replace('T', ' ')} UTC" if stored else "unknown"


def of_raster(tags: dict, path: Path) -> tuple[str, str] | None:
    """(ISO time, where it was read) of a raster from its metadata or its name; None when neither says."""
    if value := tags.get(TAG):
        try:
            return iso(parse_when(value)), f"read from its {TAG} tag"
        except BadInputError:
            pass  # a tag a tool filled with something else: the name may still say
    for part in (Path(path).name, Path(path).parent.name, Path(path).parent.parent.name):
        if when := _stamp_in(part):
            return when, "read from its file name" if part == Path(path).name else "read from its folder's name"
    return None


def _stamp_in(name: str) -> str | None:
    """The first start time written in a name (see _STAMPS), as stored; None where none is."""
    for found in (m for pattern in _STAMPS for m in pattern.finditer(name)):
        digits = "".join(found.groups())
        try:
            return iso(parse_when(f"{digits[:8]}T{digits[8:]}"))
        except BadInputError:
            continue  # eight digits and six that are no date (an id): not a time
    return None


def days_between(a: str, b: str) -> float:
    """b - a in days, for two stored times."""
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() / 86400


def same_pass(days_after: float | None) -> bool:
    """Two scenes within the hour are frames of one orbit's pass: a slick across them is one
    slick seen once, not a seep seen again."""
    return days_after is not None and abs(days_after) * 24 < 1


@dataclass(frozen=True)
class Window:
    """The passes acquired on or after `since` and before `before` (stored ISO 8601 UTC times;
    None: open on that side). A scene of unknown time lies in no window but the open one."""

    since: str | None = None
    before: str | None = None

    def holds(self, acquired: str | None) -> bool:
        if acquired is None:
            return self.since is None and self.before is None
        return (self.since is None or acquired >= self.since) and (self.before is None or acquired < self.before)

    def __str__(self) -> str:
        """'acquired since 2025-03-01 03:00 UTC and before 2025-03-15 00:00 UTC'; '' when open."""
        bounds = (("since", self.since), ("before", self.before))
        parts = [f"{word} {shown(when)}" for word, when in bounds if when]
        return "acquired " + " and ".join(parts) if parts else ""
