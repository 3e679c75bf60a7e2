"""Shared fixtures. No test may touch a real workspace: every test runs in its own
temporary folder with SEEP_WORKSPACE pointing inside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seep.workspace import Workspace

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cgg-seep"


def pytest_collection_modifyitems(items):
    """The browser files first. The suite runs on two workers, each test file on one of them,
    dealt out in this order (pyproject.toml turns off xdist's own, most tests first): a
    browser file holds a few long tests, and one dealt last ran alone for minutes while the
    other worker sat idle."""
    items.sort(key=lambda item: "/e2e/" not in item.nodeid)


@pytest.fixture(autouse=True)
def _isolated_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEEP_WORKSPACE", str(tmp_path / "default-workspace"))
    monkeypatch.setenv("SEEP_AUTHOR", "tester")


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL 15 server for the session (tests/pg_cluster.py). Skipped with
    the reason where PostgreSQL is not installed, except in CI, which must run these tests."""
    from pg_cluster import Cluster, bindir

    if bindir() is None:
        why = "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, monkeypatch) -> str:
    """Run a test on both stores: the workspace folder's SQLite file, then a fresh database
    on the PostgreSQL server (SEEP_DATABASE_URL). Modules opt in with
    `pytestmark = pytest.mark.usefixtures("store")`."""
    if request.param == "postgres":
        from seep.workspace.postgres import close_pools

        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("about SQLite's own file, locks or schema; test_postgres.py covers the PostgreSQL side")
        monkeypatch.setenv("SEEP_DATABASE_URL", request.getfixturevalue("postgres_server").new_database())
        yield "postgres"
        close_pools()
    else:
        monkeypatch.delenv("SEEP_DATABASE_URL", raising=False)
        yield "sqlite"


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws")


@pytest.fixture
def real_data() -> Path:
    if not (REAL_DATA / "train_images_256").is_dir():
        pytest.skip(f"real CGG tiles not found at {REAL_DATA} (they are internal; see ../shared/README.md)")
    return REAL_DATA


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A small demo workspace, labelled, whose fine-tunes start from a model the test gives
    (the shipped one is kept out of it)."""
    import seep.jobs.finetune
    from seep.data.synthetic import DemoSpec
    from seep.workspace.demo import build_demo

    monkeypatch.setattr(seep.jobs.finetune, "SHIPPED_MODEL", tmp_path / "no-shipped-model.pt")
    ws = Workspace(tmp_path / "ws")
    build_demo(ws, DemoSpec(scenes=3, tiles_per_scene=3, geo_scene=False), labelled_per_scene=3)
    return ws


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 1-epoch, base-4 U-Net trained on synthetic tiles: real weights, seconds to make."""
    from seep.data.classes import SEEP_CLASSES
    from seep.data.layout import Tile
    from seep.data.synthetic import DemoSpec, generate
    from seep.learn.data import split_by_scene
    from seep.learn.model import UNetConfig
    from seep.learn.train import TrainConfig, train

    tiles = [Tile(t.name, t.scene, t.image[:, :, None], t.mask) for t in generate(DemoSpec(scenes=2, tiles_per_scene=2))]
    tr, va, vs = split_by_scene(tiles, val_fraction=0.5)
    out = tmp_path_factory.mktemp("tiny-model")
    train(
        TrainConfig(epochs=1, batch_size=4),
        UNetConfig(base=4, depth=2),
        tr,
        va,
        out,
        class_names=SEEP_CLASSES.names,
        val_scenes=vs,
    )
    return out / "best.pt"
