"""seqlab.models: gradients against central differences, masks, shapes, dtypes, training."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab.data.toy import one_hot
from seqlab.models import (DenseTagger, EncoderDecoderRNN, ManyToManyRNN, ManyToOneRNN, OneToManyRNN,
                           count_parameters, precision_recall_f1, sequence_accuracy, sequence_lengths,
                           token_accuracy)
from seqlab.numpy import gradient_check

TOL = 1e-7


def _randomize(model, rng, scale=0.5):
    """Random biases too, so that their gradients are checked away from zero."""
    for key, value in model.parameters.items():
        value[...] = scale * rng.standard_normal(value.shape)
    return model


def _check_all(model, batch, extra=()):
    """Relative error of every parameter gradient (and of the inputs in ``extra``) against finite differences."""
    _, grads = model.loss_and_gradients(*batch)
    arrays = dict(model.parameters)
    wanted = {"d" + k: grads["d" + k] for k in arrays}
    for name, array in extra:
        arrays[name] = array
        wanted["d" + name] = grads["d" + name]
    errors = gradient_check(lambda: model.loss(*batch), arrays, {k[1:]: v for k, v in wanted.items()})
    assert set(errors) == set(arrays)
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{worst}: relative error {errors[worst]:.2e}"


def _labels(rng, n_y, shape):
    return rng.integers(0, n_y, size=shape)


def test_dense_tagger_gradients():
    rng = np.random.default_rng(0)
    model = _randomize(DenseTagger(3, 4, 5, 2, seed=1), rng)
    x = rng.standard_normal((3, 6, 4))
    mask = np.ones((6, 4), dtype=int)
    mask[1, 2:] = 0
    _check_all(model, (x, _labels(rng, 2, (6, 4)), mask), extra=[("x", x)])


def test_many_to_many_gradients_with_mask_and_a0():
    rng = np.random.default_rng(1)
    model = _randomize(ManyToManyRNN(3, 4, 3, seed=0), rng)
    x = rng.standard_normal((3, 5, 6))
    a0 = rng.standard_normal((4, 5))
    mask = np.ones((5, 6), dtype=int)
    mask[0, 3:] = 0
    _check_all(model, (x, _labels(rng, 3, (5, 6)), mask, a0), extra=[("x", x), ("a0", a0)])


def test_many_to_many_relu_gradients():
    rng = np.random.default_rng(2)
    model = _randomize(ManyToManyRNN(2, 3, 2, seed=0, activation="relu"), rng)
    x = rng.standard_normal((2, 4, 5))
    _check_all(model, (x, _labels(rng, 2, (4, 5))))


def test_many_to_one_gradients_with_lengths():
    rng = np.random.default_rng(3)
    model = _randomize(ManyToOneRNN(3, 4, 3, seed=0), rng)
    x = rng.standard_normal((3, 5, 6))
    a0 = rng.standard_normal((4, 5))
    lengths = np.array([6, 1, 3, 5, 2])
    mask = (np.arange(6)[None] < lengths[:, None]).astype(int)
    _check_all(model, (x, _labels(rng, 3, (5,)), mask, a0), extra=[("x", x), ("a0", a0)])


def test_one_to_many_gradients():
    rng = np.random.default_rng(4)
    model = _randomize(OneToManyRNN(2, 4, 3, seed=0), rng)
    x1 = rng.standard_normal((2, 5))
    mask = np.ones((5, 4), dtype=int)
    mask[2, 3] = 0
    _check_all(model, (x1, _labels(rng, 3, (5, 4)), mask))


def test_encoder_decoder_gradients():
    rng = np.random.default_rng(5)
    model = _randomize(EncoderDecoderRNN(3, 4, 3, seed=0), rng)
    x = rng.standard_normal((3, 4, 5))
    x_mask = (np.arange(5)[None] < np.array([5, 2, 4, 1])[:, None]).astype(int)
    y_mask = (np.arange(3)[None] < np.array([3, 1, 2, 3])[:, None]).astype(int)
    _check_all(model, (x, _labels(rng, 3, (4, 3)), x_mask, y_mask), extra=[("x", x)])


def test_masked_positions_change_nothing():
    rng = np.random.default_rng(6)
    model = ManyToManyRNN(3, 4, 2, seed=0)
    x = rng.standard_normal((3, 4, 5))
    y = _labels(rng, 2, (4, 5))
    mask = np.ones((4, 5), dtype=int)
    mask[:, 3:] = 0
    y2 = y.copy()
    y2[:, 3:] = 1 - y2[:, 3:]
    assert model.loss(x, y, mask) == pytest.approx(model.loss(x, y2, mask), rel=1e-14)
    # the loss is the mean over the unmasked steps
    full = model.loss(x[:, :, :3], y[:, :3])
    assert model.loss(x, y, mask) == pytest.approx(full, rel=1e-12)


def test_many_to_one_reads_the_last_real_step():
    rng = np.random.default_rng(7)
    model = ManyToOneRNN(3, 4, 2, seed=0)
    x = rng.standard_normal((3, 2, 5))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    z = model.forward(x, mask)[0]
    x2 = x.copy()
    x2[:, 0, 3:] = 100.0  # padding of example 1 must not matter
    assert np.array_equal(model.forward(x2, mask)[0][:, 0], z[:, 0])
    assert np.allclose(model.forward(x[:, :1, :3])[0][:, 0], z[:, 0], rtol=0, atol=1e-15)


def test_dense_tagger_has_fixed_length_and_position_weights():
    model = DenseTagger(4, 12, 8, 2, seed=0)
    assert model.n_parameters == 8 * 48 + 8 + 24 * 8 + 24
    with pytest.raises(ValueError, match=r"x must be \(n_x, m, T_x\) = \(4, 3, 12\); got \(4, 3, 20\)"):
        model.predict(np.zeros((4, 3, 20)))


def test_rnn_parameters_do_not_depend_on_length():
    model = ManyToManyRNN(4, 8, 2, seed=0)
    assert model.n_parameters == count_parameters(model.parameters) == 4 * 8 + 8 * 8 + 8 + 2 * 8 + 2
    for T in (1, 12, 40):
        assert model.predict(np.zeros((4, 3, T))).shape == (3, T)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    rng = np.random.default_rng(8)
    model = ManyToManyRNN(3, 4, 2, seed=0, dtype=dtype)
    x = rng.standard_normal((3, 2, 4)).astype(dtype)
    loss, grads = model.loss_and_gradients(x, _labels(rng, 2, (2, 4)))
    assert np.asarray(loss).dtype == dtype
    assert all(g.dtype == dtype for g in grads.values())
    assert model.predict_proba(x).dtype == dtype
    with pytest.raises(TypeError, match="float64"):
        model.loss(x.astype(np.float64 if dtype == np.float32 else np.float32), _labels(rng, 2, (2, 4)))


def test_bad_inputs_are_reported():
    model = ManyToManyRNN(3, 4, 2, seed=0)
    x = np.zeros((3, 2, 4))
    with pytest.raises(ValueError, match=r"x must be \(n_x, m, T_x\) = \(3, 3, 4\); got \(2, 3, 4\)"):
        model.predict(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"labels y must have shape \(2, 4\)"):
        model.loss(x, np.zeros((4, 2), dtype=int))
    with pytest.raises(ValueError, match="0 … n_y − 1 = 1"):
        model.loss(x, np.full((2, 4), 2))
    with pytest.raises(TypeError, match="integer"):
        model.loss(x, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        model.predict(np.full((3, 2, 4), np.nan))
    with pytest.raises(ValueError, match="positive int"):
        ManyToManyRNN(0, 4, 2)
    with pytest.raises(TypeError, match="float32 or float64"):
        ManyToManyRNN(3, 4, 2, dtype=np.int64)
    with pytest.raises(ValueError, match="start_index"):
        EncoderDecoderRNN(3, 4, 2, start_index=5)


def test_sequence_lengths():
    assert sequence_lengths(None, 2, 3).tolist() == [3, 3]
    assert sequence_lengths(np.array([[1, 1, 0], [1, 0, 0]]), 2, 3).tolist() == [2, 1]
    with pytest.raises(ValueError, match="first T"):
        sequence_lengths(np.array([[1, 0, 1]]), 1, 3)
    with pytest.raises(ValueError, match="at least one"):
        sequence_lengths(np.array([[0, 0, 0]]), 1, 3)
    with pytest.raises(ValueError, match=r"\(m, T\)"):
        sequence_lengths(np.ones((2, 2)), 1, 3)


def test_accuracies():
    y = np.array([[1, 0, 0], [0, 1, 1]])
    p = np.array([[1, 0, 1], [0, 1, 1]])
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    assert token_accuracy(p, y) == pytest.approx(5 / 6)
    assert token_accuracy(p, y, mask) == 1.0
    assert sequence_accuracy(p, y) == 0.5
    assert sequence_accuracy(p, y, mask) == 1.0
    with pytest.raises(ValueError):
        token_accuracy(p, y[:, :2])
    with pytest.raises(ValueError):
        sequence_accuracy(p[0], y[0])


def test_precision_recall_f1():
    y = np.array([[1, 0, 0, 1], [0, 1, 1, 0]])
    p = np.array([[1, 1, 0, 0], [0, 1, 1, 1]])
    precision, recall, f1 = precision_recall_f1(p, y)
    assert (precision, recall) == (3 / 5, 3 / 4) and f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    mask = np.array([[1, 1, 1, 1], [1, 1, 1, 0]])
    assert precision_recall_f1(p, y, mask)[0] == 3 / 4
    assert precision_recall_f1(np.zeros_like(y), y) == (0.0, 0.0, 0.0)
    assert precision_recall_f1(p, y, positive=0)[1] == 2 / 4
    with pytest.raises(ValueError):
        precision_recall_f1(p, y[:, :2])


def _copy_previous_task(rng, m=200, T=6):
    """y^<t> = x^<t-1> (0 at t = 1): needs one step of memory."""
    ids = rng.integers(0, 3, size=(m, T))
    y = np.concatenate([np.zeros((m, 1), dtype=int), ids[:, :-1]], axis=1)
    return one_hot(ids, 3), y


def test_fit_learns_a_task_that_needs_memory():
    rng = np.random.default_rng(9)
    x, y = _copy_previous_task(rng)
    model = ManyToManyRNN(3, 8, 3, seed=0)
    history = model.fit(x, y, None, epochs=30, batch_size=20, learning_rate=0.05, seed=0)
    assert len(history) == 30 and history[-1] < 0.1 * history[0]
    x_test, y_test = _copy_previous_task(rng, m=50)
    assert token_accuracy(model.predict(x_test), y_test) > 0.97
    # a second call continues from the same optimizer state
    more = model.fit(x, y, epochs=2, batch_size=20, learning_rate=0.05, seed=1)
    assert more[-1] < history[0]


def test_fit_checks_its_data():
    model = ManyToManyRNN(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="same number m"):
        model.fit(np.zeros((3, 4, 2)), np.zeros((5, 2), dtype=int), epochs=1)
    with pytest.raises(ValueError, match="training arrays"):
        model.fit(None, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        model.fit(np.zeros((3, 4, 2)), np.zeros((4, 2), dtype=int), epochs=0)


def test_dense_tagger_and_many_to_one_train():
    rng = np.random.default_rng(10)
    x, y = _copy_previous_task(rng, m=300, T=4)
    dense = DenseTagger(3, 4, 16, 3, seed=0)
    history = dense.fit(x, y, epochs=40, batch_size=30, learning_rate=0.02, seed=0)
    assert history[-1] < 0.2 * history[0]
    assert token_accuracy(dense.predict(x), y) > 0.95
    # many-to-one: the first token of the sequence (must be carried to the end)
    clf = ManyToOneRNN(3, 8, 3, seed=0)
    first = x[:, :, 0].argmax(axis=0)
    clf.fit(x, first, None, epochs=40, batch_size=30, learning_rate=0.03, seed=0)
    assert np.mean(clf.predict(x) == first) > 0.95
    assert clf.predict_proba(x).shape == (3, 300)
    assert np.allclose(clf.predict_proba(x).sum(axis=0), 1.0)


def test_one_to_many_generate_is_consistent_with_teacher_forcing():
    rng = np.random.default_rng(11)
    model = _randomize(OneToManyRNN(2, 5, 4, seed=0), rng)
    x1 = one_hot(np.array([0, 1, 1]), 2)
    greedy = model.generate(x1, 6, temperature=0.0)
    assert greedy.shape == (3, 6) and greedy.dtype == np.int64
    # feeding the greedy tokens back as teacher-forced inputs gives the same argmax at every step
    z = model.forward(model.teacher_forcing_inputs(x1, greedy))[0]
    assert np.array_equal(z.argmax(axis=0), greedy)
    sampled = model.generate(x1, 6, seed=3, temperature=1.0)
    assert np.array_equal(sampled, model.generate(x1, 6, seed=3, temperature=1.0))
    assert sampled.min() >= 0 and sampled.max() < 4
    with pytest.raises(ValueError, match="n_x"):
        model.generate(np.zeros((3, 2)), 4)
    with pytest.raises(ValueError, match=r"\(m, T_y\)"):
        model.loss(x1, greedy[0])


def test_one_to_many_learns_a_melody_per_mode():
    x1 = one_hot(np.array([0, 1] * 20), 2)
    y = np.array([[0, 1, 2, 3], [3, 2, 1, 0]] * 20)
    model = OneToManyRNN(2, 8, 4, seed=0)
    model.fit(x1, y, epochs=40, batch_size=10, learning_rate=0.05, seed=0)
    assert np.array_equal(model.generate(one_hot(np.array([0, 1]), 2), 4, temperature=0.0),
                          [[0, 1, 2, 3], [3, 2, 1, 0]])


def test_encoder_decoder_translate_is_consistent_and_learns_reversal():
    rng = np.random.default_rng(12)
    model = _randomize(EncoderDecoderRNN(3, 5, 4, seed=0), rng, scale=0.8)
    x = rng.standard_normal((3, 4, 3))
    out = model.translate(x, max_length=5)
    assert len(out) == 4 and all(0 not in row for row in out)
    # reversal of 3 tokens from {1, 2, 3} (0 is <eos>)
    ids = rng.integers(1, 4, size=(300, 3))
    x = one_hot(ids - 1, 3)
    y = np.concatenate([ids[:, ::-1], np.zeros((300, 1), dtype=int)], axis=1)
    model = EncoderDecoderRNN(3, 16, 4, seed=0)
    model.fit(x, y, None, None, epochs=40, batch_size=30, learning_rate=0.02, seed=0)
    predicted = model.translate(x[:, :50], max_length=6)
    assert np.mean([p == list(t) for p, t in zip(predicted, ids[:50, ::-1])]) > 0.9
    with pytest.raises(ValueError, match="targets y"):
        model.loss(x, y[:10])
