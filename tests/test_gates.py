"""seqlab.gates: recorded gates equal the equations, gradient norms equal an independent
backward pass, and the LSTM <-> peephole maps are exact."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.gates import (GATE_KEYS, GREFF_TO_COURSE, lstm_to_peephole, peephole_to_lstm, record_gates,
                          state_gradient_norms)
from seqlab.notation import SYMBOLS
from seqlab.numpy import (gru_backward, gru_forward, init_gru_parameters, init_lstm_parameters,
                          init_peephole_lstm_parameters, init_rnn_parameters, lstm_backward, lstm_forward,
                          peephole_lstm_backward, peephole_lstm_forward, recurrent_forward, rnn_backward,
                          rnn_forward)

N_X, N_A, M, T_X = 3, 4, 2, 6


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def x(rng):
    return rng.standard_normal((N_X, M, T_X))


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_gate_keys_are_notation_names():
    for keys in GATE_KEYS.values():
        for key in keys:
            assert key in SYMBOLS
    for name, (symbol, block) in GREFF_TO_COURSE.items():
        assert symbol in SYMBOLS and (block is None or 0 <= block < 4)


@pytest.mark.parametrize("variant", ["simplified", "full", "reset_after"])
def test_record_gates_gru_follows_the_equations(x, rng, variant):
    p = {k: 0.5 * rng.standard_normal(v.shape) for k, v in init_gru_parameters(N_X, N_A, variant=variant).items()}
    c0 = rng.standard_normal((N_A, M))
    c, _, caches = gru_forward(x, c0, p, variant=variant)
    g = record_gates("gru", caches)
    expected_keys = {"c_tilde", "Gamma_u", "c"} | ({"Gamma_r"} if variant != "simplified" else set())
    assert set(g) == expected_keys
    assert np.array_equal(g["c"], c)
    c_prev = c0
    for t in range(T_X):
        concat = np.concatenate([c_prev, x[:, :, t]])
        gamma_u = _sig(p["Wu"] @ concat + p["bu"])
        np.testing.assert_allclose(g["Gamma_u"][:, :, t], gamma_u, atol=1e-12)
        if variant == "full":
            gamma_r = _sig(p["Wr"] @ concat + p["br"])
            np.testing.assert_allclose(g["Gamma_r"][:, :, t], gamma_r, atol=1e-12)
            c_tilde = np.tanh(p["Wc"] @ np.concatenate([gamma_r * c_prev, x[:, :, t]]) + p["bc"])
            np.testing.assert_allclose(g["c_tilde"][:, :, t], c_tilde, atol=1e-12)
        np.testing.assert_allclose(c[:, :, t], gamma_u * g["c_tilde"][:, :, t] + (1 - gamma_u) * c_prev, atol=1e-12)
        c_prev = c[:, :, t]


@pytest.mark.parametrize("kind", ["lstm", "peephole_lstm"])
def test_record_gates_lstms(x, rng, kind):
    if kind == "lstm":
        p = init_lstm_parameters(N_X, N_A, seed=1)
        a, _, c, caches = lstm_forward(x, np.zeros((N_A, M)), p)
    else:
        p = init_peephole_lstm_parameters(N_X, N_A, seed=1)
        a, _, c, caches = peephole_lstm_forward(x, np.zeros((N_A, M)), p)
    g = record_gates(kind, caches)
    assert set(g) == set(GATE_KEYS[kind])
    assert all(v.shape == (N_A, M, T_X) for v in g.values())
    assert np.array_equal(g["a"], a) and np.array_equal(g["c"], c)
    # c^<t> = Γ_f c^<t-1> + Γ_u c̃^<t>, a^<t> = Γ_o tanh(c^<t>)
    c_prev = np.concatenate([np.zeros((N_A, M, 1)), c[:, :, :-1]], axis=2)
    np.testing.assert_allclose(c, g["Gamma_f"] * c_prev + g["Gamma_u"] * g["c_tilde"], atol=1e-12)
    np.testing.assert_allclose(a, g["Gamma_o"] * np.tanh(c), atol=1e-12)
    for key in ("Gamma_f", "Gamma_u", "Gamma_o"):
        assert np.all((g[key] > 0) & (g[key] < 1))


def test_record_gates_rnn_and_recurrent_forward(x):
    p = init_rnn_parameters(N_X, N_A, seed=2)
    a, _, caches = rnn_forward(x, np.zeros((N_A, M)), p)
    assert np.array_equal(record_gates("rnn", caches)["a"], a)
    a2, _, caches2 = recurrent_forward("gru", x, np.zeros((N_A, M)), init_gru_parameters(N_X, N_A, seed=0))
    assert np.array_equal(record_gates("gru", caches2)["c"], a2)


def test_record_gates_rejects_wrong_input(x):
    p = init_rnn_parameters(N_X, N_A, seed=2)
    _, _, caches = rnn_forward(x, np.zeros((N_A, M)), p)
    with pytest.raises(ValueError, match="kind"):
        record_gates("transformer", caches)
    with pytest.raises(TypeError, match="gru"):
        record_gates("gru", caches)                           # caches of another cell
    with pytest.raises(TypeError):
        record_gates("rnn", caches[0])
    with pytest.raises(TypeError):
        record_gates("rnn", ([], x))


def _norms_by_sequence_backward(kind, x, h0, p, u):
    """Reference: ‖dL/dh^<T_x − k>‖ from the sequence backward of the first T_x − k steps' outputs.

    dL/dh^<s> for L = u · h^<T_x> is obtained by running the sequence backward on the
    subsequence x^<s+1> … x^<T_x> started from h^<s> (its dh0)."""
    T = x.shape[2]
    out = [1.0]
    if kind == "rnn":
        a, _, _ = rnn_forward(x, h0, p)
    elif kind == "gru":
        a, _, _ = gru_forward(x, h0, p)
    else:
        a, _, c, _ = lstm_forward(x, h0, p)
    for k in range(1, T + 1):
        s = T - k                                       # state h^<s>, 0-based: h^<0> is the initial one
        if kind in ("rnn", "gru"):
            start = h0 if s == 0 else a[:, :, s - 1]
            sub = x[:, :, s:]
            da = np.zeros((N_A, M, sub.shape[2]))
            da[:, :, -1] = u
            if kind == "rnn":
                grads = rnn_backward(da, rnn_forward(sub, start, p)[2])
                dh = grads["da0"]
            else:
                grads = gru_backward(da, gru_forward(sub, start, p)[2])
                dh = grads["dc0"]
            out.append(np.linalg.norm(dh, axis=0).mean())
        else:
            a_start = h0 if s == 0 else a[:, :, s - 1]
            c_start = np.zeros_like(h0) if s == 0 else c[:, :, s - 1]
            sub = x[:, :, s:]
            da = np.zeros((N_A, M, sub.shape[2]))
            da[:, :, -1] = u
            grads = lstm_backward(da, lstm_forward(sub, a_start, p, c_start)[3])
            out.append(np.sqrt((grads["da0"] ** 2).sum(0) + (grads["dc0"] ** 2).sum(0)).mean())
    return np.array(out)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_state_gradient_norms_equal_an_independent_backward(x, kind):
    h0 = np.zeros((N_A, M))
    if kind == "rnn":
        p = init_rnn_parameters(N_X, N_A, seed=3)
        caches = rnn_forward(x, h0, p)[2]
    elif kind == "gru":
        p = init_gru_parameters(N_X, N_A, seed=3)
        caches = gru_forward(x, h0, p)[2]
    else:
        p = init_lstm_parameters(N_X, N_A, seed=3)
        caches = lstm_forward(x, h0, p)[3]
    norms = state_gradient_norms(kind, caches, seed=11)
    u = np.random.default_rng(11).standard_normal((N_A, M))
    u /= np.linalg.norm(u, axis=0, keepdims=True)
    reference = _norms_by_sequence_backward(kind, x, h0, p, u)
    assert norms.shape == (T_X + 1,) and norms[0] == 1.0
    np.testing.assert_allclose(norms, reference, rtol=1e-10)


def test_state_gradient_norms_closed_gate_keeps_the_gradient(rng):
    x = rng.standard_normal((N_X, M, 30))
    p = init_gru_parameters(N_X, N_A, seed=0, variant="simplified")
    p_closed = {**p, "bu": np.full((N_A, 1), -12.0)}          # Γ_u ≈ 6e-6: dc^<t-1> ≈ dc^<t>
    _, _, caches = gru_forward(x, np.zeros((N_A, M)), p_closed, variant="simplified")
    np.testing.assert_allclose(state_gradient_norms("gru", caches), 1.0, atol=1e-3)
    _, _, caches = gru_forward(x, np.zeros((N_A, M)), p, variant="simplified")
    assert state_gradient_norms("gru", caches)[-1] < 1e-3


def test_state_gradient_norms_peephole_equals_lstm_when_p_is_zero(x):
    p = init_lstm_parameters(N_X, N_A, seed=4)
    _, _, _, caches = lstm_forward(x, np.zeros((N_A, M)), p)
    _, _, _, caches_p = peephole_lstm_forward(x, np.zeros((N_A, M)), lstm_to_peephole(p))
    np.testing.assert_allclose(state_gradient_norms("peephole_lstm", caches_p), state_gradient_norms("lstm", caches),
                               rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_to_peephole_is_the_same_cell(x, rng, dtype):
    p = {k: (0.5 * rng.standard_normal(v.shape)).astype(dtype) for k, v in init_lstm_parameters(N_X, N_A).items()}
    p["Wy"], p["by"] = rng.standard_normal((2, N_A)).astype(dtype), np.zeros((2, 1), dtype)
    q = lstm_to_peephole(p)
    assert q["W"].shape == (4 * N_A, N_X) and q["R"].shape == (4 * N_A, N_A)
    assert q["P"].shape == (3 * N_A, 1) and not q["P"].any() and q["b"].shape == (4 * N_A, 1)
    assert all(v.dtype == dtype for v in q.values())
    # row blocks [z; i; f; o] = [c̃; Γ_u; Γ_f; Γ_o]
    for name, (symbol, block) in GREFF_TO_COURSE.items():
        if block is None:
            continue
        gate = {"c_tilde": "c", "Gamma_u": "u", "Gamma_f": "f", "Gamma_o": "o"}[symbol]
        rows = slice(block * N_A, (block + 1) * N_A)
        assert np.array_equal(q["W"][rows], p["W" + gate][:, N_A:])
        assert np.array_equal(q["R"][rows], p["W" + gate][:, :N_A])
        assert np.array_equal(q["b"][rows], p["b" + gate])
    xs = x.astype(dtype)
    a0 = rng.standard_normal((N_A, M)).astype(dtype)
    c0 = rng.standard_normal((N_A, M)).astype(dtype)
    a1, y1, c1, caches1 = lstm_forward(xs, a0, p, c0)
    a2, y2, c2, caches2 = peephole_lstm_forward(xs, a0, q, c0)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(a1, a2, atol=tol)
    np.testing.assert_allclose(c1, c2, atol=tol)
    np.testing.assert_allclose(y1, y2, atol=tol)
    back = peephole_to_lstm(q)
    assert set(back) == set(p) and all(np.array_equal(back[k], p[k]) for k in p)
    # and the gradients agree block by block
    da = rng.standard_normal(a1.shape).astype(dtype)
    g1, g2 = lstm_backward(da, caches1), peephole_lstm_backward(da, caches2)
    np.testing.assert_allclose(g2["dW"][3 * N_A:], g1["dWo"][:, N_A:], atol=10 * tol)
    np.testing.assert_allclose(g2["dx"], g1["dx"], atol=10 * tol)


def test_peephole_to_lstm_rejects_peepholes_and_bad_dicts():
    q = init_peephole_lstm_parameters(N_X, N_A, seed=0)
    with pytest.raises(ValueError, match="P"):
        peephole_to_lstm(q)                                   # random P ≠ 0
    with pytest.raises(ValueError, match="missing"):
        peephole_to_lstm({"W": q["W"]})
    with pytest.raises(TypeError):
        peephole_to_lstm([q["W"]])
    with pytest.raises(ValueError, match="R"):
        peephole_to_lstm({**q, "P": np.zeros_like(q["P"]), "R": q["R"][:-1]})
    with pytest.raises(ValueError, match="b"):
        peephole_to_lstm({**q, "P": np.zeros_like(q["P"]), "b": q["b"][:-2]})


def test_lstm_to_peephole_rejects_bad_dicts():
    p = init_lstm_parameters(N_X, N_A, seed=0)
    with pytest.raises(TypeError):
        lstm_to_peephole([p["Wf"]])
    with pytest.raises(ValueError, match="missing"):
        lstm_to_peephole({k: v for k, v in p.items() if k != "Wo"})
    with pytest.raises(ValueError, match="W_f"):
        lstm_to_peephole({**p, "Wf": p["Wf"][:, :N_A]})       # no input columns
    with pytest.raises(ValueError, match="W_c"):
        lstm_to_peephole({**p, "Wc": p["Wc"][:, :-1]})
    with pytest.raises(TypeError):
        lstm_to_peephole({**p, "bo": p["bo"].astype(np.float32)})
