"""The benchmarks refuse bad arguments with one clear line, before reading any data."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_together(script: str, *arglists: list[str]) -> list[subprocess.CompletedProcess]:
    """Each argument list given to the benchmark in a process of its own, all at once: most of
    each run is importing torch, which two cores do side by side."""
    cmd = [sys.executable, str(REPO / "benchmarks" / script)]
    procs = [subprocess.Popen([*cmd, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in arglists]
    out = []
    for p, args in zip(procs, arglists, strict=True):
        stdout, stderr = p.communicate(timeout=180)
        out.append(subprocess.CompletedProcess([*cmd, *args], p.returncode, stdout, stderr))
    return out


def bench_loop(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_loop.py"), *args], capture_output=True, text=True, timeout=120
    )


def test_bench_loop_names_a_missing_model(tmp_path):
    r = bench_loop("--base", str(tmp_path / "fold0.pt"))
    assert r.returncode == 2
    assert f"no model file at {tmp_path / 'fold0.pt'}" in r.stderr
    assert "Traceback" not in r.stderr


def test_bench_loop_refuses_a_bad_setting():
    unknown, out_of_range = run_together("bench_loop.py", ["--set", "blend=3", "--set", "nope=1"], ["--set", "blend=3"])
    assert unknown.returncode == 2
    assert "unknown fine-tune settings ['nope']" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert out_of_range.returncode == 2 and "between 0 and 1" in out_of_range.stderr


def bench_predict(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_predict.py"), *args], capture_output=True, text=True, timeout=300
    )


def test_bench_predict_refuses_bad_arguments(tmp_path):
    r = bench_predict("--model", str(tmp_path / "none.pt"))
    assert r.returncode == 2 and f"no model file at {tmp_path / 'none.pt'}" in r.stderr
    r = bench_predict("--data", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "is not a folder" in r.stderr
    r = bench_predict("--tiles", "0")
    assert r.returncode == 2 and "at least 1" in r.stderr
    assert "Traceback" not in r.stderr


def test_bench_predict_times_both_on_the_same_tiles():
    """Both commands really run and write a confidence map per tile (the ratio is a benchmark's, not a test's)."""
    r = bench_predict("--tiles", "3", "--repeats", "1")
    assert r.returncode == 0, r.stderr
    assert "seep:" in r.stdout and "3 confidence maps" in r.stdout
    assert r.stdout.count("3 confidence maps") == 2
    assert "ratio" in r.stdout


def test_bench_inscene_refuses_bad_arguments(tmp_path):
    (tmp_path / "list.json").write_text("[1, 2]")
    plan = tmp_path / "plan.json"
    plan.write_text('{"folds": {"0": {"val_scenes": ["a"], "seen": []}}}')
    runs = run_together(
        "bench_inscene.py",
        ["plan", "--like", str(tmp_path), "--out", str(tmp_path / "p.json")],
        ["train", "--picks", str(tmp_path / "none.json"), "--out", str(tmp_path)],
        ["score", "--picks", str(tmp_path / "list.json"), "--runs", str(tmp_path)],
        ["train", "--picks", str(plan), "--fold", "3", "--out", str(tmp_path)],
        ["score", "--picks", str(plan), "--runs", str(tmp_path / "run")],
    )
    expected = [
        f"no fold*/last.pt under {tmp_path}",
        f"no file at {tmp_path / 'none.json'}",
        "is not a plan",
        "the plan has folds 0",
        f"none for {tmp_path / 'run'} fold 0",
    ]
    for r, says in zip(runs, expected, strict=True):
        assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr, (r.args, r.stderr)


def bench_int8(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_int8.py"), *args], capture_output=True, text=True, timeout=120
    )


def test_bench_int8_refuses_bad_arguments(tmp_path):
    r = bench_int8("--run", str(tmp_path))
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
