"""The notebook checks: the solutions pass, and a catalogue of typical mistakes -- each a
real edit of the solution code -- gets a message that names where the mistake is."""
from __future__ import annotations

import importlib
import re

import numpy as np
import pytest

from grading_helpers import answer_cell, mutate
from seqlab.assignments._core import CheckFailed, close
from seqlab.grading.spec import ASSIGNMENTS


def namespace(assignment: str, override: dict[str, str] | None = None) -> dict:
    """Setup code + every answer cell of the source (with ``override`` replacing some)."""
    spec = ASSIGNMENTS[assignment]
    ns: dict = {}
    exec(spec.setup_code, ns)
    for gid in spec.solution_cells:
        code = (override or {}).get(gid) or answer_cell(assignment, gid)
        exec(compile(code, f"<{gid}>", "exec"), ns)
    return ns


def run_check(assignment: str, question: str, ns: dict) -> None:
    module = importlib.import_module(ASSIGNMENTS[assignment].module)
    getattr(module, f"check_{question}")(ns[question])


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_solutions_pass_every_check(assignment, capsys):
    ns = namespace(assignment)
    for q in ASSIGNMENTS[assignment].questions:
        run_check(assignment, q.id, ns)
    out = capsys.readouterr().out
    assert out.count("All tests passed.") == len(ASSIGNMENTS[assignment].questions)


#: (assignment, answer cell, code in the solution, mistaken code, words the message must contain)
MISTAKES = [
    # A1 -- the RNN
    ("A1", "rnn_cell_forward", "np.tanh(Waa @ a_prev + Wax @ xt + ba)", "sigmoid(Waa @ a_prev + Wax @ xt + ba)",
     ["sigmoid", "tanh"]),
    ("A1", "rnn_cell_forward", "np.tanh(Waa @ a_prev + Wax @ xt + ba)", "np.tanh(Waa @ a_prev + Wax @ xt)",
     ["bias b_a is missing"]),
    ("A1", "rnn_cell_forward", "Waa @ a_prev", "Waa.T @ a_prev", ["W_aa is used transposed"]),
    ("A1", "rnn_cell_forward", "softmax(Wya @ a_next + by)", "softmax((Wya @ a_next + by).T).T",
     ["batch axis", "n_y classes"]),
    ("A1", "rnn_cell_forward", "softmax(Wya @ a_next + by)", "softmax(Wya @ a_prev + by)",
     ["ŷ^<t> is computed from a^<t-1>"]),
    ("A1", "rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
     "rnn_cell_forward(x[:, :, t], a[:, :, t], parameters)", ["a^<t> (a[:, :, t], still zeros) instead of a^<t-1>"]),
    ("A1", "rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
     "rnn_cell_forward(x[:, :, t], a0, parameters)", ["a^<t-1> is never updated"]),
    ("A1", "rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
     "rnn_cell_forward(x[:, :, 0], a_next, parameters)", ["Every step reads x^<1>"]),
    ("A1", "rnn_cell_backward", "da_next * (1 - a_next ** 2)", "da_next * (1 - np.tanh(a_next) ** 2)",
     ["tanh to a^<t> again"]),
    ("A1", "rnn_cell_backward", "da_next * (1 - a_next ** 2)", "da_next * (1 - a_prev ** 2)",
     ["must use a^<t> (a_next), not a^<t-1>"]),
    ("A1", "rnn_cell_backward", "np.sum(dz, axis=1, keepdims=True)", "np.sum(dz, axis=1)",
     ["column shape (n_a, 1)"]),
    ("A1", "rnn_cell_backward", "dz @ a_prev.T", "dz @ a_next.T", ["dW_aa", "you used a^<t>"]),
    ("A1", "rnn_backward", "        dWax += gradients[\"dWax\"]\n        dWaa += gradients[\"dWaa\"]\n"
     "        dba += gradients[\"dba\"]", "        dWax = gradients[\"dWax\"]\n        dWaa = gradients[\"dWaa\"]\n"
     "        dba = gradients[\"dba\"]", ["only the gradient of one time step", "add up (+=)"]),
    ("A1", "rnn_backward", "reversed(range(T_x))", "reversed(range(T_x - 1))",
     ["skips the last step t = T_x", "off by one"]),
    ("A1", "rnn_backward", "reversed(range(T_x))", "range(T_x)", ["runs forward in time"]),
    ("A1", "rnn_backward", "rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
     "rnn_cell_backward(da_prevt, caches[t])", ["da[:, :, t], is not added"]),
    ("A1", "rnn_backward", "rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
     "rnn_cell_backward(da[:, :, t], caches[t])", ["da_prevt, the gradient flowing back from step t+1"]),
    # A2 -- GRU and LSTM
    ("A2", "gru_cell_forward", "np.tanh(Wc @ np.concatenate([gamma_r * c_prev, xt], axis=0) + bc)",
     "np.tanh(Wc[:, c_prev.shape[0]:] @ xt + bc + gamma_r * (Wc[:, :c_prev.shape[0]] @ c_prev))",
     ["Γ_r is applied after the product with W_c"]),
    ("A2", "gru_cell_forward", "gamma_u * c_tilde + (1 - gamma_u) * c_prev", "gamma_u * c_prev + (1 - gamma_u) * c_tilde",
     ["Γ_u and 1 − Γ_u are swapped"]),
    ("A2", "gru_cell_forward", "np.tanh(Wc @ np.concatenate([gamma_r * c_prev, xt], axis=0) + bc)",
     "np.tanh(Wc @ concat + bc)", ["relevance gate Γ_r is not used"]),
    ("A2", "lstm_cell_forward", "gamma_f * c_prev + gamma_u * c_tilde", "c_prev + gamma_u * c_tilde",
     ["forget gate Γ_f is missing"]),
    ("A2", "lstm_cell_forward", "gamma_f * c_prev + gamma_u * c_tilde", "gamma_u * c_prev + gamma_f * c_tilde",
     ["Γ_u and Γ_f are swapped"]),
    ("A2", "lstm_cell_forward", "np.concatenate([a_prev, xt], axis=0)", "np.concatenate([xt, a_prev], axis=0)",
     ["wrong order", "[a^<t-1>; x^<t>]"]),
    ("A2", "lstm_cell_forward", "gamma_o * np.tanh(c_next)", "gamma_o * np.tanh(c_prev)", ["a^<t> uses c^<t-1>"]),
    ("A2", "lstm_cell_forward", "gamma_f = sigmoid(Wf @ concat + bf)", "gamma_f = sigmoid(Wf @ concat)",
     ["Γ_f (cache[4])", "right when b_f = 0"]),
    ("A2", "lstm_cell_forward", "gamma_o = sigmoid(Wo @ concat + bo)", "gamma_o = sigmoid(Wo @ concat * 2 + bo)",
     ["only Γ_o is wrong", "Γ_o = σ(W_o [a^<t-1>; x^<t>] + b_o)"]),
    ("A2", "lstm_forward", "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
     "lstm_cell_forward(x[:, :, t], a_next, np.zeros((n_a, m)), parameters)", ["c^<t-1> is not carried"]),
    ("A2", "lstm_cell_backward", "dc = dc_next + da_next * gamma_o * (1 - tanh_c ** 2)",
     "dc = da_next * gamma_o * (1 - tanh_c ** 2)", ["dc_next (the gradient from step t+1 on c^<t>) is not added"]),
    ("A2", "lstm_cell_backward", "dc_prev = dc * gamma_f", "dc_prev = dc", ["Γ_f is missing from dc_prev"]),
    ("A2", "lstm_cell_backward", "dbf = np.sum(dz_f, axis=1, keepdims=True)", "dbf = np.sum(dz_f, axis=1)",
     ["db_f", "has shape (5,)", "(n_a, 1) = (5, 1)"]),
    ("A2", "lstm_backward", "lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])",
     "lstm_cell_backward(da[:, :, t] + da_prevt, np.zeros((n_a, m)), caches[t])",
     ["dc_prevt, the gradient on the memory cell coming back from step t+1"]),
    ("A2", "lstm_backward", "reversed(range(T_x))", "reversed(range(T_x - 1))", ["skips the last step t = T_x"]),
    # A3 -- the name generator
    ("A3", "clip", "(dWax, dWaa, dWya, dba, dby)", "(dWax, dWaa, dWya, dba)", ["db_y (dby) is not clipped"]),
    ("A3", "clip", "np.clip(gradient, -maxValue, maxValue, out=gradient)", "np.clip(gradient, -maxValue, maxValue)",
     ["Nothing is clipped"]),
    ("A3", "sample", "        x[idx] = 1\n", "", ["x is not updated"]),
    ("A3", "sample", "        y = softmax(Wya @ a + by)\n",
     "        y = softmax(Wya @ a + by)\n        rng = np.random.default_rng(seed)\n", ["created again at every step"]),
    ("A3", "optimize", "    gradients = clip(gradients, 5)\n", "", ["not clipped"]),
    ("A3", "model", "loss, gradients, a_prev = optimize(X, Y, a_prev, parameters, learning_rate)",
     "loss, gradients, _ = optimize(X, Y, np.zeros((n_a, 1)), parameters, learning_rate)", ["reset to zeros"]),
    ("A3", "model", "Y = X[1:] + [char_to_ix[\"\\n\"]]", "Y = X[1:]\n        X = X[:-1]", ["does not end with"]),
]


def test_catalogue_is_large_enough():
    assert len(MISTAKES) >= 12
    assert {m[0] for m in MISTAKES} == {"A1", "A2", "A3"}


@pytest.mark.parametrize("assignment, cell, old, new, words", MISTAKES,
                         ids=[f"{m[0]}-{m[1]}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_localized(assignment, cell, old, new, words):
    ns = namespace(assignment, {cell: mutate(assignment, cell, old, new)})
    with pytest.raises(CheckFailed) as exc:
        run_check(assignment, cell, ns)
    message = str(exc.value)
    assert message.startswith(f"{cell}: ")
    for word in words:
        assert word in message, message


def test_probe_names_the_term_when_no_mistake_matches():
    """An unusual mistake (W_ax x^<t> counted twice) is located by switching terms off."""
    ns = namespace("A1", {"rnn_cell_forward": mutate("A1", "rnn_cell_forward", "Wax @ xt", "2 * Wax @ xt")})
    with pytest.raises(CheckFailed, match=r"right when W_ax = 0, so the mistake is in the term W_ax x\^<t>"):
        run_check("A1", "rnn_cell_forward", ns)


def test_first_wrong_time_step_is_named():
    """A mistake that starts at t = 3 is reported at t = 3."""
    old = "a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)"
    new = old + "\n        if t == 2:\n            a_next = a_next * 0.5"
    ns = namespace("A1", {"rnn_forward": mutate("A1", "rnn_forward", old, new)})
    with pytest.raises(CheckFailed, match=r"a\^<1> … a\^<2> are right and a\^<3> is the first wrong step"):
        run_check("A1", "rnn_forward", ns)


def test_not_implemented_and_wrong_types_are_explained():
    from seqlab.assignments import a1

    def not_yet(*args):
        raise NotImplementedError()
    with pytest.raises(CheckFailed, match="not implemented yet"):
        a1.check_rnn_cell_forward(not_yet)
    with pytest.raises(CheckFailed, match=r"yt_pred \(ŷ\^<t>\) is None"):
        a1.check_rnn_cell_forward(lambda xt, a_prev, p: (np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]),
                                                          None, (None, a_prev, xt, p)))
    with pytest.raises(CheckFailed, match="raised KeyError"):
        a1.check_rnn_cell_forward(lambda xt, a_prev, p: p["W_aa"])
    with pytest.raises(CheckFailed, match="needs your function"):
        a1.check_rnn_cell_forward(None)


def test_check_failure_renders_as_the_message_only():
    err = CheckFailed("rnn_forward: a is wrong.")
    assert err._render_traceback_() == ["\x1b[0;31mCheck failed\x1b[0m: rnn_forward: a is wrong."]


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_every_catalogued_mistake_differs_from_the_reference(assignment):
    """A mistake that equals the reference on the check example could never be reported."""
    for q in ASSIGNMENTS[assignment].questions:
        case = q.check_cases()[0]
        expected = q.reference(case)
        for mistake in q.mistakes:
            produced = mistake.outputs(case)
            assert any(np.shape(v) != np.shape(expected[k]) or not close(np.asarray(v, float), expected[k])
                       for k, v in produced.items()), (q.id, mistake.key)


def test_hidden_tests_pass_and_fail():
    from seqlab.assignments import a1
    ns = namespace("A1")
    a1.hidden_tests("rnn_backward", ns["rnn_backward"], seed=7)
    wrong = namespace("A1", {"rnn_backward": mutate("A1", "rnn_backward", "reversed(range(T_x))", "range(T_x)")})
    with pytest.raises(CheckFailed):
        a1.hidden_tests("rnn_backward", wrong["rnn_backward"], seed=7)


def test_exception_messages_do_not_echo_input_values():
    """A function that puts its inputs in an exception message does not get them shown back
    (in the grader, they would be hidden inputs): decimal numbers are blanked, shapes kept."""
    from seqlab.assignments import a1

    def leaky(xt, a_prev, parameters):
        raise ValueError(f"shape {xt.shape} values {xt}")
    with pytest.raises(CheckFailed) as exc:
        a1.check_rnn_cell_forward(leaky)
    message = str(exc.value)
    assert "raised ValueError: shape (3, 10) values" in message
    assert not re.search(r"\d\.\d", message), message
