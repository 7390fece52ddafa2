"""Synthetic tasks that need memory (chapters 8, 9 and 12), generated from a seed.

:func:`marked_recall` -- *remember a marked value until asked*.  Every step shows a random
symbol; one step (or several) carries a mark; at the last step t = T_x a query bit asks
for the symbol seen at the (last) mark.  Between the mark and the query the network must
keep the symbol in its memory and ignore every later symbol: the GRU's update gate Γ_u
(and the LSTM's forget gate Γ_f) must learn to close.  With several marks the latest one
wins, so the memory must also be *overwritten* on a mark (the LSTM forgets, then writes).

    x^<t> = [one-hot of the symbol s^<t> (n_symbols); mark bit; query bit]      n_x = n_symbols + 2
    y     = s^<t_mark> (an integer label), asked at t = T_x

:func:`window_parity` -- at every step, the parity of the number of ones among the last
``window`` input bits: y^<t> = (x^<t-window+1> + … + x^<t>) mod 2.  It needs a memory of
exactly ``window`` steps and a non-linear combination of them (chapter 12 compares
stacks of 1 to 3 recurrent layers on it).

Both return arrays in the course's layout, x of shape (n_x, m, T_x); time steps in the
returned positions are counted from 1 as in the notes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tasks import _check_dtype

__all__ = ["MemoryTask", "marked_recall", "window_parity"]


@dataclass(frozen=True)
class MemoryTask:
    """A batch of a many-to-one memory task.

    Attributes
    ----------
    x : (n_x, m, T_x) inputs [one-hot symbol; mark bit; query bit].
    y : (m,) integer target: the symbol at the last mark, asked at t = T_x.
    symbols : (m, T_x) the symbol index shown at every step (-1 at the query step).
    marks : (m, n_marks) the marked time steps, increasing, counted from 1.
    """

    x: np.ndarray
    y: np.ndarray
    symbols: np.ndarray
    marks: np.ndarray

    @property
    def lag(self) -> np.ndarray:
        """(m,) distance T_x − t_mark between the last mark and the query."""
        return self.x.shape[2] - self.marks[:, -1]


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    return int(value)


def marked_recall(m: int, T_x: int, n_symbols: int = 4, n_marks: int = 1, min_lag: int = 1,
                  seed=0, dtype=np.float64) -> MemoryTask:
    """Remember the symbol shown at the (last) mark until the query at t = T_x.

    Parameters
    ----------
    m : number of sequences.
    T_x : length of each sequence (the query is the last step).
    n_symbols : size of the alphabet (the number of classes n_y).
    n_marks : marks per sequence; the target is the symbol at the latest one.
    min_lag : the last mark is at t ≤ T_x − min_lag, so it must be held for at least
        ``min_lag`` steps.
    seed : seed (or ``numpy.random.Generator``) of the generator.
    dtype : float32 or float64 for x.

    Returns
    -------
    MemoryTask with x (n_symbols + 2, m, T_x), y (m,), symbols (m, T_x), marks (m, n_marks).
    """
    m = _check_int(m, "m", 1)
    n_symbols = _check_int(n_symbols, "n_symbols", 2)
    n_marks = _check_int(n_marks, "n_marks", 1)
    min_lag = _check_int(min_lag, "min_lag", 1)
    T_x = _check_int(T_x, "T_x", n_marks + min_lag)
    dtype = _check_dtype(dtype)
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, n_symbols, size=(m, T_x))
    symbols[:, -1] = -1
    # n_marks distinct steps among 1 … T_x − min_lag, sorted
    candidates = T_x - min_lag
    keys = rng.random((m, candidates))
    marks = np.sort(np.argsort(keys, axis=1)[:, :n_marks], axis=1) + 1
    x = np.zeros((n_symbols + 2, m, T_x), dtype=dtype)
    rows, steps = np.nonzero(symbols >= 0)
    x[symbols[rows, steps], rows, steps] = 1
    x[n_symbols, np.repeat(np.arange(m), n_marks), marks.ravel() - 1] = 1
    x[n_symbols + 1, :, -1] = 1
    y = symbols[np.arange(m), marks[:, -1] - 1]
    return MemoryTask(x=x, y=y, symbols=symbols, marks=marks)


def window_parity(m: int, T_x: int, window: int = 3, p_one: float = 0.5, seed=0,
                  dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """y^<t> = (x^<t-window+1> + … + x^<t>) mod 2 for random bits x^<t> (n_x = 1).

    Steps before the first one count as zeros, so y^<t> is defined for every t.

    Returns
    -------
    x : (1, m, T_x) bits as floats.
    y : (m, T_x) integer labels 0/1.
    """
    m = _check_int(m, "m", 1)
    T_x = _check_int(T_x, "T_x", 1)
    window = _check_int(window, "window", 1)
    if not 0.0 < float(p_one) < 1.0:
        raise ValueError(f"p_one must lie strictly between 0 and 1; got {p_one}")
    dtype = _check_dtype(dtype)
    rng = np.random.default_rng(seed)
    bits = (rng.random((m, T_x)) < p_one).astype(np.int64)
    cumulative = np.concatenate([np.zeros((m, 1), np.int64), np.cumsum(bits, axis=1)], axis=1)
    start = np.maximum(np.arange(1, T_x + 1) - window, 0)
    y = (cumulative[:, 1:] - cumulative[:, start]) % 2
    return bits[None].astype(dtype), y
