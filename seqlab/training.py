"""A small PyTorch training loop for the sequence tasks of the course (chapter 10).

The model is one recurrent layer of :mod:`seqlab.torch` (RNN, GRU or LSTM, written from
tensor operations) and a time-distributed linear read-out::

    a^<t> = cell(a^<t-1>, x^<t>),    z^<t> = W_ya a^<t> + b_y

The read-out ``output`` decides how z^<t> becomes the prediction ŷ and the loss:

* ``"linear_last"``: ŷ = z^<T_x^(i)> at each example's last step, squared error
  (the adding problem);
* ``"softmax_last"``: ŷ = softmax(z^<T_x^(i)>), cross-entropy (the temporal-order problem);
* ``"sigmoid_all"``: ŷ^<t> = σ(z^<t>) at every step, binary cross-entropy summed over the
  n_y outputs and averaged over the real steps: the negative log-likelihood per time step
  of Chung et al. (2014) (the Reber grammar, polyphonic music).

Batches come from :mod:`seqlab.data.tasks` in the course's layout (``x`` is
``(n_x, m, T_x)``) and are converted once to torch's time-major layout.  Training is Adam
with global-norm gradient clipping (Pascanu et al. 2013); every generator is seeded, so a
run is reproducible given its seed.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import torch as st
from .data.tasks import SequenceBatch

__all__ = ["CELLS", "OUTPUTS", "SequenceModel", "TorchBatch", "to_torch", "build_model", "count_parameters",
           "hidden_size_for_budget", "LSTM_GATE_ROWS", "add_gate_bias", "last_step", "loss_and_prediction", "predict",
           "train_step", "make_optimizer", "single_thread", "gradient_through_time"]

#: Recurrent cells a :class:`SequenceModel` can use.
CELLS = ("rnn", "gru", "lstm")
#: Read-outs (see the module docstring).
OUTPUTS = ("linear_last", "softmax_last", "sigmoid_all")


class TorchBatch(NamedTuple):
    """A :class:`~seqlab.data.tasks.SequenceBatch` in torch's layout: ``x`` (T_x, m, n_x); ``y``
    (m, n_y) for end-of-sequence targets or (T_x, m, n_y) for per-step targets; ``lengths``
    (m,); ``mask`` (T_x, m), 1 on real steps."""

    x: torch.Tensor
    y: torch.Tensor
    lengths: torch.Tensor
    mask: torch.Tensor


def to_torch(batch: SequenceBatch, dtype: torch.dtype = torch.float64) -> TorchBatch:
    """Convert a NumPy batch (n_x, m, T_x) to torch's time-major layout."""
    x = st.x_to_torch(batch.x, dtype=dtype)
    y = st.x_to_torch(batch.y, dtype=dtype) if batch.y.ndim == 3 else torch.from_numpy(batch.y.T.copy()).to(dtype)
    lengths = torch.from_numpy(np.asarray(batch.lengths, dtype=np.int64))
    mask = (torch.arange(x.shape[0])[:, None] < lengths[None, :]).to(dtype)
    return TorchBatch(x, y, lengths, mask)


class SequenceModel(nn.Module):
    """One recurrent layer of :mod:`seqlab.torch` and a linear read-out z^<t> = W_ya a^<t> + b_y.

    ``kind`` is ``"rnn"`` (tanh), ``"gru"`` (variant ``gru_variant``, default ``"reset_after"``:
    the form of Cho et al. 2014 and of ``torch.nn.GRU``, c̃ = tanh(W_cx x^<t> + b_c + Γ_r ⊙
    (W_ca c^<t-1> + b_ca)); Chung et al. 2014 put Γ_r before W_ca and found both forms to
    perform alike) or ``"lstm"``.  The layers use :mod:`seqlab.torch`'s fused backward pass.
    Every parameter starts from U(±1/√n_a), as in ``torch.nn``; for the LSTM,
    ``forget_bias`` is then added to b_f (Gers et al. 2000; Jozefowicz et al. 2015) and
    ``input_bias`` to b_u, the bias of the input (update) gate Γ_u (Hochreiter & Schmidhuber
    1997 start it negative, Sections 5.4 and 5.6).
    """

    def __init__(self, kind: str, n_x: int, n_a: int, n_y: int, *, forget_bias: float = 0.0,
                 input_bias: float = 0.0, gru_variant: str = "reset_after", dtype: torch.dtype = torch.float64) -> None:
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"kind must be one of {', '.join(map(repr, CELLS))}; got {kind!r}")
        if (forget_bias or input_bias) and kind != "lstm":
            raise ValueError(f"forget_bias (b_f) and input_bias (b_u) are LSTM options; got kind={kind!r}")
        self.kind = kind
        if kind == "rnn":
            self.cell = st.RNN(n_x, n_a, nonlinearity="tanh", dtype=dtype)
        elif kind == "gru":
            self.cell = st.GRU(n_x, n_a, variant=gru_variant, dtype=dtype)
        else:
            self.cell = st.LSTM(n_x, n_a, dtype=dtype)
            add_gate_bias(self.cell, "forget", forget_bias)
            add_gate_bias(self.cell, "input", input_bias)
        self.readout = nn.Linear(n_a, n_y, dtype=dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """z^<t> for every step: ``x`` (T_x, m, n_x) → (T_x, m, n_y)."""
        a, _ = self.cell(x)
        return self.readout(a)


#: Row block of each LSTM gate in torch's fused layout [i; f; g; o] = [Γ_u; Γ_f; c̃; Γ_o].
LSTM_GATE_ROWS = {"input": 0, "forget": 1, "candidate": 2, "output": 3}


def add_gate_bias(lstm: nn.Module, gate: str, value: float) -> None:
    """Add ``value`` to the bias of one gate of every layer of a :class:`seqlab.torch.LSTM`:
    ``"forget"`` is b_f (rows n_a … 2 n_a − 1 of ``bias_ih``), ``"input"`` is b_u of Γ_u.

    With b_f = 1 the forget gate starts at Γ_f ≈ σ(1) ≈ 0.73 instead of 0.5, so the memory
    cell c^<t> = Γ_f ⊙ c^<t-1> + Γ_u ⊙ c̃^<t> keeps more of its content at the start of
    training (Gers et al. 2000; Jozefowicz et al. 2015).  A negative b_u starts the input
    gate nearly closed, so c^<t> is not filled with every input.
    """
    if gate not in LSTM_GATE_ROWS:
        raise ValueError(f"gate must be one of {', '.join(map(repr, LSTM_GATE_ROWS))}; got {gate!r}")
    if not value:
        return
    n_a, block = lstm.hidden_size, LSTM_GATE_ROWS[gate]
    with torch.no_grad():
        for name, p in lstm.named_parameters():
            if name.startswith("bias_ih"):
                p[block * n_a:(block + 1) * n_a] += value


def build_model(kind: str, n_x: int, n_a: int, n_y: int, seed: int, **options) -> SequenceModel:
    """A :class:`SequenceModel` whose initial weights depend only on ``seed``."""
    torch.manual_seed(seed)
    return SequenceModel(kind, n_x, n_a, n_y, **options)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _parameters_of(kind: str, n_x: int, n_a: int, n_y: int) -> int:
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[kind]
    return gates * n_a * (n_x + n_a + 2) + n_y * (n_a + 1)


def hidden_size_for_budget(kind: str, n_x: int, n_y: int, budget: int) -> int:
    """The n_a whose model (cell with torch's two biases + read-out) has the number of
    parameters closest to ``budget``, as Chung et al. (2014, Table 1) match their models."""
    if kind not in CELLS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, CELLS))}; got {kind!r}")
    return min(range(1, 4 * int(math.sqrt(budget)) + 2),
               key=lambda n_a: abs(_parameters_of(kind, n_x, n_a, n_y) - budget))


def last_step(z: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """z^<T_x^(i)> of each example: ``z`` (T_x, m, n) → (m, n), taken at t = T_x^(i)."""
    return z[lengths - 1, torch.arange(z.shape[1])]


def loss_and_prediction(output: str, z: torch.Tensor, batch: TorchBatch) -> tuple[torch.Tensor, np.ndarray]:
    """The loss of read-out ``output`` (see the module docstring) and ŷ as a NumPy array in
    the course's layout: (n_y, m) for the end-of-sequence read-outs, (n_y, m, T_x) for
    ``"sigmoid_all"``."""
    if output == "linear_last":
        y_hat = last_step(z, batch.lengths)
        loss = F.mse_loss(y_hat, batch.y)
        return loss, y_hat.detach().numpy().T
    if output == "softmax_last":
        logits = last_step(z, batch.lengths)
        loss = F.cross_entropy(logits, batch.y.argmax(dim=1))
        return loss, torch.softmax(logits.detach(), dim=1).numpy().T
    if output == "sigmoid_all":
        per_step = F.binary_cross_entropy_with_logits(z, batch.y, reduction="none").sum(dim=2)
        loss = (per_step * batch.mask).sum() / batch.mask.sum()
        return loss, torch.sigmoid(z.detach()).numpy().transpose(2, 1, 0)
    raise ValueError(f"output must be one of {', '.join(map(repr, OUTPUTS))}; got {output!r}")


def predict(model: SequenceModel, output: str, batch: TorchBatch, chunk: int = 1024) -> tuple[float, np.ndarray]:
    """Loss and ŷ of ``model`` on ``batch`` without gradients, ``chunk`` examples at a time."""
    losses, preds, weights = [], [], []
    t_x = batch.x.shape[0]
    with torch.no_grad():
        for start in range(0, batch.x.shape[1], chunk):
            part = _slice(batch, slice(start, start + chunk))
            loss, y_hat = loss_and_prediction(output, model(part.x), part)
            losses.append(float(loss))
            if y_hat.ndim == 3:                         # per-step ŷ of a shorter chunk: pad to T_x
                y_hat = np.pad(y_hat, ((0, 0), (0, 0), (0, t_x - y_hat.shape[2])))
            preds.append(y_hat)
            weights.append(float(part.mask.sum()) if output == "sigmoid_all" else part.x.shape[1])
    loss = float(np.average(losses, weights=weights))
    return loss, np.concatenate(preds, axis=1)


def _slice(batch: TorchBatch, rows: slice) -> TorchBatch:
    """Examples ``rows`` of ``batch``, cut to their own longest length."""
    lengths = batch.lengths[rows]
    t_x = int(lengths.max())
    y = batch.y[rows] if batch.y.dim() == 2 else batch.y[:t_x, rows]
    return TorchBatch(batch.x[:t_x, rows], y, lengths, batch.mask[:t_x, rows])


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Adam (Kingma & Ba 2015) on every parameter of ``model``."""
    return torch.optim.Adam(model.parameters(), lr=lr)


def train_step(model: SequenceModel, optimizer: torch.optim.Optimizer, output: str, batch: TorchBatch,
               clip: float = 1.0) -> tuple[float, np.ndarray]:
    """One update: loss, backpropagation through time, gradient norm clipped to ``clip``,
    Adam step.  Returns the loss and ŷ of the batch (before the update)."""
    optimizer.zero_grad()
    loss, y_hat = loss_and_prediction(output, model(batch.x), batch)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return float(loss.detach()), y_hat


class single_thread:
    """Context manager: run torch on one thread (reproducible, as the chapters do), then
    restore the previous setting."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._previous: int | None = None

    def __enter__(self) -> "single_thread":
        self._previous = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc) -> None:
        torch.set_num_threads(self._previous)




def gradient_through_time(model: SequenceModel, x: torch.Tensor) -> np.ndarray:
    """‖∂ŷ^<T_x> / ∂x^<t>‖ for t = 1 … T_x: how strongly the read-out at the last step
    depends on each input (the picture of vanishing gradients of chapter 7).  ``x`` is
    (T_x, m, n_x); the read-out is summed over the examples and outputs."""
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(x)[-1].sum(), x)
    return grad.norm(dim=(1, 2)).numpy()
