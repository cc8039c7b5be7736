"""The cost curve: `J` along one parameter, its tangent, and where the step lands."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdtui.engine.session import Session
from gdtui.lesson.ghost import Ghost
from gdtui.ui import plotting
from gdtui.ui.format import compact_pair, ghost_label, number
from gdtui.ui.plotting import Range, Vector
from gdtui.ui.widgets.braille_plot import (
    AFTER,
    CURRENT,
    GHOST,
    LANDING,
    LEFT,
    PATH,
    RIGHT,
    TANGENT,
    TRAIL,
    BraillePlot,
)


class CostCurvePlot(BraillePlot):
    """`J` as a function of one parameter, the others held where the run is now.

    The current point is `●` with the tangent through it (slope `dw`); an arrow from it
    shows how far the update moves the parameter, and `x` where on the curve it lands; the
    last steps of the path are `·`; a kept run's path (a ghost, `m`) is `○`.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._trail = plotting.PathCache()
        self.figure: CurveFigure | None = None
        """What the last draw showed."""

    def show(
        self,
        session: Session,
        *,
        component: int = 0,
        tangent: bool = True,
        w_range: Range | None = None,
        b_range: Range | None = None,
        hide_next: bool = False,
        ghost: Ghost | None = None,
    ) -> None:
        """Draw the session's current step, unless that is what is drawn already.

        Args:
            session: The run.
            component: The parameter `J` is drawn along: `w[component]`, or `b` when it
                equals the number of `w` components.
            tangent: Whether to draw the tangent line.
            w_range: The scenario's `w` axis hint.
            b_range: The scenario's `b` axis hint, used when the component is `b`.
            hide_next: Leave out where the update goes and lands (predict mode asks it): the
                arrow, the `x`, the curve it lands on, and their say in the window.
            ghost: A kept run whose path to draw behind this one's.
        """
        key = (session, session.current, session.last, component, tangent, w_range, b_range,
               hide_next, ghost)  # fmt: skip
        hint = b_range if component == session.layout.n_w else w_range
        self.draw_if_changed(
            key,
            lambda: self.show(
                session,
                component=component,
                tangent=tangent,
                w_range=w_range,
                b_range=b_range,
                hide_next=hide_next,
                ghost=ghost,
            ),
            lambda: self._draw(session, component, tangent, hint, hide_next, ghost),
        )

    def _draw(
        self,
        session: Session,
        j: int,
        tangent: bool,
        hint: Range | None,
        hide_next: bool = False,
        ghost: Ghost | None = None,
    ) -> None:
        snapshot, plt = session.current, self.plt
        trail = self._trail.trail(session, snapshot, TRAIL)
        trail_costs = session.costs(snapshot.step - len(trail) + 1, snapshot.step + 1)
        view = plotting.curve_window(session.problem, snapshot, j, hint)
        w_range = view.w_range
        w, cost, dw = float(snapshot.theta[j]), snapshot.cost, float(snapshot.grad[j])
        next_w = float(snapshot.next_theta[j])
        exact = [] if hide_next else [next_w]
        exact += [] if view.minimum is None else [view.minimum]
        size = self.figure_size
        points = min(max(size.width, 24), 200)
        ws, costs = plotting.curve_along(session, snapshot, j, w_range, points, exact=exact)
        # J where the update lands, all parameters moved: the cost the next step records.
        landing = math.nan if hide_next else session.landing_cost(snapshot)
        cost_range = plotting.curve_cost_window(costs, cost, landing, view.rise)
        # When the other parameters move too, x lands on another curve: draw that one too.
        after = None if hide_next else plotting.curve_after(session, snapshot, j, ws, landing)
        self.figure = CurveFigure(
            ws, costs, w_range, cost_range, (w, cost),
            (math.nan, math.nan) if hide_next else (next_w, landing), after,
        )  # fmt: skip

        layout = session.layout
        name = layout.name(j)[0]
        notes = self.axes(w_range, cost_range, names=(name, "J"))
        if not np.isfinite(costs).any():
            plt.yticks([], [])  # no cost to read off
            notes = [note for note in notes if not note.startswith("J")]
            what = "is too large to compute" if np.isinf(costs).any() else "is not a number"
            self.say(
                f"J {what} anywhere near {name} = {w:.4g}: no curve to draw.",
                f"J {what} here.",
            )
        if after is not None:
            self.line(ws, plotting.beyond(after, cost_range), "gray", joined=False)
        self.line(ws, plotting.beyond(costs, cost_range), "blue")
        if tangent:
            cols, rows = max(size.width - 10, 4), max(size.height - 5, 2)
            segment = plotting.tangent_segment(w, cost, dw, w_range, cost_range, cols, rows)
            self.line(*segment, "orange", joined=plotting.DASHED)
        if not hide_next:  # the update moves w sideways: an arrow at the height of J
            self.line(np.array([w, next_w]), np.array([cost, cost]), "green")
        if ghost is not None:  # the points the kept run visited, along this parameter
            self.faint(ghost.path[:, j], plotting.beyond(ghost.path_costs, cost_range), GHOST,
                       "gray")  # fmt: skip
        if len(trail) > 1:
            past = plotting.beyond(trail_costs[:-1], cost_range)
            plt.scatter(trail[:-1, j].tolist(), past.tolist(), marker=PATH, color="gray")
        arrow = LEFT if next_w < w else RIGHT
        top = cost_range[1]
        if next_w != w and not hide_next:
            self.mark(next_w, cost, arrow, self.accent("green"))
        if not math.isnan(landing):  # an overflow (inf) is drawn on the top edge
            self.mark(next_w, min(landing, top), LANDING, self.accent("green"))
        self.mark(w, min(cost, top), CURRENT, self.accent("red"))

        along = "J(w) along w" if layout.size == 1 else f"J along {name}"
        width = self.label_width
        slope = f"slope d{name}={number(dw, signed=True)}"
        self.title(plotting.heading([along, slope], notes, width))
        rows_used = plotting.sample_size(session.problem, len(ws) + 1)
        note = plotting.sample_note(session.problem, rows_used)
        # With the digits that tell the two apart when they differ.
        now, landed = compact_pair(w, w if hide_next else next_w)
        legend = [f"{CURRENT} {name}={now}"]
        if ghost is not None:
            legend.append(f"{GHOST} {ghost_label(ghost, session.theta0.tolist(), layout)}")
        if not hide_next:
            legend.append(f"{LANDING} next {landed}")
        if after is not None:
            others = [n for n in ("w", "b") if n != name] if layout.size == 2 else ["the rest"]
            legend.append(f"{AFTER} J once {others[0]} moves")
        if tangent:
            legend.append(f"{TANGENT} tangent")
        legend.append(f"{PATH} path")
        self.legend(plotting.fit([*legend, f"({note})"] if note else legend, width))


@dataclass(frozen=True)
class CurveFigure:
    """What the cost curve drew, for tests to check against the engine.

    Attributes:
        ws: The parameter's values sampled, ascending.
        costs: `J` at each.
        w_range: The parameter at the plot's left and right edge.
        cost_range: `J` at its bottom and top edge.
        point: The current point `(w, J)`.
        landing: Where the update lands `(w, J)`, J with every parameter moved; nan while
            predict mode hides it.
        after: `J` at each of `ws` with the other parameters where the update sends them
            (the curve the landing point is on), or None when no other parameter moves.
    """

    ws: Vector
    costs: Vector
    w_range: Range
    cost_range: Range
    point: tuple[float, float]
    landing: tuple[float, float]
    after: Vector | None = None
