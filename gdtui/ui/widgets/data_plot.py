"""The data view: the examples, and what the model at this step makes of them."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from numpy.typing import NDArray
from rich.text import Text
from textual.strip import Strip

from gdtui.engine.problems import DataProblem, LinearProblem, sigmoid
from gdtui.engine.session import Session
from gdtui.ui import plotting
from gdtui.ui.plotting import Range, Vector
from gdtui.ui.widgets.braille_plot import BraillePlot

#: Markers of the two labels: told apart by shape, not only by colour.
LABEL_MARKERS = {0: "o", 1: "+"}
LABEL_COLORS = {0: "blue", 1: "red"}

#: The marker of a linear regression's example.
POINT = "o"

#: Points of the curve `yhat = sigmoid(w*x + b)` across the plot.
CURVE_POINTS = 200

#: At most this many examples are drawn, a fixed sample of a larger data set (plotext
#: places each marker in Python).
MAX_POINTS = 1_000


def threshold(w: float, b: float) -> float | None:
    """Where `yhat = sigmoid(w*x + b)` crosses 0.5: `x = -b/w`, or None when `w = 0`."""
    return None if w == 0 else -b / w


def boundary(w: Vector, b: float, x1_range: Range) -> tuple[Vector, Vector] | None:
    """Two points of the line `w[0]*x1 + w[1]*x2 + b = 0` spanning `x1_range`, or None when
    `w = 0` (then no point, or every point, lies on it)."""
    w0, w1 = float(w[0]), float(w[1])
    if w1 != 0:
        x1 = np.array(x1_range, dtype=np.float64)
        return x1, -(w0 * x1 + b) / w1
    if w0 != 0:
        x1 = np.full(2, -b / w0)
        return x1, np.array([-1e300, 1e300])  # vertical: pulled in to the plot's edges
    return None


def no_picture(n: int, linear: bool) -> str:
    """Why a data set with `n` features has no picture."""
    if linear:
        space = f"{n + 1} dimensions (the {n} features and y)"
        model = f"the model yhat = w.x + b a flat {n}-dimensional surface"
    else:
        space = f"{n} dimensions"
        model = f"the decision boundary a flat {n - 1}-dimensional surface between the labels"
    return (
        f"{n} features: no picture. Each example is a point in {space}, and {model}; a "
        "screen shows two dimensions. d writes dw term by term, one example a row."
    )


def _coefficient(value: float, first: bool = False) -> str:
    text = f"{value:.3g}"
    if first:
        return text
    return f"- {text[1:]}" if text.startswith("-") else f"+ {text}"


class DataPlot(BraillePlot):
    """The examples and the model at the current step.

    Logistic regression with one feature: the examples at `y = 0` (`o`) and `y = 1` (`+`),
    the curve `yhat = sigmoid(w*x + b)` and the threshold `x = -b/w` where `yhat = 0.5`.
    With two features: the examples over `(x1, x2)` by label, and the decision boundary
    `w[0]*x1 + w[1]*x2 + b = 0`. Linear regression with one feature: the examples and the
    line `yhat = w*x + b`. More features: a sentence saying why there is no picture.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.sentence = ""
        """What the view says instead of a picture, if it has none."""
        self.threshold: float | None = None
        """The threshold (one feature, logistic) drawn now, if any."""
        self._note: list[str] = []

    def show(self, session: Session, **_: object) -> None:
        """Draw the data and the model at the session's current step, unless drawn already.

        Args:
            session: The run.
        """
        key = (session, session.current)
        self.draw_if_changed(key, lambda: self.show(session), lambda: self._draw(session))

    def _draw(self, session: Session) -> None:
        problem = session.problem
        self.threshold = None
        if not isinstance(problem, DataProblem):
            self.sentence = "The cost here is a formula in w, not an average over data."
        elif problem.n_w > 2 or (problem.n_w == 2 and isinstance(problem, LinearProblem)):
            self.sentence = no_picture(problem.n_w, isinstance(problem, LinearProblem))
        else:
            self.sentence = ""
            rows = _sample(problem.m)
            X, y = problem.X[rows], problem.y[rows]
            sampled = len(rows) < problem.m
            self._note = [f"({len(rows):,} of {problem.m:,} drawn)"] if sampled else []
            theta = session.current.theta
            if isinstance(problem, LinearProblem):
                self._draw_line(X[:, 0], y, float(theta[0]), float(theta[1]))
            elif problem.n_w == 1:
                self._draw_sigmoid(X[:, 0], y, float(theta[0]), float(theta[1]))
            else:
                self._draw_boundary(X, y, theta[:2], float(theta[2]))
        if self.sentence:
            self.refresh()

    def _labelled(self, xs: Vector, ys: Vector, labels: Vector) -> None:
        for label, marker in LABEL_MARKERS.items():
            chosen = labels == label
            if chosen.any():
                color = self.accent(LABEL_COLORS[label])
                self.plt.scatter(xs[chosen].tolist(), ys[chosen].tolist(), marker=marker,
                                 color=color)  # fmt: skip

    def _draw_sigmoid(self, x: Vector, y: Vector, w: float, b: float) -> None:
        x_range = plotting.window(x)
        self.axes(x_range, (-0.1, 1.1))
        xs = np.linspace(*x_range, CURVE_POINTS)
        with np.errstate(all="ignore"):
            self.line(xs, sigmoid(w * xs + b), "green")
        self._labelled(x, y, y)
        at = threshold(w, b)
        self.threshold = at
        if at is None:
            where = "w = 0: no threshold"
        else:
            if math.isfinite(at) and x_range[0] <= at <= x_range[1]:
                self.line(np.array([at, at]), np.array([-0.1, 1.1]), "orange")
                self.plt.text(f"x={at:.3g}", at, 1.05, color=self.accent("orange"))
            side = "" if x_range[0] <= at <= x_range[1] else " (off the plot)"
            where = f"threshold x = -b/w = {at:.4g}{side}"
        width = self.label_width
        model = "yhat = sigmoid(b) for every x" if at is None else "yhat = sigmoid(w*x + b)"
        self.plt.title(plotting.fit([where, model], width, "   "))
        legend = ["o y=0", "+ y=1", "— yhat", "⡇ yhat=0.5"]
        self.plt.xlabel(plotting.fit([*legend, *self._note], width))

    def _draw_boundary(self, X: Vector, y: Vector, w: Vector, b: float) -> None:
        x1_range, x2_range = plotting.window(X[:, 0]), plotting.window(X[:, 1])
        self.axes(x1_range, x2_range)
        line = boundary(w, b, x1_range)
        if line is not None:
            self.line(*line, "orange")
        self._labelled(X[:, 0], X[:, 1], y)
        if line is None:
            rule = ["w = 0: no boundary", "yhat = sigmoid(b) everywhere"]
        else:
            equation = f"{_coefficient(w[0], True)}*x1 {_coefficient(w[1])}*x2 {_coefficient(b)}"
            rule = [f"{equation} = 0", "the boundary, where yhat = 0.5"]
        width = self.label_width
        self.plt.title(plotting.fit(rule, width, "   "))
        legend = ["o y=0", "+ y=1", "— boundary", "x1 → x2 ↑", *self._note]
        self.plt.xlabel(plotting.fit(legend, width))

    def _draw_line(self, x: Vector, y: Vector, w: float, b: float) -> None:
        x_range, y_range = plotting.window(x), plotting.window(y)
        xs = np.array(x_range)
        with np.errstate(all="ignore"):
            ys = w * xs + b
        self.axes(x_range, y_range)
        self.line(xs, plotting.beyond(ys, y_range), "green")
        self.plt.scatter(x.tolist(), y.tolist(), marker=POINT, color=self.accent("blue"))
        width = self.label_width
        rule = f"yhat = w*x + b = {_coefficient(w, True)}*x {_coefficient(b)}"
        self.plt.title(plotting.fit([rule], width))
        self.plt.xlabel(plotting.fit(["o (x, y)", "— yhat", *self._note], width))

    def render_line(self, y: int) -> Strip:
        """A line of the figure, or of the sentence that stands in for one."""
        strip = super().render_line(y)  # draws the figure first if it is out of date
        if not self.sentence:
            return strip
        width = self.size.width
        lines = textwrap.wrap(self.sentence, max(width - 2, 10))
        text = lines[y - 1] if 1 <= y <= len(lines) else ""
        strip = Strip(Text(f" {text}").render(self.app.console))
        return strip.adjust_cell_length(width)


def _sample(m: int) -> NDArray[np.intp]:
    """The rows drawn: all of them, or a fixed sample of a large data set."""
    if m <= MAX_POINTS:
        return np.arange(m)
    return np.sort(np.random.default_rng(0).choice(m, MAX_POINTS, replace=False))
