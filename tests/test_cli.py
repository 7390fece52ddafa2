"""The seqlab console command."""
from __future__ import annotations

import subprocess
import sys

import pytest

import seqlab
from seqlab.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"seqlab {seqlab.__version__}"


def test_help_lists_every_verb(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    from seqlab.cli import COMMANDS
    for verb in COMMANDS:
        assert verb in out


def test_no_verb_prints_help(capsys):
    assert main([]) == 0
    assert "usage: seqlab" in capsys.readouterr().out


def test_notation_verb(capsys):
    assert main(["notation", "--chapter", "3"]) == 0
    out = capsys.readouterr().out
    assert "W_aa" in out and "(n_a, n_a)" in out
    assert "Γ_f" not in out  # introduced in chapter 9


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "seqlab", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"seqlab {seqlab.__version__}"
