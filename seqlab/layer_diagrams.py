"""Diagrams of bidirectional and deep recurrent networks, unrolled over time (chapters 11, 12).

* :func:`draw_bidirectional_rnn` -- inputs x^<t>, the forward states a→^<t> (arrows to the
  right), the backward states a←^<t> (arrows to the left), and ŷ^<t> reading both.
* :func:`draw_deep_rnn` -- a grid of states a^[l]<t>: each one receives a^[l]<t-1> from its
  left and a^[l-1]<t> from below (a^[0]<t> = x^<t>), and the top layer feeds ŷ^<t>.

Both draw with matplotlib on ``ax`` (a new figure when None) and return the axes; the
labels use the course's notation in matplotlib's mathtext.
"""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch

from .diagrams import _new_axes

__all__ = ["draw_bidirectional_rnn", "draw_deep_rnn"]

_W, _H = 0.72, 0.5                  # size of a state box
_DX, _DY = 1.5, 1.1                # distance between time steps and between rows
_FORWARD, _BACKWARD, _UP = "0.25", "tab:red", "tab:blue"


def _check(value, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    if not 1 <= value <= maximum:
        raise ValueError(f"{name} must lie in 1 … {maximum} for a readable drawing; got {value}")
    return value


def _box(ax: Axes, x: float, y: float, text: str, color: str) -> None:
    ax.add_patch(FancyBboxPatch((x - _W / 2, y - _H / 2), _W, _H, boxstyle="round,pad=0.04",
                                facecolor=color, edgecolor="0.3", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], color: str, bend: float = 0.0) -> None:
    """An arrow from ``start`` to ``end``; ``bend`` ≠ 0 curves it (to go around a box)."""
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.2,
                                                      "shrinkA": 0, "shrinkB": 0,
                                                      "connectionstyle": f"arc3,rad={bend}"})


def _path(ax: Axes, points: list[tuple[float, float]], color: str) -> None:
    """A polyline through ``points`` with an arrowhead on its last segment."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=color, lw=1.2)
    _arrow(ax, points[-2], points[-1], color)


def _step(t: int, T_x: int) -> str:
    return "T_x" if t == T_x and T_x > 3 else str(t)


def draw_bidirectional_rnn(T_x: int = 4, ax: Axes | None = None) -> Axes:
    """A bidirectional RNN unrolled over ``T_x`` steps: ŷ^<t> = g(W_y [a→^<t>; a←^<t>] + b_y)."""
    T_x = _check(T_x, "T_x", 8)
    ax = _new_axes(ax, 1.6 * T_x + 1.5, 4.2)
    rows = {"x": 0.0, "fwd": 1.2, "bwd": 2.3, "y": 3.5}
    for t in range(1, T_x + 1):
        c, s = _DX * t, _step(t, T_x)
        _box(ax, c, rows["x"], rf"$x^{{\langle {s} \rangle}}$", "white")
        _box(ax, c, rows["fwd"], rf"$\overrightarrow{{a}}^{{\langle {s} \rangle}}$", "#dbe9f6")
        _box(ax, c, rows["bwd"], rf"$\overleftarrow{{a}}^{{\langle {s} \rangle}}$", "#fde3c8")
        _box(ax, c, rows["y"], rf"$\hat{{y}}^{{\langle {s} \rangle}}$", "white")
        side = _W / 2 + 0.14                        # vertical lanes beside the boxes
        _arrow(ax, (c, rows["x"] + _H / 2), (c, rows["fwd"] - _H / 2), _UP)
        _path(ax, [(c + 0.2, rows["x"] + _H / 2), (c + side, rows["x"] + _H / 2 + 0.15),
                   (c + side, rows["bwd"] - 0.12), (c + _W / 2, rows["bwd"] - 0.12)], _UP)
        _path(ax, [(c - _W / 2, rows["fwd"] + 0.12), (c - side, rows["fwd"] + 0.12),
                   (c - side, rows["y"] - _H / 2 - 0.15), (c - 0.2, rows["y"] - _H / 2)], _UP)
        _arrow(ax, (c, rows["bwd"] + _H / 2), (c, rows["y"] - _H / 2), _UP)
        if t < T_x:
            _arrow(ax, (c + _W / 2, rows["fwd"] - 0.08), (c + _DX - _W / 2, rows["fwd"] - 0.08), _FORWARD)
            _arrow(ax, (c + _DX - _W / 2, rows["bwd"] + 0.08), (c + _W / 2, rows["bwd"] + 0.08), _BACKWARD)
    ax.text(_DX * 0.3, rows["fwd"], "t = 1 … $T_x$ →", ha="right", va="center", fontsize=9, color=_FORWARD)
    ax.text(_DX * (T_x + 0.7), rows["bwd"], "← t = $T_x$ … 1", ha="left", va="center", fontsize=9, color=_BACKWARD)
    ax.set_xlim(-1.3, _DX * T_x + 2.4)
    ax.set_ylim(-0.5, rows["y"] + 0.5)
    return ax


def draw_deep_rnn(n_layers: int = 3, T_x: int = 4, ax: Axes | None = None) -> Axes:
    """``n_layers`` stacked recurrent layers over ``T_x`` steps: a grid of a^[l]<t>."""
    n_layers = _check(n_layers, "n_layers", 6)
    T_x = _check(T_x, "T_x", 8)
    ax = _new_axes(ax, 1.6 * T_x + 1.5, 1.15 * (n_layers + 2) + 0.3)
    top = _DY * (n_layers + 1)
    for t in range(1, T_x + 1):
        c, s = _DX * t, _step(t, T_x)
        _box(ax, c, 0.0, rf"$x^{{\langle {s} \rangle}}$", "white")
        for l in range(1, n_layers + 1):
            y = _DY * l
            _box(ax, c, y, rf"$a^{{[{l}]\langle {s} \rangle}}$", "#dbe9f6")
            _arrow(ax, (c, y - _DY + _H / 2), (c, y - _H / 2), _UP)
            if t < T_x:
                _arrow(ax, (c + _W / 2, y), (c + _DX - _W / 2, y), _FORWARD)
        _box(ax, c, top, rf"$\hat{{y}}^{{\langle {s} \rangle}}$", "white")
        _arrow(ax, (c, top - _DY + _H / 2), (c, top - _H / 2), _UP)
    for l in range(1, n_layers + 1):
        ax.text(_DX * 0.35, _DY * l, f"layer {l}", ha="right", va="center", fontsize=9)
        _arrow(ax, (_DX * 0.45, _DY * l), (_DX - _W / 2, _DY * l), _FORWARD)
        ax.text(_DX * 0.55, _DY * l + 0.3, rf"$a^{{[{l}]\langle 0 \rangle}}$", ha="center", fontsize=8)
    ax.set_xlim(-0.9, _DX * T_x + 0.8)
    ax.set_ylim(-0.5, top + 0.5)
    return ax
