"""Where a place on the Earth lies in this workspace: the scenes and tiles that hold a
latitude and longitude, as a report, a ship's log or a colleague's email gives one.

The text is read as people write places (27.2, 50.5 · 27°12'N 50°30'E · N27.2 E50.5 ·
27 12 30 N, 50 30 E); PROJ carries the point into each scene's own coordinate system and
the scene's transform onto its pixels, so a point is found the same way the exports place
their polygons.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from seep.data.geo import transformer
from seep.errors import BadInputError
from seep.workspace.records import counted
from seep.workspace.scenes import Scene, scene, scene_names
from seep.workspace.workspace import Workspace

EXAMPLES = "27.2, 50.5 (latitude first) or 27°12'N 50°30'E"
_TOKEN = re.compile(r"\s*(?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>[°'\"])?|(?P<hemi>[NSEW])|(?P<sep>[,;/]))", re.I)
_SAME = str.maketrans({"º": "°", "˚": "°", "′": "'", "’": "'", "‘": "'", "″": '"', "”": '"', "“": '"'})
_UNITS = {"°": 0, "'": 1, '"': 2}


@dataclass(frozen=True)
class LatLon:
    lat: float
    lon: float
    lettered: bool  # the text said which is which (N/S, E/W): never read the other way round
    turned: bool = False  # read longitude first, as GeoJSON and most GIS software write them

    def __str__(self) -> str:
        return f"{abs(self.lat):.5f}° {'N' if self.lat >= 0 else 'S'}, {abs(self.lon):.5f}° {'E' if self.lon >= 0 else 'W'}"


def lat_lon(lon: float, lat: float) -> str:
    """A place as analysts write it in a report: 42.9747° N, 4.2462° E (four decimals, about
    10 m: a pixel)."""
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


def read_lat_lon(text: str) -> LatLon:
    """A latitude and longitude from how people write them, or BadInputError saying what
    could not be read. Without N/S and E/W the latitude comes first, as maps and reports
    write it."""
    tokens = _tokens(text.translate(_SAME).replace("''", '"').strip())
    hemis = [t for t in tokens if t[0] == "hemi"]
    if hemis:
        groups = _by_letter(tokens, text)
    else:
        groups = _unlettered(tokens, text)
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
    return LatLon(lat, lon - 360 if lon > 180 else lon, bool(hemis), turned)


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
            turned = " (the numbers read longitude first)" if self.point.turned else ""
            return f"{self.point}{turned} lies in {counted(len(self.places), 'scene')}: {where}"
        if self.nearest is None:
            return f"{self.point}: this workspace has no georeferenced scene with a coordinate system"
        name, metres = self.nearest
        return f"{self.point} lies in none of this workspace's scenes; the nearest, {name}, is {distance(metres)} away"


def distance(metres: float) -> str:
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:,.1f} km"


def find_place(ws: Workspace, text: str) -> Found:
    """The scenes and tiles holding the place `text` names. Numbers given without N/S or
    E/W that land in no scene are tried longitude first too (the order GeoJSON and most
    GIS software write), and the answer says so."""
    point = read_lat_lon(text)
    scenes = _mapped(ws)
    places = [p for sc in scenes if (p := _place_in(ws, sc, point.lon, point.lat)) is not None]
    if places or point.lettered or point.turned or not -90 <= point.lon <= 90:
        return Found(point, places, None if places else nearest(scenes, point))
    turned = LatLon(point.lon, point.lat, False, True)
    places = [p for sc in scenes if (p := _place_in(ws, sc, turned.lon, turned.lat)) is not None]
    if places:
        return Found(turned, places, None)
    return Found(point, [], nearest(scenes, point))


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
