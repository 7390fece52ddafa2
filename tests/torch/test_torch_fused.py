"""seqlab.torch.fused: whole sequences as one autograd node with a hand-written BPTT.

The fused path must give the values and gradients of the autograd path (tensor operations,
``layer.fused = False``), and of torch.nn, in every layout the layers accept.
"""
from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import seqlab.torch as st
from seqlab.torch.fused import DOUBLE_BACKWARD, FUSED_CELLS, run_fused, supports_fused
from seqlab_torch_testing import assert_max_abs

F64 = torch.float64
N_X, N_A, M, T_X = 3, 4, 2, 6
CLASSES = {"rnn": st.RNN, "gru": st.GRU, "lstm": st.LSTM}
FUSED_IDS = [f"{k}-{o}" if o else k for k, o in FUSED_CELLS]


def _layer(kind, option, dtype=F64, **kwargs):
    opts = {"rnn": {"nonlinearity": option}, "gru": {"variant": option}}.get(kind, {})
    return CLASSES[kind](N_X, N_A, dtype=dtype, **opts, **kwargs)


def _grads(layer, x, hx, fused):
    """Outputs and gradients of L = Σ R ⊙ output + Σ R' ⊙ h_n (+ c_n) for one setting of ``fused``."""
    layer.fused = fused
    out, h_n = layer(x, hx)
    states = (h_n,) if isinstance(h_n, torch.Tensor) else tuple(h_n)
    gen = torch.Generator().manual_seed(5)
    loss = (out * torch.randn(out.shape, generator=gen, dtype=out.dtype)).sum()
    loss = loss + sum((s * torch.randn(s.shape, generator=gen, dtype=s.dtype)).sum() for s in states)
    inputs = [x, *(hx if isinstance(hx, tuple) else (hx,)), *layer.parameters()]
    return [out.detach(), *(s.detach() for s in states), *torch.autograd.grad(loss, inputs)]


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
@pytest.mark.parametrize("num_layers, bidirectional, bias, T_x", [(1, False, True, T_X), (2, True, True, T_X),
                                                                  (1, True, False, T_X), (1, True, True, 1),
                                                                  (2, True, True, 2)])
def test_fused_equals_autograd_path(kind, option, num_layers, bidirectional, bias, T_x):
    torch.manual_seed(0)
    layer = _layer(kind, option, num_layers=num_layers, bidirectional=bidirectional, bias=bias)
    rows = num_layers * (2 if bidirectional else 1)
    x = torch.randn(T_x, M, N_X, dtype=F64, requires_grad=True)
    h = torch.randn(rows, M, N_A, dtype=F64, requires_grad=True)
    hx = (h, torch.randn(rows, M, N_A, dtype=F64, requires_grad=True)) if kind == "lstm" else h
    fused, plain = _grads(layer, x, hx, True), _grads(layer, x, hx, False)
    assert len(fused) == len(plain)
    for i, (a, b) in enumerate(zip(fused, plain)):
        assert a.abs().max() > 0, i
        assert_max_abs(a, b, 1e-12, f"output/gradient #{i}")


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
def test_fused_matches_torch_nn_in_float32_batch_first(kind, option):
    torch.manual_seed(1)
    ref = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind](
        N_X, N_A, batch_first=True, **({"nonlinearity": option} if kind == "rnn" else {}))
    mine = st.from_torch_nn(ref)
    assert mine.fused
    x = torch.randn(M, T_X, N_X, requires_grad=True)
    out_ref, _ = ref(x)
    (gx_ref,) = torch.autograd.grad(out_ref.sum(), x)
    out, _ = mine(x)
    (gx,) = torch.autograd.grad(out.sum(), x)
    assert out.dtype == torch.float32 and out.shape == out_ref.shape
    assert_max_abs(out, out_ref, 1e-5, "output")
    assert_max_abs(gx, gx_ref, 1e-5, "dL/dx")


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
def test_one_graph_node_per_layer_and_direction(kind, option):
    layer = _layer(kind, option)
    out, _ = layer(torch.randn(50, M, N_X, dtype=F64, requires_grad=True))
    assert type(out.grad_fn).__name__.endswith("SequenceBackward")
    assert all(fn is None or type(fn).__name__ == "AccumulateGrad" for fn, _ in out.grad_fn.next_functions)


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
def test_double_backward_raises_a_clear_error(kind, option):
    layer = _layer(kind, option)
    x = torch.randn(T_X, M, N_X, dtype=F64, requires_grad=True)
    out, _ = layer(x)
    with pytest.raises(RuntimeError, match="layer.fused = False"):
        torch.autograd.grad(out.square().sum(), x, create_graph=True)
    layer.fused = False                                    # the autograd path is twice differentiable
    out, _ = layer(x)
    (g,) = torch.autograd.grad(out.square().sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    assert gg.shape == x.shape and torch.isfinite(gg).all()
    assert DOUBLE_BACKWARD.endswith("which is")


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
def test_backward_twice_with_retain_graph_gives_the_same_gradients(kind, option):
    """The backward pass does not modify what the forward pass saved."""
    layer = _layer(kind, option)
    x = torch.randn(T_X, M, N_X, dtype=F64, requires_grad=True)
    out, _ = layer(x)
    (g1,) = torch.autograd.grad(out.sum(), x, retain_graph=True)
    (g2,) = torch.autograd.grad(out.sum(), x)
    assert torch.equal(g1, g2)


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
def test_inference_and_forward_flops_are_those_of_the_autograd_path(kind, option):
    layer = _layer(kind, option, num_layers=2)
    x = torch.randn(T_X, M, N_X, dtype=F64)
    counts, outs = {}, {}
    for fused in (True, False):
        layer.fused = fused
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            outs[fused], _ = layer(x)
        counts[fused] = counter.get_total_flops()
    assert counts[True] == counts[False] > 0
    assert_max_abs(outs[True], outs[False], 1e-13, "output")


def test_only_gradients_that_are_needed_are_computed():
    layer = _layer("lstm", None)
    for p in layer.parameters():
        p.requires_grad_(False)
    layer.weight_hh_l0.requires_grad_(True)
    x = torch.randn(T_X, M, N_X, dtype=F64)                    # x needs no gradient
    out, _ = layer(x)
    out.sum().backward()
    assert layer.weight_hh_l0.grad is not None and layer.weight_ih_l0.grad is None


def test_supports_fused_and_unsupported_cells_use_the_autograd_path():
    assert supports_fused("rnn", None) and supports_fused("gru", None) and supports_fused("lstm", None)
    assert not supports_fused("gru", "full") and not supports_fused("peephole_lstm", None)
    layer = st.GRU(N_X, N_A, variant="full", dtype=F64)
    out, _ = layer(torch.randn(T_X, M, N_X, dtype=F64, requires_grad=True))
    assert not type(out.grad_fn).__name__.endswith("SequenceBackward")
    with pytest.raises(ValueError, match="no fused sequence"):
        run_fused("peephole_lstm", torch.zeros(2, 1, 3), (torch.zeros(1, 4),) * 2, layer.weights(0))


@pytest.mark.parametrize("kind, option", FUSED_CELLS, ids=FUSED_IDS)
def test_output_modified_in_place_before_backward_is_an_error_not_a_wrong_gradient(kind, option):
    """The fused LSTM keeps its output for backward, like torch.nn.LSTM: changing it in place
    must raise autograd's error; the other cells return a copy, which may be changed freely.
    Either way the gradient is never silently wrong."""
    torch.manual_seed(0)
    layer = _layer(kind, option)
    x = torch.randn(T_X, M, N_X, dtype=F64, requires_grad=True)
    out, _ = layer(x)
    out.mul_(2)
    if kind == "lstm":
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()
    else:
        out.sum().backward()
        expected = torch.autograd.grad((2 * layer(x)[0]).sum(), x)[0]
        assert_max_abs(x.grad, expected, 1e-12, "dx after an in-place change of the output")
