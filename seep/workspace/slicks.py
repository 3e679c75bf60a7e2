"""A scene's seeps as an analyst's report lists them: a row per slick (a connected region of
one class, merged across tile borders, as the map exports draw it), largest first, with the
tile and pixel to open it at.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, fields

from seep.data.geo import lonlat
from seep.workspace.gis import seep_polygons
from seep.workspace.installations import Near, nearest_installations
from seep.workspace.recurrence import seen_elsewhere
from seep.workspace.scenes import acquired_times, tile_offsets_of
from seep.workspace.spreadsheets import write_csv
from seep.workspace.vessels import vessels_by_slick
from seep.workspace.workspace import Workspace


@dataclass(frozen=True)
class Slick:
    class_id: int
    class_name: str
    pixels: int
    area_km2: float | None  # None: the scene has no coordinate system
    length_km: float | None
    lon: float | None  # a point inside the slick: the centroid of a curved one may lie outside it
    lat: float | None
    status: str  # of its least reviewed tile
    mean_confidence: float | None  # predictions only
    tiles: int
    note: str | None
    image_id: str | None  # the tile holding that point, and the point in it
    tile_row: int
    tile_col: int
    seen_in: tuple[str, ...] = ()  # other scenes whose reviewed labels hold a slick near it: a seep comes back
    first_seen: str | None = None  # the earliest known pass of this scene and those: since when it leaks
    installation: str | None = None  # the nearest of the team's installations, within installations.NEAR_KM
    installation_km: float | None = None  # from the slick's outline to it
    vessel: str | None = None  # the nearest vessel AIS places there at the pass, within vessels.VESSEL_KM
    vessel_km: float | None = None
    on_track: str | None = None  # the vessel whose track of the hour before the pass it lies on (vessels.vessels_by_slick)
    # The box around it on the scene's grid (first row and column, past the last): where a
    # close-up looks. Not a column of the list: a reader has the place and the length.
    box: tuple[int, int, int, int] = field(default=(0, 0, 0, 0), compare=False)

    def nearest_installation(self) -> str | None:
        """Its nearest installation and how far, as the list and the report give it."""
        return None if self.installation is None else str(Near(self.installation, self.installation_km))

    def nearest_vessel(self) -> str | None:
        """Its nearest vessel at the pass and how far, as the list and the report give it."""
        return None if self.vessel is None else str(Near(self.vessel, self.vessel_km))


def scene_slicks(ws: Workspace, name: str, source: str = "labels", model_id: str | None = None) -> list[Slick]:
    """The scene's slicks in its current labels, or in `model_id`'s predictions, largest first."""
    sc, geoms, props = seep_polygons(ws, name, source, model_id)
    seen = seen_elsewhere(ws, sc, geoms)
    near = nearest_installations(ws, sc, geoms)
    ships, wakes = vessels_by_slick(ws, sc, geoms)
    times = acquired_times(ws)
    at = {off: image_id for image_id, off in tile_offsets_of(ws, name).items()}
    to_pixel = ~sc.grid.affine()
    out = []
    for geom, p, elsewhere, installation, ship, wake in zip(geoms, props, seen, near, ships, wakes, strict=True):
        x, y = geom.representative_point().coords[0]
        col, row = (int(v) for v in to_pixel @ (x, y))
        lon, lat = lonlat(sc.grid.crs, x, y) if sc.grid.crs else (None, None)
        lon, lat = (round(lon, 7), round(lat, 7)) if sc.grid.crs else (None, None)  # a centimetre
        out.append(
            Slick(
                p["class_id"],
                p["class_name"],
                p["pixels"],
                p["area_km2"],
                p["length_km"],
                lon,
                lat,
                p["status"],
                p["mean_confidence"],
                len(p["tiles"].split(", ")),
                p["note"],
                at.get((row - row % sc.tile, col - col % sc.tile)),
                row % sc.tile,
                col % sc.tile,
                elsewhere,
                min(filter(None, (times.get(n) for n in (name, *elsewhere))), default=None),
                installation and installation.name,
                installation and round(installation.km, 3),
                ship and ship.name,
                ship and round(ship.km, 3),
                wake and wake.name,
                _pixel_box(to_pixel, geom.bounds),
            )
        )
    return sorted(out, key=lambda s: -s.pixels)


def _pixel_box(to_pixel, bounds: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """A box in the scene's CRS as (row0, col0, row1, col1) on its grid, whichever way its axes run."""
    x0, y0, x1, y1 = bounds
    cols, rows = zip(*(to_pixel @ (x, y) for x in (x0, x1) for y in (y0, y1)), strict=True)
    return math.floor(min(rows)), math.floor(min(cols)), math.ceil(max(rows)), math.ceil(max(cols))


CSV_FIELDS = [f.name for f in fields(Slick) if f.name != "box"]


def slicks_csv(slicks: list[Slick]) -> str:
    """The list as a spreadsheet opens it, a column per field; notes (typed text) kept as text."""
    buf = io.StringIO()
    rows = ([", ".join(v) if isinstance(v, tuple) else v for v in (getattr(s, n) for n in CSV_FIELDS)] for s in slicks)
    write_csv(buf, CSV_FIELDS, rows)
    return buf.getvalue()
