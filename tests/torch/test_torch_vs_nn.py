"""seqlab.torch against torch.nn after conversion: outputs, final states and gradients.

float64 ≤ 1e-10, float32 ≤ 1e-5 (max abs error), for RNN (tanh, relu), GRU, LSTM, one and
two layers, uni- and bidirectional, time-major and batch-first, converting both ways.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn

import seqlab.torch as st
from seqlab_torch_testing import assert_max_abs

NN = {"rnn_tanh": (nn.RNN, {"nonlinearity": "tanh"}), "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
      "gru": (nn.GRU, {}), "lstm": (nn.LSTM, {})}
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}
T_X, M, N_X, N_A = 5, 3, 4, 6


def _states(h) -> tuple[torch.Tensor, ...]:
    """h_n, or (h_n, c_n), as a tuple."""
    return (h,) if isinstance(h, torch.Tensor) else tuple(h)


def _run(module, x, hx, weights):
    """Forward, then a random scalar loss L = Σ R ⊙ output + Σ R' ⊙ h_n (+ Σ R'' ⊙ c_n), backward.

    Returns the outputs and the gradients of L w.r.t. x, h_0 (c_0) and every parameter.
    """
    for p in module.parameters():
        p.grad = None
    for t in (x, *hx):
        t.grad = None
    out, h_n = module(x, hx[0] if len(hx) == 1 else hx)
    states = (h_n,) if isinstance(h_n, torch.Tensor) else h_n
    loss = (out * weights[0]).sum() + sum((s * w).sum() for s, w in zip(states, weights[1:]))
    loss.backward()
    grads = {"x": x.grad.clone(), **{f"h0[{i}]": h.grad.clone() for i, h in enumerate(hx)}}
    grads.update({name: p.grad.clone() for name, p in module.named_parameters()})
    return out.detach(), [s.detach() for s in states], grads


def _inputs(module, kind, dtype, batch_first):
    g = torch.Generator().manual_seed(1)
    rand = lambda *s: torch.randn(*s, generator=g, dtype=dtype)  # noqa: E731
    rows = module.num_layers * (2 if module.bidirectional else 1)
    x = rand(*((M, T_X, N_X) if batch_first else (T_X, M, N_X))).requires_grad_()
    hx = [rand(rows, M, N_A).requires_grad_() for _ in range(2 if kind == "lstm" else 1)]
    out_shape = (M, T_X, module.hidden_size * (2 if module.bidirectional else 1))
    if not batch_first:
        out_shape = (T_X, M, out_shape[2])
    weights = [rand(*out_shape)] + [rand(rows, M, N_A) for _ in hx]
    return x, hx, weights


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("direction", ["from_torch_nn", "to_torch_nn"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2], ids=["L1", "L2"])
@pytest.mark.parametrize("name", list(NN))
def test_matches_torch_nn(name, num_layers, bidirectional, batch_first, direction, dtype):
    cls, opts = NN[name]
    kind = name.split("_")[0]
    torch.manual_seed(7)
    if direction == "from_torch_nn":
        ref = cls(N_X, N_A, num_layers, batch_first=batch_first, bidirectional=bidirectional, dtype=dtype, **opts)
        mine = st.from_torch_nn(ref)
    else:
        mine_cls = {"rnn": st.RNN, "gru": st.GRU, "lstm": st.LSTM}[kind]
        mine = mine_cls(N_X, N_A, num_layers, batch_first=batch_first, bidirectional=bidirectional,
                        dtype=dtype, **opts)
        ref = st.to_torch_nn(mine)
        assert type(ref) is cls
    assert type(mine) is {"rnn": st.RNN, "gru": st.GRU, "lstm": st.LSTM}[kind]
    assert list(mine.state_dict()) == list(ref.state_dict())
    x, hx, weights = _inputs(mine, kind, dtype, batch_first)
    out_ref, states_ref, grads_ref = _run(ref, x, hx, weights)
    out, states, grads = _run(mine, x, hx, weights)
    tol = TOL[dtype]
    assert out.dtype == dtype and out.shape == out_ref.shape
    assert_max_abs(out, out_ref, tol, "output")
    for i, (s, s_ref) in enumerate(zip(states, states_ref)):
        assert s.shape == (mine.num_layers * (2 if bidirectional else 1), M, N_A)
        assert_max_abs(s, s_ref, tol, f"final state {i}")
    assert grads.keys() == grads_ref.keys()
    for key in grads:
        assert grads_ref[key].abs().max() > 0, key
        assert_max_abs(grads[key], grads_ref[key], tol, f"dL/d{key}")


@pytest.mark.parametrize("name", list(NN))
def test_default_state_and_unbatched_input_match_torch_nn(name):
    cls, opts = NN[name]
    torch.manual_seed(3)
    ref = cls(N_X, N_A, 2, bidirectional=True, dtype=torch.float64, **opts)
    mine = st.from_torch_nn(ref)
    x = torch.randn(T_X, M, N_X, dtype=torch.float64)
    for inp in (x, x[:, 0]):                     # batched with h_0 = 0; one unbatched sequence
        out_ref, h_ref = ref(inp)
        out, h = mine(inp)
        assert_max_abs(out, out_ref, 1e-10, "output")
        for a, b in zip(_states(h), _states(h_ref)):
            assert_max_abs(a, b, 1e-10, "final state")
    if name == "lstm":                          # unbatched with an explicit (h_0, c_0)
        hx = (torch.randn(4, N_A, dtype=torch.float64), torch.randn(4, N_A, dtype=torch.float64))
        out_ref, (h_ref, c_ref) = ref(x[:, 1], hx)
        out, (h, c) = mine(x[:, 1], hx)
        assert h.shape == (4, N_A)
        assert_max_abs(out, out_ref, 1e-10, "output")
        assert_max_abs(c, c_ref, 1e-10, "c_n")


@pytest.mark.parametrize("name", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_cells_match_torch_nn_cells(name, dtype):
    cls = {"rnn_tanh": nn.RNNCell, "rnn_relu": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}[name]
    opts = {"nonlinearity": name[4:]} if name.startswith("rnn") else {}
    torch.manual_seed(5)
    ref = cls(N_X, N_A, dtype=dtype, **opts)
    mine = st.from_torch_nn(ref)
    back = st.to_torch_nn(mine)
    assert type(back) is cls
    x = torch.randn(M, N_X, dtype=dtype, requires_grad=True)
    h = torch.randn(M, N_A, dtype=dtype, requires_grad=True)
    hx = (h, torch.randn(M, N_A, dtype=dtype)) if name == "lstm" else h
    for module in (mine, back):
        got, want = _states(module(x, hx)), _states(ref(x, hx))
        for a, b in zip(got, want):
            assert_max_abs(a, b, TOL[dtype], f"{type(module).__name__} state")
        ga = torch.autograd.grad(sum(a.sum() for a in got), (x, h, *module.parameters()))
        gb = torch.autograd.grad(sum(b.sum() for b in want), (x, h, *ref.parameters()))
        for a, b in zip(ga, gb):
            assert_max_abs(a, b, TOL[dtype], "gradient")
    # unbatched, without a state
    x1 = x[0].detach()
    got, want = _states(mine(x1)), _states(ref(x1))
    for a, b in zip(got, want):
        assert a.shape == (N_A,)
        assert_max_abs(a, b, TOL[dtype], "unbatched state")


@pytest.mark.parametrize("cls, mine_cls", [(nn.RNN, st.RNN), (nn.GRU, st.GRU), (nn.LSTM, st.LSTM),
                                           (nn.LSTMCell, st.LSTMCell), (nn.GRUCell, st.GRUCell),
                                           (nn.RNNCell, st.RNNCell)])
def test_initialization_equals_torch_nn_for_the_same_seed(cls, mine_cls):
    """U(±1/√n_a) from torch's global generator, parameter by parameter in torch.nn's order."""
    layer = cls in (nn.RNN, nn.GRU, nn.LSTM)
    kwargs = {"num_layers": 2, "bidirectional": True} if layer else {}
    torch.manual_seed(11)
    ref = cls(N_X, N_A, **kwargs)
    after_ref = torch.rand(1)
    torch.manual_seed(11)
    mine = mine_cls(N_X, N_A, **kwargs)
    after_mine = torch.rand(1)
    assert list(mine.state_dict()) == list(ref.state_dict())
    for key, value in ref.state_dict().items():
        assert torch.equal(mine.state_dict()[key], value), key
    bound = 1 / N_A ** 0.5
    assert all(p.abs().max() <= bound for p in mine.parameters())
    assert torch.equal(after_ref, after_mine)        # the same amount of the RNG was consumed


def test_state_dicts_load_into_each_other():
    torch.manual_seed(2)
    ref = nn.LSTM(N_X, N_A, 2, bidirectional=True)
    mine = st.LSTM(N_X, N_A, 2, bidirectional=True)
    mine.load_state_dict(ref.state_dict())
    x = torch.randn(T_X, M, N_X)
    assert_max_abs(mine(x)[0], ref(x)[0], 1e-5, "output after load_state_dict")
    ref2 = nn.GRU(N_X, N_A)
    ref2.load_state_dict(st.GRU(N_X, N_A).state_dict())


def test_dropout_and_training_mode_are_carried_over():
    ref = nn.LSTM(N_X, N_A, 3, dropout=0.25).eval()
    mine = st.from_torch_nn(ref)
    assert mine.dropout == 0.25 and not mine.training
    assert st.to_torch_nn(mine).dropout == 0.25
    x = torch.randn(T_X, M, N_X)
    assert_max_abs(mine(x)[0], ref(x)[0], 1e-5, "eval output with dropout")
    mine.train()
    torch.manual_seed(0)
    out_train = mine(x)[0]
    assert not torch.allclose(out_train, mine.eval()(x)[0])   # dropout acts between layers in training
