"""Converters: NumPy dicts ↔ seqlab.torch ↔ torch.nn, exact round trips, kind inference, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn

import seqlab.numpy as snp
import seqlab.torch as st
from seqlab_torch_testing import (CASE_IDS, CASES, LSTMS, assert_max_abs, numpy_options, numpy_parameters,
                                  numpy_state, torch_options)

N_X, N_A = 3, 4


def _assert_same_dict(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key in want:
        assert got[key].dtype == want[key].dtype and got[key].shape == want[key].shape, key
        assert np.array_equal(got[key], want[key]), key


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_to_numpy_inverts_from_numpy_exactly(kind, option, dtype):
    p = numpy_parameters(kind, option, N_X, N_A, seed=1, dtype=dtype)
    module = st.from_numpy(p, **torch_options(kind, option))
    _assert_same_dict(st.to_numpy(module), p)
    cell = st.from_numpy(p, cell=True, **torch_options(kind, option))
    _assert_same_dict(st.to_numpy(cell), p)


@pytest.mark.parametrize("kind, option", CASES, ids=CASE_IDS)
def test_round_trip_of_deep_and_bidirectional_structures(kind, option):
    deep = [numpy_parameters(kind, option, N_X, N_A, seed=1), numpy_parameters(kind, option, N_A, N_A, seed=2)]
    back = st.to_numpy(st.from_numpy(deep, **torch_options(kind, option)))
    assert isinstance(back, list) and len(back) == 2
    for got, want in zip(back, deep):
        _assert_same_dict(got, want)
    bi = [(numpy_parameters(kind, option, N_X, N_A, seed=s), numpy_parameters(kind, option, N_X, N_A, seed=s + 1))
          for s in (3,)]
    bi.append((numpy_parameters(kind, option, 2 * N_A, N_A, seed=5),
               numpy_parameters(kind, option, 2 * N_A, N_A, seed=6)))
    module = st.from_numpy(bi, **torch_options(kind, option))
    assert module.bidirectional and module.num_layers == 2
    back = st.to_numpy(module)
    assert [len(pair) for pair in back] == [2, 2]
    for pair_got, pair_want in zip(back, bi):
        for got, want in zip(pair_got, pair_want):
            _assert_same_dict(got, want)


def test_from_numpy_maps_to_torch_layout():
    """W_a acts on [a; x]: W_hh = W[:, :n_a], W_ih = W[:, n_a:]; torch's z = 1 − Γ_u; b_hn = b_ca."""
    p = numpy_parameters("gru", "reset_after", N_X, N_A, seed=3)
    gru = st.from_numpy(p)
    n = N_A
    assert torch.equal(gru.weight_hh_l0[:n], torch.from_numpy(p["Wr"][:, :n]))
    assert torch.equal(gru.weight_ih_l0[:n], torch.from_numpy(p["Wr"][:, n:]))
    assert torch.equal(gru.weight_ih_l0[n:2 * n], torch.from_numpy(-p["Wu"][:, n:]))
    assert torch.equal(gru.bias_ih_l0[n:2 * n], torch.from_numpy(-p["bu"][:, 0]))
    assert torch.equal(gru.bias_hh_l0[2 * n:], torch.from_numpy(p["bca"][:, 0]))
    assert torch.equal(gru.bias_hh_l0[:2 * n], torch.zeros(2 * n, dtype=torch.float64))
    lstm = st.from_numpy(numpy_parameters("lstm", None, N_X, N_A, seed=4))
    q = numpy_parameters("lstm", None, N_X, N_A, seed=4)
    for block, key in enumerate(["Wu", "Wf", "Wc", "Wo"]):             # torch rows i, f, g, o
        assert torch.equal(lstm.weight_ih_l0[block * n:(block + 1) * n], torch.from_numpy(q[key][:, n:]))
    peep = numpy_parameters("peephole_lstm", None, N_X, N_A, seed=5)
    module = st.from_numpy(peep)
    assert module.weight_peep_l0.shape == (3 * N_A,) and module.bias_l0.shape == (4 * N_A,)
    assert torch.equal(module.weight_hh_l0, torch.from_numpy(peep["R"]))


@pytest.mark.parametrize("kind, option", [("rnn", "tanh"), ("rnn", "relu"), ("gru", "reset_after"), ("lstm", None)])
def test_numpy_equals_torch_nn_through_the_converters(kind, option):
    """NumPy forward == torch.nn forward after from_numpy then to_torch_nn (float64)."""
    rng = np.random.default_rng(0)
    p = numpy_parameters(kind, option, N_X, N_A, seed=9)
    x, state = rng.standard_normal((N_X, 2, 5)), numpy_state(kind, rng, N_A, 2)
    a, _, _ = snp.recurrent_forward(kind, x, state, p, **numpy_options(kind, option))
    ref = st.to_torch_nn(st.from_numpy(p, **torch_options(kind, option)))
    hx = tuple(st.state_to_torch([s]) for s in state) if kind in LSTMS else st.state_to_torch([state])
    out, _ = ref(st.x_to_torch(x), hx)
    assert_max_abs(st.x_to_numpy(out), a, 1e-10, "a")


@pytest.mark.parametrize("make", [
    lambda: nn.RNN(3, 4, 2, nonlinearity="relu", bidirectional=True, batch_first=True),
    lambda: nn.GRU(3, 4, 3, bias=False, dtype=torch.float64),
    lambda: nn.LSTM(3, 4, 2, dropout=0.5, bidirectional=True),
    lambda: nn.LSTMCell(3, 4), lambda: nn.GRUCell(3, 4, bias=False), lambda: nn.RNNCell(3, 4, nonlinearity="relu"),
], ids=["rnn", "gru", "lstm", "lstmcell", "grucell", "rnncell"])
def test_torch_nn_round_trip_is_exact(make):
    torch.manual_seed(0)
    ref = make()
    mine = st.from_torch_nn(ref)
    back = st.to_torch_nn(mine)
    assert type(back) is type(ref)
    for attr in ("input_size", "hidden_size", "bias", "num_layers", "bidirectional", "batch_first",
                 "dropout", "nonlinearity"):
        assert getattr(back, attr, None) == getattr(ref, attr, None), attr
    assert list(back.state_dict()) == list(ref.state_dict()) == list(mine.state_dict())
    for key, value in ref.state_dict().items():
        assert torch.equal(back.state_dict()[key], value) and torch.equal(mine.state_dict()[key], value)
        assert back.state_dict()[key].dtype == value.dtype


def test_bias_false_gives_zero_numpy_biases():
    module = st.LSTM(N_X, N_A, bias=False)
    p = st.to_numpy(module)
    assert {k for k in p if k.startswith("b")} == {"bf", "bu", "bc", "bo"}
    assert all(not p[k].any() and p[k].shape == (N_A, 1) for k in ("bf", "bu", "bc", "bo"))
    peep = st.to_numpy(st.PeepholeLSTMCell(N_X, N_A, bias=False))
    assert peep["b"].shape == (4 * N_A, 1) and not peep["b"].any()
    gru = st.to_numpy(st.GRU(N_X, N_A, bias=False))
    assert not gru["bca"].any()


def test_output_layer_keys_are_ignored():
    p = numpy_parameters("rnn", "tanh", N_X, N_A)
    with_output = {**p, "Wya": np.ones((2, N_A)), "by": np.ones((2, 1))}
    _assert_same_dict(st.to_numpy(st.from_numpy(with_output)), p)


def test_converters_do_not_consume_the_global_rng():
    p = numpy_parameters("lstm", None, N_X, N_A)
    torch.manual_seed(0)
    want = torch.rand(3)
    torch.manual_seed(0)
    st.from_numpy(p)
    st.from_torch_nn(nn.GRU(N_X, N_A, device="meta").to_empty(device="cpu"))
    st.to_torch_nn(st.from_numpy(p))
    assert torch.equal(torch.rand(3), want)


def test_from_numpy_dtype_and_device_arguments():
    p = numpy_parameters("gru", "full", N_X, N_A)
    module = st.from_numpy(p, dtype=torch.float32, device="cpu", batch_first=True)
    assert module.weight_ih_l0.dtype == torch.float32 and module.batch_first
    assert module.variant == "full"
    back = st.to_numpy(module)
    assert back["Wc"].dtype == np.float32
    assert_max_abs(back["Wc"], p["Wc"], 1e-6, "Wc")


@pytest.mark.parametrize("keys, want", [
    (("Wax", "Waa", "ba"), ("rnn", None)),
    (("Wf", "Wu", "Wc", "Wo", "bf", "bu", "bc", "bo"), ("lstm", None)),
    (("W", "R", "P", "b"), ("peephole_lstm", None)),
    (("Wc", "Wu", "bc", "bu"), ("gru", "simplified")),
    (("Wc", "Wu", "Wr", "bc", "bu", "br"), ("gru", "full")),
    (("Wc", "Wu", "Wr", "bc", "bu", "br", "bca"), ("gru", "reset_after")),
])
def test_infer_kind_from_keys(keys, want):
    assert st.infer_kind(dict.fromkeys(keys)) == want


def test_infer_kind_overrides():
    gru = dict.fromkeys(("Wc", "Wu", "Wr", "bc", "bu", "br", "bca"))
    assert st.infer_kind(gru, variant="full") == ("gru", "full")
    assert st.infer_kind(dict.fromkeys("WRPb"), kind="peephole") == ("peephole_lstm", None)
    p = numpy_parameters("gru", "reset_after", N_X, N_A)
    module = st.from_numpy(p, variant="full")            # bca is ignored by the full variant
    assert module.variant == "full" and "bca" not in st.to_numpy(module)


def test_from_numpy_errors():
    p = numpy_parameters("lstm", None, N_X, N_A)
    with pytest.raises(ValueError, match=r"cannot tell the cell from the keys Wq, bq.*pass kind="):
        st.from_numpy({"Wq": np.ones((2, 2)), "bq": np.ones((2, 1))})
    with pytest.raises(ValueError, match=r"kind must be one of 'rnn', 'gru', 'lstm', 'peephole_lstm'; got 'cnn'"):
        st.from_numpy(p, kind="cnn")
    with pytest.raises(ValueError, match=r"variant must be one of 'simplified', 'full', 'reset_after'; got 'x'"):
        st.from_numpy(numpy_parameters("gru", "full", N_X, N_A), variant="x")
    with pytest.raises(ValueError, match=r"nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"):
        st.from_numpy(numpy_parameters("rnn", "tanh", N_X, N_A), nonlinearity="sigmoid")
    with pytest.raises(TypeError, match=r"parameters must be a dict \(one layer\), a list of dicts .*got str"):
        st.from_numpy("Wax")
    with pytest.raises(TypeError, match=r"got list of dict, int"):
        st.from_numpy([p, 3])
    with pytest.raises(TypeError, match=r"got list of nothing"):
        st.from_numpy([])
    missing = {k: v for k, v in p.items() if k != "Wo"}
    with pytest.raises(ValueError, match=r"parameters is missing 'Wo' \(W_o\)"):
        st.from_numpy(missing, kind="lstm")
    bad = {**p, "Wc": p["Wc"][:, :-1]}
    with pytest.raises(ValueError, match=r"W_c must be \(n_a, n_a \+ n_x\) = \(4, 7\); got \(4, 6\)"):
        st.from_numpy(bad)
    deep = [p, numpy_parameters("lstm", None, N_X, N_A)]         # layer 2 must take n_a inputs
    with pytest.raises(ValueError, match=r"parameters of layer 2: W_u must be \(n_a, n_a \+ n_x\) = \(4, 8\); "
                                         r"got \(4, 7\) "
                                         r"\(layer 2 reads the outputs of layer 1: n_x = 4\)"):
        st.from_numpy(deep)
    mixed = [(p, numpy_parameters("lstm", None, N_X, N_A, dtype=np.float32))]
    with pytest.raises(TypeError, match=r"float32 but the other arrays are float64"):
        st.from_numpy(mixed)
    with pytest.raises(TypeError, match=r"parameters must be a dict of NumPy arrays; got str"):
        st.infer_kind("Wax")
    with pytest.raises(TypeError, match=r"W_ax must be a numpy array of shape \(n_a, n_x\); got list"):
        st.from_numpy({"Wax": [[1.0]], "Waa": np.ones((1, 1)), "ba": np.ones((1, 1))})
    with pytest.raises(ValueError, match=r"cell=True needs one parameter dict"):
        st.from_numpy([p, numpy_parameters("lstm", None, N_A, N_A)], cell=True)


def test_to_and_from_torch_nn_errors():
    with pytest.raises(ValueError, match=r"torch.nn has no peephole LSTM"):
        st.to_torch_nn(st.PeepholeLSTM(N_X, N_A))
    for variant in ("full", "simplified"):
        with pytest.raises(ValueError, match=rf"torch.nn.GRU is the 'reset_after' variant; a GRU with "
                                             rf"variant='{variant}'"):
            st.to_torch_nn(st.GRU(N_X, N_A, variant=variant))
    with pytest.raises(ValueError, match=r"torch.nn.GRU is the 'reset_after' variant"):
        st.to_torch_nn(st.GRUCell(N_X, N_A, variant="full"))
    with pytest.raises(TypeError, match=r"from_torch_nn expects torch.nn.RNN, GRU, LSTM.*got Linear"):
        st.from_torch_nn(nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"proj_size=2 has no seqlab.torch equivalent"):
        st.from_torch_nn(nn.LSTM(N_X, N_A, proj_size=2))
    with pytest.raises(TypeError, match=r"expected a seqlab.torch cell or layer.*got LSTM"):
        st.to_numpy(nn.LSTM(N_X, N_A))
    with pytest.raises(ValueError, match=r"weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 has no gradient"):
        st.grads_to_numpy(st.RNN(N_X, N_A))


def test_tensor_layout_helpers():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 5))
    t = st.x_to_torch(x)
    assert t.shape == (5, 2, 3) and t.is_contiguous() and t.dtype == torch.float64
    assert torch.equal(t[4, 1], torch.from_numpy(x[:, 1, 4]))
    assert np.array_equal(st.x_to_numpy(t), x)
    assert st.x_to_torch(x, dtype=torch.float32).dtype == torch.float32
    a0 = rng.standard_normal((4, 2))
    assert st.state_to_torch(a0).shape == (2, 4)
    assert np.array_equal(st.state_to_numpy(st.state_to_torch(a0)), a0)
    stacked = st.state_to_torch([a0, 2 * a0])
    assert stacked.shape == (2, 2, 4)
    back = st.state_to_numpy(stacked)
    assert isinstance(back, list) and np.array_equal(back[1], 2 * a0)
    with pytest.raises(ValueError, match=r"x must be \(n_x, m, T_x\) = \(\?, \?, \?\); got \(3, 2\)"):
        st.x_to_torch(x[:, :, 0])
    with pytest.raises(ValueError, match=r"expected a \(T_x, m, n\) tensor; got shape \(5, 2\)"):
        st.x_to_numpy(t[:, :, 0])
    with pytest.raises(ValueError, match=r"expected an \(m, n_a\) or \(k, m, n_a\) tensor; got list"):
        st.state_to_numpy([1])
    with pytest.raises(ValueError, match=r"a\^<0> contains NaN"):
        st.state_to_torch(np.full((2, 2), np.nan))


def test_layout_helpers_always_copy_even_read_only_views():
    """The forward passes of seqlab.numpy return read-only views (here m = 1, where the view is
    already in torch's memory order): the tensors are copies, writable, made without warning."""
    rng = np.random.default_rng(3)
    p = numpy_parameters("lstm", None, 3, 4, seed=3)
    a, _, _, _ = snp.lstm_forward(rng.standard_normal((3, 1, 6)), np.zeros((4, 1)), p)
    assert not a.flags.writeable
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t, h = st.x_to_torch(a), st.state_to_torch(a[:, :, -1])
    for tensor, source in ((t, a), (h, a[:, :, -1])):
        assert not np.shares_memory(tensor.numpy(), source)
        tensor.zero_()                                  # writable, and a is unchanged
    assert np.abs(a).max() > 0
