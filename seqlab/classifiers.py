"""A recurrent layer and a read-out, trained with Adam (chapters 8, 9, 11 and 12).

The model is a :mod:`seqlab.torch` layer (any cell, ``num_layers`` stacked layers,
optionally bidirectional) followed by the time-distributed dense layer of the notes::

    a^<t> = recurrent layer(x^<1>, …, x^<T_x>)            (n_a rows, 2 n_a when bidirectional)
    z^<t> = W_y a^<t> + b_y,    ŷ^<t> = softmax(z^<t>)

``many_to_one=True`` keeps only z^<T_x> (one label per sequence); otherwise every step has
a label (sequence tagging, T_y = T_x) and padded steps are masked out of the loss.

Every weight comes from the seeded initializers of :mod:`seqlab.numpy.init` and is
loaded with :func:`seqlab.torch.from_numpy`, so a model depends only on its seed; the
trained weights go back to NumPy with :func:`numpy_parameters`, where the hand-written
forward pass (and its caches, :mod:`seqlab.gates`) can be used.

Data stays in the course's layout: x (n_x, m, T_x), integer labels y (m,) or (m, T_x),
mask (m, T_x).  Training is :func:`fit`: Adam on the mean cross-entropy per labelled step,
with global-norm clipping, on batches drawn by a seeded function.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .numpy.init import init_dense_parameters, init_parameters
from .torch import from_numpy, to_numpy, x_to_torch

__all__ = ["RecurrentClassifier", "build_classifier", "numpy_parameters", "fit", "predict", "accuracy",
           "tagging_scores"]

_KINDS = ("rnn", "gru", "lstm", "peephole_lstm")


class RecurrentClassifier(nn.Module):
    """A seqlab.torch recurrent ``layer`` and a read-out z^<t> = W_y a^<t> + b_y.

    ``forward`` takes x in the course's layout (n_x, m, T_x) as a NumPy array or torch's
    (T_x, m, n_x) tensor and returns the logits: (m, n_y) when ``many_to_one``, else
    (m, n_y, T_x) (the layout ``torch.nn.functional.cross_entropy`` expects).
    """

    def __init__(self, layer: nn.Module, readout: nn.Linear, many_to_one: bool = False) -> None:
        super().__init__()
        self.layer = layer
        self.readout = readout
        self.many_to_one = bool(many_to_one)

    def _input(self, x: Any) -> torch.Tensor:
        if isinstance(x, np.ndarray):
            return x_to_torch(x, dtype=self.readout.weight.dtype)
        if not isinstance(x, torch.Tensor) or x.dim() != 3:
            raise TypeError("x must be a NumPy array (n_x, m, T_x) or a torch tensor (T_x, m, n_x)")
        return x

    def forward(self, x: Any) -> torch.Tensor:
        a, _ = self.layer(self._input(x))             # (T_x, m, n_a · directions)
        if self.many_to_one:
            return self.readout(a[-1])
        return self.readout(a).permute(1, 2, 0)


def build_classifier(kind: str, n_x: int, n_a: int, n_y: int, seed: int = 0, *, num_layers: int = 1,
                     bidirectional: bool = False, many_to_one: bool = False, variant: str | None = None,
                     forget_bias: float | None = None, dtype=np.float64) -> RecurrentClassifier:
    """A :class:`RecurrentClassifier` whose weights depend only on ``seed``.

    Each layer (and direction) is initialized by ``seqlab.numpy.init_<kind>_parameters``
    (Xavier input weights, orthogonal recurrent weights, zero biases; the LSTMs' b_f is
    ``forget_bias``, 1 by default); layer l > 1 reads the n_a (2 n_a) outputs of layer
    l − 1.  ``variant`` is the GRU's ("full" by default).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}; got {kind!r}")
    if kind == "gru":
        variant = variant or "full"
    elif variant is not None:
        raise ValueError(f"variant is for the GRU only; got variant={variant!r} with kind={kind!r}")
    if forget_bias is not None and kind not in ("lstm", "peephole_lstm"):
        raise ValueError(f"forget_bias (b_f) exists only in the LSTMs; got kind={kind!r}")
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1; got {num_layers}")
    options: dict[str, Any] = {"dtype": dtype}
    if variant is not None:
        options["variant"] = variant
    if forget_bias is not None:
        options["forget_bias"] = forget_bias
    rng = np.random.default_rng(seed)
    directions = 2 if bidirectional else 1
    layers = []
    for l in range(num_layers):
        inputs = n_x if l == 0 else directions * n_a
        cells = [init_parameters(kind, inputs, n_a, None, rng, **options) for _ in range(directions)]
        layers.append(tuple(cells) if bidirectional else cells[0])
    layer = from_numpy(layers if (num_layers > 1 or bidirectional) else layers[0], kind=kind, variant=variant)
    out = init_dense_parameters(directions * n_a, n_y, rng, weight_key="Wy", dtype=dtype)
    readout = nn.Linear(directions * n_a, n_y, dtype=layer.weight_ih_l0.dtype)
    with torch.no_grad():
        readout.weight.copy_(torch.from_numpy(out["Wy"]))
        readout.bias.copy_(torch.from_numpy(out["by"][:, 0]))
    return RecurrentClassifier(layer, readout, many_to_one)


def numpy_parameters(model: RecurrentClassifier):
    """The trained weights as seqlab.numpy parameter dicts: ``(recurrent, {"Wy", "by"})``.

    ``recurrent`` is what :func:`seqlab.torch.to_numpy` returns for the layer (a dict, a list
    per layer, or (fwd, bwd) pairs); the read-out is the time-distributed dense layer's dict.
    """
    readout = {"Wy": model.readout.weight.detach().cpu().numpy().copy(),
               "by": model.readout.bias.detach().cpu().numpy()[:, None].copy()}
    return to_numpy(model.layer), readout


def _loss(model: RecurrentClassifier, x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Mean cross-entropy per labelled step (padded steps, mask 0, count for nothing)."""
    z = model(x)
    if model.many_to_one:
        return F.cross_entropy(z, y)
    per_step = F.cross_entropy(z, y, reduction="none")          # (m, T_x)
    if mask is None:
        return per_step.mean()
    return (per_step * mask).sum() / mask.sum()


def _batch_tensors(model, batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    x, y = batch[0], batch[1]
    mask = batch[2] if len(batch) > 2 else None
    dtype = model.readout.weight.dtype
    return (model._input(x), torch.as_tensor(np.asarray(y), dtype=torch.long),
            None if mask is None else torch.as_tensor(np.asarray(mask), dtype=dtype))


def fit(model: RecurrentClassifier, batches: Callable[[int], tuple], steps: int, lr: float = 0.01,
        clip: float = 1.0) -> np.ndarray:
    """Train ``model`` for ``steps`` Adam updates; return the training loss of every step.

    ``batches(k)`` returns the k-th batch (k = 0, 1, …) as ``(x, y)`` or ``(x, y, mask)`` in
    the course's layout (x (n_x, m, T_x); y (m,) for a many-to-one model, else (m, T_x);
    mask (m, T_x)).  The loss is the mean cross-entropy per labelled step; the gradient's
    global norm is clipped to ``clip`` before each update.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    model.train()
    for k in range(steps):
        x, y, mask = _batch_tensors(model, batches(k))
        optimizer.zero_grad()
        loss = _loss(model, x, y, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses[k] = float(loss.detach())
    return losses


def predict(model: RecurrentClassifier, x: Any) -> np.ndarray:
    """The most probable class: (m,) for a many-to-one model, else (m, T_x)."""
    model.eval()
    with torch.no_grad():
        return model(x).argmax(dim=1).cpu().numpy()


def accuracy(model: RecurrentClassifier, x: Any, y: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Fraction of the labelled steps (mask 1) whose most probable class is y."""
    correct = predict(model, x) == np.asarray(y)
    if mask is None:
        return float(correct.mean())
    mask = np.asarray(mask, dtype=bool)
    return float(correct[mask].mean())


def tagging_scores(y_pred: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None,
                   positive: int = 1) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of the class ``positive`` over the steps where mask is 1.

    precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 TP / (2 TP + FP + FN) (their
    harmonic mean); each is NaN when its denominator is 0.  ``y_pred`` and ``y`` are integer
    labels of the same shape, e.g. (m, T_x) for a tagger.
    """
    y_pred, y = np.asarray(y_pred), np.asarray(y)
    if y_pred.shape != y.shape:
        raise ValueError(f"y_pred and y must have the same shape; got {y_pred.shape} and {y.shape}")
    keep = np.ones(y.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    if keep.shape != y.shape:
        raise ValueError(f"mask must have the shape of y {y.shape}; got {keep.shape}")
    p, t = y_pred[keep] == positive, y[keep] == positive
    tp, fp, fn = int(np.sum(p & t)), int(np.sum(p & ~t)), int(np.sum(~p & t))

    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    return {"accuracy": ratio(int(np.sum(y_pred[keep] == y[keep])), int(keep.sum())),
            "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn), "f1": ratio(2 * tp, 2 * tp + fp + fn)}
