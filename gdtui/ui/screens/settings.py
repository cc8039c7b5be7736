"""The run's settings, each an action: alpha (`+` `-`), the start (`[` `]`), the optimizer,
the scenario and the breakpoints."""

# mypy: disable-error-code="misc"
# (the methods are the debugger screen's: their `self` is one, which mypy calls an error)
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from gdtui.lesson.actions import Load, Restart, SetAlpha, SetBreakpoints, SetOptimizer
from gdtui.scenario import ScenarioError, list_presets
from gdtui.ui.format import alpha_text

if TYPE_CHECKING:
    from gdtui.ui.screens.debugger import DebuggerScreen

#: `+` and `-` move alpha along 1, 2, 3, 5, 7 times a power of ten, within these bounds.
ALPHA_RUNGS: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0, 7.0)
ALPHA_MIN, ALPHA_MAX = 1e-6, 100.0

#: The fraction of the plotted w range that `[` and `]` move the start by.
START_FRACTION = 1 / 20

#: How far `[` and `]` move the start when the scenario gives no range.
START_STEP = 0.5


def next_alpha(alpha: float, direction: int) -> float:
    """The next learning rate on the ladder ... 0.1, 0.2, 0.3, 0.5, 0.7, 1 ... up or down.

    Args:
        alpha: The learning rate now (need not be on the ladder).
        direction: +1 for the next larger rung, -1 for the next smaller.

    Returns:
        The new alpha, kept within `ALPHA_MIN` and `ALPHA_MAX`.
    """
    exponent = math.floor(math.log10(alpha))
    rungs = sorted(
        float(f"{rung * 10.0**e:.12g}")
        for e in (exponent - 1, exponent, exponent + 1)
        for rung in ALPHA_RUNGS
    )
    if direction > 0:
        new = min(r for r in rungs if r > alpha * (1 + 1e-9))
    else:
        new = max(r for r in rungs if r < alpha * (1 - 1e-9))
    return min(max(new, ALPHA_MIN), ALPHA_MAX)


class Settings:
    """The keys that change how the run goes on."""

    def action_alpha(self: DebuggerScreen, direction: int) -> None:
        """A larger or smaller learning rate, from the next step on."""
        if not self._idle():
            return
        alpha = self.session.alpha
        new = next_alpha(alpha, direction)
        if new == alpha:
            self.notify(f"alpha stays {alpha_text(alpha)}: that is the limit.", timeout=2)
            return
        self.perform(SetAlpha(new))

    def action_set_alpha(self: DebuggerScreen) -> None:
        """Ask for an exact learning rate."""
        from gdtui.ui.screens.alpha_input import AlphaScreen

        if self._idle():
            self.app.push_screen(AlphaScreen(self.session.alpha), self._alpha_typed)

    def _alpha_typed(self: DebuggerScreen, alpha: float | None) -> None:
        if alpha is None or not self._idle() or alpha == self.session.alpha:
            return
        self.perform(SetAlpha(alpha))

    def action_set_start(self: DebuggerScreen) -> None:
        """Ask for an exact start point."""
        from gdtui.ui.screens.start_input import StartScreen

        if self._idle():
            theta0 = tuple(float(v) for v in self.session.theta0)
            self.app.push_screen(StartScreen(self.session.layout, theta0), self._start_typed)

    def _start_typed(self: DebuggerScreen, theta0: tuple[float, ...] | None) -> None:
        if theta0 is None or not self._idle():
            return
        self.perform(Restart(theta0))

    def action_start(self: DebuggerScreen, direction: int) -> None:
        """Move the start of the selected parameter (a component of w, or b) and start
        again."""
        if not self._idle():
            return
        is_b = self.component == self.session.layout.n_w
        view = self.scenario.b_range if is_b else self.scenario.w_range
        size = (view[1] - view[0]) * START_FRACTION if view else START_STEP
        theta0 = self.session.theta0.copy()
        theta0[self.component] += direction * size
        self.perform(Restart(tuple(float(v) for v in theta0)))

    def action_optimizer(self: DebuggerScreen) -> None:
        """Choose the update rule."""
        from gdtui.ui.screens.optimizer_picker import OptimizerPicker

        if self._idle():
            self.app.push_screen(OptimizerPicker(self.session.optimizer.kind),
                                 self._optimizer_chosen)  # fmt: skip

    def _optimizer_chosen(self: DebuggerScreen, kind: str | None) -> None:
        if kind is None or not self._idle():
            return
        spec = self.scenario.optimizer
        params = spec.params.items() if kind == spec.kind else ()
        self.perform(SetOptimizer(kind, tuple(params)))

    def action_scenario(self: DebuggerScreen) -> None:
        """Choose another lesson."""
        from gdtui.ui.screens.scenario_picker import ScenarioPicker

        if self._idle():
            self.app.push_screen(ScenarioPicker(list_presets()), self._scenario_chosen)

    def _scenario_chosen(self: DebuggerScreen, name: str | None) -> None:
        if name is None or not self._idle():
            return
        try:
            self.perform(Load(name))
        except (ScenarioError, ValueError) as error:
            self.notify(
                str(error), title="Cannot open that scenario", severity="error", markup=False
            )

    def action_breakpoints(self: DebuggerScreen) -> None:
        """List the breakpoints and switch them on or off."""
        from gdtui.ui.screens.breakpoints import BreakpointsScreen

        if self._idle():
            self.app.push_screen(BreakpointsScreen(self.session.breakpoints),
                                 self._breakpoints_chosen)  # fmt: skip

    def _breakpoints_chosen(self: DebuggerScreen, enabled: tuple[bool, ...] | None) -> None:
        if enabled is None or not self._idle():
            return
        pairs = zip(self.session.breakpoints, enabled, strict=True)
        self.perform(SetBreakpoints(tuple((bp.when, on) for bp, on in pairs)))
