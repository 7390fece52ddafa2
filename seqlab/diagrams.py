"""Diagrams of recurrent networks, drawn by code (matplotlib) in the course's notation.

* :func:`draw_unrolled_rnn` -- the network unrolled over time: inputs x^<t>, the cell at
  each step with its hidden state a^<t>, the predictions ŷ^<t>, the shared weights W_ax,
  W_aa, W_ya, and optionally the per-step losses L^<t>, their sum L and the backward
  (BPTT) arrows.  ``kind`` draws the five architectures of chapter 5: one-to-one,
  one-to-many, many-to-one, many-to-many (T_x = T_y) and encoder–decoder (T_x ≠ T_y).
* :func:`draw_rnn_cell` -- one step inside the cell:
  a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a), ŷ^<t> = g_2(W_ya a^<t> + b_y).

Both return the :class:`matplotlib.axes.Axes` they drew on (a new figure when ``ax`` is
None), so chapters can combine them in subplots.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch

__all__ = ["ARCHITECTURES", "draw_unrolled_rnn", "draw_rnn_cell", "sym"]

#: the architectures :func:`draw_unrolled_rnn` draws
ARCHITECTURES = ("one_to_one", "one_to_many", "many_to_one", "many_to_many", "encoder_decoder")

FORWARD_COLOR = "0.25"
BACKWARD_COLOR = "tab:red"
CELL_COLOR = "#dbe9f6"
DECODER_COLOR = "#fde3c8"
# rows of the drawing (data coordinates)
_ROW_X, _ROW_A, _ROW_Y, _ROW_L, _ROW_TOTAL = 0.0, 1.25, 2.5, 3.55, 4.45
_CELL_W, _CELL_H = 0.62, 0.5
_DX = 1.45  # horizontal distance between two time steps


def _col(t: float) -> float:
    """Horizontal position of time step t."""
    return _DX * t


def sym(base: str, t: int | str) -> str:
    """Mathtext of a symbol at a time step: ``sym("x", 2)`` -> ``$x^{\\langle 2 \\rangle}$``."""
    hats = {"y_hat": r"\hat{y}", "L": r"\mathcal{L}"}
    return rf"${hats.get(base, base)}^{{\langle {t} \rangle}}$"


@dataclass
class _Plan:
    """Which time steps have an input, an output, and whether the step belongs to a decoder."""

    steps: int
    inputs: list[int]
    outputs: list[int]
    decoder_from: int | None = None      # first step of the decoder (encoder–decoder only)
    feedback: list[int] = field(default_factory=list)  # steps whose input is the previous ŷ


def _check_length(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def _plan(kind: str, T_x: int, T_y: int | None) -> _Plan:
    if kind not in ARCHITECTURES:
        raise ValueError(f"kind must be one of {', '.join(ARCHITECTURES)}; got {kind!r}")
    T_x = _check_length(T_x, "T_x")
    T_y = T_x if T_y is None else _check_length(T_y, "T_y")
    if kind == "one_to_one":
        if T_x != 1 or T_y != 1:
            raise ValueError(f"one_to_one has T_x = T_y = 1; got T_x = {T_x}, T_y = {T_y}")
        return _Plan(1, [1], [1])
    if kind == "one_to_many":
        return _Plan(T_y, [1], list(range(1, T_y + 1)), feedback=list(range(2, T_y + 1)))
    if kind == "many_to_one":
        return _Plan(T_x, list(range(1, T_x + 1)), [T_x])
    if kind == "many_to_many":
        if T_x != T_y:
            raise ValueError(f"many_to_many draws T_x = T_y; got T_x = {T_x}, T_y = {T_y} "
                             "(use kind='encoder_decoder' for T_x ≠ T_y)")
        return _Plan(T_x, list(range(1, T_x + 1)), list(range(1, T_x + 1)))
    steps = T_x + T_y
    return _Plan(steps, list(range(1, T_x + 1)), list(range(T_x + 1, steps + 1)), decoder_from=T_x + 1,
                 feedback=list(range(T_x + 2, steps + 1)))


def _new_axes(ax: Axes | None, width: float, height: float) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(width, height))
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def _box(ax: Axes, x: float, y: float, text: str, color: str, w: float = _CELL_W, h: float = _CELL_H,
         fontsize: float = 11) -> None:
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=color, edgecolor=FORWARD_COLOR, lw=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _label(ax: Axes, x: float, y: float, text: str, **kw) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=kw.pop("fontsize", 11), **kw)


def _arrow(ax: Axes, start, end, color: str = FORWARD_COLOR, style: str = "-|>", ls: str = "-",
           rad: float = 0.0, lw: float = 1.3) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle=style, color=color, lw=lw, linestyle=ls, shrinkA=0, shrinkB=0,
                                connectionstyle=f"arc3,rad={rad}", mutation_scale=12))


def _weight(ax: Axes, x: float, y: float, text: str, color: str = "0.35") -> None:
    ax.text(x, y, text, ha="left", va="center", fontsize=8, color=color)


def draw_unrolled_rnn(T_x: int = 4, T_y: int | None = None, *, kind: str = "many_to_many",
                      ax: Axes | None = None, weights: bool = True, loss: bool = False,
                      backward: bool = False, title: str | None = None) -> Axes:
    """Draw an RNN unrolled over its time steps.

    Parameters
    ----------
    T_x, T_y : input and output lengths (T_y defaults to T_x; one_to_many uses T_y,
        many_to_one T_x, encoder_decoder both).
    kind : one of :data:`ARCHITECTURES`.
    weights : label the arrows with the shared W_ax, W_aa, W_ya.
    loss : add the per-step losses L^<t> and their sum L = Σ_t L^<t>.
    backward : add the backward pass (red arrows from the loss back through ŷ^<t>,
        a^<t> and along the chain a^<t> → a^<t-1>: backpropagation through time);
        implies ``loss``.
    title : axes title.

    Returns the Axes drawn on.
    """
    plan = _plan(kind, T_x, T_y)
    loss = loss or backward
    top = _ROW_TOTAL + 0.4 if loss else _ROW_Y + 0.4
    left, right = _col(1) - 1.45, _col(plan.steps) + 0.7
    ax = _new_axes(ax, 0.85 * (right - left) + 0.4, 0.85 * (top + 0.65) + 0.4)
    _draw_chain(ax, plan, weights)
    _draw_inputs(ax, plan, weights)
    _draw_outputs(ax, plan, weights)
    if loss:
        _draw_loss(ax, plan)
    if backward:
        _draw_backward(ax, plan)
    ax.set_xlim(left, right)
    ax.set_ylim(_ROW_X - 0.65, top)
    if title:
        ax.set_title(title)
    return ax


def _cell_color(plan: _Plan, t: int) -> str:
    return DECODER_COLOR if plan.decoder_from and t >= plan.decoder_from else CELL_COLOR


def _offset(plan: _Plan) -> int:
    """Steps before the first output of the decoder (its ŷ are numbered from 1)."""
    return 0 if plan.decoder_from is None else plan.decoder_from - 1


def _draw_chain(ax: Axes, plan: _Plan, weights: bool) -> None:
    """a^<0> on the left, one cell per step, the arrows a^<t-1> -> a^<t> (W_aa)."""
    _label(ax, _col(1) - 1.15, _ROW_A, sym("a", 0))
    for t in range(1, plan.steps + 1):
        _box(ax, _col(t), _ROW_A, sym("a", t), _cell_color(plan, t))
        start = _col(1) - 0.85 if t == 1 else _col(t - 1) + _CELL_W / 2
        _arrow(ax, (start, _ROW_A), (_col(t) - _CELL_W / 2, _ROW_A))
        if weights and t > 1:
            _weight(ax, _col(t - 0.5) - 0.2, _ROW_A + 0.16, "$W_{aa}$")


def _draw_inputs(ax: Axes, plan: _Plan, weights: bool) -> None:
    for t in plan.inputs:
        _label(ax, _col(t), _ROW_X, sym("x", t))
        _arrow(ax, (_col(t), _ROW_X + 0.22), (_col(t), _ROW_A - _CELL_H / 2))
        if weights:
            _weight(ax, _col(t) + 0.06, (_ROW_X + _ROW_A) / 2 - 0.12, "$W_{ax}$")
    for t in plan.feedback:  # the previous prediction is the next input
        _label(ax, _col(t), _ROW_X, sym("y_hat", t - 1 - _offset(plan)), color="0.45")
        _arrow(ax, (_col(t), _ROW_X + 0.22), (_col(t), _ROW_A - _CELL_H / 2), color="0.45")
        _arrow(ax, (_col(t - 1) + 0.25, _ROW_Y), (_col(t) - 0.3, _ROW_X + 0.2), ls="--", rad=-0.3, color="0.6",
               lw=1.0)
    if plan.decoder_from is not None:
        start = plan.decoder_from
        _label(ax, _col(start), _ROW_X, "<go>", color="0.45", fontsize=9)
        _arrow(ax, (_col(start), _ROW_X + 0.22), (_col(start), _ROW_A - _CELL_H / 2), color="0.45")
        _label(ax, _col((1 + start - 1) / 2), _ROW_X - 0.45, "encoder", color="0.35", fontsize=9)
        _label(ax, _col((start + plan.steps) / 2), _ROW_X - 0.45, "decoder", color="0.35", fontsize=9)


def _draw_outputs(ax: Axes, plan: _Plan, weights: bool) -> None:
    for t in plan.outputs:
        _label(ax, _col(t), _ROW_Y, sym("y_hat", t - _offset(plan)))
        _arrow(ax, (_col(t), _ROW_A + _CELL_H / 2), (_col(t), _ROW_Y - 0.22))
        if weights:
            _weight(ax, _col(t) + 0.06, (_ROW_A + _ROW_Y) / 2 + 0.05, "$W_{ya}$")


def _draw_loss(ax: Axes, plan: _Plan) -> None:
    """L^<t> above every output and L = Σ_t L^<t> above them."""
    center = _col((plan.outputs[0] + plan.outputs[-1]) / 2)
    for t in plan.outputs:
        _label(ax, _col(t), _ROW_L, sym("L", t - _offset(plan)), color="0.15")
        _arrow(ax, (_col(t), _ROW_Y + 0.22), (_col(t), _ROW_L - 0.2))
        _arrow(ax, (_col(t), _ROW_L + 0.2), (center, _ROW_TOTAL - 0.2), color="0.6", lw=0.9)
    _label(ax, center, _ROW_TOTAL + 0.05, r"$\mathcal{L} = \sum_t \mathcal{L}^{\langle t \rangle}$")


def _draw_backward(ax: Axes, plan: _Plan) -> None:
    """Red arrows of backpropagation through time, beside the forward ones."""
    dx, dy = 0.2, 0.14
    for t in plan.outputs:
        _arrow(ax, (_col(t) - dx, _ROW_L - 0.2), (_col(t) - dx, _ROW_Y + 0.2), color=BACKWARD_COLOR)
        _arrow(ax, (_col(t) - dx, _ROW_Y - 0.2), (_col(t) - dx, _ROW_A + _CELL_H / 2), color=BACKWARD_COLOR)
    for t in range(plan.steps, 1, -1):
        _arrow(ax, (_col(t) - _CELL_W / 2, _ROW_A - dy), (_col(t - 1) + _CELL_W / 2, _ROW_A - dy),
               color=BACKWARD_COLOR)
    _arrow(ax, (_col(1) - _CELL_W / 2, _ROW_A - dy), (_col(1) - 0.85, _ROW_A - dy), color=BACKWARD_COLOR)


def draw_rnn_cell(ax: Axes | None = None, activation: str = "tanh", output: str = "softmax") -> Axes:
    """Draw one RNN step: a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a), ŷ^<t> = g_2(W_ya a^<t> + b_y).

    ``activation`` (g) and ``output`` (g_2) are the names written in the boxes.
    """
    ax = _new_axes(ax, 7.0, 4.6)
    _label(ax, 0.0, 1.6, sym("a", "t-1"), fontsize=13)
    _label(ax, 2.2, -0.2, sym("x", "t"), fontsize=13)
    _box(ax, 1.2, 1.6, r"$W_{aa}\,\cdot$", "white", w=0.9, h=0.45)
    _box(ax, 2.2, 0.7, r"$W_{ax}\,\cdot$", "white", w=0.9, h=0.45)
    _box(ax, 2.2, 1.6, r"$+\ b_a$", CELL_COLOR, w=0.8, h=0.45)
    _box(ax, 3.4, 1.6, activation, CELL_COLOR, w=0.8, h=0.45)
    _label(ax, 5.0, 1.6, sym("a", "t"), fontsize=13)
    _box(ax, 4.3, 2.7, r"$W_{ya}\,\cdot + b_y$", "white", w=1.4, h=0.45)
    _box(ax, 4.3, 3.55, output, DECODER_COLOR, w=1.1, h=0.45)
    _label(ax, 4.3, 4.35, sym("y_hat", "t"), fontsize=13)
    _arrow(ax, (0.45, 1.6), (0.75, 1.6))
    _arrow(ax, (1.65, 1.6), (1.8, 1.6))
    _arrow(ax, (2.2, 0.0), (2.2, 0.47))
    _arrow(ax, (2.2, 0.93), (2.2, 1.37))
    _arrow(ax, (2.6, 1.6), (3.0, 1.6))
    _arrow(ax, (3.8, 1.6), (4.6, 1.6))
    _arrow(ax, (4.3, 1.6), (4.3, 2.47), rad=0.0)
    _arrow(ax, (4.3, 2.93), (4.3, 3.32))
    _arrow(ax, (4.3, 3.78), (4.3, 4.15))
    rect = FancyBboxPatch((0.65, 0.3), 4.05, 1.75, boxstyle="round,pad=0.02,rounding_size=0.15",
                          facecolor="none", edgecolor="0.6", linestyle="--", lw=1.0)
    ax.add_patch(rect)
    ax.text(0.75, 2.15, "one step of the RNN cell", fontsize=9, color="0.4", va="bottom")
    ax.set_xlim(-0.5, 5.5)
    ax.set_ylim(-0.5, 4.6)
    return ax
