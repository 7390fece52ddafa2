"""Shared helpers of the seqlab.torch tests: random NumPy parameters and comparisons."""
from __future__ import annotations

import numpy as np
import torch

from seqlab.numpy import relative_error

#: (kind, option): the RNN's nonlinearity or the GRU's variant.
CASES = [("rnn", "tanh"), ("rnn", "relu"), ("gru", "simplified"), ("gru", "full"),
         ("gru", "reset_after"), ("lstm", None), ("peephole_lstm", None)]
CASE_IDS = [f"{k}-{o}" if o else k for k, o in CASES]
LSTMS = ("lstm", "peephole_lstm")


def numpy_shapes(kind: str, option: str | None, n_x: int, n_a: int) -> dict[str, tuple[int, int]]:
    """Keys and shapes of one cell's NumPy parameters (numpy_api.md)."""
    if kind == "rnn":
        return {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}
    if kind == "peephole_lstm":
        return {"W": (4 * n_a, n_x), "R": (4 * n_a, n_a), "P": (3 * n_a, 1), "b": (4 * n_a, 1)}
    gates = {"simplified": "cu", "full": "rcu", "reset_after": "rcu"}.get(option, "fuco")
    shapes = {}
    for g in gates:
        shapes[f"W{g}"] = (n_a, n_a + n_x)
        shapes[f"b{g}"] = (n_a, 1)
    if option == "reset_after":
        shapes["bca"] = (n_a, 1)
    return shapes


def numpy_parameters(kind: str, option: str | None, n_x: int, n_a: int, seed: int = 0,
                     scale: float = 0.6, dtype=np.float64) -> dict[str, np.ndarray]:
    """Random parameters N(0, scale²) (non-zero biases, so every bias path is exercised)."""
    rng = np.random.default_rng(seed)
    return {k: (scale * rng.standard_normal(s)).astype(dtype)
            for k, s in numpy_shapes(kind, option, n_x, n_a).items()}


def numpy_options(kind: str, option: str | None) -> dict[str, str]:
    """The keyword option of seqlab.numpy's recurrent functions."""
    return {"rnn": {"activation": option}, "gru": {"variant": option}}.get(kind, {})


def torch_options(kind: str, option: str | None) -> dict[str, str]:
    """The keyword option of seqlab.torch.convert.from_numpy."""
    return {"rnn": {"nonlinearity": option}, "gru": {"variant": option}}.get(kind, {})


def numpy_state(kind: str, rng: np.random.Generator, n_a: int, m: int, dtype=np.float64):
    """A random initial state: a^<0>, or (a^<0>, c^<0>) for the LSTMs."""
    a0 = (0.5 * rng.standard_normal((n_a, m))).astype(dtype)
    if kind in LSTMS:
        return a0, (0.5 * rng.standard_normal((n_a, m))).astype(dtype)
    return a0


def to_np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def assert_max_abs(got, want, tol: float, what: str = "") -> None:
    """max |got − want| ≤ tol, both converted to float64 NumPy arrays of the same shape."""
    got = to_np(got) if isinstance(got, torch.Tensor) else np.asarray(got)
    want = to_np(want) if isinstance(want, torch.Tensor) else np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    err = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if got.size else 0.0
    assert err <= tol, f"{what}: max abs error {err:.3e} > {tol:.0e}"


def assert_relative(got, want, tol: float, what: str = "") -> None:
    """relative error ‖got − want‖ / (‖got‖ + ‖want‖) ≤ tol (seqlab.numpy.relative_error)."""
    got = to_np(got) if isinstance(got, torch.Tensor) else np.asarray(got)
    want = to_np(want) if isinstance(want, torch.Tensor) else np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    err = relative_error(got, want)
    assert err <= tol, f"{what}: relative error {err:.3e} > {tol:.0e}"
