"""The cost curve: `J` along one parameter, its tangent, and where the step lands."""

from __future__ import annotations

import numpy as np

from gdtui.engine.session import Session
from gdtui.ui import plotting
from gdtui.ui.format import shows_components
from gdtui.ui.plotting import Range
from gdtui.ui.widgets.braille_plot import (
    CURRENT,
    LANDING,
    LEFT,
    PATH,
    RIGHT,
    TRAIL,
    BraillePlot,
)


def signed(value: float) -> str:
    """A slope for a title: `+2.40`, `-0.03`, `+1.20e-05`."""
    return f"{value:+.2f}" if value == 0 or 0.01 <= abs(value) < 1e5 else f"{value:+.2e}"


class CostCurvePlot(BraillePlot):
    """`J` as a function of one parameter, the others held where the run is now.

    The current point is `●` with the tangent through it (slope `dw`); an arrow from it
    shows how far the update moves the parameter, and `x` where on the curve it lands; the
    last steps of the path are `·`.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._trail = plotting.PathCache()

    def show(
        self,
        session: Session,
        *,
        component: int = 0,
        tangent: bool = True,
        w_range: Range | None = None,
        b_range: Range | None = None,
    ) -> None:
        """Draw the session's current step, unless that is what is drawn already.

        Args:
            session: The run.
            component: The parameter `J` is drawn along: `w[component]`, or `b` when it
                equals the number of `w` components.
            tangent: Whether to draw the tangent line.
            w_range: The scenario's `w` axis hint.
            b_range: The scenario's `b` axis hint, used when the component is `b`.
        """
        key = (session, session.current, session.last, component, tangent, w_range, b_range)
        hint = b_range if component == session.layout.n_w else w_range
        self.draw_if_changed(
            key,
            lambda: self.show(
                session, component=component, tangent=tangent, w_range=w_range, b_range=b_range
            ),
            lambda: self._draw(session, component, tangent, hint),
        )

    def _draw(self, session: Session, j: int, tangent: bool, hint: Range | None) -> None:
        snapshot, plt = session.current, self.plt
        trail = self._trail.trail(session, snapshot, TRAIL)
        trail_costs = session.costs(snapshot.step - len(trail) + 1, snapshot.step + 1)
        w_range = plotting.default_w_range(session, snapshot, j, hint=hint, path=trail[:, j])
        points = min(max(self.size.width, 24), 200)
        ws, costs = plotting.curve_along(session, snapshot, j, w_range, points)
        w, cost, dw = float(snapshot.theta[j]), snapshot.cost, float(snapshot.grad[j])
        next_w = float(snapshot.next_theta[j])
        cost_range = plotting.cost_window(costs, (cost, *trail_costs))
        # The window holds next_w, so the curve has its cost to within a column's width; a
        # landing far above the plot is drawn on its top edge.
        landing = float(
            np.clip(np.nan_to_num(np.interp(next_w, ws, costs), nan=np.inf), *cost_range)
        )

        self.axes(w_range, cost_range)
        self.line(ws, plotting.beyond(costs, cost_range), "blue")
        if tangent:
            self.line(*plotting.tangent_line(w, cost, dw, w_range, cost_range), "orange")
        # The update moves w sideways: an arrow at the height of J, then where it lands.
        self.line(np.array([w, next_w]), np.array([cost, cost]), "green")
        if len(trail) > 1:
            past = plotting.beyond(trail_costs[:-1], cost_range)
            plt.scatter(trail[:-1, j].tolist(), past.tolist(), marker=PATH, color="gray")
        arrow = LEFT if next_w < w else RIGHT
        plt.scatter([next_w], [cost], marker=arrow, color=self.accent("green"))
        plt.scatter([next_w], [landing], marker=LANDING, color=self.accent("green"))
        plt.scatter([w], [cost], marker=CURRENT, color=self.accent("red"))

        layout = session.layout
        name = "b" if j == layout.n_w else (f"w[{j}]" if shows_components(layout) else "w")
        along = "J(w) along w" if layout.size == 1 else f"J along {name}"
        width = self.label_width
        plt.title(plotting.fit([along, f"slope d{name}={signed(dw)}"], width, "   "))
        rows = plotting.sample_size(session.problem, points + 1)
        note = plotting.sample_note(session.problem, rows)
        legend = [f"{CURRENT} {name}={w:.4g}", f"{LANDING} next {next_w:.4g}", f"{PATH} path"]
        plt.xlabel(plotting.fit([*legend, f"({note})"] if note else legend, width))
