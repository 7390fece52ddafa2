"""Whole sequences with a hand-written backward pass: BPTT as ONE autograd node.

:func:`seqlab.torch.functional.run_sequence` builds the recurrence from tensor operations and
lets autograd differentiate it: every step leaves about ten nodes in the graph, and the
backward pass walks them one by one, allocating a tensor per node.  This module computes
the same sequences (same equations, same values) as one ``torch.autograd.Function`` per
layer and direction, written like the NumPy sequence functions of :mod:`seqlab.numpy`:

* forward: the input projection of every step is one matmul (``F.linear`` on
  ``(T_x, m, n_x)``); the time loop does one ``addmm`` (the recurrent part) and a few
  in-place gate operations per step into preallocated buffers, and keeps the gate values;
* backward: the local derivatives of every gate (σ' = Γ(1 − Γ), tanh' = 1 − c̃², ...) are
  computed for ALL steps at once before the loop; the loop then does only the recurrence
  (a handful of element-wise products and one ``addmm`` per step) and writes dz^<t>, the
  pre-activation gradients, into one ``(T_x, m, G n_a)`` tensor (over the coefficients,
  in place); dW_ih, dW_hh, db and dx are then one matmul (or sum) each: dW_ih = Σ_t
  dz^<t>ᵀ x^<t> is ``dzᵀ x`` on ``(T_x m, ·)`` views.

Speed comes from doing less per step, not from cleverness in the equations: on a CPU a
small tensor operation costs a few microseconds whatever its length, so the loops issue as
few operations as the equations allow, every per-step view is made once before the loop,
and the big element-wise passes avoid fresh memory where a buffer can be reused.

Supported: the RNN (tanh and ReLU), the reset-after GRU (``torch.nn.GRU``) and the LSTM
(:data:`FUSED_CELLS`); the other cells use the autograd path.  The backward pass is not
itself differentiable: ``create_graph=True`` raises a ``RuntimeError`` (set
``layer.fused = False`` for double backward).

Layout as in :mod:`seqlab.torch.functional`: ``x`` (T_x, m, n_x), states (m, n_a), torch's
fused row blocks.  RNN and GRU states live in a buffer ``S`` of ``T_x + 2`` rows: ``S[t + 1]``
is a^<t> for t = 1..T_x (0-based t + 1), and a^<0> sits in ``S[0]`` (forward direction) or
``S[T_x + 1]`` (reverse direction, t = T_x..1), so that the previous states of all steps
form one contiguous slice for dW_hh.  The LSTM writes a^<t> straight into its output, which
it keeps for backward (as torch.nn.LSTM does: changing it in place before backward is an
error); its dW_hh is one product over the steps whose previous state is an output plus the
step of a^<0> (:func:`_recurrent_weight_grad`).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .functional import Weights

__all__ = ["FUSED_CELLS", "supports_fused", "run_fused"]

#: (kind, option) pairs computed here; option is the RNN's nonlinearity or the GRU's variant.
FUSED_CELLS = (("rnn", "tanh"), ("rnn", "relu"), ("gru", "reset_after"), ("lstm", None))

DOUBLE_BACKWARD = ("seqlab.torch's fused sequence backward (seqlab.torch.fused) is not differentiable "
                   "itself, so create_graph=True / double backward is not supported through it; set "
                   "`layer.fused = False` to use the autograd-from-tensor-operations path, which is")



def supports_fused(kind: str, option: str | None) -> bool:
    """Whether :func:`run_fused` computes this cell (defaults: RNN tanh, GRU reset_after)."""
    if kind == "rnn":
        option = option or "tanh"
    elif kind == "gru":
        option = option or "reset_after"
    return (kind, option) in FUSED_CELLS


def run_fused(kind: str, x: torch.Tensor, state: tuple[torch.Tensor, ...], w: Weights,
              option: str | None = None, reverse: bool = False) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """Same contract as :func:`seqlab.torch.functional.run_sequence`: ``a`` (T_x, m, n_a) in
    time order and the final state, with the whole BPTT in one autograd node."""
    if kind == "lstm":
        out, h_n, c_n = _LSTMSequence.apply(x, state[0], state[1], w.w_ih, w.w_hh, w.b_ih, w.b_hh, reverse)
        return out, (h_n, c_n)
    if kind == "rnn":
        out, h_n = _RNNSequence.apply(x, state[0], w.w_ih, w.w_hh, w.b_ih, w.b_hh, reverse,
                                      (option or "tanh") == "relu")
        return out, (h_n,)
    if kind == "gru" and (option or "reset_after") == "reset_after":
        out, h_n = _GRUSequence.apply(x, state[0], w.w_ih, w.w_hh, w.b_ih, w.b_hh, reverse)
        return out, (h_n,)
    raise ValueError(f"no fused sequence for kind={kind!r}, option={option!r}; fused cells: {FUSED_CELLS}")


# ----------------------------------------------------------------------------- helpers
def _steps(T: int, reverse: bool) -> tuple[list[int], int]:
    """Time indices in processing order, and the row of ``S`` that holds the initial state."""
    return (list(range(T - 1, -1, -1)), T + 1) if reverse else (list(range(T)), 0)


def _prev(t: int, reverse: bool) -> int:
    """Row of ``S`` holding the state before step t (a^<t-1>, or a^<t+1> in reverse)."""
    return t + 2 if reverse else t


def _prev_rows(S: torch.Tensor, reverse: bool) -> torch.Tensor:
    """The previous state of every step t = 0..T_x-1, as one contiguous (T_x, m, n_a) slice."""
    T = S.shape[0] - 2
    return S[2:T + 2] if reverse else S[:T]


def _check_once_differentiable() -> None:
    if torch.is_grad_enabled():
        raise RuntimeError(DOUBLE_BACKWARD)


def _weight_grads(ctx, dz: torch.Tensor, x, prev, w_ih, i_x, i_wih, i_whh):
    """dx = dz W_ih, dW_ih = dzᵀ x, dW_hh = dzᵀ a^<t-1> over all steps: one matmul each.

    ``i_x``, ``i_wih``, ``i_whh`` are the positions of x, W_ih, W_hh among the inputs of the
    Function (``None``: not wanted); a gradient is computed only when autograd needs it.
    """
    T, m, rows = dz.shape
    dz2 = dz.reshape(T * m, rows)

    def needed(i):
        return i is not None and ctx.needs_input_grad[i]
    dx = (dz2 @ w_ih).reshape(x.shape) if needed(i_x) else None
    dw_ih = dz2.t() @ x.reshape(T * m, -1) if needed(i_wih) else None
    dw_hh = dz2.t() @ prev.reshape(T * m, -1) if needed(i_whh) else None
    return dx, dw_ih, dw_hh


def _recurrent_weight_grad(dz: torch.Tensor, a: torch.Tensor, a0: torch.Tensor, reverse: bool) -> torch.Tensor:
    """dW_hh = Σ_t dz^<t>ᵀ a^<t-1> when the states a^<t> (T_x, m, n_a) and a^<0> are apart:
    one matmul over the steps whose previous state is an output, plus the step of a^<0>."""
    T, rows, n = dz.shape[0], dz.shape[2], a.shape[2]
    first, dz_rest, a_rest = (T - 1, dz[:-1], a[1:]) if reverse else (0, dz[1:], a[:-1])
    dw = dz[first].t() @ a0
    if T > 1:
        dw.addmm_(dz_rest.reshape(-1, rows).t(), a_rest.reshape(-1, n))
    return dw


# ----------------------------------------------------------------------------- the RNN
class _RNNSequence(torch.autograd.Function):
    """a^<t> = g(W_ax x^<t> + W_aa a^<t-1> + b_a); backward dz^<t> = (da^<t> + W_aaᵀ dz^<t+1>) ⊙ g'."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse, relu):
        T, m, _ = x.shape
        b = None if b_ih is None else b_ih + b_hh
        Z = F.linear(x, w_ih, b).unbind(0)              # W_ax x^<t> + b_a for every t: one matmul
        S = x.new_empty(T + 2, m, w_hh.shape[1])
        order, first = _steps(T, reverse)
        S[first] = h0
        rows = S.unbind(0)
        w_hh_t = w_hh.t().contiguous()     # a contiguous (n_a, ·) operand: faster small GEMMs
        for t in order:
            a_t = torch.addmm(Z[t], rows[_prev(t, reverse)], w_hh_t, out=rows[t + 1])
            if relu:
                a_t.relu_()
            else:
                a_t.tanh_()
        ctx.save_for_backward(x, w_ih, w_hh, S)
        ctx.reverse, ctx.relu, ctx.has_bias = reverse, relu, b_ih is not None
        return S[1:T + 1].clone(), S[order[-1] + 1].clone()

    @staticmethod
    def backward(ctx, d_out, d_hn):
        _check_once_differentiable()
        x, w_ih, w_hh, S = ctx.saved_tensors
        T = x.shape[0]
        a = S[1:T + 1]
        dz = (a > 0).to(a.dtype) if ctx.relu else torch.addcmul(torch.ones_like(a), a, a, value=-1)   # g'(z^<t>)
        dzs, d_outs = dz.unbind(0), d_out.unbind(0)                  # dz^<t> overwrites g'(z^<t>), in place
        order, _ = _steps(T, ctx.reverse)
        back = order[::-1]
        da = d_outs[back[0]] + d_hn
        for k, t in enumerate(back):
            dzs[t].mul_(da)                                          # dz^<t> = da^<t> ⊙ g'(z^<t>)
            if k + 1 < len(back):
                da = torch.addmm(d_outs[back[k + 1]], dzs[t], w_hh)   # + W_aaᵀ dz^<t> for step t-1
            else:
                da = dzs[t] @ w_hh
        dx, dw_ih, dw_hh = _weight_grads(ctx, dz, x, _prev_rows(S, ctx.reverse), w_ih, 0, 2, 3)
        db = dz.sum((0, 1)) if ctx.has_bias else None
        return dx, da, dw_ih, dw_hh, db, (None if db is None else db.clone()), None, None


# ----------------------------------------------------------------------------- the GRU (reset-after)
class _GRUSequence(torch.autograd.Function):
    """torch.nn.GRU, rows [r; z; n] with z = 1 − Γ_u:
    Γ_r, z = σ(W_i{r,z} x + b_i{r,z} + W_h{r,z} c^<t-1> + b_h{r,z}),
    c̃ = tanh(W_in x + b_in + Γ_r ⊙ (W_hn c^<t-1> + b_hn)), c^<t> = c̃ + z ⊙ (c^<t-1> − c̃).
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
        T, m, _ = x.shape
        n = w_hh.shape[1]
        XP = F.linear(x, w_ih, b_ih)                    # input part of [r; z; n] for every t
        HP = x.new_empty(T, m, 3 * n)                   # W_hh c^<t-1> + b_hh of every step
        S = x.new_empty(T + 2, m, n)
        order, first = _steps(T, reverse)
        S[first] = h0
        rows, hps = S.unbind(0), HP.unbind(0)
        # the per-step views of the row blocks, made once (a view costs as much as a small operation)
        rzs, c_tildes, gamma_rs, zs = (v.unbind(0) for v in (XP[..., :2 * n], XP[..., 2 * n:],
                                                               XP[..., :n], XP[..., n:2 * n]))
        hp_rzs, hp_ns = HP[..., :2 * n].unbind(0), HP[..., 2 * n:].unbind(0)
        w_hh_t = w_hh.t().contiguous()
        for t in order:
            prev = rows[_prev(t, reverse)]
            if b_hh is None:
                torch.mm(prev, w_hh_t, out=hps[t])
            else:
                torch.addmm(b_hh, prev, w_hh_t, out=hps[t])
            rzs[t].add_(hp_rzs[t]).sigmoid_()                       # Γ_r, z
            c_tilde = c_tildes[t].addcmul_(gamma_rs[t], hp_ns[t]).tanh_()
            torch.lerp(c_tilde, prev, zs[t], out=rows[t + 1])       # c̃ + z ⊙ (c^<t-1> − c̃)
        ctx.save_for_backward(x, w_ih, w_hh, XP, HP, S)
        ctx.reverse, ctx.has_bias = reverse, b_ih is not None
        return S[1:T + 1].clone(), S[order[-1] + 1].clone()

    @staticmethod
    def backward(ctx, d_out, d_hn):
        _check_once_differentiable()
        x, w_ih, w_hh, XP, HP, S = ctx.saved_tensors
        T, m, three_n = XP.shape
        n = three_n // 3
        r, z, c_tilde = XP.chunk(3, 2)
        prev = _prev_rows(S, ctx.reverse)
        # local derivatives of every step at once: the gradient of the recurrent part
        # [W_h{r,z,n} c^<t-1> + b_h] of step t is dc^<t> ⊙ coef
        a1 = torch.addcmul(1 - z, 1 - z, c_tilde * c_tilde, value=-1)   # (1 − z)(1 − c̃²)
        coef = torch.empty_like(XP)
        coef_r, coef_z, coef_n = coef.chunk(3, 2)
        torch.mul(a1, HP[..., 2 * n:], out=coef_r).mul_(r).mul_(1 - r)
        torch.sub(prev, c_tilde, out=coef_z).mul_(z).mul_(1 - z)
        torch.mul(a1, r, out=coef_n)
        d_hp = coef                                            # gradients of the recurrent part, in place of coef
        dc = torch.empty_like(S[1:T + 1])                      # dL/dc^<t>, all sources
        d_hps, dcs_1 = d_hp.view(T, m, 3, n).unbind(0), dc.unsqueeze(2).unbind(0)
        dcs, d_outs, zs, d_hp2 = dc.unbind(0), d_out.unbind(0), z.unbind(0), d_hp.unbind(0)
        order, _ = _steps(T, ctx.reverse)
        back = order[::-1]
        torch.add(d_outs[back[0]], d_hn, out=dcs[back[0]])
        for k, t in enumerate(back):
            d_hps[t].mul_(dcs_1[t])
            if k + 1 < len(back):
                nxt = back[k + 1]
                torch.addcmul(d_outs[nxt], dcs[t], zs[t], out=dcs[nxt]).addmm_(d_hp2[t], w_hh)
            else:
                dc0 = torch.addmm(dcs[t] * zs[t], d_hp2[t], w_hh)
        d_xp = d_hp.clone()                                    # the input part differs in the c̃ rows
        torch.mul(dc, a1, out=d_xp[..., 2 * n:])
        dx, dw_ih, _ = _weight_grads(ctx, d_xp, x, None, w_ih, 0, 2, None)
        _, _, dw_hh = _weight_grads(ctx, d_hp, None, prev, None, None, None, 3)
        db_ih = d_xp.sum((0, 1)) if ctx.has_bias else None
        db_hh = d_hp.sum((0, 1)) if ctx.has_bias else None
        return dx, dc0, dw_ih, dw_hh, db_ih, db_hh, None


# ----------------------------------------------------------------------------- the LSTM
class _LSTMSequence(torch.autograd.Function):
    """torch's rows [i; f; g; o] = [Γ_u; Γ_f; c̃; Γ_o]:
    c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃, a^<t> = Γ_o ⊙ tanh(c^<t>); backward::

        dc = dc^<t> + da ⊙ Γ_o ⊙ (1 − tanh² c^<t>)
        dz_u = dc ⊙ c̃ Γ_u(1 − Γ_u),  dz_f = dc ⊙ c^<t-1> Γ_f(1 − Γ_f),
        dz_c = dc ⊙ Γ_u (1 − c̃²),    dz_o = da ⊙ tanh(c^<t>) Γ_o(1 − Γ_o),
        dc^<t-1> = dc ⊙ Γ_f,  da^<t-1> = W_hhᵀ dz^<t>

    The forward pass computes c̃ = tanh(z_c) as 1 − 2σ(−2 z_c), with the c̃ rows of the
    weights and bias multiplied by −2 (exact in floating point), so that one σ covers the four
    gates; the buffer holds s = σ(−2 z_c) there.  Then Γ_u ⊙ c̃ = Γ_u − 2 Γ_u ⊙ s is one
    ``addcmul``, and the cell update c^<t> = Γ_u ⊙ c̃ + Γ_f ⊙ c^<t-1> two.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
        T, m, _ = x.shape
        n = w_hh.shape[1]
        b = None if b_ih is None else _scale_c_rows(b_ih + b_hh, n)
        G = F.linear(x, _scale_c_rows(w_ih, n), b)      # input part of [i; f; −2 g; o] for every t
        A = x.new_empty(T, m, n)                        # a^<t>: the output, also kept for backward
        C = x.new_empty(T + 2, m, n)                    # c^<t>, c^<0> in row 0 (or T_x + 1 in reverse)
        TC = x.new_empty(T, m, n)                       # tanh(c^<t>)
        order, first = _steps(T, reverse)
        C[first] = c0
        # the views of each step, made once (a view costs as much as a small operation, and the
        # loop is dominated by such costs): the gate row, Γ_u, Γ_f, s, Γ_o, c^<t>, tanh c^<t>, a^<t>
        i_s, f_s, s_s, o_s = (block.unbind(0) for block in G.chunk(4, 2))
        gs, cells, tcs, outs = G.unbind(0), C.unbind(0), TC.unbind(0), A.unbind(0)
        steps = [(gs[t], i_s[t], f_s[t], s_s[t], o_s[t], cells[t + 1], tcs[t], outs[t]) for t in order]
        w_hh_t = w_hh.t().contiguous()                  # (n_a, 4 n_a): a contiguous operand, faster small GEMMs
        w_hh_t[:, 2 * n:3 * n] *= -2
        a, c = h0, cells[first]
        for g, i, f, s, o, c_next, tc, out in steps:
            torch.addmm(g, a, w_hh_t, out=g).sigmoid_()                         # Γ_u, Γ_f, s, Γ_o
            c = torch.addcmul(i, i, s, value=-2, out=c_next).addcmul_(f, c)    # Γ_u ⊙ c̃ + Γ_f ⊙ c^<t-1>
            a = torch.mul(o, torch.tanh(c, out=tc), out=out)                    # Γ_o ⊙ tanh(c^<t>)
        ctx.save_for_backward(x, h0, w_ih, w_hh, G, A, C, TC)
        ctx.reverse, ctx.has_bias = reverse, b_ih is not None
        # the output itself is returned (like torch.nn.LSTM's, it must not be modified in place
        # before backward); the final states are copies
        return A, a.clone(), c.clone()

    @staticmethod
    def backward(ctx, d_out, d_hn, d_cn):
        _check_once_differentiable()
        x, h0, w_ih, w_hh, G, A, C, TC = ctx.saved_tensors
        T, m, four_n = G.shape
        n = four_n // 4
        i, f, s, o = G.chunk(4, 2)
        # X^<t> = [Γ_f, coef^<t>] for every step, the local derivatives computed at once:
        # [Γ_f; dz^<t>] = X^<t> ⊙ [dc; dc; dc; dc; da], so that one product per step gives
        # dz^<t> and dc ⊙ Γ_f, the part of dc^<t-1> that flows through the cell
        X = x.new_empty(T, m, 5 * n)
        X[:, :, :n] = f
        coef = X[:, :, n:]
        torch.addcmul(G, G, G, value=-1, out=coef)                      # σ' = σ(1 − σ) of every block, then times:
        coef_i, coef_f, coef_c, coef_o = coef.chunk(4, 2)
        coef_i.addcmul_(coef_i, s, value=-2)                            # c̃ = 1 − 2s
        coef_f.mul_(_prev_rows(C, ctx.reverse))                         # c^<t-1>
        torch.addcmul(coef_c.new_zeros(()), coef_c, i, value=4, out=coef_c)   # Γ_u (1 − c̃²) = 4 Γ_u s(1 − s)
        coef_o.mul_(TC)                                                 # tanh(c^<t>)
        k1 = torch.addcmul(o, A, TC, value=-1)                          # Γ_o (1 − tanh² c^<t>) = Γ_o − a^<t> tanh(c^<t>)
        # E = [dc; dc; dc; dc; da] of the current step in one (m, 5, n) buffer (the cost of
        # these small operations is their call, not their length)
        E = x.new_empty(m, 5, n)
        E4, Eo = E[:, :4], E[:, 4]
        E_flat, Eo_1 = E.view(m, 5 * n), Eo.unsqueeze(1)
        dz = coef                                                       # dz^<t> overwrites coef^<t>, in place
        k1s = k1.unsqueeze(2).expand(T, m, 4, n).unbind(0)              # (m, 4, n) per step
        Xs, dc_fs = X.unbind(0), X[:, :, :n].unsqueeze(2).unbind(0)
        dzs, d_outs = dz.unbind(0), d_out.unbind(0)
        order, _ = _steps(T, ctx.reverse)
        back = order[::-1]
        dc_f = d_cn.unsqueeze(1)                                        # what reaches c^<T_x> from above
        torch.add(d_outs[back[0]], d_hn, out=Eo)
        for t, t_prev in zip(back, back[1:] + [None]):
            torch.addcmul(dc_f, Eo_1, k1s[t], out=E4)                   # dc = dc_f + da ⊙ Γ_o (1 − tanh² c)
            Xs[t].mul_(E_flat)                                          # dc ⊙ Γ_f, dz_u, dz_f, dz_c, dz_o
            dc_f = dc_fs[t]
            if t_prev is not None:
                torch.addmm(d_outs[t_prev], dzs[t], w_hh, out=Eo)       # da^<t-1> = d_out + W_hhᵀ dz
        # the first step's da and dc go to a^<0> and c^<0>
        da, dc = dzs[back[-1]] @ w_hh, dc_f.squeeze(1).clone()
        dx, dw_ih, _ = _weight_grads(ctx, dz, x, None, w_ih, 0, 3, None)
        dw_hh = _recurrent_weight_grad(dz, A, h0, ctx.reverse) if ctx.needs_input_grad[4] else None
        db = dz.sum((0, 1)) if ctx.has_bias else None
        return dx, da, dc, dw_ih, dw_hh, db, (None if db is None else db.clone()), None


def _scale_c_rows(t: torch.Tensor, n: int) -> torch.Tensor:
    """A copy of a fused LSTM weight (4 n, ·) or bias (4 n,) with its c̃ rows [2n, 3n) times −2."""
    out = t.clone()
    out[2 * n:3 * n] *= -2
    return out
