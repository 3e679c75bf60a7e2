"""Where a place on the Earth lies in this workspace: the scenes and tiles that hold a
latitude and longitude, as a report, a ship's log or a colleague's email gives one.

The text is read as people write places (27.2, 50.5 · 27°12'N 50°30'E · N27.2 E50.5 ·
27 12 30 N, 50 30 E · 2712N 05030E, as pollution reports run them together), as UTM
(31N 500000 4600000: a zone and its hemisphere, or its latitude band, then easting and
northing), as MGRS (31TEF 04005 96995, as military and coast-guard
reports give a position) or as an easting and northing in a scene's own projected
coordinate system, as QGIS's status bar shows them (500000, 4600000); PROJ carries the point
into each scene's own coordinate system and the scene's transform onto its pixels, so a point
is found the same way the exports place their polygons.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from seep.data.geo import transformer
from seep.errors import BadInputError
from seep.workspace.records import clean_author, counted
from seep.workspace.scenes import Scene, scene, scene_names
from seep.workspace.workspace import Workspace

EXAMPLES = "27.2, 50.5 (latitude first) or 27°12'N 50°30'E"
# UTM as reports give it: "31N 500000 4600000", "UTM zone 31S, 500000 mE, 6000000 mN"; the
# letter is the hemisphere (as EPSG names the zones) or the latitude band (C to X, as MGRS).
_UTM = re.compile(
    r"\s*(?:UTM\s*)?(?:zone\s*)?(?P<zone>\d{1,2})\s*(?P<letter>[C-HJ-NP-X])\s*[,;]?"
    r"\s*(?P<x>\d+(?:\.\d*)?)\s*(?:m\s*)?E?\s*[,;]?\s*(?P<y>\d+(?:\.\d*)?)\s*(?:m\s*)?N?\s*",
    re.I,
)
# MGRS as military and coast-guard reports give a position: zone, latitude band, the letters of
# a 100 km square, then as many easting as northing digits (5 each: 1 m; 3: a 100 m square).
_MGRS = re.compile(r"\s*(?P<zone>\d{1,2})\s*(?P<band>[C-HJ-NP-X])\s*(?P<square>[A-Z]{2})\s*(?P<digits>\d*(?:\s+\d+)?)\s*", re.I)
# MGRS beyond 84 N and 80 S, on the polar grid (UPS): no zone, A or B (west or east of the
# meridian) about the south pole, Y or Z about the north. Digits asked for: "Bay" is no place.
_UPS = re.compile(r"\s*(?P<band>[ABYZ])\s*(?P<square>[A-Z]{2})\s*(?P<digits>\d+(?:\s+\d+)?)\s*", re.I)
_PAIR = re.compile(r"\s*(?P<x>[+-]?\d+(?:\.\d*)?)\s*(?:[,;]\s*|\s+)(?P<y>[+-]?\d+(?:\.\d*)?)\s*")
_TOKEN = re.compile(r"\s*(?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>[°'\"])?|(?P<hemi>[NSEW])|(?P<sep>[,;/]))", re.I)
_SAME = str.maketrans({"º": "°", "˚": "°", "′": "'", "’": "'", "‘": "'", "″": '"', "”": '"', "“": '"'})
_UNITS = {"°": 0, "'": 1, '"': 2}


@dataclass(frozen=True)
class LatLon:
    lat: float
    lon: float
    lettered: bool  # the text said which is which (N/S, E/W): never read the other way round
    turned: bool = False  # read longitude first, as GeoJSON and most GIS software write them
    read_as: str = ""  # how a text of metres was read: UTM, or a scene's own coordinate system

    def __str__(self) -> str:
        return f"{abs(self.lat):.5f}° {'N' if self.lat >= 0 else 'S'}, {abs(self.lon):.5f}° {'E' if self.lon >= 0 else 'W'}"

    def how(self) -> str:
        """How the text was read, where it could have been read otherwise: said with the answer."""
        return " (the numbers read longitude first)" if self.turned else f" ({self.read_as})" if self.read_as else ""


def lat_lon(lon: float, lat: float) -> str:
    """A place as analysts write it in a report: 42.9747° N, 4.2462° E (four decimals, about
    10 m: a pixel)."""
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


# How the app and its reports write a place (the seeps list, a scene's report, Review's caption,
# the scene map): as the team's own reports and the authorities they send them to write one.
# Find a place reads each of them back.
POSITION_FORMATS = {
    "degrees": "decimal degrees: 43.3030° N, 5.5399° E",
    "minutes": "degrees and minutes, as a POLREP gives them: 43°18.180' N, 5°32.394' E",
    "mgrs": "MGRS: 31TGH 06006 97596",
}


def position_format(ws: Workspace) -> str:
    """The workspace's way of writing a place (a key of POSITION_FORMATS), else decimal degrees."""
    from seep.workspace.registry import get_setting

    return get_setting(ws, "positions", "degrees")


def set_position_format(ws: Workspace, how: str, actor: str) -> None:
    """Write places `how` (a key of POSITION_FORMATS) from now on; the audit trail keeps the old and the new."""
    from seep.workspace.accounts import record_in

    if not str(actor or "").strip():
        raise BadInputError("say who you are (your name in the sidebar, or --author) before setting how places are written")
    if how not in POSITION_FORMATS:
        raise BadInputError(f"places are written as {', '.join(POSITION_FORMATS)}, not {how!r}")
    old = position_format(ws)
    with ws.connect(write=True) as con:
        con.execute(
            "INSERT INTO settings VALUES ('positions', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (json.dumps(how),),
        )
        record_in(con, clean_author(actor), "set positions", "", f"{old} -> {how}")


def written(lon: float, lat: float, how: str = "degrees") -> str:
    """A place written `how` (a key of POSITION_FORMATS); in MGRS beyond 84 N and 80 S, on its
    polar grid (ZAC 86798 07740)."""
    if how == "minutes":
        return f"{_minutes(lat, 'NS')}, {_minutes(lon, 'EW')}"
    if how == "mgrs":
        import mgrs

        ref = mgrs.MGRS().toMGRS(lat, lon, MGRSPrecision=5)
        return f"{ref[:-10]} {ref[-10:-5]} {ref[-5:]}"
    return lat_lon(lon, lat)


def _minutes(value: float, letters: str) -> str:
    degrees, minutes = divmod(round(abs(value) * 60, 3), 60)  # rounded first: never 60.000'
    return f"{int(degrees)}°{minutes:06.3f}' {letters[value < 0]}"


def read_lat_lon(text: str) -> LatLon:
    """A latitude and longitude from how people write them, or BadInputError saying what
    could not be read. Without N/S and E/W the latitude comes first, as maps and reports
    write it."""
    tokens = _tokens(text.translate(_SAME).replace("''", '"').strip())
    hemis = [t for t in tokens if t[0] == "hemi"]
    if hemis:
        lettered = _by_letter(tokens, text)
        groups = [(_unpacked(numbers, letter, text), letter) for numbers, letter in lettered]
    else:
        lettered = groups = _unlettered(tokens, text)
    if len(groups) != 2:
        raise BadInputError(f"{text!r} is not a latitude and a longitude; write them as {EXAMPLES}")
    values = [_degrees(numbers, letter, text) for numbers, letter in groups]
    axes = [_axis(letter) for _, letter in groups]
    if hemis and axes[0] == axes[1]:
        raise BadInputError(f"{text!r} gives two {axes[0]}s; give one latitude (N or S) and one longitude (E or W)")
    lat, lon = (values[0], values[1]) if axes[0] != "longitude" else (values[1], values[0])
    turned = not hemis and abs(lat) > 90 >= abs(lon)  # 151.2, -33.9: only longitude first makes a place
    if turned:
        lat, lon = lon, lat
    if not -90 <= lat <= 90:
        raise BadInputError(f"latitude {lat:g} in {text!r} is beyond the poles (-90 to 90); write them as {EXAMPLES}")
    if not -180 <= lon <= 360:
        raise BadInputError(f"longitude {lon:g} in {text!r} is not between -180 and 360")
    packed = "degrees and minutes run together, as a POLREP writes them" if groups != lettered else ""
    return LatLon(lat, lon - 360 if lon > 180 else lon, bool(hemis), turned, read_as=packed)


def read_metres(text: str, projected: dict[str, str]) -> list[LatLon]:
    """The places a text of metres may name, most likely first: UTM with its zone, or an easting
    and northing (then a northing and easting) in the coordinate system of each scene
    (`projected`: CRS -> the first scene in it). [] for a text of degrees."""
    utm, pair = _UTM.fullmatch(text), _PAIR.fullmatch(text)
    m = utm or pair
    if m is None or max(abs(float(m["x"])), abs(float(m["y"]))) <= 360:  # 27N 50 30: degrees, however lettered
        return []
    x, y = float(m["x"]), float(m["y"])
    if utm:
        return _utm(int(m["zone"]), m["letter"].upper(), x, y, text)
    if not projected:
        raise BadInputError(
            f"{text!r} is not in degrees, and no scene here has a projected coordinate system to read it in; write it "
            f"as {EXAMPLES}, or as UTM: 31N 500000 4600000"
        )
    readings = [(crs, x, y, f"easting and northing in {name}'s {_named(crs)}") for crs, name in projected.items()]
    readings += [(crs, y, x, f"northing and easting in {name}'s {_named(crs)}") for crs, name in projected.items()]
    return [p for r in readings if (p := _from(*r))]


def read_mgrs(text: str) -> LatLon | None:
    """The centre of the square an MGRS reference names (NGA's GEOTRANS does the grid, through
    the mgrs package, and gives that centre), or None for a text of another form. A reference
    with fewer digits names a larger square (3 each: 100 m), and the answer says so."""
    m = _MGRS.fullmatch(text) or _UPS.fullmatch(text)
    if m is None:
        return None
    zone, band, square = m["zone"] if "zone" in m.re.groupindex else "", m["band"].upper(), m["square"].upper()
    digits = m["digits"].split()
    if len(digits) == 1:  # written run together: 0400596995
        half = len(digits[0]) // 2
        digits = [digits[0][:half], digits[0][half:]]
    east, north = digits or ("", "")
    if len(east) != len(north) or len(east) > 5:
        raise BadInputError(
            f"{text!r}: an MGRS reference gives as many easting as northing digits, 5 each at most (31TEF 04005 96995)"
        )
    ref = f"{zone}{band}{square}{east}{north}"
    said = f"MGRS {zone}{band}{square} {east} {north}".strip()
    lat, lon = _mgrs_to_lat_lon(ref, text)
    if not _in_band(lat, band):  # GEOTRANS only warns of a square outside its band
        where = f"of zone {zone} lies outside latitude band {band}" if zone else f"lies outside polar zone {band}"
        raise BadInputError(f"{text!r}: square {square} {where}; check the letters")
    if len(east) < 5:
        said += f": the centre of its {('100 km', '10 km', '1 km', '100 m', '10 m')[len(east)]} square"
    return LatLon(lat, lon, True, read_as=said)


def _mgrs_to_lat_lon(ref: str, text: str) -> tuple[float, float]:
    import warnings

    import mgrs
    from mgrs.core import MGRSError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # its latitude warning is checked by the band
            return mgrs.MGRS().toLatLon(ref)
    except MGRSError as e:
        zones = "zones are 1 to 60" if ref[0].isdigit() else "the polar zones are A and B (south), Y and Z (north)"
        raise BadInputError(f"{text!r} is not an MGRS square: {zones}, and each zone has its own square letters ({e})") from None


def _utm(zone: int, letter: str, x: float, y: float, text: str) -> list[LatLon]:
    """UTM's letter is the hemisphere (as EPSG names the zones: 31N, 31S) or the latitude band
    (C to M south of the equator, N to X north, as MGRS): S is either, the south first."""
    if not 1 <= zone <= 60:
        raise BadInputError(f"{text!r}: UTM zones are 1 to 60")
    if not (100_000 <= x <= 900_000 and 0 <= y <= 10_000_000):
        raise BadInputError(f"{text!r}: a UTM easting is 100,000 to 900,000 m and a northing 0 to 10,000,000 m, easting first")
    if letter == "N":
        readings = [("N", "the northern hemisphere", None)]
    elif letter == "S":
        readings = [("S", "the southern hemisphere", None), ("N", "latitude band S, north of the equator", letter)]
    else:
        readings = [("S" if letter < "N" else "N", f"latitude band {letter}", letter)]
    places = []
    for hemisphere, said, band in readings:
        crs = f"EPSG:{(32600 if hemisphere == 'N' else 32700) + zone}"
        p = _from(crs, x, y, f"UTM zone {zone}{letter}: {said}, {crs}")
        if p is not None and (band is None or _in_band(p.lat, band)):
            places.append(p)
    if not places:
        south, north = _band(letter)
        raise BadInputError(
            f"{text!r}: that easting and northing lie outside latitude band {letter} ({_lat(south)} to {_lat(north)}); "
            "check the letter after the zone: N or S for the hemisphere, or the band"
        )
    return places


BANDS = "CDEFGHJKLMNPQRSTUVWX"  # 8 degrees each from 80 S, X 12 (to 84 N)


def _band(letter: str) -> tuple[float, float]:
    if letter in "AB":  # the polar grid's own zones
        return -90, -80
    if letter in "YZ":
        return 84, 90
    south = -80 + 8 * BANDS.index(letter)
    return south, 84 if letter == "X" else south + 8


def _in_band(lat: float, letter: str) -> bool:
    south, north = _band(letter)
    return south - 0.5 <= lat <= north + 0.5  # a pixel over a band's edge is still that place


def _lat(degrees: float) -> str:
    return f"{abs(degrees):g}° {'N' if degrees > 0 else 'S' if degrees < 0 else ''}".strip()


def _from(crs: str, x: float, y: float, how: str) -> LatLon | None:
    """The point (x, y) of `crs` in degrees, None where it is off the Earth."""
    lon, lat = transformer(crs, "EPSG:4326").transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat) and -90 <= lat <= 90):
        return None
    return LatLon(lat, (lon + 180) % 360 - 180, True, read_as=how)


def _named(crs: str) -> str:
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    code = c.to_epsg()
    return f"coordinate system ({c.name}{f', EPSG:{code}' if code else ''})"


def _tokens(text: str) -> list[tuple[str, str, str | None]]:
    if not text:
        raise BadInputError(f"give a latitude and a longitude, as {EXAMPLES}")
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise BadInputError(f"cannot read {text[pos:]!r} as part of a latitude or longitude; write them as {EXAMPLES}")
        kind = next(k for k in ("num", "hemi", "sep") if m[k] is not None)
        out.append((kind, m[kind].upper(), m["unit"]))
        pos = m.end()
    return out


def _by_letter(tokens, text: str) -> list[tuple[list, str]]:
    """Numbers grouped by the hemisphere letter written before them (N27 E50) or after them (27N 50E)."""
    before = tokens[0][0] == "hemi"
    groups, numbers = [], []
    for kind, value, unit in tokens:
        if kind == "num":
            numbers.append((value, unit))
        elif kind == "hemi" and before:
            groups.append(([], value))
        elif kind == "hemi":
            groups.append((numbers, value))
            numbers = []
        if before and kind == "num":
            groups[-1][0].append(numbers.pop())
    if numbers or any(not g for g, _ in groups):
        raise BadInputError(f"{text!r}: each of N/S and E/W goes with its own number; write them as {EXAMPLES}")
    return groups


def _unpacked(numbers: list[tuple[str, str | None]], letter: str, text: str) -> list[tuple[str, str | None]]:
    """Degrees, minutes and seconds written run together, as pollution reports (POLREP) and
    ship's logs give a position: 5130N 00245E is 51°30'N 2°45'E, 513012.5N is 51°30'12.5"N.
    Only a lettered number of that many digits (2 or 3 of degrees, as its axis has, then 2 of
    minutes and 2 of seconds) is read so: as degrees it would be off the Earth, or, as 00245E,
    written with zeros no one writes before degrees."""
    (value, unit), degrees = numbers[0], 2 if letter in "NS" else 3
    whole, _, fraction = value.partition(".")
    if len(numbers) > 1 or unit or not whole.isdigit() or len(whole) <= degrees:
        return numbers
    if len(whole) not in (degrees + 2, degrees + 4):
        if whole.startswith("0"):  # 0245E: packed, but as neither 02°45' nor 002°45' is written
            raise BadInputError(
                f"{text!r}: {value}{letter} has {len(whole)} digits; run together, a latitude is DDMM or DDMMSS and a "
                "longitude DDDMM or DDDMMSS (5130N 00245E)"
            )
        return numbers
    parts = [whole[:degrees], whole[degrees : degrees + 2], whole[degrees + 2 :]]
    parts = [part for part in parts if part]
    parts[-1] += f".{fraction}" if fraction else ""
    return [(part, None) for part in parts]


def _unlettered(tokens, text: str) -> list[tuple[list, None]]:
    """Two places split by a comma (or ; or /), else by a degree sign, else two plain numbers."""
    numbers = [(value, unit) for kind, value, unit in tokens if kind == "num"]
    if any(kind == "sep" for kind, _, _ in tokens):
        groups, current = [], []
        for kind, value, unit in tokens:
            if kind == "sep":
                groups.append(current)
                current = []
            else:
                current.append((value, unit))
        groups.append(current)
    elif any(unit == "°" for _, unit in numbers[1:]):
        groups = []
        for value, unit in numbers:
            if unit == "°" or not groups:
                groups.append([])
            groups[-1].append((value, unit))
    else:
        groups = [[n] for n in numbers] if len(numbers) == 2 else [numbers]
    if any(not g for g in groups):
        raise BadInputError(f"{text!r} has a separator with nothing on one side; write them as {EXAMPLES}")
    return [(g, None) for g in groups]


def _degrees(numbers: list[tuple[str, str | None]], letter: str | None, text: str) -> float:
    """Degrees, minutes and seconds (each optional after the degrees) as decimal degrees."""
    parts, place = [0.0, 0.0, 0.0], -1
    for i, (value, unit) in enumerate(numbers):
        at = _UNITS[unit] if unit else place + 1
        if at <= place or at > 2 or (i and value[0] in "+-"):
            raise BadInputError(f"{text!r}: write each as degrees, then minutes ('), then seconds (\"): {EXAMPLES}")
        if i < len(numbers) - 1 and "." in value:
            raise BadInputError(f"{text!r}: only the last of degrees, minutes and seconds may have a decimal part")
        parts[at], place = float(value), at
    if not (parts[1] < 60 and parts[2] < 60):
        raise BadInputError(f"{text!r}: minutes and seconds are below 60")
    sign = -1.0 if numbers[0][0].startswith("-") else 1.0
    if letter and numbers[0][0][0] in "+-":
        raise BadInputError(f"{text!r} gives both a sign and a hemisphere; give one of them")
    value = sign * (abs(parts[0]) + parts[1] / 60 + parts[2] / 3600)
    return -value if letter in ("S", "W") else value


def _axis(letter: str | None) -> str | None:
    return {"N": "latitude", "S": "latitude", "E": "longitude", "W": "longitude"}.get(letter)


@dataclass(frozen=True)
class Place:
    """A point of a scene: the pixel that holds it and the tile cut around that pixel."""

    scene: str
    row: int  # the pixel in the scene
    col: int
    image_id: str | None  # None: the tile there was only no-data, never stored
    tile_name: str | None
    tile_row: int  # the pixel in that tile
    tile_col: int


@dataclass(frozen=True)
class Found:
    """What `find_place` found: the places holding the point; else the nearest scene."""

    point: LatLon
    places: list[Place]
    nearest: tuple[str, float] | None  # (scene, metres) when no scene holds the point

    def summary(self) -> str:
        if self.places:
            where = "; ".join(
                f"scene {p.scene}, "
                + (
                    f"tile {p.tile_name} at row {p.tile_row}, column {p.tile_col}"
                    if p.image_id
                    else "in its no-data part (no tile stored)"
                )
                for p in self.places
            )
            return f"{self.point}{self.point.how()} lies in {counted(len(self.places), 'scene')}: {where}"
        if self.nearest is None:
            return f"{self.point}: this workspace has no georeferenced scene with a coordinate system"
        name, metres = self.nearest
        return (
            f"{self.point}{self.point.how()} lies in none of this workspace's scenes; the nearest, {name}, is "
            f"{distance(metres)} away"
        )


def distance(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:,.1f} km"


def find_place(ws: Workspace, text: str) -> Found:
    """The scenes and tiles holding the place `text` names. Numbers given without N/S or
    E/W that land in no scene are tried longitude first too (the order GeoJSON and most
    GIS software write), and the answer says so."""
    scenes = _mapped(ws)
    if point := read_mgrs(text):
        return _first_holding(ws, scenes, [point])
    if readings := read_metres(text, _projected(scenes)):
        return _first_holding(ws, scenes, readings)
    point = read_lat_lon(text)
    places = [p for sc in scenes if (p := _place_in(ws, sc, point.lon, point.lat)) is not None]
    if places or point.lettered or point.turned or not -90 <= point.lon <= 90:
        return Found(point, places, None if places else nearest(scenes, point))
    turned = LatLon(point.lon, point.lat, False, True)
    places = [p for sc in scenes if (p := _place_in(ws, sc, turned.lon, turned.lat)) is not None]
    if places:
        return Found(turned, places, None)
    return Found(point, [], nearest(scenes, point))


def _projected(scenes: list[Scene]) -> dict[str, str]:
    """Each projected coordinate system of these scenes, and the first scene in it."""
    from pyproj import CRS

    out: dict[str, str] = {}
    for sc in scenes:
        if not CRS.from_wkt(sc.grid.crs).is_geographic:
            out.setdefault(sc.grid.crs, sc.name)
    return out


def _first_holding(ws: Workspace, scenes: list[Scene], readings: list[LatLon]) -> Found:
    """The first reading of the text that lies in a scene, else the first one."""
    for point in readings:
        if places := [p for sc in scenes if (p := _place_in(ws, sc, point.lon, point.lat)) is not None]:
            return Found(point, places, None)
    return Found(readings[0], [], nearest(scenes, readings[0]))


def place_of(ws: Workspace, lon: float, lat: float) -> Found:
    """The scenes and tiles holding a point given in degrees (a polygon's, not a person's text)."""
    point = LatLon(lat, lon, True)
    scenes = _mapped(ws)
    places = [p for sc in scenes if (p := _place_in(ws, sc, lon, lat)) is not None]
    return Found(point, places, None if places else nearest(scenes, point))


def _mapped(ws: Workspace) -> list[Scene]:
    """The workspace's scenes that have a coordinate system: those a place can lie in."""
    return [sc for sc in map(lambda n: scene(ws, n), scene_names(ws)) if sc.grid.crs is not None]


def _place_in(ws: Workspace, sc: Scene, lon: float, lat: float) -> Place | None:
    at = _on_grid(sc, lon, lat)
    if at is None or not _inside(sc, *at):
        return None
    c, r = int(at[0]), int(at[1])
    r0, c0 = r - r % sc.tile, c - c % sc.tile  # tiles are cut on a grid from the scene's corner
    with ws.connect() as con:
        hit = con.execute(
            "SELECT t.image_id, i.name FROM scene_tiles t JOIN images i ON i.id = t.image_id "
            "WHERE t.scene = ? AND t.row_off = ? AND t.col_off = ?",
            (sc.name, r0, c0),
        ).fetchone()
    return Place(sc.name, r, c, *(tuple(hit) if hit else (None, None)), r - r0, c - c0)


def _inside(sc: Scene, col: float, row: float) -> bool:
    return 0 <= row < sc.grid.height and 0 <= col < sc.grid.width


def _on_grid(sc: Scene, lon: float, lat: float) -> tuple[float, float] | None:
    """(col, row) of the point on the scene's grid, maybe outside it; None where the
    scene's projection cannot carry the point there and back (half the globe from a UTM zone)."""
    from pyproj import CRS

    there, back = transformer("EPSG:4326", sc.grid.crs), transformer(sc.grid.crs, "EPSG:4326")
    shifts = (0, 360, -360) if CRS.from_wkt(sc.grid.crs).is_geographic else (0,)  # a scene across the antimeridian
    found = None
    for shift in shifts:
        x, y = there.transform(lon + shift, lat)
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        lon2, lat2 = back.transform(x, y)
        if abs(lat2 - lat) < 1e-6 and abs((lon2 - lon - shift + 180) % 360 - 180) < 1e-6:
            found = ~sc.grid.affine() @ (x, y)
            if _inside(sc, *found):
                break
    return found


def nearest(scenes: list[Scene], point: LatLon) -> tuple[str, float] | None:
    """The scene that comes closest to the point, and how far it is on the ellipsoid
    (PROJ's geodesic): to the scene's pixel nearest the point, or, where the scene's
    projection cannot carry the point, to the nearest of 32 places along its edge."""
    from pyproj import Geod

    geod, best = Geod(ellps="WGS84"), None
    for sc in scenes:
        h, w = sc.grid.height, sc.grid.width
        at = _on_grid(sc, point.lon, point.lat)
        if at is not None:
            edge = [(min(max(at[0], 0), w), min(max(at[1], 0), h))]
        else:
            edge = [(c * w / 8, r * h / 8) for r in range(9) for c in range(9) if r in (0, 8) or c in (0, 8)]
        to_lonlat = transformer(sc.grid.crs, "EPSG:4326")
        for col, row in edge:
            lon, lat = to_lonlat.transform(*(sc.grid.affine() @ (col, row)))
            metres = geod.inv(point.lon, point.lat, lon, lat)[2]
            if best is None or metres < best[1]:
                best = (sc.name, metres)
    return best
