"""The cost history: `J` at every step of the run, with the current step marked."""

from __future__ import annotations

import numpy as np

from gdtui.engine.session import Session
from gdtui.ui import plotting
from gdtui.ui.plotting import Vector
from gdtui.ui.widgets.braille_plot import CURRENT, BraillePlot


class CostHistoryPlot(BraillePlot):
    """`J` against the step number, on a log axis when it falls through decades.

    A long run is drawn with the lowest and highest cost of each column's steps, so a
    one-step spike still shows. The log axis is drawn here, not by plotext, whose
    `yscale("log")` takes the logarithm of its data in place and fails when the figure is
    built a second time (plotext issue #209).
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._series: tuple[tuple[object, ...], Vector, Vector, str] | None = None

    def show(self, session: Session) -> None:
        """Draw the session's run and its current step, unless that is drawn already.

        Args:
            session: The run.
        """
        key = (session, session.current, session.last)
        self.draw_if_changed(key, lambda: self.show(session), lambda: self._draw(session))

    def _run(self, session: Session) -> tuple[Vector, Vector, str]:
        """Steps and costs to draw (log10 of the costs on a log axis), and the scale.

        Moving the cursor does not change the run, so this is kept until the run grows,
        shrinks or branches (its last cost changes).
        """
        last = session.last
        key = (session, last, float(session.costs(last, last + 1)[0]), self.size.width)
        if self._series is None or self._series[0] != key:
            costs = session.costs()
            scale = plotting.history_scale(costs)
            steps, values = plotting.downsample(costs, max(self.size.width, 8))
            if scale == "log":
                values = np.log10(plotting.log_floor(values))
            self._series = (key, steps, values, scale)
        return self._series[1:]

    def _draw(self, session: Session) -> None:
        snapshot, last = session.current, session.last
        steps, values, scale = self._run(session)
        cost = snapshot.cost
        if scale == "log":
            floor = float(values.min())
            cost = max(float(np.log10(cost)), floor) if cost > 0 else floor
        lo, hi = plotting.cost_window(values, (cost,), spread=np.inf)

        # Steps are whole numbers: no more ticks than steps.
        self.axes((0.0, float(max(last, 1))), (lo, hi), x_count=max(last, 1), log_y=scale == "log")
        self.line(steps, values, "blue")
        self.plt.scatter([snapshot.step], [cost], marker=CURRENT, color=self.accent("red"))
        parts = ["J by step (log scale)" if scale == "log" else "J by step"]
        parts += [f"step {snapshot.step} of {last}", f"J={snapshot.cost:.4g}"]
        self.plt.title(plotting.fit(parts, self.size.width - 2, "   "))
