"""seqlab.gates (gate activations over time, LSTM <-> peephole form) and seqlab.flops (counts)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from seqlab import flops, gates
from seqlab.numpy import (gru_forward, init_gru_parameters, init_lstm_parameters, lstm_forward,
                          peephole_lstm_forward, sigmoid)


def _x(n_x=3, m=2, T=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n_x, m, T))


def test_record_gates_of_an_lstm_match_the_equations():
    p = init_lstm_parameters(3, 5, seed=1)
    x = _x()
    a, _, c, caches = lstm_forward(x, np.zeros((5, 2)), p)
    g = gates.record_gates("lstm", caches)
    assert tuple(g) == gates.GATE_KEYS["lstm"]
    assert all(v.shape == (5, 2, 4) for v in g.values())
    # Γ_f at t = 1 is σ(W_f [a^<0>; x^<1>] + b_f)
    concat = np.concatenate([np.zeros((5, 2)), x[:, :, 0]])
    np.testing.assert_allclose(g["Gamma_f"][:, :, 0], sigmoid(p["Wf"] @ concat + p["bf"]), atol=1e-14)
    np.testing.assert_array_equal(g["c"], c)
    np.testing.assert_array_equal(g["a"], a)


def test_record_gates_skips_the_missing_reset_gate_of_the_simplified_gru():
    p = init_gru_parameters(3, 4, variant="simplified", seed=2)
    _, _, caches = gru_forward(_x(), np.zeros((4, 2)), p, variant="simplified")
    simplified = gates.record_gates("gru", caches)
    p_full = init_gru_parameters(3, 4, variant="full", seed=2)
    _, _, caches_full = gru_forward(_x(), np.zeros((4, 2)), p_full, variant="full")
    assert len(gates.record_gates("gru", caches_full)) == len(simplified) + 1


def test_record_gates_rejects_an_unknown_kind():
    with pytest.raises(ValueError):
        gates.record_gates("transformer", None)


def test_lstm_and_peephole_forms_compute_the_same_thing():
    p = init_lstm_parameters(3, 4, seed=3)
    x, a0 = _x(), np.zeros((4, 2))
    a, _, c, _ = lstm_forward(x, a0, p)
    q = gates.lstm_to_peephole(p)
    a2, _, c2, _ = peephole_lstm_forward(x, a0, q)
    np.testing.assert_allclose(a2, a, atol=1e-13)
    np.testing.assert_allclose(c2, c, atol=1e-13)
    back = gates.peephole_to_lstm(q)
    for key in ("Wf", "Wu", "Wc", "Wo", "bf", "bu", "bc", "bo"):
        np.testing.assert_array_equal(back[key], p[key])
    q["P"][0, 0] = 0.5
    with pytest.raises(ValueError, match="P"):
        gates.peephole_to_lstm(q)


@pytest.mark.parametrize("kind,nn_cls,variant", [("rnn", torch.nn.RNN, None), ("gru", torch.nn.GRU, "reset_after"),
                                                 ("lstm", torch.nn.LSTM, None)])
@pytest.mark.parametrize("layers,bidirectional", [(1, False), (2, True), (3, False)])
def test_parameter_counts_equal_torch_nn(kind, nn_cls, variant, layers, bidirectional):
    module = nn_cls(7, 5, num_layers=layers, bidirectional=bidirectional)
    counted = flops.stack_cost(kind, 7, 5, layers, variant=variant, bidirectional=bidirectional, bias_vectors=2)
    assert counted.parameters == sum(p.numel() for p in module.parameters())


def test_flops_per_step_of_an_lstm():
    f = flops.flops_per_step("lstm", n_x=10, n_a=20)
    assert f["matmul"] == 2 * 4 * 20 * 30
    assert f["total"] == f["matmul"] + f["elementwise"] and f["elementwise"] > 0


def test_deeper_stacks_cost_more_and_output_layer_is_counted():
    costs = [flops.stack_cost("lstm", 8, 16, n) for n in (1, 2, 3)]
    assert costs[0].flops_per_step < costs[1].flops_per_step < costs[2].flops_per_step
    with_output = flops.stack_cost("lstm", 8, 16, 1, n_y=5)
    assert with_output.parameters == costs[0].parameters + 5 * 16 + 5


def test_bad_sizes_are_rejected():
    with pytest.raises((ValueError, TypeError)):
        flops.parameter_count("lstm", 0, 4)
    with pytest.raises(ValueError):
        flops.parameter_count("lstm", 3, 4, bias_vectors=3)
    with pytest.raises(ValueError):
        flops.flops_per_step("cnn", 3, 4)
