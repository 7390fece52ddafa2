"""seqlab.charlm: data preparation, loss and gradients, perplexity, training, sampling names."""
from __future__ import annotations

import numpy as np
import pytest

from seqlab import charlm
from seqlab.data.names import load_names, name_vocabulary
from seqlab.numpy import gradient_check, init_rnn_parameters

C2I, I2C = name_vocabulary()
V = len(C2I)


def _params(n_a=6, seed=0, dtype=np.float64):
    return init_rnn_parameters(V, n_a, V, seed=seed, dtype=dtype)


def test_split_names_is_a_seeded_partition():
    names = [f"n{'a' * (i % 7)}{chr(97 + i % 26)}" for i in range(103)]
    train, val, test = charlm.split_names(names, seed=1)
    assert (len(train), len(val), len(test)) == (82, 11, 10)  # cuts at round(0.8 m), round(0.9 m)
    assert sorted(train + val + test) == sorted(names)
    assert charlm.split_names(names, seed=1) == (train, val, test)
    assert charlm.split_names(names, seed=2) != (train, val, test)
    assert [len(p) for p in charlm.split_names(names, (0.5, 0.5), seed=0)] == [52, 51]
    for bad in [(0.5, 0.6), (1.0, 0.0), ()]:
        with pytest.raises(ValueError, match="fractions"):
            charlm.split_names(names, bad)
    with pytest.raises(ValueError):
        charlm.split_names([])
    with pytest.raises(TypeError):
        charlm.split_names(names, seed="x")


def test_encode_names_shifts_targets_and_pads():
    inputs, targets, mask = charlm.encode_names(["ann", "jo"], C2I)
    a, n, j, o = C2I["a"], C2I["n"], C2I["j"], C2I["o"]
    eos = C2I[charlm.EOS]
    assert inputs.tolist() == [[-1, a, n, n], [-1, j, o, -1]]
    assert targets.tolist() == [[a, n, n, eos], [j, o, eos, eos]]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]


@pytest.mark.parametrize("names, match", [(["an n"], "' '"), (["ann", ""], "non-empty"), (["a\nb"], "'\\\\n'"),
                                          ([3], "non-empty")])
def test_encode_names_rejects(names, match):
    with pytest.raises(ValueError, match=match):
        charlm.encode_names(names, C2I)


def test_encode_names_needs_a_list_and_eos():
    with pytest.raises(TypeError):
        charlm.encode_names("ann", C2I)
    with pytest.raises(ValueError, match="end-of-name"):
        charlm.encode_names(["ann"], {"a": 0, "n": 1})
    with pytest.raises(ValueError, match="at least one"):
        charlm.encode_names([], C2I)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_hot_inputs(dtype):
    x = charlm.one_hot_inputs(np.array([[-1, 2, 0]]), 4, dtype)
    assert x.shape == (4, 1, 3) and x.dtype == dtype
    assert x[:, 0, 0].tolist() == [0, 0, 0, 0]
    assert x[:, 0, 1].tolist() == [0, 0, 1, 0] and x[:, 0, 2].tolist() == [1, 0, 0, 0]
    with pytest.raises(ValueError, match="ids"):
        charlm.one_hot_inputs(np.array([[4]]), 4)
    with pytest.raises(ValueError, match="ids"):
        charlm.one_hot_inputs(np.array([[-2]]), 4)
    with pytest.raises(TypeError):
        charlm.one_hot_inputs(np.array([[0.5]]), 4)
    with pytest.raises(TypeError):
        charlm.one_hot_inputs(np.array([[1]]), 4, np.int32)
    with pytest.raises(ValueError):
        charlm.one_hot_inputs(np.array([[1]]), 0)


def test_make_batch():
    batch = charlm.make_batch(["bob", "al"], C2I, np.float32)
    assert batch.x.shape == (V, 2, 4) and batch.x.dtype == np.float32
    assert batch.n_tokens == 7
    assert batch.x[:, :, 0].sum() == 0 and batch.x[C2I["b"], 0, 1] == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_is_the_negative_log_probability_of_the_names(dtype):
    params = _params(dtype=dtype)
    names = ["ann", "bo"]
    batch = charlm.make_batch(names, C2I, dtype)
    loss, n_tokens, grads = charlm.lm_loss_and_gradients(params, batch)
    assert n_tokens == 7 and set(grads) == {"dWax", "dWaa", "dba", "dWya", "dby"}
    assert all(grads["d" + k].dtype == dtype and grads["d" + k].shape == params[k].shape for k in params)
    # the probability of each name, one character at a time
    log_p = 0.0
    for name in names:
        for t, ch in enumerate(name + charlm.EOS):
            p = charlm.next_char_distribution(params, name[:t], C2I)
            log_p += np.log(p[C2I[ch]])
    assert loss == pytest.approx(-log_p, rel=1e-5 if dtype == np.float32 else 1e-10)


def test_gradients_match_central_differences():
    params = _params(n_a=4, seed=3)
    batch = charlm.make_batch(["eve", "bo", "annabel"], C2I)
    _, _, grads = charlm.lm_loss_and_gradients(params, batch)
    errors = gradient_check(lambda: charlm.lm_loss_and_gradients(params, batch)[0], params,
                            {k: grads["d" + k] for k in params})
    assert max(errors.values()) < 1e-7, errors


def test_padding_does_not_change_the_loss():
    params = _params()
    alone = charlm.lm_loss_and_gradients(params, charlm.make_batch(["al"], C2I))[0]
    both = charlm.lm_loss_and_gradients(params, charlm.make_batch(["al", "christopher"], C2I))[0]
    long = charlm.lm_loss_and_gradients(params, charlm.make_batch(["christopher"], C2I))[0]
    assert both == pytest.approx(alone + long, rel=1e-12)


def test_loss_checks_its_arguments():
    params = _params()
    with pytest.raises(TypeError, match="NameBatch"):
        charlm.lm_loss_and_gradients(params, np.zeros((V, 1, 2)))
    with pytest.raises(ValueError, match="Wya"):
        charlm.lm_loss_and_gradients({k: params[k] for k in ("Wax", "Waa", "ba")}, charlm.make_batch(["a"], C2I))
    wrong = init_rnn_parameters(V, 4, 5, seed=0)
    with pytest.raises(ValueError, match="n_x = n_y"):
        charlm.lm_loss_and_gradients(wrong, charlm.make_batch(["a"], C2I))


def test_mean_loss_and_perplexity():
    params = _params()
    names = ["ann", "bob", "christopher", "al"]
    batch = charlm.make_batch(names, C2I)
    loss, n_tokens, _ = charlm.lm_loss_and_gradients(params, batch)
    # batches of 3 then 1 give the same mean as one batch
    assert charlm.mean_loss(params, names, C2I, batch_size=3) == pytest.approx(loss / n_tokens, rel=1e-12)
    assert charlm.model_perplexity(params, names, C2I) == pytest.approx(np.exp(loss / n_tokens))
    with pytest.raises(ValueError):
        charlm.mean_loss(params, [], C2I)
    with pytest.raises(ValueError):
        charlm.mean_loss(params, names, C2I, batch_size=0)


def test_a_uniform_model_has_perplexity_V():
    params = _params()
    for key in params:
        params[key][:] = 0.0
    assert charlm.model_perplexity(params, ["ann", "bo"], C2I) == pytest.approx(V)


def test_unigram_baseline():
    p = charlm.unigram_distribution(["ab", "a"], C2I, smoothing=0.0)
    assert p[C2I["a"]] == pytest.approx(2 / 5) and p[C2I["b"]] == pytest.approx(1 / 5)
    assert p[C2I[charlm.EOS]] == pytest.approx(2 / 5) and p.sum() == pytest.approx(1.0)
    smoothed = charlm.unigram_distribution(["ab", "a"], C2I)
    assert (smoothed > 0).all() and smoothed[C2I["z"]] == pytest.approx(1 / (5 + V))
    pp = charlm.unigram_perplexity(p, ["ab", "a"], C2I)
    assert pp == pytest.approx(np.exp(-(4 * np.log(0.4) + np.log(0.2)) / 5))
    assert charlm.unigram_perplexity(np.full(V, 1 / V), ["xyz"], C2I) == pytest.approx(V)
    with pytest.raises(ValueError, match="probability"):
        charlm.unigram_perplexity(np.ones(V), ["a"], C2I)
    with pytest.raises(ValueError, match="Inf"):  # 'z' was never seen and smoothing is 0
        charlm.unigram_perplexity(p, ["z"], C2I)
    with pytest.raises(ValueError, match="smoothing"):
        charlm.unigram_distribution(["a"], C2I, smoothing=-1)
    with pytest.raises(ValueError):
        charlm.unigram_perplexity(np.full(V, 1 / V), [], C2I)


def test_training_lowers_the_validation_loss_and_is_reproducible():
    names = load_names()[:400]
    train, val = names[:300], names[300:]
    params, history = charlm.train_char_lm(train, C2I, n_a=16, steps=60, batch_size=16, learning_rate=0.02,
                                           val_names=val, eval_every=20, seed=0)
    assert history.step == [20, 40, 60] and len(history.grad_norm) == 60
    assert history.val_loss[-1] < np.log(V) - 0.5
    assert history.train_loss[-1] < history.train_loss[0]
    again, history2 = charlm.train_char_lm(train, C2I, n_a=16, steps=60, batch_size=16, learning_rate=0.02,
                                           val_names=val, eval_every=20, seed=0)
    assert history2.val_loss == history.val_loss and all(np.array_equal(params[k], again[k]) for k in params)
    # continuing from given parameters, without clipping, in float32
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    p32, h32 = charlm.train_char_lm(train, C2I, steps=5, max_norm=None, eval_every=5, parameters=p32, seed=1)
    assert all(v.dtype == np.float32 for v in p32.values()) and h32.val_loss == [] and len(h32.train_loss) == 1


def test_clipping_caps_the_update():
    names = load_names()[:50]
    start = init_rnn_parameters(V, 8, V, seed=0)
    _, history = charlm.train_char_lm(names, C2I, steps=3, max_norm=1e-3, eval_every=1,
                                      parameters={k: v.copy() for k, v in start.items()}, seed=0)
    assert min(history.grad_norm) > 1e-3  # the recorded norm is the one before clipping


@pytest.mark.parametrize("kwargs, error", [
    ({"steps": 0}, ValueError), ({"batch_size": -1}, ValueError), ({"learning_rate": 0.0}, ValueError),
    ({"max_norm": -1.0}, ValueError), ({"eval_every": 0}, ValueError), ({"n_a": 0}, ValueError),
    ({"seed": 1.5}, TypeError), ({"val_names": ["a b"]}, ValueError),
    ({"parameters": init_rnn_parameters(5, 4, 5, seed=0)}, ValueError),
])
def test_train_rejects(kwargs, error):
    with pytest.raises(error):
        charlm.train_char_lm(["ann", "bob"], C2I, **kwargs)
    with pytest.raises(ValueError):
        charlm.train_char_lm([], C2I)


def test_sampling_names():
    params = _params(n_a=8)
    names = charlm.sample_names(params, I2C, 5, temperature=1.0, seed=3)
    assert names == charlm.sample_names(params, I2C, 5, temperature=1.0, seed=3)
    assert all(isinstance(n, str) and "\n" not in n and len(n) <= 20 for n in names)
    greedy = {charlm.sample_name(params, I2C, temperature=0, seed=s, max_length=6) for s in range(4)}
    assert len(greedy) == 1
    primed = charlm.sample_name(params, I2C, prefix="jo", seed=0)
    assert primed.startswith("jo")
    with pytest.raises(ValueError):
        charlm.sample_name(params, I2C, prefix="j o")
    with pytest.raises(ValueError, match="ix_to_char"):
        charlm.sample_name(params, {0: "\n"})
    with pytest.raises(ValueError, match="end-of-name"):
        charlm.sample_name(params, {i: chr(65 + i) for i in range(V)})
    with pytest.raises(ValueError):
        charlm.sample_names(params, I2C, 0)


def test_a_model_that_always_says_x_then_stops():
    params = _params(n_a=3)
    for key in params:
        params[key][:] = 0.0
    # logits: 'x' first (state 0), end-of-name after an 'x' has been read
    params["Wax"][0, C2I["x"]] = 5.0
    params["Wya"][C2I[charlm.EOS], 0] = 20.0
    params["by"][C2I["x"]] = 10.0
    assert charlm.sample_name(params, I2C, temperature=0) == "x"
    p = charlm.next_char_distribution(params, "", C2I)
    assert p.shape == (V,) and p.argmax() == C2I["x"] and p.sum() == pytest.approx(1.0)
    assert charlm.next_char_distribution(params, "x", C2I).argmax() == C2I[charlm.EOS]
