"""Notebooks run in seqlab.book.EXECUTION_ENV, both when executed and under nbval."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from seqlab import book

ROOT = Path(__file__).resolve().parents[2]

PROBE = """import os
import numpy as np
import torch
from numpy._core._multiarray_umath import __cpu_features__
print(sorted((k, os.environ[k]) for k in {keys!r}))
print("torch CPU capability:", torch.backends.cpu.get_cpu_capability())
print("NumPy x86-64-v4 loops:", __cpu_features__.get("X86_V4", False))"""


def test_kernels_see_the_pinned_environment(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(PROBE.format(keys=sorted(book.EXECUTION_ENV)))]
    path = tmp_path / "ch99_env.ipynb"
    nbformat.write(nb, path)
    book.execute(path)
    text = "".join(o.get("text", "") for o in nbformat.read(path, as_version=4).cells[0].outputs)
    assert str(sorted(book.EXECUTION_ENV.items())) in text
    assert "torch CPU capability: AVX2" in text or "torch CPU capability: DEFAULT" in text
    assert "NumPy x86-64-v4 loops: False" in text
    # nbval, through the plugin, re-executes it in the same environment: the outputs match
    # although this test process's own environment is cleared of the pins
    env = {k: v for k, v in os.environ.items() if k not in book.EXECUTION_ENV}
    command = [sys.executable, "-m", "pytest", "-p", "tests.book.nbenv", "--nbval", "-q", "-p", "no:cacheprovider",
               str(path)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={**env, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout, result.stdout
