"""Initializers and parameter dictionaries of seqlab.numpy.init."""
from __future__ import annotations

import re

import numpy as np
import pytest

from seqlab.numpy import (INITIALIZERS, he_normal, he_uniform, identity, init_dense_parameters, init_gru_parameters, init_lstm_parameters,
                          init_parameters, init_peephole_lstm_parameters, init_rnn_parameters, orthogonal,
                          rnn_forward, small_normal, xavier_normal, xavier_uniform)


@pytest.mark.parametrize("shape", [(6, 6), (8, 3), (3, 8), (1, 1)])
def test_orthogonal_is_orthogonal(shape):
    W = orthogonal(shape, seed=3)
    assert W.shape == shape
    small = min(shape)
    gram = W.T @ W if shape[0] >= shape[1] else W @ W.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.0, atol=1e-12)


def test_orthogonal_gain_and_spectral_radius():
    W = orthogonal((5, 5), seed=0, gain=0.5)
    np.testing.assert_allclose(W.T @ W, 0.25 * np.eye(5), atol=1e-12)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(W)), 0.5, atol=1e-12)


def test_orthogonal_differs_across_seeds_and_repeats_with_one():
    assert not np.allclose(orthogonal((4, 4), seed=1), orthogonal((4, 4), seed=2))
    np.testing.assert_array_equal(orthogonal((4, 4), seed=1), orthogonal((4, 4), seed=1))


def test_identity():
    np.testing.assert_array_equal(identity(4), np.eye(4))
    np.testing.assert_array_equal(identity((3, 3), gain=0.5), 0.5 * np.eye(3))
    assert identity(2, dtype=np.float32).dtype == np.float32


FAN_OUT, FAN_IN = 600, 400


@pytest.mark.parametrize("init, variance", [
    (xavier_uniform, 2.0 / (FAN_IN + FAN_OUT)),
    (xavier_normal, 2.0 / (FAN_IN + FAN_OUT)),
    (he_normal, 2.0 / FAN_IN),
    (he_uniform, 2.0 / FAN_IN),
    (small_normal, 1e-4),
])
def test_variance_roughly_right(init, variance):
    W = init((FAN_OUT, FAN_IN), seed=0)
    assert W.shape == (FAN_OUT, FAN_IN)
    assert abs(W.mean()) < 0.05 * np.sqrt(variance)
    assert W.var() == pytest.approx(variance, rel=0.02)


def test_uniform_bounds():
    W = xavier_uniform((50, 30), seed=1)
    assert np.abs(W).max() <= np.sqrt(6 / 80)
    W = he_uniform((50, 30), seed=1)
    assert np.abs(W).max() <= np.sqrt(6 / 30)
    W = xavier_uniform((50, 30), seed=1, gain=2.0)
    assert np.abs(W).max() > np.sqrt(6 / 80)


def test_registry_and_seeds_and_dtype():
    assert set(INITIALIZERS) >= {"xavier_uniform", "xavier_normal", "glorot_uniform", "glorot_normal",
                                 "he_normal", "he_uniform", "orthogonal", "identity"}
    for name, init in INITIALIZERS.items():
        W = init((4, 4), 7, dtype=np.float32)
        assert W.dtype == np.float32, name
        np.testing.assert_array_equal(W, init((4, 4), 7, dtype=np.float32))
    gen = np.random.default_rng(5)
    assert not np.array_equal(xavier_normal((3, 3), gen), xavier_normal((3, 3), gen))


def test_init_rnn_parameters():
    p = init_rnn_parameters(3, 5, 2, seed=0)
    assert {k: v.shape for k, v in p.items()} == {"Wax": (5, 3), "Waa": (5, 5), "ba": (5, 1),
                                                 "Wya": (2, 5), "by": (2, 1)}
    np.testing.assert_allclose(p["Waa"].T @ p["Waa"], np.eye(5), atol=1e-12)
    assert not p["ba"].any() and not p["by"].any()
    assert set(init_rnn_parameters(3, 5)) == {"Wax", "Waa", "ba"}
    irnn = init_rnn_parameters(3, 5, recurrent_init="identity", input_init="small_normal")
    np.testing.assert_array_equal(irnn["Waa"], np.eye(5))
    p32 = init_rnn_parameters(3, 5, 2, seed=0, dtype=np.float32)
    assert all(v.dtype == np.float32 for v in p32.values())
    # usable as is
    a, y, _ = rnn_forward(np.zeros((3, 2, 4)), np.zeros((5, 2)), p)
    assert a.shape == (5, 2, 4) and y.shape == (2, 2, 4)


def test_init_rnn_is_reproducible():
    a, b = init_rnn_parameters(3, 4, 2, seed=11), init_rnn_parameters(3, 4, 2, seed=11)
    c = init_rnn_parameters(3, 4, 2, seed=12)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["Wax"], c["Wax"])


@pytest.mark.parametrize("variant, keys", [
    ("simplified", {"Wc", "bc", "Wu", "bu"}),
    ("full", {"Wc", "bc", "Wu", "bu", "Wr", "br"}),
    ("reset_after", {"Wc", "bc", "Wu", "bu", "Wr", "br", "bca"}),
])
def test_init_gru_parameters(variant, keys):
    p = init_gru_parameters(3, 4, seed=0, variant=variant)
    assert set(p) == keys
    for k in keys:
        assert p[k].shape == ((4, 7) if k.startswith("W") else (4, 1))
    # the recurrent block (first n_a columns) is orthogonal
    Wc_rec = p["Wc"][:, :4]
    np.testing.assert_allclose(Wc_rec.T @ Wc_rec, np.eye(4), atol=1e-12)
    p = init_gru_parameters(3, 4, 6, variant=variant)
    assert p["Wy"].shape == (6, 4) and p["by"].shape == (6, 1)


def test_init_lstm_parameters_forget_bias():
    p = init_lstm_parameters(3, 4, 2, seed=0)
    assert set(p) == {"Wf", "bf", "Wu", "bu", "Wc", "bc", "Wo", "bo", "Wy", "by"}
    for g in "fuco":
        assert p["W" + g].shape == (4, 7) and p["b" + g].shape == (4, 1)
    np.testing.assert_array_equal(p["bf"], np.ones((4, 1)))
    assert not p["bu"].any() and not p["bc"].any() and not p["bo"].any()
    np.testing.assert_array_equal(init_lstm_parameters(3, 4, forget_bias=2.5)["bf"], np.full((4, 1), 2.5))
    np.testing.assert_array_equal(init_lstm_parameters(3, 4, forget_bias=0.0)["bf"], np.zeros((4, 1)))


def test_init_peephole_parameters_forget_bias():
    n_a = 3
    p = init_peephole_lstm_parameters(2, n_a, 5, seed=0, forget_bias=1.5)
    assert {k: v.shape for k, v in p.items()} == {"W": (12, 2), "R": (12, 3), "P": (9, 1), "b": (12, 1),
                                                 "Wy": (5, 3), "by": (5, 1)}
    b = p["b"][:, 0]
    np.testing.assert_array_equal(b[2 * n_a:3 * n_a], 1.5)  # rows of Γ_f
    np.testing.assert_array_equal(np.delete(b, range(2 * n_a, 3 * n_a)), 0.0)
    assert np.abs(p["P"]).max() <= 1 / np.sqrt(n_a) and p["P"].any()
    for block in range(4):
        R = p["R"][block * n_a:(block + 1) * n_a]
        np.testing.assert_allclose(R.T @ R, np.eye(n_a), atol=1e-12)


def test_init_parameters_dispatch_and_dense():
    np.testing.assert_array_equal(init_parameters("lstm", 2, 3, seed=4)["Wf"], init_lstm_parameters(2, 3, seed=4)["Wf"])
    assert set(init_parameters("gru", 2, 3, variant="simplified")) == {"Wc", "bc", "Wu", "bu"}
    assert set(init_parameters("peephole_lstm", 2, 3)) == {"W", "R", "P", "b"}
    assert set(init_parameters("rnn", 2, 3, 4)) == {"Wax", "Waa", "ba", "Wya", "by"}
    d = init_dense_parameters(3, 2, weight_key="Wy", dtype=np.float32)
    assert d["Wy"].shape == (2, 3) and d["by"].dtype == np.float32


def test_errors():
    with pytest.raises(ValueError, match=re.escape("unknown initializer 'nope'; choose one of 'xavier_uniform'")):
        init_rnn_parameters(2, 3, recurrent_init="nope")
    with pytest.raises(ValueError, match="n_a must be a positive int; got 0"):
        init_rnn_parameters(2, 0)
    with pytest.raises(ValueError, match="n_y must be a positive int; got 2.0"):
        init_lstm_parameters(2, 3, 2.0)
    with pytest.raises(TypeError, match="dtype must be float32 or float64; got int32"):
        xavier_uniform((2, 2), dtype=np.int32)
    with pytest.raises(TypeError, match="seed must be an int or a numpy.random.Generator; got str"):
        orthogonal((2, 2), seed="1")
    with pytest.raises(ValueError, match=re.escape("(fan_out, fan_in) with positive sizes; got (2, 2, 2)")):
        he_normal((2, 2, 2))
    with pytest.raises(ValueError, match="variant must be one of 'simplified', 'full', 'reset_after'; got 'x'"):
        init_gru_parameters(2, 3, variant="x")
    with pytest.raises(ValueError, match="kind must be one of 'rnn', 'gru', 'lstm', 'peephole_lstm'; got 'cnn'"):
        init_parameters("cnn", 2, 3)
