"""The LSTM of seqlab.numpy: cell and sequence, forward and backward."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.numpy import (LSTM_PARAMETER_SHAPES, gradient_check, lstm_backward, lstm_cell_backward,
                          lstm_cell_forward, lstm_forward, numerical_gradient, softmax)

TOL = 1e-7
WEIGHT_KEYS = ("dWf", "dbf", "dWu", "dbu", "dWc", "dbc", "dWo", "dbo")


def make_parameters(n_x, n_a, rng, n_y=None, dtype=np.float64, scale=0.5):
    """Random W_f, W_u, W_c, W_o (n_a, n_a + n_x) and biases (n_a, 1) (plus W_y, b_y for n_y)."""
    shapes = {k: (n_a, n_a + n_x) if k.startswith("W") else (n_a, 1) for k in LSTM_PARAMETER_SHAPES}
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
    _, _, _, cache = lstm_cell_forward(xt, a_prev, c_prev, p)
    grads = lstm_cell_backward(da, dc, cache)
    assert set(grads) == {"dxt", "da_prev", "dc_prev", *WEIGHT_KEYS}

    def loss():
        a, c, _, _ = lstm_cell_forward(xt, a_prev, c_prev, p)
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
    _, _, _, caches = lstm_forward(x, a0, p, c0)
    grads = lstm_backward(da, caches, dc)
    assert set(grads) == {"dx", "da0", "dc0", *WEIGHT_KEYS}

    def loss():
        a, _, c, _ = lstm_forward(x, a0, p, c0)
        return np.sum(da * a) + (np.sum(dc * c) if with_dc else 0.0)

    assert_gradcheck(loss, {"dx": x, "da0": a0, "dc0": c0, **{"d" + k: v for k, v in p.items()}}, grads)


def test_gradient_on_the_final_memory_cell_only():
    """dc non-zero only at t = T_x: the gradient of a loss on c^<T_x> (handed to a decoder, say)."""
    rng = np.random.default_rng(3)
    n_x, n_a, m, T_x = 2, 3, 2, 3
    p = make_parameters(n_x, n_a, rng)
    x, a0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    w = rng.standard_normal((n_a, m))
    dc = np.zeros((n_a, m, T_x))
    dc[:, :, -1] = w
    _, _, _, caches = lstm_forward(x, a0, p)
    grads = lstm_backward(np.zeros((n_a, m, T_x)), caches, dc)

    def loss():
        return np.sum(w * lstm_forward(x, a0, p)[2][:, :, -1])

    assert_gradcheck(loss, {"dx": x, "da0": a0, "dWf": p["Wf"], "dbo": p["bo"]}, grads)
    # with no upstream gradient at all, every gradient is zero
    zero = lstm_backward(np.zeros((n_a, m, T_x)), caches)
    assert all(np.all(v == 0) for v in zero.values())


def test_sequence_equals_a_loop_of_cells():
    """Fused sequence forward/backward == the cell functions stepped by hand over the caches."""
    rng = np.random.default_rng(4)
    n_x, n_a, n_y, m, T_x = 3, 5, 2, 4, 6
    p = make_parameters(n_x, n_a, rng, n_y=n_y)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    a, y, c, caches = lstm_forward(x, a0, p, c0)
    a_prev, c_prev = a0, c0
    for t in range(T_x):
        a_prev, c_prev, yt, _ = lstm_cell_forward(x[:, :, t], a_prev, c_prev, p)
        np.testing.assert_allclose(a[:, :, t], a_prev, rtol=0, atol=1e-13)
        np.testing.assert_allclose(c[:, :, t], c_prev, rtol=0, atol=1e-13)
        np.testing.assert_allclose(y[:, :, t], yt, rtol=0, atol=1e-13)

    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    fast = lstm_backward(da, caches, dc)
    cell_caches, _ = caches
    total = {k: np.zeros_like(fast[k]) for k in WEIGHT_KEYS}
    dx = np.zeros_like(x)
    da_next, dc_next = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = lstm_cell_backward(da[:, :, t] + da_next, dc[:, :, t] + dc_next, cell_caches[t])
        da_next, dc_next, dx[:, :, t] = step["da_prev"], step["dc_prev"], step["dxt"]
        for k in total:
            total[k] += step[k]
    np.testing.assert_allclose(dx, fast["dx"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(da_next, fast["da0"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(dc_next, fast["dc0"], rtol=0, atol=1e-12)
    for k in total:
        np.testing.assert_allclose(total[k], fast[k], rtol=0, atol=1e-12, err_msg=k)


def test_backward_from_caches_built_by_hand():
    """lstm_backward computes on lstm_forward's own buffers; caches assembled otherwise (a
    plain list of cell caches, or the list with one cache replaced) give the same gradients."""
    rng = np.random.default_rng(5)
    n_x, n_a, m, T_x = 3, 4, 2, 5
    p = make_parameters(n_x, n_a, rng)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    _, _, _, caches = lstm_forward(x, a0, p, c0)
    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    fast = lstm_backward(da, caches, dc)
    cell_caches, _ = caches
    by_hand = [tuple(v.copy() if isinstance(v, np.ndarray) else v for v in cache) for cache in cell_caches]
    replaced = caches[0]
    replaced[2] = by_hand[2]                     # the list still carries lstm_forward's buffers
    for other in ((by_hand, x), caches):
        grads = lstm_backward(da, other, dc)
        for k in fast:
            np.testing.assert_allclose(grads[k], fast[k], rtol=0, atol=1e-12, err_msg=k)
    # a changed cache is used, not the buffers of the forward pass: γ_o = 0 at step 3 stops
    # the gradient of a^<3> from reaching the output gate's weights through that step
    changed = list(by_hand)
    fields = list(changed[2])
    fields[7] = np.zeros_like(fields[7])
    changed[2] = tuple(fields)
    replaced[2] = changed[2]
    assert not np.allclose(lstm_backward(da, caches, dc)["dWo"], fast["dWo"])
    np.testing.assert_allclose(lstm_backward(da, caches, dc)["dWo"], lstm_backward(da, (changed, x), dc)["dWo"],
                               rtol=0, atol=1e-12)


def test_backward_reuses_the_stacked_input_only_for_the_forwards_own_x():
    """The weight gradients reuse [x^<t>; 1] as the forward stacked it for the input
    projection, but only when the caches still hold that very x: with another x in the pair,
    the gradients are those of that x (and equal when its values are the same)."""
    rng = np.random.default_rng(7)
    n_x, n_a, m, T_x = 3, 4, 2, 5
    p = make_parameters(n_x, n_a, rng)
    x, a0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    _, _, _, caches = lstm_forward(x, a0, p)
    da = rng.standard_normal((n_a, m, T_x))
    fast = lstm_backward(da, caches)
    same = lstm_backward(da, (caches[0], x.copy()))
    for k in fast:
        np.testing.assert_allclose(same[k], fast[k], rtol=0, atol=1e-12, err_msg=k)
    other = lstm_backward(da, (caches[0], 2 * x))
    n = n_a
    for g in "fuco":                      # dW_x doubles with x; dW_a, db and dx do not change
        np.testing.assert_allclose(other["dW" + g][:, n:], 2 * fast["dW" + g][:, n:], rtol=0, atol=1e-12)
        np.testing.assert_allclose(other["dW" + g][:, :n], fast["dW" + g][:, :n], rtol=0, atol=1e-12)
        np.testing.assert_allclose(other["db" + g], fast["db" + g], rtol=0, atol=1e-12)
    np.testing.assert_allclose(other["dx"], fast["dx"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("block_bytes", [1, 2 * 5 * 4 * 2 * 8])
def test_forward_and_backward_in_blocks_of_steps(monkeypatch, block_bytes):
    """The forward pass computes the input projection, and the backward pass the local
    derivatives, a block of steps at a time (to stay in cache); blocks of one step, or of two
    steps with T_x = 5 (a shorter last block), give the outputs and gradients of the whole
    sequence at once."""
    import seqlab.numpy.lstm as lstm_module
    rng = np.random.default_rng(6)
    n_x, n_a, m, T_x = 3, 4, 2, 5
    p = make_parameters(n_x, n_a, rng)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    forward = lstm_forward(x, a0, p, c0)
    whole = lstm_backward(da, forward[3], dc)
    monkeypatch.setattr(lstm_module, "_BLOCK_BYTES", block_bytes)
    forward_in_blocks = lstm_forward(x, a0, p, c0)
    for i in (0, 2):                                              # a^<t> and c^<t>
        np.testing.assert_allclose(forward_in_blocks[i], forward[i], rtol=0, atol=1e-12)
    blocks = lstm_backward(da, forward_in_blocks[3], dc)
    for k in whole:
        np.testing.assert_allclose(blocks[k], whole[k], rtol=0, atol=1e-12, err_msg=k)


# --------------------------------------------------------------------------- equations
def test_cell_equations_written_out():
    rng = np.random.default_rng(5)
    n_x, n_a, n_y, m = 2, 3, 4, 5
    p = make_parameters(n_x, n_a, rng, n_y=n_y)
    xt, a_prev, c_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    s = np.vstack([a_prev, xt])
    gf, gu, go = (sigma(p[w] @ s + p[b]) for w, b in (("Wf", "bf"), ("Wu", "bu"), ("Wo", "bo")))
    c = gf * c_prev + gu * np.tanh(p["Wc"] @ s + p["bc"])
    a = go * np.tanh(c)
    a_next, c_next, yt, _ = lstm_cell_forward(xt, a_prev, c_prev, p)
    np.testing.assert_allclose(c_next, c, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(a_next, a, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(yt, softmax(p["Wy"] @ a + p["by"]), rtol=1e-13, atol=1e-15)


def test_open_forget_gate_and_closed_update_gate_keep_the_memory():
    """Γ_f = 1, Γ_u = 0: c^<t> = c^<t-1> at every step, and dL/dc^<T_x> reaches c^<0> unchanged."""
    rng = np.random.default_rng(6)
    n_x, n_a, m, T_x = 2, 3, 4, 8
    p = make_parameters(n_x, n_a, rng)
    p["bf"][:] = 60.0
    p["bu"][:] = -60.0
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    a_next, c_next, _, cache = lstm_cell_forward(x[:, :, 0], a0, c0, p)
    np.testing.assert_array_equal(cache[4], 1.0)                   # Γ_f
    np.testing.assert_allclose(c_next, c0, rtol=0, atol=1e-20)
    a, _, c, caches = lstm_forward(x, a0, p, c0)
    np.testing.assert_allclose(c, np.repeat(c0[:, :, None], T_x, axis=2), rtol=0, atol=1e-20)
    for t in range(T_x):                                           # a^<t> = Γ_o ⊙ tanh(c^<0>)
        np.testing.assert_allclose(a[:, :, t], caches[0][t][7] * np.tanh(c0), rtol=0, atol=1e-15)
    dc = np.zeros((n_a, m, T_x))
    dc[:, :, -1] = rng.standard_normal((n_a, m))
    grads = lstm_backward(np.zeros((n_a, m, T_x)), caches, dc)
    np.testing.assert_allclose(grads["dc0"], dc[:, :, -1], rtol=0, atol=1e-15)


def test_c0_defaults_to_zeros():
    rng = np.random.default_rng(7)
    p = make_parameters(2, 3, rng)
    x, a0 = rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 4))
    a, y, c, caches = lstm_forward(x, a0, p)
    a2, _, c2, _ = lstm_forward(x, a0, p, np.zeros((3, 4)))
    assert y is None
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_array_equal(caches[0][0][3], 0.0)            # c^<0> of the first step


# --------------------------------------------------------------------------- dtypes
def test_float32_stays_float32():
    rng = np.random.default_rng(8)
    n_x, n_a, n_y, m, T_x = 3, 4, 2, 2, 5
    p64 = make_parameters(n_x, n_a, rng, n_y=n_y)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    x, a0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m))
    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    f32 = [v.astype(np.float32) for v in (x, a0, da, dc)]
    a32, y32, c32, caches32 = lstm_forward(f32[0], f32[1], p32)
    g32 = lstm_backward(f32[2], caches32, f32[3])
    a64, _, c64, caches64 = lstm_forward(x, a0, p64)
    g64 = lstm_backward(da, caches64, dc)
    assert a32.dtype == y32.dtype == c32.dtype == np.float32
    assert all(v.dtype == np.float32 for v in g32.values())
    np.testing.assert_allclose(a32, a64, atol=1e-5)
    np.testing.assert_allclose(c32, c64, atol=1e-5)
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-4, err_msg=k)
    a1, c1, y1, cache1 = lstm_cell_forward(f32[0][:, :, 0], f32[1], f32[1], p32)
    assert a1.dtype == c1.dtype == y1.dtype == np.float32
    assert all(v.dtype == np.float32 for v in lstm_cell_backward(a1, c1, cache1).values())


# --------------------------------------------------------------------------- errors
@pytest.fixture
def setup():
    rng = np.random.default_rng(9)
    return make_parameters(3, 5, rng), rng.standard_normal((3, 10)), np.zeros((5, 10)), np.zeros((5, 10))


def test_transposed_input_is_reported_in_notation(setup):
    p, xt, a_prev, c_prev = setup
    with pytest.raises(ValueError) as err:
        lstm_cell_forward(xt.T, a_prev, c_prev, p)
    assert str(err.value) == "x^<t> must be (n_x, m) = (3, 10); got (10, 3)"
    with pytest.raises(ValueError) as err:
        lstm_cell_forward(xt, a_prev, c_prev[:, :4], p)
    assert str(err.value) == "c^<t-1> must be (n_a, m) = (5, 10); got (5, 4)"
    with pytest.raises(ValueError) as err:
        lstm_forward(np.zeros((3, 10, 2)), a_prev, p, np.zeros((4, 10)))
    assert str(err.value) == "c^<0> must be (n_a, m) = (5, 10); got (4, 10)"


def test_bad_parameters_are_named(setup):
    p, xt, a_prev, c_prev = setup
    with pytest.raises(ValueError) as err:
        lstm_cell_forward(xt, a_prev, c_prev, {k: v for k, v in p.items() if k not in ("Wo", "bf")})
    assert str(err.value) == "parameters is missing 'bf' (b_f), 'Wo' (W_o)"
    with pytest.raises(ValueError) as err:
        lstm_cell_forward(xt, a_prev, c_prev, {**p, "Wo": p["Wo"][:, :6]})
    assert str(err.value) == "W_o must be (n_a, n_a + n_x) = (5, 8); got (5, 6)"
    with pytest.raises(TypeError) as err:
        lstm_cell_forward(xt, a_prev, c_prev, {**p, "bc": p["bc"].astype(np.float32)})
    assert str(err.value) == ("b_c is float32 but the other arrays are float64; "
                              "use one floating-point dtype for inputs and parameters")
    with pytest.raises(ValueError, match=r"^x must hold at least one time step"):
        lstm_forward(np.zeros((3, 10, 0)), a_prev, p)


def test_non_finite_values_are_reported(setup):
    p, xt, a_prev, c_prev = setup
    bad = {**p, "Wf": p["Wf"].copy()}
    bad["Wf"][2, 3] = -np.inf
    with pytest.raises(ValueError) as err:
        lstm_cell_forward(xt, a_prev, c_prev, bad)
    assert str(err.value) == "W_f contains Inf (first at index (2, 3)); non-finite values are not propagated"


def test_backward_checks_its_inputs(setup):
    p, xt, a_prev, c_prev = setup
    _, _, _, cache = lstm_cell_forward(xt, a_prev, c_prev, p)
    with pytest.raises(ValueError) as err:
        lstm_cell_backward(np.zeros((5, 10)), np.zeros((5, 9)), cache)
    assert str(err.value) == "dL/dc^<t> must be (n_a, m) = (5, 10); got (5, 9)"
    with pytest.raises(TypeError, match="^cache must be the tuple .* returned by lstm_cell_forward$"):
        lstm_cell_backward(np.zeros((5, 10)), np.zeros((5, 10)), cache[:-1])
    _, _, _, caches = lstm_forward(np.zeros((3, 10, 2)), a_prev, p)
    with pytest.raises(ValueError) as err:
        lstm_backward(np.zeros((5, 10, 2)), caches, np.zeros((5, 10)))
    assert str(err.value) == "dL/dc must be (n_a, m, T_x) = (5, 10, 2); got (5, 10) (2-D instead of 3-D)"
    with pytest.raises(TypeError, match="^caches must be the pair"):
        lstm_backward(np.zeros((5, 10, 2)), (caches[0], caches[1], None))


# --------------------------------------------------------------------------- properties
@settings(max_examples=10, deadline=None)
@given(n_x=st.integers(1, 3), n_a=st.integers(1, 3), m=st.integers(1, 3), T_x=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_property_shapes_and_gradients(n_x, n_a, m, T_x, seed):
    rng = np.random.default_rng(seed)
    p = make_parameters(n_x, n_a, rng)
    x, a0, c0 = rng.standard_normal((n_x, m, T_x)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    da, dc = rng.standard_normal((n_a, m, T_x)), rng.standard_normal((n_a, m, T_x))
    a, y, c, caches = lstm_forward(x, a0, p, c0)
    assert a.shape == c.shape == (n_a, m, T_x) and y is None
    assert np.all(np.abs(a) < 1)                                   # |Γ_o ⊙ tanh(c)| < 1
    grads = lstm_backward(da, caches, dc)
    assert grads["dx"].shape == x.shape and grads["da0"].shape == grads["dc0"].shape == a0.shape

    def loss():
        a, _, c, _ = lstm_forward(x, a0, p, c0)
        return np.sum(da * a) + np.sum(dc * c)

    assert_gradcheck(loss, {"dx": x, "da0": a0, "dc0": c0, **{"d" + k: v for k, v in p.items()}}, grads, small=1e-3)
