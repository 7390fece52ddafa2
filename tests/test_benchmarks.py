"""The speed benchmark (benchmarks/rnn_speed.py): a smoke run on a tiny grid, the textbook
baseline against seqlab.numpy, and the committed results file against what the READMEs and
chapter 18 state.  Nothing here is timed: the figures are checked for form and consistency.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results" / "rnn_speed_cpu.json"
CHAPTER = ROOT / "book" / "part4" / "ch18_numpy_to_gpu.ipynb"
CELLS = ("rnn", "gru", "lstm")
TARGET_KEYS = {"name", "at", "implementation", "measure", "threshold", "comparison", "measured", "met"}


def _load(name: str):
    """Import a file of benchmarks/ without leaving its thread settings in this process's environment."""
    saved = dict(os.environ)
    try:
        spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(BENCH))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(BENCH))
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def rnn_speed():
    return _load("rnn_speed")


def _check_point(point: dict, impls: list[str]) -> None:
    assert set(point["impls"]) == set(impls)
    ref = point["impls"]["torch.nn"]
    assert ref["ratio"] == 1.0
    for impl, r in point["impls"].items():
        for key in ("median_s", "ratio", "ratio_q1", "ratio_q3", "gflops", "share_of_gemm"):
            assert math.isfinite(r[key]) and r[key] > 0, (impl, key, r[key])
        assert r["ratio_q1"] <= r["ratio"] <= r["ratio_q3"]
        assert r["max_rel_error_vs_nn"] <= 2e-3
        # GFLOP/s is the counted FLOPs over the median time; the share is against the GEMM
        # rate measured around the point (around each segment, for a point measured in segments)
        assert r["gflops"] == pytest.approx(point["flops"] / r["median_s"] / 1e9, rel=1e-9)
        if "segment_rounds" in point:
            rates = point["segment_gemm_gflops"]
            assert r["segment_shares"] == pytest.approx([g / q for g, q in zip(r["segment_gflops"], rates)])
            assert r["share_of_gemm"] == pytest.approx(float(np.median(r["segment_shares"])), rel=1e-12)
        else:
            assert r["share_of_gemm"] == pytest.approx(r["gflops"] / point["gemm_gflops"], rel=1e-12)


def _check_results(result: dict, quick: bool) -> None:
    assert result["schema"] == 1 and result["quick"] is quick
    assert result["machine"]["blas_threads_env"] == {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                                      "OPENBLAS_NUM_THREADS")}
    assert result["machine"]["torch_threads"] == 1
    impls = result["implementations"]
    assert impls[0] == "torch.nn" and {"seqlab.torch", "seqlab.numpy", "naive numpy"} <= set(impls)
    grid, target = result["grid"], result["target_point"]
    want = {(c, T, m, n) for c in CELLS for T in grid["T"] for m in grid["m"] for n in grid["n"]}
    want |= {(c, target["T"], target["m"], target["n"]) for c in CELLS}
    got = {(p["cell"], p["T"], p["m"], p["n"]) for p in result["points"]}
    assert got == want
    for p in result["points"]:
        _check_point(p, impls)
        assert p["rounds"] >= result["method"]["min_rounds"]
        if p["target_point"] or (p["cell"], p["T"], p["m"], p["n"]) == ("lstm", 50, 128, 256) and not quick:
            assert "segment_rounds" in p         # the points of the targets: in segments spread over the run
            segments = result["method"]["target_segments"]
            assert len(p["segment_rounds"]) == segments and sum(p["segment_rounds"]) == p["rounds"]
            for r in p["impls"].values():
                assert len(r["segment_ratios"]) == segments
                assert r["ratio"] == pytest.approx(float(np.median(r["segment_ratios"])), rel=1e-12)
        else:
            assert "segment_rounds" not in p
    gemm = result["gemm"]
    assert gemm["median_gflops"] > 0 and gemm["best_gflops"] >= gemm["median_gflops"]
    # GEMM_SAMPLES before every job (grid point or segment) and after the last one
    in_segments = sum("segment_rounds" in p for p in result["points"])
    jobs = len(result["points"]) - in_segments + in_segments * result["method"]["target_segments"]
    assert gemm["libraries"][gemm["library"]]["samples"] == 3 * (jobs + 1)
    for p in result["points"]:
        assert 0 < p["gemm_gflops"] <= gemm["best_gflops"]
    parts = result["breakdown"]["impls"]
    for impl in ("seqlab.torch", "seqlab.numpy"):
        assert sum(parts[impl]["per_step_us"].values()) == pytest.approx(parts[impl]["total_per_step_us"])
    # torch.nn ran in the same interleaved rounds as the parts of both implementations
    assert parts["torch.nn"]["total_per_step_us"] > 0
    assert parts["torch.nn"]["rounds"] == parts["seqlab.torch"]["rounds"] + parts["seqlab.numpy"]["rounds"]
    assert [t["name"] for t in result["targets"]] == [
        "seqlab.numpy LSTM / torch.nn", "seqlab.torch LSTM / torch.nn",
        "seqlab.numpy share of GEMM rate", "seqlab.torch share of GEMM rate"]
    for t in result["targets"]:
        assert set(t) == TARGET_KEYS
        if quick:
            assert t["measured"] is None and t["met"] is None
        else:
            value = t["measured"]
            assert value is not None and value > 0
            assert t["met"] == (value <= t["threshold"] if t["comparison"] == "<=" else value >= t["threshold"])


def test_quick_run_writes_a_well_formed_results_file(tmp_path):
    out = tmp_path / "quick.json"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    proc = subprocess.run([sys.executable, str(BENCH / "rnn_speed.py"), "--quick", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"wrote {out}" in proc.stdout
    result = json.loads(out.read_text())
    _check_results(result, quick=True)
    assert not out.with_name(out.name + ".tmp").exists()


def test_target_segments_are_spread_over_the_run(rnn_speed):
    grid = [("gru", T, 1, 8) for T in range(10)]
    targets = [("rnn", 5, 4, 8), ("lstm", 5, 4, 8)]
    jobs = rnn_speed._spread_segments(grid, targets, 3)
    assert [j[:4] for j in jobs if not j[4]] == grid                  # the grid, in order
    flags = [j[4] for j in jobs]
    assert flags[:2] == [True, True] and flags[-2:] == [True, True]  # first before, last after the grid
    at = [i for i, j in enumerate(jobs) if j[4]]
    assert len(at) == 6 and 5 <= at[2] - 2 <= 6                      # the middle visit halfway
    assert [j[:4] for j in rnn_speed._spread_segments(grid, targets, 1) if j[4]] == targets
    assert jobs[-1][4] and rnn_speed._spread_segments(grid, targets, 1)[-1][4]


def test_segment_ratio_is_the_median_of_segment_medians(rnn_speed):
    point = rnn_speed.Point("rnn", 3, 2, 4, rnn_speed.torch.device("cpu"))
    nn, impl = "torch.nn", "seqlab.torch"
    fast = {nn: [1.0] * 5, impl: [1.1] * 5}
    slow = {nn: [2.0] * 5, impl: [3.0, 3.0, 3.0, 2.2, 2.2]}    # a slow phase: ratio 1.5
    errors = {nn: 0.0, impl: 1e-7}
    rec = rnn_speed.merge_segments(point, [(fast, errors), (slow, errors), (fast, errors)])
    r = rec["impls"][impl]
    assert r["segment_ratios"] == pytest.approx([1.1, 1.5, 1.1])
    assert r["ratio"] == pytest.approx(1.1) and r["ratio_q3"] == pytest.approx(1.3)
    assert rec["rounds"] == 15 and rec["segment_rounds"] == [5, 5, 5]
    assert r["median_s"] == pytest.approx(1.1)                        # times pool every round
    assert rec["impls"][nn]["ratio"] == 1.0


def test_a_ratio_that_rounds_to_its_goal_is_shown_with_three_decimals(rnn_speed):
    def shown(value, threshold=1.3, measure="ratio"):
        return rnn_speed._fmt_target({"measured": value, "threshold": threshold, "measure": measure})
    assert shown(1.2712) == "1.27×" and shown(1.3001) == "1.300×" and shown(1.2996) == "1.300×"
    assert shown(1.2949) == "1.29×" and shown(0.718, 0.5, "share") == "72 %"
    assert shown(None) == "not measured"


def test_summary_of_a_results_file(rnn_speed, tmp_path):
    result = json.loads(RESULTS.read_text()) if RESULTS.exists() else None
    if result is None:
        pytest.fail(f"{RESULTS.relative_to(ROOT)} is missing: run benchmarks/rnn_speed.py")
    text = rnn_speed.summary_markdown(result)
    for t in result["targets"]:
        assert t["name"] in text
    path = tmp_path / "r.json"
    path.write_text(json.dumps(result))
    proc = subprocess.run([sys.executable, str(BENCH / "rnn_speed.py"), "--summary", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout == text


@pytest.mark.parametrize("cell", CELLS)
def test_naive_baseline_computes_what_seqlab_numpy_computes(cell):
    """The textbook implementation is a real baseline: same forward and same gradients."""
    import seqlab.numpy as snp
    naive = _load("naive_numpy")
    rng = np.random.default_rng(3)
    n_x, n_a, m, T_x = 3, 4, 2, 5
    init = {"rnn": snp.init_rnn_parameters, "gru": snp.init_gru_parameters, "lstm": snp.init_lstm_parameters}[cell]
    kwargs = {"variant": "reset_after"} if cell == "gru" else {}
    p = init(n_x, n_a, seed=1, **kwargs)
    for k in p:
        p[k] = p[k] + 0.3 * rng.standard_normal(p[k].shape)        # non-zero biases everywhere
    x, a0 = rng.standard_normal((n_x, m, T_x)), np.zeros((n_a, m))
    da = rng.standard_normal((n_a, m, T_x))
    a_naive, caches_naive = naive.FORWARD[cell](x, a0, p)
    grads_naive = naive.BACKWARD[cell](da, caches_naive)
    if cell == "rnn":
        a, _, caches = snp.rnn_forward(x, a0, p)
        grads = snp.rnn_backward(da, caches)
    elif cell == "gru":
        a, _, caches = snp.gru_forward(x, a0, p, variant="reset_after")
        grads = snp.gru_backward(da, caches)
    else:
        a, _, _, caches = snp.lstm_forward(x, a0, p)
        grads = snp.lstm_backward(da, caches)
    np.testing.assert_allclose(a_naive, a, rtol=0, atol=1e-12)
    keys = [k for k in grads_naive if k in grads]
    assert "dx" in keys and len(keys) == len(grads_naive)
    for k in keys:
        np.testing.assert_allclose(grads_naive[k], grads[k], rtol=0, atol=1e-11, err_msg=k)


# --------------------------------------------------------------------------- the committed figures
@pytest.fixture(scope="module")
def committed():
    assert RESULTS.exists(), f"{RESULTS.relative_to(ROOT)} is missing: run benchmarks/rnn_speed.py"
    return json.loads(RESULTS.read_text())


def test_committed_results_file_holds_the_full_grid(committed):
    _check_results(committed, quick=False)
    assert committed["grid"] == {"T": [10, 50, 200], "m": [1, 32, 128], "n": [64, 256]}
    assert committed["target_point"] == {"T": 50, "m": 32, "n": 128}
    assert committed["machine"]["device"] == "cpu"
    assert "seqlab.torch (autograd)" in committed["implementations"]


def test_readmes_state_the_committed_figures(committed, rnn_speed):
    """benchmarks/README.md holds the summary block of the committed file; so does the project
    README once it reports the benchmark."""
    lines = [line for line in rnn_speed.summary_markdown(committed).splitlines() if line.startswith("| ")]
    bench_readme = (BENCH / "README.md").read_text(encoding="utf-8")
    missing = [line for line in lines if line not in bench_readme]
    assert not missing, f"benchmarks/README.md is stale; regenerate with --summary: {missing[:2]}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if "rnn_speed" in readme:
        targets = [line for line in lines if " / " in line or "share of GEMM" in line]
        assert targets and all(line in readme for line in targets), "README.md states other figures"
        assert "benchmarks/rnn_speed.py" in readme


def test_chapter_18_shows_the_committed_figures(committed, rnn_speed):
    nb = json.loads(CHAPTER.read_text(encoding="utf-8"))
    text = "\n".join("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                     + "".join(out.get("data", {}).get("text/markdown", ""))
                     for cell in nb["cells"] if cell["cell_type"] == "code" for out in cell.get("outputs", []))
    for t in committed["targets"]:
        assert f"{t['name']}: {rnn_speed._fmt_target(t)}" in text, t["name"]


def test_chapter_18_claims_about_rnn_and_gru_hold_for_the_committed_results(committed):
    """Chapter 18 says that at the target point the fused seqlab.torch RNN and GRU beat
    torch.nn's generic CPU loop and that seqlab.numpy matches or beats it."""
    tp = committed["target_point"]
    for cell in ("rnn", "gru"):
        row = next(p for p in committed["points"] if p["cell"] == cell and p.get("target_point")
                   and (p["T"], p["m"], p["n"]) == (tp["T"], tp["m"], tp["n"]))
        assert row["impls"]["seqlab.torch"]["ratio"] < 1, cell
        assert row["impls"]["seqlab.numpy"]["ratio"] < 1.05, cell


def test_chapter_18_claim_about_the_textbook_loop_holds_for_the_committed_results(committed):
    """Chapter 18 says that in its plots (T_x = 50) the textbook loop is slower than
    seqlab.numpy at every point."""
    for p in committed["points"]:
        if p["T"] == 50:
            assert p["impls"]["naive numpy"]["ratio"] > p["impls"]["seqlab.numpy"]["ratio"], (p["cell"], p["m"], p["n"])


def test_cuda_check_script_refuses_to_run_without_a_gpu(tmp_path, rnn_speed):
    """benchmarks/cuda_check.sh (the GPU checks in one command) stops at once, with a message
    that says why, where torch sees no CUDA device; the benchmark options it passes exist."""
    import torch
    script = BENCH / "cuda_check.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: the script would run the GPU checks")
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(script), str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode != 0
    assert "no CUDA device is available to torch" in proc.stderr
    assert not (tmp_path / "rnn_speed_cuda.json").exists()
    text = script.read_text(encoding="utf-8")
    assert "--device cuda ${BENCH_ARGS:---seconds 1.5 --target-seconds 15}" in text
    args = rnn_speed.parse_args(["--device", "cuda", "--seconds", "1.5", "--target-seconds", "15",
                                 "--out", str(tmp_path / "rnn_speed_cuda.json")])
    assert (args.device, args.seconds, args.target_seconds) == ("cuda", 1.5, 15.0)


def test_gpu_targets_are_against_cudnn_at_the_target_point(rnn_speed):
    """On CUDA the targets are seqlab.torch LSTM ≤ 2× cuDNN (and the aim 1.3×) at the target
    point, read from that point's ratio; on CPU the four CPU targets, on one thread."""
    import torch
    tp = rnn_speed.TARGET_POINT
    point = {"cell": "lstm", "T": tp["T"], "m": tp["m"], "n": tp["n"],
             "impls": {"torch.nn": {"ratio": 1.0}, "seqlab.torch": {"ratio": 1.6}}}
    gpu = rnn_speed.evaluate_targets([point], torch.device("cuda"), quick=False)
    assert [(t["name"], t["threshold"], t["measured"], t["met"]) for t in gpu] == [
        ("seqlab.torch LSTM / cuDNN", 2.0, 1.6, True), ("seqlab.torch LSTM / cuDNN (aim)", 1.3, 1.6, False)]
    assert all(t["at"].endswith("on the GPU") for t in gpu)
    cpu = rnn_speed.evaluate_targets([], torch.device("cpu"), quick=False)
    assert len(cpu) == 4 and all(t["at"].endswith("one thread") and t["met"] is None for t in cpu)


def test_chapter_18_claim_about_the_time_outside_the_products_holds_for_the_committed_results(committed):
    """Chapter 18 says that at the target point the gates and loop (everything but the matrix
    products) cost seqlab.numpy more per step than seqlab.torch."""
    def rest(impl):
        r = committed["breakdown"]["impls"][impl]
        products = sum(v for k, v in r["per_step_us"].items()
                       if "matmul" in k or "projection" in k or "gradients" in k)
        return r["total_per_step_us"] - products
    assert rest("seqlab.numpy") > rest("seqlab.torch")


def test_breakdown_totals_agree_with_the_target_point(committed):
    """The breakdown (chapter 18's bars) and the target point are the same LSTM pass measured
    in the same run: each implementation's total per pass agrees with its median time at the
    target point within 20 % (torch.nn's, once timed apart from the interleaved rounds, was 25 %
    slower and drew torch.nn's bar longer than seqlab.torch's)."""
    tp, parts = committed["target_point"], committed["breakdown"]
    assert (parts["T"], parts["m"], parts["n"]) == (tp["T"], tp["m"], tp["n"])
    row = next(p for p in committed["points"] if p["cell"] == "lstm" and p.get("target_point")
               and (p["T"], p["m"], p["n"]) == (tp["T"], tp["m"], tp["n"]))
    for impl in ("torch.nn", "seqlab.torch", "seqlab.numpy"):
        per_pass = parts["impls"][impl]["total_per_step_us"] * parts["T"] * 1e-6
        assert per_pass == pytest.approx(row["impls"][impl]["median_s"], rel=0.2), impl


def test_results_record_no_path_of_the_machine(committed, rnn_speed, tmp_path):
    """The results file records the command line with paths inside the repository relative to
    its root and other absolute paths by their file name, so that no path of the machine that
    ran it is committed."""
    assert not any(Path(arg).is_absolute() for arg in committed["command"].split())
    inside = ROOT / "benchmarks" / "results" / "rnn_speed_cpu.json"
    assert rnn_speed.recorded_command(["--out", str(inside), "--seconds", "2"]) == \
        "python benchmarks/rnn_speed.py --out benchmarks/results/rnn_speed_cpu.json --seconds 2"
    assert rnn_speed.recorded_command(["--out", str(tmp_path / "run.json")]) == \
        "python benchmarks/rnn_speed.py --out run.json"
    assert rnn_speed.recorded_command(["--out", "rel/run.json"]) == "python benchmarks/rnn_speed.py --out rel/run.json"
