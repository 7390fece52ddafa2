"""Truncated BPTT: full BPTT when k ≥ T_x, and the segment-by-segment computation otherwise."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.numpy import rnn_backward, rnn_forward, rnn_tbptt_backward, tbptt_segments

WEIGHTS = ("dWax", "dWaa", "dba")


def setup(rng, random_parameters, n_x=3, n_a=4, m=2, T_x=7):
    p = random_parameters({"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}, rng, scale=0.7)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = rng.standard_normal((n_a, m))
    da = rng.standard_normal((n_a, m, T_x))
    return p, x, a0, da


def test_segments():
    assert tbptt_segments(7, 3) == [slice(0, 3), slice(3, 6), slice(6, 7)]
    assert tbptt_segments(6, 3) == [slice(0, 3), slice(3, 6)]
    assert tbptt_segments(2, 5) == [slice(0, 2)]
    assert tbptt_segments(0, 5) == []
    with pytest.raises(ValueError, match="T_x must be a non-negative int"):
        tbptt_segments(-1, 2)


@pytest.mark.parametrize("act", ["tanh", "relu"])
@pytest.mark.parametrize("k", [7, 8, 100])
def test_k_at_least_T_x_is_full_bptt_exactly(act, k, rng, random_parameters):
    p, x, a0, da = setup(rng, random_parameters)
    _, _, caches = rnn_forward(x, a0, p, activation=act)
    full = rnn_backward(da, caches)
    truncated = rnn_tbptt_backward(da, caches, k)
    assert set(truncated) == set(full)
    for key in full:
        np.testing.assert_array_equal(truncated[key], full[key])


@pytest.mark.parametrize("act", ["tanh", "relu"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_small_k_equals_segment_by_segment_bptt(act, k, rng, random_parameters):
    """Hand-built truncation: each segment is its own sequence, its a^<0> the state carried in."""
    p, x, a0, da = setup(rng, random_parameters)
    a, _, caches = rnn_forward(x, a0, p, activation=act)
    truncated = rnn_tbptt_backward(da, caches, k)
    full = rnn_backward(da, caches)
    assert not np.allclose(truncated["dWaa"], full["dWaa"])

    total = {key: np.zeros_like(p[key[1:]]) for key in WEIGHTS}
    dx = np.zeros_like(x)
    state = a0
    for i, seg in enumerate(tbptt_segments(x.shape[2], k)):
        a_seg, _, seg_caches = rnn_forward(x[:, :, seg], state, p, activation=act)
        np.testing.assert_allclose(a_seg, a[:, :, seg], rtol=1e-12, atol=1e-13)  # state carried forward
        g = rnn_backward(da[:, :, seg], seg_caches)
        for key in WEIGHTS:
            total[key] += g[key]
        dx[:, :, seg] = g["dx"]
        if i == 0:
            np.testing.assert_allclose(truncated["da0"], g["da0"], rtol=1e-12, atol=1e-13)
        state = a_seg[:, :, -1].copy()  # a constant for the next segment: no gradient flows back
    for key in WEIGHTS:
        np.testing.assert_allclose(truncated[key], total[key], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(truncated["dx"], dx, rtol=1e-12, atol=1e-13)


def test_k1_has_no_recurrent_path(rng, random_parameters):
    """With k = 1 every step only sees its own output gradient: dz^<t> = da^<t> ⊙ (1 − a^<t>²)."""
    p, x, a0, da = setup(rng, random_parameters)
    a, _, caches = rnn_forward(x, a0, p)
    g = rnn_tbptt_backward(da, caches, 1)
    dz = da * (1 - a ** 2)
    np.testing.assert_allclose(g["dba"][:, 0], dz.sum(axis=(1, 2)), rtol=1e-12)
    np.testing.assert_allclose(g["da0"], p["Waa"].T @ dz[:, :, 0], rtol=1e-12)


def test_float32_and_errors(rng, random_parameters):
    p, x, a0, da = setup(rng, random_parameters)
    p32 = {key: v.astype(np.float32) for key, v in p.items()}
    _, _, caches = rnn_forward(x.astype(np.float32), a0.astype(np.float32), p32)
    assert all(v.dtype == np.float32 for v in rnn_tbptt_backward(da.astype(np.float32), caches, 2).values())
    for bad in (0, -2, 2.0, True):
        with pytest.raises(ValueError, match="the truncation length k must be a positive int"):
            rnn_tbptt_backward(da.astype(np.float32), caches, bad)
    with pytest.raises(TypeError, match="dL/da is float64 but the other arrays are float32"):
        rnn_tbptt_backward(da, caches, 2)
    with pytest.raises(ValueError, match="dL/da must be"):
        rnn_tbptt_backward(da[:, :, :3].astype(np.float32), caches, 2)
    with pytest.raises(TypeError, match="caches must be the pair"):
        rnn_tbptt_backward(da, None, 2)
