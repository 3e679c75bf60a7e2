"""Vessels at the pass, from AIS: a slick trailing a ship is more often its discharge than a seep,
so analysts check each slick against the ships AIS placed there when the radar passed. The team
loads a CSV of AIS positions as the providers export them (MarineCadastre's BaseDateTime, LAT,
LON; the Danish Maritime Authority's # Timestamp, Latitude, Longitude; Global Fishing Watch's
ssvid, timestamp); only the positions within an hour of a pass of a scene here, and within 50 km
of that scene, are kept (a day of a sea's AIS is millions of rows).

Each vessel is placed at the pass between its two reports around it (along the geodesic, by
pyproj; its course and speed from the same two), or at its one report within ALONE of it; the
seeps list then names each slick's nearest within VESSEL_KM, measured as the installations are
(seep.workspace.installations). A slick lying on the track a vessel sailed in the hour before
the pass (ON_TRACK of its area within TRACK_KM of it) may be its discharge under way, and Review
says so.

    load_vessels(ws, path, actor)      keep a CSV's positions near the workspace's passes
    at_pass(ws, sc)                    each vessel's place, course and track when the radar passed
    vessels_by_slick(ws, sc, geoms)    each slick's nearest vessel at the pass, and the one whose
                                       track of the last hour it lies on
    vessels_on_scene(ws, sc)           where the scene map draws them
    vessels_on_tile(ws, image, size)   ... and Review, over the tile shown
    vessel_note(ws, image, mask)       Review's note
    vessels_geojson(ws, sc)            the vessels at a pass and their tracks, for a GIS
    missed(ws, sc)                     a pass the last load could not keep positions for
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import shapely

from seep.errors import BadInputError
from seep.workspace.gis import reproject
from seep.workspace.installations import STEP_DEGREES, Near, _around, _nearest, tile_seep
from seep.workspace.records import acting, clean_author, counted
from seep.workspace.recurrence import centred_on, in_metres
from seep.workspace.scenes import Scene, scene, scene_names
from seep.workspace.tile_places import tile_place
from seep.workspace.workspace import Workspace

WINDOW = timedelta(hours=1)  # positions kept around each pass: no ship makes 50 km in an hour
BRIDGE = timedelta(minutes=30)  # a vessel is placed between two reports at most this far apart
ALONE = timedelta(minutes=10)  # ... else at its one report this near the pass
VESSEL_KM = 10  # beyond this none is named: a slick that far from every ship is not one's wake
CLOSE_KM = 2  # Review says one this near aloud: a slick starting at a ship
TRACK_KM = 0.5  # a slick within this of a vessel's track of the hour before the pass ...
ON_TRACK = 0.5  # ... for this share of its area lies on it: where a discharge under way is left
STOPPED_KNOTS = 0.5  # slower than this between two reports: lying still, no course to give
KEPT_KM = 50  # positions kept within this of a scene
SETTING = "vessels"
# The columns of each provider's export, any case: which one holds what.
COLUMNS = {
    "mmsi": ("mmsi", "ssvid"),
    "time": ("basedatetime", "base_date_time", "# timestamp", "timestamp", "time", "datetime", "date_time_utc", "msgtime"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "longitude"),
    "name": ("vesselname", "vessel_name", "name", "shipname", "ship_name"),
    "sog": ("sog", "speed", "speed_knots"),
    "cog": ("cog", "course"),
}
NOT_AVAILABLE = {"sog": 102.3, "cog": 360.0}  # AIS writes these for "not available"; the valid lie below
DAY_FIRST = re.compile(r"(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d):(\d\d)")  # the Danish Maritime Authority's


@dataclass(frozen=True)
class Vessel:
    mmsi: str
    name: str
    lon: float
    lat: float
    how: str  # "between reports at 03:12 and 03:16 UTC", "reported at 03:10 UTC"
    course: float | None = None  # degrees from true north at the pass, between its two reports; None: one report
    knots: float | None = None  # its speed between them
    behind: tuple[tuple[float, float], ...] = ()  # (lon, lat) of its reports in the hour before the pass, then its place
    ahead: tuple[tuple[float, float], ...] = ()  # its place, then its reports in the hour after

    @property
    def label(self) -> str:
        return f"{self.name} (MMSI {self.mmsi})" if self.name else f"MMSI {self.mmsi}"

    @property
    def motion(self) -> str:
        """How it moved between its two reports ("making 12.3 kn on 087°", "lying still"); "" at one report."""
        if self.knots is None:
            return ""
        return "lying still" if self.knots < STOPPED_KNOTS else f"making {self.knots:.1f} kn on {round(self.course) % 360:03d}°"

    @property
    def heading(self) -> float | None:
        """Its course where it was under way; None where it lay still or its course is unknown."""
        return self.course if self.knots is not None and self.knots >= STOPPED_KNOTS else None


@dataclass(frozen=True)
class OnTrack:
    name: str  # the vessel's label
    share: float  # of the slick's area within TRACK_KM of its track of the hour before the pass


@dataclass(frozen=True)
class VesselNote:
    """What Review says of the seep shown: its nearest vessel at the pass (within VESSEL_KM) and how
    it moved, and the vessel whose last hour's track it lies on."""

    near: Near | None
    motion: str
    on_track: OnTrack | None


@dataclass(frozen=True)
class VesselMark:
    """A vessel on the scene map, in the scene's pixels: its place at the pass, the way it headed
    there on the screen (degrees clockwise from up; None: no course) and its track of the hour around."""

    label: str
    col: float
    row: float
    angle: float | None
    track: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class VesselLoad:
    file: str
    by: str
    at: str
    kept: int  # positions near a pass, new to the workspace
    read: int  # rows read
    skipped: int  # rows with no position or time AIS gives (lat 91, lon 181: not available)
    passes: tuple[str, ...] | None = None  # the passes its positions were kept around (pass_key); None: before they were counted

    def summary(self) -> str:
        skipped = f"; {counted(self.skipped, 'row')} with no usable position or time left out" if self.skipped else ""
        return (
            f"{counted(self.kept, 'AIS position')} kept of {counted(self.read, 'row')} from {self.file} (those within an "
            f"hour of a pass and {KEPT_KM} km of its scene){skipped}"
        )


def loaded(ws: Workspace) -> VesselLoad | None:
    """The last AIS file loaded, by whom and when; None where none was."""
    with ws.connect() as con:
        row = con.execute("SELECT value FROM settings WHERE key = ?", (SETTING,)).fetchone()
    if not row:
        return None
    was = json.loads(row[0])
    return VesselLoad(**{**was, "passes": tuple(was["passes"]) if was.get("passes") is not None else None})


def missed(ws: Workspace, sc: Scene) -> bool:
    """Whether AIS was loaded before this pass was in the workspace with its time (imported since, or
    its time set or changed since): its positions were not kept, and the file must be loaded again."""
    last = loaded(ws)
    return (
        last is not None
        and last.passes is not None
        and sc.acquired is not None
        and sc.grid.crs is not None
        and pass_key(sc) not in last.passes
    )


def pass_key(sc: Scene) -> str:
    return f"{sc.name} {sc.acquired}"


def load_vessels(ws: Workspace, path: Path, actor: str) -> VesselLoad:
    """Add a CSV's AIS positions near the workspace's passes (those there already are kept once). A
    file that cannot be read as AIS is refused, and nothing is added."""
    from seep.workspace.accounts import _now, record_in

    actor = acting(actor, "before loading AIS")
    passes = _passes(ws)
    if not passes:
        raise BadInputError(
            "no scene here has both a time and a coordinate system: import the passes first (their AIS is kept only "
            "around them), and set a pass's time where its file does not give it (`acquired SCENE WHEN`)"
        )
    rows, read, skipped = _read(Path(path), [(when, box) for _, when, box in passes])
    was = loaded(ws)
    covered = sorted({key for key, _, _ in passes} | set(was.passes if was and was.passes else ()))
    with ws.connect(write=True) as con:
        before = con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0]
        for row in rows:
            con.execute(
                "INSERT INTO vessel_positions (mmsi, name, at, lon, lat, sog, cog) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (mmsi, at) DO NOTHING",
                row,
            )
        kept = con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0] - before
        done = VesselLoad(Path(path).name, actor, _now(), kept, read, skipped, tuple(covered))
        con.execute(
            "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (SETTING, json.dumps(done.__dict__)),
        )
        record_in(con, actor, "load AIS", done.file, counted(kept, "position"))
    return done


def clear_vessels(ws: Workspace, actor: str) -> int:
    """Remove every AIS position (the audit trail keeps how many); returns how many."""
    from seep.workspace.accounts import record_in

    acting(actor, "before removing AIS")
    with ws.connect(write=True) as con:
        n = con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0]
        con.execute("DELETE FROM vessel_positions")
        con.execute("DELETE FROM settings WHERE key = ?", (SETTING,))
        record_in(con, clean_author(actor), "remove AIS", "", counted(n, "position"))
    return n


def at_pass(ws: Workspace, sc: Scene) -> list[Vessel]:
    """Each vessel AIS places near `sc` when the radar passed; [] for a scene of unknown time or no CRS."""
    if sc.acquired is None or sc.grid.crs is None:
        return []
    when = _time(sc.acquired)
    sql, args = (
        "SELECT mmsi, name, at, lon, lat, sog, cog FROM vessel_positions WHERE at >= ? AND at <= ?",
        [
            _iso(when - WINDOW),
            _iso(when + WINDOW),
        ],
    )
    box = _around(sc, KEPT_KM)
    if box is not None:
        west, south, east, north = box
        turns = " OR ".join(["(lon >= ? AND lon <= ?)"] * 3)  # a box past 180 meets a longitude written from -180
        sql += f" AND lat >= ? AND lat <= ? AND ({turns})"
        args += [south, north, *(v for turn in (-360, 0, 360) for v in (west + turn, east + turn))]
    with ws.connect() as con:
        rows = con.execute(sql + " ORDER BY mmsi, at", args).fetchall()
    out = []
    for mmsi, reports in itertools.groupby(rows, key=lambda r: r[0]):
        placed = _placed(mmsi, [(_time(r[2]), float(r[3]), float(r[4]), r[1], r[5], r[6]) for r in reports], when)
        if placed:
            out.append(placed)
    return out


def vessels_by_slick(ws: Workspace, sc: Scene, geoms: list) -> tuple[list[Near | None], list[OnTrack | None]]:
    """For each of `sc`'s slicks (polygons in its CRS): the nearest vessel at the pass within
    VESSEL_KM, and the vessel whose track of the hour before the pass it lies on."""
    vessels = at_pass(ws, sc) if geoms else []
    return _nearest_vessels(sc, geoms, vessels), _on_tracks(sc, geoms, vessels)


def _nearest_vessels(sc: Scene, geoms: list, vessels: list[Vessel]) -> list[Near | None]:
    if not vessels or not geoms:
        return [None] * len(geoms)
    local = centred_on(sc)
    where = np.array([shapely.Point(v.lon, v.lat) for v in vessels], dtype=object)
    return _nearest([v.label for v in vessels], where, local, in_metres(sc, geoms, local), km=VESSEL_KM)


def _on_tracks(sc: Scene, geoms: list, vessels: list[Vessel]) -> list[OnTrack | None]:
    """The vessel whose track of the hour before the pass has ON_TRACK or more of each slick's area
    within TRACK_KM: the most of it, where several do."""
    vessels = [v for v in vessels if len(set(v.behind)) > 1]
    if not vessels or not geoms:
        return [None] * len(geoms)
    local = centred_on(sc)
    tracks = np.array([shapely.LineString(v.behind) for v in vessels], dtype=object)
    tracks = reproject(shapely.segmentize(tracks, STEP_DEGREES), "EPSG:4326", local)
    near = shapely.buffer(tracks, TRACK_KM * 1000)
    slicks = np.array(in_metres(sc, geoms, local), dtype=object)
    mine, theirs = shapely.STRtree(near).query(slicks, predicate="intersects")
    areas = shapely.area(slicks)
    shares = shapely.area(shapely.intersection(slicks[mine], near[theirs])) / np.maximum(areas[mine], 1e-9)
    out: list[OnTrack | None] = [None] * len(geoms)
    for i, j, share in sorted(zip(mine.tolist(), theirs.tolist(), shares.tolist(), strict=True), key=lambda t: t[2]):
        if share >= ON_TRACK:  # in rising share: the most of each slick is written last
            out[i] = OnTrack(vessels[j].label, share)
    return out


def vessels_on_scene(ws: Workspace, sc: Scene) -> list[VesselMark]:
    """Each vessel at the pass over the scene, in its pixels: for its map."""
    return [m for m in _marks(sc, at_pass(ws, sc)) if 0 <= m.col <= sc.grid.width and 0 <= m.row <= sc.grid.height]


def vessels_on_tile(ws: Workspace, image_id: str, size: int) -> list[VesselMark]:
    """The vessels at the pass whose place or track of the hour around it meets a scene tile of
    `size` pixels, in the tile's own pixels: what Review draws over it. [] for a tile of no scene."""
    place = tile_place(ws, image_id)
    if place is None:
        return []
    name, row_off, col_off = place
    sc = scene(ws, name)
    tile = shapely.box(0, 0, size, size)
    out = []
    for m in _marks(sc, at_pass(ws, sc)):
        mine = replace(m, col=m.col - col_off, row=m.row - row_off, track=tuple((c - col_off, r - row_off) for c, r in m.track))
        where = shapely.LineString(mine.track) if len(mine.track) > 1 else shapely.Point(mine.col, mine.row)
        if where.intersects(tile):
            out.append(mine)
    return out


def _marks(sc: Scene, vessels: list[Vessel]) -> list[VesselMark]:
    """Each vessel in `sc`'s pixels: its place, the way it headed on the grid, its track."""
    from pyproj import Geod

    if not vessels:
        return []
    to_pixel = _to_pixels(sc)
    out = []
    for v in vessels:
        (col, row), *track = to_pixel([(v.lon, v.lat), *v.behind, *v.ahead[1:]])
        angle = None
        if v.heading is not None:  # the way it headed, on this grid (north need not be up)
            lon, lat, _ = Geod(ellps="WGS84").fwd(v.lon, v.lat, v.heading, 100)
            [(c, r)] = to_pixel([(lon, lat)])
            angle = math.degrees(math.atan2(c - col, row - r)) % 360
        how = ", ".join(part for part in (v.how, v.motion) if part)
        out.append(VesselMark(f"{v.label}, {how}", col, row, angle, tuple(track)))
    return out


GEOJSON_FIELDS = ["mmsi", "name", "scene", "pass_at", "what", "placed", "course", "knots"]


def vessels_geojson(ws: Workspace, sc: Scene, vessels: list[Vessel] | None = None) -> bytes:
    """The vessels at the pass as GeoJSON (RFC 7946): a point each where AIS placed it, saying how
    and how it moved (course in degrees from true north, speed in knots; null where unknown or
    lying still), and a line through its reports of the hour around: for a GIS, or a report to an
    authority. Empty where none was placed. `vessels`: at_pass's, where the caller has them."""
    from pyogrio.raw import write

    geoms, rows = [], []
    for v in at_pass(ws, sc) if vessels is None else vessels:
        common = [v.mmsi, v.name or None, sc.name, sc.acquired]
        geoms.append(shapely.Point(v.lon, v.lat))
        rows.append([*common, "at the pass", v.how, v.heading, None if v.heading is None else v.knots])
        track = (*v.behind, *v.ahead[1:])
        if len(set(track)) > 1:
            geoms.append(shapely.LineString(track))
            rows.append([*common, "track, the hour around the pass", None, None, None])
    if not geoms:
        return b""
    columns = [np.array([r[k] for r in rows], dtype=object) for k in range(6)]
    columns += [np.array([np.nan if r[k] is None else r[k] for r in rows], dtype=np.float64) for k in (6, 7)]
    buf = io.BytesIO()
    write(
        buf,
        np.array(shapely.to_wkb(geoms), dtype=object),
        columns,
        GEOJSON_FIELDS,
        driver="GeoJSON",
        geometry_type="Unknown",
        crs="EPSG:4326",
        layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"},  # a track over 180 degrees is cut there
    )
    return buf.getvalue()


def vessel_note(ws: Workspace, image_id: str, mask: np.ndarray) -> VesselNote | None:
    """Of the seep in `mask` (a scene tile's label or prediction as Review shows it): the vessel at
    the pass nearest it and the one whose last hour's track it lies on; None for a tile of no
    scene or no seep, or where neither is."""
    found = tile_seep(ws, image_id, mask)
    if not found:
        return None
    sc, geoms = found
    vessels = at_pass(ws, sc)
    if not vessels:
        return None
    near, on_track = _nearest_vessels(sc, geoms, vessels)[0], _on_tracks(sc, geoms, vessels)[0]
    if near is None and on_track is None:
        return None
    motion = next((v.motion for v in vessels if near and v.label == near.name), "")
    return VesselNote(near, motion, on_track)


def _to_pixels(sc: Scene):
    """Longitude and latitude pairs into `sc`'s (column, row) pairs."""
    from seep.data.geo import transformer

    to_crs, to_pixel = transformer("EPSG:4326", sc.grid.crs), ~sc.grid.affine()

    def convert(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        x, y = to_crs.transform([p[0] for p in points], [p[1] for p in points])
        return [tuple(float(v) for v in to_pixel @ xy) for xy in zip(x, y, strict=True)]

    return convert


Report = tuple  # (time, lon, lat, name, reported speed or None, reported course or None), as at_pass reads them


def _placed(mmsi: str, reports: list[Report], when: datetime) -> Vessel | None:
    """A vessel at `when` from its reports (time order), or None where none is near enough in time."""
    before = [r for r in reports if r[0] <= when]
    after = [r for r in reports if r[0] > when]
    name = next((r[3] for r in reversed(reports) if r[3]), "")
    if before and after and after[0][0] - before[-1][0] <= BRIDGE:
        lon, lat, course, knots, how = _between(before[-1], after[0], when)
    else:
        one = min([*before[-1:], *after[:1]], key=lambda r: abs(r[0] - when), default=None)
        if one is None or abs(one[0] - when) > ALONE:
            return None
        lon, lat, course, knots, how = _carried(one, when)
    place = (lon, lat)
    behind = tuple((r[1], r[2]) for r in before if r[1:3] != place) + (place,)
    ahead = (place, *((r[1], r[2]) for r in after if r[1:3] != place))
    return Vessel(mmsi, name, lon, lat, how, course, knots, behind, ahead)


def _between(r0: Report, r1: Report, when: datetime) -> tuple:
    """(lon, lat, course, knots, how) at `when` along the geodesic between two reports: where the
    vessel went, which says more than the speed and course it reported."""
    from pyproj import Geod

    (t0, lon0, lat0), (t1, lon1, lat1) = r0[:3], r1[:3]
    geod = Geod(ellps="WGS84")
    azimuth, _, metres = geod.inv(lon0, lat0, lon1, lat1)
    lon, lat, _ = geod.fwd(lon0, lat0, azimuth, metres * (when - t0) / (t1 - t0))
    course = geod.inv(lon, lat, lon1, lat1)[0] % 360 if metres else 0.0  # the course where it is, not where it set out
    knots = metres / (t1 - t0).total_seconds() * 3600 / 1852
    return lon, lat, course, knots, f"between its reports at {t0:%H:%M:%S} and {t1:%H:%M:%S} UTC"


def _carried(one: Report, when: datetime) -> tuple:
    """(lon, lat, course, knots, how) at `when` from one report: carried on (or back) along the
    speed and course it reported, where it gave them; else where it was (at 15 knots, 4.6 km
    off at ALONE's 10 minutes)."""
    from pyproj import Geod

    t, lon, lat, _, knots, course = one
    how = f"at its report at {t:%H:%M:%S} UTC"
    if knots is None or course is None:
        return lon, lat, None, None, how
    if knots >= STOPPED_KNOTS:
        lon, lat, _ = Geod(ellps="WGS84").fwd(lon, lat, course, knots * 1852 / 3600 * (when - t).total_seconds())
        how = f"from its report at {t:%H:%M:%S} UTC, carried on at the speed and course it reported"
    return lon, lat, course, knots, how


def _passes(ws: Workspace) -> list[tuple[str, datetime, tuple[float, float, float, float] | None]]:
    """(pass_key, time, box in degrees widened by KEPT_KM; None: anywhere) of each pass with a time and a CRS."""
    out = []
    for name in scene_names(ws):
        sc = scene(ws, name)
        if sc.acquired is not None and sc.grid.crs is not None:
            out.append((pass_key(sc), _time(sc.acquired), _around(sc, KEPT_KM)))
    return out


def _read(path: Path, passes: list) -> tuple[list[tuple], int, int]:
    """The rows of the file near a pass, as (mmsi, name, at, lon, lat), with the rows read and those left out."""
    try:
        f = open(path, newline="", encoding="utf-8-sig", errors="replace")  # noqa: SIM115 (closed below)
    except OSError as e:
        raise BadInputError(f"cannot read {path}: {e.strerror or e}") from e
    with f:
        reader = csv.reader(f)
        try:
            header = next(reader, None)
            if header is None:
                raise BadInputError(f"{path} is empty: give a CSV of AIS positions (MMSI, time, latitude, longitude)")
            at = _columns(path, header)
            kept, read, skipped = [], 0, 0
            for row in reader:
                read += 1
                got = _row(row, at)
                if got is None:
                    skipped += 1
                elif _near_a_pass(*got[2:5], passes):
                    kept.append((*got[:2], _iso(got[2]), *got[3:]))
        except csv.Error as e:  # a NUL byte, a field past the csv module's limit: not a CSV
            raise BadInputError(f"{path} cannot be read as a CSV, line {reader.line_num:,}: {e}") from e
    if read and skipped == read:
        raise BadInputError(f"none of the {read:,} rows of {path} has a position and a time Seep can read (is it AIS?)")
    return kept, read, skipped


def _columns(path: Path, header: list[str]) -> dict[str, int | None]:
    """The index of each column of COLUMNS in `header` (name: None where absent); a missing one is refused."""
    named = {h.strip().lower(): i for i, h in enumerate(header)}
    at = {what: next((named[c] for c in names if c in named), None) for what, names in COLUMNS.items()}
    missing = [what for what in ("mmsi", "time", "lat", "lon") if at[what] is None]
    if missing:
        raise BadInputError(
            f"{path} has no {', '.join(missing)} column: give a CSV of AIS positions with MMSI, a time (BaseDateTime, "
            f"# Timestamp, timestamp), latitude and longitude; its columns are {', '.join(header)[:300]}"
        )
    return at


def _row(row: list[str], at: dict[str, int | None]) -> tuple | None:
    """(mmsi, name, time, lon, lat, sog, cog) of one row, or None where it has no usable position or time
    (a speed or course it does not give, or gives as not available, is None)."""
    try:
        mmsi = row[at["mmsi"]].strip()
        lat, lon = float(row[at["lat"]]), float(row[at["lon"]])
        when = _time(row[at["time"]])
    except (IndexError, ValueError):
        return None
    if not (mmsi.isascii() and mmsi.isdigit() and len(mmsi) <= 20) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None  # an MMSI is digits; AIS writes 91 and 181 for "not available"
    name = row[at["name"]] if at["name"] is not None and at["name"] < len(row) else ""
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:60]
    return mmsi, name, when, lon, lat, _reported(row, at["sog"], "sog"), _reported(row, at["cog"], "cog")


def _reported(row: list[str], i: int | None, what: str) -> float | None:
    """A speed or course as AIS gives it, or None where it is missing, unreadable or not available."""
    try:
        value = float(row[i]) if i is not None else None
    except (IndexError, ValueError):
        return None
    return value if value is not None and 0 <= value < NOT_AVAILABLE[what] else None


def _near_a_pass(when: datetime, lon: float, lat: float, passes: list) -> bool:
    for t, box in passes:
        if abs(when - t) <= WINDOW and (box is None or _in_box(lon, lat, box)):
            return True
    return False


def _in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    return south <= lat <= north and any(west <= lon + turn <= east for turn in (-360, 0, 360))


def _time(text: str) -> datetime:
    """A time as AIS exports write it, in UTC: ISO 8601 (naive is UTC; "Z" or " UTC" allowed), or
    the Danish Maritime Authority's day first, 14/03/2025 03:14:07. Raises ValueError."""
    t = text.strip().removesuffix(" UTC")
    if m := DAY_FIRST.fullmatch(t):
        day, month, year, hour, minute, second = map(int, m.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    when = datetime.fromisoformat(t)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
