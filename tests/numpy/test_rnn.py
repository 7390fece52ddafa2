"""The RNN cell and BPTT of seqlab.numpy.rnn: equations, gradients, dtypes, input checks."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from seqlab.numpy import (gradient_check, rnn_backward, rnn_cell_backward, rnn_cell_forward,
                          rnn_forward, softmax)

TOL = 1e-7
ACTS = ["tanh", "relu"]
G = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}


def shapes(n_x, n_a, n_y=None):
    s = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}
    if n_y:
        s.update({"Wya": (n_y, n_a), "by": (n_y, 1)})
    return s


def setup(random_parameters, rng, n_x=3, n_a=4, m=2, T_x=3, n_y=None, dtype=np.float64):
    p = random_parameters(shapes(n_x, n_a, n_y), rng, dtype)
    x = rng.standard_normal((n_x, m, T_x)).astype(dtype)
    a0 = rng.standard_normal((n_a, m)).astype(dtype)
    return p, x, a0


# ----------------------------------------------------------------- forward equations
@pytest.mark.parametrize("act", ACTS)
def test_cell_forward_is_the_equation(act, rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_y=5)
    xt = x[:, :, 0]
    a_next, yt, cache = rnn_cell_forward(xt, a0, p, activation=act)
    z = p["Waa"] @ a0 + p["Wax"] @ xt + p["ba"]
    np.testing.assert_allclose(a_next, G[act](z), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(yt, softmax(p["Wya"] @ a_next + p["by"]), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(yt.sum(axis=0), 1.0, rtol=1e-14)
    assert cache[0] is a_next and cache[1] is a0 and cache[2] is xt and cache[4] == act


def test_no_output_parameters_gives_none(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng)
    _, yt, _ = rnn_cell_forward(x[:, :, 0], a0, p)
    _, y, _ = rnn_forward(x, a0, p)
    assert yt is None and y is None


@pytest.mark.parametrize("act", ACTS)
def test_sequence_forward_equals_cell_loop(act, rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_y=2, T_x=5)
    a, y, (cell_caches, x_cached) = rnn_forward(x, a0, p, activation=act)
    assert x_cached is x and len(cell_caches) == 5
    assert a.shape == (4, 2, 5) and y.shape == (2, 2, 5)
    a_prev = a0
    for t in range(5):
        a_prev, yt, _ = rnn_cell_forward(x[:, :, t], a_prev, p, activation=act)
        np.testing.assert_allclose(a[:, :, t], a_prev, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(y[:, :, t], yt, rtol=1e-12, atol=1e-13)


# ----------------------------------------------------------------- gradients
@pytest.mark.parametrize("act", ACTS)
def test_cell_backward_gradcheck(act, rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_x=3, n_a=4, m=3)
    xt = x[:, :, 0].copy()
    da = rng.standard_normal((4, 3))
    a_next, _, cache = rnn_cell_forward(xt, a0, p, activation=act)
    grads = rnn_cell_backward(da, cache)
    assert set(grads) == {"dxt", "da_prev", "dWax", "dWaa", "dba"}

    def loss():
        return np.sum(da * rnn_cell_forward(xt, a0, p, activation=act)[0])

    errors = gradient_check(loss, {"dxt": xt, "da_prev": a0, "dWax": p["Wax"], "dWaa": p["Waa"], "dba": p["ba"]},
                            grads)
    assert max(errors.values()) <= TOL, errors


@pytest.mark.parametrize("act", ACTS)
def test_sequence_backward_gradcheck(act, rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_x=3, n_a=4, m=2, T_x=4, n_y=2)
    da = rng.standard_normal((4, 2, 4))
    _, _, caches = rnn_forward(x, a0, p, activation=act)
    grads = rnn_backward(da, caches)
    assert set(grads) == {"dx", "da0", "dWax", "dWaa", "dba"}

    def loss():
        return np.sum(da * rnn_forward(x, a0, p, activation=act)[0])

    errors = gradient_check(loss, {"dx": x, "da0": a0, "dWax": p["Wax"], "dWaa": p["Waa"], "dba": p["ba"]}, grads)
    assert max(errors.values()) <= TOL, errors


@pytest.mark.parametrize("act", ACTS)
def test_sequence_backward_equals_cell_backward_loop(act, rng, random_parameters):
    """BPTT written with the cell backward (what students write) equals the fused version."""
    p, x, a0 = setup(random_parameters, rng, T_x=6)
    da = rng.standard_normal((4, 2, 6))
    _, _, caches = rnn_forward(x, a0, p, activation=act)
    fused = rnn_backward(da, caches)
    total = {k: np.zeros_like(p[k[1:]]) for k in ("dWax", "dWaa", "dba")}
    da_prev = np.zeros((4, 2))
    for t in reversed(range(6)):
        g = rnn_cell_backward(da[:, :, t] + da_prev, caches[0][t])
        np.testing.assert_allclose(fused["dx"][:, :, t], g["dxt"], rtol=1e-12, atol=1e-13)
        da_prev = g["da_prev"]
        for k in total:
            total[k] += g[k]
    np.testing.assert_allclose(fused["da0"], da_prev, rtol=1e-12, atol=1e-13)
    for k in total:
        np.testing.assert_allclose(fused[k], total[k], rtol=1e-12, atol=1e-13)


def test_relu_passes_no_gradient_where_inactive(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_a=6, m=4)
    a_next, _, cache = rnn_cell_forward(x[:, :, 0], a0, p, activation="relu")
    dz_zero = a_next == 0
    assert dz_zero.any() and (~dz_zero).any()
    da = np.ones_like(a_next)
    g = rnn_cell_backward(da, cache)
    # with da = 1: dz = 1[a > 0], so db_a counts the active units of each row
    np.testing.assert_array_equal(g["dba"][:, 0], (~dz_zero).sum(axis=1))


# ----------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", ACTS)
def test_dtype_is_kept(dtype, act, rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_y=3, dtype=dtype)
    a_next, yt, cache = rnn_cell_forward(x[:, :, 0], a0, p, activation=act)
    assert a_next.dtype == dtype and yt.dtype == dtype
    assert all(v.dtype == dtype for v in rnn_cell_backward(np.ones_like(a_next), cache).values())
    a, y, caches = rnn_forward(x, a0, p, activation=act)
    assert a.dtype == dtype and y.dtype == dtype
    assert all(v.dtype == dtype for v in rnn_backward(np.ones_like(a), caches).values())


def test_float32_close_to_float64(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, T_x=5)
    a64, _, c64 = rnn_forward(x, a0, p)
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    a32, _, c32 = rnn_forward(x.astype(np.float32), a0.astype(np.float32), p32)
    np.testing.assert_allclose(a32, a64, rtol=1e-5, atol=1e-5)
    g64 = rnn_backward(np.ones_like(a64), c64)
    g32 = rnn_backward(np.ones_like(a32), c32)
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------- properties over shapes
dims = st.integers(min_value=1, max_value=4)


@settings(max_examples=15, deadline=None)
@given(n_x=dims, n_a=dims, m=dims, T_x=dims, n_y=st.one_of(st.none(), dims), act=st.sampled_from(ACTS),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
@example(n_x=1, n_a=1, m=1, T_x=1, n_y=1, act="tanh", dtype=np.float32, seed=0)
@example(n_x=1, n_a=3, m=1, T_x=1, n_y=None, act="relu", dtype=np.float64, seed=1)
def test_shapes_and_dtypes_property(n_x, n_a, m, T_x, n_y, act, dtype, seed, random_parameters):
    rng = np.random.default_rng(seed)
    p, x, a0 = setup(random_parameters, rng, n_x, n_a, m, T_x, n_y, dtype)
    a, y, caches = rnn_forward(x, a0, p, activation=act)
    assert a.shape == (n_a, m, T_x) and a.dtype == dtype
    assert (y is None) == (n_y is None)
    if n_y:
        assert y.shape == (n_y, m, T_x) and y.dtype == dtype
        np.testing.assert_allclose(y.sum(axis=0), 1.0, rtol=1e-5)
    g = rnn_backward(rng.standard_normal(a.shape).astype(dtype), caches)
    expected = {"dx": x.shape, "da0": a0.shape, "dWax": (n_a, n_x), "dWaa": (n_a, n_a), "dba": (n_a, 1)}
    assert {k: v.shape for k, v in g.items()} == expected
    assert all(v.dtype == dtype for v in g.values())


@settings(max_examples=10, deadline=None)
@given(n_x=dims, n_a=dims, m=dims, T_x=dims, act=st.sampled_from(ACTS), seed=st.integers(0, 2**16))
@example(n_x=1, n_a=2, m=1, T_x=1, act="tanh", seed=0)
@example(n_x=1, n_a=1, m=1, T_x=3, act="tanh", seed=1)
def test_backward_gradcheck_property(n_x, n_a, m, T_x, act, seed, random_parameters):
    rng = np.random.default_rng(seed)
    p, x, a0 = setup(random_parameters, rng, n_x, n_a, m, T_x)
    da = rng.standard_normal((n_a, m, T_x))
    _, _, caches = rnn_forward(x, a0, p, activation=act)
    grads = rnn_backward(da, caches)
    z_min = _min_abs_preactivation(x, a0, p)
    if act == "relu" and z_min < 1e-4:  # finite differences are meaningless at the kink
        return

    def loss():
        return np.sum(da * rnn_forward(x, a0, p, activation=act)[0])

    errors = gradient_check(loss, {"dx": x, "da0": a0, "dWax": p["Wax"], "dWaa": p["Waa"], "dba": p["ba"]}, grads)
    for k, e in errors.items():
        # an all-zero gradient (every ReLU unit off) is compared exactly: relative error 0
        assert e <= TOL, (k, e)


def _min_abs_preactivation(x, a0, p):
    a_prev, smallest = a0, np.inf
    for t in range(x.shape[2]):
        z = p["Waa"] @ a_prev + p["Wax"] @ x[:, :, t] + p["ba"]
        smallest = min(smallest, float(np.abs(z).min()))
        a_prev = np.maximum(z, 0)
    return smallest


# ----------------------------------------------------------------- input checks
def test_xt_shape_error_is_exact(rng, random_parameters):
    p = random_parameters(shapes(3, 5), rng)
    a_prev = rng.standard_normal((5, 10))
    xt = rng.standard_normal((10, 3))
    with pytest.raises(ValueError) as info:
        rnn_cell_forward(xt, a_prev, p)
    assert str(info.value) == "x^<t> must be (n_x, m) = (3, 10); got (10, 3)"


def test_sequence_shape_errors(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng)
    with pytest.raises(ValueError, match=re.escape("x must be (n_x, m, T_x) = (3, 2, ?); got (3, 2) (2-D instead of 3-D)")):
        rnn_forward(x[:, :, 0], a0, p)
    with pytest.raises(ValueError, match=re.escape("x must be (n_x, m, T_x) = (3, 2, 3); got (3, 5, 3)")):
        rnn_forward(rng.standard_normal((3, 5, 3)), a0, p)
    with pytest.raises(ValueError, match=re.escape("a^<0> must be (n_a, m)")):
        rnn_forward(x, a0[:, :, None], p)
    with pytest.raises(ValueError, match=re.escape("W_aa must be (n_a, n_a) = (4, 4); got (4, 3)")):
        rnn_forward(x, a0, {**p, "Waa": p["Waa"][:, :3]})
    with pytest.raises(ValueError, match=re.escape("T_x ≥ 1")):
        rnn_forward(x[:, :, :0], a0, p)


def test_parameter_errors(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng, n_y=2)
    missing = {k: v for k, v in p.items() if k != "ba"}
    with pytest.raises(ValueError, match=re.escape("parameters is missing 'ba' (b_a)")):
        rnn_cell_forward(x[:, :, 0], a0, missing)
    half_output = {k: v for k, v in p.items() if k != "by"}
    with pytest.raises(ValueError, match=re.escape("parameters is missing 'by' (b_y)")):
        rnn_forward(x, a0, half_output)
    with pytest.raises(ValueError, match=re.escape("W_ya must be (n_y, n_a) = (2, 4); got (2, 3)")):
        rnn_forward(x, a0, {**p, "Wya": p["Wya"][:, :3]})
    with pytest.raises(TypeError, match="parameters must be a dict"):
        rnn_forward(x, a0, [p["Wax"], p["Waa"], p["ba"]])


def test_dtype_and_type_errors(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng)
    with pytest.raises(TypeError, match=re.escape("x^<t> must be a float32 or float64 array; got int64")):
        rnn_cell_forward(np.ones((3, 2), dtype=np.int64), a0, p)
    with pytest.raises(TypeError, match=re.escape("x is float32 but the other arrays are float64")):
        rnn_forward(x.astype(np.float32), a0, p)
    with pytest.raises(TypeError, match=re.escape("W_ax is float32 but the other arrays are float64")):
        rnn_forward(x, a0, {**p, "Wax": p["Wax"].astype(np.float32)})
    with pytest.raises(TypeError, match="a\\^<t-1> must be a numpy array"):
        rnn_cell_forward(x[:, :, 0], a0.tolist(), p)


def test_non_finite_errors(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng)
    x[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match=re.escape("x contains NaN (first at index (1, 0, 2))")):
        rnn_forward(x, a0, p)
    a0[0, 1] = np.inf
    with pytest.raises(ValueError, match=re.escape("a^<t-1> contains Inf (first at index (0, 1))")):
        rnn_cell_forward(x[:, :, 0], a0, p)
    p["Waa"][2, 2] = -np.inf
    with pytest.raises(ValueError, match=re.escape("W_aa contains Inf")):
        rnn_forward(x, np.zeros_like(a0), p)


def test_activation_error_lists_choices(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng)
    msg = "activation must be one of 'tanh', 'relu'; got 'sigmoid'"
    with pytest.raises(ValueError, match=re.escape(msg)):
        rnn_cell_forward(x[:, :, 0], a0, p, activation="sigmoid")
    with pytest.raises(ValueError, match=re.escape(msg)):
        rnn_forward(x, a0, p, activation="sigmoid")


def test_backward_input_errors(rng, random_parameters):
    p, x, a0 = setup(random_parameters, rng)
    a_next, _, cache = rnn_cell_forward(x[:, :, 0], a0, p)
    with pytest.raises(ValueError, match=re.escape("dL/da^<t> must be (n_a, m) = (4, 2); got (2, 4)")):
        rnn_cell_backward(np.ones((2, 4)), cache)
    with pytest.raises(TypeError, match=re.escape("dL/da^<t> is float32 but the other arrays are float64")):
        rnn_cell_backward(np.ones((4, 2), np.float32), cache)
    with pytest.raises(TypeError, match="cache must be the tuple"):
        rnn_cell_backward(np.ones((4, 2)), cache[:4])
    a, _, caches = rnn_forward(x, a0, p)
    with pytest.raises(ValueError, match=re.escape("dL/da must be (n_a, m, T_x) = (4, 2, 3); got (4, 2, 2)")):
        rnn_backward(np.ones((4, 2, 2)), caches)
    with pytest.raises(ValueError, match="dL/da contains NaN"):
        rnn_backward(np.full_like(a, np.nan), caches)
    with pytest.raises(TypeError, match="caches must be the pair"):
        rnn_backward(np.ones_like(a), caches[0])
    with pytest.raises(TypeError, match="caches must be the pair"):
        rnn_backward(np.ones_like(a), ([], x))
