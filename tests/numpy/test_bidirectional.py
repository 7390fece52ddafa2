"""Bidirectional recurrent layers: a^<t> = [a→^<t>; a←^<t>]."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.numpy import (CELL_KINDS, bidirectional_backward, bidirectional_forward, gradient_check,
                          numerical_gradient, recurrent_backward, recurrent_forward)

TOL = 1e-7
CASES = [("rnn", {}), ("rnn", {"activation": "relu"}), ("gru", {"variant": "simplified"}),
         ("gru", {"variant": "full"}), ("gru", {"variant": "reset_after"}), ("lstm", {}), ("peephole_lstm", {})]


def make_parameters(kind, n_x, n_a, rng, variant="full", activation=None, scale=0.5):
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
    if kind in ("lstm", "peephole_lstm"):
        return rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    return rng.standard_normal((n_a, m))


def named(prefix, grads, params, h0):
    """Arrays and their claimed gradients, keyed ``prefix + name``, for one direction."""
    arrays = {prefix + "d" + k: v for k, v in params.items()}
    claimed = {prefix + "d" + k: grads["d" + k] for k in params}
    if isinstance(h0, tuple):
        arrays.update({prefix + "a0": h0[0], prefix + "c0": h0[1]})
        claimed.update({prefix + "a0": grads["dh0"][0], prefix + "c0": grads["dh0"][1]})
    else:
        arrays[prefix + "h0"], claimed[prefix + "h0"] = h0, grads["dh0"]
    return arrays, claimed


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


def setup_layer(kind, options, n_x, n_a, m, T_x, seed):
    rng = np.random.default_rng(seed)
    p_f, p_b = (make_parameters(kind, n_x, n_a, rng, **options) for _ in range(2))
    h_f, h_b = (make_state(kind, n_a, m, rng) for _ in range(2))
    return rng, rng.standard_normal((n_x, m, T_x)), h_f, h_b, p_f, p_b


@pytest.mark.parametrize("kind, options", CASES)
def test_backward_matches_central_differences(kind, options):
    rng, x, h_f, h_b, p_f, p_b = setup_layer(kind, options, 3, 3, 2, 3, seed=1)
    a, _, caches = bidirectional_forward(x, h_f, h_b, p_f, p_b, kind, **options)
    da = rng.standard_normal(a.shape)
    grads = bidirectional_backward(da, caches)
    assert set(grads) == {"dx", "fwd", "bwd"}
    assert set(grads["fwd"]) == set(grads["bwd"]) == {"dh0"} | {"d" + k for k in p_f}

    def loss():
        return np.sum(da * bidirectional_forward(x, h_f, h_b, p_f, p_b, kind, **options)[0])

    arrays_f, claimed_f = named("fwd.", grads["fwd"], p_f, h_f)
    arrays_b, claimed_b = named("bwd.", grads["bwd"], p_b, h_b)
    assert_gradcheck(loss, {"dx": x, **arrays_f, **arrays_b}, {"dx": grads["dx"], **claimed_f, **claimed_b})


@pytest.mark.parametrize("kind, options", CASES)
def test_the_two_halves(kind, options):
    """Upper half: the layer over x; lower half: the layer over x reversed in time, reversed back."""
    rng, x, h_f, h_b, p_f, p_b = setup_layer(kind, options, 2, 3, 4, 5, seed=2)
    a, (h_T_f, h_T_b), caches = bidirectional_forward(x, h_f, h_b, p_f, p_b, kind, **options)
    assert a.shape == (6, 4, 5)
    a_f, hf_ref, _ = recurrent_forward(kind, x, h_f, p_f, **options)
    a_b, hb_ref, _ = recurrent_forward(kind, x[:, :, ::-1].copy(), h_b, p_b, **options)
    np.testing.assert_allclose(a[:3], a_f, rtol=0, atol=1e-15)
    np.testing.assert_allclose(a[3:], a_b[:, :, ::-1], rtol=0, atol=1e-15)
    last_f = h_T_f[0] if isinstance(h_T_f, tuple) else h_T_f
    last_b = h_T_b[0] if isinstance(h_T_b, tuple) else h_T_b
    np.testing.assert_array_equal(last_f, a[:3, :, -1])        # a→^<T_x>
    np.testing.assert_array_equal(last_b, a[3:, :, 0])         # a←^<1>, as torch's h_n[1]
    as_tuple = (lambda h: h if isinstance(h, tuple) else (h,))
    assert len(as_tuple(h_T_b)) == len(as_tuple(hb_ref))
    for got, want in zip(as_tuple(h_T_b), as_tuple(hb_ref)):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)

    da = rng.standard_normal(a.shape)
    grads = bidirectional_backward(da, caches)
    _, _, caches_f = recurrent_forward(kind, x, h_f, p_f, **options)
    _, _, caches_b = recurrent_forward(kind, x[:, :, ::-1].copy(), h_b, p_b, **options)
    g_f = recurrent_backward(kind, da[:3], caches_f)
    g_b = recurrent_backward(kind, da[3:, :, ::-1].copy(), caches_b)
    np.testing.assert_allclose(grads["dx"], g_f["dx"] + g_b["dx"][:, :, ::-1], rtol=0, atol=1e-14)
    for k in grads["fwd"]:
        if k != "dh0":
            np.testing.assert_allclose(grads["fwd"][k], g_f[k], rtol=0, atol=1e-14)
            np.testing.assert_allclose(grads["bwd"][k], g_b[k], rtol=0, atol=1e-14)


def test_default_kind_is_lstm():
    rng, x, h_f, h_b, p_f, p_b = setup_layer("lstm", {}, 2, 3, 1, 2, seed=3)
    a, (h_T_f, h_T_b), caches = bidirectional_forward(x, h_f, h_b, p_f, p_b)
    assert caches[0] == "lstm" and isinstance(h_T_f, tuple) and isinstance(h_T_b, tuple)


@pytest.mark.parametrize("kind", CELL_KINDS)
def test_float32(kind):
    rng = np.random.default_rng(4)
    p_f, p_b = ({k: v.astype(np.float32) for k, v in make_parameters(kind, 2, 3, rng).items()} for _ in range(2))
    x = rng.standard_normal((2, 2, 3)).astype(np.float32)

    def state():
        h = make_state(kind, 3, 2, rng)
        return tuple(v.astype(np.float32) for v in h) if isinstance(h, tuple) else h.astype(np.float32)

    a, _, caches = bidirectional_forward(x, state(), state(), p_f, p_b, kind)
    grads = bidirectional_backward(np.ones_like(a), caches)
    assert a.dtype == grads["dx"].dtype == np.float32
    assert all(v.dtype == np.float32 for d in ("fwd", "bwd") for k, v in grads[d].items() if k != "dh0")


# --------------------------------------------------------------------------- errors
def test_errors_name_the_direction():
    rng, x, h_f, h_b, p_f, p_b = setup_layer("gru", {}, 2, 3, 4, 5, seed=5)
    with pytest.raises(ValueError) as err:
        bidirectional_forward(x, h_f, h_b[:, :2], p_f, p_b, "gru")
    assert str(err.value) == "backward direction (a←): c^<0> must be (n_a, m) = (3, 4); got (3, 2)"
    with pytest.raises(ValueError) as err:
        bidirectional_forward(x, h_f, h_b, {k: v for k, v in p_f.items() if k != "br"}, p_b, "gru")
    assert str(err.value) == "forward direction (a→): parameters is missing 'br' (b_r)"
    with pytest.raises(ValueError) as err:
        bidirectional_forward(x[:, :, 0], h_f, h_b, p_f, p_b, "gru")
    assert str(err.value) == ("forward direction (a→): x must be (n_x, m, T_x) = (2, 4, ?); got (2, 4) "
                              "(2-D instead of 3-D)")
    with pytest.raises(ValueError, match="^kind must be one of 'rnn', 'gru', 'lstm', 'peephole_lstm'; got 'GRU'$"):
        bidirectional_forward(x, h_f, h_b, p_f, p_b, "GRU")
    with pytest.raises(TypeError, match="^kind='gru' does not take the option"):
        bidirectional_forward(x, h_f, h_b, p_f, p_b, "gru", activation="tanh")


def test_both_directions_need_the_same_state_size():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 1, 3))
    with pytest.raises(ValueError) as err:
        bidirectional_forward(x, np.zeros((3, 1)), np.zeros((4, 1)), make_parameters("rnn", 2, 3, rng),
                              make_parameters("rnn", 2, 4, rng), "rnn")
    assert str(err.value) == "both directions must have the same n_a; got n_a = 3 for a→ and n_a = 4 for a←"


def test_backward_checks_its_inputs():
    rng, x, h_f, h_b, p_f, p_b = setup_layer("rnn", {}, 2, 3, 4, 5, seed=7)
    a, _, caches = bidirectional_forward(x, h_f, h_b, p_f, p_b, "rnn")
    with pytest.raises(ValueError) as err:
        bidirectional_backward(np.zeros((3, 4, 5)), caches)
    assert str(err.value) == "dL/da must be (2 n_a, m, T_x) = (6, 4, 5); got (3, 4, 5)"
    with pytest.raises(TypeError, match="^caches must be the tuple \\(kind, sizes, caches_fwd, caches_bwd\\)"):
        bidirectional_backward(np.zeros((6, 4, 5)), caches[2])


@settings(max_examples=8, deadline=None)
@given(case=st.sampled_from(CASES), n_x=st.integers(1, 2), n_a=st.integers(1, 2), m=st.integers(1, 2),
       T_x=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_property_any_shape(case, n_x, n_a, m, T_x, seed):
    kind, options = case
    rng, x, h_f, h_b, p_f, p_b = setup_layer(kind, options, n_x, n_a, m, T_x, seed)
    a, _, caches = bidirectional_forward(x, h_f, h_b, p_f, p_b, kind, **options)
    assert a.shape == (2 * n_a, m, T_x)
    da = rng.standard_normal(a.shape)
    grads = bidirectional_backward(da, caches)

    def loss():
        return np.sum(da * bidirectional_forward(x, h_f, h_b, p_f, p_b, kind, **options)[0])

    arrays_f, claimed_f = named("fwd.", grads["fwd"], p_f, h_f)
    arrays_b, claimed_b = named("bwd.", grads["bwd"], p_b, h_b)
    assert_gradcheck(loss, {"dx": x, **arrays_f, **arrays_b}, {"dx": grads["dx"], **claimed_f, **claimed_b},
                     small=1e-3)
