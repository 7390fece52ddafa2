"""Element-wise and global-norm gradient clipping."""
from __future__ import annotations

import re

import numpy as np
import pytest

from seqlab.numpy import clip, clip_by_global_norm, global_norm


def grads(rng, dtype=np.float64):
    return {"dWaa": (10 * rng.standard_normal((3, 3))).astype(dtype),
            "dWax": (10 * rng.standard_normal((3, 2))).astype(dtype),
            "dba": np.array([[0.5], [-20.0], [3.0]], dtype=dtype)}


def test_clip_element_wise(rng):
    g = grads(rng)
    before = {k: v.copy() for k, v in g.items()}
    out = clip(g, 5)
    for k in g:
        np.testing.assert_array_equal(out[k], np.minimum(np.maximum(before[k], -5), 5))
        np.testing.assert_array_equal(g[k], before[k])  # input untouched
        assert out[k] is not g[k]
    np.testing.assert_array_equal(out["dba"], [[0.5], [-5.0], [3.0]])
    assert max(np.abs(v).max() for v in out.values()) == 5.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept(dtype, rng):
    g = grads(rng, dtype)
    assert all(v.dtype == dtype for v in clip(g, 1.0).values())
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert all(v.dtype == dtype for v in clipped.values())
    assert isinstance(norm, float)


def test_global_norm_clipping_reports_norm(rng):
    g = grads(rng)
    expected = np.sqrt(sum(np.sum(v ** 2) for v in g.values()))
    assert global_norm(g) == pytest.approx(expected, rel=1e-14)
    clipped, norm = clip_by_global_norm(g, 2.0)
    assert norm == pytest.approx(expected, rel=1e-14)  # the norm before clipping
    assert global_norm(clipped) == pytest.approx(2.0, rel=1e-12)
    for k in g:  # same direction, one common factor
        np.testing.assert_allclose(clipped[k], g[k] * 2.0 / expected, rtol=1e-13)


def test_global_norm_below_threshold_is_unchanged(rng):
    g = grads(rng)
    norm0 = global_norm(g)
    clipped, norm = clip_by_global_norm(g, norm0 * 1.01)
    assert norm == pytest.approx(norm0)
    for k in g:
        np.testing.assert_array_equal(clipped[k], g[k])
        assert clipped[k] is not g[k]


def test_errors(rng):
    g = grads(rng)
    for bad in (0, -1.0, np.inf, "5", True):
        with pytest.raises(ValueError, match="maxValue must be a positive number"):
            clip(g, bad)
        with pytest.raises(ValueError, match="max_norm must be a positive number"):
            clip_by_global_norm(g, bad)
    g["dWax"][1, 1] = np.nan
    with pytest.raises(ValueError, match=re.escape("gradient 'dWax' contains NaN (first at index (1, 1))")):
        clip(g, 5)
    with pytest.raises(TypeError, match="gradient 'dba' must be a float32 or float64 array; got int64"):
        clip_by_global_norm({"dba": np.ones((2, 1), dtype=np.int64)}, 1.0)
    with pytest.raises(TypeError, match="gradients must be a dict"):
        global_norm([np.ones(2)])
