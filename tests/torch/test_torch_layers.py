"""Structure and behaviour of the seqlab.torch cells and layers beyond the torch.nn match."""
from __future__ import annotations

import ast
import pathlib

import pytest
import torch
import torch.nn.functional as F

import seqlab.torch as st
import seqlab.torch.functional as stf
from seqlab_torch_testing import CASE_IDS, CASES, LSTMS, assert_max_abs

F64 = torch.float64
N_X, N_A, M, T_X = 3, 4, 2, 6


def _layer(kind, option, **kwargs):
    cls = {"rnn": st.RNN, "gru": st.GRU, "lstm": st.LSTM, "peephole_lstm": st.PeepholeLSTM}[kind]
    opts = {"rnn": {"nonlinearity": option}, "gru": {"variant": option}}.get(kind, {})
    return cls(N_X, N_A, dtype=F64, **opts, **kwargs)


def _cell(kind, option, **kwargs):
    cls = {"rnn": st.RNNCell, "gru": st.GRUCell, "lstm": st.LSTMCell, "peephole_lstm": st.PeepholeLSTMCell}[kind]
    opts = {"rnn": {"nonlinearity": option}, "gru": {"variant": option}}.get(kind, {})
    return cls(N_X, N_A, dtype=F64, **opts, **kwargs)


def _states(h):
    return (h,) if isinstance(h, torch.Tensor) else tuple(h)


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_layer_equals_its_cell_stepped_in_python(kind, option):
    """Both directions of a bidirectional layer = the cell with the same weights, t = 1..T_x and T_x..1."""
    torch.manual_seed(0)
    layer = _layer(kind, option, bidirectional=True)
    x = torch.randn(T_X, M, N_X, dtype=F64)
    out, h_n = layer(x)
    for d, steps in ((0, range(T_X)), (1, reversed(range(T_X)))):
        cell = _cell(kind, option)
        sfx = "_l0" + ("_reverse" if d else "")
        cell.load_state_dict({k.replace(sfx, ""): v for k, v in layer.state_dict().items()
                              if k.endswith(sfx)})
        state = None
        for t in steps:
            state = cell(x[t], state)
            assert_max_abs(_states(state)[0], out[t, :, d * N_A:(d + 1) * N_A], 1e-12, f"a^<{t}>")
        for s, s_n in zip(_states(state), _states(h_n)):
            assert_max_abs(s, s_n[d], 1e-12, "final state")


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_bias_false_equals_zero_biases(kind, option):
    torch.manual_seed(1)
    plain = _layer(kind, option, bias=False, num_layers=2)
    assert all("bias" not in name for name, _ in plain.named_parameters())
    biased = _layer(kind, option, num_layers=2)
    with torch.no_grad():
        for name, p in biased.named_parameters():
            p.copy_(getattr(plain, name) if "bias" not in name else torch.zeros_like(p))
    x = torch.randn(T_X, M, N_X, dtype=F64)
    assert_max_abs(plain(x)[0], biased(x)[0], 1e-14, "output")
    cell = _cell(kind, option, bias=False)
    assert "bias=False" in repr(cell)
    assert cell(x[0]) is not None


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_one_input_matmul_per_layer_and_direction(kind, option, monkeypatch):
    """The input projection x^<t> W_ih^T for all t is one F.linear call, whatever T_x."""
    calls = []
    real = F.linear

    def counting(x, w, b=None):
        calls.append(tuple(x.shape))
        return real(x, w, b)
    monkeypatch.setattr(stf.F, "linear", counting)
    layer = _layer(kind, option, num_layers=2, bidirectional=True)
    layer(torch.randn(11, M, N_X, dtype=F64))
    assert calls == [(11, M, N_X)] * 2 + [(11, M, 2 * N_A)] * 2


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_time_loop_iterates_with_unbind_not_indexing(kind, option):
    """The autograd graph has no per-step Select nodes (xp[t]), which would make BPTT O(T_x²)."""
    layer = _layer(kind, option, num_layers=2, bidirectional=True)
    layer.fused = False  # the autograd time loop (the fused path is one node per layer, tested apart)
    out, _ = layer(torch.randn(T_X, M, N_X, dtype=F64, requires_grad=True))
    names, seen, todo = [], set(), [out.grad_fn]
    while todo:
        fn = todo.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names.append(type(fn).__name__)
        todo.extend(f for f, _ in fn.next_functions)
    assert any(n.startswith("UnbindBackward") for n in names)
    assert not any(n.startswith("SelectBackward") for n in names), sorted(set(names))


def test_no_torch_rnn_kernels_in_the_implementation():
    """The cells and layers use no torch.nn.RNN/GRU/LSTM(Cell) and no torch._VF recurrent kernels."""
    banned = {"_VF", "RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell", "RNNBase", "rnn_tanh", "rnn_relu",
              "lstm", "gru", "lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell", "_cudnn_rnn"}
    root = pathlib.Path(st.__file__).parent
    for name in ("functional.py", "cells.py", "layers.py"):
        tree = ast.parse((root / name).read_text())
        used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        used |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        used |= {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names}
        assert not used & banned, f"seqlab/torch/{name} uses {sorted(used & banned)}"


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_bidirectional_and_batch_first_conventions(kind, option):
    torch.manual_seed(2)
    layer = _layer(kind, option, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(M, T_X, N_X, dtype=F64)
    out, h_n = layer(x)
    h = _states(h_n)[0]
    assert out.shape == (M, T_X, 2 * N_A) and h.shape == (4, M, N_A)
    assert_max_abs(h[3], out[:, 0, N_A:], 0, "h_n[-1] = a← of the top layer at t = 1")
    assert_max_abs(h[2], out[:, -1, :N_A], 0, "h_n[-2] = a→ of the top layer at t = T_x")
    layer.batch_first = False
    out_tm, h_tm = layer(x.transpose(0, 1))
    assert_max_abs(out_tm.transpose(0, 1), out, 0, "time-major output")
    if kind in LSTMS:
        assert len(h_n) == 2 and h_n[1].shape == (4, M, N_A)


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_float32_and_unbatched(kind, option):
    layer = _layer(kind, option, num_layers=2).float()
    x = torch.randn(T_X, N_X)
    out, h_n = layer(x)
    assert out.dtype == torch.float32 and out.shape == (T_X, N_A)
    assert all(s.shape == (2, N_A) for s in _states(h_n))
    batched, hb = layer(x.unsqueeze(1))
    assert_max_abs(out, batched[:, 0], 0, "unbatched = batch of one")
    cell = _cell(kind, option).float()
    s = _states(cell(x[0]))
    assert s[0].dtype == torch.float32 and s[0].shape == (N_A,)


def test_reprs_and_parameter_names():
    assert repr(st.LSTM(3, 4)) == "LSTM(3, 4)"
    assert repr(st.RNN(3, 4, 2, nonlinearity="relu", bias=False, batch_first=True, dropout=0.5,
                       bidirectional=True)) == \
        "RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True, nonlinearity='relu')"
    assert repr(st.GRU(3, 4, variant="full")) == "GRU(3, 4, variant='full')"
    assert repr(st.GRUCell(3, 4)) == "GRUCell(3, 4, variant='reset_after')"
    assert repr(st.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"
    assert repr(st.RNNCell(3, 4)) == "RNNCell(3, 4)"
    assert repr(st.PeepholeLSTMCell(3, 4)) == "PeepholeLSTMCell(3, 4)"
    peep = st.PeepholeLSTM(3, 4, 2, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in peep.named_parameters()][:4] == [
        ("weight_ih_l0", (16, 3)), ("weight_hh_l0", (16, 4)), ("weight_peep_l0", (12,)), ("bias_l0", (16,))]
    assert tuple(peep.weight_ih_l1_reverse.shape) == (16, 8)
    assert [n for n, _ in st.GRU(3, 4, variant="simplified").named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert st.GRU(3, 4, variant="simplified").weight_hh_l0.shape == (8, 4)    # rows z, n only
    assert st.PeepholeLSTMCell(3, 4, bias=False).bias is None
    assert st.LSTMCell(3, 4).bias is True


def test_reset_parameters_is_uniform_in_the_torch_bound():
    layer = st.GRU(3, 16, 2)
    with torch.no_grad():
        for p in layer.parameters():
            p.fill_(9.0)
    layer.reset_parameters()
    assert all(0 < p.abs().max() <= 0.25 for p in layer.parameters())


def test_gradients_flow_to_every_parameter_on_a_long_sequence():
    layer = st.LSTM(N_X, N_A, 2, bidirectional=True)
    out, (h, c) = layer(torch.randn(50, M, N_X))
    (out.sum() + h.sum() + c.sum()).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in layer.parameters())
