"""The recurrences of the course as tensor operations: one step, and a whole sequence.

Everything here is plain tensor algebra (``torch.addmm``, ``torch.sigmoid``, ...):
no ``torch.nn.RNN``/``GRU``/``LSTM`` and no fused recurrent kernels, so autograd gives the
backward pass and the code runs on any device.

Layout is torch's: ``x^<t>`` is a row batch ``(m, n_x)``, a sequence ``x`` is
``(T_x, m, n_x)``, ``a^<t>`` is ``(m, n_a)``.  Gate matrices are fused as in ``torch.nn``:
``W_ih`` is ``(G n_a, n_x)``, ``W_hh`` is ``(G n_a, n_a)`` with G row blocks.  A sequence
is computed in two parts:

1. :func:`project` -- the input part of every gate for all time steps at once,
   ``x^<t> W_ih^T + b`` for t = 1..T_x, is ONE matrix multiply of ``(T_x m, n_x)`` by
   ``(n_x, G n_a)``;
2. the time loop (:func:`run_sequence`) does only the recurrent matmul
   ``a^<t-1> W_hh^T`` and the pointwise gate arithmetic, iterating over
   ``xp.unbind(0)`` (indexing ``xp[t]`` would make the backward pass quadratic in T_x).

Row blocks (G) and equations, by cell:

================ ==================== ========================================================
kind / option    rows of W_ih, W_hh   equations (torch's z = 1 − Γ_u)
================ ==================== ========================================================
rnn              a (1 block)          a^<t> = g(W_ax x^<t> + W_aa a^<t-1> + b_a)
gru simplified   z, n (2)             c̃ = tanh(W_in x + W_hn c^<t-1> + b_n)
gru full         r, z, n (3)          c̃ = tanh(W_in x + W_hn (Γ_r ⊙ c^<t-1>) + b_n)
gru reset_after  r, z, n (3)          c̃ = tanh(W_in x + b_in + Γ_r ⊙ (W_hn c^<t-1> + b_hn))
lstm             i, f, g, o (4)       = Γ_u, Γ_f, c̃, Γ_o of the notes
peephole_lstm    z, i, f, o (4)       = c̃, Γ_u, Γ_f, Γ_o (Greff et al.), peepholes P
================ ==================== ========================================================
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F

__all__ = ["CELL_KINDS", "GRU_VARIANTS", "NONLINEARITIES", "GATE_BLOCKS", "Weights", "gate_blocks",
           "project", "make_step", "run_sequence"]

CELL_KINDS = ("rnn", "gru", "lstm", "peephole_lstm")
GRU_VARIANTS = ("simplified", "full", "reset_after")
NONLINEARITIES = ("tanh", "relu")
#: Number of fused row blocks G of W_ih and W_hh.
GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4, "peephole_lstm": 4}

State = tuple[torch.Tensor, ...]
Step = Callable[[torch.Tensor, State], State]


class Weights(NamedTuple):
    """The parameters of one cell (one layer, one direction).

    ``b_ih``/``b_hh`` are torch's two biases (``None`` when ``bias=False``); the peephole
    LSTM has a single bias, stored in ``b_ih``, and its peephole weights ``w_peep`` (3 n_a,)
    with rows [Γ_u; Γ_f; Γ_o].
    """

    w_ih: torch.Tensor
    w_hh: torch.Tensor
    b_ih: torch.Tensor | None
    b_hh: torch.Tensor | None
    w_peep: torch.Tensor | None = None


def gate_blocks(kind: str, option: str | None = None) -> int:
    """G, the number of fused gate blocks (the GRU "simplified" variant has no Γ_r: G = 2)."""
    return 2 if (kind == "gru" and option == "simplified") else GATE_BLOCKS[kind]


def _input_bias(kind: str, w: Weights, option: str | None) -> torch.Tensor | None:
    """The bias added in the projection: both biases where only their sum matters.

    For the reset-after GRU, b_hn sits inside Γ_r ⊙ (W_hn c^<t-1> + b_hn), so b_hh stays
    in the recurrent step and only b_ih is folded here.
    """
    if w.b_hh is None or (kind == "gru" and option == "reset_after"):
        return w.b_ih
    return w.b_ih + w.b_hh


def project(kind: str, x: torch.Tensor, w: Weights, option: str | None = None) -> torch.Tensor:
    """Input part of every gate, x^<t> W_ih^T + b, for all leading indices in one matmul.

    ``x`` is ``(..., n_x)``: ``(T_x, m, n_x)`` for a sequence or ``(m, n_x)`` for one step;
    the result is ``(..., G n_a)``.
    """
    return F.linear(x, w.w_ih, _input_bias(kind, w, option))


def _recurrent(a_prev: torch.Tensor, w_hh_t: torch.Tensor, add: torch.Tensor | None) -> torch.Tensor:
    """``add + a^<t-1> W_hh^T`` (one fused GEMM), or the bare product when ``add`` is None."""
    return a_prev.mm(w_hh_t) if add is None else torch.addmm(add, a_prev, w_hh_t)


def _rnn_step(w: Weights, nonlinearity: str) -> Step:
    """a^<t> = g(W_aa a^<t-1> + [W_ax x^<t> + b_a]), g = tanh or ReLU."""
    g = torch.tanh if nonlinearity == "tanh" else torch.relu
    w_hh_t = w.w_hh.t()

    def step(xp_t: torch.Tensor, state: State) -> State:
        return (g(_recurrent(state[0], w_hh_t, xp_t)),)
    return step


def _gru_simplified_step(w: Weights) -> Step:
    """Simplified GRU, rows [z; n] with z = 1 − Γ_u:

    c̃ = tanh(W_c[c^<t-1>; x^<t>] + b_c), Γ_u = σ(W_u[c^<t-1>; x^<t>] + b_u),
    c^<t> = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c^<t-1> = c̃ + z ⊙ (c^<t-1> − c̃).
    """
    w_hh_t = w.w_hh.t()

    def step(xp_t: torch.Tensor, state: State) -> State:
        c_prev = state[0]
        z_pre, n_pre = _recurrent(c_prev, w_hh_t, xp_t).chunk(2, 1)
        z, c_tilde = torch.sigmoid(z_pre), torch.tanh(n_pre)
        return (c_tilde + z * (c_prev - c_tilde),)
    return step


def _gru_full_step(w: Weights) -> Step:
    """Full GRU of Cho et al., rows [r; z; n]:

    Γ_r = σ(W_r[c^<t-1>; x^<t>] + b_r), c̃ = tanh(W_c[Γ_r ⊙ c^<t-1>; x^<t>] + b_c),
    c^<t> = Γ_u ⊙ c̃ + (1 − Γ_u) ⊙ c^<t-1>.  Γ_r acts before W_hn, so the loop does two
    recurrent matmuls: one for [r; z], one for n.
    """
    n_a = w.w_hh.shape[1]
    w_rz_t, w_n_t = w.w_hh[: 2 * n_a].t(), w.w_hh[2 * n_a:].t()

    def step(xp_t: torch.Tensor, state: State) -> State:
        c_prev = state[0]
        rz_in, n_in = xp_t[:, : 2 * n_a], xp_t[:, 2 * n_a:]
        r, z = torch.sigmoid(_recurrent(c_prev, w_rz_t, rz_in)).chunk(2, 1)
        c_tilde = torch.tanh(_recurrent(r * c_prev, w_n_t, n_in))
        return (c_tilde + z * (c_prev - c_tilde),)
    return step


def _gru_reset_after_step(w: Weights) -> Step:
    """Reset-after GRU (cuDNN, ``torch.nn.GRU``), rows [r; z; n]:

    c̃ = tanh(W_cx x^<t> + b_c + Γ_r ⊙ (W_ca c^<t-1> + b_ca)); same Γ_r, Γ_u and c^<t>.
    """
    n_a = w.w_hh.shape[1]
    w_hh_t = w.w_hh.t()

    def step(xp_t: torch.Tensor, state: State) -> State:
        c_prev = state[0]
        hp = _recurrent(c_prev, w_hh_t, w.b_hh)
        r, z = torch.sigmoid(xp_t[:, : 2 * n_a] + hp[:, : 2 * n_a]).chunk(2, 1)
        c_tilde = torch.tanh(xp_t[:, 2 * n_a:] + r * hp[:, 2 * n_a:])
        return (c_tilde + z * (c_prev - c_tilde),)
    return step


def _lstm_step(w: Weights) -> Step:
    """LSTM, rows [i; f; g; o] = [Γ_u; Γ_f; c̃; Γ_o]:

    c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃, a^<t> = Γ_o ⊙ tanh(c^<t>).
    """
    w_hh_t = w.w_hh.t()

    def step(xp_t: torch.Tensor, state: State) -> State:
        a_prev, c_prev = state
        i, f, g, o = _recurrent(a_prev, w_hh_t, xp_t).chunk(4, 1)
        c_next = torch.sigmoid(f) * c_prev + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_next), c_next
    return step


def _peephole_step(w: Weights) -> Step:
    """Peephole LSTM (Greff et al.), rows [c̃; Γ_u; Γ_f; Γ_o], peepholes P = [p_i; p_f; p_o]:

    c̃ = tanh(W_z x + R_z a^<t-1> + b_z), Γ_u = σ(W_i x + R_i a^<t-1> + p_i ⊙ c^<t-1> + b_i),
    Γ_f = σ(W_f x + R_f a^<t-1> + p_f ⊙ c^<t-1> + b_f), c^<t> = Γ_u ⊙ c̃ + Γ_f ⊙ c^<t-1>,
    Γ_o = σ(W_o x + R_o a^<t-1> + p_o ⊙ c^<t> + b_o), a^<t> = Γ_o ⊙ tanh(c^<t>).
    """
    r_t = w.w_hh.t()
    p_i, p_f, p_o = w.w_peep.chunk(3)

    def step(xp_t: torch.Tensor, state: State) -> State:
        a_prev, c_prev = state
        z, i, f, o = _recurrent(a_prev, r_t, xp_t).chunk(4, 1)
        c_next = (torch.sigmoid(i + p_i * c_prev) * torch.tanh(z)
                  + torch.sigmoid(f + p_f * c_prev) * c_prev)
        return torch.sigmoid(o + p_o * c_next) * torch.tanh(c_next), c_next
    return step


def make_step(kind: str, w: Weights, option: str | None = None) -> Step:
    """The recurrent part of one time step: ``step(xp_t, state) -> state``.

    ``xp_t`` is the projected input (m, G n_a) from :func:`project`; ``state`` is
    ``(a^<t-1>,)`` for rnn/gru and ``(a^<t-1>, c^<t-1>)`` for the LSTMs.  ``option`` is the
    RNN's nonlinearity or the GRU's variant.  Transposes and slices of the weights are
    taken once here, outside the time loop.
    """
    if kind == "rnn":
        return _rnn_step(w, option or "tanh")
    if kind == "gru":
        return {"simplified": _gru_simplified_step, "full": _gru_full_step,
                "reset_after": _gru_reset_after_step}[option or "reset_after"](w)
    if kind == "lstm":
        return _lstm_step(w)
    if kind == "peephole_lstm":
        return _peephole_step(w)
    raise ValueError(f"kind must be one of {', '.join(map(repr, CELL_KINDS))}; got {kind!r}")


def run_sequence(kind: str, x: torch.Tensor, state: State, w: Weights, option: str | None = None,
                 reverse: bool = False) -> tuple[torch.Tensor, State]:
    """Run one cell over a whole sequence ``x`` (T_x, m, n_x) from ``state`` (a^<0>[, c^<0>]).

    ``reverse=True`` runs t = T_x..1 (the backward direction a← of a bidirectional layer);
    the outputs are still returned in time order.  Returns ``a`` (T_x, m, n_a) and the
    final state.
    """
    xp = project(kind, x, w, option)        # (T_x, m, G n_a): one matmul for all t
    step = make_step(kind, w, option)
    steps = xp.unbind(0)
    outputs = []
    for xp_t in (reversed(steps) if reverse else steps):
        state = step(xp_t, state)
        outputs.append(state[0])
    if reverse:
        outputs.reverse()
    return torch.stack(outputs), state
