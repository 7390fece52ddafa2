"""seqlab.esn: reservoir, spectral-radius scaling, ridge readout, closed-loop generation, NRMSE."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.esn import (Readout, fit_readout, generate, init_reservoir, nrmse, readout_predict,
                        reservoir_states, scale_to_spectral_radius, spectral_radius)
from seqlab.numpy import rnn_forward


def test_spectral_radius_of_known_matrices():
    assert spectral_radius(np.diag([0.5, -2.0, 1.0])) == pytest.approx(2.0)
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])  # eigenvalues ±i
    assert spectral_radius(3 * rotation) == pytest.approx(3.0)
    nilpotent = np.array([[0.0, 5.0], [0.0, 0.0]])
    assert spectral_radius(nilpotent) == 0.0
    with pytest.raises(ValueError, match="W_aa"):
        spectral_radius(np.ones((2, 3)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scale_to_spectral_radius(dtype):
    W = np.random.default_rng(0).standard_normal((20, 20)).astype(dtype)
    scaled = scale_to_spectral_radius(W, 0.7)
    assert scaled.dtype == dtype
    assert spectral_radius(scaled) == pytest.approx(0.7, rel=1e-5)
    assert np.allclose(scaled / W, scaled[0, 0] / W[0, 0])  # same direction, one factor
    with pytest.raises(ValueError, match="spectral radius 0"):
        scale_to_spectral_radius(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="rho"):
        scale_to_spectral_radius(W, -1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_reservoir(dtype):
    res = init_reservoir(2, 50, 0.9, input_scaling=0.5, bias_scaling=0.2, density=0.3, seed=1, dtype=dtype)
    assert res["Wax"].shape == (50, 2) and res["Waa"].shape == (50, 50) and res["ba"].shape == (50, 1)
    assert all(v.dtype == dtype for v in res.values())
    assert spectral_radius(res["Waa"]) == pytest.approx(0.9, rel=1e-5)
    assert 0.15 < np.mean(res["Waa"] != 0) < 0.45
    assert np.abs(res["Wax"]).max() <= 0.5 and np.abs(res["ba"]).max() <= 0.2
    again = init_reservoir(2, 50, 0.9, input_scaling=0.5, bias_scaling=0.2, density=0.3, seed=1, dtype=dtype)
    assert all(np.array_equal(res[k], again[k]) for k in res)
    assert not np.any(init_reservoir(1, 5, seed=0)["ba"])  # bias_scaling 0 by default


@pytest.mark.parametrize("kwargs, error", [
    ({"n_a": 0}, ValueError), ({"spectral_radius": -0.1}, ValueError), ({"density": 0.0}, ValueError),
    ({"density": 1.5}, ValueError), ({"input_scaling": float("inf")}, ValueError),
    ({"dtype": np.int32}, TypeError), ({"seed": "x"}, TypeError),
])
def test_init_reservoir_rejects(kwargs, error):
    args = {"n_x": 1, "n_a": 5, **kwargs}
    with pytest.raises(error):
        init_reservoir(**args)


def test_states_are_the_rnn_forward_pass():
    res = init_reservoir(3, 8, 0.8, seed=2)
    x = np.random.default_rng(0).standard_normal((3, 2, 6))
    a = reservoir_states(x, res)
    expected, _, _ = rnn_forward(x, np.zeros((8, 2)), res)
    assert np.array_equal(a, expected)
    a0 = np.full((8, 2), 0.1)
    assert np.allclose(reservoir_states(x, res, a0), rnn_forward(x, a0, res)[0])
    with_output = dict(res, Wya=np.zeros((1, 8)), by=np.zeros((1, 1)))  # an output layer is ignored
    assert np.array_equal(reservoir_states(x, with_output), a)
    with pytest.raises(ValueError, match="x"):
        reservoir_states(x[:2], res)
    with pytest.raises(ValueError, match="Waa"):
        reservoir_states(x, {"Wax": res["Wax"], "ba": res["ba"]})
    with pytest.raises(TypeError):
        reservoir_states(x, [res])


def test_echo_state_property_forgets_the_initial_state():
    res = init_reservoir(1, 30, 0.5, seed=3)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 1, 60))
    a1 = reservoir_states(x, res, np.full((30, 1), 0.9))
    a2 = reservoir_states(x, res, np.full((30, 1), -0.9))
    assert np.abs(a1[..., 0] - a2[..., 0]).max() > 0.1
    assert np.abs(a1[..., -1] - a2[..., -1]).max() < 1e-8


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_readout_recovers_a_linear_map(dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 3, 40)).astype(dtype)
    W, b = rng.standard_normal((2, 6)), rng.standard_normal((2, 1))
    y = (W @ a.reshape(6, -1) + b).reshape(2, 3, 40).astype(dtype)
    readout = fit_readout(a, y, ridge=0.0)
    assert readout.Wya.dtype == dtype and readout.by.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-9
    assert np.allclose(readout.Wya, W, atol=tol) and np.allclose(readout.by, b, atol=tol)
    assert np.allclose(readout_predict(a, readout), y, atol=10 * tol)


def test_ridge_formula_washout_and_shrinkage():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 1, 30))
    y = rng.standard_normal((1, 1, 30))
    lam, washout = 2.0, 5
    readout = fit_readout(a, y, ridge=lam, washout=washout)
    A = np.vstack([a[:, 0, washout:], np.ones((1, 25))])
    penalty = lam * np.eye(5)
    penalty[-1, -1] = 0
    expected = y[:, 0, washout:] @ A.T @ np.linalg.inv(A @ A.T + penalty)
    assert np.allclose(np.hstack([readout.Wya, readout.by]), expected)
    small = np.linalg.norm(fit_readout(a, y, ridge=100.0).Wya)
    assert small < np.linalg.norm(fit_readout(a, y, ridge=0.0).Wya)


@pytest.mark.parametrize("kwargs", [{"ridge": -1.0}, {"washout": 30}, {"washout": -1}, {"washout": 1.5}])
def test_fit_readout_rejects(kwargs):
    a, y = np.zeros((2, 1, 30)), np.zeros((1, 1, 30))
    with pytest.raises(ValueError):
        fit_readout(a, y, **kwargs)


def test_fit_readout_checks_shapes_and_dtypes():
    with pytest.raises(ValueError, match="y"):
        fit_readout(np.zeros((2, 1, 30)), np.zeros((1, 1, 29)))
    with pytest.raises(TypeError):
        fit_readout(np.zeros((2, 1, 30)), np.zeros((1, 1, 30), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        fit_readout(np.full((2, 1, 30), np.nan), np.zeros((1, 1, 30)))


def test_readout_predict_checks():
    readout = Readout(Wya=np.ones((1, 3)), by=np.zeros((1, 1)))
    with pytest.raises(ValueError, match="W_ya"):
        readout_predict(np.zeros((4, 1, 5)), readout)
    with pytest.raises(TypeError, match="Readout"):
        readout_predict(np.zeros((3, 1, 5)), {"Wya": np.ones((1, 3)), "by": np.zeros((1, 1))})


def test_generate_is_the_closed_loop():
    res = init_reservoir(1, 10, 0.9, seed=4)
    readout = Readout(Wya=np.random.default_rng(0).standard_normal((1, 10)) * 0.1, by=np.full((1, 1), 0.05))
    a, y = np.zeros((10, 1)), np.full((1, 1), 0.3)
    out = generate(res, readout, a, y, 5)
    assert out.shape == (1, 1, 5)
    for t in range(5):  # step by step with the RNN cell equations
        a = np.tanh(res["Waa"] @ a + res["Wax"] @ y + res["ba"])
        y = readout.Wya @ a + readout.by
        assert np.allclose(out[:, :, t], y)


def test_generate_checks():
    res = init_reservoir(2, 4, seed=0)
    readout = Readout(Wya=np.zeros((1, 4)), by=np.zeros((1, 1)))
    with pytest.raises(ValueError, match="n_y = n_x"):
        generate(res, readout, np.zeros((4, 1)), np.zeros((2, 1)), 3)
    good = Readout(Wya=np.zeros((2, 4)), by=np.zeros((2, 1)))
    with pytest.raises(ValueError, match="n_steps"):
        generate(res, good, np.zeros((4, 1)), np.zeros((2, 1)), 0)
    with pytest.raises(ValueError, match="a\\^<t-1>"):
        generate(res, good, np.zeros((5, 1)), np.zeros((2, 1)), 3)


def test_esn_predicts_a_sine_wave_in_closed_loop():
    t = np.arange(600)
    u = np.sin(2 * np.pi * t / 25)[None, None, :]
    res = init_reservoir(1, 60, 0.9, input_scaling=0.5, seed=0)
    a = reservoir_states(u[:, :, :-1], res)
    readout = fit_readout(a[:, :, :400], u[:, :, 1:401], ridge=1e-8, washout=50)
    assert nrmse(readout_predict(a, readout)[0, 0, 400:], u[0, 0, 401:]) < 1e-3
    gen = generate(res, readout, a[:, :, 399], u[:, :, 400], 100)
    assert nrmse(gen[0, 0], u[0, 0, 401:501]) < 0.05


def test_nrmse():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    assert nrmse(y, y) == 0.0
    assert nrmse(np.full(4, y.mean()), y) == pytest.approx(1.0)
    assert nrmse(y + 0.5, y) == pytest.approx(0.5 / np.std(y))
    assert nrmse(y.astype(np.float32), y) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        nrmse(y[:3], y)
    with pytest.raises(ValueError, match="constant"):
        nrmse(y, np.ones(4))
    with pytest.raises(ValueError, match="two values"):
        nrmse(y[:1], y[:1])
    with pytest.raises(ValueError, match="non-finite"):
        nrmse(np.array([np.nan, 0, 0, 0]), y)
    with pytest.raises(TypeError):
        nrmse([0, 1], y[:2])
