"""Jozefowicz et al. (2015): the LSTM with the default initialization and with a forget-gate
bias b_f = 1, and the GRU, trained on the same budget (the adding problem and the synthetic
polyphonic corpus).

    python experiments/jozefowicz2015.py [--seeds 5] [--quick] [--jobs 2]

Writes experiments/results/jozefowicz2015.json (settings, versions, every run, a summary).
The settings are in seqlab/experiments.py (JOZEFOWICZ2015).
"""
from __future__ import annotations

import sys
from pathlib import Path

from seqlab.experiments import cli

if __name__ == "__main__":
    sys.exit(cli("jozefowicz2015", sys.argv[1:], Path(__file__).resolve().parent / "results"))
