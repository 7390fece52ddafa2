"""seqlab.data.memory: the memory tasks are what their docstrings say, reproducible and checked."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.memory import MemoryTask, marked_recall, window_parity


def test_marked_recall_layout_and_target():
    task = marked_recall(50, 12, n_symbols=4, seed=1)
    assert isinstance(task, MemoryTask)
    assert task.x.shape == (6, 50, 12) and task.x.dtype == np.float64
    assert task.y.shape == (50,) and task.symbols.shape == (50, 12) and task.marks.shape == (50, 1)
    x = task.x
    # one symbol bit per step except the query step, which has only the query bit
    assert np.array_equal(x[:4, :, :-1].sum(axis=0), np.ones((50, 11)))
    assert np.all(x[:4, :, -1] == 0) and np.all(x[5, :, -1] == 1) and np.all(x[5, :, :-1] == 0)
    # the symbol bits spell the recorded symbols, the mark bit is at the recorded mark
    assert np.array_equal(x[:4, :, :-1].argmax(axis=0), task.symbols[:, :-1])
    assert np.all(task.symbols[:, -1] == -1)
    assert np.array_equal(x[4].sum(axis=1), np.ones(50))
    assert np.array_equal(x[4].argmax(axis=1) + 1, task.marks[:, 0])
    # the target is the symbol shown at the mark
    assert np.array_equal(task.y, task.symbols[np.arange(50), task.marks[:, 0] - 1])
    assert np.array_equal(task.lag, 12 - task.marks[:, 0])


def test_marked_recall_several_marks_and_min_lag():
    task = marked_recall(200, 20, n_symbols=3, n_marks=3, min_lag=7, seed=2)
    assert task.marks.shape == (200, 3)
    assert np.all(np.diff(task.marks, axis=1) > 0)            # distinct, increasing
    assert task.marks.min() >= 1 and task.marks.max() <= 20 - 7
    assert np.all(task.lag >= 7)
    assert np.array_equal(task.x[3].sum(axis=1), np.full(200, 3.0))
    assert np.array_equal(task.y, task.symbols[np.arange(200), task.marks[:, -1] - 1])
    assert set(np.unique(task.y)) <= {0, 1, 2}


def test_marked_recall_is_seeded_and_varied():
    a, b = marked_recall(30, 10, seed=5), marked_recall(30, 10, seed=5)
    c = marked_recall(30, 10, seed=6)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)
    big = marked_recall(2000, 10, seed=0)
    counts = np.bincount(big.y, minlength=4) / 2000
    assert np.all(np.abs(counts - 0.25) < 0.05)               # balanced classes
    assert len(np.unique(big.marks)) == 9                     # every step 1 … T_x − 1 is used
    assert marked_recall(3, 5, seed=np.random.default_rng(1)).x.shape == (6, 3, 5)


def test_marked_recall_float32():
    assert marked_recall(4, 6, dtype=np.float32).x.dtype == np.float32


@pytest.mark.parametrize("kwargs, error", [
    ({"m": 0, "T_x": 5}, ValueError),
    ({"m": 2.5, "T_x": 5}, TypeError),
    ({"m": True, "T_x": 5}, TypeError),
    ({"m": 2, "T_x": 1}, ValueError),                         # no room for a mark before the query
    ({"m": 2, "T_x": 5, "n_symbols": 1}, ValueError),
    ({"m": 2, "T_x": 5, "n_marks": 3, "min_lag": 3}, ValueError),
    ({"m": 2, "T_x": 5, "dtype": np.int64}, TypeError),
])
def test_marked_recall_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        marked_recall(**kwargs)


def test_window_parity_matches_a_direct_count():
    x, y = window_parity(40, 15, window=4, seed=3)
    assert x.shape == (1, 40, 15) and y.shape == (40, 15) and y.dtype.kind == "i"
    bits = x[0].astype(int)
    for i in range(40):
        for t in range(15):
            assert y[i, t] == bits[i, max(0, t - 3):t + 1].sum() % 2
    assert set(np.unique(x)) <= {0.0, 1.0}


def test_window_parity_window_one_and_dtype():
    x, y = window_parity(10, 8, window=1, seed=0, dtype=np.float32)
    assert x.dtype == np.float32
    assert np.array_equal(y, x[0].astype(int))


def test_window_parity_p_one_and_seed():
    x, _ = window_parity(500, 20, p_one=0.2, seed=1)
    assert abs(x.mean() - 0.2) < 0.03
    assert np.array_equal(window_parity(5, 6, seed=9)[0], window_parity(5, 6, seed=9)[0])


@pytest.mark.parametrize("kwargs, error", [
    ({"m": 0, "T_x": 5}, ValueError), ({"m": 2, "T_x": 0}, ValueError),
    ({"m": 2, "T_x": 5, "window": 0}, ValueError), ({"m": 2, "T_x": 5, "p_one": 1.0}, ValueError),
    ({"m": 2, "T_x": 5, "dtype": np.float16}, TypeError),
])
def test_window_parity_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        window_parity(**kwargs)
