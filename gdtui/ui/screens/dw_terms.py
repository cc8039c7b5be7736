"""Where `dw` comes from: the slope written as the lesson's average of per-example terms.

    dw = (1/m) * sum((yhat_i - y_i) * x_i)

one row per example, strongest pull first, then the sum, the division by m and the result:
the very float the state panel shows as `dw`.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widgets import Static

from gdtui.engine.problems import DataProblem, LinearProblem
from gdtui.engine.snapshot import LEFT, RIGHT, Layout, Snapshot
from gdtui.engine.terms import SlopeTerms, pull, slope_terms
from gdtui.ui.format import MOVE_WORDS, number, shows_components

#: Up to this many examples, every one gets a row.
ALL_ROWS = 20

#: Past `ALL_ROWS` examples, the strongest pulls shown before the count of the rest.
STRONGEST = 10

#: Lines of the dialog that are not rows: borders, the formula, the result, the hint and
#: the blank lines between them.
FIXED_LINES = 13

#: How a term's pull reads: the direction the update would move the parameter.
PULL_WORDS = {LEFT: "← LEFT", RIGHT: "RIGHT →"}


def exact(value: float) -> str:
    """Every digit of a float (the shortest text that reads back as the same float)."""
    return repr(float(value))


def names(layout: Layout, component: int) -> tuple[str, str, str]:
    """The parameter, its slope (as `Layout.name` writes them) and the feature the term
    multiplies: `w`, `dw`, `x_i`; `w[1]`, `dw[1]`, `x_i[1]`; or `b`, `db`, `1`."""
    parameter, slope = layout.name(component)
    if parameter == "b":
        return parameter, slope, "1"
    return parameter, slope, "x_i" + parameter.removeprefix("w")


def terms_text(problem: DataProblem, snapshot: Snapshot, component: int) -> tuple[str, str, str]:
    """The screen's text in three parts: the formula; a row per example (or the strongest
    and the rest); the sum, the division by m, and the slope with where it pulls.

    Args:
        problem: The run's problem on data.
        snapshot: The step on screen.
        component: `0..n_w-1` for a component of `dw`, `n_w` for `db`.
    """
    vector_w = shows_components(snapshot.layout)
    terms = slope_terms(problem, snapshot, component, None if problem.m <= ALL_ROWS else STRONGEST)
    parameter, slope, feature = names(snapshot.layout, component)
    is_b = component == problem.n_w
    linear = isinstance(problem, LinearProblem)
    wx = "w.x_i" if vector_w else "w*x_i"
    model = f"{wx} + b" if linear else f"sigmoid({wx} + b)"
    error = f"({wx} + b - y_i)" if linear else "(yhat_i - y_i)"
    term = error[1:-1] if is_b else f"{error} * {feature}"
    head = (
        f"{slope} = (1/m) * sum({term})\n"
        f"yhat_i = {model} at step {snapshot.step:,}; m = {terms.m:,}"
    )
    rows = "\n".join(_rows(terms, is_b, feature, parameter, linear))
    foot = "\n".join(
        (
            f"sum of the {terms.m:,} terms = {exact(terms.total)}",
            f"{slope} = sum / m = {exact(terms.total)} / {terms.m:,}",
            f"{' ' * len(slope)} = {exact(terms.slope)}"
            f"  (state panel: {number(terms.slope, signed=True)})",
            _verdict(terms.slope, parameter, slope),
        )
    )
    return head, rows, foot


def _rows(terms: SlopeTerms, is_b: bool, feature: str, parameter: str, linear: bool) -> list[str]:
    """The table: a header, then the examples by the size of their pull."""
    shown = terms.order
    widths = (len(f"{terms.m}") + 3, 9, 9 if linear else 4, 8, 10)
    header = ["i", feature if not is_b else "", "y_i", "yhat_i", "term"]
    cells = [h.rjust(w) for h, w in zip(header, widths, strict=True)]
    rows = ["".join(cells) + f"  pulls {parameter}"]
    for i in shown.tolist():
        y = number(float(terms.y[i])) if linear else f"{terms.y[i]:.0f}"
        values = [
            str(i + 1),
            "" if is_b else number(float(terms.x[i])),
            y,
            number(float(terms.yhat[i])),
            number(float(terms.terms[i]), signed=True),
        ]
        direction = PULL_WORDS.get(pull(float(terms.terms[i])), "none")
        row = "".join(v.rjust(w) for v, w in zip(values, widths, strict=True))
        rows.append(f"{row}  {direction}")
    rest = terms.m - len(shown)
    if rest:
        weaker = np.ones(terms.m, dtype=bool)
        weaker[shown] = False
        with np.errstate(all="ignore"):
            rest_sum = float(np.sum(terms.terms[weaker]))
        rows.append(
            f"{'…':>6}  and the other {rest:,} examples, weaker pulls: their terms add "
            f"up to {number(rest_sum, signed=True)}"
        )
    return rows


def _verdict(value: float, parameter: str, slope: str) -> str:
    """Where the slope as a whole pulls the parameter."""
    if math.isnan(value):
        return f"{slope} is nan: the run has diverged."
    if value == 0:
        return f"{slope} = 0: the pulls cancel, and {parameter} stays."
    sign = ">" if value > 0 else "<"
    way = MOVE_WORDS[pull(value)]
    rule = f"{parameter} := {parameter} - alpha*{slope}"
    return f"{slope} {sign} 0, so {rule} pulls {parameter} {way}."


class TermsScreen(ModalScreen[None]):
    """`dw` (or `db`) term by term, at the step on screen. `j`/`k` show another slope.

    Args:
        problem: The run's problem on data.
        snapshot: The step on screen.
        component: The selected slope: a component of `dw`, or `db` at `n_w`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,d", "dismiss(None)", "close", id="terms.close",
                tooltip="Back to the debugger."),
        Binding("j", "component(1)", "next", id="terms.next",
                tooltip="The next slope: the next component of dw, then db."),
        Binding("k", "component(-1)", "previous", id="terms.previous",
                tooltip="The previous slope."),
    ]  # fmt: skip

    component: var[int] = var(0, init=False)
    """The slope shown: `0..n_w-1` for a component of `dw`, `n_w` for `db`."""

    def __init__(self, problem: DataProblem, snapshot: Snapshot, component: int) -> None:
        super().__init__()
        self.problem, self.snapshot = problem, snapshot
        self.set_reactive(TermsScreen.component, min(max(component, 0), problem.n_w))

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "where the slope comes from"
            yield Static(id="terms-head", markup=False)
            with VerticalScroll(id="terms-scroll"):
                yield Static(id="terms-rows", markup=False)
            yield Static(id="terms-foot", markup=False)
            yield Static("j/k: another slope (dw, db).  Escape closes.", classes="hint")

    def on_mount(self) -> None:
        self._show()

    def on_resize(self) -> None:
        # The rows scroll between the formula and the result, which always show: the
        # dialog is as tall as its text up to 90% of the screen, and CSS cannot give the
        # rows "what is left" of an auto height.
        room = int(self.size.height * 0.9) - FIXED_LINES
        self.query_one("#terms-scroll").styles.max_height = max(room, 3)

    def watch_component(self) -> None:
        self._show()

    @property
    def text(self) -> str:
        """What the screen shows, as plain text (for tests)."""
        parts = ("#terms-head", "#terms-rows", "#terms-foot")
        return "\n\n".join(str(self.query_one(part, Static).visual) for part in parts)

    def _show(self) -> None:
        parts = terms_text(self.problem, self.snapshot, self.component)
        for name, text in zip(("#terms-head", "#terms-rows", "#terms-foot"), parts, strict=True):
            self.query_one(name, Static).update(text)

    def action_component(self, direction: int) -> None:
        """Show the next or previous slope, `db` after the last component of `dw`."""
        self.component = (self.component + direction) % (self.problem.n_w + 1)
