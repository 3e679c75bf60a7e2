"""Vessels at the pass, from AIS: a slick trailing a ship is more often its discharge than a seep,
so analysts check each slick against the ships AIS placed there when the radar passed. The team
loads a CSV of AIS positions as the providers export them (MarineCadastre's BaseDateTime, LAT,
LON; the Danish Maritime Authority's # Timestamp, Latitude, Longitude; Global Fishing Watch's
ssvid, timestamp); only the positions within an hour of a pass of a scene here, and within 50 km
of that scene, are kept (a day of a sea's AIS is millions of rows).

Each vessel is placed at the pass between its two reports around it (along the geodesic, by
pyproj), or at its one report within ALONE of it; the seeps list then names each slick's nearest
within VESSEL_KM, measured as the installations are (seep.workspace.installations).

    load_vessels(ws, path, actor)      keep a CSV's positions near the workspace's passes
    at_pass(ws, sc)                    each vessel's place when the radar passed
    nearest_vessels(ws, sc, geoms)     each slick's nearest vessel at the pass
    vessels_on_scene(ws, sc)           where the scene map draws them
    vessel_near_tile(ws, image, mask)  Review's note
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import shapely

from seep.errors import BadInputError
from seep.workspace.installations import Near, _around, _nearest, tile_seep
from seep.workspace.records import acting, clean_author, counted
from seep.workspace.recurrence import centred_on, in_metres
from seep.workspace.scenes import Scene, scene, scene_names
from seep.workspace.workspace import Workspace

WINDOW = timedelta(hours=1)  # positions kept around each pass: no ship makes 50 km in an hour
BRIDGE = timedelta(minutes=30)  # a vessel is placed between two reports at most this far apart
ALONE = timedelta(minutes=10)  # ... else at its one report this near the pass
VESSEL_KM = 10  # beyond this none is named: a slick that far from every ship is not one's wake
CLOSE_KM = 2  # Review says one this near aloud: a slick starting at a ship
KEPT_KM = 50  # positions kept within this of a scene
SETTING = "vessels"
# The columns of each provider's export, any case: which one holds what.
COLUMNS = {
    "mmsi": ("mmsi", "ssvid"),
    "time": ("basedatetime", "base_date_time", "# timestamp", "timestamp", "time", "datetime", "date_time_utc", "msgtime"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "longitude"),
    "name": ("vesselname", "vessel_name", "name", "shipname", "ship_name"),
}
DAY_FIRST = re.compile(r"(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d):(\d\d)")  # the Danish Maritime Authority's


@dataclass(frozen=True)
class Vessel:
    mmsi: str
    name: str
    lon: float
    lat: float
    how: str  # "between reports at 03:12 and 03:16 UTC", "reported at 03:10 UTC"

    @property
    def label(self) -> str:
        return f"{self.name} (MMSI {self.mmsi})" if self.name else f"MMSI {self.mmsi}"


@dataclass(frozen=True)
class VesselLoad:
    file: str
    by: str
    at: str
    kept: int  # positions near a pass, new to the workspace
    read: int  # rows read
    skipped: int  # rows with no position or time AIS gives (lat 91, lon 181: not available)

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
    return VesselLoad(**json.loads(row[0])) if row else None


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
    rows, read, skipped = _read(Path(path), passes)
    with ws.connect(write=True) as con:
        before = con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0]
        for row in rows:
            con.execute(
                "INSERT INTO vessel_positions (mmsi, name, at, lon, lat) VALUES (?, ?, ?, ?, ?) ON CONFLICT (mmsi, at) DO NOTHING",
                row,
            )
        kept = con.execute("SELECT count(*) FROM vessel_positions").fetchone()[0] - before
        done = VesselLoad(Path(path).name, actor, _now(), kept, read, skipped)
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
        "SELECT mmsi, name, at, lon, lat FROM vessel_positions WHERE at >= ? AND at <= ?",
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
        placed = _placed([(_time(r[2]), float(r[3]), float(r[4]), r[1]) for r in reports], when)
        if placed:
            out.append(Vessel(mmsi, *placed))
    return out


def nearest_vessels(ws: Workspace, sc: Scene, geoms: list) -> list[Near | None]:
    """For each of `sc`'s slicks (polygons in its CRS), the nearest vessel at the pass within VESSEL_KM."""
    vessels = at_pass(ws, sc) if geoms else []
    if not vessels:
        return [None] * len(geoms)
    local = centred_on(sc)
    where = np.array([shapely.Point(v.lon, v.lat) for v in vessels], dtype=object)
    return _nearest([v.label for v in vessels], where, local, in_metres(sc, geoms, local), km=VESSEL_KM)


def vessels_on_scene(ws: Workspace, sc: Scene) -> list[tuple[str, float, float]]:
    """(label and how placed, column, row) of each vessel at the pass over the scene, in its pixels: for its map."""
    from seep.data.geo import transformer

    vessels = at_pass(ws, sc)
    if not vessels:
        return []
    x, y = transformer("EPSG:4326", sc.grid.crs).transform([v.lon for v in vessels], [v.lat for v in vessels])
    to_pixel = ~sc.grid.affine()
    out = []
    for v, vx, vy in zip(vessels, x, y, strict=True):
        col, row = to_pixel @ (vx, vy)
        if 0 <= col <= sc.grid.width and 0 <= row <= sc.grid.height:
            out.append((f"{v.label}, {v.how}", float(col), float(row)))
    return out


def vessel_near_tile(ws: Workspace, image_id: str, mask: np.ndarray) -> Near | None:
    """The vessel at the pass nearest the seep in `mask` (a scene tile's label or prediction as
    Review shows it), within VESSEL_KM; None for a tile of no scene or no seep."""
    found = tile_seep(ws, image_id, mask)
    return nearest_vessels(ws, *found)[0] if found else None


def _placed(reports: list[tuple[datetime, float, float, str]], when: datetime) -> tuple[str, float, float, str] | None:
    """(name, lon, lat, how) of a vessel at `when` from its reports (time order), or None where none is near enough in time."""
    from pyproj import Geod

    before = [r for r in reports if r[0] <= when]
    after = [r for r in reports if r[0] > when]
    name = next((r[3] for r in reversed(reports) if r[3]), "")
    if before and after and after[0][0] - before[-1][0] <= BRIDGE:
        (t0, lon0, lat0, _), (t1, lon1, lat1, _) = before[-1], after[0]
        geod = Geod(ellps="WGS84")
        azimuth, _, metres = geod.inv(lon0, lat0, lon1, lat1)
        lon, lat, _ = geod.fwd(lon0, lat0, azimuth, metres * (when - t0) / (t1 - t0))
        return name, lon, lat, f"between its reports at {t0:%H:%M:%S} and {t1:%H:%M:%S} UTC"
    one = min([*before[-1:], *after[:1]], key=lambda r: abs(r[0] - when), default=None)
    if one is None or abs(one[0] - when) > ALONE:
        return None
    return name, one[1], one[2], f"at its report at {one[0]:%H:%M:%S} UTC"


def _passes(ws: Workspace) -> list[tuple[datetime, tuple[float, float, float, float] | None]]:
    """(time, box in degrees widened by KEPT_KM; None: anywhere) of each pass with a time and a CRS."""
    out = []
    for name in scene_names(ws):
        sc = scene(ws, name)
        if sc.acquired is not None and sc.grid.crs is not None:
            out.append((_time(sc.acquired), _around(sc, KEPT_KM)))
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
                elif _near_a_pass(*got[2:], passes):
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
    """(mmsi, name, time, lon, lat) of one row, or None where it has no usable position or time."""
    try:
        mmsi = row[at["mmsi"]].strip()
        lat, lon = float(row[at["lat"]]), float(row[at["lon"]])
        when = _time(row[at["time"]])
    except (IndexError, ValueError):
        return None
    if not (mmsi.isascii() and mmsi.isdigit() and len(mmsi) <= 20) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None  # an MMSI is digits; AIS writes 91 and 181 for "not available"
    name = row[at["name"]] if at["name"] is not None and at["name"] < len(row) else ""
    return mmsi, "".join(ch for ch in name if ch.isprintable()).strip()[:60], when, lon, lat


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
