"""The machinery shared by the explorers: controls whose views are linked in the browser.

An :class:`Explorer` is an ``ipywidgets.VBox`` of controls (sliders, toggle buttons) and
panels. A panel shows one view per combination of the values of the controls it depends
on; the views are ``ipywidgets.HTML`` children of nested ``ipywidgets.Stack`` widgets, and
every stack's ``selected_index`` is tied to its control's ``index`` with
``ipywidgets.jslink``. The link runs in the browser, so

* in a live kernel, moving a control shows the view of the new values (computed by the
  panel's ``render`` function when it is first needed, when ``precompute=False``);
* on a static page (the website, rendered from the widget state saved in the notebook),
  the same links still switch the saved views: the controls respond without a kernel.

``precompute=True`` (the default) computes every view when the explorer is built, which
is what a static page needs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle

from .draw import compact

__all__ = ["Control", "Panel", "Explorer", "slider", "buttons"]


@dataclass(frozen=True)
class Control:
    """One control of an explorer: a name (the keyword its panels' ``render`` receives),
    a label (HTML), the values it offers with their displayed labels, and its first value."""

    name: str
    label: str
    options: tuple
    labels: tuple[str, ...]
    index: int = 0
    kind: str = "slider"

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"a control's name must be a Python identifier; got {self.name!r}")
        if not self.options:
            raise ValueError(f"control {self.name!r} needs at least one option")
        if len(self.labels) != len(self.options) or len(set(self.labels)) != len(self.labels):
            raise ValueError(f"control {self.name!r} needs one distinct label per option; got {self.labels!r}")
        if not 0 <= self.index < len(self.options):
            raise ValueError(f"control {self.name!r}: index {self.index} is outside 0 … {len(self.options) - 1}")
        if self.kind not in ("slider", "buttons"):
            raise ValueError(f"control kind must be 'slider' or 'buttons'; got {self.kind!r}")

    def index_of(self, value: Any) -> int:
        """The position of ``value`` among the options (numbers compare with a tolerance)."""
        for k, option in enumerate(self.options):
            if option == value or (_is_number(option) and _is_number(value)
                                   and math.isclose(float(option), float(value), rel_tol=1e-9, abs_tol=1e-12)):
                return k
        raise ValueError(f"{value!r} is not a value of control {self.name!r}; "
                         f"choose one of {', '.join(self.labels)}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def slider(name: str, label: str, options: Sequence, *, value: Any = None,
           labels: Sequence[str] | None = None) -> Control:
    """A slider over ``options`` (shown as ``labels``, default: the values), starting at ``value``."""
    options = tuple(options)
    control = Control(name, label, options, tuple(labels) if labels is not None else tuple(map(_label, options)))
    return control if value is None else Control(name, label, options, control.labels, control.index_of(value))


def buttons(name: str, label: str, options: Mapping[str, Any] | Sequence[str], *, value: Any = None) -> Control:
    """Toggle buttons; ``options`` maps each button's label to its value (or is a list of labels)."""
    pairs = list(options.items()) if isinstance(options, Mapping) else [(str(o), o) for o in options]
    control = Control(name, label, tuple(v for _, v in pairs), tuple(k for k, _ in pairs), kind="buttons")
    if value is None:
        return control
    return Control(name, label, control.options, control.labels, control.index_of(value), kind="buttons")


@dataclass(frozen=True)
class Panel:
    """Part of an explorer's display: ``render(**values)`` returns the HTML of one view, where
    ``values`` holds the current value of each control named in ``controls`` (in that order)."""

    render: Callable[..., str]
    controls: tuple[str, ...]


class Explorer(widgets.VBox):
    """Controls and the panels they drive, linked in the browser (see the module docstring).

    Parameters
    ----------
    title : HTML shown above the controls.
    controls : the :class:`Control` objects, shown in this order.
    panels : the :class:`Panel` objects, shown below the controls in this order.
    precompute : compute every view now (needed on a static page); ``False`` computes a view
        when the controls first ask for it, in the kernel.
    note : HTML shown below the panels.
    """

    def __init__(self, title: str, controls: Sequence[Control], panels: Sequence[Panel], *,
                 precompute: bool = True, note: str = ""):
        self._controls = {c.name: c for c in controls}
        if len(self._controls) != len(controls):
            raise ValueError("the controls of an explorer need distinct names")
        for panel in panels:
            unknown = [n for n in panel.controls if n not in self._controls]
            if unknown:
                raise ValueError(f"a panel depends on unknown controls {unknown}")
        self._panels = tuple(panels)
        self._cache: dict[tuple[int, tuple[int, ...]], str] = {}
        self._layout = widgets.Layout()
        self._style = HTMLStyle()
        self.control_widgets = {c.name: self._make_control(c) for c in controls}
        self._leaves: dict[tuple[int, tuple[int, ...]], widgets.HTML] = {}
        self._stacks: dict[str, list[widgets.Stack]] = {c.name: [] for c in controls}
        #: the browser-side links (control ``index`` → stack ``selected_index``) that keep the views in step
        self.links: list[widgets.Link] = []
        #: the numbers behind the views (filled by the functions that build explorers), for checks and reuse
        self.data: dict = {}
        self._roots = [self._build(k, panel, (), precompute) for k, panel in enumerate(self._panels)]
        children = [widgets.HTML(f'<div class="seqlab-explorer-title"><b>{title}</b></div>')]
        children += list(self.control_widgets.values()) + self._roots
        if note:
            children.append(widgets.HTML(f'<div class="seqlab-explorer-note">{note}</div>'))
        super().__init__(children)
        self.add_class("seqlab-explorer")
        for name, control in self.control_widgets.items():
            control.observe(lambda change, name=name: self._on_change(name), names="index")

    # --- construction ---------------------------------------------------------------------
    def _make_control(self, control: Control) -> widgets.Widget:
        options = list(zip(control.labels, range(len(control.options))))
        common = dict(options=options, index=control.index, description=control.label,
                      description_allow_html=True, style={"description_width": "initial"})
        if control.kind == "slider":
            widget = widgets.SelectionSlider(continuous_update=True, readout=True,
                                             layout=widgets.Layout(width="min(100%, 34em)"), **common)
        else:
            common["style"] = {"description_width": "initial", "button_width": "auto"}
            widget = widgets.ToggleButtons(**common)
        widget.add_class("seqlab-control")
        return widget

    def _build(self, panel_index: int, panel: Panel, fixed: tuple[int, ...], precompute: bool) -> widgets.Widget:
        """The nested stacks of one panel below the control values fixed so far."""
        depth = len(fixed)
        if depth == len(panel.controls):
            current = tuple(self._controls[n].index for n in panel.controls)
            value = self._render(panel_index, fixed) if precompute or fixed == current else ""
            leaf = widgets.HTML(value, layout=self._layout, style=self._style)
            leaf.add_class("seqlab-view")
            self._leaves[(panel_index, fixed)] = leaf
            return leaf
        name = panel.controls[depth]
        control = self._controls[name]
        children = [self._build(panel_index, panel, fixed + (k,), precompute) for k in range(len(control.options))]
        stack = widgets.Stack(children, selected_index=control.index, layout=self._layout)
        self.links.append(widgets.jslink((self.control_widgets[name], "index"), (stack, "selected_index")))
        self._stacks[name].append(stack)
        return stack

    def _render(self, panel_index: int, indices: tuple[int, ...]) -> str:
        key = (panel_index, indices)
        if key not in self._cache:
            panel = self._panels[panel_index]
            values = {n: self._controls[n].options[i] for n, i in zip(panel.controls, indices)}
            html = panel.render(**values)
            if not isinstance(html, str):
                raise TypeError(f"a panel's render must return an HTML string; got {type(html).__name__}")
            self._cache[key] = compact(html)
        return self._cache[key]

    # --- reacting in a live kernel -----------------------------------------------------------
    def _on_change(self, name: str) -> None:
        """A control moved: mirror the browser's links in the kernel and fill the views now shown."""
        index = self.control_widgets[name].index
        for stack in self._stacks[name]:
            stack.selected_index = index
        indices = self.indices
        for k, panel in enumerate(self._panels):
            key = (k, tuple(indices[n] for n in panel.controls))
            leaf = self._leaves[key]
            if not leaf.value:
                leaf.value = self._render(*key)

    # --- public helpers ---------------------------------------------------------------------
    @property
    def controls(self) -> dict[str, Control]:
        """The controls by name."""
        return dict(self._controls)

    @property
    def indices(self) -> dict[str, int]:
        """The position of every control now."""
        return {name: int(w.index) for name, w in self.control_widgets.items()}

    @property
    def values(self) -> dict[str, Any]:
        """The value of every control now."""
        return {name: self._controls[name].options[i] for name, i in self.indices.items()}

    def set(self, **values: Any) -> Explorer:
        """Move controls to the given values (as a reader would), e.g. ``explorer.set(t=3)``."""
        for name, value in values.items():
            if name not in self._controls:
                raise ValueError(f"no control named {name!r}; the controls are {', '.join(self._controls)}")
            self.control_widgets[name].index = self._controls[name].index_of(value)
        return self

    def view(self, **values: Any) -> str:
        """The HTML of every panel for the given control values (the current ones where omitted)."""
        indices = self.indices
        for name, value in values.items():
            if name not in self._controls:
                raise ValueError(f"no control named {name!r}; the controls are {', '.join(self._controls)}")
            indices[name] = self._controls[name].index_of(value)
        return "\n".join(self._render(k, tuple(indices[n] for n in p.controls)) for k, p in enumerate(self._panels))

    def shown(self) -> str:
        """The HTML that the stacks show now (follows each stack's ``selected_index``)."""
        parts = []
        for root in self._roots:
            node = root
            while isinstance(node, widgets.Stack):
                node = node.children[node.selected_index]
            parts.append(node.value)
        return "\n".join(parts)

    @property
    def view_count(self) -> int:
        """How many views the explorer holds (the number of leaves of its stacks)."""
        return len(self._leaves)

    def __repr__(self) -> str:
        def describe(c: Control) -> str:
            shown = c.labels if len(c.labels) <= 4 else (c.labels[0], c.labels[1], "…", c.labels[-1])
            return f"{c.name} ∈ {{{', '.join(shown)}}}"
        return f"Explorer({', '.join(describe(c) for c in self._controls.values())}; {self.view_count} views)"

