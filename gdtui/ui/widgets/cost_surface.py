"""The cost surface: contours of `J` over the `(w, b)` plane, with the path across it."""

from __future__ import annotations

import numpy as np

from gdtui.engine.session import Session
from gdtui.lesson.ghost import Ghost
from gdtui.ui import plotting
from gdtui.ui.format import ghost_label, number
from gdtui.ui.plotting import Range, Vector
from gdtui.ui.widgets.braille_plot import (
    CURRENT,
    GHOST,
    LANDING,
    PATH,
    TRAIL,
    BraillePlot,
    Layer,
)

#: The lowest point in view.
LOWEST = "+"

#: Contour colours from the lowest level up: cool to warm, all in the 16 basic colours.
LEVEL_COLORS = ("blue", "cyan", "green", "orange", "red", "magenta")


class CostSurfacePlot(BraillePlot):
    """`J(w, b)` as contour lines, for problems with one `w` and a `b`.

    Contours sit at quantiles of the costs in view, so the rings tighten toward the
    minimum; `+` marks the lowest point in view. The window only grows (by half again)
    when the path leaves it, so the costs behind the contours are rarely recomputed.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._trail = plotting.PathCache()
        self._window: tuple[Session, Range, Range] | None = None
        self._grid: tuple[tuple[object, ...], Vector] | None = None
        self._contours: tuple[tuple[object, ...], list[Layer]] | None = None
        self._sampled = ""

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
        """Draw the session's path up to its current step, unless that is drawn already.

        Args:
            session: The run.
            component: Unused: the surface always spans `w` and `b`.
            tangent: Unused.
            w_range: The scenario's `w` axis hint.
            b_range: The scenario's `b` axis hint.
            hide_next: Leave out where the update lands (predict mode asks it).
            ghost: A kept run whose path to draw behind this one's.
        """
        key = (session, session.current, session.last, w_range, b_range, hide_next, ghost)
        self.draw_if_changed(
            key,
            lambda: self.show(
                session, w_range=w_range, b_range=b_range, hide_next=hide_next, ghost=ghost
            ),
            lambda: self._draw(session, w_range, b_range, hide_next, ghost),
        )

    def _view(
        self,
        session: Session,
        trail: Vector,
        hints: tuple[Range | None, Range | None],
        hide_next: bool = False,
    ) -> tuple[Range, Range]:
        """The window: the start, the path, the landing (unless hidden) and (on the first
        draw) roughly the lowest point near the start; kept from the last draw unless a point
        left it."""
        landing = () if hide_next else (session.current.next_theta,)
        points = np.vstack((trail, session.theta0, *landing))
        # A new session, or this one started again: the window is made afresh.
        if self._window is None or self._window[0] is not session or session.last == 0:
            around = [plotting.window(points[:, j], hints[j]) for j in (0, 1)]
            lowest = plotting.lowest_near(session.problem, session.theta0, around)
            points = np.vstack((points, lowest))
            w_view, b_view = (plotting.window(points[:, j], hints[j]) for j in (0, 1))
        else:
            _, *views = self._window
            for j, (lo, hi) in enumerate(views):
                if points[:, j].min() < lo or points[:, j].max() > hi:
                    views[j] = plotting.window([*points[:, j], lo, hi], margin=0.25)
            w_view, b_view = views
        self._window = (session, w_view, b_view)
        return w_view, b_view

    def _costs(self, session: Session, w_view: Range, b_view: Range) -> Vector:
        """`J` at about one point per character cell (the contours interpolate between)."""
        cols, rows = max(self.size.width - 6, 4), max(self.size.height - 5, 2)
        key = (session.problem, w_view, b_view, cols, rows)
        if self._grid is None or self._grid[0] != key:
            ws, bs = np.linspace(*w_view, cols), np.linspace(*b_view, rows)
            grid, sampled = plotting.cost_grid(session.problem, ws, bs)
            self._grid = (key, grid)
            self._sampled = plotting.sample_note(session.problem, sampled)
        return self._grid[1]

    def underlay(self, cols: int, rows: int) -> list[Layer]:
        """The contours, one braille dot per point of a grid at the canvas's resolution."""
        if self._grid is None:
            return []
        key = (self._grid[0], cols, rows)
        if self._contours is None or self._contours[0] != key:
            w_view, b_view = self._limits
            fine = plotting.upsample(self._grid[1], (4 * rows, 2 * cols))
            ws, bs = np.linspace(*w_view, 2 * cols), np.linspace(*b_view, 4 * rows)
            levels = plotting.level_sets(fine, len(LEVEL_COLORS))
            layers: list[Layer] = [
                (ws[c], bs[r], False, LEVEL_COLORS[k]) for k, (r, c) in enumerate(levels)
            ]
            self._contours = (key, layers)
        return self._contours[1]

    def _draw(
        self,
        session: Session,
        w_range: Range | None,
        b_range: Range | None,
        hide_next: bool = False,
        ghost: Ghost | None = None,
    ) -> None:
        plt, snapshot = self.plt, session.current
        if not plotting.has_surface(session.problem):
            self._grid = None
            self.title("J(w, b) surface")
            size = session.layout.size
            self.say(
                f"No surface to draw: J has {size} parameters here, and a surface shows"
                " exactly two, w and b. Press v for the cost curve.",
                f"No surface: J has {size} parameters, not just w and b.",
                f"No surface: {size} parameters",
            )
            return
        trail = self._trail.trail(session, snapshot, TRAIL)
        w_view, b_view = self._view(session, trail, (w_range, b_range), hide_next)
        costs = self._costs(session, w_view, b_view)

        notes = self.axes(w_view, b_view, names=("w", "b"))
        row, col = np.unravel_index(
            np.argmin(np.where(np.isfinite(costs), costs, np.inf)), costs.shape
        )
        plt.scatter(
            [np.linspace(*w_view, costs.shape[1])[col]],
            [np.linspace(*b_view, costs.shape[0])[row]],
            marker=LOWEST,
            color="default",
        )
        if ghost is not None:  # over the contours, under the path on screen
            self.faint(ghost.path[:, 0], ghost.path[:, 1], GHOST, "gray")
        # A dotted line, so the path never reads as one more contour.
        plt.plot(trail[:, 0].tolist(), trail[:, 1].tolist(), marker=PATH, color="gray")
        (w, b), (next_w, next_b) = snapshot.theta, snapshot.next_theta
        if not hide_next:
            self.line(np.array([w, next_w]), np.array([b, next_b]), "green")
            plt.scatter([next_w], [next_b], marker=LANDING, color=self.accent("green"))
        plt.scatter([w], [b], marker=CURRENT, color=self.accent("red"))

        width = self.label_width
        title = ["J(w, b) contours", f"J={number(snapshot.cost)}"]
        self.title(plotting.heading(title, notes, width))
        next_ = [] if hide_next else [f"{LANDING} next"]
        legend = [f"{CURRENT} w={w:.3g} b={b:.3g}", *next_, f"{LOWEST} lowest"]
        if ghost is not None:
            label = ghost_label(ghost, session.theta0.tolist(), session.layout)
            legend.insert(1, f"{GHOST} {label}")
        note = [f"({self._sampled})"] if self._sampled else []
        self.legend(plotting.fit([*legend, "w → b ↑", *note], width))
