"""seqlab.numpy against seqlab.torch on the same parameters (loaded with from_numpy).

Forward: every cell and variant, one step and whole sequences, bidirectional and deep
layers, float64, max abs error ≤ 1e-10.  Backward: every hand-written NumPy backward
against autograd of the same seqlab.torch forward, float64, relative error ≤ 1e-9.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as hst

import seqlab.numpy as snp
import seqlab.torch as st
from seqlab_torch_testing import (CASE_IDS, CASES, LSTMS, assert_max_abs, assert_relative, numpy_options,
                                  numpy_parameters, numpy_state, torch_options)

FWD_TOL, BWD_TOL = 1e-10, 1e-9
N_X, N_A, M, T_X = 3, 4, 2, 5

CELL_FORWARD = {"rnn": snp.rnn_cell_forward, "gru": snp.gru_cell_forward,
                "lstm": snp.lstm_cell_forward, "peephole_lstm": snp.peephole_lstm_cell_forward}
CELL_BACKWARD = {"rnn": snp.rnn_cell_backward, "gru": snp.gru_cell_backward,
                 "lstm": snp.lstm_cell_backward, "peephole_lstm": snp.peephole_lstm_cell_backward}


def _hx(kind, h0, requires_grad=False):
    """NumPy state(s), one per layer/direction, as the hx of a seqlab.torch layer."""
    def one(states):
        t = st.state_to_torch(list(states))
        return t.requires_grad_(requires_grad)
    if kind in LSTMS:
        return one(h[0] for h in h0), one(h[1] for h in h0)
    return one(h0)


def _tuple(h):
    return tuple(h) if isinstance(h, (tuple, list)) else (h,)


# --- one step -------------------------------------------------------------------------------
def _numpy_cell(kind, option, xt, state, p):
    """(new state tuple, cache) of the NumPy cell."""
    opts = {"rnn": {"activation": option}, "gru": {"variant": option}}.get(kind, {})
    out = CELL_FORWARD[kind](xt, *_tuple(state), p, **opts)
    if kind in LSTMS:
        a_next, c_next, _, cache = out
        return (a_next, c_next), cache
    return (out[0],), out[2]


def _torch_cell(kind, option, xt, state, p):
    cell = st.from_numpy(p, cell=True, **torch_options(kind, option))
    x = torch.from_numpy(xt.T.copy()).requires_grad_()
    hs = tuple(torch.from_numpy(s.T.copy()).requires_grad_() for s in _tuple(state))
    new = _tuple(cell(x, hs if kind in LSTMS else hs[0]))
    return cell, x, hs, new


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_cell_forward_and_backward(kind, option):
    rng = np.random.default_rng(1)
    p = numpy_parameters(kind, option, N_X, N_A, seed=2)
    xt, state = rng.standard_normal((N_X, M)), numpy_state(kind, rng, N_A, M)
    new_np, cache = _numpy_cell(kind, option, xt, state, p)
    cell, x, hs, new = _torch_cell(kind, option, xt, state, p)
    assert isinstance(cell, {"rnn": st.RNNCell, "gru": st.GRUCell, "lstm": st.LSTMCell,
                             "peephole_lstm": st.PeepholeLSTMCell}[kind])
    for a_np, a_t in zip(new_np, new):
        assert_max_abs(a_t.T, a_np, FWD_TOL, "next state")
    upstream = [rng.standard_normal((N_A, M)) for _ in new_np]
    grads = CELL_BACKWARD[kind](*upstream, cache)
    loss = sum((s * torch.from_numpy(u.T.copy())).sum() for s, u in zip(new, upstream))
    loss.backward()
    auto = st.grads_to_numpy(cell)
    assert set(auto) == set(grads) - {"dxt", "da_prev", "dc_prev"}
    for key, value in auto.items():
        assert_relative(value, grads[key], BWD_TOL, key)
    assert_relative(x.grad.T, grads["dxt"], BWD_TOL, "dxt")
    state_keys = {"rnn": ["da_prev"], "gru": ["dc_prev"]}.get(kind, ["da_prev", "dc_prev"])
    for h, key in zip(hs, state_keys):
        assert_relative(h.grad.T, grads[key], BWD_TOL, key)


# --- whole sequences ------------------------------------------------------------------------------
def _sequence_backward(kind, da, caches, dc_last):
    """The NumPy sequence backward of one cell kind, with dL/dc^<T_x> = dc_last for the LSTMs."""
    if kind == "rnn":
        return snp.rnn_backward(da, caches)
    if kind == "gru":
        return snp.gru_backward(da, caches)
    dc = np.zeros_like(da)
    dc[:, :, -1] = dc_last
    backward = snp.lstm_backward if kind == "lstm" else snp.peephole_lstm_backward
    return backward(da, caches, dc)


def _sequence_forward(kind, option, x, state, p):
    """(a, c or None, caches) of the NumPy sequence forward."""
    if kind == "rnn":
        a, _, caches = snp.rnn_forward(x, state, p, activation=option)
        return a, None, caches
    if kind == "gru":
        a, _, caches = snp.gru_forward(x, state, p, variant=option)
        return a, None, caches
    forward = snp.lstm_forward if kind == "lstm" else snp.peephole_lstm_forward
    a, _, c, caches = forward(x, state[0], p, state[1])
    return a, c, caches


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_sequence_forward_and_backward(kind, option):
    rng = np.random.default_rng(3)
    p = numpy_parameters(kind, option, N_X, N_A, seed=4)
    x, state = rng.standard_normal((N_X, M, T_X)), numpy_state(kind, rng, N_A, M)
    a, c, caches = _sequence_forward(kind, option, x, state, p)
    layer = st.from_numpy(p, **torch_options(kind, option))
    x_t = st.x_to_torch(x).requires_grad_()
    hx = _hx(kind, [state], requires_grad=True)
    out, h_n = layer(x_t, hx)
    assert_max_abs(st.x_to_numpy(out), a, FWD_TOL, "a")
    assert_max_abs(h_n[0][0].T if kind in LSTMS else h_n[0].T, a[:, :, -1], FWD_TOL, "a^<T_x>")
    if c is not None:
        assert_max_abs(h_n[1][0].T, c[:, :, -1], FWD_TOL, "c^<T_x>")
    da, dc_last = rng.standard_normal(a.shape), rng.standard_normal((N_A, M))
    grads = _sequence_backward(kind, da, caches, dc_last)
    loss = (out * st.x_to_torch(da)).sum()
    if kind in LSTMS:
        loss = loss + (h_n[1][0] * st.state_to_torch(dc_last)).sum()
    loss.backward()
    auto = st.grads_to_numpy(layer)
    assert set(auto) == set(grads) - {"dx", "da0", "dc0"}
    for key, value in auto.items():
        assert_relative(value, grads[key], BWD_TOL, key)
    assert_relative(st.x_to_numpy(x_t.grad), grads["dx"], BWD_TOL, "dx")
    state_keys = {"rnn": ["da0"], "gru": ["dc0"]}.get(kind, ["da0", "dc0"])
    for h, key in zip(_tuple(hx), state_keys):
        assert_relative(h.grad[0].T, grads[key], BWD_TOL, key)


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_bidirectional_forward_and_backward(kind, option):
    rng = np.random.default_rng(5)
    p_f, p_b = (numpy_parameters(kind, option, N_X, N_A, seed=s) for s in (6, 7))
    x = rng.standard_normal((N_X, M, T_X))
    h0_f, h0_b = numpy_state(kind, rng, N_A, M), numpy_state(kind, rng, N_A, M)
    a, (hT_f, hT_b), caches = snp.bidirectional_forward(x, h0_f, h0_b, p_f, p_b, kind=kind,
                                                        **numpy_options(kind, option))
    layer = st.from_numpy([(p_f, p_b)], **torch_options(kind, option))
    assert layer.bidirectional and layer.num_layers == 1
    x_t = st.x_to_torch(x).requires_grad_()
    hx = _hx(kind, [h0_f, h0_b], requires_grad=True)
    out, h_n = layer(x_t, hx)
    assert_max_abs(st.x_to_numpy(out), a, FWD_TOL, "[a→; a←]")
    for i, h_np in enumerate(_tuple(hT_f)):
        assert_max_abs(_tuple(h_n)[i][0].T, h_np, FWD_TOL, "final state →")
    for i, h_np in enumerate(_tuple(hT_b)):
        assert_max_abs(_tuple(h_n)[i][1].T, h_np, FWD_TOL, "final state ←")
    da = rng.standard_normal(a.shape)
    grads = snp.bidirectional_backward(da, caches)
    (out * st.x_to_torch(da)).sum().backward()
    [(auto_f, auto_b)] = st.grads_to_numpy(layer)
    for auto, ref, d in ((auto_f, grads["fwd"], 0), (auto_b, grads["bwd"], 1)):
        assert set(auto) == set(ref) - {"dh0"}
        for key, value in auto.items():
            assert_relative(value, ref[key], BWD_TOL, key)
        for h, dh in zip(_tuple(hx), _tuple(ref["dh0"])):
            assert_relative(h.grad[d].T, dh, BWD_TOL, "dh0")
    assert_relative(st.x_to_numpy(x_t.grad), grads["dx"], BWD_TOL, "dx")


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_deep_forward_and_backward(kind, option, bidirectional):
    rng = np.random.default_rng(8)
    n_layers, D = 3, 2 if bidirectional else 1
    params, h0s, seed = [], [], 10
    for layer in range(n_layers):
        n_in = N_X if layer == 0 else D * N_A
        dirs = [numpy_parameters(kind, option, n_in, N_A, seed=seed + d) for d in range(D)]
        states = [numpy_state(kind, rng, N_A, M) for _ in range(D)]
        params.append(tuple(dirs) if bidirectional else dirs[0])
        h0s.append(tuple(states) if bidirectional else states[0])
        seed += D
    x = rng.standard_normal((N_X, M, T_X))
    a, h_Ts, caches = snp.deep_forward(x, h0s, params, kind=kind, bidirectional=bidirectional,
                                       **numpy_options(kind, option))
    layer = st.from_numpy(params, **torch_options(kind, option))
    assert layer.num_layers == n_layers and layer.bidirectional == bidirectional
    flat_h0 = [s for h in h0s for s in (h if bidirectional else (h,))]
    hx = _hx(kind, flat_h0, requires_grad=True)
    x_t = st.x_to_torch(x).requires_grad_()
    out, h_n = layer(x_t, hx)
    assert_max_abs(st.x_to_numpy(out), a, FWD_TOL, "a^[L]")
    flat_hT = [s for h in h_Ts for s in (h if bidirectional else (h,))]
    for row, h_np in enumerate(flat_hT):
        for i, s_np in enumerate(_tuple(h_np)):
            assert_max_abs(_tuple(h_n)[i][row].T, s_np, FWD_TOL, f"final state row {row}")
    da = rng.standard_normal(a.shape)
    grads = snp.deep_backward(da, caches)
    (out * st.x_to_torch(da)).sum().backward()
    auto = st.grads_to_numpy(layer)
    for l in range(n_layers):
        pairs = ([(auto[l][0], grads["layers"][l]["fwd"]), (auto[l][1], grads["layers"][l]["bwd"])]
                 if bidirectional else [(auto[l], grads["layers"][l])])
        for d, (got, ref) in enumerate(pairs):
            assert set(got) == set(ref) - {"dh0"}
            for key, value in got.items():
                assert_relative(value, ref[key], BWD_TOL, f"layer {l + 1} {key}")
            for h, dh in zip(_tuple(hx), _tuple(ref["dh0"])):
                assert_relative(h.grad[l * D + d].T, dh, BWD_TOL, f"layer {l + 1} dh0")
    assert_relative(st.x_to_numpy(x_t.grad), grads["dx"], BWD_TOL, "dx")


@settings(max_examples=25, deadline=None)
@given(case=hst.sampled_from(CASES), n_x=hst.integers(1, 4), n_a=hst.integers(1, 4), m=hst.integers(1, 3),
       t_x=hst.integers(1, 4), seed=hst.integers(0, 2**16))
def test_forward_matches_over_shapes(case, n_x, n_a, m, t_x, seed):
    """Property: NumPy forward == seqlab.torch forward for any small shape (m, T_x, n_x = 1 included)."""
    kind, option = case
    rng = np.random.default_rng(seed)
    p = numpy_parameters(kind, option, n_x, n_a, seed=seed)
    x, state = rng.standard_normal((n_x, m, t_x)), numpy_state(kind, rng, n_a, m)
    a, _, _ = snp.recurrent_forward(kind, x, state, p, **numpy_options(kind, option))
    out, _ = st.from_numpy(p, **torch_options(kind, option))(st.x_to_torch(x), _hx(kind, [state]))
    assert_max_abs(st.x_to_numpy(out), a, FWD_TOL, "a")


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_float32_parameters_stay_float32(kind, option):
    p = numpy_parameters(kind, option, N_X, N_A, dtype=np.float32)
    layer = st.from_numpy(p, **torch_options(kind, option))
    assert all(t.dtype == torch.float32 for t in layer.parameters())
    x = np.random.default_rng(0).standard_normal((N_X, M, T_X)).astype(np.float32)
    state = numpy_state(kind, np.random.default_rng(1), N_A, M, dtype=np.float32)
    out, _ = layer(st.x_to_torch(x), _hx(kind, [state]))
    assert out.dtype == torch.float32
    a, _, _ = snp.recurrent_forward(kind, x, state, p, **numpy_options(kind, option))
    assert a.dtype == np.float32
    assert_max_abs(st.x_to_numpy(out), a, 1e-5, "a (float32)")
    back = st.to_numpy(layer)
    assert all(v.dtype == np.float32 for v in back.values())
