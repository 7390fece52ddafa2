"""seqlab.training and seqlab.experiments, and the committed results of experiments/.

The reproduction tests re-run every row of each experiment's reduced ("quick")
configuration on seed 0 and compare it with the row committed in
experiments/results/<name>.json: losses and NLLs within 0.1 % (relative), counts of wrong
test sequences within ±2, everything else (steps, sequences, solved, ...) exactly.  On the
machine that wrote the file the re-run is bit-for-bit identical (float64, one thread, every
generator seeded); the tolerance is for other CPUs and BLAS builds.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import seqlab
from seqlab import experiments as E
from seqlab import training as tr
from seqlab.data import tasks

RESULTS = Path(__file__).resolve().parent.parent / "experiments" / "results"


# --------------------------------------------------------------------------- seqlab.training
@pytest.mark.parametrize("kind", tr.CELLS)
def test_hidden_size_for_budget_matches_the_model(kind):
    for budget in (500, 10_000, 20_000):
        n_a = tr.hidden_size_for_budget(kind, 36, 36, budget)
        count = tr.count_parameters(tr.SequenceModel(kind, 36, n_a, 36))
        neighbours = [tr.count_parameters(tr.SequenceModel(kind, 36, n, 36)) for n in (n_a - 1, n_a + 1)]
        assert all(abs(count - budget) <= abs(c - budget) for c in neighbours)


def test_chung_table_1_sizes_are_about_20k_parameters():
    # Chung et al. (2014), Table 1: LSTM 36 units, GRU 46, tanh 100 for ~20k parameters (88-ish inputs);
    # with our 36 pitches the budget of the LSTM with 36 units gives the other two sizes
    budget = tr.count_parameters(tr.SequenceModel("lstm", 36, 36, 36))
    sizes = {k: tr.hidden_size_for_budget(k, 36, 36, budget) for k in tr.CELLS}
    assert sizes["lstm"] == 36 and sizes["gru"] > 36 and sizes["rnn"] > sizes["gru"]


def test_add_forget_bias_changes_only_b_f():
    torch.manual_seed(0)
    plain = tr.SequenceModel("lstm", 3, 5, 2)
    torch.manual_seed(0)
    biased = tr.SequenceModel("lstm", 3, 5, 2, forget_bias=1.0)
    for (name, p), (_, q) in zip(plain.named_parameters(), biased.named_parameters()):
        diff = (q - p).detach()
        if name == "cell.bias_ih_l0":
            assert torch.allclose(diff[5:10], torch.ones(5, dtype=diff.dtype)) and not diff[:5].any() \
                and not diff[10:].any()
        else:
            assert not diff.any(), name
    with pytest.raises(ValueError, match="b_f"):
        tr.SequenceModel("gru", 3, 5, 2, forget_bias=1.0)
    with pytest.raises(ValueError, match="kind"):
        tr.SequenceModel("peephole", 3, 5, 2)


def test_forget_bias_sets_the_initial_forget_gate():
    # Γ_f = σ(W_f [a^<t-1>; x^<t>] + b_f): with zero input and state, Γ_f = σ(b_f)
    model = tr.build_model("lstm", 2, 8, 1, seed=0, forget_bias=1.0)
    with torch.no_grad():
        b = model.cell.bias_ih_l0 + model.cell.bias_hh_l0
    gate = torch.sigmoid(b[8:16])
    assert torch.all((gate > 0.6) & (gate < 0.85))


def test_gate_bias_and_budget_check_their_arguments():
    lstm = tr.SequenceModel("lstm", 2, 3, 1).cell
    with pytest.raises(ValueError, match="gate"):
        tr.add_gate_bias(lstm, "reset", 1.0)
    before = lstm.bias_ih_l0.detach().clone()
    tr.add_gate_bias(lstm, "input", -3.0)
    assert torch.allclose(lstm.bias_ih_l0[:3] - before[:3], torch.full((3,), -3.0, dtype=before.dtype))
    assert torch.equal(lstm.bias_ih_l0[3:], before[3:])
    with pytest.raises(ValueError, match="kind"):
        tr.hidden_size_for_budget("transformer", 4, 4, 100)


def test_gradient_through_time_shows_the_memory_of_the_forget_gate():
    x = tr.to_torch(tasks.adding_problem(16, 40, seed=0)).x[:40]
    ratio = {}
    for b_f in (0.0, 3.0):
        norms = tr.gradient_through_time(tr.build_model("lstm", 2, 8, 1, seed=0, forget_bias=b_f), x)
        assert norms.shape == (40,) and np.all(norms > 0)
        ratio[b_f] = norms[0] / norms[-1]
    assert ratio[3.0] > 1e3 * ratio[0.0]                       # σ(3)^40 ≫ σ(0)^40
    # it is the autograd gradient of the summed last read-out
    model = tr.build_model("rnn", 2, 4, 1, seed=1)
    xr = x.clone().requires_grad_(True)
    model(xr)[-1].sum().backward()
    assert np.allclose(tr.gradient_through_time(model, x), xr.grad.norm(dim=(1, 2)).numpy())


def test_last_step_and_losses_match_their_definitions():
    batch = tasks.adding_problem(5, 12, seed=0)
    tb = tr.to_torch(batch)
    assert tb.x.shape == (batch.x.shape[2], 5, 2) and tb.y.shape == (5, 1)
    z = torch.randn(tb.x.shape[0], 5, 1, dtype=torch.float64)
    loss, y_hat = tr.loss_and_prediction("linear_last", z, tb)
    last = np.array([z[L - 1, i, 0].item() for i, L in enumerate(batch.lengths)])
    assert np.allclose(y_hat[0], last) and np.isclose(loss.item(), np.mean((last - batch.y[0]) ** 2))

    order = tasks.temporal_order(4, seed=1)
    tb = tr.to_torch(order)
    z = torch.randn(tb.x.shape[0], 4, 4, dtype=torch.float64)
    loss, y_hat = tr.loss_and_prediction("softmax_last", z, tb)
    logits = np.stack([z[L - 1, i].numpy() for i, L in enumerate(order.lengths)], axis=1)   # (4, m)
    p = np.exp(logits) / np.exp(logits).sum(axis=0)
    assert np.allclose(y_hat, p)
    assert np.isclose(loss.item(), -np.mean(np.log((p * order.y).sum(axis=0))))

    reber = tasks.reber_batch(["BTBTXSETE", "BPBPVPXVVEPE"])
    tb = tr.to_torch(reber)
    z = torch.randn(tb.x.shape[0], 2, 7, dtype=torch.float64)
    loss, y_hat = tr.loss_and_prediction("sigmoid_all", z, tb)
    q = 1 / (1 + np.exp(-z.numpy().transpose(2, 1, 0)))                                  # (7, m, T_x)
    nll = -(reber.y * np.log(q) + (1 - reber.y) * np.log(1 - q)).sum(axis=0)              # (m, T_x)
    real = np.arange(q.shape[2])[None] < reber.lengths[:, None]
    assert np.allclose(y_hat, q) and np.isclose(loss.item(), nll[real].mean())
    with pytest.raises(ValueError, match="output"):
        tr.loss_and_prediction("softmax_all", z, tb)


def test_predict_in_chunks_equals_one_pass():
    model = tr.build_model("gru", 7, 6, 7, seed=3)
    strings = tasks.reber_split(20, 1, seed=0)[0]
    batch = tr.to_torch(tasks.reber_batch(strings))
    loss_1, y_1 = tr.predict(model, "sigmoid_all", batch, chunk=1000)
    loss_2, y_2 = tr.predict(model, "sigmoid_all", batch, chunk=3)
    assert np.isclose(loss_1, loss_2) and y_1.shape == y_2.shape
    real = batch.mask.numpy().T.astype(bool)                          # (m, T_x): padded steps differ
    assert np.allclose(y_1[:, real], y_2[:, real])
    order = tr.to_torch(tasks.temporal_order(9, seed=0))
    model = tr.build_model("rnn", 8, 5, 4, seed=0)
    a, b = tr.predict(model, "softmax_last", order, chunk=4), tr.predict(model, "softmax_last", order)
    assert np.isclose(a[0], b[0]) and np.allclose(a[1], b[1])


def test_training_reduces_the_loss_and_is_reproducible():
    def run():
        model = tr.build_model("lstm", 7, 8, 7, seed=0)
        opt = tr.make_optimizer(model, 1e-2)
        batch = tr.to_torch(tasks.reber_batch(tasks.reber_split(16, 1, seed=0)[0]))
        with tr.single_thread():
            return [tr.train_step(model, opt, "sigmoid_all", batch)[0] for _ in range(30)]
    first, second = run(), run()
    assert first == second
    assert first[-1] < 0.8 * first[0]


def test_single_thread_restores_the_setting():
    before = torch.get_num_threads()
    with tr.single_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


# --------------------------------------------------------------------------- seqlab.experiments
def test_row_specs_cover_every_model_task_and_seed():
    specs = E.row_specs(E.HOCHREITER1997, "full")
    assert len(specs) == 3 * 4 * 5                              # tasks × models × seeds
    keys = {(s["runner"], s["options"].get("task"), s["kind"], s["options"].get("forget_bias"), s["seed"])
            for s in specs}
    assert len(keys) == len(specs)
    assert {s["kind"] for s in specs} == {"rnn", "gru", "lstm"}
    joz = E.row_specs(E.JOZEFOWICZ2015, "quick")
    assert {(s["kind"], s["options"].get("forget_bias", 0.0)) for s in joz} == {("lstm", 0.0), ("lstm", 1.0),
                                                                                ("gru", 0.0)}
    assert {E.model_label(s["kind"], s["options"].get("forget_bias", 0.0)) for s in joz} == {
        "LSTM", "LSTM (b_f = 1)", "GRU"}
    assert E.model_label("lstm", 3.0, -3.0) == "LSTM (b_f = 3, b_u = −3)"


def test_summarize_and_compare_rows():
    rows = [{"task": "adding", "model": "LSTM", "seed": s, "n_a": 4, "parameters": 10, "solved": s < 2,
             "stopped": s < 2, "sequences": 100 * (s + 1), "test_wrong": 3 * s, "test_total": 100} for s in range(3)]
    (line,) = E.summarize(rows)
    assert line["solved"] == 2 and line["runs"] == 3 and line["mean_sequences_to_stop"] == 150
    assert line["mean_test_wrong"] == 3.0
    old = dict(rows[0], test_loss=0.5)
    assert E.compare_rows(dict(old), old) == []
    assert E.compare_rows(dict(old, test_loss=0.5004), old) == []
    assert E.compare_rows(dict(old, test_loss=0.51), old)
    assert E.compare_rows(dict(old, test_wrong=2), old) == []
    assert E.compare_rows(dict(old, test_wrong=3), old)
    assert E.compare_rows(dict(old, steps=7), dict(old, steps=8))


def test_run_stream_stops_with_the_papers_rule():
    row = E.run_stream("adding", "lstm", 0, n_a=4, m=8, lr=1e-3, max_steps=3, window=16, n_test=64,
                       log_every=1)
    assert row["steps"] == 3 and row["sequences"] == 24 and not row["stopped"]
    assert row["test_total"] == 64 and 0 <= row["test_wrong"] <= 64
    assert row["solved"] == (row["test_wrong"] <= 0.01 * 64)
    assert row["curve"]["sequences"] == [8, 16, 24]


# --------------------------------------------------------------------------- committed results
@pytest.mark.parametrize("name", sorted(E.EXPERIMENTS))
def test_committed_results_are_complete(name):
    results = E.load_results(RESULTS / f"{name}.json")
    full = results["full"]
    assert results["experiment"] == name and results["versions"]["seqlab"] == seqlab.__version__
    assert full["settings"]["seeds"] >= 5 and full["settings"]["rows"]
    specs = E.row_specs(E.EXPERIMENTS[name], "full", full["settings"]["seeds"])
    assert len(full["runs"]) == len(specs)
    assert full["settings"] == E.settings_of(E.EXPERIMENTS[name], "full") | {"seeds": full["settings"]["seeds"]}
    assert E.summarize(full["runs"]) == full["summary"]
    assert results["quick"]["settings"] == E.settings_of(E.EXPERIMENTS[name], "quick")


@pytest.mark.parametrize("name", sorted(E.EXPERIMENTS))
def test_quick_configuration_reproduces_its_committed_rows(name, tmp_path, capsys):
    """The command line of experiments/<name>.py --quick, re-run into a temporary file."""
    committed = E.load_results(RESULTS / f"{name}.json")["quick"]
    jobs = "2" if name == "chung2014" else "1"             # one experiment through the worker pool
    out = tmp_path / f"{name}.json"
    assert E.cli(name, ["--quick", "--jobs", jobs, "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    rerun = E.load_results(out)
    assert set(rerun) == {"experiment", "title", "versions", "quick"}
    assert rerun["quick"]["settings"] == committed["settings"]
    assert rerun["quick"]["command"] == f"python experiments/{name}.py --quick"
    assert len(rerun["quick"]["runs"]) == len(committed["runs"])
    problems = {f"{r['task']} / {r['model']}": E.compare_rows(r, c)
                for r, c in zip(rerun["quick"]["runs"], committed["runs"])}
    assert not any(problems.values()), problems
    assert E.summarize(rerun["quick"]["runs"]) == rerun["quick"]["summary"]
