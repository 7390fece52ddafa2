"""Bad input is reported in the course's notation, with the layout seqlab.torch expects."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import seqlab.torch as st

F64 = torch.float64


def _x(*shape, dtype=F64):
    return torch.randn(*shape, dtype=dtype)


def test_layer_input_shape_messages():
    lstm = st.LSTM(4, 5, dtype=F64)
    with pytest.raises(ValueError, match=re.escape(
            "x must be (T_x, m, n_x) = (5, 3, 4); got (5, 3, 7). seqlab.torch uses torch's time-major layout "
            "(T_x, m, n_x) (batch_first=True: (m, T_x, n_x)), not seqlab.numpy's (n_x, m, T_x); convert NumPy "
            "sequences with seqlab.torch.convert.x_to_torch")):
        lstm(_x(5, 3, 7))
    with pytest.raises(ValueError, match=re.escape(
            "x must be (T_x, m, n_x) = (?, ?, 4); got (5, 3, 4, 1) (4-D instead of 3-D). seqlab.torch uses")):
        lstm(_x(5, 3, 4, 1))
    with pytest.raises(ValueError, match=re.escape(
            "x must be (T_x, m, n_x) = (4, 3, 4); got (4, 3, 6). seqlab.torch uses torch's time-major layout")
            + r".* \(the shape looks like seqlab.numpy's \(n_x, m, T_x\)\)"):
        lstm(_x(4, 3, 6))                            # a NumPy-layout (n_x, m, T_x) sequence
    with pytest.raises(ValueError, match=re.escape("x must be (T_x, n_x) = (5, 4); got (5, 2)")):
        lstm(_x(5, 2))                               # one unbatched sequence
    with pytest.raises(ValueError, match=re.escape("x must be (m, T_x, n_x) = (3, 5, 4); got (3, 5, 2)")):
        st.GRU(4, 5, batch_first=True, dtype=F64)(_x(3, 5, 2))
    with pytest.raises(ValueError, match=re.escape("x must have T_x ≥ 1 time steps; got shape (0, 3, 4)")):
        lstm(_x(0, 3, 4))


def test_layer_input_type_dtype_device_and_values():
    rnn = st.RNN(4, 5, dtype=F64)
    with pytest.raises(TypeError, match=re.escape(
            "x must be a torch.Tensor of shape (T_x, m, n_x); got ndarray (convert NumPy arrays with "
            "seqlab.torch.convert.x_to_torch)")):
        rnn(np.zeros((5, 3, 4)))
    with pytest.raises(TypeError, match=re.escape("x must be a torch.Tensor of shape (T_x, m, n_x); got list")):
        rnn([[1.0]])
    with pytest.raises(TypeError, match=re.escape(
            "x must be a floating-point tensor (torch.float64); got torch.int64")):
        rnn(torch.zeros(5, 3, 4, dtype=torch.int64))
    with pytest.raises(TypeError, match=re.escape(
            "x is torch.float32 but the parameters are torch.float64; use one floating-point dtype: "
            "module.to(torch.float64), or convert x with .to(torch.float64)")):
        rnn(_x(5, 3, 4, dtype=torch.float32))
    with pytest.raises(ValueError, match=re.escape(
            "x is on meta but the parameters are on cpu; move it with .to('cpu')")):
        rnn(torch.empty(5, 3, 4, dtype=F64, device="meta"))
    x = _x(5, 3, 4)
    x[1, 2, 0] = float("nan")
    with pytest.raises(ValueError, match=re.escape(
            "x contains NaN (first at index (1, 2, 0)); non-finite values are not propagated")):
        rnn(x)
    x[1, 2, 0], x[4, 0, 3] = 0.0, -float("inf")
    with pytest.raises(ValueError, match=re.escape("x contains Inf (first at index (4, 0, 3))")):
        rnn(x)
    x[4, 0, 3], x[0, 0, 0], x[0, 0, 1] = 0.0, float("inf"), -float("inf")   # sum is NaN
    with pytest.raises(ValueError, match=re.escape("x contains Inf (first at index (0, 0, 0))")):
        rnn(x)


def test_finite_check_large_finite_values_pass():
    """Finite entries whose sum overflows are finite: the fast sum check must not reject them."""
    from seqlab.torch.validation import check_finite_tensor
    big = torch.full((3, 4), 3e38, dtype=torch.float32)
    assert not torch.isfinite(big.sum())
    check_finite_tensor(big, "x")                      # no error
    big[2, 1] = float("nan")
    with pytest.raises(ValueError, match=re.escape("x contains NaN (first at index (2, 1))")):
        check_finite_tensor(big, "x")


def test_layer_state_messages():
    gru = st.GRU(4, 5, num_layers=2, batch_first=True, dtype=F64)
    x = _x(3, 6, 4)                                   # batch-first: m = 3, T_x = 6
    with pytest.raises(ValueError, match=re.escape(
            "a^<0> (h_0) must be (num_layers·num_directions, m, n_a) = (2, 3, 5); got (3, 2, 5). h_0/c_0 are "
            "always (num_layers·num_directions, m, n_a), also with batch_first=True (torch's convention), "
            "not seqlab.numpy's (n_a, m)")):
        gru(x, _x(3, 2, 5))
    with pytest.raises(ValueError, match=re.escape(
            "a^<0> (h_0) must be (num_layers·num_directions, m, n_a) = (2, 3, 5); got (3, 5) (2-D instead of 3-D)")):
        gru(x, _x(3, 5))
    lstm = st.LSTM(4, 5, bidirectional=True, dtype=F64)
    x = _x(6, 3, 4)
    with pytest.raises(TypeError, match=re.escape(
            "hx must be a tuple (h_0, c_0) = (a^<0>, c^<0>) of tensors; got Tensor")):
        lstm(x, _x(2, 3, 5))
    c0 = _x(2, 3, 5)
    c0[0, 1, 2] = float("nan")
    with pytest.raises(ValueError, match=re.escape("c^<0> (c_0) contains NaN (first at index (0, 1, 2))")):
        lstm(x, (_x(2, 3, 5), c0))
    with pytest.raises(ValueError, match=re.escape(
            "c^<0> (c_0) must be (num_layers·num_directions, m, n_a) = (2, 3, 5); got (1, 3, 5)")):
        lstm(x, (_x(2, 3, 5), _x(1, 3, 5)))
    with pytest.raises(ValueError, match=re.escape(
            "a^<0> (h_0) must be (num_layers·num_directions, n_a) = (2, 5); got (2, 4)")):
        lstm(x[:, 0], (_x(2, 4), _x(2, 5)))          # unbatched
    with pytest.raises(TypeError, match=re.escape(
            "a^<0> (h_0) is torch.float32 but the parameters are torch.float64")):
        st.PeepholeLSTM(4, 5, dtype=F64)(x, (_x(1, 3, 5, dtype=torch.float32), _x(1, 3, 5)))


def test_cell_messages():
    cell = st.RNNCell(4, 5, dtype=F64)
    with pytest.raises(ValueError, match=re.escape(
            "x^<t> must be (m, n_x) = (4, 4); got (4, 3). seqlab.torch uses torch's batch-first row layout "
            "(m, n) for one time step, not seqlab.numpy's column layout (n, m)")):
        cell(_x(4, 3))
    with pytest.raises(ValueError, match=re.escape(
            "x^<t> must be (m, n_x) = (?, 4); got (5, 3, 4) (3-D instead of 2-D)")):
        cell(_x(5, 3, 4))
    with pytest.raises(ValueError, match=re.escape("x^<t> must be (n_x,) = (4,); got (3,)")):
        cell(_x(3))
    with pytest.raises(ValueError, match=re.escape("a^<t-1> must be (m, n_a) = (3, 5); got (5, 3)")):
        cell(_x(3, 4), _x(5, 3))
    with pytest.raises(ValueError, match=re.escape("c^<t-1> must be (m, n_a) = (3, 5); got (3, 6)")):
        st.GRUCell(4, 5, dtype=F64)(_x(3, 4), _x(3, 6))
    with pytest.raises(TypeError, match=re.escape("hx must be a tuple (a^<t-1>, c^<t-1>) of tensors; got Tensor")):
        st.LSTMCell(4, 5, dtype=F64)(_x(3, 4), _x(3, 5))
    x = _x(3, 4)
    x[2, 1] = float("inf")
    with pytest.raises(ValueError, match=re.escape("x^<t> contains Inf (first at index (2, 1))")):
        st.PeepholeLSTMCell(4, 5, dtype=F64)(x)
    with pytest.raises(ValueError, match=re.escape("a^<t-1> must be (n_a,) = (5,); got (4,)")):
        cell(_x(4), _x(4))                           # unbatched


@pytest.mark.parametrize("make, exc, message", [
    (lambda: st.LSTM(0, 5), ValueError, "input_size (n_x) must be ≥ 1; got 0"),
    (lambda: st.GRU(4, "5"), TypeError, "hidden_size (n_a) must be an int; got str"),
    (lambda: st.RNN(4, 5, num_layers=0), ValueError, "num_layers must be ≥ 1; got 0"),
    (lambda: st.RNN(4, 5, True), TypeError, "num_layers must be an int; got bool"),
    (lambda: st.RNN(4, 5, nonlinearity="sigmoid"), ValueError,
     "nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"),
    (lambda: st.GRU(4, 5, variant="minimal"), ValueError,
     "variant must be one of 'simplified', 'full', 'reset_after'; got 'minimal'"),
    (lambda: st.GRUCell(4, 5, variant="cudnn"), ValueError,
     "variant must be one of 'simplified', 'full', 'reset_after'; got 'cudnn'"),
    (lambda: st.RNNCell(4, 5, nonlinearity="gelu"), ValueError, "nonlinearity must be one of 'tanh', 'relu'"),
    (lambda: st.LSTM(4, 5, 2, dropout=1.5), ValueError, "dropout must be a probability in [0, 1]; got 1.5"),
    (lambda: st.LSTMCell(4, 0), ValueError, "hidden_size (n_a) must be ≥ 1; got 0"),
])
def test_constructor_messages(make, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        make()


def test_unknown_kind_in_functional():
    from seqlab.torch.functional import make_step
    w = st.RNNCell(2, 3).weights()
    with pytest.raises(ValueError, match=re.escape(
            "kind must be one of 'rnn', 'gru', 'lstm', 'peephole_lstm'; got 'cnn'")):
        make_step("cnn", w)
