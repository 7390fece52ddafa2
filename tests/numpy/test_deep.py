"""Deep (stacked) recurrent layers: a^[l]<t> from a^[l-1]<t> and a^[l]<t-1>."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.numpy import (bidirectional_forward, deep_backward, deep_forward, gradient_check, numerical_gradient,
                          recurrent_backward, recurrent_forward)

TOL = 1e-7


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


def make_stack(kind, options, n_x, n_as, m, rng, bidirectional):
    """Per-layer parameters and initial states; layer l reads n_a^[l-1] (2 n_a^[l-1]) rows."""
    params, h0s, n_in = [], [], n_x
    for n_a in n_as:
        if bidirectional:
            params.append(tuple(make_parameters(kind, n_in, n_a, rng, **options) for _ in range(2)))
            h0s.append(tuple(make_state(kind, n_a, m, rng) for _ in range(2)))
            n_in = 2 * n_a
        else:
            params.append(make_parameters(kind, n_in, n_a, rng, **options))
            h0s.append(make_state(kind, n_a, m, rng))
            n_in = n_a
    return params, h0s


def flatten(params, h0s, grads, bidirectional):
    """Every parameter and initial state with its claimed gradient, keyed "l<layer>.<dir>.<name>"."""
    arrays, claimed = {}, {}
    for l, layer_grads in enumerate(grads["layers"]):
        directions = (("fwd", 0), ("bwd", 1)) if bidirectional else (("", None),)
        for name, i in directions:
            p = params[l] if i is None else params[l][i]
            h0 = h0s[l] if i is None else h0s[l][i]
            g = layer_grads if i is None else layer_grads[name]
            key = f"l{l + 1}.{name}."
            for k, v in p.items():
                arrays[key + k], claimed[key + k] = v, g["d" + k]
            states = h0 if isinstance(h0, tuple) else (h0,)
            dstates = g["dh0"] if isinstance(h0, tuple) else (g["dh0"],)
            for j, (h, dh) in enumerate(zip(states, dstates)):
                arrays[key + f"h0[{j}]"], claimed[key + f"h0[{j}]"] = h, dh
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


#: (kind, options, n_a of every layer, bidirectional): every cell in one and in both
#: directions, stacks of 1 to 3 layers
CASES = [("rnn", {}, (3,), False), ("rnn", {}, (3,), True), ("rnn", {"activation": "relu"}, (3, 2), True),
         ("rnn", {}, (2, 3, 2), False), ("rnn", {}, (2, 3, 2), True),
         ("gru", {"variant": "full"}, (2, 2), False), ("gru", {"variant": "full"}, (2, 2), True),
         ("gru", {"variant": "reset_after"}, (2, 2, 2), True), ("gru", {"variant": "simplified"}, (2,), True),
         ("lstm", {}, (2,), True), ("lstm", {}, (2, 2), True), ("lstm", {}, (2, 2, 2), False),
         ("peephole_lstm", {}, (2, 2), False), ("peephole_lstm", {}, (2, 2), True)]


@pytest.mark.parametrize("kind, options, n_as, bidirectional", CASES)
def test_backward_matches_central_differences(kind, options, n_as, bidirectional):
    rng = np.random.default_rng(1)
    n_x, m, T_x = 2, 2, 2
    params, h0s = make_stack(kind, options, n_x, n_as, m, rng, bidirectional)
    x = rng.standard_normal((n_x, m, T_x))
    a_top, h_Ts, caches = deep_forward(x, h0s, params, kind, bidirectional, **options)
    assert a_top.shape == ((2 if bidirectional else 1) * n_as[-1], m, T_x)
    assert len(h_Ts) == len(n_as)
    da = rng.standard_normal(a_top.shape)
    grads = deep_backward(da, caches)
    assert set(grads) == {"dx", "layers"} and len(grads["layers"]) == len(n_as)

    def loss():
        return np.sum(da * deep_forward(x, h0s, params, kind, bidirectional, **options)[0])

    arrays, claimed = flatten(params, h0s, grads, bidirectional)
    assert_gradcheck(loss, {"dx": x, **arrays}, {"dx": grads["dx"], **claimed})


def test_one_layer_is_the_recurrent_layer():
    rng = np.random.default_rng(2)
    p, h0 = make_parameters("gru", 3, 4, rng, variant="reset_after"), make_state("gru", 4, 2, rng)
    x = rng.standard_normal((3, 2, 5))
    a_top, h_Ts, caches = deep_forward(x, [h0], [p], "gru", variant="reset_after")
    a, h_T, rcaches = recurrent_forward("gru", x, h0, p, variant="reset_after")
    np.testing.assert_array_equal(a_top, a)
    np.testing.assert_array_equal(h_Ts[0], h_T)
    da = rng.standard_normal(a.shape)
    g, rg = deep_backward(da, caches), recurrent_backward("gru", da, rcaches)
    np.testing.assert_array_equal(g["dx"], rg.pop("dx"))
    assert set(g["layers"][0]) == set(rg)
    for k in rg:
        np.testing.assert_array_equal(g["layers"][0][k], rg[k])


def test_layers_feed_each_other():
    """a^[2] is the recurrent layer of layer 2 run on a^[1]; bidirectional layers feed [a→; a←] up."""
    rng = np.random.default_rng(3)
    for bidirectional in (False, True):
        params, h0s = make_stack("lstm", {}, 2, (3, 2), 4, rng, bidirectional)
        x = rng.standard_normal((2, 4, 5))
        a_top, h_Ts, _ = deep_forward(x, h0s, params, "lstm", bidirectional)
        if bidirectional:
            a1, _, _ = bidirectional_forward(x, *h0s[0], *params[0], kind="lstm")
            a2, h2, _ = bidirectional_forward(a1, *h0s[1], *params[1], kind="lstm")
            assert a1.shape == (6, 4, 5) and a_top.shape == (4, 4, 5)
            np.testing.assert_array_equal(h_Ts[1][1][0], h2[1][0])
        else:
            a1, _, _ = recurrent_forward("lstm", x, h0s[0], params[0])
            a2, h2, _ = recurrent_forward("lstm", a1, h0s[1], params[1])
            np.testing.assert_array_equal(h_Ts[1][1], h2[1])
        np.testing.assert_array_equal(a_top, a2)


def test_default_kind_is_rnn_and_float32_stays_float32():
    rng = np.random.default_rng(4)
    params, h0s = make_stack("rnn", {}, 2, (3, 3), 2, rng, False)
    params = [{k: v.astype(np.float32) for k, v in p.items()} for p in params]
    h0s = [h.astype(np.float32) for h in h0s]
    x = rng.standard_normal((2, 2, 4)).astype(np.float32)
    a_top, h_Ts, caches = deep_forward(x, h0s, params)
    assert caches[0] == "rnn"
    grads = deep_backward(np.ones_like(a_top), caches)
    assert a_top.dtype == grads["dx"].dtype == np.float32
    assert all(v.dtype == np.float32 for layer in grads["layers"] for v in layer.values())

    params, h0s = make_stack("peephole_lstm", {}, 2, (2, 2), 2, rng, True)
    params = [tuple({k: v.astype(np.float32) for k, v in p.items()} for p in pair) for pair in params]
    h0s = [tuple(tuple(h.astype(np.float32) for h in s) for s in pair) for pair in h0s]
    a_top, _, caches = deep_forward(x, h0s, params, "peephole_lstm", bidirectional=True)
    grads = deep_backward(np.ones_like(a_top), caches)
    assert a_top.dtype == grads["dx"].dtype == np.float32
    assert grads["layers"][1]["bwd"]["dP"].dtype == np.float32


# --------------------------------------------------------------------------- errors
def test_layer_lists_are_checked():
    rng = np.random.default_rng(5)
    params, h0s = make_stack("rnn", {}, 2, (3, 3), 2, rng, False)
    x = rng.standard_normal((2, 2, 4))
    with pytest.raises(ValueError) as err:
        deep_forward(x, h0s[:1], params)
    assert str(err.value) == "h0s must hold one initial state per layer: 2 layers in parameters; got 1 entries in h0s"
    with pytest.raises(ValueError) as err:
        deep_forward(x, [], [])
    assert str(err.value) == "parameters must hold at least one layer; got an empty list"
    with pytest.raises(TypeError) as err:
        deep_forward(x, h0s, params[0])
    assert str(err.value) == "parameters must be a list with one entry per layer; got dict"
    with pytest.raises(TypeError) as err:
        deep_forward(x, h0s, params, bidirectional=True)
    assert str(err.value) == ("with bidirectional=True, parameters[0] (layer 1) must be a (forward, backward) "
                              "pair; got dict")
    with pytest.raises(ValueError, match="^kind must be one of 'rnn', 'gru', 'lstm', 'peephole_lstm'; got 'deep'$"):
        deep_forward(x, h0s, params, kind="deep")


def test_errors_name_the_layer():
    rng = np.random.default_rng(6)
    params, h0s = make_stack("gru", {}, 2, (3, 4), 5, rng, False)
    x = rng.standard_normal((2, 5, 4))
    with pytest.raises(ValueError) as err:
        deep_forward(x, h0s, [params[0], make_parameters("gru", 2, 4, rng)], "gru")
    assert str(err.value) == ("layer 2 (its input x is a^[1] from layer 1): "
                              "x must be (n_x, m, T_x) = (2, 5, 4); got (3, 5, 4)")
    with pytest.raises(ValueError) as err:
        deep_forward(x, [h0s[0], h0s[1][:, :3]], params, "gru")
    assert str(err.value) == ("layer 2 (its input x is a^[1] from layer 1): "
                              "c^<0> must be (n_a, m) = (4, 5); got (4, 3)")
    with pytest.raises(ValueError) as err:
        deep_forward(x[:, :3], h0s, params, "gru")
    assert str(err.value) == "layer 1: x must be (n_x, m, T_x) = (2, 5, 4); got (2, 3, 4)"
    params, h0s = make_stack("lstm", {}, 2, (3, 4), 5, rng, True)
    bad = [h0s[0], (h0s[1][0], (h0s[1][1][0], h0s[1][1][1][:, :2]))]
    with pytest.raises(ValueError) as err:
        deep_forward(x, bad, params, "lstm", bidirectional=True)
    assert str(err.value) == ("layer 2 (its input x is a^[1] from layer 1): backward direction (a←): "
                              "c^<0> must be (n_a, m) = (4, 5); got (4, 2)")


def test_backward_checks_its_inputs():
    rng = np.random.default_rng(7)
    params, h0s = make_stack("rnn", {}, 2, (3, 4), 5, rng, False)
    x = rng.standard_normal((2, 5, 4))
    a_top, _, caches = deep_forward(x, h0s, params)
    with pytest.raises(ValueError) as err:
        deep_backward(np.zeros((3, 5, 4)), caches)
    assert str(err.value) == "layer 2: dL/da must be (n_a, m, T_x) = (4, 5, 4); got (3, 5, 4)"
    with pytest.raises(TypeError, match="^caches must be the tuple \\(kind, bidirectional, layer caches\\)"):
        deep_backward(a_top, caches[2])


@settings(max_examples=8, deadline=None)
@given(kind=st.sampled_from(("rnn", "gru", "lstm", "peephole_lstm")), n_layers=st.integers(1, 3),
       bidirectional=st.booleans(), n_x=st.integers(1, 2), m=st.integers(1, 2), T_x=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_property_any_depth(kind, n_layers, bidirectional, n_x, m, T_x, seed):
    rng = np.random.default_rng(seed)
    n_as = tuple(int(v) for v in rng.integers(1, 3, size=n_layers))
    params, h0s = make_stack(kind, {}, n_x, n_as, m, rng, bidirectional)
    x = rng.standard_normal((n_x, m, T_x))
    a_top, h_Ts, caches = deep_forward(x, h0s, params, kind, bidirectional)
    assert a_top.shape == ((2 if bidirectional else 1) * n_as[-1], m, T_x)
    da = rng.standard_normal(a_top.shape)
    grads = deep_backward(da, caches)

    def loss():
        return np.sum(da * deep_forward(x, h0s, params, kind, bidirectional)[0])

    arrays, claimed = flatten(params, h0s, grads, bidirectional)
    # x and four arrays drawn at random (the test above checks every array of fixed stacks)
    names = sorted(arrays)
    pick = {k: arrays[k] for k in rng.choice(names, size=min(4, len(names)), replace=False)}
    assert_gradcheck(loss, {"dx": x, **pick}, {"dx": grads["dx"], **{k: claimed[k] for k in pick}},
                     small=1e-3)
