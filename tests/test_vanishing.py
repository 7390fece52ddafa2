"""seqlab.vanishing: gradient norm against distance, the cat/cats agreement task and its training loop."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab import vanishing as van
from seqlab.numpy import init_dense_parameters, init_rnn_parameters, rnn_backward, rnn_forward
from seqlab.numpy.gradcheck import gradient_check

NX = len(van.AGREEMENT_VOCAB)


@pytest.mark.parametrize("recurrent", ["orthogonal", "gaussian"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rnn_with_spectral_radius(recurrent, dtype):
    p = van.rnn_with_spectral_radius(3, 12, 1.3, seed=0, recurrent=recurrent, dtype=dtype)
    assert p["Wax"].shape == (12, 3) and p["Waa"].shape == (12, 12) and not p["ba"].any()
    assert all(v.dtype == dtype for v in p.values())
    assert van.spectral_radius(p["Waa"]) == pytest.approx(1.3, rel=1e-5)
    if recurrent == "orthogonal":  # every singular value is rho
        assert np.allclose(np.linalg.svd(p["Waa"].astype(np.float64), compute_uv=False), 1.3, rtol=1e-5)
    with pytest.raises(ValueError, match="recurrent"):
        van.rnn_with_spectral_radius(3, 12, 1.0, recurrent="identity")
    with pytest.raises(ValueError, match="rho"):
        van.rnn_with_spectral_radius(3, 12, -1.0)
    with pytest.raises(ValueError, match="n_a"):
        van.rnn_with_spectral_radius(3, 0, 1.0)


def test_norms_agree_with_rnn_backward_at_every_distance():
    rng = np.random.default_rng(0)
    p = van.rnn_with_spectral_radius(3, 5, 0.9, seed=1)
    x = rng.standard_normal((3, 4, 7))
    up = rng.standard_normal((5, 4))
    norms = van.gradient_norms_by_distance(p, x, upstream=up)
    assert norms.shape == (8,) and norms[0] == pytest.approx(np.linalg.norm(up, axis=0).mean())
    # dL/da^<T_x - k> is da0 of rnn_backward over the first T_x - k steps, with the same upstream
    # gradient put on the state that ends them ... checked here for k = T_x (a^<0>) directly
    a, _, caches = rnn_forward(x, np.zeros((5, 4)), p)
    da = np.zeros_like(a)
    da[:, :, -1] = up
    assert norms[-1] == pytest.approx(np.linalg.norm(rnn_backward(da, caches)["da0"], axis=0).mean(), rel=1e-12)
    # and for every k by finite differences of L = sum(up * a^<T_x>) with respect to a^<T_x - k>
    for k in (1, 3, 6):
        start = 7 - k
        a_k = a[:, :, start - 1].copy()
        loss = lambda: float(np.sum(up * rnn_forward(x[:, :, start:], a_k, p)[0][:, :, -1]))
        fd = gradient_check(loss, {"a": a_k}, {"a": _grad_at(p, x, up, k)})
        assert fd["a"] < 1e-7
        assert norms[k] == pytest.approx(np.linalg.norm(_grad_at(p, x, up, k), axis=0).mean(), rel=1e-12)


def _grad_at(p, x, up, k):
    """dL/da^<T_x - k> by rnn_backward over the last k steps (their a^<0> is a^<T_x - k>)."""
    a, _, _ = rnn_forward(x, np.zeros((5, x.shape[1])), p)
    a_k = a[:, :, x.shape[2] - k - 1]
    tail, _, caches = rnn_forward(x[:, :, x.shape[2] - k:], a_k, p)
    da = np.zeros_like(tail)
    da[:, :, -1] = up
    return rnn_backward(da, caches)["da0"]


def test_norms_vanish_below_and_explode_above_spectral_radius_one():
    x, _ = van.agreement_data(8, 38, seed=0)
    small = van.gradient_norms_by_distance(van.rnn_with_spectral_radius(NX, 16, 0.5, seed=0), x)
    large = van.gradient_norms_by_distance(van.rnn_with_spectral_radius(NX, 16, 3.0, seed=0), x)
    assert small[0] == pytest.approx(1.0)  # the default upstream gradient is a unit vector
    assert small[30] < 1e-8 and np.all(np.diff(small) < 0)
    assert large[30] > 100 and large[30] > large[10] > large[1]
    # orthogonal W_aa times rho and |tanh'| <= 1: the norm is at most rho^k
    k = np.arange(len(small))
    assert np.all(small <= 0.5 ** k * (1 + 1e-9))


def test_relu_identity_keeps_the_gradient():
    x, _ = van.agreement_data(4, 10, seed=1)
    p = init_rnn_parameters(NX, 8, seed=0, recurrent_init="identity")
    p["ba"][:] = 1.0  # every unit active: the Jacobian is the identity
    norms = van.gradient_norms_by_distance(p, x, activation="relu")
    assert np.allclose(norms, 1.0)


def test_gradient_norms_checks():
    p = van.rnn_with_spectral_radius(3, 5, 0.9)
    x = np.zeros((3, 2, 4))
    with pytest.raises(ValueError, match="activation"):
        van.gradient_norms_by_distance(p, x, activation="sigmoid")
    with pytest.raises(ValueError, match="x"):
        van.gradient_norms_by_distance(p, np.zeros((2, 2, 4)))
    with pytest.raises(ValueError, match="a\\^<0>"):
        van.gradient_norms_by_distance(p, x, a0=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="dL/da"):
        van.gradient_norms_by_distance(p, x, upstream=np.zeros((5, 3)))
    with pytest.raises(TypeError):
        van.gradient_norms_by_distance(p, x.astype(np.float32))
    with pytest.raises(TypeError):
        van.gradient_norms_by_distance([p], x)
    f32 = {k: v.astype(np.float32) for k, v in p.items()}
    assert van.gradient_norms_by_distance(f32, x.astype(np.float32)).dtype == np.float64


def test_agreement_data():
    x, labels = van.agreement_data(50, 6, seed=0)
    assert x.shape == (NX, 50, 8) and labels.shape == (50,)
    assert np.all(x.sum(axis=0) == 1)
    ids = x.argmax(axis=0)
    assert np.all(ids[:, 0] == van.AGREEMENT_VOCAB.index("the"))
    assert np.array_equal(ids[:, 1], labels)  # "cat" is id 0 (was), "cats" id 1 (were)
    assert np.all(ids[:, 2:] >= 2)  # fillers are never nouns
    assert 10 < labels.sum() < 40
    x2, labels2 = van.agreement_data(50, 6, seed=0)
    assert np.array_equal(x, x2) and np.array_equal(labels, labels2)
    sentence = van.agreement_sentence(x, 0, int(labels[0]))
    words = sentence.split()
    assert words[0] == "the" and words[1] in ("cat", "cats") and len(words) == 9
    assert words[-1] == ("[was]" if words[1] == "cat" else "[were]")
    assert len(van.agreement_sentence(x, 1).split()) == 8
    assert van.agreement_data(3, 0, seed=0)[0].shape == (NX, 3, 2)
    with pytest.raises(ValueError):
        van.agreement_data(0, 3)
    with pytest.raises(ValueError):
        van.agreement_data(3, -1)


def _classifier(seed=0, n_a=6, dtype=np.float64):
    p = init_rnn_parameters(NX, n_a, seed=seed, dtype=dtype)
    p.update(init_dense_parameters(n_a, 2, seed=seed + 1, dtype=dtype))
    return p


@pytest.mark.parametrize("truncation", [None, 2])
def test_agreement_gradients_match_central_differences(truncation):
    p = _classifier()
    x, labels = van.agreement_data(5, 4, seed=2)
    loss, grads = van.agreement_loss_and_gradients(p, x, labels)
    assert set(grads) == {"dWax", "dWaa", "dba", "dWya", "dby"}
    errors = gradient_check(lambda: van.agreement_loss_and_gradients(p, x, labels)[0], p,
                            {k: grads["d" + k] for k in p})
    assert max(errors.values()) < 1e-7, errors
    if truncation:
        _, cut = van.agreement_loss_and_gradients(p, x, labels, truncation=truncation)
        # the output layer is not truncated, the recurrent gradients are
        assert np.allclose(cut["dWya"], grads["dWya"]) and not np.allclose(cut["dWaa"], grads["dWaa"])
        _, whole = van.agreement_loss_and_gradients(p, x, labels, truncation=6)  # k >= T_x: full BPTT
        assert all(np.allclose(whole[k], grads[k], rtol=0, atol=1e-15) for k in grads)


def test_truncation_stops_the_gradient_before_the_noun():
    p = _classifier(n_a=8)
    x, labels = van.agreement_data(16, 8, seed=3)  # T_x = 10: segments [0, 5) and [5, 10)
    _, full = van.agreement_loss_and_gradients(p, x, labels)
    _, cut = van.agreement_loss_and_gradients(p, x, labels, truncation=5)
    # with truncation only steps 6..10 contribute to dW_ax, and the noun (step 2) is not among them
    noun_rows = [0, 1]
    assert np.abs(full["dWax"][:, noun_rows]).max() > 1e-6
    assert np.all(cut["dWax"][:, noun_rows] == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_and_accuracy_values(dtype):
    p = _classifier(dtype=dtype)
    for k in p:
        p[k][:] = 0
    x, labels = van.agreement_data(10, 3, seed=0)
    x = x.astype(dtype)
    loss, grads = van.agreement_loss_and_gradients(p, x, labels)
    assert loss == pytest.approx(np.log(2), rel=1e-6)  # both verbs equally likely
    assert all(g.dtype == dtype for g in grads.values())
    p["by"][:, 0] = [1.0, 0.0]  # always "was"
    assert van.agreement_accuracy(p, x, labels) == pytest.approx(np.mean(labels == 0))


def test_training_learns_a_short_dependency_and_is_reproducible():
    p = _classifier(n_a=16)
    h = van.train_agreement(p, 3, steps=120, learning_rate=0.02, optimizer="adam", clip_norm=1.0, seed=0)
    assert len(h.loss) == 120 == len(h.grad_norm) and not h.diverged
    assert h.accuracy == 1.0 and np.mean(h.loss[-10:]) < 0.1
    p2 = _classifier(n_a=16)
    h2 = van.train_agreement(p2, 3, steps=120, learning_rate=0.02, optimizer="adam", clip_norm=1.0, seed=0)
    assert h2.loss == h.loss and all(np.array_equal(p[k], p2[k]) for k in p)


def test_clipping_bounds_the_sgd_step():
    for kwargs, bound in (({"clip_norm": 0.01}, 0.01), ({"clip_value": 0.001}, 0.001)):
        p = _classifier()
        before = {k: v.copy() for k, v in p.items()}
        h = van.train_agreement(p, 2, steps=1, learning_rate=1.0, seed=0, **kwargs)
        step = {k: p[k] - before[k] for k in p}
        assert h.grad_norm[0] > bound
        if "clip_norm" in kwargs:
            assert np.sqrt(sum(np.sum(s ** 2) for s in step.values())) == pytest.approx(bound)
        else:
            assert max(np.abs(s).max() for s in step.values()) == pytest.approx(bound)


def test_divergence_is_reported():
    p = _classifier(n_a=8)
    p["Wya"] *= 1e308  # the logits overflow
    h = van.train_agreement(p, 5, steps=50, seed=0)
    assert h.diverged and h.loss == [] and np.isnan(h.accuracy)
    p = _classifier(n_a=8)
    p["Wya"] *= 1e150  # the first SGD step overflows the parameters
    h = van.train_agreement(p, 5, steps=50, learning_rate=1e308, seed=0)
    assert h.diverged and len(h.loss) == 1


@pytest.mark.parametrize("kwargs, error", [
    ({"steps": 0}, ValueError), ({"learning_rate": -1.0}, ValueError), ({"optimizer": "rmsprop"}, ValueError),
    ({"clip_norm": 1.0, "clip_value": 1.0}, ValueError), ({"seed": "s"}, TypeError), ({"eval_size": 0}, ValueError),
])
def test_train_agreement_rejects(kwargs, error):
    with pytest.raises(error):
        van.train_agreement(_classifier(), 2, **kwargs)


def test_classifier_parameters_are_checked():
    p = _classifier()
    del p["Wya"]
    x, labels = van.agreement_data(2, 2)
    with pytest.raises(ValueError, match="Wya"):
        van.agreement_loss_and_gradients(p, x, labels)
    with pytest.raises(ValueError, match="Wya"):
        van.agreement_accuracy(p, x, labels)
