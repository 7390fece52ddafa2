"""The numerical gradient checker itself: exact on quadratics, catches wrong gradients."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.numpy import gradient_check, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic_is_exact(rng):
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal((4, 1))
    x0 = x.copy()
    g = numerical_gradient(lambda: (x.T @ A @ x).item(), x)
    np.testing.assert_allclose(g, (A + A.T) @ x, rtol=1e-8)
    np.testing.assert_array_equal(x, x0)  # perturbations are undone


def test_numerical_gradient_of_a_cubic(rng):
    x = rng.standard_normal((2, 3))
    g = numerical_gradient(lambda: np.sum(np.sin(x) * x ** 2), x)
    np.testing.assert_allclose(g, np.cos(x) * x ** 2 + 2 * x * np.sin(x), rtol=1e-8, atol=1e-10)


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.ones(3), np.ones(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(1.0)
    assert relative_error(np.array([1.0]), np.array([1.001])) == pytest.approx(0.001 / 2.001)


def test_gradient_check_accepts_right_and_rejects_wrong(rng):
    W = rng.standard_normal((3, 2))
    x = rng.standard_normal((2, 4))

    def loss():
        return np.sum(np.tanh(W @ x))

    dz = 1 - np.tanh(W @ x) ** 2
    right = {"W": dz @ x.T, "x": W.T @ dz}
    errors = gradient_check(loss, {"W": W, "x": x}, right)
    assert set(errors) == {"W", "x"} and max(errors.values()) < 1e-8
    wrong = {"W": right["W"] * 1.01, "x": right["x"]}  # a 1 % mistake is caught
    assert gradient_check(loss, {"W": W, "x": x}, wrong)["W"] > 1e-3
    transposed_bug = {"W": (x @ dz.T).T[:, ::-1].copy(), "x": right["x"]}
    assert gradient_check(loss, {"W": W}, transposed_bug)["W"] > 1e-2


def test_gradient_check_errors(rng):
    W = rng.standard_normal((2, 2))
    with pytest.raises(KeyError, match="no analytic gradient given for 'W'"):
        gradient_check(lambda: np.sum(W), {"W": W}, {})
    with pytest.raises(ValueError, match=r"gradient of 'W' has shape \(2,\); the array has shape \(2, 2\)"):
        gradient_check(lambda: np.sum(W), {"W": W}, {"W": np.ones(2)})
