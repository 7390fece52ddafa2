"""Small NumPy models built from :mod:`seqlab.numpy`: forward, loss, backward, training with Adam.

Every model of chapters 2, 4 and 5 is a few calls to the course's layers -- the RNN
(:func:`~seqlab.numpy.rnn_forward` / :func:`~seqlab.numpy.rnn_backward`), the
time-distributed dense layer z^<t> = W_ya a^<t> + b_y and the softmax cross-entropy
L = Σ_t L^<t> -- glued together for one architecture:

* :class:`DenseTagger` -- the standard feed-forward network of chapter 2: the whole padded
  sequence, flattened, into one hidden layer and T_x softmax outputs.  Its weights are
  tied to the positions t = 1 … T_x it was built for.
* :class:`ManyToManyRNN` -- T_y = T_x: ŷ^<t> = softmax(W_ya a^<t> + b_y) at every step
  (sequence labelling, named-entity recognition).
* :class:`ManyToOneRNN` -- one label per sequence from the last hidden state
  a^<T_x^(i)> of each example (sentiment; with T_x = 1 it is the one-to-one network).
* :class:`OneToManyRNN` -- one input x^<1>, then every prediction is fed back as the next
  input (music generation); trained with teacher forcing.
* :class:`EncoderDecoderRNN` -- T_x ≠ T_y: an encoder RNN reads x, its last hidden state
  becomes the decoder's a^<0>, and the decoder writes y one token at a time.

Shapes are the course's: x (n_x, m, T_x), integer labels y (m, T_y), masks (m, T) of 0/1
(0 on padding).  Losses are reported per predicted step (L divided by the number of
unmasked targets) and gradients are those of that mean.  Parameters are one flat dict
per model (``"Wax"``, ``"Waa"``, ... and ``"encoder.Wax"``, ``"decoder.Wax"``, ... for the
encoder–decoder), gradients the same keys prefixed with ``"d"``, as
:class:`seqlab.numpy.Adam` expects.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .checks import check_array
from .data.toy import one_hot, rng_of
from .numpy.activations import softmax
from .numpy.clipping import clip_by_global_norm
from .numpy.dense import dense_backward, dense_forward
from .numpy.init import init_dense_parameters, init_rnn_parameters, xavier_uniform
from .numpy.losses import softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .numpy.optim import Adam
from .numpy.rnn import rnn_backward, rnn_cell_forward, rnn_forward
from .numpy.sampling import sample_with_temperature

__all__ = ["Model", "DenseTagger", "ManyToManyRNN", "ManyToOneRNN", "OneToManyRNN", "EncoderDecoderRNN",
           "count_parameters", "sequence_lengths", "token_accuracy", "sequence_accuracy", "precision_recall_f1"]

_RNN_KEYS = ("Wax", "Waa", "ba")
_OUT_KEYS = ("Wya", "by")


# --------------------------------------------------------------------------- helpers
def count_parameters(parameters: Mapping[str, np.ndarray]) -> int:
    """Number of trainable numbers in a parameter dict."""
    return int(sum(np.asarray(p).size for p in parameters.values()))


def sequence_lengths(mask: np.ndarray | None, m: int, T: int) -> np.ndarray:
    """T^(i) of every example from a mask (m, T) whose ones come first; all T without a mask."""
    if mask is None:
        return np.full(m, T, dtype=np.int64)
    mask = np.asarray(mask)
    if mask.shape != (m, T) or mask.dtype.kind not in "biuf" or not np.isin(mask, (0, 1)).all():
        raise ValueError(f"mask must be (m, T) = {(m, T)} of 0/1; got {mask.dtype} {mask.shape}")
    lengths = mask.sum(axis=1).astype(np.int64)
    if lengths.min() < 1:
        raise ValueError("every example needs at least one real step (T^(i) ≥ 1)")
    steps = np.arange(T)[None, :]
    if not np.array_equal(mask.astype(bool), steps < lengths[:, None]):
        raise ValueError("a mask must hold 1 on the first T^(i) steps and 0 after them (padding at the end)")
    return lengths


def token_accuracy(predicted: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Fraction of (unmasked) positions where the predicted label equals y."""
    predicted, y = np.asarray(predicted), np.asarray(y)
    if predicted.shape != y.shape:
        raise ValueError(f"predicted labels {predicted.shape} and targets {y.shape} differ in shape")
    weight = np.ones(y.shape) if mask is None else np.asarray(mask, dtype=float)
    return float(((predicted == y) * weight).sum() / weight.sum())


def sequence_accuracy(predicted: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Fraction of sequences (rows) whose every unmasked label is right."""
    predicted, y = np.asarray(predicted), np.asarray(y)
    if predicted.shape != y.shape or y.ndim != 2:
        raise ValueError(f"predicted labels {predicted.shape} and targets {y.shape} must both be (m, T)")
    wrong = predicted != y
    if mask is not None:
        wrong &= np.asarray(mask).astype(bool)
    return float(np.mean(~wrong.any(axis=1)))


def precision_recall_f1(predicted: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None,
                        positive: int = 1) -> tuple[float, float, float]:
    """Precision, recall and F1 of the label ``positive`` over the unmasked positions.

    precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R); a ratio
    with nothing to count (no positive predicted, or none to find) is 0.
    """
    predicted, y = np.asarray(predicted), np.asarray(y)
    if predicted.shape != y.shape:
        raise ValueError(f"predicted labels {predicted.shape} and targets {y.shape} differ in shape")
    keep = np.ones(y.shape, dtype=bool) if mask is None else np.asarray(mask).astype(bool)
    hit, want = (predicted == positive) & keep, (y == positive) & keep
    tp = float((hit & want).sum())
    precision = tp / hit.sum() if hit.any() else 0.0
    recall = tp / want.sum() if want.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return float(precision), float(recall), float(f1)


def _check_size(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def _check_labels(y: Any, shape: tuple[int, ...], n_y: int) -> np.ndarray:
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu":
        raise TypeError(f"labels y must be an integer array of shape {shape}; got "
                        f"{y.dtype if isinstance(y, np.ndarray) else type(y).__name__}")
    if y.shape != shape:
        raise ValueError(f"labels y must have shape {shape}; got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_y):
        raise ValueError(f"labels y must lie in 0 … n_y − 1 = {n_y - 1}")
    return y


def _take(array: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    """The examples ``index`` of an array: axis 1 of float (n, m, T) / (n, m) inputs, axis 0 otherwise."""
    if array is None:
        return None
    if array.dtype.kind == "f" and array.ndim >= 2:
        return array[:, index]
    return array[index]


def _n_examples(array: np.ndarray) -> int:
    return array.shape[1] if array.dtype.kind == "f" and array.ndim >= 2 else array.shape[0]


# --------------------------------------------------------------------------- base class
class Model:
    """A parameter dict, a loss with its gradients, and a training loop with Adam.

    Subclasses implement ``loss_and_gradients(*batch)`` returning ``(L, grads)`` with L the
    mean loss per predicted step and ``grads`` holding ``"d" + key`` for every parameter.
    """

    parameters: dict[str, np.ndarray]

    def __init__(self, dtype=np.float64) -> None:
        self.dtype = np.dtype(dtype)
        if self.dtype.type not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64; got {self.dtype}")
        self._optimizer: Adam | None = None

    @property
    def n_parameters(self) -> int:
        """Number of trainable numbers."""
        return count_parameters(self.parameters)

    def loss_and_gradients(self, *batch):  # pragma: no cover - implemented by every subclass
        raise NotImplementedError

    def loss(self, *batch) -> float:
        """The mean loss per predicted step, without gradients."""
        return self.loss_and_gradients(*batch)[0]

    def fit(self, *data, epochs: int = 10, batch_size: int = 32, learning_rate: float = 0.01, seed=0,
            clip_norm: float | None = 5.0) -> list[float]:
        """Train with Adam on mini-batches; returns the mean training loss of every epoch.

        ``data`` are the arrays ``loss_and_gradients`` takes (None for an absent mask);
        mini-batches take examples along axis 1 of float inputs (n, m, T) and axis 0 of
        labels and masks.  Gradients are clipped to a global norm of ``clip_norm``.  A
        second call continues with the same Adam moments if the learning rate is unchanged.
        """
        epochs, batch_size = _check_size(epochs, "epochs"), _check_size(batch_size, "batch_size")
        arrays = [d for d in data if d is not None]
        if not arrays:
            raise ValueError("fit needs the training arrays")
        m = _n_examples(arrays[0])
        if any(_n_examples(a) != m for a in arrays):
            raise ValueError("all training arrays must hold the same number m of examples")
        if self._optimizer is None or self._optimizer.learning_rate != learning_rate:
            self._optimizer = Adam(learning_rate)
        rng = rng_of(seed)
        history = []
        for _ in range(epochs):
            order = rng.permutation(m)
            total = 0.0
            for start in range(0, m, batch_size):
                index = order[start:start + batch_size]
                loss, grads = self.loss_and_gradients(*(_take(d, index) for d in data))
                self._step({"d" + k: grads["d" + k] for k in self.parameters}, clip_norm)
                total += float(loss) * len(index)
            history.append(total / m)
        return history

    def _step(self, grads: dict[str, np.ndarray], clip_norm: float | None) -> None:
        if clip_norm is not None:
            grads, _ = clip_by_global_norm(grads, clip_norm)
        self._optimizer.step(self.parameters, grads)

    def _check_x(self, x: Any, n_x: int, name: str = "x") -> np.ndarray:
        return check_array(x, name, ("n_x", "m", "T_x"), {"n_x": n_x}, dtype=self.dtype)

    def _zeros(self, *shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=self.dtype)


# --------------------------------------------------------------------------- dense baseline
class DenseTagger(Model):
    """A standard network on a whole padded sequence: one label per position t = 1 … T_x.

    The T_x one-hot columns x^<1>, …, x^<T_x> are stacked into one vector of n_x·T_x
    numbers, h = tanh(W1 [x^<1>; …; x^<T_x>] + b1) has ``n_hidden`` units, and the
    n_y·T_x outputs are split into one softmax per position:
    ŷ^<t> = softmax(W2[t] h + b2[t]).  W1 has a separate block of columns for every
    position and W2 a separate block of rows, so nothing learned at one position is
    used at another, and the network only accepts sequences of exactly T_x steps.
    """

    def __init__(self, n_x: int, T_x: int, n_hidden: int, n_y: int, seed=0, dtype=np.float64) -> None:
        super().__init__(dtype)
        self.n_x, self.T_x = _check_size(n_x, "n_x"), _check_size(T_x, "T_x")
        self.n_hidden, self.n_y = _check_size(n_hidden, "n_hidden"), _check_size(n_y, "n_y")
        rng = rng_of(seed)
        self.parameters = {
            "W1": xavier_uniform((n_hidden, n_x * T_x), rng, dtype=self.dtype),
            "b1": self._zeros(n_hidden, 1),
            "W2": xavier_uniform((n_y * T_x, n_hidden), rng, dtype=self.dtype),
            "b2": self._zeros(n_y * T_x, 1),
        }

    def forward(self, x: np.ndarray):
        """Logits z (n_y, m, T_x) of every position, and the cache of the backward pass."""
        check_array(x, "x", ("n_x", "m", "T_x"), {"n_x": self.n_x, "T_x": self.T_x}, dtype=self.dtype)
        m = x.shape[1]
        p = self.parameters
        stacked = x.transpose(2, 0, 1).reshape(self.T_x * self.n_x, m)  # [x^<1>; …; x^<T_x>]
        h = np.tanh(p["W1"] @ stacked + p["b1"])
        z = (p["W2"] @ h + p["b2"]).reshape(self.T_x, self.n_y, m).transpose(1, 2, 0)
        return z, (stacked, h)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most probable label of every position, (m, T_x)."""
        return self.forward(x)[0].argmax(axis=0)

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None):
        """Mean cross-entropy per unmasked position, and its gradients (``dW1``, ``db1``, ``dW2``, ``db2``, ``dx``)."""
        z, (stacked, h) = self.forward(x)
        m = x.shape[1]
        _check_labels(y, (m, self.T_x), self.n_y)
        loss, cache = softmax_cross_entropy_forward(z, y, mask)
        n = self.dtype.type(cache["n_tokens"])
        dz = softmax_cross_entropy_backward(cache) / n
        p = self.parameters
        dz2 = dz.transpose(2, 0, 1).reshape(self.T_x * self.n_y, m)
        dpre = (p["W2"].T @ dz2) * (1 - h * h)  # through tanh: 1 − h²
        dstacked = p["W1"].T @ dpre
        grads = {"dW2": dz2 @ h.T, "db2": dz2.sum(axis=1, keepdims=True),
                 "dW1": dpre @ stacked.T, "db1": dpre.sum(axis=1, keepdims=True),
                 "dx": np.ascontiguousarray(dstacked.reshape(self.T_x, self.n_x, m).transpose(1, 2, 0))}
        return loss / n, grads


# --------------------------------------------------------------------------- RNN models
class _RNNModel(Model):
    """An RNN a^<t> = g(W_aa a^<t-1> + W_ax x^<t> + b_a) with the output z^<t> = W_ya a^<t> + b_y."""

    def __init__(self, n_x: int, n_a: int, n_y: int, seed=0, activation: str = "tanh",
                 dtype=np.float64) -> None:
        super().__init__(dtype)
        self.n_x, self.n_a, self.n_y = _check_size(n_x, "n_x"), _check_size(n_a, "n_a"), _check_size(n_y, "n_y")
        self.activation = activation
        self.parameters = init_rnn_parameters(self.n_x, self.n_a, self.n_y, seed=rng_of(seed), dtype=self.dtype)

    def _part(self, keys: tuple[str, ...], prefix: str = "") -> dict[str, np.ndarray]:
        return {k: self.parameters[prefix + k] for k in keys}

    def _a0(self, a0: np.ndarray | None, m: int) -> np.ndarray:
        return self._zeros(self.n_a, m) if a0 is None else a0


class ManyToManyRNN(_RNNModel):
    """T_y = T_x: a prediction ŷ^<t> = softmax(W_ya a^<t> + b_y) at every time step."""

    def forward(self, x: np.ndarray, a0: np.ndarray | None = None):
        """Logits z (n_y, m, T_x) and the caches (RNN caches, dense cache)."""
        self._check_x(x, self.n_x)
        a, _, rnn_caches = rnn_forward(x, self._a0(a0, x.shape[1]), self._part(_RNN_KEYS), self.activation)
        z, dense_cache = dense_forward(a, self._part(_OUT_KEYS))
        return z, (rnn_caches, dense_cache)

    def predict_proba(self, x: np.ndarray, a0: np.ndarray | None = None) -> np.ndarray:
        """ŷ (n_y, m, T_x), the softmax of every step."""
        return softmax(self.forward(x, a0)[0], axis=0)

    def predict(self, x: np.ndarray, a0: np.ndarray | None = None) -> np.ndarray:
        """The most probable label of every step, (m, T_x)."""
        return self.forward(x, a0)[0].argmax(axis=0)

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None,
                           a0: np.ndarray | None = None):
        """Mean of L^<t> over the unmasked steps, and the gradients of every parameter, ``dx`` and ``da0``.

        Backward: dz^<t> = (ŷ^<t> − y^<t>) / N, then the dense layer gives dW_ya, db_y and
        dL/da^<t> = W_yaᵀ dz^<t>, and BPTT (:func:`~seqlab.numpy.rnn_backward`) the rest.
        """
        z, (rnn_caches, dense_cache) = self.forward(x, a0)
        _check_labels(y, x.shape[1:], self.n_y)
        loss, cache = softmax_cross_entropy_forward(z, y, mask)
        n = self.dtype.type(cache["n_tokens"])
        dense_grads = dense_backward(softmax_cross_entropy_backward(cache) / n, dense_cache)
        grads = rnn_backward(dense_grads.pop("da"), rnn_caches)
        grads.update(dense_grads)
        return loss / n, grads


class ManyToOneRNN(_RNNModel):
    """T_y = 1: ŷ = softmax(W_ya a^<T_x^(i)> + b_y) from the last real step of each example."""

    def _last_states(self, x: np.ndarray, x_mask: np.ndarray | None, a0: np.ndarray | None):
        self._check_x(x, self.n_x)
        _, m, T = x.shape
        lengths = sequence_lengths(x_mask, m, T)
        a, _, rnn_caches = rnn_forward(x, self._a0(a0, m), self._part(_RNN_KEYS), self.activation)
        return a[:, np.arange(m), lengths - 1], lengths, rnn_caches

    def forward(self, x: np.ndarray, x_mask: np.ndarray | None = None, a0: np.ndarray | None = None):
        """Logits z (n_y, m) of every example, and the caches."""
        a_last, lengths, rnn_caches = self._last_states(x, x_mask, a0)
        z, dense_cache = dense_forward(a_last, self._part(_OUT_KEYS))
        return z, (lengths, rnn_caches, dense_cache)

    def predict_proba(self, x: np.ndarray, x_mask: np.ndarray | None = None) -> np.ndarray:
        """ŷ (n_y, m)."""
        return softmax(self.forward(x, x_mask)[0], axis=0)

    def predict(self, x: np.ndarray, x_mask: np.ndarray | None = None) -> np.ndarray:
        """The most probable label of every example, (m,)."""
        return self.forward(x, x_mask)[0].argmax(axis=0)

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray, x_mask: np.ndarray | None = None,
                           a0: np.ndarray | None = None):
        """Mean cross-entropy over the m examples and its gradients (with ``dx``, ``da0``).

        Only a^<T_x^(i)> receives a gradient from the output: dL/da^<t> is zero at every
        other step, and BPTT carries it back from there.
        """
        z, (lengths, rnn_caches, dense_cache) = self.forward(x, x_mask, a0)
        m = x.shape[1]
        _check_labels(y, (m,), self.n_y)
        loss, cache = softmax_cross_entropy_forward(z, y)
        n = self.dtype.type(m)
        dense_grads = dense_backward(softmax_cross_entropy_backward(cache) / n, dense_cache)
        da = np.zeros((self.n_a,) + x.shape[1:], dtype=self.dtype)
        da[:, np.arange(m), lengths - 1] = dense_grads.pop("da")
        grads = rnn_backward(da, rnn_caches)
        grads.update(dense_grads)
        return loss / n, grads


class OneToManyRNN(ManyToManyRNN):
    """One input x^<1> (n_x, m), then T_y outputs; each prediction is the next step's input.

    The recurrent input at step t is [x^<1>; 0] at t = 1 and [0; one-hot(y^<t-1>)] after,
    n_x + n_y numbers.  Training feeds the true previous token (teacher forcing);
    :meth:`generate` feeds back the sampled one.
    """

    def __init__(self, n_x: int, n_a: int, n_y: int, seed=0, activation: str = "tanh",
                 dtype=np.float64) -> None:
        n_x, n_y = _check_size(n_x, "n_x"), _check_size(n_y, "n_y")
        super().__init__(n_x + n_y, n_a, n_y, seed, activation, dtype)
        self.n_context = n_x

    def teacher_forcing_inputs(self, x1: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The inputs (n_x + n_y, m, T_y): x^<1> at step 1, one-hot(y^<t-1>) at step t > 1."""
        check_array(x1, "x^<1>", ("n_x", "m"), {"n_x": self.n_context}, dtype=self.dtype)
        m = x1.shape[1]
        if not isinstance(y, np.ndarray) or y.ndim != 2:
            raise ValueError(f"labels y must be an integer array (m, T_y) with m = {m}")
        _check_labels(y, (m, y.shape[1]), self.n_y)
        x = np.zeros((self.n_x, m, y.shape[1]), dtype=self.dtype)
        x[: self.n_context, :, 0] = x1
        x[self.n_context:, :, 1:] = one_hot(y[:, :-1], self.n_y, dtype=self.dtype)
        return x

    def loss_and_gradients(self, x1: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None):
        """Mean L^<t> of the teacher-forced sequence and the gradients of the parameters."""
        return super().loss_and_gradients(self.teacher_forcing_inputs(x1, y), y, mask)

    def generate(self, x1: np.ndarray, T_y: int, seed=0, temperature: float = 1.0) -> np.ndarray:
        """Sample T_y tokens for each column of x1, feeding every sample back: ids (m, T_y).

        ``temperature`` τ divides the logits before the softmax; τ = 0 takes the argmax.
        """
        check_array(x1, "x^<1>", ("n_x", "m"), {"n_x": self.n_context}, dtype=self.dtype)
        T_y = _check_size(T_y, "T_y")
        rng = rng_of(seed)
        m = x1.shape[1]
        rec, out = self._part(_RNN_KEYS), self._part(_OUT_KEYS)
        xt = np.concatenate([x1, self._zeros(self.n_y, m)])
        a = self._zeros(self.n_a, m)
        tokens = np.zeros((m, T_y), dtype=np.int64)
        for t in range(T_y):
            a, _, _ = rnn_cell_forward(xt, a, rec, self.activation)
            tokens[:, t] = sample_with_temperature(dense_forward(a, out)[0], temperature, rng)
            xt = np.concatenate([self._zeros(self.n_context, m), one_hot(tokens[:, t], self.n_y, dtype=self.dtype)])
        return tokens


# --------------------------------------------------------------------------- encoder–decoder
class EncoderDecoderRNN(Model):
    """T_x ≠ T_y: an encoder RNN reads x; its state a^<T_x^(i)> starts a decoder RNN that writes y.

    Decoder input at step 1 is the one-hot of ``start_index`` (a ``<go>`` token; by default
    index 0, which is also ``<eos>``), then the one-hot of the previous target token
    (teacher forcing) or of the previous prediction (:meth:`translate`).  Parameter keys:
    ``encoder.Wax`` (n_a, n_x), ``encoder.Waa``, ``encoder.ba``, ``decoder.Wax`` (n_a, n_y),
    ``decoder.Waa``, ``decoder.ba``, ``Wya`` (n_y, n_a), ``by``.
    """

    def __init__(self, n_x: int, n_a: int, n_y: int, seed=0, start_index: int = 0, activation: str = "tanh",
                 dtype=np.float64) -> None:
        super().__init__(dtype)
        self.n_x, self.n_a, self.n_y = _check_size(n_x, "n_x"), _check_size(n_a, "n_a"), _check_size(n_y, "n_y")
        if not 0 <= start_index < n_y:
            raise ValueError(f"start_index must lie in 0 … n_y − 1 = {n_y - 1}; got {start_index!r}")
        self.start_index, self.activation = int(start_index), activation
        rng = rng_of(seed)
        self.parameters = {}
        for prefix, n_in in (("encoder.", self.n_x), ("decoder.", self.n_y)):
            part = init_rnn_parameters(n_in, self.n_a, seed=rng, dtype=self.dtype)
            self.parameters.update({prefix + k: v for k, v in part.items()})
        self.parameters.update(init_dense_parameters(self.n_a, self.n_y, seed=rng, dtype=self.dtype))

    def _part(self, keys: tuple[str, ...], prefix: str = "") -> dict[str, np.ndarray]:
        return {k: self.parameters[prefix + k] for k in keys}

    def encode(self, x: np.ndarray, x_mask: np.ndarray | None = None):
        """The context a^<T_x^(i)> (n_a, m) of every example, its lengths and the encoder caches."""
        self._check_x(x, self.n_x)
        _, m, T = x.shape
        lengths = sequence_lengths(x_mask, m, T)
        a, _, caches = rnn_forward(x, self._zeros(self.n_a, m), self._part(_RNN_KEYS, "encoder."),
                                   self.activation)
        return a[:, np.arange(m), lengths - 1], lengths, caches

    def decoder_inputs(self, y: np.ndarray) -> np.ndarray:
        """One-hot decoder inputs (n_y, m, T_y): ``<go>`` at step 1, y^<t-1> at step t > 1."""
        m, T_y = y.shape
        previous = np.concatenate([np.full((m, 1), self.start_index, dtype=np.int64), y[:, :-1]], axis=1)
        return one_hot(previous, self.n_y, dtype=self.dtype)

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray, x_mask: np.ndarray | None = None,
                           y_mask: np.ndarray | None = None):
        """Mean L^<t> over the unmasked target steps and the gradients of all parameters (and ``dx``).

        The decoder's BPTT ends with dL/da^<0> of the decoder, which is the gradient of the
        context; it enters the encoder's BPTT at step T_x^(i) of each example.
        """
        context, lengths, enc_caches = self.encode(x, x_mask)
        m = x.shape[1]
        if not isinstance(y, np.ndarray) or y.ndim != 2 or y.shape[0] != m:
            raise ValueError(f"targets y must be an integer array (m, T_y) with m = {m}")
        _check_labels(y, y.shape, self.n_y)
        a, _, dec_caches = rnn_forward(self.decoder_inputs(y), context, self._part(_RNN_KEYS, "decoder."),
                                       self.activation)
        z, dense_cache = dense_forward(a, self._part(_OUT_KEYS))
        loss, cache = softmax_cross_entropy_forward(z, y, y_mask)
        n = self.dtype.type(cache["n_tokens"])
        grads = dense_backward(softmax_cross_entropy_backward(cache) / n, dense_cache)
        dec = rnn_backward(grads.pop("da"), dec_caches)
        da_enc = np.zeros((self.n_a,) + x.shape[1:], dtype=self.dtype)
        da_enc[:, np.arange(m), lengths - 1] = dec["da0"]
        enc = rnn_backward(da_enc, enc_caches)
        for prefix, part in (("encoder.", enc), ("decoder.", dec)):
            grads.update({"d" + prefix + k: part["d" + k] for k in _RNN_KEYS})
        grads["dx"] = enc["dx"]
        return loss / n, grads

    def translate(self, x: np.ndarray, x_mask: np.ndarray | None = None, max_length: int = 10,
                  end_index: int = 0) -> list[list[int]]:
        """Greedy decoding: the most probable token at every step, fed back, until ``end_index``.

        Returns one list of token ids per example, without the end token.
        """
        max_length = _check_size(max_length, "max_length")
        a, _, _ = self.encode(x, x_mask)
        m = x.shape[1]
        rec, out = self._part(_RNN_KEYS, "decoder."), self._part(_OUT_KEYS)
        token = np.full(m, self.start_index, dtype=np.int64)
        steps = []
        for _ in range(max_length):
            a, _, _ = rnn_cell_forward(one_hot(token, self.n_y, dtype=self.dtype), a, rec, self.activation)
            token = dense_forward(a, out)[0].argmax(axis=0)
            steps.append(token)
        result = []
        for row in np.stack(steps, axis=1):
            ends = np.flatnonzero(row == end_index)
            result.append([int(k) for k in row[: ends[0] if ends.size else len(row)]])
        return result
