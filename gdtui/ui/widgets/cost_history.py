"""The cost history: `J` at every step of the run, with the current step marked."""

from __future__ import annotations

import math

import numpy as np

from gdtui.engine.session import Session
from gdtui.lesson.ghost import Ghost
from gdtui.ui import plotting
from gdtui.ui.format import ghost_label, number
from gdtui.ui.plotting import Range, Vector
from gdtui.ui.widgets.braille_plot import CURRENT, GHOST, BraillePlot


class CostHistoryPlot(BraillePlot):
    """`J` against the step number, on a log axis when it falls through decades.

    A long run is drawn with the lowest and highest cost of each column's steps, so a
    one-step spike still shows. The log axis is drawn here, not by plotext, whose
    `yscale("log")` takes the logarithm of its data in place and fails when the figure is
    built a second time (plotext issue #209).

    A kept run (a ghost, `m`) is drawn behind as `○`, on the same axes: the steps span
    the longer of the two runs, so the whole comparison is in view from the start.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._summary: tuple[tuple[object, ...], plotting.CostSummary] | None = None
        self._series: (
            tuple[plotting.CostSummary, int, Vector, Vector, str, Ghost | None, Vector] | None
        ) = None
        self._axes: tuple[int, str, Range, Range] | None = None
        self._runs = 0
        """How many runs were summarised: the axes of one run are kept across widths (a
        resize summarises the same run afresh), those of another are made afresh."""
        self._ghost: Ghost | None = None
        """The ghost the axes were made for: another one makes them afresh."""

    def forget(self) -> None:
        """Forget the run's costs: the run has changed from an earlier step on (a new alpha
        or optimizer there), so they are read afresh at the next draw."""
        self._summary = None

    def show(self, session: Session, ghost: Ghost | None = None) -> None:
        """Draw the session's run and its current step, unless that is drawn already.

        Args:
            session: The run.
            ghost: A kept run to draw behind it.
        """
        key = (session, session.current, session.last, ghost)
        self.draw_if_changed(
            key, lambda: self.show(session, ghost), lambda: self._draw(session, ghost)
        )

    def _costs(self, session: Session) -> plotting.CostSummary:
        """The run's costs, summarised: only steps added since the last draw are read.

        The summary is made afresh for another session or width, after a restart (a new
        history), and when the run is shorter than summarised or its cost at the last
        summarised step changed (it branched: `forget()` says so for certain).
        """
        buckets = max(self.figure_size.width, 8)
        source = (session, session.history, buckets)
        kept = self._summary
        summary = kept[1] if kept is not None and _same_run(kept[0], source) else None
        # A student who joined late has the steps from `first` on: the summary counts from
        # there.
        first = session.first
        steps = session.last + 1 - first
        if summary is not None and (
            summary.steps > steps
            or not _same_cost(
                summary.last, session.costs(first + summary.steps - 1, first + summary.steps)[0]
            )
        ):
            summary = None
        if summary is None:
            self._runs += 1
        if summary is None or summary.buckets != buckets:
            summary = plotting.CostSummary(buckets)
        summary.extend(session.costs(first + summary.steps, first + steps))
        self._summary = (source, summary)
        return summary

    def _run(self, session: Session, ghost: Ghost | None) -> tuple[Vector, Vector, str, Vector]:
        """Steps and costs to draw (log10 of the costs on a log axis), the scale, and the
        ghost's costs on that scale; kept while the run does not change (moving the cursor
        does not)."""
        summary = self._costs(session)
        kept = self._series
        if (
            kept is None
            or kept[0] is not summary
            or kept[1] != summary.steps
            or kept[5] is not ghost
        ):
            steps, values = summary.series()
            steps = steps + session.first
            scale = summary.scale()
            ghost_values = np.empty(0) if ghost is None else ghost.costs
            if ghost is not None:  # one scale for both: log if their costs together span it
                scale = plotting.history_scale(np.concatenate((values, ghost_values)))
            if scale == "log":
                both = np.log10(plotting.log_floor(np.concatenate((values, ghost_values))))
                values, ghost_values = both[: len(values)], both[len(values) :]
            kept = (summary, summary.steps, steps, values, scale, ghost, ghost_values)
            self._series = kept
        return kept[2], kept[3], kept[4], kept[6]

    def _view(self, scale: str, last: int, costs: Range, first: int = 0) -> tuple[Range, Range]:
        """The steps and costs on the axes: those of the last draw while the run fits in
        them. When it leaves them they grow past it (by half again for the steps, a quarter
        for the costs), so that most steps add a point and move the marker instead of
        rescaling (and repainting) the whole plot.
        A new run, or another scale, starts with the run's own extent (as does a run of
        one step, whose extent is a guess)."""
        steps = (float(first), float(max(last, first + 1)))
        kept = self._axes
        if kept is None or kept[0] != self._runs or kept[1] != scale or last < 2:
            x_view, y_view = steps, costs
        else:
            x_view = (steps[0], float(math.ceil(plotting.grown(kept[2], steps, margin=0.5)[1])))
            y_view = plotting.grown(kept[3], costs)
        self._axes = (self._runs, scale, x_view, y_view)
        return x_view, y_view

    def _draw(self, session: Session, ghost: Ghost | None) -> None:
        snapshot, last = session.current, session.last
        steps, values, scale, ghost_values = self._run(session, ghost)
        cost = snapshot.cost
        if scale == "log":
            floor = float(values.min())
            cost = max(float(np.log10(cost)), floor) if cost > 0 else floor
        if ghost is not self._ghost:
            self._axes, self._ghost = None, ghost
        # With a ghost, the axes hold both runs: the longer one's steps, both runs' costs.
        drawn = np.concatenate((values, ghost_values))
        extent = last if ghost is None else max(last, ghost.last)
        x_view, y_view = self._view(
            scale, extent, plotting.cost_window(drawn, (cost,), np.inf), session.first
        )

        # Steps are whole numbers: no more ticks than steps. The cost axis labels only
        # values the run has had: its margins are for drawing, not for reading.
        finite = drawn[np.isfinite(drawn)]
        had = (float(finite.min()), float(finite.max())) if finite.size else None
        notes = self.axes(
            x_view,
            y_view,
            x_count=int(x_view[1] - x_view[0]),
            log_y=scale == "log",
            y_labelled=had,
            names=("step", "J"),
        )
        if ghost is not None:
            self.faint(
                ghost.steps.astype(np.float64), ghost_values, GHOST, "gray", over_lines=False
            )
        self.line(steps, values, "blue")
        self.mark(snapshot.step, cost, CURRENT, self.accent("red"))
        parts = ["J by step (log scale)" if scale == "log" else "J by step"]
        parts += [f"step {snapshot.step} of {last}", f"J={number(snapshot.cost)}"]
        self.title(plotting.heading(parts, notes, self.label_width))
        if ghost is not None:
            self.legend(_ghost_legend(ghost, session, self.label_width))
        else:  # plotext keeps a label across figures: no legend row without a ghost
            self.plt.xlabel(None)


def _ghost_legend(ghost: Ghost, session: Session, width: int) -> str:
    """`○ ghost: gd alpha 0.90 (40 steps)`, as much of it as fits."""
    label = ghost_label(ghost, session.theta0.tolist(), session.layout)
    return plotting.fit([f"{GHOST} {label}", f"({ghost.last} steps)"], width)


def _same_run(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Whether two (session, history, buckets) are the same session and history (at any
    width)."""
    return a[0] is b[0] and a[1] is b[1]


def _same_cost(a: float, b: float) -> bool:
    """Whether two recorded costs are the same (nan, a diverged start's, equals itself)."""
    return a == b or (math.isnan(a) and math.isnan(b))
