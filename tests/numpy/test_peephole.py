"""The peephole LSTM (Greff et al.'s W, R, P, b form) of seqlab.numpy."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.numpy import (gradient_check, lstm_forward, numerical_gradient, peephole_lstm_backward,
                          peephole_lstm_cell_backward, peephole_lstm_cell_forward, peephole_lstm_forward, softmax)

TOL = 1e-7
WEIGHT_KEYS = ("dW", "dR", "dP", "db")


def make_parameters(n_x, n_a, rng, n_y=None, dtype=np.float64, scale=0.5):
    """Random W (4n_a, n_x), R (4n_a, n_a), P (3n_a, 1), b (4n_a, 1) (plus W_y, b_y for n_y)."""
    shapes = {"W": (4 * n_a, n_x), "R": (4 * n_a, n_a), "P": (3 * n_a, 1), "b": (4 * n_a, 1)}
    if n_y is not None:
        shapes.update(Wy=(n_y, n_a), by=(n_y, 1))
    return {k: (scale * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


def assert_gradcheck(f, arrays, grads, small=0.0):
    """Relative error of every gradient against central differences ≤ TOL.

    ε = 1e-5 keeps the rounding error of the central difference (~1e-16 |L| / ε) well below
    1e-7 of the gradients.  In the property tests (``small`` > 0) a gradient whose norm is
    below ``small`` — random shapes and seeds make some vanishingly small, and there the
    difference quotient is mostly rounding — is held to an absolute error of 1e-9 instead.
    """
    errors = gradient_check(f, arrays, grads, eps=1e-5)
    bad = {}
    for k, e in errors.items():
        if e <= TOL:
            continue
        if np.linalg.norm(grads[k]) < small:
            if np.max(np.abs(numerical_gradient(f, arrays[k], 1e-5) - grads[k])) <= 1e-9:
                continue
        bad[k] = e
    assert not bad, f"relative errors above {TOL}: {bad}"


def sigma(z):
    return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------- gradients
def test_cell_backward_matches_central_differences():
    rng = np.random.default_rng(1)
    n_x, n_a, m = 3, 4, 2
    p = make_parameters(n_x, n_a, rng)
    xt, a_prev, c_prev = (rng.standard_normal(s) for s in ((n_x, m), (n_a, m), (n_a, m)))
    da, dc = rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    _, _, _, cache = peephole_lstm_cell_forward(xt, a_prev, c_prev, p)
    grads = peephole_lstm_cell_backward(da, dc, cache)
    assert set(grads) == {"dxt", "da_prev", "dc_prev", *WEIGHT_KEYS}

    def loss():
        a, c, _, _ = peephole_lstm_cell_forward(xt, a_prev, c_prev, p)
        return np.sum(da * a) + np.sum(dc * c)

    arrays = {"dxt": xt, "da_prev": a_prev, "dc_prev": c_prev, **{"d" + k: v for k, v in p.items()}}
    assert_gradcheck(loss, arrays, grads)


@pytest.mark.parametrize("with_dc", [True, False])
def test_sequence_backward_matches_central_differences(with_dc):
    rng = np.random.default_rng(2)
    n_x, n_a, m, T_x = 3, 4, 2, 4
    p = make_parameters(n_x, n_a, rng)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    da = rng.standard_normal((n_a, m, T_x))
    dc = rng.standard_normal((n_a, m, T_x)) if with_dc else None
    _, _, _, caches = peephole_lstm_forward(x, a0, p, c0)
    grads = peephole_lstm_backward(da, caches, dc)
    assert set(grads) == {"dx", "da0", "dc0", *WEIGHT_KEYS}

    def loss():
        a, _, c, _ = peephole_lstm_forward(x, a0, p, c0)
        return np.sum(da * a) + (np.sum(dc * c) if with_dc else 0.0)

    assert_gradcheck(loss, {"dx": x, "da0": a0, "dc0": c0, **{"d" + k: v for k, v in p.items()}}, grads)


def test_sequence_equals_a_loop_of_cells():
    """Fast sequence forward/backward == the cell functions stepped by hand over the caches."""
    rng = np.random.default_rng(3)
    n_x, n_a, n_y, m, T_x = 3, 5, 2, 4, 6
    p = make_parameters(n_x, n_a, rng, n_y=n_y)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    a, y, c, caches = peephole_lstm_forward(x, a0, p, c0)
    a_prev, c_prev = a0, c0
    for t in range(T_x):
        a_prev, c_prev, yt, _ = peephole_lstm_cell_forward(x[:, :, t], a_prev, c_prev, p)
        np.testing.assert_allclose(a[:, :, t], a_prev, rtol=0, atol=1e-13)
        np.testing.assert_allclose(c[:, :, t], c_prev, rtol=0, atol=1e-13)
        np.testing.assert_allclose(y[:, :, t], yt, rtol=0, atol=1e-13)

    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    fast = peephole_lstm_backward(da, caches, dc)
    cell_caches, _ = caches
    total = {k: np.zeros_like(fast[k]) for k in WEIGHT_KEYS}
    dx = np.zeros_like(x)
    da_next, dc_next = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = peephole_lstm_cell_backward(da[:, :, t] + da_next, dc[:, :, t] + dc_next, cell_caches[t])
        da_next, dc_next, dx[:, :, t] = step["da_prev"], step["dc_prev"], step["dxt"]
        for k in total:
            total[k] += step[k]
    np.testing.assert_allclose(dx, fast["dx"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(da_next, fast["da0"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(dc_next, fast["dc0"], rtol=0, atol=1e-12)
    for k in total:
        np.testing.assert_allclose(total[k], fast[k], rtol=0, atol=1e-12, err_msg=k)


# --------------------------------------------------------------------------- equations
def test_greff_equations_written_out():
    """z, i, f, o of Greff et al. with the rows of W, R, b in the order [c̃; Γ_u; Γ_f; Γ_o]."""
    rng = np.random.default_rng(4)
    n_x, n_a, n_y, m = 2, 3, 4, 5
    p = make_parameters(n_x, n_a, rng, n_y=n_y)
    x, y_prev, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    W, R, b = ({g: M[k * n_a:(k + 1) * n_a] for k, g in enumerate("zifo")} for M in (p["W"], p["R"], p["b"]))
    p_i, p_f, p_o = p["P"][:n_a], p["P"][n_a:2 * n_a], p["P"][2 * n_a:]
    z = np.tanh(W["z"] @ x + R["z"] @ y_prev + b["z"])
    i = sigma(W["i"] @ x + R["i"] @ y_prev + p_i * c_prev + b["i"])
    f = sigma(W["f"] @ x + R["f"] @ y_prev + p_f * c_prev + b["f"])
    c = z * i + c_prev * f
    o = sigma(W["o"] @ x + R["o"] @ y_prev + p_o * c + b["o"])
    y = o * np.tanh(c)
    a_next, c_next, yt, cache = peephole_lstm_cell_forward(x, y_prev, c_prev, p)
    np.testing.assert_allclose(c_next, c, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(a_next, y, rtol=1e-13, atol=1e-14)
    for got, want in zip(cache[4:8], (z, i, f, o)):                 # c̃, Γ_u, Γ_f, Γ_o
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(yt, softmax(p["Wy"] @ a_next + p["by"]), rtol=1e-13, atol=1e-15)


def test_without_peepholes_it_is_the_lstm():
    """P = 0: the same as lstm_forward with W_c = [R_z, W_z], W_u = [R_i, W_i], W_f = [R_f, W_f], W_o = [R_o, W_o]."""
    rng = np.random.default_rng(5)
    n_x, n_a, m, T_x = 3, 4, 2, 5
    p = make_parameters(n_x, n_a, rng)
    p["P"][:] = 0.0
    rows = {g: slice(k * n_a, (k + 1) * n_a) for k, g in enumerate("cufo")}
    lstm_p = {}
    for g, r in rows.items():
        lstm_p["W" + g] = np.hstack([p["R"][r], p["W"][r]])
        lstm_p["b" + g] = p["b"][r]
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    a, _, c, _ = peephole_lstm_forward(x, a0, p, c0)
    a_l, _, c_l, _ = lstm_forward(x, a0, lstm_p, c0)
    np.testing.assert_allclose(a, a_l, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c, c_l, rtol=0, atol=1e-14)
    p["P"][:] = 0.5                                                  # the peepholes do change it
    assert not np.allclose(peephole_lstm_forward(x, a0, p, c0)[0], a_l, atol=1e-3)


def test_keeps_its_memory_when_the_gates_say_so():
    rng = np.random.default_rng(6)
    n_x, n_a, m, T_x = 2, 3, 4, 6
    p = make_parameters(n_x, n_a, rng)
    p["b"][n_a:2 * n_a] = -60.0                                       # Γ_u = 0
    p["b"][2 * n_a:3 * n_a] = 60.0                                    # Γ_f = 1
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    _, _, c, _ = peephole_lstm_forward(x, a0, p, c0)
    np.testing.assert_allclose(c, np.repeat(c0[:, :, None], T_x, axis=2), rtol=0, atol=1e-20)


def test_c0_defaults_to_zeros():
    rng = np.random.default_rng(7)
    p = make_parameters(2, 3, rng)
    x, a0 = rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 4))
    a, y, c, _ = peephole_lstm_forward(x, a0, p)
    a2, _, c2, _ = peephole_lstm_forward(x, a0, p, np.zeros((3, 4)))
    assert y is None
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(c, c2)


# --------------------------------------------------------------------------- dtypes
def test_float32_stays_float32():
    rng = np.random.default_rng(8)
    n_x, n_a, n_y, m, T_x = 3, 4, 2, 2, 5
    p64 = make_parameters(n_x, n_a, rng, n_y=n_y)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    x, a0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    f32 = [v.astype(np.float32) for v in (x, a0, da, dc)]
    a32, y32, c32, caches32 = peephole_lstm_forward(f32[0], f32[1], p32)
    g32 = peephole_lstm_backward(f32[2], caches32, f32[3])
    a64, _, c64, caches64 = peephole_lstm_forward(x, a0, p64)
    g64 = peephole_lstm_backward(da, caches64, dc)
    assert a32.dtype == y32.dtype == c32.dtype == np.float32
    assert all(v.dtype == np.float32 for v in g32.values())
    np.testing.assert_allclose(a32, a64, atol=1e-5)
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-4, err_msg=k)
    a1, c1, _, cache1 = peephole_lstm_cell_forward(f32[0][:, :, 0], f32[1], f32[1], p32)
    assert a1.dtype == c1.dtype == np.float32
    assert all(v.dtype == np.float32 for v in peephole_lstm_cell_backward(a1, c1, cache1).values())


# --------------------------------------------------------------------------- errors
@pytest.fixture
def setup():
    rng = np.random.default_rng(9)
    return make_parameters(3, 5, rng), rng.standard_normal((3, 10)), np.zeros((5, 10)), np.zeros((5, 10))


def test_transposed_input_is_reported_in_notation(setup):
    p, xt, a_prev, c_prev = setup
    with pytest.raises(ValueError) as err:
        peephole_lstm_cell_forward(xt.T, a_prev, c_prev, p)
    assert str(err.value) == "x^<t> must be (n_x, m) = (3, 10); got (10, 3)"
    with pytest.raises(ValueError) as err:
        peephole_lstm_forward(np.zeros((10, 3, 4)), a_prev, p)
    assert str(err.value) == "x must be (n_x, m, T_x) = (3, 10, 4); got (10, 3, 4)"


def test_bad_parameters_are_named(setup):
    p, xt, a_prev, c_prev = setup
    with pytest.raises(ValueError) as err:
        peephole_lstm_cell_forward(xt, a_prev, c_prev, {**p, "P": np.zeros((20, 1))})
    assert str(err.value) == "P must be (3 n_a, 1) = (15, 1); got (20, 1)"
    with pytest.raises(ValueError) as err:
        peephole_lstm_cell_forward(xt, a_prev, c_prev, {**p, "R": np.zeros((20, 4))})
    assert str(err.value) == "R must be (4 n_a, n_a) = (20, 5); got (20, 4)"
    with pytest.raises(ValueError) as err:
        peephole_lstm_cell_forward(xt, a_prev, c_prev, {k: v for k, v in p.items() if k != "b"})
    assert str(err.value) == "parameters is missing 'b' (b)"
    with pytest.raises(ValueError, match=r"^x must hold at least one time step"):
        peephole_lstm_forward(np.zeros((3, 10, 0)), a_prev, p)


def test_non_finite_and_dtype_errors(setup):
    p, xt, a_prev, c_prev = setup
    bad = c_prev.copy()
    bad[4, 9] = np.nan
    with pytest.raises(ValueError) as err:
        peephole_lstm_cell_forward(xt, a_prev, bad, p)
    assert str(err.value) == "c^<t-1> contains NaN (first at index (4, 9)); non-finite values are not propagated"
    with pytest.raises(TypeError) as err:
        peephole_lstm_forward(np.zeros((3, 10, 2)), a_prev, p, c_prev.astype(np.float32))
    assert str(err.value) == ("c^<0> is float32 but the other arrays are float64; "
                              "use one floating-point dtype for inputs and parameters")


def test_backward_checks_its_inputs(setup):
    p, xt, a_prev, c_prev = setup
    _, _, _, cache = peephole_lstm_cell_forward(xt, a_prev, c_prev, p)
    with pytest.raises(ValueError) as err:
        peephole_lstm_cell_backward(np.zeros((10, 5)), np.zeros((5, 10)), cache)
    assert str(err.value) == "dL/da^<t> must be (n_a, m) = (5, 10); got (10, 5)"
    with pytest.raises(TypeError, match="^cache must be the tuple .* returned by peephole_lstm_cell_forward$"):
        peephole_lstm_cell_backward(np.zeros((5, 10)), np.zeros((5, 10)), cache[:3])
    _, _, _, caches = peephole_lstm_forward(np.zeros((3, 10, 2)), a_prev, p)
    with pytest.raises(ValueError) as err:
        peephole_lstm_backward(np.zeros((5, 10, 2)), caches, np.zeros((5, 10, 1)))
    assert str(err.value) == "dL/dc must be (n_a, m, T_x) = (5, 10, 2); got (5, 10, 1)"
    with pytest.raises(TypeError, match="^caches must be the pair"):
        peephole_lstm_backward(np.zeros((5, 10, 2)), [caches])


# --------------------------------------------------------------------------- properties
@settings(max_examples=10, deadline=None)
@given(n_x=st.integers(1, 3), n_a=st.integers(1, 3), m=st.integers(1, 3), T_x=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_property_shapes_and_gradients(n_x, n_a, m, T_x, seed):
    rng = np.random.default_rng(seed)
    p = make_parameters(n_x, n_a, rng)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    a, y, c, caches = peephole_lstm_forward(x, a0, p, c0)
    assert a.shape == c.shape == (n_a, m, T_x) and y is None
    assert np.all(np.abs(a) < 1)
    grads = peephole_lstm_backward(da, caches, dc)
    for k in ("W", "R", "P", "b"):
        assert grads["d" + k].shape == p[k].shape

    def loss():
        a, _, c, _ = peephole_lstm_forward(x, a0, p, c0)
        return np.sum(da * a) + np.sum(dc * c)

    assert_gradcheck(loss, {"dx": x, "da0": a0, "dc0": c0, **{"d" + k: v for k, v in p.items()}}, grads, small=1e-3)
