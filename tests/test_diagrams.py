"""seqlab.diagrams: the unrolled RNN and the cell, drawn by code."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from seqlab.diagrams import (ARCHITECTURES, BACKWARD_COLOR, draw_rnn_cell, draw_unrolled_rnn,  # noqa: E402
                             sym)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _count(ax, piece):
    return sum(piece in t for t in _texts(ax))


def _arrows(ax, color=None):
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    if color is None:
        return arrows
    return [a for a in arrows if a.arrow_patch.get_edgecolor() == to_rgba(color)]


def test_sym():
    assert sym("x", 2) == r"$x^{\langle 2 \rangle}$"
    assert sym("y_hat", "t") == r"$\hat{y}^{\langle t \rangle}$"
    assert sym("L", 1) == r"$\mathcal{L}^{\langle 1 \rangle}$"


def test_many_to_many_has_one_cell_input_and_output_per_step():
    ax = draw_unrolled_rnn(5)
    cells = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(cells) == 5
    for t in range(1, 6):
        for base in ("x", "a", "y_hat"):
            assert sym(base, t) in _texts(ax)
    assert sym("a", 0) in _texts(ax)
    assert _count(ax, "W_{ax}") == 5 and _count(ax, "W_{ya}") == 5 and _count(ax, "W_{aa}") == 4
    assert len(_arrows(ax)) == 5 + 5 + 5  # inputs, outputs, a^<t-1> -> a^<t> (from a^<0> too)
    assert not _arrows(ax, BACKWARD_COLOR)
    # all the drawing is inside the axes limits
    x0, x1 = ax.get_xlim()
    assert all(x0 < t.get_position()[0] < x1 for t in ax.texts)


def test_numpy_integer_lengths():
    ax = draw_unrolled_rnn(np.int64(3))
    assert sym("x", 3) in _texts(ax)


def test_weights_can_be_hidden_and_title_set():
    ax = draw_unrolled_rnn(3, weights=False, title="unrolled")
    assert _count(ax, "W_") == 0 and ax.get_title() == "unrolled"


def test_loss_and_backward():
    ax = draw_unrolled_rnn(4, loss=True)
    assert all(sym("L", t) in _texts(ax) for t in range(1, 5))
    assert _count(ax, r"\sum_t") == 1 and not _arrows(ax, BACKWARD_COLOR)
    ax = draw_unrolled_rnn(4, backward=True)
    # two red arrows per output (L -> ŷ -> a) and one per step along the chain, down to a^<0>
    assert len(_arrows(ax, BACKWARD_COLOR)) == 2 * 4 + 4
    assert _count(ax, r"\sum_t") == 1
    ax.figure.canvas.draw()  # every mathtext label renders


@pytest.mark.parametrize("kind, T_x, T_y, inputs, outputs, cells", [
    ("one_to_one", 1, 1, 1, 1, 1),
    ("one_to_many", 1, 4, 1, 4, 4),
    ("many_to_one", 5, None, 5, 1, 5),
    ("many_to_many", 3, 3, 3, 3, 3),
    ("encoder_decoder", 3, 2, 3, 2, 5),
])
def test_architectures(kind, T_x, T_y, inputs, outputs, cells):
    ax = draw_unrolled_rnn(T_x, T_y, kind=kind)
    assert _count(ax, "x^") == inputs
    assert _count(ax, r"\hat{y}") == outputs + (outputs - 1 if kind in ("one_to_many", "encoder_decoder") else 0)
    assert len([p for p in ax.patches if isinstance(p, FancyBboxPatch)]) == cells
    if kind == "encoder_decoder":
        assert {"encoder", "decoder", "<go>"} <= set(_texts(ax))
        assert sym("y_hat", 1) in _texts(ax) and sym("y_hat", 3) not in _texts(ax)


def test_draw_on_given_axes():
    fig, axes = plt.subplots(1, len(ARCHITECTURES))
    for ax, kind in zip(axes, ARCHITECTURES):
        T = 1 if kind == "one_to_one" else 3
        assert draw_unrolled_rnn(T, T, kind=kind, ax=ax) is ax
    assert len(fig.axes) == len(ARCHITECTURES)


@pytest.mark.parametrize("args, kwargs, match", [
    ((0,), {}, "T_x"), ((2,), {"kind": "tree"}, "kind"), ((2, 3), {}, "T_x = T_y"),
    ((2,), {"kind": "one_to_one"}, "T_x = T_y = 1"), ((2, 0), {"kind": "encoder_decoder"}, "T_y"),
])
def test_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw_unrolled_rnn(*args, **kwargs)


def test_draw_rnn_cell():
    ax = draw_rnn_cell(activation="ReLU", output="sigmoid")
    texts = _texts(ax)
    for piece in (sym("a", "t-1"), sym("x", "t"), sym("a", "t"), sym("y_hat", "t"), "ReLU", "sigmoid"):
        assert piece in texts
    assert any("W_{aa}" in t for t in texts) and any("W_{ax}" in t for t in texts)
    assert any("W_{ya}" in t and "b_y" in t for t in texts) and any("b_a" in t for t in texts)
    ax.figure.canvas.draw()  # the mathtext labels render
