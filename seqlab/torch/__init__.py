"""The course's cells from PyTorch tensor operations, on any device.

Called like ``torch.nn`` and laid out like it (x is ``(T_x, m, n_x)``, parameters fused
with torch's names), but written from tensor operations so the equations of the notes
are visible and every GRU variant and the peephole LSTM are available:

* :mod:`~seqlab.torch.cells`: :class:`RNNCell`, :class:`GRUCell`, :class:`LSTMCell`,
  :class:`PeepholeLSTMCell` -- one time step;
* :mod:`~seqlab.torch.layers`: :class:`RNN`, :class:`GRU`, :class:`LSTM`,
  :class:`PeepholeLSTM` -- whole sequences, ``num_layers``, ``bidirectional``,
  ``batch_first``; they return what ``torch.nn`` returns;
* :mod:`~seqlab.torch.convert`: to and from seqlab.numpy parameter dicts and
  ``torch.nn`` modules;
* :mod:`~seqlab.torch.functional`: the step functions and the time loop.
"""
from __future__ import annotations

from .cells import GRUCell, LSTMCell, PeepholeLSTMCell, RNNCell
from .convert import (from_numpy, from_torch_nn, grads_to_numpy, infer_kind, state_to_numpy,
                      state_to_torch, to_numpy, to_torch_nn, x_to_numpy, x_to_torch)
from .functional import CELL_KINDS, GRU_VARIANTS
from .layers import GRU, LSTM, RNN, PeepholeLSTM

__all__ = ["RNNCell", "GRUCell", "LSTMCell", "PeepholeLSTMCell", "RNN", "GRU", "LSTM", "PeepholeLSTM",
           "from_numpy", "to_numpy", "grads_to_numpy", "from_torch_nn", "to_torch_nn", "infer_kind",
           "x_to_torch", "x_to_numpy", "state_to_torch", "state_to_numpy", "CELL_KINDS", "GRU_VARIANTS"]
