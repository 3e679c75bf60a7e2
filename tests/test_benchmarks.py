"""The benchmarks refuse bad arguments with one clear line, before reading any data."""

import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench(capsys, monkeypatch):
    """`python benchmarks/SCRIPT ARGS` run in this process as Python runs a script (its
    `__main__`, its exit status): a refusal comes before any data is read, and a new process
    spent seconds importing torch for it."""

    def run(script: str, *args: str) -> subprocess.CompletedProcess:
        argv = [str(REPO / "benchmarks" / script), *args]
        monkeypatch.setattr(sys, "argv", argv)
        monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts the repo first
        with warnings.catch_warnings():
            try:
                runpy.run_path(argv[0], run_name="__main__")
                code = 0
            except SystemExit as e:
                code = e.code or 0
        out = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out.out, out.err)

    return run


def test_bench_loop_names_a_missing_model(tmp_path, bench):
    r = bench("bench_loop.py", "--base", str(tmp_path / "fold0.pt"))
    assert r.returncode == 2
    assert f"no model file at {tmp_path / 'fold0.pt'}" in r.stderr
    assert "Traceback" not in r.stderr


def test_bench_loop_refuses_a_bad_setting(bench):
    unknown = bench("bench_loop.py", "--set", "blend=3", "--set", "nope=1")
    out_of_range = bench("bench_loop.py", "--set", "blend=3")
    assert unknown.returncode == 2
    assert "unknown fine-tune settings ['nope']" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert out_of_range.returncode == 2 and "between 0 and 1" in out_of_range.stderr


def bench_predict(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_predict.py"), *args], capture_output=True, text=True, timeout=300
    )


def test_bench_predict_refuses_bad_arguments(tmp_path, bench):
    r = bench("bench_predict.py", "--model", str(tmp_path / "none.pt"))
    assert r.returncode == 2 and f"no model file at {tmp_path / 'none.pt'}" in r.stderr
    r = bench("bench_predict.py", "--data", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "is not a folder" in r.stderr
    r = bench("bench_predict.py", "--tiles", "0")
    assert r.returncode == 2 and "at least 1" in r.stderr
    assert "Traceback" not in r.stderr


def test_bench_predict_times_both_on_the_same_tiles():
    """Both commands really run and write a confidence map per tile (the ratio is a benchmark's, not a test's)."""
    r = bench_predict("--tiles", "3", "--repeats", "1")
    assert r.returncode == 0, r.stderr
    assert "seep:" in r.stdout and "3 confidence maps" in r.stdout
    assert r.stdout.count("3 confidence maps") == 2
    assert "ratio" in r.stdout


def test_bench_inscene_refuses_bad_arguments(tmp_path, bench):
    (tmp_path / "list.json").write_text("[1, 2]")
    plan = tmp_path / "plan.json"
    plan.write_text('{"folds": {"0": {"val_scenes": ["a"], "seen": []}}}')
    runs = [
        bench("bench_inscene.py", *args)
        for args in (
            ["plan", "--like", str(tmp_path), "--out", str(tmp_path / "p.json")],
            ["train", "--picks", str(tmp_path / "none.json"), "--out", str(tmp_path)],
            ["score", "--picks", str(tmp_path / "list.json"), "--runs", str(tmp_path)],
            ["train", "--picks", str(plan), "--fold", "3", "--out", str(tmp_path)],
            ["score", "--picks", str(plan), "--runs", str(tmp_path / "run")],
        )
    ]
    expected = [
        f"no fold*/last.pt under {tmp_path}",
        f"no file at {tmp_path / 'none.json'}",
        "is not a plan",
        "the plan has folds 0",
        f"none for {tmp_path / 'run'} fold 0",
    ]
    for r, says in zip(runs, expected, strict=True):
        assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr, (r.args, r.stderr)


def test_bench_int8_refuses_bad_arguments(tmp_path, bench):
    r = bench("bench_int8.py", "--run", str(tmp_path))
    assert r.returncode == 2 and f"no fold models (fold*/last.pt) in {tmp_path}" in r.stderr
    assert "Traceback" not in r.stderr


def test_bench_int8_quantizes_the_unet_it_times():
    """The benchmark traces the U-Net's layers apart from its padding: they must stay the same
    network, or int8 would be measured on another model than the float32 one."""
    import importlib.util

    import torch

    from seep.learn.model import UNet, UNetConfig

    spec = importlib.util.spec_from_file_location("bench_int8", REPO / "benchmarks" / "bench_int8.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    torch.manual_seed(0)
    unet = UNet(UNetConfig(base=4, depth=3)).eval()
    x = torch.randn(2, 1, 37, 50)
    with torch.no_grad():
        assert torch.equal(bench.Padded(bench.Body(unet), unet.multiple)(x), unet(x))


def test_bench_copy_copies_a_filled_workspace_and_refuses_bad_sizes(postgres_server):
    """A small run really copies (the rows/s is a benchmark's figure, not a test's)."""
    cmd = [sys.executable, str(REPO / "benchmarks" / "bench_copy.py")]
    r = subprocess.run([*cmd, "--images", "0"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--images and --versions must be at least 1" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([*cmd, "--images", "20", "--versions", "2"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("copied 180 rows (20 images, 40 label versions) in "), r.stderr
    assert "backup from the server: the same rows into a new seep.db in " in r.stdout


def test_bench_vessels_times_the_load_and_the_pages_with_ais_and_without(bench):
    assert bench("bench_vessels.py", "--n", "5").returncode == 2
    r = bench("bench_vessels.py", "--n", "2000", "--repeat", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("load 2,000 rows: ") and " rows a second; " in lines[0]
    assert [" ".join(row.split()[:-3]) for row in lines[2:]] == ["seeps list", "Review's note"]


def test_bench_installations_times_the_pages_with_a_register_and_without(bench):
    assert bench("bench_installations.py", "--n", "5").returncode == 2
    r = bench("bench_installations.py", "--n", "200", "--repeat", "1")
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()[2:]]
    assert [" ".join(row[:-3]) for row in rows[:3]] == ["seeps list", "scene map", "Review's note"]
    assert all(float(row[-1]) > 0 for row in rows[:3])
    assert " ".join(rows[3][:7]) == "Browse's filter: measuring the scene's 16 tiles"  # 1,024 px in 256-px tiles
