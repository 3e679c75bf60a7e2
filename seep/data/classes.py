"""The class table: the one place that says which label ids exist, their names and colours.

A workspace stores its table in `dataset.json`; everything else (display, metrics,
training heads, the editor palette) reads it from there, so a 12-class RGB set works
by writing another table, not by changing code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from seep.errors import BadInputError

MAX_NAME = 40
MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class SeepClass:
    id: int
    name: str
    colour: str  # "#rrggbb"
    description: str = ""  # one line: what an analyst paints with this class

    @property
    def rgb(self) -> tuple[int, int, int]:
        h = self.colour.lstrip("#")
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@dataclass(frozen=True)
class ClassTable:
    """Label ids 0..n-1, id 0 being the background ("not a seep")."""

    classes: tuple[SeepClass, ...]

    def __post_init__(self) -> None:
        ids = [c.id for c in self.classes]
        if ids != list(range(len(ids))):
            raise BadInputError(f"class ids must be 0..{len(ids) - 1} in order, got {ids}")
        if len(ids) < 2:
            raise BadInputError("a class table needs a background class and at least one other")
        if len(ids) > 255:
            raise BadInputError(f"masks are uint8: at most 255 classes, got {len(ids)}")
        for c in self.classes:
            h = c.colour.lstrip("#")
            if len(h) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in h):
                raise BadInputError(f"class {c.id} ({c.name}): colour {c.colour!r} is not #rrggbb")

    def __len__(self) -> int:
        return len(self.classes)

    def __getitem__(self, i: int) -> SeepClass:
        return self.classes[i]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.classes]

    @property
    def unnamed(self) -> list[int]:
        """The seep classes still called by the default table's number, with nothing saying what they are."""
        return [c.id for c in self.classes[1:] if c.name == f"seep {c.id}" and not c.description]

    def renamed(self, names: dict[int, tuple[str, str]]) -> ClassTable:
        """The same ids and colours with new names and descriptions ({id: (name, description)})."""
        unknown = sorted(set(names) - {c.id for c in self.classes[1:]})
        if unknown:
            raise BadInputError(f"no seep class {unknown[0]} in this table (1..{len(self) - 1}); ids and colours never change")
        table = ClassTable(
            tuple(
                SeepClass(c.id, names[c.id][0].strip(), c.colour, names[c.id][1].strip()) if c.id in names else c
                for c in self.classes
            )
        )
        # Checked here, on what an admin types, not on every table read: a dataset.json written
        # before names were checked still opens.
        for c in table.classes:
            if c.id in names and (not c.name or len(c.name) > MAX_NAME or not c.name.isprintable()):
                raise BadInputError(f"class {c.id}: a name is 1 to {MAX_NAME} printable characters on one line, got {c.name!r}")
            if c.id in names and (len(c.description) > MAX_DESCRIPTION or not c.description.isprintable()):
                raise BadInputError(f"class {c.id} ({c.name}): a description is one line of at most {MAX_DESCRIPTION} characters")
        folded = [c.name.casefold() for c in table.classes]
        if len(set(folded)) != len(folded):
            raise BadInputError(f"two classes would have the same name ({', '.join(table.names)}); each needs its own")
        return table

    def palette(self) -> np.ndarray:
        """(n, 3) uint8 colours, indexable by a mask to colour it."""
        return np.array([c.rgb for c in self.classes], dtype=np.uint8)

    def check_mask(
        self, mask: np.ndarray, what: str = "mask", fix: str = "fix the mask or use a dataset.json whose table has these classes"
    ) -> None:
        """Refuse values that no class has, naming them, so nothing unknown is stored (or, read
        for training or scoring, fails deep inside)."""
        present = np.unique(mask)
        bad = [int(v) for v in present if v >= len(self.classes)]
        if bad:
            raise BadInputError(f"{what} has values {bad} outside the class table (0..{len(self.classes) - 1}); {fix}")

    def colormap(self) -> dict[int, tuple[int, int, int]]:
        """{id: (r, g, b)}, a GeoTIFF's colour table: a GIS draws a mask in the app's colours
        (QGIS: a paletted layer), not as a grey ramp over 0-255 in which every seep class is black."""
        return {c.id: c.rgb for c in self.classes}

    def binary(self) -> ClassTable:
        """Seep vs. not: every non-background class merged into one."""
        return ClassTable((self.classes[0], SeepClass(1, "seep", self.classes[1].colour)))


# Colours picked to stay distinguishable over grey radar and for common colour-vision
# deficiencies (Okabe-Ito based), class 1 the most saturated since it is the most common.
SEEP_CLASSES = ClassTable(
    (
        SeepClass(0, "background", "#000000"),
        SeepClass(1, "seep 1", "#e69f00"),
        SeepClass(2, "seep 2", "#56b4e9"),
        SeepClass(3, "seep 3", "#009e73"),
        SeepClass(4, "seep 4", "#f0e442"),
        SeepClass(5, "seep 5", "#0072b2"),
        SeepClass(6, "seep 6", "#d55e00"),
        SeepClass(7, "seep 7", "#cc79a7"),
    )
)


def default_table(n: int) -> ClassTable | None:
    """The default table for a model of `n` classes (2: seep or not), as the app colours its
    masks; None for a model of more classes than it has."""
    if n == 2:
        return SEEP_CLASSES.binary()
    return ClassTable(SEEP_CLASSES.classes[:n]) if 2 < n <= len(SEEP_CLASSES) else None


@dataclass(frozen=True)
class DatasetConfig:
    """What a workspace's data looks like: classes, channels, tile size, no-data value."""

    classes: ClassTable = SEEP_CLASSES
    channels: int = 1
    tile_size: int = 256
    nodata: float | None = 0  # pixel value outside the radar swath; None: every value is data
    extra: dict = field(default_factory=dict)

    def to_json(self) -> str:
        d = {
            "classes": [asdict(c) for c in self.classes.classes],
            "channels": self.channels,
            "tile_size": self.tile_size,
            "nodata": self.nodata,
            **self.extra,
        }
        return json.dumps(d, indent=2)

    @classmethod
    def from_json(cls, text: str, source: str = "dataset.json") -> DatasetConfig:
        try:
            d = json.loads(text)
            classes = ClassTable(
                tuple(
                    SeepClass(int(c["id"]), str(c["name"]), str(c["colour"]), str(c.get("description", ""))) for c in d["classes"]
                )
            )
            known = {"classes", "channels", "tile_size", "nodata"}
            return cls(
                classes=classes,
                channels=int(d.get("channels", 1)),
                tile_size=int(d.get("tile_size", 256)),
                nodata=d.get("nodata", 0),
                extra={k: v for k, v in d.items() if k not in known},
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise BadInputError(f"{source} is not a valid dataset config ({e}); see README 'Class tables'") from e

    @classmethod
    def load(cls, path: Path) -> DatasetConfig:
        return cls.from_json(path.read_text(), source=str(path))
