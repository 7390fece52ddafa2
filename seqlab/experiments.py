"""Reproductions of three classic recurrent-network experiments (chapter 10).

* :data:`HOCHREITER1997` -- Hochreiter & Schmidhuber (1997): the adding problem (T = 100),
  the temporal-order problem (task 6a) and the embedded Reber grammar; success rates of a
  tanh RNN, a GRU, an LSTM with torch's default initialization, and an LSTM started like the
  1997 cell (forget-gate bias b_f = 3, so Γ_f ≈ 0.95 — the 1997 cell had no forget gate — and
  input-gate bias b_u = −3, a nearly closed input gate as in the paper) over seeds.
* :data:`CHUNG2014` -- Chung et al. (2014): tanh RNN, GRU and LSTM of about the same number
  of parameters on polyphonic-music modelling (a synthetic corpus, see
  :func:`seqlab.data.tasks.polyphonic_music`), negative log-likelihood per time step.
* :data:`JOZEFOWICZ2015` -- Jozefowicz et al. (2015): the LSTM with and without a forget-gate
  bias b_f = 1, and the GRU, on the same budget.

Each experiment is a dict of settings (``"full"`` and the reduced ``"quick"``
configuration); :func:`run_experiment` runs one configuration over seeds and returns result
rows, which ``experiments/<name>.py`` writes to ``experiments/results/<name>.json``.
:data:`PUBLISHED` holds the published figures the chapter shows beside ours.

Solved, precisely (Hochreiter & Schmidhuber 1997, Sections 5.1, 5.4, 5.6):

* adding problem: a sequence is processed correctly when |ŷ − y| < 0.04 at its end;
  temporal order: when every output is within 0.3 of its target.  Training stops as in the
  paper once the 2,000 most recent training sequences were all processed correctly (or at
  the step budget); the run is then tested on 2,560 held-out sequences, and it SOLVES the
  task when at least 99 % of them are processed correctly.
* embedded Reber grammar: 256 training and 256 distinct test strings; a string is
  predicted correctly when, at every step, the outputs of the possible next symbols are
  the most active ones.  The run SOLVES the task when every training and test string is
  predicted correctly (the paper's criterion), checked every ``eval_every`` updates.

The training data and initial weights of a run depend only on its seed, and the data of a
seed are the same for every model, so the models are compared on the same sequences; the
held-out test sets are the same for every seed.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .data import tasks
from .training import (build_model, count_parameters, hidden_size_for_budget, make_optimizer, predict,
                       single_thread, to_torch, train_step)

__all__ = ["StreamTask", "STREAM_TASKS", "HOCHREITER1997", "CHUNG2014", "JOZEFOWICZ2015", "EXPERIMENTS",
           "PUBLISHED", "SOLVED_FRACTION", "run_stream", "run_reber", "run_music", "model_label", "run_row", "row_specs",
           "run_experiment", "summarize", "compare_rows", "settings_of", "versions", "run_configuration",
           "load_results", "cli"]

#: A run solves the adding / temporal-order problem when at least this fraction of the
#: held-out test sequences is processed correctly.
SOLVED_FRACTION = 0.99
#: Seed of the held-out test sets (the same for every model and seed).
TEST_SEED = 1997


@dataclass(frozen=True)
class StreamTask:
    """A task whose training sequences are drawn fresh at every update."""

    name: str
    n_x: int
    n_y: int
    output: str
    make: Callable[[int, np.random.Generator], tasks.SequenceBatch]
    correct: Callable[[np.ndarray, np.ndarray], np.ndarray]
    task_id: int


STREAM_TASKS = {
    "adding": StreamTask("adding", 2, 1, "linear_last",
                         lambda m, rng: tasks.adding_problem(m, 100, seed=rng), tasks.adding_solved, 4),
    "temporal_order": StreamTask("temporal_order", 8, 4, "softmax_last",
                                 lambda m, rng: tasks.temporal_order(m, 2, seed=rng),
                                 tasks.temporal_order_solved, 6),
}


def _curve(**columns) -> dict[str, list]:
    return {k: [float(round(v, 6)) if isinstance(v, float) else v for v in values] for k, values in columns.items()}


def run_stream(task: str, kind: str, seed: int, *, n_a: int, m: int, lr: float, max_steps: int,
               window: int = 2000, n_test: int = 2560, forget_bias: float = 0.0, input_bias: float = 0.0,
               log_every: int = 50, clip: float = 1.0) -> dict:
    """Train ``kind`` on a stream task until the 2,000 most recent training sequences are all
    processed correctly (Hochreiter & Schmidhuber's stopping rule) or ``max_steps`` updates,
    then count the wrong predictions on ``n_test`` held-out sequences."""
    spec = STREAM_TASKS[task]
    model = build_model(kind, spec.n_x, n_a, spec.n_y, seed, forget_bias=forget_bias, input_bias=input_bias)
    optimizer = make_optimizer(model, lr)
    rng = np.random.default_rng([seed, spec.task_id])
    recent: deque[bool] = deque(maxlen=window)
    curve: dict[str, list] = {"sequences": [], "loss": [], "recent_correct": []}
    stopped, step = False, 0
    while step < max_steps and not stopped:
        batch = to_torch(spec.make(m, rng))
        loss, y_hat = train_step(model, optimizer, spec.output, batch, clip)
        recent.extend(spec.correct(y_hat, batch.y.numpy().T).tolist())
        step += 1
        stopped = len(recent) == window and all(recent)
        if step % log_every == 0 or stopped or step == max_steps:
            curve["sequences"].append(step * m)
            curve["loss"].append(loss)
            curve["recent_correct"].append(float(np.mean(recent)))
    test = to_torch(spec.make(n_test, np.random.default_rng([TEST_SEED, spec.task_id])))
    test_loss, y_hat = predict(model, spec.output, test)
    wrong = int((~spec.correct(y_hat, test.y.numpy().T)).sum())
    return {"task": task, "model": model_label(kind, forget_bias, input_bias), "seed": seed, "n_a": n_a,
            "parameters": count_parameters(model), "stopped": stopped, "steps": step, "sequences": step * m,
            "test_wrong": wrong, "test_total": n_test, "test_loss": round(test_loss, 6),
            "solved": bool(1 - wrong / n_test >= SOLVED_FRACTION), "curve": _curve(**curve)}


def run_reber(kind: str, seed: int, *, n_a: int, m: int, lr: float, max_steps: int, eval_every: int = 25,
              n_train: int = 256, n_test: int = 256, forget_bias: float = 0.0, input_bias: float = 0.0,
              clip: float = 1.0) -> dict:
    """Train ``kind`` on the embedded Reber grammar (next-symbol prediction, Section 5.1) with
    strings picked at random from 256 training strings, until every training and test string
    is predicted correctly or ``max_steps`` updates."""
    train_strings, test_strings = tasks.reber_split(n_train, n_test, seed=np.random.default_rng([seed, 1]))
    train_np, test_np = tasks.reber_batch(train_strings), tasks.reber_batch(test_strings)
    train_all, test_all = to_torch(train_np), to_torch(test_np)
    model = build_model(kind, 7, n_a, 7, seed, forget_bias=forget_bias, input_bias=input_bias)
    optimizer = make_optimizer(model, lr)
    rng = np.random.default_rng([seed, 2])
    curve: dict[str, list] = {"sequences": [], "loss": [], "test_correct": []}
    step, solved, wrong = 0, False, (n_train, n_test)
    while step < max_steps and not solved:
        picks = rng.integers(0, n_train, size=m)
        batch = to_torch(tasks.reber_batch([train_strings[i] for i in picks]))
        loss, _ = train_step(model, optimizer, "sigmoid_all", batch, clip)
        step += 1
        if step % eval_every == 0 or step == max_steps:
            wrong = tuple(int((~tasks.reber_solved(predict(model, "sigmoid_all", b)[1], b_np)).sum())
                          for b, b_np in ((train_all, train_np), (test_all, test_np)))
            solved = wrong == (0, 0)
            curve["sequences"].append(step * m)
            curve["loss"].append(loss)
            curve["test_correct"].append(1 - wrong[1] / n_test)
    return {"task": "reber", "model": model_label(kind, forget_bias, input_bias), "seed": seed, "n_a": n_a,
            "parameters": count_parameters(model), "stopped": solved, "steps": step, "sequences": step * m,
            "train_wrong": wrong[0], "test_wrong": wrong[1], "test_total": n_test, "solved": solved,
            "curve": _curve(**curve)}


def run_music(kind: str, seed: int, *, parameters: int, m: int, lr: float, steps: int, n_train: int = 256,
              n_valid: int = 64, n_test: int = 128, bars: int = 16, forget_bias: float = 0.0,
              input_bias: float = 0.0, log_every: int = 50, clip: float = 1.0) -> dict:
    """Train ``kind`` (n_a chosen so the model has about ``parameters`` weights) to predict
    the next step of the synthetic polyphonic corpus for ``steps`` updates, keep the weights
    with the best validation NLL (early stopping, as Chung et al. 2014) and report the
    negative log-likelihood per time step on the training and test songs (their Table 2)."""
    corpus = {split: tasks.polyphonic_music(n, bars=bars, seed=np.random.default_rng([2014, k]))
              for k, (split, n) in enumerate((("train", n_train), ("valid", n_valid), ("test", n_test)), start=1)}
    full = {split: to_torch(batch) for split, batch in corpus.items()}
    n_a = hidden_size_for_budget(kind, 36, 36, parameters)
    model = build_model(kind, 36, n_a, 36, seed, forget_bias=forget_bias, input_bias=input_bias)
    optimizer = make_optimizer(model, lr)
    rng, train = np.random.default_rng([seed, 3]), corpus["train"]
    curve: dict[str, list] = {"sequences": [], "train_nll": [], "valid_nll": []}
    best = (np.inf, 0, copy.deepcopy(model.state_dict()))
    for step in range(1, steps + 1):
        picks = np.sort(rng.choice(n_train, size=m, replace=False))
        batch = to_torch(tasks.SequenceBatch(train.x[:, picks], train.y[:, picks], train.lengths[picks]))
        loss, _ = train_step(model, optimizer, "sigmoid_all", batch, clip)
        if step % log_every == 0 or step == steps:
            valid = predict(model, "sigmoid_all", full["valid"])[0]
            curve["sequences"].append(step * m)
            curve["train_nll"].append(loss)
            curve["valid_nll"].append(valid)
            if valid < best[0]:
                best = (valid, step, copy.deepcopy(model.state_dict()))
    model.load_state_dict(best[2])
    nll = {split: round(predict(model, "sigmoid_all", full[split])[0], 6) for split in ("train", "valid", "test")}
    return {"task": "music", "model": model_label(kind, forget_bias, input_bias), "seed": seed, "n_a": n_a,
            "parameters": count_parameters(model), "steps": steps, "sequences": steps * m, "best_step": best[1],
            "train_nll": nll["train"], "valid_nll": nll["valid"], "test_nll": nll["test"], "curve": _curve(**curve)}


def model_label(kind: str, forget_bias: float = 0.0, input_bias: float = 0.0) -> str:
    """``"tanh RNN"``, ``"GRU"``, ``"LSTM"``, or ``"LSTM (b_f = 1)"`` … when gate biases are added."""
    names = {"rnn": "tanh RNN", "gru": "GRU", "lstm": "LSTM"}
    biases = [f"{name} = {value:g}".replace("-", "−") for name, value in (("b_f", forget_bias), ("b_u", input_bias))
              if value]
    return names[kind] + (f" ({', '.join(biases)})" if biases else "")


# --------------------------------------------------------------------------- the experiments
_RNN, _GRU, _LSTM = {"kind": "rnn"}, {"kind": "gru"}, {"kind": "lstm"}
#: the 1997 cell had no forget gate (Γ_f = 1) and started its input gates closed (biases −3 and −6
#: for the adding problem, Section 5.4): b_f = 3 gives Γ_f ≈ 0.95, b_u = −3 gives Γ_u ≈ 0.05
_LSTM_1997 = {"kind": "lstm", "forget_bias": 3.0, "input_bias": -3.0}
_LSTM_B1 = {"kind": "lstm", "forget_bias": 1.0}
_STREAM = {"n_a": 32, "m": 32, "lr": 1e-2, "max_steps": 1500}
_REBER = {"n_a": 16, "m": 32, "lr": 1e-2, "max_steps": 1500, "eval_every": 25}
_MUSIC = {"parameters": 10_000, "m": 32, "lr": 3e-3, "steps": 1500}
_QUICK_STREAM = dict(_STREAM, max_steps=40, n_test=512, log_every=10)
_QUICK_REBER = dict(_REBER, max_steps=100)
_QUICK_MUSIC = dict(_MUSIC, steps=40, n_train=64, n_valid=16, n_test=32, log_every=10)

HOCHREITER1997 = {
    "name": "hochreiter1997",
    "title": "Hochreiter & Schmidhuber (1997): adding problem, temporal order, embedded Reber grammar",
    "full": {
        "seeds": 5,
        "models": [_RNN, _GRU, _LSTM, _LSTM_1997],
        "rows": [["stream", dict(_STREAM, task="adding")], ["stream", dict(_STREAM, task="temporal_order")],
                 ["reber", _REBER]],
    },
    "quick": {
        "seeds": 1,
        "models": [_RNN, _GRU, _LSTM, _LSTM_1997],
        "rows": [["stream", dict(_QUICK_STREAM, task="adding")], ["stream", dict(_QUICK_STREAM, task="temporal_order")],
                 ["reber", _QUICK_REBER]],
    },
}

CHUNG2014 = {
    "name": "chung2014",
    "title": "Chung et al. (2014): tanh RNN vs GRU vs LSTM on polyphonic music (synthetic corpus)",
    "full": {"seeds": 5, "models": [_RNN, _GRU, _LSTM], "rows": [["music", _MUSIC]]},
    "quick": {"seeds": 1, "models": [_RNN, _GRU, _LSTM], "rows": [["music", _QUICK_MUSIC]]},
}

JOZEFOWICZ2015 = {
    "name": "jozefowicz2015",
    "title": "Jozefowicz et al. (2015): LSTM with and without forget-gate bias b_f = 1, same budget",
    "full": {"seeds": 10, "models": [_LSTM, _LSTM_B1, _GRU], "rows": [["reber", _REBER], ["music", _MUSIC]]},
    "quick": {"seeds": 1, "models": [_LSTM, _LSTM_B1, _GRU],
              "rows": [["reber", _QUICK_REBER], ["music", _QUICK_MUSIC]]},
}

EXPERIMENTS = {e["name"]: e for e in (HOCHREITER1997, CHUNG2014, JOZEFOWICZ2015)}

_RUNNERS = {"stream": run_stream, "reber": run_reber, "music": run_music}


def row_specs(experiment: dict, config: str = "full", seeds: int | None = None) -> list[dict]:
    """Every run of one configuration: runner, keyword arguments, model and seed."""
    settings = experiment[config]
    n_seeds = settings["seeds"] if seeds is None else seeds
    specs = []
    for runner, options in settings["rows"]:
        for model in settings["models"]:
            for seed in range(n_seeds):
                specs.append({"runner": runner, "kind": model["kind"], "seed": seed,
                              "options": dict(options, **{k: v for k, v in model.items() if k != "kind"})})
    return specs


def run_row(spec: dict) -> dict:
    """Run one spec of :func:`row_specs` on one thread; adds its processor time in seconds
    as ``"cpu_seconds"`` (what the run costs on an idle core, whatever else the machine runs)."""
    start = time.process_time()
    with single_thread():
        options = dict(spec["options"])
        if spec["runner"] == "stream":
            row = run_stream(options.pop("task"), spec["kind"], spec["seed"], **options)
        else:
            row = _RUNNERS[spec["runner"]](spec["kind"], spec["seed"], **options)
    row["cpu_seconds"] = round(time.process_time() - start, 1)
    return row


def run_experiment(experiment: dict, config: str = "full", seeds: int | None = None, jobs: int = 1,
                   progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Run every row of ``experiment[config]``; ``jobs`` worker processes (each on one thread).

    The rows come back in the order of :func:`row_specs`, whatever ``jobs`` is: each run
    depends only on its own seed.
    """
    specs = row_specs(experiment, config, seeds)
    if jobs <= 1:
        rows = []
        for spec in specs:
            rows.append(run_row(spec))
            if progress:
                progress(rows[-1])
        return rows
    import multiprocessing
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        rows = []
        for row in pool.imap(run_row, specs):
            rows.append(row)
            if progress:
                progress(row)
    return rows


def summarize(rows: list[dict]) -> list[dict]:
    """One line per (task, model): runs, solved runs, mean sequences to the stopping rule
    over the runs that met it, mean wrong test sequences, mean NLL -- whatever applies."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["task"], row["model"]), []).append(row)
    lines = []
    for (task, model), runs in groups.items():
        line = {"task": task, "model": model, "runs": len(runs), "n_a": runs[0]["n_a"],
                "parameters": runs[0]["parameters"]}
        if "solved" in runs[0]:
            stopped = [r["sequences"] for r in runs if r["stopped"]]
            line.update(solved=sum(r["solved"] for r in runs),
                        mean_sequences_to_stop=round(float(np.mean(stopped))) if stopped else None,
                        mean_test_wrong=round(float(np.mean([r["test_wrong"] for r in runs])), 1),
                        test_total=runs[0]["test_total"])
        if "test_nll" in runs[0]:
            for key in ("train_nll", "test_nll"):
                values = [r[key] for r in runs]
                line[key] = round(float(np.mean(values)), 4)
                line[key + "_std"] = round(float(np.std(values)), 4)
        lines.append(line)
    return lines


def compare_rows(new: dict, old: dict, rtol: float = 1e-3, count_tol: int = 2) -> list[str]:
    """Differences between a re-run row and a committed one: floats must agree within
    ``rtol`` (relative, with an absolute floor of rtol · 0.01), counts of sequences within
    ``count_tol``, everything else exactly.  Returns a list of messages (empty: reproduced)."""
    problems = []
    for key in ("task", "model", "seed", "n_a", "parameters", "steps", "sequences", "stopped", "solved"):
        if key in old and new.get(key) != old[key]:
            problems.append(f"{key}: {new.get(key)!r} != committed {old[key]!r}")
    for key in ("test_wrong", "train_wrong"):
        if key in old and abs(new[key] - old[key]) > count_tol:
            problems.append(f"{key}: {new[key]} vs committed {old[key]} (tolerance ±{count_tol})")
    for key in ("test_loss", "train_nll", "test_nll"):
        if key in old and not np.isclose(new[key], old[key], rtol=rtol, atol=rtol * 0.01):
            problems.append(f"{key}: {new[key]} vs committed {old[key]} (rtol {rtol})")
    return problems


# --------------------------------------------------------------------------- published figures
PUBLISHED = {
    "hochreiter1997": {
        "citation": ("S. Hochreiter and J. Schmidhuber, Long short-term memory, Neural Computation "
                     "9(8):1735–1780, 1997"),
        "adding": {
            "where": "Section 5.4, Table 7 (T = 100, minimal lag 50; means of 10 trials)",
            "rows": [{"model": "LSTM (2 cell blocks of size 2, 93 weights)", "success": "10/10",
                      "wrong": "1 out of 2560", "sequences": "74,000"}],
            "note": "The paper reports that no other recurrent-net algorithm had solved this task.",
        },
        "temporal_order": {
            "where": "Section 5.6, Table 9 (task 6a; means of 20 trials)",
            "rows": [{"model": "LSTM (2 cell blocks of size 2, 156 weights)", "success": "20/20",
                      "wrong": "1 out of 2560", "sequences": "31,390"}],
            "note": "Never more than 3 incorrectly classified test sequences; not solved by earlier algorithms.",
        },
        "reber": {
            "where": "Section 5.1, Table 1 (30 trials per row for LSTM)",
            "rows": [
                {"model": "RTRL, 3 hidden units (Smith & Zipser 1989)", "success": "\"some fraction\"",
                 "sequences": "173,000"},
                {"model": "Elman net, 15 hidden units (Cleeremans et al. 1989)", "success": "0 %",
                 "sequences": ">200,000"},
                {"model": "Recurrent Cascade-Correlation (Fahlman 1991)", "success": "50 %",
                 "sequences": "182,000"},
                {"model": "LSTM, 3 blocks of size 2, learning rate 0.1", "success": "100 %",
                 "sequences": "21,730"},
                {"model": "LSTM, 3 blocks of size 2, learning rate 0.5", "success": "100 %",
                 "sequences": "8,440"},
            ],
        },
    },
    "chung2014": {
        "citation": ("J. Chung, C. Gulcehre, K. Cho and Y. Bengio, Empirical evaluation of gated recurrent "
                     "neural networks on sequence modeling, arXiv:1412.3555, 2014"),
        "where": ("Table 2: average negative log-probability per time step; models of about 20,000 "
                  "parameters (Table 1: LSTM 36 units, GRU 46, tanh 100)"),
        "rows": [
            {"dataset": "Nottingham", "split": "train", "tanh RNN": 3.22, "GRU": 2.79, "LSTM": 3.08},
            {"dataset": "Nottingham", "split": "test", "tanh RNN": 3.13, "GRU": 3.23, "LSTM": 3.20},
            {"dataset": "JSB Chorales", "split": "train", "tanh RNN": 8.82, "GRU": 6.94, "LSTM": 8.15},
            {"dataset": "JSB Chorales", "split": "test", "tanh RNN": 9.10, "GRU": 8.54, "LSTM": 8.67},
            {"dataset": "MuseData", "split": "train", "tanh RNN": 5.64, "GRU": 5.06, "LSTM": 5.18},
            {"dataset": "MuseData", "split": "test", "tanh RNN": 6.23, "GRU": 5.99, "LSTM": 6.23},
            {"dataset": "Piano-midi", "split": "train", "tanh RNN": 5.64, "GRU": 4.93, "LSTM": 6.49},
            {"dataset": "Piano-midi", "split": "test", "tanh RNN": 9.03, "GRU": 8.82, "LSTM": 9.03},
        ],
    },
    "jozefowicz2015": {
        "citation": ("R. Jozefowicz, W. Zaremba and I. Sutskever, An empirical exploration of recurrent "
                     "network architectures, ICML 2015, PMLR 37:2342–2350"),
        "claim": "We found that adding a bias of 1 to the LSTM's forget gate closes the gap between the "
                 "LSTM and the GRU.",
        "where": "Abstract; the paper's tables compare LSTM, LSTM with b_f = 1 and GRU on arithmetic, "
                 "XML modelling, Penn Treebank and music tasks, which are not reproduced here.",
    },
}


# --------------------------------------------------------------------------- results files
def settings_of(experiment: dict, config: str) -> dict:
    """The settings of one configuration as plain JSON data."""
    return json.loads(json.dumps(experiment[config]))


def versions() -> dict[str, str]:
    """Versions that shape the numbers: seqlab, torch, numpy, Python."""
    from . import __version__
    return {"seqlab": __version__, "torch": torch.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def run_configuration(experiment: dict, config: str, seeds: int | None = None, jobs: int = 1,
                      command: str = "", progress: Callable[[dict], None] | None = None) -> dict:
    """Run one configuration and return its section of the results file: settings, the
    command, per-(task, model) summary and every run."""
    start = time.perf_counter()
    rows = run_experiment(experiment, config, seeds, jobs, progress)
    settings = settings_of(experiment, config)
    if seeds is not None:
        settings["seeds"] = seeds
    return {"command": command, "settings": settings, "jobs": jobs,
            "wall_seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(sum(r["cpu_seconds"] for r in rows), 1),
            "summary": summarize(rows), "runs": rows}


def load_results(path: str | os.PathLike) -> dict:
    """A results file written by :func:`cli`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cli(name: str, argv: list[str] | None = None, results_dir: str | os.PathLike | None = None) -> int:
    """Command line of ``experiments/<name>.py``: run the full configuration over ``--seeds``
    seeds and the quick one (1 seed), and write ``<results_dir>/<name>.json``.  With
    ``--quick`` only the quick configuration is re-run and written, keeping the full one."""
    experiment = EXPERIMENTS[name]
    parser = argparse.ArgumentParser(prog=f"experiments/{name}.py", description=experiment["title"])
    parser.add_argument("--seeds", type=int, default=experiment["full"]["seeds"],
                        help="seeds of the full configuration (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="run only the reduced configuration (1 seed) that tests/test_experiments.py re-runs")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes, one thread each (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=None, help="results file (default: experiments/results/NAME.json)")
    args = parser.parse_args(argv)
    out = args.out or Path(results_dir or Path("experiments") / "results") / f"{name}.json"
    results = load_results(out) if out.exists() else {}
    results.update({"experiment": name, "title": experiment["title"], "versions": versions()})

    def progress(row: dict) -> None:
        status = {k: row[k] for k in ("solved", "sequences", "test_wrong", "test_nll") if k in row}
        print(f"  {row['task']:<15} {row['model']:<16} seed {row['seed']}: {status} "
              f"({row['cpu_seconds']} s)", flush=True)

    configs = ["quick"] if args.quick else ["full", "quick"]
    for config in configs:
        seeds = args.seeds if config == "full" else None
        flags = f" --seeds {args.seeds}" if config == "full" else " --quick"
        print(f"{name}: {config} configuration", flush=True)
        results[config] = run_configuration(experiment, config, seeds, args.jobs,
                                            f"python experiments/{name}.py{flags}", progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0
