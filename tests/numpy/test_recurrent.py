"""The generic recurrent layer: one interface over rnn, gru, lstm and peephole_lstm."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.numpy import (CELL_KINDS, gradient_check, gru_backward, gru_forward, lstm_backward, lstm_forward,
                          numerical_gradient, peephole_lstm_forward, recurrent_backward, recurrent_forward,
                          rnn_backward, rnn_forward)

TOL = 1e-7
#: (kind, options) pairs covering every cell, GRU variant and RNN activation
CASES = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("rnn", {}),
         ("gru", {"variant": "simplified"}), ("gru", {"variant": "full"}), ("gru", {"variant": "reset_after"}),
         ("lstm", {}), ("peephole_lstm", {})]


def make_parameters(kind, n_x, n_a, rng, variant="full", scale=0.5, activation=None):
    """Random parameters of cell ``kind`` with input size n_x and state size n_a (``activation`` unused)."""
    if kind == "rnn":
        shapes = {"Wax": (n_a, n_x), "Waa": (n_a, n_a), "ba": (n_a, 1)}
    elif kind == "peephole_lstm":
        shapes = {"W": (4 * n_a, n_x), "R": (4 * n_a, n_a), "P": (3 * n_a, 1), "b": (4 * n_a, 1)}
    else:
        gates = {"gru": {"simplified": "cu", "full": "cur", "reset_after": "cur"}[variant], "lstm": "fuco"}[kind]
        shapes = {}
        for g in gates:
            shapes.update({"W" + g: (n_a, n_a + n_x), "b" + g: (n_a, 1)})
        if kind == "gru" and variant == "reset_after":
            shapes["bca"] = (n_a, 1)
    return {k: scale * rng.standard_normal(s) for k, s in shapes.items()}


def make_state(kind, n_a, m, rng):
    """h^<0>: a^<0> for rnn/gru, (a^<0>, c^<0>) for the LSTMs."""
    if kind in ("lstm", "peephole_lstm"):
        return rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    return rng.standard_normal((n_a, m))


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


def state_arrays(kind, h0, dh0):
    """{name: array} and {name: gradient} for the initial state(s)."""
    if isinstance(h0, tuple):
        return {"a0": h0[0], "c0": h0[1]}, {"a0": dh0[0], "c0": dh0[1]}
    return {"h0": h0}, {"h0": dh0}


@pytest.mark.parametrize("kind, options", CASES)
def test_backward_matches_central_differences(kind, options):
    rng = np.random.default_rng(1)
    n_x, n_a, m, T_x = 3, 4, 2, 3
    p = make_parameters(kind, n_x, n_a, rng, **options)
    x, h0 = rng.standard_normal((n_x, m, T_x)), make_state(kind, n_a, m, rng)
    da = rng.standard_normal((n_a, m, T_x))
    a, h_T, caches = recurrent_forward(kind, x, h0, p, **options)
    grads = recurrent_backward(kind, da, caches)
    assert set(grads) == {"dx", "dh0"} | {"d" + k for k in p}

    def loss():
        return np.sum(da * recurrent_forward(kind, x, h0, p, **options)[0])

    states, dstates = state_arrays(kind, h0, grads["dh0"])
    arrays = {"dx": x, **states, **{"d" + k: v for k, v in p.items()}}
    assert_gradcheck(loss, arrays, {**grads, **dstates})


@pytest.mark.parametrize("kind, options", CASES)
def test_same_as_the_cell_functions(kind, options):
    rng = np.random.default_rng(2)
    n_x, n_a, m, T_x = 2, 3, 4, 5
    p = make_parameters(kind, n_x, n_a, rng, **options)
    x, h0 = rng.standard_normal((n_x, m, T_x)), make_state(kind, n_a, m, rng)
    da = rng.standard_normal((n_a, m, T_x))
    a, h_T, caches = recurrent_forward(kind, x, h0, p, **options)
    grads = recurrent_backward(kind, da, caches)
    if kind == "rnn":
        a_ref, _, caches_ref = rnn_forward(x, h0, p, **options)
        g_ref = rnn_backward(da, caches_ref)
        np.testing.assert_array_equal(grads["dh0"], g_ref["da0"])
        np.testing.assert_array_equal(h_T, a_ref[:, :, -1])
    elif kind == "gru":
        a_ref, _, caches_ref = gru_forward(x, h0, p, **options)
        g_ref = gru_backward(da, caches_ref)
        np.testing.assert_array_equal(grads["dh0"], g_ref["dc0"])
        np.testing.assert_array_equal(h_T, a_ref[:, :, -1])
    else:
        forward = lstm_forward if kind == "lstm" else peephole_lstm_forward
        a_ref, _, c_ref, caches_ref = forward(x, h0[0], p, h0[1])
        assert isinstance(h_T, tuple) and isinstance(grads["dh0"], tuple)
        np.testing.assert_array_equal(h_T[0], a_ref[:, :, -1])
        np.testing.assert_array_equal(h_T[1], c_ref[:, :, -1])
        if kind == "lstm":
            g_ref = lstm_backward(da, caches_ref)
            np.testing.assert_array_equal(grads["dh0"][0], g_ref["da0"])
            np.testing.assert_array_equal(grads["dh0"][1], g_ref["dc0"])
        else:
            g_ref = {k: v for k, v in grads.items() if k != "dh0"}
    np.testing.assert_array_equal(a, a_ref)
    for k in g_ref:
        if k in grads:
            np.testing.assert_array_equal(grads[k], g_ref[k])


def test_relu_and_tanh_differ():
    rng = np.random.default_rng(3)
    p = make_parameters("rnn", 2, 3, rng)
    x, a0 = rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 4))
    a_relu = recurrent_forward("rnn", x, a0, p, activation="relu")[0]
    assert np.all(a_relu >= 0)
    assert not np.allclose(a_relu, recurrent_forward("rnn", x, a0, p)[0])


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_float32(kind):
    rng = np.random.default_rng(4)
    p = {k: v.astype(np.float32) for k, v in make_parameters(kind, 2, 3, rng).items()}
    h0 = make_state(kind, 3, 2, rng)
    h0 = tuple(h.astype(np.float32) for h in h0) if isinstance(h0, tuple) else h0.astype(np.float32)
    x = rng.standard_normal((2, 2, 4)).astype(np.float32)
    a, h_T, caches = recurrent_forward(kind, x, h0, p)
    grads = recurrent_backward(kind, np.ones_like(a), caches)
    assert a.dtype == np.float32
    assert all(v.dtype == np.float32 for v in (h_T if isinstance(h_T, tuple) else (h_T,)))
    dh0 = grads.pop("dh0")
    assert all(v.dtype == np.float32 for v in grads.values())
    assert all(v.dtype == np.float32 for v in (dh0 if isinstance(dh0, tuple) else (dh0,)))


def test_unknown_kind_lists_the_choices():
    rng = np.random.default_rng(5)
    msg = "kind must be one of 'rnn', 'gru', 'lstm', 'peephole_lstm'; got 'transformer'"
    with pytest.raises(ValueError) as err:
        recurrent_forward("transformer", np.zeros((2, 1, 1)), np.zeros((3, 1)), make_parameters("rnn", 2, 3, rng))
    assert str(err.value) == msg
    with pytest.raises(ValueError) as err:
        recurrent_backward("transformer", np.zeros((3, 1, 1)), None)
    assert str(err.value) == msg
    with pytest.raises(ValueError, match="^kind must be one of .*; got None$"):
        recurrent_forward(None, np.zeros((2, 1, 1)), np.zeros((3, 1)), {})


def test_options_are_checked():
    rng = np.random.default_rng(6)
    x = np.zeros((2, 1, 2))
    with pytest.raises(TypeError) as err:
        recurrent_forward("lstm", x, (np.zeros((3, 1)),) * 2, make_parameters("lstm", 2, 3, rng), variant="full")
    assert str(err.value) == "kind='lstm' does not take the option(s) variant (its options: none)"
    with pytest.raises(TypeError) as err:
        recurrent_forward("gru", x, np.zeros((3, 1)), make_parameters("gru", 2, 3, rng), activation="relu")
    assert str(err.value) == "kind='gru' does not take the option(s) activation (its options: variant)"
    with pytest.raises(ValueError, match="^variant must be one of 'simplified', 'full', 'reset_after'; got 'x'$"):
        recurrent_forward("gru", x, np.zeros((3, 1)), make_parameters("gru", 2, 3, rng), variant="x")
    with pytest.raises(ValueError, match="^activation must be one of 'tanh', 'relu'; got 'sigmoid'$"):
        recurrent_forward("rnn", x, np.zeros((3, 1)), make_parameters("rnn", 2, 3, rng), activation="sigmoid")


def test_lstm_state_must_be_a_pair():
    rng = np.random.default_rng(7)
    with pytest.raises(TypeError) as err:
        recurrent_forward("peephole_lstm", np.zeros((2, 1, 2)), np.zeros((3, 1)),
                          make_parameters("peephole_lstm", 2, 3, rng))
    assert str(err.value) == "h0 of kind='peephole_lstm' must be the pair (a^<0>, c^<0>); got ndarray"
    with pytest.raises(ValueError) as err:
        recurrent_forward("lstm", np.zeros((2, 1, 2)), (np.zeros((3, 1)), np.zeros((3, 2))),
                          make_parameters("lstm", 2, 3, rng))
    assert str(err.value) == "c^<0> must be (n_a, m) = (3, 1); got (3, 2)"


def test_caches_of_another_kind_are_refused():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 1, 2))
    _, _, caches = recurrent_forward("lstm", x, (np.zeros((3, 1)),) * 2, make_parameters("lstm", 2, 3, rng))
    with pytest.raises(TypeError, match="^cache must be the tuple .* returned by peephole_lstm_cell_forward$"):
        recurrent_backward("peephole_lstm", np.zeros((3, 1, 2)), caches)
    with pytest.raises(TypeError, match="^cache must be the tuple .* returned by gru_cell_forward$"):
        recurrent_backward("gru", np.zeros((3, 1, 2)), caches)


@settings(max_examples=12, deadline=None)
@given(case=st.sampled_from(CASES[:1] + CASES[3:]), n_x=st.integers(1, 3), n_a=st.integers(1, 3),
       m=st.integers(1, 3), T_x=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_property_any_kind_any_shape(case, n_x, n_a, m, T_x, seed):
    kind, options = case
    rng = np.random.default_rng(seed)
    p = make_parameters(kind, n_x, n_a, rng, **options)
    x, h0 = rng.standard_normal((n_x, m, T_x)), make_state(kind, n_a, m, rng)
    da = rng.standard_normal((n_a, m, T_x))
    a, h_T, caches = recurrent_forward(kind, x, h0, p, **options)
    assert a.shape == (n_a, m, T_x)
    np.testing.assert_array_equal(h_T[0] if isinstance(h_T, tuple) else h_T, a[:, :, -1])
    grads = recurrent_backward(kind, da, caches)
    assert grads["dx"].shape == x.shape

    def loss():
        return np.sum(da * recurrent_forward(kind, x, h0, p, **options)[0])

    states, dstates = state_arrays(kind, h0, grads["dh0"])
    assert_gradcheck(loss, {"dx": x, **states}, dstates | {"dx": grads["dx"]}, small=1e-3)
