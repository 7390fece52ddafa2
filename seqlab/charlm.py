"""A character-level language model of names with the NumPy RNN (chapter 6).

A name such as ``"ann"`` is one training sequence.  The input of step 1 is the zero vector
x^<1> = 0⃗ (nothing has been read yet); every later input is the one-hot vector of the
previous character, and the target of every step is the next character, the last one
being the end-of-name token ``"\\n"``::

    t         1     2     3     4
    x^<t>     0⃗    "a"   "n"   "n"
    y^<t>    "a"   "n"   "n"   "\\n"

so T_x = T_y = len(name) + 1.  The model is the RNN of chapter 3 with a softmax output,
a^<t> = tanh(W_aa a^<t-1> + W_ax x^<t> + b_a), ŷ^<t> = softmax(W_ya a^<t> + b_y),
trained on the cross-entropy L = Σ_t L^<t>, L^<t> = −log ŷ^<t>_{y^<t>}.  It assigns a
name the probability Π_t ŷ^<t>_{y^<t>}; the perplexity of held-out names is

    PP = exp(L / number of predicted characters)

the exponential of the mean loss per character (in nats).  A model that knows nothing
has PP = |V| (the uniform distribution); PP = 1 would predict every character for sure.

A batch of names of different lengths is padded to the longest one; padded steps have
the zero vector as input and are masked out of the loss.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from .numpy.clipping import clip_by_global_norm, global_norm
from .numpy.dense import dense_backward, dense_forward
from .numpy.init import init_rnn_parameters
from .numpy.losses import perplexity, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .numpy.optim import Adam
from .numpy.rnn import RNN_PARAMETER_SHAPES, rnn_backward, rnn_forward
from .numpy.sampling import sample_sequence

__all__ = ["EOS", "split_names", "encode_names", "one_hot_inputs", "NameBatch", "make_batch",
           "lm_loss_and_gradients", "mean_loss", "model_perplexity", "unigram_distribution",
           "unigram_perplexity", "History", "train_char_lm", "sample_name", "sample_names",
           "next_char_distribution"]

#: The end-of-name token.
EOS = "\n"


# --------------------------------------------------------------------------- checks
def _check_names(names, char_to_ix: Mapping[str, int]) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a list of strings; got {type(names).__name__}")
    if not isinstance(char_to_ix, Mapping) or EOS not in char_to_ix:
        raise ValueError(f"char_to_ix must be a dict holding the end-of-name token {EOS!r}")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"every name must be a non-empty string; got {name!r}")
        for ch in name:
            if ch not in char_to_ix or ch == EOS:
                raise ValueError(f"character {ch!r} of name {name!r} is not in the vocabulary")
    return list(names)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def _positive_float(value, name: str) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator; got {type(seed).__name__}")


def _check_lm_parameters(parameters) -> int:
    """|V| of a language model's parameters (n_x = n_y); raises if the keys or sizes are wrong."""
    keys = tuple(RNN_PARAMETER_SHAPES) + ("Wya", "by")
    if not isinstance(parameters, Mapping) or any(k not in parameters for k in keys):
        raise ValueError(f"a language model needs the parameters {', '.join(keys)}")
    n_x, n_y = parameters["Wax"].shape[1], parameters["Wya"].shape[0]
    if n_x != n_y:
        raise ValueError(f"a language model needs n_x = n_y = |V|; got n_x = {n_x}, n_y = {n_y}")
    return n_x


# --------------------------------------------------------------------------- data
def split_names(names: Sequence[str], fractions: Sequence[float] = (0.8, 0.1, 0.1),
                seed=0) -> tuple[list[str], ...]:
    """Shuffle ``names`` (seeded) and cut them into parts of the given ``fractions`` (summing to 1).

    The default gives train / validation / test = 80 / 10 / 10 %.  Every name lands in
    exactly one part.
    """
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) == 0:
        raise ValueError("names must be a non-empty list of strings")
    fractions = [float(f) for f in fractions]
    if not fractions or any(not np.isfinite(f) or f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be positive and sum to 1; got {fractions}")
    order = _rng(seed).permutation(len(names))
    cuts = np.round(np.cumsum(fractions)[:-1] * len(names)).astype(int)
    return tuple([names[i] for i in part] for part in np.split(order, cuts))


def encode_names(names: Sequence[str], char_to_ix: Mapping[str, int]):
    """Input ids, target ids and mask of a batch of names, padded to T = longest name + 1.

    Returns
    -------
    inputs : int (m, T): −1 stands for the zero vector (x^<1> and padding), else the
        index of the previous character.
    targets : int (m, T): index of the next character, ``char_to_ix[EOS]`` after the last
        one (and on padding, where the mask is 0).
    mask : int (m, T): 1 on the len(name) + 1 real steps, 0 on padding.
    """
    names = _check_names(names, char_to_ix)
    if not names:
        raise ValueError("names must hold at least one name")
    m, T = len(names), max(len(n) for n in names) + 1
    eos = char_to_ix[EOS]
    inputs = np.full((m, T), -1, dtype=np.int64)
    targets = np.full((m, T), eos, dtype=np.int64)
    mask = np.zeros((m, T), dtype=np.int64)
    for i, name in enumerate(names):
        ids = [char_to_ix[ch] for ch in name]
        inputs[i, 1:len(ids) + 1] = ids
        targets[i, :len(ids)] = ids
        mask[i, :len(ids) + 1] = 1
    return inputs, targets, mask


def one_hot_inputs(inputs: np.ndarray, vocab_size: int, dtype=np.float64) -> np.ndarray:
    """x (n_x, m, T) with n_x = ``vocab_size``: the one-hot vector of each id, 0⃗ where the id is −1."""
    vocab_size = _positive_int(vocab_size, "vocab_size")
    if not isinstance(inputs, np.ndarray) or inputs.ndim != 2 or inputs.dtype.kind not in "iu":
        raise TypeError("inputs must be an integer array (m, T) of ids (−1 for the zero vector)")
    if inputs.size and (inputs.min() < -1 or inputs.max() >= vocab_size):
        raise ValueError(f"ids must lie in −1 … |V| − 1 = {vocab_size - 1}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    m, T = inputs.shape
    x = np.zeros((vocab_size, m, T), dtype=dtype)
    i, t = np.nonzero(inputs >= 0)
    x[inputs[i, t], i, t] = 1.0
    return x


@dataclass(frozen=True)
class NameBatch:
    """A padded batch: one-hot inputs x (n_x, m, T), integer targets (m, T), 0/1 mask (m, T)."""

    x: np.ndarray
    targets: np.ndarray
    mask: np.ndarray

    @property
    def n_tokens(self) -> int:
        """Number of predicted characters (unmasked steps)."""
        return int(self.mask.sum())


def make_batch(names: Sequence[str], char_to_ix: Mapping[str, int], dtype=np.float64) -> NameBatch:
    """:func:`encode_names` then :func:`one_hot_inputs`, as a :class:`NameBatch`."""
    inputs, targets, mask = encode_names(names, char_to_ix)
    return NameBatch(one_hot_inputs(inputs, len(char_to_ix), dtype), targets, mask)


# --------------------------------------------------------------------------- loss and gradients
def _split(parameters: Mapping[str, np.ndarray]):
    rnn = {k: parameters[k] for k in RNN_PARAMETER_SHAPES}
    return rnn, {"Wya": parameters["Wya"], "by": parameters["by"]}


def _forward(parameters, batch: NameBatch):
    rnn, out = _split(parameters)
    n_a, m = parameters["Waa"].shape[0], batch.x.shape[1]
    a0 = np.zeros((n_a, m), dtype=batch.x.dtype)
    a, _, rnn_caches = rnn_forward(batch.x, a0, rnn)
    z, dense_cache = dense_forward(a, out)
    loss, loss_cache = softmax_cross_entropy_forward(z, batch.targets, batch.mask)
    return float(loss), (rnn_caches, dense_cache, loss_cache)


def lm_loss_and_gradients(parameters: Mapping[str, np.ndarray], batch: NameBatch):
    """L = Σ_i Σ_t mask L^<t> over the batch and its gradients, by BPTT.

    Forward: :func:`seqlab.numpy.rnn_forward`, :func:`seqlab.numpy.dense_forward`
    (z^<t> = W_ya a^<t> + b_y), :func:`seqlab.numpy.softmax_cross_entropy_forward`;
    backward: the same three in reverse.

    Returns ``(L, n_tokens, gradients)`` with gradients keyed ``dWax, dWaa, dba, dWya, dby``.
    """
    _check_lm_parameters(parameters)
    if not isinstance(batch, NameBatch):
        raise TypeError(f"batch must be a NameBatch (see make_batch); got {type(batch).__name__}")
    loss, (rnn_caches, dense_cache, loss_cache) = _forward(parameters, batch)
    dz = softmax_cross_entropy_backward(loss_cache)
    dense_grads = dense_backward(dz, dense_cache)
    rnn_grads = rnn_backward(dense_grads["da"], rnn_caches)
    grads = {k: rnn_grads[k] for k in ("dWax", "dWaa", "dba")}
    grads.update(dWya=dense_grads["dWya"], dby=dense_grads["dby"])
    return loss, batch.n_tokens, grads


def mean_loss(parameters: Mapping[str, np.ndarray], names: Sequence[str], char_to_ix: Mapping[str, int],
              batch_size: int = 1024) -> float:
    """Mean cross-entropy per predicted character (nats) of the model over ``names``."""
    _check_lm_parameters(parameters)
    names = _check_names(names, char_to_ix)
    batch_size = _positive_int(batch_size, "batch_size")
    if not names:
        raise ValueError("names must hold at least one name")
    dtype = parameters["Wax"].dtype
    total, count = 0.0, 0
    for start in range(0, len(names), batch_size):
        batch = make_batch(names[start:start + batch_size], char_to_ix, dtype)
        loss, _ = _forward(parameters, batch)
        total += loss
        count += batch.n_tokens
    return total / count


def model_perplexity(parameters: Mapping[str, np.ndarray], names: Sequence[str],
                     char_to_ix: Mapping[str, int]) -> float:
    """PP = exp(mean loss per character) of the model on ``names``."""
    return perplexity(mean_loss(parameters, names, char_to_ix), 1.0)


def unigram_distribution(names: Sequence[str], char_to_ix: Mapping[str, int], smoothing: float = 1.0) -> np.ndarray:
    """p(c) ∝ count(c) + smoothing over the characters of ``names`` plus one EOS per name: (|V|,)."""
    names = _check_names(names, char_to_ix)
    if isinstance(smoothing, bool) or not np.isfinite(smoothing) or smoothing < 0:
        raise ValueError(f"smoothing must be a finite number ≥ 0; got {smoothing!r}")
    counts = np.full(len(char_to_ix), float(smoothing))
    for name in names:
        for ch in name:
            counts[char_to_ix[ch]] += 1
        counts[char_to_ix[EOS]] += 1
    if counts.sum() == 0:
        raise ValueError("no characters to count")
    return counts / counts.sum()


def unigram_perplexity(p: np.ndarray, names: Sequence[str], char_to_ix: Mapping[str, int]) -> float:
    """PP of the model that predicts every character with the same distribution ``p``, ignoring context."""
    names = _check_names(names, char_to_ix)
    if not isinstance(p, np.ndarray) or p.shape != (len(char_to_ix),) or not np.isfinite(p).all() \
            or (p < 0).any() or abs(p.sum() - 1) > 1e-6:
        raise ValueError(f"p must be a probability vector of shape (|V|,) = ({len(char_to_ix)},)")
    if not names:
        raise ValueError("names must hold at least one name")
    with np.errstate(divide="ignore"):  # a seen character of probability 0 gives PP = inf: an error
        log_p = np.log(p)
    total = sum(-log_p[char_to_ix[ch]] for name in names for ch in name + EOS)
    return perplexity(total, sum(len(name) + 1 for name in names))


# --------------------------------------------------------------------------- training
@dataclass
class History:
    """What :func:`train_char_lm` records: per evaluation point, the step and the mean losses per character."""

    step: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)  #: running mean over the last steps' batches
    val_loss: list[float] = field(default_factory=list)    #: on the validation names (if given)
    grad_norm: list[float] = field(default_factory=list)   #: ‖g‖ before clipping, every step


def train_char_lm(train_names: Sequence[str], char_to_ix: Mapping[str, int], *, n_a: int = 64,
                  steps: int = 1000, batch_size: int = 32, learning_rate: float = 0.01,
                  max_norm: float | None = 5.0, val_names: Sequence[str] | None = None,
                  eval_every: int = 100, seed: int = 0, dtype=np.float64,
                  parameters: dict[str, np.ndarray] | None = None):
    """Train the character-level RNN language model with Adam on mini-batches of names.

    Each step draws ``batch_size`` training names (seeded), computes L and its gradients
    by BPTT (:func:`lm_loss_and_gradients`), divides them by the number of characters
    (so the step does not depend on the batch's lengths), clips them to the global norm
    ``max_norm`` (``None``: no clipping) and makes one Adam step.  Every ``eval_every``
    steps (and at the last) it records the mean training loss per character since the last
    record and, with ``val_names``, the loss on those names.

    ``parameters`` (optional) continues training from them; otherwise they are
    initialized by :func:`seqlab.numpy.init_rnn_parameters` (n_x = n_y = |V|).

    Returns ``(parameters, history)``.
    """
    train_names = _check_names(train_names, char_to_ix)
    if not train_names:
        raise ValueError("train_names must hold at least one name")
    if val_names is not None:
        val_names = _check_names(val_names, char_to_ix)
    steps, batch_size = _positive_int(steps, "steps"), _positive_int(batch_size, "batch_size")
    eval_every = _positive_int(eval_every, "eval_every")
    learning_rate = _positive_float(learning_rate, "learning_rate")
    if max_norm is not None:
        max_norm = _positive_float(max_norm, "max_norm")
    rng = _rng(seed)
    vocab = len(char_to_ix)
    if parameters is None:
        parameters = init_rnn_parameters(vocab, _positive_int(n_a, "n_a"), vocab, seed=rng, dtype=dtype)
    elif _check_lm_parameters(parameters) != vocab:
        raise ValueError(f"parameters are for |V| = {parameters['Wax'].shape[1]}, the vocabulary has {vocab}")
    dtype = parameters["Wax"].dtype
    optimizer = Adam(learning_rate)
    history = History()
    window_loss, window_tokens = 0.0, 0
    for step in range(1, steps + 1):
        picked = rng.choice(len(train_names), size=min(batch_size, len(train_names)), replace=False)
        batch = make_batch([train_names[i] for i in picked], char_to_ix, dtype)
        loss, n_tokens, grads = lm_loss_and_gradients(parameters, batch)
        grads = {k: g / dtype.type(n_tokens) for k, g in grads.items()}
        if max_norm is not None:
            grads, norm = clip_by_global_norm(grads, max_norm)
        else:
            norm = global_norm(grads)
        optimizer.step(parameters, grads)
        history.grad_norm.append(norm)
        window_loss, window_tokens = window_loss + loss, window_tokens + n_tokens
        if step % eval_every == 0 or step == steps:
            history.step.append(step)
            history.train_loss.append(window_loss / window_tokens)
            if val_names:
                history.val_loss.append(mean_loss(parameters, val_names, char_to_ix))
            window_loss, window_tokens = 0.0, 0
    return parameters, history


# --------------------------------------------------------------------------- sampling
def sample_name(parameters: Mapping[str, np.ndarray], ix_to_char: Mapping[int, str], *,
                temperature: float = 1.0, seed=0, max_length: int = 20, prefix: str = "") -> str:
    """One name sampled from the model at temperature τ (:func:`seqlab.numpy.sample_sequence`).

    Sampling starts from x^<1> = 0⃗ (after the optional ``prefix``, which is kept) and
    stops at the end-of-name token (not returned) or after ``max_length`` characters.
    Pass a :class:`numpy.random.Generator` as ``seed`` to draw several names in a row.
    """
    vocab = _check_lm_parameters(parameters)
    if not isinstance(ix_to_char, Mapping) or len(ix_to_char) != vocab:
        raise ValueError(f"ix_to_char must map the |V| = {vocab} indices to characters")
    char_to_ix = {ch: i for i, ch in ix_to_char.items()}
    if EOS not in char_to_ix:
        raise ValueError(f"ix_to_char must hold the end-of-name token {EOS!r}")
    if prefix:
        _check_names([prefix], char_to_ix)
    ids = sample_sequence(parameters, char_to_ix[EOS], max_length=max_length, temperature=temperature,
                          seed=_rng(seed), prefix=[char_to_ix[ch] for ch in prefix])
    return prefix + "".join(ix_to_char[i] for i in ids if ix_to_char[i] != EOS)


def sample_names(parameters: Mapping[str, np.ndarray], ix_to_char: Mapping[int, str], n: int, *,
                 temperature: float = 1.0, seed=0, max_length: int = 20) -> list[str]:
    """``n`` names drawn one after the other from one seeded generator."""
    rng = _rng(seed)
    return [sample_name(parameters, ix_to_char, temperature=temperature, seed=rng, max_length=max_length)
            for _ in range(_positive_int(n, "n"))]


def next_char_distribution(parameters: Mapping[str, np.ndarray], prefix: str,
                           char_to_ix: Mapping[str, int]) -> np.ndarray:
    """ŷ^<t> after reading ``prefix``: the model's distribution of the next character, (|V|,).

    The empty prefix gives the distribution of the first letter of a name.
    """
    vocab = _check_lm_parameters(parameters)
    if prefix:
        _check_names([prefix], char_to_ix)
    inputs = np.array([[-1] + [char_to_ix[ch] for ch in prefix]], dtype=np.int64)
    x = one_hot_inputs(inputs, vocab, parameters["Wax"].dtype)
    rnn, out = _split(parameters)
    a, _, _ = rnn_forward(x, np.zeros((rnn["Waa"].shape[0], 1), dtype=x.dtype), rnn)
    z, _ = dense_forward(a[:, :, -1], out)
    z = z[:, 0] - z[:, 0].max()
    return np.exp(z) / np.exp(z).sum()
