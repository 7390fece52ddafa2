"""Forward + backward speed of RNN, GRU and LSTM layers, as a ratio to torch.nn.

One command runs the whole suite and writes one JSON results file::

    .venv/bin/python benchmarks/rnn_speed.py --out benchmarks/results/rnn_speed_cpu.json
    .venv/bin/python benchmarks/rnn_speed.py --device cuda --out benchmarks/results/rnn_speed_cuda.json
    .venv/bin/python benchmarks/rnn_speed.py --quick --out rnn_speed_quick.json   # smoke run

Implementations (all compute the same function from the same weights; every grid point
first checks that their outputs a^<t> and input gradients dx agree with torch.nn):

* ``torch.nn``                -- torch.nn.RNN/GRU/LSTM, the reference: cuDNN on CUDA; on CPU oneDNN for
  the LSTM and a loop of ATen operations for the RNN and GRU;
* ``seqlab.torch``            -- seqlab.torch layers, default (fused hand-written BPTT, seqlab.torch.fused);
* ``seqlab.torch (autograd)`` -- the same layers with ``fused = False`` (tensor ops + autograd);
* ``seqlab.numpy``            -- seqlab.numpy's ``*_forward`` + ``*_backward`` (CPU only);
* ``naive numpy``             -- benchmarks/naive_numpy.py, the textbook per-step version (CPU only).

Method: one thread (``torch.set_num_threads(1)`` and OMP/MKL/OPENBLAS_NUM_THREADS=1, set
before NumPy is imported); float32; durations are the CPU time of the process on CPU (with
one thread, its running time, robust to other work on a shared machine taking the core
away) and wall time with the GPU queue drained on CUDA; per grid point, rounds in which every implementation
runs once, in a shuffled order; the ratio to torch.nn is the median over rounds of the
paired ratio t_impl / t_torch.nn of the same round (robust to a machine whose load varies).
A round ends the grid point when it has run ``--min-rounds`` rounds and ``--seconds`` of
wall time.  The points where the speed targets are set (the target point of every cell, and
the LSTM's GEMM-share point) get ``--target-seconds`` each, split into ``--target-segments``
segments spread evenly over the run (the first before the grid, the last after it); their
ratio is the median over segments of each segment's median paired ratio, and their share of
the GEMM rate the median of the segments' shares, so that a phase in which a shared machine
runs slower moves one segment and not the verdict.  Throughput counts 3 × the forward matrix FLOPs (forward, and the two matrix
products of the backward pass: weight gradients and input/state gradients), from
:func:`seqlab.flops.flops_per_step`; the machine's single-thread GEMM rate is that of a 1024³
float32 matrix product (the faster of torch/MKL and NumPy/OpenBLAS on CPU), timed three times
before every grid point and after the last: a point's share of the GEMM rate is its GFLOP/s
over the median of the samples just before and just after it (a slow phase of a shared
machine slows the product as much as the layers), and the rate the summary reports is the
median of all samples.

The GRU is the reset-after variant (the one torch.nn.GRU and cuDNN compute); the RNN uses
tanh; n_x = n_a = n; there is no output layer; the upstream gradient is a fixed random
dL/da^<t> for every t.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"                          # before NumPy and torch are imported

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import naive_numpy  # noqa: E402
import seqlab  # noqa: E402
import seqlab.numpy as snp  # noqa: E402
import seqlab.torch as st  # noqa: E402
from seqlab.flops import flops_per_step  # noqa: E402

SCHEMA = 1
CELLS = ("rnn", "gru", "lstm")
NN = "torch.nn"
IMPLS_CPU = (NN, "seqlab.torch", "seqlab.torch (autograd)", "seqlab.numpy", "naive numpy")
IMPLS_CUDA = (NN, "seqlab.torch", "seqlab.torch (autograd)")
GRID = {"T": (10, 50, 200), "m": (1, 32, 128), "n": (64, 256)}
QUICK_GRID = {"T": (3, 6), "m": (1, 4), "n": (8,)}
#: the point where the speed targets are set: LSTM, m = 32, n_a = n_x = 128, T_x = 50
TARGET_POINT = {"T": 50, "m": 32, "n": 128}
QUICK_TARGET_POINT = {"T": 5, "m": 4, "n": 8}
#: the point of the GEMM-share target (m = 128, n = 256, T_x = 50)
GEMM_POINT = {"T": 50, "m": 128, "n": 256}
_VARIANT = {"rnn": None, "gru": "reset_after", "lstm": None}
#: GEMM-rate samples taken before every grid point (and after the last): a point's share of the
#: GEMM rate is taken against the median of the samples just before and just after it
GEMM_SAMPLES = 3
_NN_CLASS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


# ----------------------------------------------------------------------------- timing
def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def clock(device: torch.device) -> Callable[[], float]:
    """The clock of the measurements: on CPU the CPU time of this process (one thread does all
    the work, so this is its running time without the time other processes take the core from
    it on a shared machine); on CUDA the wall time."""
    return time.perf_counter if device.type == "cuda" else time.process_time


def time_call(fn: Callable[[], object], device: torch.device) -> float:
    """Duration of one call in seconds, on :func:`clock` (the GPU queue is drained before and after)."""
    now = clock(device)
    _sync(device)
    t0 = now()
    fn()
    _sync(device)
    return now() - t0


class GemmClock:
    """The machine's single-thread GEMM rate: a square float32 product, timed repeatedly."""

    def __init__(self, device: torch.device, size: int) -> None:
        self.device, self.size = device, size
        gen = torch.Generator().manual_seed(0)
        a = torch.rand(size, size, generator=gen)
        b = torch.rand(size, size, generator=gen)
        self.libraries: dict[str, Callable[[], object]] = {}
        if device.type == "cuda":
            ta, tb = a.to(device), b.to(device)
            self.libraries["torch (cuBLAS)"] = lambda: ta @ tb
        else:
            na, nb = a.numpy(), b.numpy()
            self.libraries["torch (MKL)"] = lambda: a @ b
            self.libraries["numpy (OpenBLAS)"] = lambda: na @ nb
        self.samples: dict[str, list[float]] = {k: [] for k in self.libraries}
        for fn in self.libraries.values():
            fn()                                            # warm up

    def sample(self, times: int = 1) -> int:
        """Time the product ``times`` times in every library; returns how many samples each
        library had before (a mark for :meth:`local_rate`)."""
        mark = len(next(iter(self.samples.values())))
        flops = 2 * self.size ** 3
        for _ in range(times):
            for name, fn in self.libraries.items():
                self.samples[name].append(flops / time_call(fn, self.device) / 1e9)
        return mark

    def local_rate(self, library: str, start: int, end: int) -> float:
        """The median rate of ``library`` over the samples ``start:end`` (those taken around one
        grid point: a slow phase of a shared machine slows the product as much as the layers)."""
        return statistics.median(self.samples[library][start:end])

    def summary(self) -> dict:
        per_lib = {k: {"median_gflops": statistics.median(v), "best_gflops": max(v), "samples": len(v)}
                   for k, v in self.samples.items() if v}
        best_lib = max(per_lib, key=lambda k: per_lib[k]["median_gflops"])
        return {"size": self.size, "dtype": "float32", "library": best_lib,
                "median_gflops": per_lib[best_lib]["median_gflops"],
                "best_gflops": per_lib[best_lib]["best_gflops"], "libraries": per_lib}


# ----------------------------------------------------------------------------- implementations
class Point:
    """One grid point: the torch.nn reference, the same weights in every implementation, inputs."""

    def __init__(self, cell: str, T: int, m: int, n: int, device: torch.device, seed: int = 0) -> None:
        self.cell, self.T, self.m, self.n, self.device = cell, T, m, n, device
        torch.manual_seed(seed)
        self.nn = _NN_CLASS[cell](n, n).to(device)
        self.x = torch.randn(T, m, n, device=device, requires_grad=True)
        self.g = torch.randn(T, m, n, device=device)        # upstream dL/da^<t>
        self.layers = {}
        for name, fused in (("seqlab.torch", True), ("seqlab.torch (autograd)", False)):
            layer = st.from_torch_nn(self.nn)
            layer.fused = fused
            self.layers[name] = layer
        if device.type == "cpu":
            self.p = st.to_numpy(self.layers["seqlab.torch"])
            self.x_np = st.x_to_numpy(self.x.detach())
            self.g_np = st.x_to_numpy(self.g)
            self.a0 = np.zeros((n, m), dtype=np.float32)

    def flops(self) -> int:
        """3 × forward matrix FLOPs: forward, weight gradients, input and state gradients."""
        return 3 * self.T * self.m * flops_per_step(self.cell, self.n, self.n, _VARIANT[self.cell])["matmul"]

    def runner(self, impl: str) -> Callable[[bool], tuple | None]:
        """A function doing one forward + backward; with ``check=True`` it returns (a, dx) as
        (T_x, m, n) arrays."""
        if impl == NN or impl.startswith("seqlab.torch"):
            return self._torch_runner(self.nn if impl == NN else self.layers[impl])
        if impl == "seqlab.numpy":
            return self._numpy_runner(self._seqlab_numpy)
        if impl == "naive numpy":
            return self._numpy_runner(self._naive)
        raise ValueError(f"unknown implementation {impl!r}")

    def _torch_runner(self, module):
        params = list(module.parameters())

        def run(check: bool = False):
            self.x.grad = None
            for p in params:
                p.grad = None
            out, _ = module(self.x)
            out.backward(self.g)
            if check:
                return out.detach().cpu().numpy(), self.x.grad.cpu().numpy()
            return None
        return run

    def _seqlab_numpy(self):
        x, a0, p, da = self.x_np, self.a0, self.p, self.g_np
        if self.cell == "rnn":
            a, _, caches = snp.rnn_forward(x, a0, p)
            return a, snp.rnn_backward(da, caches)["dx"]
        if self.cell == "gru":
            a, _, caches = snp.gru_forward(x, a0, p, variant="reset_after")
            return a, snp.gru_backward(da, caches)["dx"]
        a, _, _, caches = snp.lstm_forward(x, a0, p)
        return a, snp.lstm_backward(da, caches)["dx"]

    def _naive(self):
        a, caches = naive_numpy.FORWARD[self.cell](self.x_np, self.a0, self.p)
        return a, naive_numpy.BACKWARD[self.cell](self.g_np, caches)["dx"]

    @staticmethod
    def _numpy_runner(fn):
        def run(check: bool = False):
            a, dx = fn()
            if check:
                return a.transpose(2, 1, 0), dx.transpose(2, 1, 0)
            return None
        return run


def check_agreement(results: dict[str, tuple], tol: float) -> dict[str, float]:
    """max |a − a_nn| and max |dx − dx_nn|, relative to the largest entry of torch.nn's; raises
    when an implementation disagrees (a wrong implementation is not timed)."""
    a_ref, dx_ref = results[NN]
    errors = {}
    for impl, (a, dx) in results.items():
        err = max(float(np.abs(a - a_ref).max() / (np.abs(a_ref).max() + 1e-12)),
                  float(np.abs(dx - dx_ref).max() / (np.abs(dx_ref).max() + 1e-12)))
        if not err <= tol:
            raise AssertionError(f"{impl} disagrees with {NN}: relative error {err:.2e} > {tol:.0e}")
        errors[impl] = err
    return errors


def _rounds(point: Point, impls: tuple[str, ...], seconds: float, min_rounds: int, max_rounds: int,
            rng: random.Random, tol: float) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Interleaved rounds at one grid point: the times of every implementation, round by
    round, and each one's error against torch.nn (checked first, which also warms up)."""
    runners = {impl: point.runner(impl) for impl in impls}
    errors = check_agreement({impl: run(True) for impl, run in runners.items()}, tol)
    times: dict[str, list[float]] = {impl: [] for impl in impls}
    order = list(impls)
    start = time.perf_counter()
    rounds = 0
    while rounds < max_rounds and (rounds < min_rounds or time.perf_counter() - start < seconds):
        rng.shuffle(order)
        for impl in order:
            times[impl].append(time_call(runners[impl], point.device))
        rounds += 1
    return times, errors


def _paired_ratios(times: dict[str, list[float]], impl: str) -> list[float]:
    return sorted(t / r for t, r in zip(times[impl], times[NN]))


def _point_record(point: Point, times: dict[str, list[float]], errors: dict[str, float],
                  ratios: dict[str, list[float]]) -> dict:
    """Medians, GFLOP/s and the ratio statistics (median and quartiles of ``ratios``)."""
    flops = point.flops()
    out = {}
    for impl, ts in times.items():
        med = statistics.median(ts)
        r = ratios[impl]
        out[impl] = {"median_s": med, "ratio": statistics.median(r),
                     "ratio_q1": _quantile(r, 0.25), "ratio_q3": _quantile(r, 0.75),
                     "gflops": flops / med / 1e9, "max_rel_error_vs_nn": errors[impl]}
    return {"cell": point.cell, "T": point.T, "m": point.m, "n": point.n, "rounds": len(times[NN]),
            "flops": flops, "impls": out}


def measure_point(point: Point, impls: tuple[str, ...], seconds: float, min_rounds: int, max_rounds: int,
                  rng: random.Random, tol: float) -> dict:
    """Interleaved rounds at one grid point; medians and paired ratios to torch.nn."""
    times, errors = _rounds(point, impls, seconds, min_rounds, max_rounds, rng, tol)
    return _point_record(point, times, errors, {impl: _paired_ratios(times, impl) for impl in impls})


def _spread_segments(grid_jobs: list[tuple], target_jobs: list[tuple], segments: int) -> list[tuple]:
    """The run order, each job flagged whether it is a segment: the grid points, with
    ``segments`` visits to every point of ``target_jobs`` spread evenly among them (with two or
    more, the first before the grid and the last after it)."""
    visits = [len(grid_jobs)] if segments == 1 else \
        [round(k * len(grid_jobs) / (segments - 1)) for k in range(segments)]
    jobs: list[tuple] = []
    for i in range(len(grid_jobs) + 1):
        jobs += [(*job, True) for _ in range(visits.count(i)) for job in target_jobs]
        if i < len(grid_jobs):
            jobs.append((*grid_jobs[i], False))
    return jobs


def merge_segments(point: Point, segments: list[tuple[dict, dict]]) -> dict:
    """One record from segments of rounds measured at different times of the run.

    The ratio is the median over segments of each segment's median paired ratio (its
    quartiles are those of the segment ratios): a phase in which a shared machine runs
    slower moves one segment, not the verdict.  Times and GFLOP/s pool every round.
    """
    impls = list(segments[0][0])
    times = {impl: [t for seg, _ in segments for t in seg[impl]] for impl in impls}
    errors = {impl: max(err[impl] for _, err in segments) for impl in impls}
    per_segment = {impl: [statistics.median(_paired_ratios(seg, impl)) for seg, _ in segments] for impl in impls}
    record = _point_record(point, times, errors, {impl: sorted(r) for impl, r in per_segment.items()})
    flops = point.flops()
    for impl in impls:
        record["impls"][impl]["segment_ratios"] = per_segment[impl]      # in the order they were measured
        record["impls"][impl]["segment_gflops"] = [flops / statistics.median(seg[impl]) / 1e9 for seg, _ in segments]
    record["segment_rounds"] = [len(seg[NN]) for seg, _ in segments]
    return record


def _add_gemm_shares(record: dict, rates: list[float]) -> None:
    """Each implementation's share of the GEMM rate, against ``rates``: the GEMM rate measured
    around the point, or around each of its segments (then the share is the median over
    segments of each segment's share, as the ratio is)."""
    record["gemm_gflops"] = statistics.median(rates)
    segmented = "segment_rounds" in record
    if segmented:
        record["segment_gemm_gflops"] = rates
    for r in record["impls"].values():
        if segmented:
            r["segment_shares"] = [g / rate for g, rate in zip(r["segment_gflops"], rates)]
            r["share_of_gemm"] = statistics.median(r["segment_shares"])
        else:
            r["share_of_gemm"] = r["gflops"] / record["gemm_gflops"]


def _quantile(sorted_values: list[float], q: float) -> float:
    k = (len(sorted_values) - 1) * q
    lo, hi = int(np.floor(k)), int(np.ceil(k))
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


# ----------------------------------------------------------------------------- where the time goes
def breakdown(T: int, m: int, n: int, device: torch.device, seconds: float, min_rounds: int,
              rng: random.Random) -> dict:
    """Where the time of one LSTM forward + backward goes, per time step.

    Each part is timed on its own with the shapes the implementation uses, interleaved with
    the whole forward and forward + backward: the input projection (one matmul), the T_x
    recurrent matmuls of the forward and of the backward pass, and the weight-gradient and
    dx matmuls; what remains of the measured total is the element-wise gate arithmetic and
    the interpreter/dispatch overhead of the time loop.  torch.nn's forward + backward runs in
    the same interleaved rounds (its total is the median over all of them), so that the three
    totals are measured alike.
    """
    point = Point("lstm", T, m, n, device)
    G = 4 * n
    gen = torch.Generator().manual_seed(1)
    tr = lambda *s: torch.randn(*s, generator=gen).to(device)        # noqa: E731
    W_ih, W_hh, b = tr(G, n), tr(G, n), tr(G)
    X, H, Z = tr(T, m, n), tr(m, n), tr(m, G)
    DZ, D = tr(T * m, G), tr(m, n)
    W_hh_t = W_hh.t().contiguous()                               # as seqlab.torch.fused keeps it
    layer = point.layers["seqlab.torch"]
    parts: dict[str, dict[str, Callable[[], object]]] = {"seqlab.torch": {
        "forward": lambda: layer(point.x),
        "forward+backward": point.runner("seqlab.torch"),
        "input projection": lambda: torch.nn.functional.linear(X, W_ih, b),
        "recurrent matmuls, forward": lambda: [torch.addmm(Z, H, W_hh_t) for _ in range(T)],
        "recurrent matmuls, backward": lambda: [torch.addmm(D, Z, W_hh) for _ in range(T)],
        "weight gradients and dx": lambda: (DZ.t() @ X.reshape(T * m, n), DZ.t() @ X.reshape(T * m, n),
                                            DZ @ W_ih),
    }}
    if device.type == "cpu":
        rs = np.random.default_rng(1)
        nr = lambda *s: rs.standard_normal(s).astype(np.float32)     # noqa: E731
        Wxb, Wa = nr(G, n + 1), nr(G, n)                              # [W_x  b]: the bias rides in the product
        Wx = np.ascontiguousarray(Wxb[:, :n])
        x1, a, dz_t, dz2, ax1 = nr(n + 1, T * m), nr(n, m), nr(G, m), nr(G, T * m), nr(2 * n + 1, T * m)
        fwd = lambda: snp.lstm_forward(point.x_np, point.a0, point.p)     # noqa: E731
        parts["seqlab.numpy"] = {
            "forward": fwd,
            "forward+backward": point.runner("seqlab.numpy"),
            "input projection": lambda: Wxb @ x1,
            "recurrent matmuls, forward": lambda: [Wa @ a for _ in range(T)],
            "recurrent matmuls, backward": lambda: [Wa.T @ dz_t for _ in range(T)],
            "weight gradients and dx": lambda: (dz2 @ ax1.T, Wx.T @ dz2),     # [a; x; 1]: db rides in dW
        }
    nn_run = point.runner(NN)
    nn_times: list[float] = []
    result = {}
    for impl, fns in parts.items():
        fns[NN] = nn_run
        for fn in fns.values():
            fn()
        times = {k: [] for k in fns}
        keys = list(fns)
        start, rounds = time.perf_counter(), 0
        while rounds < min_rounds or time.perf_counter() - start < seconds:
            rng.shuffle(keys)
            for k in keys:
                times[k].append(time_call(fns[k], device))
            rounds += 1
        med = {k: statistics.median(v) for k, v in times.items()}
        fwd_rest = med["forward"] - med["input projection"] - med["recurrent matmuls, forward"]
        bwd_rest = (med["forward+backward"] - med["forward"] - med["recurrent matmuls, backward"]
                    - med["weight gradients and dx"])
        per_step = {
            "input projection": med["input projection"],
            "recurrent matmul (forward)": med["recurrent matmuls, forward"],
            "gates and loop overhead (forward)": fwd_rest,
            "recurrent matmul (backward)": med["recurrent matmuls, backward"],
            "gates and loop overhead (backward)": bwd_rest,
            "weight gradients and dx": med["weight gradients and dx"],
        }
        result[impl] = {"per_step_us": {k: v / T * 1e6 for k, v in per_step.items()},
                        "total_per_step_us": med["forward+backward"] / T * 1e6, "rounds": rounds}
        nn_times += times[NN]
    result[NN] = {"total_per_step_us": statistics.median(nn_times) / T * 1e6, "rounds": len(nn_times)}
    return {"cell": "lstm", "T": T, "m": m, "n": n, "impls": result}


# ----------------------------------------------------------------------------- targets
def evaluate_targets(points: list[dict], device: torch.device, quick: bool) -> list[dict]:
    """The speed targets, each with the measured figure and whether it is met (None: not measured)."""
    def find(cell, T, m, n):
        for p in points:
            if (p["cell"], p["T"], p["m"], p["n"]) == (cell, T, m, n):
                return p
        return None
    tp, gp = TARGET_POINT, GEMM_POINT
    at_target = None if quick else find("lstm", tp["T"], tp["m"], tp["n"])
    at_gemm = None if quick else find("lstm", gp["T"], gp["m"], gp["n"])
    on = "on the GPU" if device.type == "cuda" else "one thread"
    where = f"LSTM fwd+bwd, m = {tp['m']}, n = {tp['n']}, T = {tp['T']}, {on}"
    if device.type == "cuda":
        specs = [("seqlab.torch LSTM / cuDNN", at_target, "seqlab.torch", "ratio", 2.0, "<=", where),
                 ("seqlab.torch LSTM / cuDNN (aim)", at_target, "seqlab.torch", "ratio", 1.3, "<=", where)]
    else:
        where_g = f"LSTM fwd+bwd, m = {gp['m']}, n = {gp['n']}, T = {gp['T']}, one thread"
        specs = [("seqlab.numpy LSTM / torch.nn", at_target, "seqlab.numpy", "ratio", 1.5, "<=", where),
                 ("seqlab.torch LSTM / torch.nn", at_target, "seqlab.torch", "ratio", 1.3, "<=", where),
                 ("seqlab.numpy share of GEMM rate", at_gemm, "seqlab.numpy", "share", 0.5, ">=", where_g),
                 ("seqlab.torch share of GEMM rate", at_gemm, "seqlab.torch", "share", 0.5, ">=", where_g)]
    targets = []
    for name, point, impl, what, threshold, op, at in specs:
        value = None
        if point is not None:
            r = point["impls"][impl]
            value = r["ratio"] if what == "ratio" else r["share_of_gemm"]
        met = None if value is None else (value <= threshold if op == "<=" else value >= threshold)
        targets.append({"name": name, "at": at, "implementation": impl, "measure": what,
                        "threshold": threshold, "comparison": op, "measured": value, "met": met})
    return targets


# ----------------------------------------------------------------------------- summary
def _fmt_target(t: dict) -> str:
    """The measured figure as the READMEs and chapter 18 show it: a ratio with two decimals, or
    three where two would read as the goal itself (1.3001 is "1.300×", not "1.30×")."""
    if t["measured"] is None:
        return "not measured"
    if t["measure"] != "ratio":
        return f"{100 * t['measured']:.0f} %"
    digits = 3 if f"{t['measured']:.2f}" == f"{t['threshold']:.2f}" else 2
    return f"{t['measured']:.{digits}f}×"


def _fmt_threshold(t: dict) -> str:
    sign = "≤" if t["comparison"] == "<=" else "≥"
    return f"{sign} {t['threshold']:g}×" if t["measure"] == "ratio" else f"{sign} {100 * t['threshold']:.0f} %"


def summary_markdown(result: dict) -> str:
    """The Markdown block that states a results file's figures (README.md, benchmarks/README.md).

    Regenerate it with ``python benchmarks/rnn_speed.py --summary RESULTS.json``; the tests
    check that the READMEs hold these lines.
    """
    mach, tp = result["machine"], result["target_point"]
    ref = "torch.nn (cuDNN)" if mach["device"] == "cuda" else "torch.nn (oneDNN for the LSTM; a loop of ATen ops for RNN and GRU)"
    lines = [f"Measured on {mach['device_name']} ({mach['device']}, one thread, float32, "
             f"torch {mach['torch']}, NumPy {mach['numpy']}); single-thread GEMM rate "
             f"{result['gemm']['median_gflops']:.0f} GFLOP/s ({result['gemm']['library']}).", "",
             "| target | measured | goal | met |", "|---|---|---|---|"]
    for t in result["targets"]:
        met = "—" if t["met"] is None else ("yes" if t["met"] else "**no**")
        lines.append(f"| {t['name']} ({t['at']}) | {_fmt_target(t)} | {_fmt_threshold(t)} | {met} |")
    impls = [i for i in result["implementations"] if i != NN]
    segments = result["method"].get("target_segments", 1)
    how = ("median over interleaved rounds" if segments == 1 else
           f"median of {segments} segments spread over the run, each the median over interleaved rounds")
    lines += ["", f"Time relative to {ref} at m = {tp['m']}, n = {tp['n']}, T = {tp['T']} "
                  f"({how}; lower is better):", "",
              "| cell | " + " | ".join(impls) + " |", "|---|" + "---|" * len(impls)]
    for p in result["points"]:
        if p.get("target_point"):
            cells = " | ".join(f"{p['impls'][i]['ratio']:.2f}×" for i in impls)
            lines.append(f"| {p['cell'].upper()} | {cells} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- main
def machine(device: torch.device) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = {"device": device.type, "cpu": cpu, "python": platform.python_version(),
            "numpy": np.__version__, "torch": torch.__version__, "seqlab": seqlab.__version__,
            "torch_threads": torch.get_num_threads(), "dtype": "float32",
            "blas_threads_env": {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                                  "OPENBLAS_NUM_THREADS")}}
    if device.type == "cuda":
        info["device_name"] = torch.cuda.get_device_name(device)
        info["cudnn"] = torch.backends.cudnn.version()
        info["tf32"] = {"cudnn": torch.backends.cudnn.allow_tf32, "matmul": torch.backends.cuda.matmul.allow_tf32}
    else:
        info["device_name"] = cpu
        info["onednn_available"] = torch.backends.mkldnn.is_available()
    return info


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="results file to write (JSON)")
    ap.add_argument("--summary", type=Path, metavar="RESULTS",
                    help="print the Markdown summary of an existing results file and exit")
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--quick", action="store_true", help="tiny grid, few rounds: a smoke run (seconds)")
    ap.add_argument("--cells", nargs="+", choices=CELLS, default=list(CELLS))
    ap.add_argument("--seconds", type=float, default=None, help="wall time per grid point (default 4, quick 0)")
    ap.add_argument("--target-seconds", type=float, default=None,
                    help="wall time at each point of a target (default 40, quick 0)")
    ap.add_argument("--target-segments", type=int, default=None,
                    help="segments the time of a target's point is split into, spread over the run "
                         "(default 5, quick 2)")
    ap.add_argument("--min-rounds", type=int, default=None, help="rounds per grid point at least (default 5)")
    ap.add_argument("--max-rounds", type=int, default=200)
    ap.add_argument("--no-breakdown", action="store_true", help="skip the per-step time breakdown")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def recorded_command(argv: list[str]) -> str:
    """The command line as the results file records it: a path inside the repository relative
    to its root, any other absolute path by its file name (no path of the machine in the file)."""
    def shown(arg: str) -> str:
        path = Path(arg)
        if not path.is_absolute():
            return arg
        resolved = path.resolve()
        return str(resolved.relative_to(HERE.parent)) if resolved.is_relative_to(HERE.parent) else path.name
    return " ".join(["python benchmarks/rnn_speed.py", *map(shown, argv)])


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.summary is not None:
        print(summary_markdown(json.loads(args.summary.read_text())), end="")
        return {}
    if args.out is None:
        raise SystemExit("--out RESULTS.json is required (or --summary RESULTS.json)")
    torch.set_num_threads(1)
    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: no CUDA device is available to torch")
        torch.backends.cudnn.allow_tf32 = False       # FP32 against FP32: cuDNN would use TF32
        torch.backends.cuda.matmul.allow_tf32 = False
    quick = args.quick
    seconds = args.seconds if args.seconds is not None else (0.0 if quick else 4.0)
    target_seconds = args.target_seconds if args.target_seconds is not None else (0.0 if quick else 40.0)
    segments = args.target_segments if args.target_segments is not None else (2 if quick else 5)
    if segments < 1:
        raise SystemExit("--target-segments must be at least 1")
    min_rounds = args.min_rounds if args.min_rounds is not None else (2 if quick else 5)
    grid = QUICK_GRID if quick else GRID
    target = QUICK_TARGET_POINT if quick else TARGET_POINT
    impls = IMPLS_CUDA if device.type == "cuda" else IMPLS_CPU
    tol = 2e-3 if device.type == "cpu" else 1e-2
    rng = random.Random(args.seed)
    clock = GemmClock(device, 128 if quick else 1024)
    began = time.perf_counter()

    # the points of the targets are measured in segments spread over the run: the target point
    # of every cell, and the LSTM's GEMM-share point (which the grid holds)
    segmented = [(cell, target["T"], target["m"], target["n"]) for cell in args.cells]
    if not quick and "lstm" in args.cells:
        segmented.append(("lstm", GEMM_POINT["T"], GEMM_POINT["m"], GEMM_POINT["n"]))
    grid_jobs = [(cell, T, m, n) for cell in args.cells for n in grid["n"] for m in grid["m"] for T in grid["T"]
                 if (cell, T, m, n) not in segmented]
    jobs = _spread_segments(grid_jobs, segmented, segments)
    seg_rounds = max(3, -(-max(min_rounds, 2 if quick else 15) // segments))
    seg_seconds = target_seconds / segments
    points, pending = [], {}
    marks: list[int] = []                       # GEMM samples taken before job i: marks[i]:marks[i] + GEMM_SAMPLES
    point_jobs: list[list[int]] = []            # the jobs (segments) each point was measured in
    for i, (cell, T, m, n, in_segments) in enumerate(jobs):
        marks.append(clock.sample(GEMM_SAMPLES))
        point = Point(cell, T, m, n, device, seed=args.seed)
        key = (cell, T, m, n)
        if in_segments:
            done = pending.setdefault(key, [])
            done.append((i, _rounds(point, impls, seg_seconds, seg_rounds, args.max_rounds, rng, tol)))
            print(f"[{i + 1}/{len(jobs)}] {cell:4s} T={T:3d} m={m:3d} n={n:3d} segment {len(done)}/{segments}",
                  flush=True)
            if len(done) < segments:
                continue
            res = merge_segments(point, [seg for _, seg in pending.pop(key)])
            point_jobs.append([j for j, _ in done])
        else:
            res = measure_point(point, impls, seconds, min_rounds, args.max_rounds, rng, tol)
            point_jobs.append([i])
        res["target_point"] = (T, m, n) == (target["T"], target["m"], target["n"])
        points.append(res)
        summary = "  ".join(f"{k} {v['ratio']:.2f}" for k, v in res["impls"].items() if k != NN)
        print(f"[{i + 1}/{len(jobs)}] {cell:4s} T={T:3d} m={m:3d} n={n:3d} rounds={res['rounds']:3d} "
              f"{NN} {res['impls'][NN]['median_s'] * 1e3:8.2f} ms | {summary}", flush=True)
    marks.append(clock.sample(GEMM_SAMPLES))
    gemm = clock.summary()
    for p, job_ids in zip(points, point_jobs):
        _add_gemm_shares(p, [clock.local_rate(gemm["library"], marks[j], marks[j + 1] + GEMM_SAMPLES)
                             for j in job_ids])
    result = {
        "schema": SCHEMA,
        "command": recorded_command(sys.argv[1:] if argv is None else argv),
        "quick": quick,
        "machine": machine(device),
        "method": {"threads": 1, "clock": "wall time" if device.type == "cuda" else "process CPU time",
                   "rounds": "interleaved, shuffled order", "statistic": "median",
                   "ratio": "median over rounds of t_impl / t_torch.nn in the same round",
                   "flops": "3 x forward matmul FLOPs (seqlab.flops.flops_per_step)",
                   "seconds_per_point": seconds, "seconds_per_target_point": target_seconds,
                   "target_segments": segments,
                   "target_ratio": "median over segments (spread over the run) of each segment's median "
                                   "paired ratio",
                   "min_rounds": min_rounds, "gru_variant": "reset_after", "rnn_nonlinearity": "tanh",
                   "n_x": "= n_a = n", "check_tolerance": tol},
        "grid": {k: list(v) for k, v in grid.items()},
        "target_point": target,
        "implementations": list(impls),
        "gemm": gemm,
        "points": points,
    }
    if not args.no_breakdown and "lstm" in args.cells:
        result["breakdown"] = breakdown(target["T"], target["m"], target["n"], device,
                                        0.0 if quick else 20.0, 2 if quick else 10, rng)
    result["targets"] = evaluate_targets(points, device, quick)
    result["wall_seconds"] = time.perf_counter() - began
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    tmp.replace(args.out)
    print(f"GEMM rate {gemm['median_gflops']:.1f} GFLOP/s ({gemm['library']}); wall {result['wall_seconds']:.0f} s")
    for t in result["targets"]:
        value = "not measured" if t["measured"] is None else f"{t['measured']:.3f}"
        print(f"target {t['name']} {t['comparison']} {t['threshold']}: {value} -> "
              f"{'met' if t['met'] else ('NOT met' if t['met'] is False else '-')}")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
