"""Interactive explorers of the course (ipywidgets), live in Jupyter and on the static website.

* :func:`rnn_stepper` -- step an RNN through time: x^<t>, a^<t-1>, a^<t>, ŷ^<t> for the chosen t.
* :func:`gate_explorer` -- the gates Γ_f, Γ_u, Γ_o (LSTM) or Γ_u, Γ_r (GRU) and c^<t> over t.
* :func:`vanishing_explorer` -- ‖∂L/∂a^<T_x−k>‖ against the distance k for a chosen ρ(W_aa).
* :func:`temperature_sampler` -- p_τ = softmax(z / τ) and seeded samples for the chosen τ.

Everything is computed with :mod:`seqlab.numpy`. Every view the controls can show is kept
in the widget state and linked to the controls in the browser (``ipywidgets.jslink``), so
the explorers respond on the website too, where no Python runs
(:mod:`seqlab.widgets.explorer`). The drawings are plain SVG and HTML
(:mod:`seqlab.widgets.draw`). Needs ``ipywidgets`` (the ``book`` extra).
"""
from __future__ import annotations

from .explorer import Control, Explorer, Panel, buttons, slider
from .explorers import (MEMORY_CHANNELS, NEXT_WORD_LOGITS, gate_explorer, memory_cell_parameters, memory_inputs,
                        rnn_stepper, temperature_sampler, vanishing_explorer)

__all__ = ["Explorer", "Control", "Panel", "slider", "buttons", "rnn_stepper", "gate_explorer",
           "vanishing_explorer", "temperature_sampler", "memory_cell_parameters", "memory_inputs",
           "MEMORY_CHANNELS", "NEXT_WORD_LOGITS"]
