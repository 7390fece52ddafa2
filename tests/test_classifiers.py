"""seqlab.classifiers: seeded models, NumPy round trip, masked loss, training that learns."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from seqlab.classifiers import (RecurrentClassifier, accuracy, build_classifier, fit, numpy_parameters, predict,
                                tagging_scores)
from seqlab.data.memory import marked_recall, window_parity
from seqlab.numpy import dense_forward, deep_forward, gru_forward
from seqlab.numpy.bidirectional import bidirectional_forward


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def test_same_seed_same_model_other_seed_other_model():
    a, b = build_classifier("lstm", 3, 4, 2, seed=5), build_classifier("lstm", 3, 4, 2, seed=5)
    c = build_classifier("lstm", 3, 4, 2, seed=6)
    for (name, pa), pb, pc in zip(a.named_parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb), name
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))
    assert a.readout.weight.dtype == torch.float64


def test_many_to_one_gru_equals_numpy():
    model = build_classifier("gru", 6, 5, 4, seed=1, many_to_one=True)
    task = marked_recall(7, 9, seed=0)
    recurrent, readout = numpy_parameters(model)
    assert set(recurrent) == {"Wc", "bc", "Wu", "bu", "Wr", "br"}          # the full GRU by default
    c, _, _ = gru_forward(task.x, np.zeros((5, 7)), recurrent, variant="full")
    z = readout["Wy"] @ c[:, :, -1] + readout["by"]
    with torch.no_grad():
        logits = model(task.x)
    assert logits.shape == (7, 4)
    np.testing.assert_allclose(logits.numpy().T, z, atol=1e-12)
    np.testing.assert_array_equal(predict(model, task.x), z.argmax(axis=0))
    # a torch tensor (T_x, m, n_x) is accepted as well
    with torch.no_grad():
        assert torch.equal(model(torch.from_numpy(task.x.transpose(2, 1, 0).copy())), logits)


def test_bidirectional_many_to_many_lstm_equals_numpy(rng=np.random.default_rng(0)):
    model = build_classifier("lstm", 3, 4, 2, seed=2, bidirectional=True, forget_bias=1.0)
    (fwd, bwd), readout = numpy_parameters(model)[0][0], numpy_parameters(model)[1]
    np.testing.assert_allclose(fwd["bf"], 1.0)
    x = rng.standard_normal((3, 5, 6))
    zeros = (np.zeros((4, 5)), np.zeros((4, 5)))
    a, _, _ = bidirectional_forward(x, zeros, zeros, fwd, bwd, kind="lstm")
    z, _ = dense_forward(a, readout)
    with torch.no_grad():
        logits = model(x)
    assert logits.shape == (5, 2, 6)                                      # (m, n_y, T_x)
    np.testing.assert_allclose(logits.numpy().transpose(1, 0, 2), z, atol=1e-12)


def test_deep_model_equals_numpy_deep_forward(rng=np.random.default_rng(1)):
    model = build_classifier("rnn", 2, 3, 2, seed=3, num_layers=3)
    layers, readout = numpy_parameters(model)
    assert len(layers) == 3 and layers[1]["Wax"].shape == (3, 3)
    x = rng.standard_normal((2, 4, 5))
    a, _, _ = deep_forward(x, [np.zeros((3, 4))] * 3, layers, kind="rnn")
    z, _ = dense_forward(a, readout)
    with torch.no_grad():
        np.testing.assert_allclose(model(x).numpy().transpose(1, 0, 2), z, atol=1e-12)


def test_float32_models():
    model = build_classifier("gru", 2, 3, 2, seed=0, dtype=np.float32, variant="reset_after")
    assert model.readout.weight.dtype == torch.float32
    assert "bca" in numpy_parameters(model)[0]
    x = np.zeros((2, 1, 3), dtype=np.float32)
    assert model(x).dtype == torch.float32


def test_fit_learns_a_short_memory_task():
    def batches(k):
        task = marked_recall(32, 5, n_symbols=2, seed=k)
        return task.x, task.y

    model = build_classifier("gru", 4, 8, 2, seed=0, many_to_one=True)
    test = marked_recall(200, 5, n_symbols=2, seed=999)
    before = accuracy(model, test.x, test.y)
    losses = fit(model, batches, steps=150, lr=0.03)
    assert losses.shape == (150,) and np.all(np.isfinite(losses))
    assert losses[-20:].mean() < 0.5 * losses[:20].mean()
    assert accuracy(model, test.x, test.y) > max(before, 0.9)


def test_fit_is_reproducible_and_uses_the_mask():
    def batches(k):
        x, y = window_parity(8, 6, window=2, seed=k)
        mask = np.ones_like(y)
        mask[:, 4:] = 0
        return x, y, mask

    runs = []
    for _ in range(2):
        model = build_classifier("lstm", 1, 4, 2, seed=4)
        runs.append(fit(model, batches, steps=5))
    np.testing.assert_array_equal(runs[0], runs[1])

    # the masked loss ignores the labels of masked steps
    model = build_classifier("lstm", 1, 4, 2, seed=4)
    x, y, mask = batches(0)
    y_other = y.copy()
    y_other[:, 4:] = 1 - y_other[:, 4:]
    l1 = fit(build_classifier("lstm", 1, 4, 2, seed=4), lambda k: (x, y, mask), steps=1)
    l2 = fit(build_classifier("lstm", 1, 4, 2, seed=4), lambda k: (x, y_other, mask), steps=1)
    assert l1[0] == l2[0]
    l3 = fit(model, lambda k: (x, y_other), steps=1)                     # no mask: every step counts
    assert l3[0] != l1[0]


def test_accuracy_with_mask():
    model = build_classifier("rnn", 1, 2, 2, seed=0)
    x, y = window_parity(6, 4, seed=0)
    pred = predict(model, x)
    mask = np.zeros_like(y)
    mask[:, 0] = 1
    assert accuracy(model, x, y, mask) == (pred[:, 0] == y[:, 0]).mean()
    assert accuracy(model, x, y) == (pred == y).mean()


@pytest.mark.parametrize("kwargs, error", [
    ({"kind": "cnn"}, ValueError),
    ({"kind": "rnn", "variant": "full"}, ValueError),
    ({"kind": "gru", "forget_bias": 1.0}, ValueError),
    ({"kind": "rnn", "num_layers": 0}, ValueError),
])
def test_build_rejects_bad_arguments(kwargs, error):
    kind = kwargs.pop("kind")
    with pytest.raises(error):
        build_classifier(kind, 2, 3, 2, **kwargs)


def test_bad_inputs():
    model = build_classifier("rnn", 2, 3, 2, seed=0)
    assert isinstance(model, RecurrentClassifier)
    with pytest.raises(TypeError):
        model([[1.0]])
    with pytest.raises(ValueError):
        fit(model, lambda k: None, steps=0)


def test_tagging_scores_by_hand():
    y = np.array([[1, 1, 0, 0], [0, 1, 0, 1]])
    p = np.array([[1, 0, 0, 1], [0, 1, 1, 1]])
    s = tagging_scores(p, y)                                  # TP 3, FP 2, FN 1, 8 steps, 5 right
    assert s == {"accuracy": 5 / 8, "precision": 3 / 5, "recall": 3 / 4, "f1": 6 / 9}
    mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]])
    s = tagging_scores(p, y, mask)                            # TP 2, FP 0, FN 1, 5 steps, 4 right
    assert s == {"accuracy": 4 / 5, "precision": 1.0, "recall": 2 / 3, "f1": 4 / 5}
    s = tagging_scores(np.zeros(3, int), np.zeros(3, int))
    assert s["accuracy"] == 1.0 and np.isnan(s["precision"]) and np.isnan(s["recall"]) and np.isnan(s["f1"])
    assert tagging_scores(p, y, positive=0)["recall"] == 2 / 4
    with pytest.raises(ValueError):
        tagging_scores(p, y[:, :2])
    with pytest.raises(ValueError):
        tagging_scores(p, y, mask[:, :2])
