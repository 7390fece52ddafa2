"""seqlab.torch on a GPU: against torch.nn (cuDNN) and against the CPU.

float32 on CUDA vs cuDNN ≤ 1e-4 (TF32 off); CUDA vs CPU in float64 ≤ 1e-10 and CUDA float32
vs CPU float64 ≤ 1e-4 relative to the largest entry (outputs, final states, gradients).
Skipped when CUDA is not available.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import seqlab.torch as st
from seqlab_torch_testing import CASE_IDS, CASES, assert_max_abs, numpy_parameters, torch_options

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

CUDA = torch.device("cuda")
T_X, M, N_X, N_A = 7, 3, 5, 8


@pytest.fixture(autouse=True)
def _no_tf32():
    """Full float32 matmuls in cuBLAS and cuDNN, so 1e-4 is a fair bound."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def _states(h):
    return (h,) if isinstance(h, torch.Tensor) else tuple(h)


def _outputs_and_grads(module, x, hx):
    """output, final states and the gradients of Σ output + Σ h_n (+ Σ c_n) w.r.t. x and every parameter."""
    x = x.detach().clone().requires_grad_()
    out, h_n = module(x, hx)
    loss = out.sum() + sum(s.sum() for s in _states(h_n))
    grads = torch.autograd.grad(loss, [x, *module.parameters()])
    return [out, *_states(h_n), *grads]


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2], ids=["L1", "L2"])
@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM], ids=["rnn", "gru", "lstm"])
def test_cuda_float32_matches_cudnn(cls, num_layers, bidirectional):
    torch.manual_seed(0)
    ref = cls(N_X, N_A, num_layers, bidirectional=bidirectional, device=CUDA)
    mine = st.from_torch_nn(ref)
    assert mine.weight_ih_l0.device.type == "cuda"
    rows = num_layers * (2 if bidirectional else 1)
    x = torch.randn(T_X, M, N_X, device=CUDA)
    h0 = torch.randn(rows, M, N_A, device=CUDA)
    hx = (h0, torch.randn_like(h0)) if cls is nn.LSTM else h0
    for got, want in zip(_outputs_and_grads(mine, x, hx), _outputs_and_grads(ref, x, hx)):
        assert got.device.type == "cuda"
        assert_max_abs(got, want, 1e-4, "seqlab.torch on CUDA vs cuDNN")
    back = st.to_torch_nn(mine)
    assert back.weight_ih_l0.device.type == "cuda"
    assert_max_abs(back(x, hx)[0], ref(x, hx)[0], 1e-6, "to_torch_nn on CUDA")


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_cuda_matches_cpu(kind, option):
    deep_bi = [(numpy_parameters(kind, option, N_X, N_A, seed=1), numpy_parameters(kind, option, N_X, N_A, seed=2)),
               (numpy_parameters(kind, option, 2 * N_A, N_A, seed=3),
                numpy_parameters(kind, option, 2 * N_A, N_A, seed=4))]
    cpu = st.from_numpy(deep_bi, **torch_options(kind, option))
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((T_X, M, N_X)))
    want = _outputs_and_grads(cpu, x, None)
    gpu64 = st.from_numpy(deep_bi, device="cuda", **torch_options(kind, option))
    for got, ref in zip(_outputs_and_grads(gpu64, x.to(CUDA), None), want):
        assert_max_abs(got, ref, 1e-10, "CUDA float64 vs CPU float64")
    gpu32 = st.from_numpy(deep_bi, device="cuda", dtype=torch.float32, **torch_options(kind, option))
    for got, ref in zip(_outputs_and_grads(gpu32, x.to(CUDA, torch.float32), None), want):
        assert got.dtype == torch.float32     # float32 rounding: 1e-4 relative to the largest entry
        assert_max_abs(got, ref, 1e-4 * max(1.0, float(ref.abs().max())), "CUDA float32 vs CPU float64")
    back = st.to_numpy(gpu64)
    assert np.array_equal(back[1][0][next(iter(deep_bi[1][0]))], deep_bi[1][0][next(iter(deep_bi[1][0]))])


def test_cuda_cells_and_errors():
    cell = st.LSTMCell(N_X, N_A, device=CUDA)
    h, c = cell(torch.randn(M, N_X, device=CUDA))
    assert h.device.type == "cuda" and c.shape == (M, N_A)
    with pytest.raises(ValueError, match=r"x\^<t> is on cpu but the parameters are on cuda:0"):
        cell(torch.randn(M, N_X))
    x = torch.randn(T_X, M, N_X, device=CUDA)
    x[2, 1, 0] = float("nan")
    with pytest.raises(ValueError, match=r"x contains NaN \(first at index \(2, 1, 0\)\)"):
        st.GRU(N_X, N_A, device=CUDA)(x)
