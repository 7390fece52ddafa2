"""Hochreiter & Schmidhuber (1997): the adding problem (T = 100), the temporal-order problem
(task 6a) and the embedded Reber grammar, solved by a tanh RNN, a GRU and an LSTM over seeds.

    python experiments/hochreiter1997.py [--seeds 5] [--quick] [--jobs 2]

Writes experiments/results/hochreiter1997.json (settings, versions, every run, a summary).
The settings and the definition of "solved" are in seqlab/experiments.py (HOCHREITER1997).
"""
from __future__ import annotations

import sys
from pathlib import Path

from seqlab.experiments import cli

if __name__ == "__main__":
    sys.exit(cli("hochreiter1997", sys.argv[1:], Path(__file__).resolve().parent / "results"))
