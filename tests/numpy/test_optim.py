"""SGD and Adam updating a parameter dict from a gradient dict keyed "d" + key."""
from __future__ import annotations

import re

import numpy as np
import pytest

from seqlab.numpy import SGD, Adam


def params(rng, dtype=np.float64):
    return {"Wax": rng.standard_normal((3, 2)).astype(dtype), "ba": rng.standard_normal((3, 1)).astype(dtype)}


def grads_of(p, rng):
    return {"d" + k: rng.standard_normal(v.shape).astype(v.dtype) for k, v in p.items()}


def test_sgd_step_is_exact(rng):
    p = params(rng)
    g = grads_of(p, rng)
    g["dx"] = np.ones(5)  # gradients of inputs are ignored
    expected = {k: p[k] - 0.1 * g["d" + k] for k in p}
    arrays = {k: v for k, v in p.items()}
    out = SGD(learning_rate=0.1).step(p, g)
    assert out is p
    for k in p:
        np.testing.assert_array_equal(p[k], expected[k])
        assert p[k] is arrays[k]  # updated in place


def test_sgd_momentum(rng):
    p = params(rng)
    theta0 = {k: v.copy() for k, v in p.items()}
    opt = SGD(learning_rate=0.5, momentum=0.9)
    g1, g2 = grads_of(p, rng), grads_of(p, rng)
    opt.step(p, g1)
    opt.step(p, g2)
    for k in p:
        v2 = 0.9 * g1["d" + k] + g2["d" + k]
        np.testing.assert_allclose(p[k], theta0[k] - 0.5 * g1["d" + k] - 0.5 * v2, rtol=1e-14, atol=1e-15)


def test_adam_first_step_is_bias_corrected(rng):
    """At t = 1, v̂ = dθ and ŝ = dθ², so every entry moves by α·dθ / (|dθ| + ε) ≈ α — whatever β₁, β₂."""
    p = params(rng)
    theta0 = {k: v.copy() for k, v in p.items()}
    g = grads_of(p, rng)
    Adam(learning_rate=0.01, beta1=0.9, beta2=0.999).step(p, g)
    for k in p:
        d = g["d" + k]
        np.testing.assert_allclose(p[k], theta0[k] - 0.01 * d / (np.abs(d) + 1e-8), rtol=1e-13)
        np.testing.assert_allclose(np.abs(p[k] - theta0[k]), 0.01, rtol=1e-6)


def test_adam_second_step_matches_formula(rng):
    p = params(rng)
    theta = {k: v.copy() for k, v in p.items()}
    opt = Adam(learning_rate=0.02, beta1=0.8, beta2=0.99, epsilon=1e-6)
    v = {k: 0.0 for k in p}
    s = {k: 0.0 for k in p}
    for t in (1, 2):
        g = grads_of(p, rng)
        opt.step(p, g)
        for k in p:
            v[k] = 0.8 * v[k] + 0.2 * g["d" + k]
            s[k] = 0.99 * s[k] + 0.01 * g["d" + k] ** 2
            theta[k] = theta[k] - 0.02 * (v[k] / (1 - 0.8 ** t)) / (np.sqrt(s[k] / (1 - 0.99 ** t)) + 1e-6)
            np.testing.assert_allclose(p[k], theta[k], rtol=1e-13)
    assert opt.t == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_reaches_minimum_of_quadratic(dtype, rng):
    """J(θ) = ½ Σ c_i (θ_i − θ*_i)² with very different curvatures c_i; Adam finds θ*."""
    target = {"Wax": rng.standard_normal((3, 2)).astype(dtype), "ba": rng.standard_normal((3, 1)).astype(dtype)}
    curv = {k: (10.0 ** rng.uniform(-2, 2, v.shape)).astype(dtype) for k, v in target.items()}
    p = {k: np.zeros_like(v) for k, v in target.items()}
    opt = Adam(learning_rate=0.05)
    for _ in range(1500):
        opt.step(p, {"d" + k: curv[k] * (p[k] - target[k]) for k in p})
    for k in p:
        assert p[k].dtype == dtype
        np.testing.assert_allclose(p[k], target[k], atol=2e-3)


def test_sgd_reaches_minimum_of_quadratic(rng):
    target = rng.standard_normal((4, 1))
    p = {"by": np.zeros((4, 1))}
    opt = SGD(learning_rate=0.3)
    for _ in range(100):
        opt.step(p, {"dby": p["by"] - target})
    np.testing.assert_allclose(p["by"], target, atol=1e-12)


def test_errors(rng):
    p = params(rng)
    g = grads_of(p, rng)
    with pytest.raises(ValueError, match=re.escape("gradients is missing 'dba' for parameter 'ba' (b_a)")):
        SGD().step(p, {"dWax": g["dWax"]})
    with pytest.raises(ValueError, match=re.escape("gradient 'dWax' has shape (2, 3); 'Wax' (W_ax) has shape (3, 2)")):
        Adam().step(p, {**g, "dWax": g["dWax"].T})
    with pytest.raises(TypeError, match="gradient 'dba' must be a float64 array like 'ba'; got float32"):
        SGD().step(p, {**g, "dba": g["dba"].astype(np.float32)})
    with pytest.raises(TypeError, match="parameter 'ba' must be a float32 or float64 array"):
        SGD().step({"ba": np.ones((2, 1), int)}, {"dba": np.ones((2, 1), int)})
    with pytest.raises(TypeError, match="must be dicts"):
        SGD().step([p], g)
    bad = {**g, "dba": np.full_like(g["dba"], np.nan)}
    before = p["Wax"].copy()
    with pytest.raises(ValueError, match="dba contains NaN"):
        Adam().step(p, bad)
    np.testing.assert_array_equal(p["Wax"], before)  # nothing updated when a gradient is bad
    with pytest.raises(ValueError, match=re.escape("learning_rate α must lie in (0.0, inf); got 0")):
        SGD(learning_rate=0)
    with pytest.raises(ValueError, match=re.escape("momentum μ must lie in [0.0, 1.0); got 1.0")):
        SGD(momentum=1.0)
    with pytest.raises(ValueError, match="beta2 β₂ must lie in"):
        Adam(beta2=1.5)
    with pytest.raises(ValueError, match="epsilon ε must lie in"):
        Adam(epsilon=-1e-8)
