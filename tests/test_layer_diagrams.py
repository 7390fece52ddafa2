"""seqlab.layer_diagrams: the drawings hold one box per state and the arrows of the recurrences."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from seqlab.layer_diagrams import draw_bidirectional_rnn, draw_deep_rnn  # noqa: E402


def _boxes(ax):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch)]


def _arrows(ax):
    return [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None]


def _labels(ax):
    return [t.get_text() for t in ax.texts if getattr(t, "arrow_patch", None) is None]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("n_layers, T_x", [(1, 1), (3, 4), (2, 6)])
def test_deep_rnn_grid(n_layers, T_x):
    ax = draw_deep_rnn(n_layers, T_x)
    assert len(_boxes(ax)) == T_x * (n_layers + 2)              # x, the layers, ŷ at every step
    # upward arrows into every layer and into ŷ, rightward ones between steps, and a^[l]<0>
    assert len(_arrows(ax)) == T_x * (n_layers + 1) + n_layers * (T_x - 1) + n_layers
    labels = _labels(ax)
    assert r"$a^{[1]\langle 1 \rangle}$" in labels
    last = "T_x" if T_x > 3 else str(T_x)
    assert rf"$a^{{[{n_layers}]\langle {last} \rangle}}$" in labels
    assert rf"$\hat{{y}}^{{\langle {last} \rangle}}$" in labels
    assert sum(label.startswith("layer ") for label in labels) == n_layers


@pytest.mark.parametrize("T_x", [1, 4, 8])
def test_bidirectional_rnn(T_x):
    fig, ax_given = plt.subplots()
    ax = draw_bidirectional_rnn(T_x, ax=ax_given)
    assert ax is ax_given
    assert len(_boxes(ax)) == 4 * T_x                           # x, a→, a←, ŷ
    # four inputs/outputs per step plus one recurrence arrow per direction between steps
    assert len(_arrows(ax)) == 4 * T_x + 2 * (T_x - 1)
    labels = _labels(ax)
    assert r"$\overrightarrow{a}^{\langle 1 \rangle}$" in labels
    assert r"$\overleftarrow{a}^{\langle 1 \rangle}$" in labels
    colors = {matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) for a in _arrows(ax)}
    assert len(colors) == (3 if T_x > 1 else 1)                 # inputs/outputs, forward, backward


@pytest.mark.parametrize("call, error", [
    (lambda: draw_deep_rnn(0, 3), ValueError), (lambda: draw_deep_rnn(7, 3), ValueError),
    (lambda: draw_deep_rnn(2, 9), ValueError), (lambda: draw_deep_rnn(2.0, 3), TypeError),
    (lambda: draw_bidirectional_rnn(0), ValueError), (lambda: draw_bidirectional_rnn(True), TypeError),
])
def test_bad_sizes(call, error):
    with pytest.raises(error):
        call()
