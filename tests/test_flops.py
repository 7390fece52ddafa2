"""seqlab.flops: parameter counts equal the real parameter dicts and modules; the matrix FLOPs
equal what torch's FLOP counter counts for a seqlab.torch layer."""
from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from seqlab import torch as st
from seqlab.flops import CELL_VARIANTS, StackCost, flops_per_step, gate_blocks, parameter_count, stack_cost
from seqlab.numpy import init_parameters

IDS = [f"{k}-{v}" if v else k for k, v in CELL_VARIANTS]


@pytest.mark.parametrize("kind, variant", CELL_VARIANTS, ids=IDS)
@pytest.mark.parametrize("n_x, n_a", [(1, 1), (3, 5), (7, 2)])
def test_parameter_count_equals_the_numpy_dicts(kind, variant, n_x, n_a):
    options = {"variant": variant} if variant else {}
    p = init_parameters(kind, n_x, n_a, None, 0, **options)
    assert parameter_count(kind, n_x, n_a, variant) == sum(v.size for v in p.values())


@pytest.mark.parametrize("kind, variant", CELL_VARIANTS, ids=IDS)
def test_parameter_count_of_the_seqlab_torch_modules(kind, variant):
    options = {"variant": variant} if variant else {}
    module = st.from_numpy(init_parameters(kind, 4, 3, None, 0, **options), kind=kind, variant=variant)
    # seqlab.torch holds two biases per gate (the peephole LSTM one): count them like torch.nn
    bias_vectors = 1 if kind == "peephole_lstm" else 2
    assert sum(p.numel() for p in module.parameters()) == parameter_count(kind, 4, 3, variant,
                                                                           bias_vectors=bias_vectors)


@pytest.mark.parametrize("cls, kind, variant", [(torch.nn.RNN, "rnn", None), (torch.nn.GRU, "gru", "reset_after"),
                                                (torch.nn.LSTM, "lstm", None)])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, False), (3, True)])
def test_stack_parameters_equal_torch_nn(cls, kind, variant, layers, bidirectional):
    module = cls(5, 4, num_layers=layers, bidirectional=bidirectional)
    cost = stack_cost(kind, 5, 4, layers, variant=variant, bidirectional=bidirectional, bias_vectors=2)
    assert cost.parameters == sum(p.numel() for p in module.parameters())
    assert len(cost.layer_parameters) == layers and sum(cost.layer_parameters) == cost.parameters


@pytest.mark.parametrize("kind, variant", CELL_VARIANTS, ids=IDS)
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True), (3, False)])
def test_matmul_flops_equal_torch_flop_counter(kind, variant, layers, bidirectional):
    n_x, n_a, m, T = 3, 5, 2, 7
    cls = {"rnn": st.RNN, "gru": st.GRU, "lstm": st.LSTM, "peephole_lstm": st.PeepholeLSTM}[kind]
    module = cls(n_x, n_a, num_layers=layers, bidirectional=bidirectional,
                 **({"variant": variant} if variant else {}))
    with FlopCounterMode(display=False) as counter:
        module(torch.randn(T, m, n_x))
    cost = stack_cost(kind, n_x, n_a, layers, variant=variant, bidirectional=bidirectional)
    assert counter.get_total_flops() == m * T * cost.matmul_flops_per_step


def test_flops_per_step_formula():
    f = flops_per_step("lstm", 10, 20)
    assert f == {"matmul": 2 * 4 * 20 * 30, "elementwise": 13 * 20, "total": 2 * 4 * 20 * 30 + 13 * 20}
    assert flops_per_step("rnn", 1, 1)["total"] == 2 * 1 * 2 + 2
    # ordering of the cells by cost, same sizes
    totals = [flops_per_step(k, 8, 16, v)["total"] for k, v in CELL_VARIANTS]
    assert totals == sorted(totals)
    assert flops_per_step("gru", 8, 16)["total"] == flops_per_step("gru", 8, 16, "full")["total"]
    assert [gate_blocks(k, v) for k, v in CELL_VARIANTS] == [1, 2, 3, 3, 4, 4]


def test_stack_cost_with_output_layer_and_layers():
    cost = stack_cost("gru", 1, 8, 3, n_y=2)
    assert isinstance(cost, StackCost)
    first, upper = flops_per_step("gru", 1, 8), flops_per_step("gru", 8, 8)
    assert cost.layer_flops == (first["total"], upper["total"], upper["total"])
    assert cost.flops_per_step == first["total"] + 2 * upper["total"] + 2 * 2 * 8 + 4 * 2
    assert cost.matmul_flops_per_step == first["matmul"] + 2 * upper["matmul"] + 2 * 2 * 8
    assert cost.parameters == (parameter_count("gru", 1, 8) + 2 * parameter_count("gru", 8, 8) + 2 * 8 + 2)
    bi = stack_cost("lstm", 3, 4, 2, n_y=5, bidirectional=True)
    assert bi.layer_parameters == (2 * parameter_count("lstm", 3, 4), 2 * parameter_count("lstm", 8, 4))
    assert bi.parameters == sum(bi.layer_parameters) + 5 * 8 + 5


@pytest.mark.parametrize("call, error", [
    (lambda: parameter_count("cnn", 1, 1), ValueError),
    (lambda: parameter_count("gru", 1, 1, "half"), ValueError),
    (lambda: parameter_count("lstm", 1, 1, "full"), ValueError),
    (lambda: parameter_count("rnn", 0, 1), ValueError),
    (lambda: parameter_count("rnn", 1, 2.0), TypeError),
    (lambda: parameter_count("rnn", True, 2), TypeError),
    (lambda: parameter_count("rnn", 1, 2, bias_vectors=3), ValueError),
    (lambda: flops_per_step("rnn", 1, 0), ValueError),
    (lambda: stack_cost("rnn", 1, 2, 0), ValueError),
    (lambda: stack_cost("rnn", 1, 2, 1, n_y=0), ValueError),
])
def test_bad_arguments(call, error):
    with pytest.raises(error):
        call()
