"""Cross-entropy losses summed over time, with masks: values, gradients, checks."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from seqlab.numpy import (gradient_check, perplexity, sigmoid_cross_entropy_backward,
                          sigmoid_cross_entropy_forward, softmax_cross_entropy_backward,
                          softmax_cross_entropy_forward)

TOL = 1e-7


def one_hot(labels, n_y):
    return np.moveaxis(np.eye(n_y)[labels], -1, 0)


def naive_softmax_ce(z, labels, mask):
    n_y, m, T = z.shape
    total = 0.0
    for i in range(m):
        for t in range(T):
            p = np.exp(z[:, i, t]) / np.exp(z[:, i, t]).sum()
            total += mask[i, t] * -np.log(p[labels[i, t]])
    return total


@pytest.mark.parametrize("use_mask", [False, True])
@pytest.mark.parametrize("targets", ["labels", "one_hot"])
def test_softmax_ce_value_and_gradcheck(use_mask, targets, rng):
    n_y, m, T = 4, 3, 5
    z = rng.standard_normal((n_y, m, T))
    labels = rng.integers(0, n_y, (m, T))
    mask = (rng.random((m, T)) > 0.4).astype(np.float64) if use_mask else None
    y = labels if targets == "labels" else one_hot(labels, n_y)
    loss, cache = softmax_cross_entropy_forward(z, y, mask)
    expected = naive_softmax_ce(z, labels, np.ones((m, T)) if mask is None else mask)
    assert loss == pytest.approx(expected, rel=1e-12)
    dz = softmax_cross_entropy_backward(cache)
    assert dz.shape == z.shape
    errors = gradient_check(lambda: softmax_cross_entropy_forward(z, y, mask)[0], {"z": z}, {"z": dz})
    assert errors["z"] <= TOL
    if use_mask:
        np.testing.assert_array_equal(dz[:, mask == 0], 0.0)
        assert cache["n_tokens"] == mask.sum()


def test_softmax_ce_soft_targets_gradcheck(rng):
    z = rng.standard_normal((3, 2, 2))
    y = rng.random((3, 2, 2))
    y /= y.sum(axis=0, keepdims=True) * 1.5  # not normalized on purpose: dz = ŷ Σ y − y
    loss, cache = softmax_cross_entropy_forward(z, y)
    errors = gradient_check(lambda: softmax_cross_entropy_forward(z, y)[0], {"z": z},
                            {"z": softmax_cross_entropy_backward(cache)})
    assert errors["z"] <= TOL


def test_softmax_ce_single_step(rng):
    z = rng.standard_normal((4, 3))
    labels = np.array([0, 3, 1])
    mask = np.array([1, 0, 1])
    loss, cache = softmax_cross_entropy_forward(z, labels, mask)
    assert loss == pytest.approx(naive_softmax_ce(z[:, :, None], labels[:, None], mask[:, None]), rel=1e-12)
    dz = softmax_cross_entropy_backward(cache)
    assert dz.shape == (4, 3)
    assert gradient_check(lambda: softmax_cross_entropy_forward(z, labels, mask)[0], {"z": z}, {"z": dz})["z"] <= TOL
    loss2, _ = softmax_cross_entropy_forward(z, one_hot(labels, 4), mask.astype(bool))
    assert loss2 == pytest.approx(loss, rel=1e-14)


def test_sum_over_time_and_batch(rng):
    """L = Σ_t L^<t>: the loss of a sequence is the sum of its one-step losses."""
    z = rng.standard_normal((3, 2, 4))
    labels = rng.integers(0, 3, (2, 4))
    total, _ = softmax_cross_entropy_forward(z, labels)
    steps = sum(softmax_cross_entropy_forward(z[:, :, t], labels[:, t])[0] for t in range(4))
    assert total == pytest.approx(steps, rel=1e-13)


def test_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0], [0.0, 0.0], [-1000.0, 1000.0]])[:, :, None]
    labels = np.array([[0], [1]])
    loss, cache = softmax_cross_entropy_forward(z, labels)
    assert loss == pytest.approx(1000.0, rel=1e-12)  # example 1: −log softmax = 0, example 2: 1000
    assert np.isfinite(softmax_cross_entropy_backward(cache)).all()
    zb = np.array([[800.0, -800.0]])[:, :, None]
    loss, cache = sigmoid_cross_entropy_forward(zb, np.array([[[0.0], [1.0]]]).reshape(1, 2, 1))
    assert loss == pytest.approx(1600.0)
    np.testing.assert_allclose(sigmoid_cross_entropy_backward(cache)[:, :, 0], [[1.0, -1.0]])


@pytest.mark.parametrize("use_mask", [False, True])
@pytest.mark.parametrize("int_targets", [False, True])
def test_sigmoid_ce_value_and_gradcheck(use_mask, int_targets, rng):
    n_y, m, T = 2, 3, 4
    z = rng.standard_normal((n_y, m, T))
    y_int = rng.integers(0, 2, (n_y, m, T))
    y = y_int if int_targets else y_int.astype(np.float64)
    mask = rng.integers(0, 2, (m, T)) if use_mask else None
    loss, cache = sigmoid_cross_entropy_forward(z, y, mask)
    s = 1 / (1 + np.exp(-z))
    w = np.ones((m, T)) if mask is None else mask
    expected = -np.sum(w[None] * (y_int * np.log(s) + (1 - y_int) * np.log(1 - s)))
    assert loss == pytest.approx(expected, rel=1e-12)
    dz = sigmoid_cross_entropy_backward(cache)
    assert gradient_check(lambda: sigmoid_cross_entropy_forward(z, y, mask)[0], {"z": z}, {"z": dz})["z"] <= TOL


def test_sigmoid_ce_short_targets_and_single_step(rng):
    z = rng.standard_normal((1, 3, 2))
    y = rng.integers(0, 2, (3, 2))
    loss_short, _ = sigmoid_cross_entropy_forward(z, y)
    loss_full, _ = sigmoid_cross_entropy_forward(z, y[None])
    assert loss_short == loss_full
    z1 = rng.standard_normal((2, 3))
    y1 = rng.random((2, 3)).round()
    loss, cache = sigmoid_cross_entropy_forward(z1, y1, np.array([1.0, 1.0, 0.0]))
    dz = sigmoid_cross_entropy_backward(cache)
    assert dz.shape == (2, 3) and not dz[:, 2].any()
    assert gradient_check(lambda: sigmoid_cross_entropy_forward(z1, y1, np.array([1.0, 1.0, 0.0]))[0],
                          {"z": z1}, {"z": dz})["z"] <= TOL


@settings(max_examples=15, deadline=None)
@given(n_y=st.integers(1, 4), m=st.integers(1, 3), T=st.integers(1, 3),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
@example(n_y=1, m=1, T=1, dtype=np.float32, seed=0)
def test_losses_property(n_y, m, T, dtype, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_y, m, T)).astype(dtype)
    labels = rng.integers(0, n_y, (m, T))
    mask = rng.integers(0, 2, (m, T))
    loss, cache = softmax_cross_entropy_forward(z, labels, mask)
    dz = softmax_cross_entropy_backward(cache)
    assert loss.dtype == dtype and dz.dtype == dtype and dz.shape == z.shape
    assert loss >= 0
    # each unmasked column of dz sums to 0 (Σ_k ŷ_k − 1); masked columns are 0
    np.testing.assert_allclose(dz.sum(axis=0), 0.0, atol=1e-5)
    np.testing.assert_array_equal(dz[:, mask == 0], 0)
    loss_b, cache_b = sigmoid_cross_entropy_forward(z, rng.integers(0, 2, z.shape), mask)
    assert loss_b.dtype == dtype and loss_b >= 0
    assert sigmoid_cross_entropy_backward(cache_b).dtype == dtype


def test_perplexity(rng):
    n_y = 7
    z = np.zeros((n_y, 3, 4))  # uniform prediction: PP = n_y
    loss, cache = softmax_cross_entropy_forward(z, rng.integers(0, n_y, (3, 4)))
    assert perplexity(loss, cache["n_tokens"]) == pytest.approx(n_y, rel=1e-12)
    mask = np.zeros((3, 4))
    mask[0, :2] = 1
    loss, cache = softmax_cross_entropy_forward(z, rng.integers(0, n_y, (3, 4)), mask)
    assert cache["n_tokens"] == 2 and perplexity(loss, cache["n_tokens"]) == pytest.approx(n_y)
    with pytest.raises(ValueError, match="n_tokens must be positive"):
        perplexity(1.0, 0)
    with pytest.raises(ValueError, match="L contains Inf"):
        perplexity(np.inf, 3)


def test_errors(rng):
    z = rng.standard_normal((3, 2, 4))
    with pytest.raises(ValueError, match=re.escape("integer labels y must lie in 0 … n_y − 1 = 2; got values in 0 … 3")):
        softmax_cross_entropy_forward(z, np.array([[0, 1, 2, 3], [0, 0, 0, 0]]))
    with pytest.raises(ValueError, match=re.escape("integer labels y must be (m, T_y) = (2, 4); got (4, 2)")):
        softmax_cross_entropy_forward(z, np.zeros((4, 2), dtype=int))
    with pytest.raises(ValueError, match=re.escape("y must be (n_y, m, T_y) = (3, 2, 4); got (3, 2, 3)")):
        softmax_cross_entropy_forward(z, np.zeros((3, 2, 3)))
    with pytest.raises(TypeError, match="y is float32 but the other arrays are float64"):
        softmax_cross_entropy_forward(z, np.zeros((3, 2, 4), np.float32))
    with pytest.raises(TypeError, match="y must be a numpy array"):
        softmax_cross_entropy_forward(z, [[0, 1]])
    with pytest.raises(ValueError, match=re.escape("mask must be (m, T_y) = (2, 4); got (4, 2)")):
        softmax_cross_entropy_forward(z, np.zeros((2, 4), int), np.ones((4, 2)))
    with pytest.raises(ValueError, match="mask must hold only 0"):
        softmax_cross_entropy_forward(z, np.zeros((2, 4), int), np.full((2, 4), 0.5))
    with pytest.raises(TypeError, match="mask must be a bool, integer or float array"):
        softmax_cross_entropy_forward(z, np.zeros((2, 4), int), np.full((2, 4), "1"))
    with pytest.raises(ValueError, match="logits z must be \\(n_y, m, T_y\\)"):
        softmax_cross_entropy_forward(z[0, 0], np.zeros(4, int))
    z[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=re.escape("logits z contains NaN (first at index (0, 0, 0))")):
        softmax_cross_entropy_forward(z, np.zeros((2, 4), int))
    with pytest.raises(TypeError, match="logits z must be a float32 or float64 array; got int64"):
        sigmoid_cross_entropy_forward(np.zeros((1, 2, 3), dtype=np.int64), np.zeros((1, 2, 3)))
    zb = rng.standard_normal((2, 2, 3))
    with pytest.raises(ValueError, match="binary targets y must be 0 or 1"):
        sigmoid_cross_entropy_forward(zb, np.full((2, 2, 3), 2))
    with pytest.raises(ValueError, match=re.escape("y must be (n_y, m, T_y) = (2, 2, 3); got (2, 3)")):
        sigmoid_cross_entropy_forward(zb, np.zeros((2, 3), int))
    with pytest.raises(TypeError, match="y must be a numpy array of 0/1 targets"):
        sigmoid_cross_entropy_forward(zb, 1.0)
    with pytest.raises(ValueError, match=re.escape("y^<t> must be (n_y, m) = (2, 2); got (2, 3)")):
        sigmoid_cross_entropy_forward(zb[:, :, 0], np.zeros((2, 3)))
