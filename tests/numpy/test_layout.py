"""The sequences the forward passes return are views of their step-major buffers, not copies.

The time loops of rnn_forward, gru_forward and lstm_forward compute in step-major (T_x, n, m)
buffers, which their caches hold; the returned a (and c) are the same memory seen in the
course's (n, m, T_x) layout: read-only, since writing into them would change what the
backward pass reads, and with a contiguous (n, m) block a[:, :, t] for every step.
"""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.numpy import (GRU_PARAMETER_SHAPES, LSTM_PARAMETER_SHAPES, RNN_PARAMETER_SHAPES,
                          recurrent_backward, recurrent_forward)
from seqlab.numpy.layout import course_view, from_time_major, stack_steps, time_major

N_X, N_A, M, T_X = 3, 4, 2, 5


KINDS = {"rnn": RNN_PARAMETER_SHAPES, "gru": GRU_PARAMETER_SHAPES["reset_after"], "lstm": LSTM_PARAMETER_SHAPES}


def _parameters(kind, n_x, rng, random_parameters):
    """Random parameters of cell ``kind`` with n_a = N_A and the given n_x."""
    sizes = {"n_a": N_A, "n_x": n_x, "n_a + n_x": N_A + n_x, "1": 1}
    return random_parameters({k: tuple(sizes[d] for d in dims) for k, dims in KINDS[kind].items()}, rng)


def _run(kind, rng, random_parameters):
    x = rng.standard_normal((N_X, M, T_X))
    a0 = rng.standard_normal((N_A, M))
    h0 = (a0, np.zeros_like(a0)) if kind == "lstm" else a0
    options = {"variant": "reset_after"} if kind == "gru" else {}
    return _parameters(kind, N_X, rng, random_parameters), x, h0, options


def _arrays(grads):
    """The gradient arrays of a dict, the pair dh0 = (da^<0>, dc^<0>) of an LSTM unpacked."""
    return {f"{k}{i}": v for k, g in grads.items() for i, v in enumerate(g if isinstance(g, tuple) else (g,))}


@pytest.mark.parametrize("kind", list(KINDS))
def test_forward_returns_a_read_only_view_of_the_buffer_its_caches_hold(kind, rng, random_parameters):
    p, x, h0, options = _run(kind, rng, random_parameters)
    a, _, caches = recurrent_forward(kind, x, h0, p, **options)
    assert a.shape == (N_A, M, T_X) and not a.flags.writeable
    first_cache_state = caches[0][0][0]                      # a^<1> (c^<1> for the GRU) in the first cell cache
    assert np.shares_memory(a, first_cache_state)
    for t in range(T_X):
        assert a[:, :, t].flags.c_contiguous                 # one block per step
    with pytest.raises(ValueError, match="read-only"):
        a[:, :, 0] = 0.0
    copy = np.array(a)
    copy[:, :, 0] = 0.0                                      # a copy is the student's to change
    assert not np.array_equal(copy, a)


@pytest.mark.parametrize("kind", list(KINDS))
def test_views_flow_into_the_next_layer_and_into_the_backward_pass(kind, rng, random_parameters):
    """A second layer takes the first layer's a (a view) as its x; dL/da computed from a view
    (NumPy keeps its memory order) goes back through both; the gradients equal those of the
    same computation on contiguous copies, and dx is writable."""
    p, x, h0, options = _run(kind, rng, random_parameters)
    q = _parameters(kind, N_A, rng, random_parameters)       # layer 2: n_x = n_a
    results = []
    for contiguous in (False, True):
        a1, _, caches1 = recurrent_forward(kind, x, h0, p, **options)
        a2, _, caches2 = recurrent_forward(kind, np.ascontiguousarray(a1) if contiguous else a1, h0, q, **options)
        da2 = a2 - 0.5                                        # dL/da^<t> of L = ½ Σ (a − ½)²
        g2 = recurrent_backward(kind, np.ascontiguousarray(da2) if contiguous else da2, caches2)
        g1 = recurrent_backward(kind, g2["dx"], caches1)
        assert g1["dx"].flags.writeable
        results.append((a2, _arrays(g1), _arrays(g2)))
    (a_view, *grads_view), (a_copy, *grads_copy) = results
    np.testing.assert_array_equal(a_view, a_copy)
    for view, copy in zip(grads_view, grads_copy):
        assert view.keys() == copy.keys()
        for k in view:
            np.testing.assert_allclose(view[k], copy[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_layout_helpers_round_trip():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((3, 2, 4))                       # (n, m, T_x)
    tm = time_major(v)                                       # (n, T_x·m), step t in columns t·m … t·m + m − 1
    assert tm.shape == (3, 8)
    np.testing.assert_array_equal(tm[:, 2:4], v[:, :, 1])
    back = from_time_major(tm, 2, 4)
    np.testing.assert_array_equal(back, v)
    assert np.shares_memory(back, tm)
    np.testing.assert_array_equal(stack_steps([v[:, :, t] for t in range(4)]), tm)
    steps = np.ascontiguousarray(v.transpose(2, 0, 1))      # step-major (T_x, n, m)
    view = course_view(steps)
    np.testing.assert_array_equal(view, v)
    assert np.shares_memory(view, steps) and not view.flags.writeable and steps.flags.writeable
