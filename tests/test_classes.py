import numpy as np
import pytest

from seep.data.classes import SEEP_CLASSES, ClassTable, DatasetConfig, SeepClass
from seep.errors import BadInputError


def test_default_table_is_background_plus_seven_seep_classes():
    assert len(SEEP_CLASSES) == 8
    assert SEEP_CLASSES[0].name == "background"
    assert SEEP_CLASSES.palette().shape == (8, 3)
    assert len({c.colour for c in SEEP_CLASSES.classes}) == 8  # every class tells apart


def test_binary_view_merges_all_seep_classes():
    b = SEEP_CLASSES.binary()
    assert b.names == ["background", "seep"]


def test_mask_values_outside_the_table_are_listed():
    with pytest.raises(BadInputError, match=r"values \[8, 200\] outside the class table \(0\.\.7\)"):
        SEEP_CLASSES.check_mask(np.array([[0, 8], [200, 1]], np.uint8))


@pytest.mark.parametrize(
    "classes, message",
    [
        ((SeepClass(0, "bg", "#000000"), SeepClass(2, "x", "#ffffff")), "ids must be 0..1"),
        ((SeepClass(0, "bg", "#000000"),), "at least one other"),
        ((SeepClass(0, "bg", "#000000"), SeepClass(1, "x", "red")), "is not #rrggbb"),
    ],
)
def test_bad_class_tables_are_refused(classes, message):
    with pytest.raises(BadInputError, match=message):
        ClassTable(classes)


def test_a_twelve_class_rgb_table_works_without_code_changes(tmp_path):
    """CamVid-style: 12 classes, 3 channels, 360x480 tiles, no no-data value."""
    rng = np.random.default_rng(0)
    classes = [
        {"id": i, "name": f"c{i}", "colour": "#" + "".join(f"{v:02x}" for v in rng.integers(0, 256, 3))} for i in range(12)
    ]
    text = DatasetConfig(classes=SEEP_CLASSES).to_json().replace('"channels": 1', '"channels": 3')
    import json

    d = json.loads(text) | {"classes": classes, "tile_size": 360, "nodata": None}
    cfg = DatasetConfig.from_json(json.dumps(d))
    assert len(cfg.classes) == 12 and cfg.channels == 3 and cfg.nodata is None
    cfg.classes.check_mask(np.full((4, 4), 11, np.uint8))
    from seep.workspace import Workspace

    ws = Workspace(tmp_path / "camvid", config=cfg)
    rgb = rng.integers(0, 256, (360, 480, 3), dtype=np.uint8)
    rec, _ = ws.add_image(rgb, name="frame1", scene="seq01")
    ws.save_label(rec.id, np.full((360, 480), 11, np.uint8), parent=None, author="a")
    assert Workspace(tmp_path / "camvid").classes.names[11] == "c11"


def test_config_round_trip_keeps_extra_keys():
    cfg = DatasetConfig(extra={"bands": ["VV"]})
    assert DatasetConfig.from_json(cfg.to_json()) == cfg


def test_broken_config_names_the_file():
    with pytest.raises(BadInputError, match="dataset.json is not a valid dataset config"):
        DatasetConfig.from_json("{not json")


def test_an_admin_names_the_classes_keeping_ids_and_colours(tmp_path):
    from seep.workspace import Workspace
    from seep.workspace.accounts import audit_rows
    from seep.workspace.class_names import name_classes

    ws = Workspace(tmp_path / "w")
    assert ws.classes.unnamed == [1, 2, 3, 4, 5, 6, 7]  # the default table invites naming
    table = name_classes(ws, {1: (" fresh slick ", "dark, smooth, hours old"), 4: ("<b>ship</b>", "")}, actor="ada")
    again = Workspace(ws.root)  # as every page and worker reads it: from dataset.json
    assert again.classes == table and again.classes.unnamed == [2, 3, 5, 6, 7]
    assert (again.classes[1].name, again.classes[1].description, again.classes[1].colour) == (
        "fresh slick",
        "dark, smooth, hours old",
        SEEP_CLASSES[1].colour,
    )
    assert again.classes[4].name == "<b>ship</b>"  # stored as typed; pages show it as text
    assert audit_rows(ws)[0]["action"] == "classes" and "1: fresh slick" in audit_rows(ws)[0]["detail"]

    before = (ws.root / "dataset.json").read_bytes()
    for names, message in [
        ({2: ("  ", "")}, "a name is 1 to 40"),
        ({2: ("x" * 41, "")}, "a name is 1 to 40"),
        ({2: ("Fresh Slick", "")}, "two classes would have the same name"),
        ({3: ("old", "line\nbreak")}, "one line of at most 200"),
        ({0: ("sea", "")}, "no seep class 0"),
        ({9: ("nine", "")}, "no seep class 9"),
    ]:
        with pytest.raises(BadInputError, match=message):
            name_classes(ws, names, actor="ada")
    assert (ws.root / "dataset.json").read_bytes() == before  # a refused name changes nothing
