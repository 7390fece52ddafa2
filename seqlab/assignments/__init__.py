"""The graded assignments: notebook checks that localize mistakes, and the question specs
that ``seqlab grade`` uses.

* :mod:`seqlab.assignments.a1` -- the RNN step by step;
* :mod:`seqlab.assignments.a2` -- GRU and LSTM step by step;
* :mod:`seqlab.assignments.a3` -- a character-level name generator;
* :mod:`seqlab.assignments.helpers` -- what the notebooks give students (NumPy only).

Each check runs your function on a small fixed example and compares it with the course's
reference (:mod:`seqlab.numpy`); when it differs, it compares with a catalogue of typical
mistakes and with the same example with one term switched off, to say *where* the mistake
is: which term (W_aa a^<t-1>, W_ax x^<t>, b_a), which gate, which time step, which shape.
"""
from __future__ import annotations
