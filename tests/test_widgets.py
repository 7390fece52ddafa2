"""seqlab.widgets: the explorers compute what seqlab.numpy computes, and respond from saved state alone."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from ipywidgets import embed  # noqa: E402

from seqlab import widgets  # noqa: E402
from seqlab.gates import record_gates  # noqa: E402
from seqlab.numpy import (gru_forward, init_gru_parameters, init_lstm_parameters, init_rnn_parameters,  # noqa: E402
                          lstm_forward, rnn_forward, sample_with_temperature, softmax_with_temperature)
from seqlab.vanishing import gradient_norms_by_distance, rnn_with_spectral_radius  # noqa: E402
from seqlab.widgets import draw  # noqa: E402
from seqlab.widgets.explorer import Control, Explorer, Panel, buttons, slider  # noqa: E402


# --- what a static page does: follow the links of the saved widget state -------------------------

def _model(state: dict, ref: str) -> dict:
    return state[ref.removeprefix("IPY_MODEL_")]["state"]


def static_page_view(explorer: Explorer, **values) -> str:
    """The HTML a page rendered from saved widget state shows after a reader moves the controls.

    Uses only the saved state (no Python callback): sets each control model's ``index``,
    applies every ``LinkModel`` (source ``index`` → target ``selected_index``) as the browser's
    ``jslink`` does, then walks the stacks from the explorer's box down to the shown leaves.
    """
    data = embed.embed_data(views=[explorer], drop_defaults=False)
    state = data["manager_state"]["state"]
    root = state[data["view_specs"][0]["model_id"]]["state"]
    controls = {c.name: w.model_id for c, w in zip(explorer.controls.values(), explorer.control_widgets.values())}
    for name, value in values.items():
        state[controls[name]]["state"]["index"] = explorer.controls[name].index_of(value)
    for model in state.values():
        if model["model_name"] == "LinkModel":
            (source, source_attr), (target, target_attr) = model["state"]["source"], model["state"]["target"]
            _model(state, target)[target_attr] = _model(state, source)[source_attr]
    shown = []
    for ref in root["children"]:
        node = _model(state, ref)
        if node["_model_name"] == "StackModel":
            while node["_model_name"] == "StackModel":
                node = _model(state, node["children"][node["selected_index"]])
            shown.append(node["value"])
    return "\n".join(shown)


def _well_formed(markup: str) -> ET.Element:
    return ET.fromstring(f"<div>{markup}</div>")


# --- draw ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,digits,text", [
    (0, 3, "0"), (0.3333333, 3, "0.333"), (6487.3, 2, "6500"), (9.996, 3, "10.0"), (-0.5, 2, "−0.50"),
    (1.54e-4, 3, "1.54·10⁻⁴"), (99999, 3, "1.00·10⁵"), (-2.5e-7, 2, "−2.5·10⁻⁷"), (0.001, 2, "0.0010"),
    (math.inf, 3, "∞"), (-math.inf, 3, "−∞"), (math.nan, 3, "NaN")])
def test_fmt_rounds_to_significant_digits(value, digits, text):
    assert draw.fmt(value, digits) == text


def test_ticks_are_round_and_cover_the_range():
    ticks = draw._nice_ticks(0.13, 0.97)
    assert ticks[0] >= 0.13 - 1e-12 and ticks[-1] <= 0.97 + 1e-12 and len(ticks) >= 3
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0]) and any(math.isclose(steps[0], s) for s in (0.1, 0.2, 0.5))
    assert draw._nice_ticks(0, 50, 6) == [0, 10, 20, 30, 40, 50]
    assert draw._nice_ticks(2.0, 2.0) == [2.0]
    assert draw._log_ticks(1e-16, 1.0)[-1] == 1.0 and len(draw._log_ticks(1e-16, 1.0)) <= 9
    assert draw._log_ticks(1e-3, 10.0) == [1e-3, 1e-2, 1e-1, 1.0, 10.0]
    assert draw._tick_label(1e-4, True) == "10⁻⁴" and draw._tick_label(0.5, False) == "0.5"


def test_line_chart_draws_every_series_and_clips_them():
    t = np.arange(1, 6)
    svg = draw.line_chart([draw.Series("a", t, t ** 2), draw.Series("b", t, -t, dashed=True, markers=True),
                           draw.Series("", t, t, muted=True)], title="T", x_label="t", y_label="y")
    root = _well_formed(svg)
    lines = root.findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 3 and lines[0].get("stroke") == draw._MUTED  # muted first, behind the others
    clip = root.find(".//{http://www.w3.org/2000/svg}clipPath").get("id")
    assert {line.get("clip-path") for line in lines} == {f"url(#{clip})"}
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle")) == 5
    assert '"' not in svg  # attributes in single quotes: cheap in JSON
    log = draw.line_chart([draw.Series("g", [0, 1, 2], [1.0, 1e-3, 0.0])], log_y=True)
    assert "10⁻³" in log and "NaN" not in log
    with pytest.raises(ValueError, match="at least one series"):
        draw.line_chart([])


def test_bar_chart_scales_bars_and_marks_the_highlight():
    svg = draw.bar_chart(["x", "y"], [0.5, 0.25], reference=[0.4, 0.4], highlight=1, max_value=1.0,
                         reference_label="ref", title="p")
    rects = [r for r in _well_formed(svg).iter("{http://www.w3.org/2000/svg}rect") if r.find(
        "{http://www.w3.org/2000/svg}title") is not None]
    assert [float(r.get("width")) for r in rects][0] == pytest.approx(2 * float(rects[1].get("width")))
    assert rects[1].get("fill") == draw.PALETTE[1] and rects[0].get("fill") == draw.PALETTE[0]
    with pytest.raises(ValueError, match="one value per label"):
        draw.bar_chart(["x"], [0.1, 0.2])
    with pytest.raises(ValueError, match="reference"):
        draw.bar_chart(["x"], [0.1], reference=[0.1, 0.2])


def test_vector_cells_colour_by_sign_and_token_strip_marks_the_step():
    cells = _well_formed(draw.vector_cells([0.9, -0.9, 0.0]))
    fills = [r.get("fill") for r in cells.iter("{http://www.w3.org/2000/svg}rect")]
    assert fills[0].startswith("#ff") and fills[1].endswith("ff") and fills[2] == "#ffffff"
    assert "+0.90" in draw.vector_cells([0.9]) and "text" not in draw.vector_cells([0.9], show_numbers=False)
    strip = draw.token_strip(["a", "b", "c"], 2)
    assert strip.count("#d62728") == 1 and strip.count("opacity:0.45") == 1
    assert draw.sym("a", "T_x") == "a<sup>⟨T<sub>x</sub>⟩</sup>" and draw.sym("Γ", sub="u") == "Γ<sub>u</sub>"
    assert draw.compact("<a title=\"it's\" class=\"c\">") == "<a title=\"it's\" class='c'>"


# --- the explorer machinery ----------------------------------------------------------------------

def _counting_explorer(precompute: bool):
    calls = []

    def render(a, b):
        calls.append((a, b))
        return f"<p>a = {a}, b = {b}</p>"

    def render_a(a):
        return f"<p>only a = {a}</p>"

    explorer = Explorer("E", [slider("a", "a", [0.1, 0.2, 0.3]), buttons("b", "b", {"yes": True, "no": False})],
                        [Panel(render_a, ("a",)), Panel(render, ("a", "b"))], precompute=precompute, note="n")
    return explorer, calls


def test_precomputed_views_follow_the_controls_from_saved_state_alone():
    explorer, calls = _counting_explorer(precompute=True)
    assert len(calls) == 6 and explorer.view_count == 3 + 6
    assert len(explorer.links) == 1 + 1 + 3  # panel 1: one stack on a; panel 2: one on a, three on b
    for a in (0.1, 0.2, 0.3):
        for b in (True, False):
            assert static_page_view(explorer, a=a, b=b) == f"<p>only a = {a}</p>\n<p>a = {a}, b = {b}</p>"
    assert len(calls) == 6  # nothing recomputed


def test_live_kernel_computes_views_when_first_asked():
    explorer, calls = _counting_explorer(precompute=False)
    assert calls == [(0.1, True)] and explorer.shown() == "<p>only a = 0.1</p>\n<p>a = 0.1, b = True</p>"
    explorer.set(a=0.3, b=False)
    assert explorer.values == {"a": 0.3, "b": False} and explorer.indices == {"a": 2, "b": 1}
    assert explorer.shown() == explorer.view() == "<p>only a = 0.3</p>\n<p>a = 0.3, b = False</p>"
    assert calls == [(0.1, True), (0.3, True), (0.3, False)]
    explorer.set(b=True)
    explorer.set(b=False)
    assert len(calls) == 3  # cached
    assert explorer.view(a=0.2) == "<p>only a = 0.2</p>\n<p>a = 0.2, b = False</p>"
    assert repr(explorer) == "Explorer(a ∈ {0.1, 0.2, 0.3}, b ∈ {yes, no}; 9 views)"


def test_controls_and_explorers_reject_bad_definitions():
    with pytest.raises(ValueError, match="identifier"):
        Control("not a name", "x", (1,), ("1",))
    with pytest.raises(ValueError, match="at least one option"):
        Control("x", "x", (), ())
    with pytest.raises(ValueError, match="distinct label"):
        Control("x", "x", (1, 2), ("a", "a"))
    with pytest.raises(ValueError, match="outside"):
        Control("x", "x", (1,), ("1",), index=3)
    with pytest.raises(ValueError, match="kind"):
        Control("x", "x", (1,), ("1",), kind="dial")
    with pytest.raises(ValueError, match="choose one of 1, 2"):
        slider("x", "x", [1, 2], value=3)
    assert slider("x", "x", [0.1, 0.2], value=0.1 + 0.2 - 0.1).index == 1  # numbers compare with a tolerance
    assert buttons("x", "x", ["p", "q"], value="q").index == 1
    c = slider("c", "c", [1])
    with pytest.raises(ValueError, match="distinct names"):
        Explorer("E", [c, c], [])
    with pytest.raises(ValueError, match="unknown controls"):
        Explorer("E", [c], [Panel(lambda d: "", ("d",))])
    with pytest.raises(TypeError, match="HTML string"):
        Explorer("E", [c], [Panel(lambda c: 42, ("c",))])
    explorer = Explorer("E", [c], [Panel(lambda c: f"{c}", ("c",))])
    with pytest.raises(ValueError, match="no control named 'd'"):
        explorer.set(d=1)
    with pytest.raises(ValueError, match="no control named 'd'"):
        explorer.view(d=1)


# --- the RNN stepper ------------------------------------------------------------------------------

def _rnn(dtype=np.float64, n_x=4, n_a=3, m=2, T_x=5, seed=0):
    parameters = init_rnn_parameters(n_x, n_a, n_x, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed)
    for key in ("ba", "by"):
        parameters[key] = rng.normal(0, 0.5, parameters[key].shape).astype(dtype)
    x = rng.normal(size=(n_x, m, T_x)).astype(dtype)
    return parameters, x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rnn_stepper_steps_like_rnn_forward(dtype):
    parameters, x = _rnn(dtype)
    a0 = np.full((3, 2), 0.1, dtype=dtype)
    explorer = widgets.rnn_stepper(parameters, x, a0=a0, example=1, targets=[0, 1, 2, 3, 0], top_k=2)
    a, y_hat, _ = rnn_forward(x, a0, parameters)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert explorer.data["a"].dtype == dtype
    np.testing.assert_allclose(explorer.data["a"], a[:, 1, :], atol=tol)
    np.testing.assert_allclose(explorer.data["y_hat"], y_hat[:, 1, :], atol=tol)
    for t in (1, 3, 5):
        explorer.set(t=t)
        shown = explorer.shown()
        assert shown.startswith(f"<p class='seqlab-readout' style='margin:0.3em 0'>t = {t} of T<sub>x</sub> = 5")
        target = [0, 1, 2, 3, 0][t - 1]
        p = float(y_hat[target, 1, t - 1])
        assert f"gives it {draw.fmt(p)}" in shown and f"= {draw.fmt(-np.log(p))}" in shown
        assert static_page_view(explorer, t=t) == shown
    _well_formed(explorer.view(t=2))


def test_rnn_stepper_labels_relu_and_checks():
    parameters, x = _rnn(n_x=3)
    explorer = widgets.rnn_stepper(parameters, x, activation="relu", inputs=["p", "q", "r", "s", "t"],
                                   classes=["A", "B", "C"], top_k=3)
    shown = explorer.view(t=2)
    assert "= ReLU(" in shown and "<code>q</code>" in shown and "target" not in shown
    with pytest.raises(ValueError, match="activation"):
        widgets.rnn_stepper(parameters, x, activation="sigmoid")
    with pytest.raises(ValueError, match=r"x must be \(n_x, m, T_x\) = \(3, \?, \?\); got \(3, 2\)"):
        widgets.rnn_stepper(parameters, x[:, :, 0])
    with pytest.raises(ValueError, match="missing 'Wya'"):
        widgets.rnn_stepper({k: v for k, v in parameters.items() if k != "Wya"}, x)
    with pytest.raises(ValueError, match="example must be an int in 0 … 1"):
        widgets.rnn_stepper(parameters, x, example=2)
    with pytest.raises(ValueError, match="inputs must hold 5 labels"):
        widgets.rnn_stepper(parameters, x, inputs=["a"])
    with pytest.raises(ValueError, match="T_x = 5 class indices"):
        widgets.rnn_stepper(parameters, x, targets=[0, 1])
    with pytest.raises(ValueError, match="targets"):
        widgets.rnn_stepper(parameters, x, targets=[0, 1, 2, 3, 9])
    bad = x.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        widgets.rnn_stepper(parameters, bad)


# --- the gate explorer ----------------------------------------------------------------------------

def test_hand_set_memory_cells_write_keep_and_read():
    explorer = widgets.gate_explorer()
    inputs = widgets.memory_inputs()
    v = inputs["one write"][0, 0]
    for cell in ("LSTM", "GRU"):
        run = explorer.data[(cell, "one write")]
        assert np.flatnonzero(run["Gamma_u"][0] > 0.5).tolist() == [1]     # the write at t = 2
        assert abs(run["c"][0, -1] - np.tanh(2 * v[1])) < 0.05             # kept to the end
        assert abs(explorer.data[(cell, "never write")]["c"][0, -1]) < 0.05
        run = explorer.data[(cell, "write always")]
        np.testing.assert_allclose(run["c"][0], np.tanh(2 * inputs["write always"][0, 0]), atol=0.02)
    lstm = explorer.data[("LSTM", "one write")]
    assert np.flatnonzero(lstm["Gamma_o"][0] > 0.5).tolist() == [9]        # read at t = 10
    assert np.flatnonzero(lstm["Gamma_f"][0] < 0.5).tolist() == [1]        # forget when writing
    assert "Gamma_o" not in explorer.data[("GRU", "one write")]
    a0 = np.zeros((1, 1))
    _, _, _, caches = lstm_forward(inputs["two writes"], a0, widgets.memory_cell_parameters("lstm"))
    np.testing.assert_array_equal(record_gates("lstm", caches)["c"][:, 0], explorer.data[("LSTM", "two writes")]["c"])
    explorer.set(cell="GRU", sequence="never write")
    shown = explorer.shown()
    assert "GRU on “never write”" in shown and "Γ<sub>u</sub> &gt; 0.5 at no step" in shown
    assert "Γ<sub>r</sub> &gt; 0.5 at every step</p>" in shown
    lstm = explorer.view(cell="LSTM", sequence="one write")
    assert "Γ<sub>f</sub> &gt; 0.5 at every step but t = 2;" in lstm and "Γ<sub>u</sub> &gt; 0.5 at t = 2;" in lstm
    assert static_page_view(explorer, cell="GRU", sequence="never write") == shown
    assert static_page_view(explorer, cell="LSTM", sequence="one write") == explorer.view(cell="LSTM",
                                                                                          sequence="one write")


def test_gate_explorer_with_trained_size_cells():
    x = np.random.default_rng(1).normal(size=(2, 1, 6))
    cells = {"LSTM 3": ("lstm", init_lstm_parameters(2, 3, seed=0)),
             "GRU simplified": ("gru", init_gru_parameters(2, 3, seed=0, variant="simplified")),
             "GRU torch": ("gru", init_gru_parameters(2, 3, seed=0, variant="reset_after"))}
    explorer = widgets.gate_explorer(cells, {"noise": x}, channels=["u", "v"])
    c, _, caches = gru_forward(x, np.zeros((3, 1)), cells["GRU torch"][1], "reset_after")
    np.testing.assert_allclose(explorer.data[("GRU torch", "noise")]["c"], c[:, 0, :])
    assert "Gamma_r" not in explorer.data[("GRU simplified", "noise")]
    shown = explorer.view(cell="LSTM 3")
    assert "3 of 3 units" in shown and "(unit 1)" in shown
    _well_formed(shown)
    with pytest.raises(ValueError, match="kind must be 'lstm' or 'gru'"):
        widgets.gate_explorer({"x": ("rnn", {})})
    with pytest.raises(TypeError, match="pair"):
        widgets.gate_explorer({"x": init_lstm_parameters(2, 3)})
    with pytest.raises(ValueError, match=r"n_x"):
        widgets.gate_explorer(cells, {"wide": np.zeros((5, 1, 4))})
    with pytest.raises(ValueError, match="at least one"):
        widgets.gate_explorer(cells, {})
    with pytest.raises(ValueError, match="kind must be 'lstm' or 'gru'"):
        widgets.memory_cell_parameters("rnn")
    with pytest.raises(ValueError, match="T_x"):
        widgets.memory_inputs(T_x=3)
    assert widgets.memory_cell_parameters("gru", dtype=np.float32)["Wu"].dtype == np.float32


# --- the vanishing-gradient explorer --------------------------------------------------------------

def test_vanishing_explorer_measures_the_gradient_by_distance():
    explorer = widgets.vanishing_explorer(rhos=(0.5, 1.0, 1.5), distances=(0, 10, 20), T_x=20, n_a=8, m=4)
    x = explorer.data["x"]
    for rho in (0.5, 1.0, 1.5):
        expected = gradient_norms_by_distance(rnn_with_spectral_radius(4, 8, rho, seed=0, input_scale=0.1), x)
        np.testing.assert_array_equal(explorer.data["norms"][rho], expected)
        k = np.arange(21)
        assert np.all(expected <= rho ** k * (1 + 1e-9))  # |tanh'| ≤ 1 and W_aa = ρ Q
    assert np.all(explorer.data["norms"][0.5][1:] >= 0.75 * 0.5 ** np.arange(1, 21))  # small inputs: almost linear
    assert explorer.data["norms"][1.5][20] > 10  # exploding where the states are still small
    reading = explorer.view(rho=0.5, distance=20)
    assert f"= {draw.fmt(explorer.data['norms'][0.5][20])} (ρ<sup>k</sup> = {draw.fmt(0.5 ** 20)})" in reading
    assert "(vanishing)" in reading and "(exploding)" in explorer.view(rho=1.5, distance=20)
    assert "kept its size" in explorer.view(rho=1.0, distance=0)
    assert static_page_view(explorer, rho=1.5, distance=10) == explorer.view(rho=1.5, distance=10)
    assert repr(explorer) == "Explorer(rho ∈ {0.5, 1, 1.5}, distance ∈ {0, 10, 20}; 12 views)"
    for bad, match in (((), "non-empty"), ((0.5, -1.0), "≥ 0"), ((0.5, 0.5), "repeat"), ("0.5", "non-empty")):
        with pytest.raises(ValueError, match=match):
            widgets.vanishing_explorer(rhos=bad, T_x=5)
    with pytest.raises(ValueError, match="distance k must be an int in 0 … 5"):
        widgets.vanishing_explorer(distances=(0, 6), T_x=5)
    with pytest.raises(ValueError, match="distinct"):
        widgets.vanishing_explorer(distances=(1, 1), T_x=5)


# --- the temperature sampler ----------------------------------------------------------------------

def _samples(view: str) -> list[str]:
    return re.search(r"<p class='seqlab-samples'[^>]*>([^<]*)</p>", view).group(1).split()


def test_temperature_sampler_shows_softmax_and_seeded_samples():
    logits = np.array([2.0, 1.0, 0.5, -1.0])
    classes = ["a", "b", "c", "d"]
    asked = []

    def generate(tau):
        asked.append(tau)
        return [f"seq{tau:g}"]

    explorer = widgets.temperature_sampler(logits, classes, temperatures=(0, 0.5, 1, 2), n_samples=12, seed=3,
                                           top_k=3, context="ctx", sequences=generate)
    assert asked == [0, 0.5, 1, 2]
    assert explorer.values == {"tau": 1.0}
    for tau in (0, 0.5, 2):
        shown = explorer.view(tau=tau)
        p = softmax_with_temperature(logits, tau)
        draws = sample_with_temperature(np.repeat(logits[:, None], 12, axis=1), tau, seed=3)
        samples = _samples(shown)
        assert samples == [classes[k] for k in draws]
        h = -sum(q * np.log(q) for q in p if q > 0)
        assert f"τ = {tau:g}: entropy H(p<sub>τ</sub>) = {draw.fmt(h)} nats" in shown
        assert f"seq{tau:g}" in shown and "top 3 of 4" in shown and "ctx" in shown
        assert static_page_view(explorer, tau=tau) == shown
    assert set(_samples(explorer.view(tau=0))) == {"a"}  # τ = 0: the argmax every time
    with pytest.raises(ValueError, match="logits"):
        widgets.temperature_sampler(logits[:, None])
    with pytest.raises(ValueError, match="≥ 0"):
        widgets.temperature_sampler(logits, classes, temperatures=(-1, 1))
    with pytest.raises(ValueError, match="classes must hold 4 labels"):
        widgets.temperature_sampler(logits, ["a"])
    with pytest.raises(ValueError, match="n_samples"):
        widgets.temperature_sampler(logits, n_samples=0)
    default = widgets.temperature_sampler()
    assert "the cat sat on the" in default.shown() and "mat" in default.shown()
