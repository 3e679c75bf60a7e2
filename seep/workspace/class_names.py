"""Naming the classes. A workspace's dataset.json fixes ids and colours (every mask and model
depends on them); an admin gives each seep class a name and a one-line description, which
analysts see on the brush buttons, in the legends and in exports."""

from __future__ import annotations

from dataclasses import replace

from seep.data.classes import ClassTable, DatasetConfig
from seep.data.raster import atomic_write_bytes
from seep.workspace.accounts import record_in
from seep.workspace.workspace import Workspace


def name_classes(ws: Workspace, names: dict[int, tuple[str, str]], *, actor: str) -> ClassTable:
    """Rename seep classes ({id: (name, description)}), in the audit trail; returns the new table.
    A bad name (empty, too long, two the same) is refused and dataset.json is left as it was."""
    path = ws.root / "dataset.json"
    with ws.connect(write=True) as con:  # the write lock: two admins renaming never lose one another's names
        config = DatasetConfig.load(path)
        config = replace(config, classes=config.classes.renamed(names))
        record_in(con, actor, "classes", "", "; ".join(f"{i}: {n.strip()}" for i, (n, _) in sorted(names.items())))
        atomic_write_bytes(path, config.to_json().encode())
    ws.config = config
    return config.classes
