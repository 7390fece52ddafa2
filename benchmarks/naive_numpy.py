"""The textbook NumPy implementation, the baseline of the speed benchmark.

Written the way a first implementation usually is (and the way the cell functions of
the course read): every time step concatenates [a^<t-1>; x^<t>], multiplies it by each
gate matrix separately, allocates every intermediate, and stores a cache per step; the
backward pass walks the steps back, calling a cell backward that recomputes the
concatenation and adds each step's dW_* into the totals.  Nothing is hoisted out of the
time loop and no gate matrices are fused.

Same parameter dicts, layout and equations as :mod:`seqlab.numpy` (x is (n_x, m, T_x));
the GRU is the reset-after variant of ``torch.nn.GRU``::

    RNN   a^<t> = tanh(W_ax x^<t> + W_aa a^<t-1> + b_a)
    GRU   Γ_r = σ(W_r [c^<t-1>; x^<t>] + b_r),  Γ_u = σ(W_u [c^<t-1>; x^<t>] + b_u),
          c̃ = tanh(W_cx x^<t> + b_c + Γ_r ⊙ (W_ca c^<t-1> + b_ca)),  c^<t> = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c^<t-1>
    LSTM  Γ_f, Γ_u, Γ_o = σ(W_* [a^<t-1>; x^<t>] + b_*),  c̃ = tanh(W_c [a^<t-1>; x^<t>] + b_c),
          c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃,  a^<t> = Γ_o ⊙ tanh(c^<t>)

Each ``*_forward(x, a0, p)`` returns ``(a, caches)``; each ``*_backward(da, caches)`` returns
the gradient dict with ``dx`` and the weight gradients.  No input checks: this file is a
benchmark baseline, not part of the package.
"""
from __future__ import annotations

import numpy as np

__all__ = ["rnn_forward", "rnn_backward", "gru_forward", "gru_backward", "lstm_forward", "lstm_backward",
           "FORWARD", "BACKWARD"]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- RNN
def rnn_forward(x, a0, p):
    n_x, m, T_x = x.shape
    a = np.zeros((p["Waa"].shape[0], m, T_x), dtype=x.dtype)
    caches, a_prev = [], a0
    for t in range(T_x):
        xt = x[:, :, t]
        a_next = np.tanh(p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"])
        a[:, :, t] = a_next
        caches.append((a_next, a_prev, xt))
        a_prev = a_next
    return a, (caches, p)


def rnn_backward(da, caches):
    caches, p = caches
    n_a, m, T_x = da.shape
    grads = {"dx": np.zeros((p["Wax"].shape[1], m, T_x), dtype=da.dtype),
             "dWax": np.zeros_like(p["Wax"]), "dWaa": np.zeros_like(p["Waa"]), "dba": np.zeros_like(p["ba"])}
    da_next = np.zeros((n_a, m), dtype=da.dtype)
    for t in reversed(range(T_x)):
        a_next, a_prev, xt = caches[t]
        dz = (da[:, :, t] + da_next) * (1 - a_next ** 2)
        grads["dx"][:, :, t] = p["Wax"].T @ dz
        grads["dWax"] += dz @ xt.T
        grads["dWaa"] += dz @ a_prev.T
        grads["dba"] += np.sum(dz, axis=1, keepdims=True)
        da_next = p["Waa"].T @ dz
    grads["da0"] = da_next
    return grads


# ----------------------------------------------------------------------------- GRU (reset-after)
def gru_cell_forward(xt, c_prev, p):
    n_a = c_prev.shape[0]
    concat = np.concatenate([c_prev, xt], axis=0)
    gamma_r = sigmoid(p["Wr"] @ concat + p["br"])
    gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])
    hc = p["Wc"][:, :n_a] @ c_prev + p["bca"]
    c_tilde = np.tanh(p["Wc"][:, n_a:] @ xt + p["bc"] + gamma_r * hc)
    c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev
    return c_next, (c_next, c_prev, xt, gamma_r, gamma_u, hc, c_tilde)


def gru_cell_backward(dc_next, cache, p):
    c_next, c_prev, xt, gamma_r, gamma_u, hc, c_tilde = cache
    n_a = c_prev.shape[0]
    concat = np.concatenate([c_prev, xt], axis=0)
    dc_tilde = dc_next * gamma_u
    dgamma_u = dc_next * (c_tilde - c_prev)
    dz_c = dc_tilde * (1 - c_tilde ** 2)
    dgamma_r = dz_c * hc
    dhc = dz_c * gamma_r
    dz_u = dgamma_u * gamma_u * (1 - gamma_u)
    dz_r = dgamma_r * gamma_r * (1 - gamma_r)
    dconcat = p["Wr"].T @ dz_r + p["Wu"].T @ dz_u
    dc_prev = dc_next * (1 - gamma_u) + dconcat[:n_a] + p["Wc"][:, :n_a].T @ dhc
    dxt = dconcat[n_a:] + p["Wc"][:, n_a:].T @ dz_c
    grads = {"dWr": dz_r @ concat.T, "dbr": np.sum(dz_r, axis=1, keepdims=True),
             "dWu": dz_u @ concat.T, "dbu": np.sum(dz_u, axis=1, keepdims=True),
             "dWc": np.concatenate([dhc @ c_prev.T, dz_c @ xt.T], axis=1),
             "dbc": np.sum(dz_c, axis=1, keepdims=True), "dbca": np.sum(dhc, axis=1, keepdims=True)}
    return dxt, dc_prev, grads


def gru_forward(x, c0, p):
    n_x, m, T_x = x.shape
    c = np.zeros((c0.shape[0], m, T_x), dtype=x.dtype)
    caches, c_prev = [], c0
    for t in range(T_x):
        c_prev, cache = gru_cell_forward(x[:, :, t], c_prev, p)
        c[:, :, t] = c_prev
        caches.append(cache)
    return c, (caches, p)


def gru_backward(dc, caches):
    caches, p = caches
    n_a, m, T_x = dc.shape
    grads = {"dx": np.zeros((caches[0][2].shape[0], m, T_x), dtype=dc.dtype)}
    for k in ("Wr", "br", "Wu", "bu", "Wc", "bc", "bca"):
        grads["d" + k] = np.zeros_like(p[k])
    dc_next = np.zeros((n_a, m), dtype=dc.dtype)
    for t in reversed(range(T_x)):
        dxt, dc_next, step = gru_cell_backward(dc[:, :, t] + dc_next, caches[t], p)
        grads["dx"][:, :, t] = dxt
        for k, v in step.items():
            grads[k] += v
    grads["dc0"] = dc_next
    return grads


# ----------------------------------------------------------------------------- LSTM
def lstm_cell_forward(xt, a_prev, c_prev, p):
    concat = np.concatenate([a_prev, xt], axis=0)
    gamma_f = sigmoid(p["Wf"] @ concat + p["bf"])
    gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])
    c_tilde = np.tanh(p["Wc"] @ concat + p["bc"])
    c_next = gamma_f * c_prev + gamma_u * c_tilde
    gamma_o = sigmoid(p["Wo"] @ concat + p["bo"])
    a_next = gamma_o * np.tanh(c_next)
    return a_next, c_next, (a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt)


def lstm_cell_backward(da_next, dc_next, cache, p):
    a_next, c_next, a_prev, c_prev, gamma_f, gamma_u, c_tilde, gamma_o, xt = cache
    n_a = a_prev.shape[0]
    concat = np.concatenate([a_prev, xt], axis=0)
    dgamma_o = da_next * np.tanh(c_next)
    dc = dc_next + da_next * gamma_o * (1 - np.tanh(c_next) ** 2)
    dz_o = dgamma_o * gamma_o * (1 - gamma_o)
    dz_c = dc * gamma_u * (1 - c_tilde ** 2)
    dz_u = dc * c_tilde * gamma_u * (1 - gamma_u)
    dz_f = dc * c_prev * gamma_f * (1 - gamma_f)
    grads = {}
    dconcat = np.zeros_like(concat)
    for g, dz in (("f", dz_f), ("u", dz_u), ("c", dz_c), ("o", dz_o)):
        grads["dW" + g] = dz @ concat.T
        grads["db" + g] = np.sum(dz, axis=1, keepdims=True)
        dconcat += p["W" + g].T @ dz
    return dconcat[n_a:], dconcat[:n_a], dc * gamma_f, grads


def lstm_forward(x, a0, p):
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    a = np.zeros((n_a, m, T_x), dtype=x.dtype)
    caches, a_prev, c_prev = [], a0, np.zeros_like(a0)
    for t in range(T_x):
        a_prev, c_prev, cache = lstm_cell_forward(x[:, :, t], a_prev, c_prev, p)
        a[:, :, t] = a_prev
        caches.append(cache)
    return a, (caches, p)


def lstm_backward(da, caches):
    caches, p = caches
    n_a, m, T_x = da.shape
    grads = {"dx": np.zeros((caches[0][8].shape[0], m, T_x), dtype=da.dtype)}
    for g in "fuco":
        grads["dW" + g] = np.zeros_like(p["W" + g])
        grads["db" + g] = np.zeros_like(p["b" + g])
    da_next = np.zeros((n_a, m), dtype=da.dtype)
    dc_next = np.zeros_like(da_next)
    for t in reversed(range(T_x)):
        dxt, da_next, dc_next, step = lstm_cell_backward(da[:, :, t] + da_next, dc_next, caches[t], p)
        grads["dx"][:, :, t] = dxt
        for k, v in step.items():
            grads[k] += v
    grads.update(da0=da_next, dc0=dc_next)
    return grads


FORWARD = {"rnn": rnn_forward, "gru": gru_forward, "lstm": lstm_forward}
BACKWARD = {"rnn": rnn_backward, "gru": gru_backward, "lstm": lstm_backward}
