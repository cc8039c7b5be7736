"""The debugger screen: one gradient descent run, stepped, rewound, run and explained.

The screen owns the session. Everything that moves the run happens on the event loop,
except a long *continue*, which runs in a thread worker in short chunks; while it runs the
worker alone touches the session, and the screen draws from the frozen snapshots it posts.
"""

from __future__ import annotations

import gc
import io
import math
import re
import time
import zipfile
from pathlib import Path
from typing import ClassVar

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher
from textual.worker import Worker, get_current_worker

from gdtui.build import build_session
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.problems import DataProblem
from gdtui.engine.session import STOP_ON_DEFAULT, RunResult, Session
from gdtui.engine.snapshot import Snapshot
from gdtui.exports import ExportQuota, QuotaExceeded, QuotaFile
from gdtui.scenario import Scenario, ScenarioError, list_presets, load_scenario
from gdtui.serve import protocol
from gdtui.serve.classroom import ClassroomLink
from gdtui.serve.protocol import (
    Action,
    Back,
    Goto,
    Load,
    Reset,
    Restart,
    SetAlpha,
    SetBreakpoints,
    SetOptimizer,
    Step,
)
from gdtui.trace import write_trace
from gdtui.ui.classroom import Seat
from gdtui.ui.commands import DebuggerCommands, bindings
from gdtui.ui.format import (
    alpha_text,
    divergence_note,
    grouped,
    progress,
    run_state,
    shows_components,
)
from gdtui.ui.layout import LEFT_MIN_WIDTH, TALL_HEIGHT, WIDE_WIDTH, arrange
from gdtui.ui.messages import Exported, RunProgress, RunStopped, Stepped
from gdtui.ui.screens.alpha_input import AlphaScreen
from gdtui.ui.screens.breakpoints import BreakpointsScreen
from gdtui.ui.screens.dw_terms import TermsScreen
from gdtui.ui.screens.goto_step import GotoStepScreen
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.optimizer_picker import OptimizerPicker
from gdtui.ui.screens.scenario_picker import ScenarioPicker
from gdtui.ui.screens.start_input import StartScreen
from gdtui.ui.widgets.cost_curve import CostCurvePlot
from gdtui.ui.widgets.cost_history import CostHistoryPlot
from gdtui.ui.widgets.cost_surface import CostSurfacePlot
from gdtui.ui.widgets.data_plot import DataPlot
from gdtui.ui.widgets.footer import KeysFooter
from gdtui.ui.widgets.notes import Notes
from gdtui.ui.widgets.state_panel import StatePanel
from gdtui.ui.widgets.status_line import Status, StatusLine
from gdtui.ui.widgets.step_log import StepLog
from gdtui.ui.widgets.update_panel import UpdatePanel

#: Steps a second while running (`r`), from slowest to fastest (`<` and `>`).
SPEEDS: tuple[int, ...] = (1, 2, 5, 10, 20, 30, 60)

#: The speed a run starts at: an index into `SPEEDS`.
DEFAULT_SPEED = 2

#: `+` and `-` move alpha along 1, 2, 3, 5, 7 times a power of ten, within these bounds.
ALPHA_RUNGS: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0, 7.0)
ALPHA_MIN, ALPHA_MAX = 1e-6, 100.0

#: A continue's chunks aim at this many seconds, so pausing and quitting answer at once.
CHUNK_SECONDS = 0.03

#: New objects between the garbage collector's youngest passes while the screen is up
#: (Python's default is 700).
GC_YOUNGEST = 5_000

#: What the plot area can show, in the order `v` cycles through them (which of them it
#: offers depends on the size and the problem: see `gdtui.ui.layout.arrange`).
VIEWS: tuple[str, ...] = ("curve", "surface", "state", "history", "notes", "data")

#: The views that are plots.
PLOTS: frozenset[str] = frozenset({"curve", "surface", "history", "data"})

#: Border titles of the plot views.
VIEW_TITLES = {
    "curve": "cost curve",
    "surface": "cost surface (w, b)",
    "state": "state",
    "history": "cost history",
    "notes": "notes",
    "data": "data",
}

#: The teacher's actions that rewrite the run, and the repaint reason each one is.
FORGETTING: dict[type, str] = {
    SetAlpha: "alpha",
    SetOptimizer: "optimizer",
    Reset: "reset",
    Restart: "restart",
}

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


def file_stem(scenario: Scenario) -> str:
    """A name for files about this scenario: the preset or file name, safe for any disk."""
    stem = Path(scenario.path).stem if scenario.path else scenario.name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "scenario"


def zipped(paths: tuple[str, ...]) -> bytes:
    """The files at `paths` in one zip archive."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in paths:
            bundle.write(path, Path(path).name)
    return archive.getvalue()


class DebuggerScreen(Screen[None]):
    """The run on one screen: status, state, the update explained, plots, log and notes."""

    BINDINGS: ClassVar[list[BindingType]] = bindings()
    COMMANDS = {DebuggerCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-slim"), (LEFT_MIN_WIDTH, "-narrow"), (WIDE_WIDTH, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL_HEIGHT, "-tall")]

    snapshot: var[Snapshot | None] = var(None, init=False, always_update=True)
    """The step on screen (frozen; while continuing, the worker's latest)."""
    component: var[int] = var(0, init=False)
    """The selected parameter, as indexed in `theta`: a component of `w`, or `b` when it
    equals the number of `w` components."""
    view: var[str] = var("curve", init=False)
    """What the plot area shows: one of `VIEWS`."""
    tangent: var[bool] = var(True, init=False)
    """Whether the cost curve draws the slope as a tangent line."""
    notes: var[bool | None] = var(None, init=False)
    """Whether the teaching notes are shown; None leaves it to the screen's size (a large
    screen shows them)."""
    projector: var[bool] = var(False, init=False)
    """Whether the plot has the screen to itself, but for the status and the update (`z`)."""
    speed: var[int] = var(DEFAULT_SPEED, init=False)
    """How fast `r` runs: an index into `SPEEDS`."""
    running: var[bool] = var(False, init=False)
    """Whether the run is animating (`r`)."""
    busy: var[str] = var("", init=False)
    """What a worker is doing with the session (`continue`, `export`), or empty."""

    def __init__(self, scenario: Scenario, link: ClassroomLink | None = None) -> None:
        super().__init__()
        self.scenario = scenario
        """The lesson on screen."""
        self.seat = Seat(link)
        """Teacher, student or neither, in a classroom served over SSH."""
        self._follow_pending = False
        self._follow_reason = "follow"
        self.session: Session = build_session(scenario)
        """Its run. Only the event loop touches it, except while a worker is `busy`."""
        self.last_result: RunResult | None = None
        """How the last run, continue or step ended, if it stopped for a reason."""
        self._timer: Timer | None = None
        self._worker: Worker[None] | None = None
        self._reason = "scenario"
        self._collector: tuple[int, ...] | None = None
        """The collector's thresholds before this screen changed them, if it did."""
        self.exports = ExportQuota.from_environment()
        """What this session may still export (unlimited unless a server set a quota)."""

    # -- building the screen -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield StatePanel(id="state")
                yield Notes(id="notes")
                yield CostHistoryPlot(id="history")
            with ContentSwitcher(initial="plot-curve", id="plot-view"):
                yield CostCurvePlot(id="plot-curve")
                yield CostSurfacePlot(id="plot-surface")
                # Where the left column has no room, the state and the notes are views.
                yield StatePanel(id="plot-state")
                yield CostHistoryPlot(id="plot-history")
                yield Notes(id="plot-notes")
                yield DataPlot(id="plot-data")
        yield UpdatePanel(id="update")
        with Horizontal(id="bottom"):
            yield StepLog(id="log")
            yield Notes(id="notes-wide")
        yield KeysFooter()

    def on_mount(self) -> None:
        # Looked up once: a step repaints these, and a query per step would cost.
        self.status_line = self.query_one(StatusLine)
        """The status line."""
        self.state_panel = self.query_one("#state", StatePanel)
        """w, b, dw, db and the cost."""
        self.state_view = self.query_one("#plot-state", StatePanel)
        """The same, as a view of the plot area (on a screen too narrow for the left column)."""
        self.update_panel = self.query_one(UpdatePanel)
        """The update rule with numbers, and the verdict."""
        self.step_log = self.query_one(StepLog)
        """The last steps (on a tall screen)."""
        self.notes_panels = list(self.query(Notes))
        """The places the notes can sit (which one shows depends on the size)."""
        self.arrangement = arrange(self.size.width, self.size.height, view="curve", notes=None,
                                   projector=False, has_b=True, left_room=0)  # fmt: skip
        """What is shown besides the plot and the update, for this size."""
        self.history_panel = self.query_one("#history", CostHistoryPlot)
        """The cost history beside the state."""
        self.state_panel.border_title = "state"
        self.update_panel.border_title = "the next update"
        self.step_log.border_title = "step log"
        self.history_panel.border_title = "cost history"
        self.query_one("#plot-view").border_title = VIEW_TITLES["curve"]
        self._load(self.scenario, self.session)
        if self.seat.link is not None:
            self._join_classroom()
        self.call_after_refresh(self._tune_collector)

    def _tune_collector(self) -> None:
        """Keep Python's garbage collector out of the way of a step.

        Its full pass walks every object the app started with (Textual's and numpy's, some
        70,000) and took 40-90 ms, the slowest key in fifty: they live as long as the
        screen, so they are frozen out of its sight. And its youngest pass, every 700 new
        objects, ran twice a step on figures still in use; every 5,000 it finds most of a
        step's objects already freed, at a third of the cost.
        """
        if gc.get_threshold()[0] != GC_YOUNGEST:  # unless another screen did already
            self._collector = gc.get_threshold()
            gc.set_threshold(GC_YOUNGEST, *self._collector[1:])
        gc.freeze()

    def on_unmount(self) -> None:
        if self._collector is not None:  # the screen that changed it puts it back
            gc.set_threshold(*self._collector)
        gc.unfreeze()

    def _load(self, scenario: Scenario, session: Session) -> None:
        """Show a scenario from its start."""
        self.scenario, self.session, self.last_result = scenario, session, None
        self.step_log.forget()
        for notes in self.notes_panels:
            notes.show(scenario.description)
            notes.border_title = "notes"
        self.set_reactive(DebuggerScreen.component, 0)
        self.set_reactive(DebuggerScreen.view, "curve")
        self.query_one(ContentSwitcher).current = "plot-curve"
        self.query_one("#plot-view").border_title = VIEW_TITLES["curve"]
        self._arrange()
        self._moved("scenario")

    # -- painting ------------------------------------------------------------------------------

    def _moved(self, reason: str) -> None:
        """The session's cursor (or its settings) changed: show its step."""
        if reason in {"alpha", "optimizer", "reset", "restart", "scenario"}:
            self.step_log.forget()
            for history in self.query(CostHistoryPlot):
                history.forget()
        self._reason = reason
        self.snapshot = self.session.current

    def watch_snapshot(self, old: Snapshot | None, new: Snapshot | None) -> None:
        if new is None:
            return
        if self.busy:
            self._paint_values(new, None)
            return
        # One step forward: the old snapshot is the previous step, no need to rebuild it
        # (unless a burst of the teacher's actions replaced the run in between).
        if old is not None and new.step == old.step + 1 and self._reason in {"step", "run"}:
            previous: Snapshot | None = old
        else:
            previous = self._previous()
        self._paint_values(new, previous)
        self._paint_plots()
        self._paint_log()
        self.post_message(Stepped(new.step, self._reason))

    def _paint_values(self, snapshot: Snapshot, previous: Snapshot | None) -> None:
        """The status line, the state panel and the update panel: cheap, from a snapshot."""
        self._paint_status()
        self.state_panel.show(snapshot, previous, self.component)
        if self.view == "state":
            self.state_view.show(snapshot, previous, self.component)
        if self.busy:  # a worker holds the session: no look-ups in it
            self.update_panel.show(snapshot, self.component)
        else:
            session = self.session
            landing = session.landing_cost(snapshot), session.landing_slope(snapshot)
            self.update_panel.show(
                snapshot, self.component, session.diverged, landing, session.divergence
            )

    def _paint_status(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        if self.busy == "continue":
            tone, state = "running", progress(snapshot.step, self.session.max_steps)
        elif self.busy == "export":
            tone, state = "running", "exporting the trace…"
        elif self.running:
            tone = "running"
            state = f"▶ running, {SPEEDS[self.speed]} steps/s"
        else:
            whens = set(self.session.hits(snapshot.step))
            hits = [(bp.when, bp.description) for bp in self.session.breakpoints
                    if bp.enabled and bp.when in whens]  # fmt: skip
            tone, state = run_state(
                snapshot,
                diverged=self.session.diverged,
                tolerance=self.session.tolerance,
                max_steps=self.session.max_steps,
                hits=hits,
                cause=self.session.divergence,
                # Looked up only when it is shown: it reads the whole grad-norm column.
                converged_at=self.session.converged_at(snapshot.step)
                if snapshot.grad_norm <= self.session.tolerance
                else None,
            )
        self.status_line.show(
            Status(
                name=self.scenario.name,
                optimizer=snapshot.optimizer.kind,
                alpha=snapshot.alpha,
                step=snapshot.step,
                tone=tone,
                state=state,
                alpha_changed=snapshot.alpha != self.scenario.optimizer.alpha,
                classroom=self.seat.status(),
            )
        )

    def _plot_options(self) -> dict[str, object]:
        return {
            "component": self.component,
            "tangent": self.tangent,
            "w_range": self.scenario.w_range,
            "b_range": self.scenario.b_range,
        }

    def _paint_plots(self) -> None:
        """Redraw the plots that are on screen (a hidden plot is drawn when it appears)."""
        if self.busy:
            return
        plot = self.query_one(f"#plot-{self.view}")
        if self.view == "history":
            plot.show(self.session)  # type: ignore[attr-defined]
        elif self.view in PLOTS:
            plot.show(self.session, **self._plot_options())  # type: ignore[attr-defined]
        if self.history_panel.display:  # drawn when laid out, if it is not yet
            self.history_panel.show(self.session)

    def _paint_log(self) -> None:
        if not self.busy and self.query_one("#bottom").display and self.step_log.size.height:
            # The log shows one w component: the selected one, or the last when b is.
            self.step_log.show(self.session, min(self.component, self.session.layout.n_w - 1))

    def on_resize(self) -> None:
        # Panels hidden on a small terminal appear on a larger one: draw them once laid out.
        self.call_after_refresh(self._arrange)
        self.call_after_refresh(self._repaint)

    def _arrange(self) -> None:
        """Show the panels that fit this size, and hide the others (see `arrange`)."""
        layout = self.session.layout
        # The state panel's height, known before it is laid out: border, one row each for
        # w (or the norms), b, the cost and its change, and the rows of a vector w.
        state = 2 + 3 + layout.has_b
        if shows_components(layout):
            state += min(layout.n_w, 16 if self.size.height >= TALL_HEIGHT else 8)
        main = self.query_one("#main").size.height
        arrangement = arrange(
            self.size.width,
            self.size.height,
            view=self.view,
            notes=self.notes,
            projector=self.projector,
            has_b=layout.has_b,
            left_room=main - state,
        )
        self.arrangement = arrangement
        self.set_class(not arrangement.left, "-no-left")
        self.set_class(arrangement.history, "-history-left")
        self.set_class(arrangement.notes == "left", "-notes-left")
        self.set_class(arrangement.notes == "bottom", "-notes-bottom")
        self.set_class(arrangement.bottom, "-bottom")
        self.set_class(self.projector, "-projector")
        self.query_one("#plot-view").border_subtitle = arrangement.hint
        if self.view not in self.views:
            self.view = "curve"

    def _repaint(self) -> None:
        if self.snapshot is not None and not self.busy:
            self._paint_values(self.snapshot, self._previous())
            self._paint_plots()
            self._paint_log()

    # -- watchers ------------------------------------------------------------------------------

    def watch_component(self) -> None:
        if self.snapshot is not None:
            self._paint_values(self.snapshot, None if self.busy else self._previous())
            self._paint_plots()
            self._paint_log()

    def _previous(self) -> Snapshot | None:
        step = self.session.current.step
        return self.session.snapshot(step - 1) if step > 0 else None

    def watch_view(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = f"plot-{view}"
        self.query_one("#plot-view").border_title = VIEW_TITLES[view]
        self._arrange()
        if view == "state" and self.snapshot is not None:
            self.state_view.show(self.snapshot, self._previous(), self.component)
        self._paint_plots()

    def watch_tangent(self) -> None:
        self._paint_plots()

    def watch_notes(self) -> None:
        self._arrange()

    def watch_projector(self) -> None:
        self._arrange()
        self.call_after_refresh(self._repaint)

    def watch_running(self) -> None:
        self._paint_status()

    def watch_busy(self) -> None:
        self._paint_status()

    # -- guards --------------------------------------------------------------------------------

    def _idle(self) -> bool:
        """Whether the session is free for the main thread; stops an animation first."""
        if self.seat.following:
            self.notify("Following the teacher: x explores on your own.", timeout=3)
            return False
        if self.busy:
            what = "continuing" if self.busy == "continue" else "exporting"
            self.notify(f"Still {what}: r pauses it first.", severity="warning", timeout=3)
            return False
        self._stop_animation()
        return True

    def _stop_animation(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.running = False

    # -- moving through the run ----------------------------------------------------------------

    def action_step(self) -> None:
        """One update forward."""
        if not self._idle():
            return
        result = self.session.step(1)
        self.last_result = result
        if result.steps:
            self.seat.publish(Step(result.steps))
            self._moved("step")
        else:
            self._explain_no_step(result)

    def _explain_no_step(self, result: RunResult) -> None:
        if result.status == "diverged":
            self._repaint()  # the step was refused just now: the panels say why
            self.notify(divergence_note(self.session.divergence or "overflow",
                                        self.session.current),
                        severity="warning", timeout=4, markup=False)  # fmt: skip
        elif result.status == "max_steps":
            self.notify(f"This scenario stops at max_steps = {grouped(self.session.max_steps)}.",
                        severity="warning", timeout=4)  # fmt: skip
        elif result.status == "converged":
            self.notify("Already converged: the slope is (almost) zero.", timeout=3)

    def action_back(self) -> None:
        """One step back."""
        if not self._idle():
            return
        if self.session.current.step == 0:
            self.notify("Already at step 0, the start.", timeout=2)
            return
        self.session.back(1)
        self.seat.publish(Back(1))
        self._moved("back")

    def action_reset(self) -> None:
        """Back to step 0, forgetting the run."""
        if self._idle():
            self.session.reset()
            self.seat.publish(Reset())
            self.last_result = None
            self._moved("reset")

    def action_goto(self) -> None:
        """Ask for a step and go there."""
        if not self._idle():
            return
        current, last = self.session.current.step, self.session.last
        self.app.push_screen(
            GotoStepScreen(current, last, self.session.max_steps), self._goto_chosen
        )

    def _goto_chosen(self, step: int | None) -> None:
        if step is None or not self._idle():
            return
        if step <= self.session.last:
            self.session.goto(step)
            self.seat.publish(Goto(step))
            self._moved("goto")
        else:
            self._start_worker(step - self.session.current.step, frozenset(), "goto")

    def action_run(self) -> None:
        """Animate the run one drawn step at a time; pause it (or a continue) if running."""
        if self.busy == "continue":
            self._cancel_worker()
            return
        if self.busy or self.seat.following:
            self._idle()
            return
        if self.running:
            self._stop_animation()
            return
        self.running = True
        self._timer = self.set_interval(1 / SPEEDS[self.speed], self._tick)

    def _tick(self) -> None:
        result = self.session.run(limit=1)
        if result.steps:
            self.seat.publish(Step(result.steps))
            self._moved("run")
        if result.status != "steps_done":
            self.last_result = result
            self._stop_animation()
            if not result.steps:
                self._explain_no_step(result)

    def action_speed(self, direction: int) -> None:
        """Run faster or slower."""
        self.speed = min(max(self.speed + direction, 0), len(SPEEDS) - 1)
        if self._timer is not None:
            self._timer.stop()
            self._timer = self.set_interval(1 / SPEEDS[self.speed], self._tick)
            self._paint_status()
        else:
            self.notify(f"Runs at {SPEEDS[self.speed]} steps a second.", timeout=2)

    def action_continue(self) -> None:
        """Run until a breakpoint, convergence, divergence or max steps."""
        if self._idle():
            self._start_worker(None, STOP_ON_DEFAULT, "continue")

    # -- the worker ----------------------------------------------------------------------------

    def _start_worker(self, limit: int | None, stop_on: frozenset[str], reason: str) -> None:
        self._reason = reason
        self.busy = "continue"
        self._worker = self._continue_in_thread(limit, stop_on)

    def _cancel_worker(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    @work(thread=True, exit_on_error=False, group="session")
    def _continue_in_thread(self, limit: int | None, stop_on: frozenset[str]) -> None:
        """Continue in chunks sized to take `CHUNK_SECONDS`, posting progress between them.

        The session belongs to this thread until `RunStopped` is posted, whatever happens.
        """
        worker = get_current_worker()
        session = self.session
        result: RunResult | None = None
        chunk, remaining, steps = 4, limit, 0
        error = None
        try:
            while not worker.is_cancelled:
                size = chunk if remaining is None else min(chunk, remaining)
                started = time.perf_counter()
                part = session.run(size, stop_on)
                steps += part.steps
                if part.steps and self.seat.teacher:
                    # What happened, not what was asked: the same updates, replayed.
                    self.app.call_from_thread(self.seat.publish, Step(part.steps))
                result = RunResult(part.status, steps, part.step, part.breakpoint)
                if remaining is not None:
                    remaining -= part.steps
                if part.status != "steps_done" or remaining == 0:
                    break
                elapsed = time.perf_counter() - started
                chunk = max(16, min(int(chunk * CHUNK_SECONDS / max(elapsed, 1e-6)), 4 * chunk))
                self.post_message(RunProgress(session.current))
        except Exception as exc:  # the engine failing must not leave the screen busy
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self.post_message(RunStopped(result, worker.is_cancelled, error))

    @on(RunProgress)
    def _progress(self, message: RunProgress) -> None:
        if self.busy == "continue":
            self.snapshot = message.snapshot

    @on(RunStopped)
    def _stopped(self, message: RunStopped) -> None:
        self.busy = ""
        self._worker = None
        if message.error:
            self.notify(message.error, title="The run failed", severity="error", markup=False)
        if message.result is not None and not message.cancelled:
            self.last_result = message.result
            if not message.result.steps:
                self._explain_no_step(message.result)
        self._moved(self._reason)

    # -- settings ------------------------------------------------------------------------------

    def action_alpha(self, direction: int) -> None:
        """A larger or smaller learning rate, from the next step on."""
        if not self._idle():
            return
        alpha = self.session.alpha
        new = next_alpha(alpha, direction)
        if new == alpha:
            self.notify(f"alpha stays {alpha_text(alpha)}: that is the limit.", timeout=2)
            return
        self.session.set_alpha(new)
        self.seat.publish(SetAlpha(new))
        self._moved("alpha")

    def action_set_alpha(self) -> None:
        """Ask for an exact learning rate."""
        if self._idle():
            self.app.push_screen(AlphaScreen(self.session.alpha), self._alpha_typed)

    def _alpha_typed(self, alpha: float | None) -> None:
        if alpha is None or not self._idle() or alpha == self.session.alpha:
            return
        self.session.set_alpha(alpha)
        self.seat.publish(SetAlpha(alpha))
        self._moved("alpha")

    def action_set_start(self) -> None:
        """Ask for an exact start point."""
        if self._idle():
            theta0 = tuple(float(v) for v in self.session.theta0)
            self.app.push_screen(StartScreen(self.session.layout, theta0), self._start_typed)

    def _start_typed(self, theta0: tuple[float, ...] | None) -> None:
        if theta0 is None or not self._idle():
            return
        self.session.restart(np.array(theta0))
        self.seat.publish(Restart(theta0))
        self.last_result = None
        self._moved("restart")

    def action_start(self, direction: int) -> None:
        """Move the start of the selected parameter (a component of w, or b) and start
        again."""
        if not self._idle():
            return
        is_b = self.component == self.session.layout.n_w
        view = self.scenario.b_range if is_b else self.scenario.w_range
        size = (view[1] - view[0]) * START_FRACTION if view else START_STEP
        theta0 = self.session.theta0.copy()
        theta0[self.component] += direction * size
        self.session.restart(theta0)
        self.seat.publish(Restart(tuple(float(v) for v in theta0)))
        self.last_result = None
        self._moved("restart")

    def action_optimizer(self) -> None:
        """Choose the update rule."""
        if self._idle():
            self.app.push_screen(OptimizerPicker(self.session.optimizer.kind),
                                 self._optimizer_chosen)  # fmt: skip

    def _optimizer_chosen(self, kind: str | None) -> None:
        if kind is None or not self._idle():
            return
        spec = self.scenario.optimizer
        params = dict(spec.params) if kind == spec.kind else {}
        self.session.set_optimizer(Optimizer(kind, params))
        self.seat.publish(SetOptimizer(kind, tuple(params.items())))
        self._moved("optimizer")

    def action_scenario(self) -> None:
        """Choose another lesson."""
        if self._idle():
            self.app.push_screen(ScenarioPicker(list_presets()), self._scenario_chosen)

    def _scenario_chosen(self, name: str | None) -> None:
        if name is None or not self._idle():
            return
        try:
            scenario = load_scenario(name)
            session = build_session(scenario)
        except (ScenarioError, ValueError) as error:
            self.notify(
                str(error), title="Cannot open that scenario", severity="error", markup=False
            )
            return
        self._load(scenario, session)
        self.seat.publish(Load(*scenario.source))

    def action_breakpoints(self) -> None:
        """List the breakpoints and switch them on or off."""
        if self._idle():
            self.app.push_screen(BreakpointsScreen(self.session.breakpoints),
                                 self._breakpoints_chosen)  # fmt: skip

    def _breakpoints_chosen(self, enabled: tuple[bool, ...] | None) -> None:
        if enabled is None or not self._idle():
            return
        self.session.set_breakpoints(
            bp if bp.enabled == on else bp.toggled()
            for bp, on in zip(self.session.breakpoints, enabled, strict=True)
        )
        self.seat.publish(
            SetBreakpoints(tuple((bp.when, bp.enabled) for bp in self.session.breakpoints))
        )
        self._paint_status()

    # -- what is shown -------------------------------------------------------------------------

    def action_component(self, direction: int) -> None:
        """Select another parameter to plot: a component of w, or b (after the last)."""
        layout = self.session.layout
        n = layout.n_w + (1 if layout.has_b else 0)
        if n == 1:
            self.notify("w is a single number and there is no b: no other parameter to plot.",
                        timeout=2)  # fmt: skip
            return
        self.component = min(max(self.component + direction, 0), n - 1)

    def action_view(self) -> None:
        """Show the next plot view."""
        views = self.views
        at = views.index(self.view) if self.view in views else -1
        self.view = views[(at + 1) % len(views)]

    def action_projector(self) -> None:
        """Give the plot the whole screen but the status and the update; again, give it back."""
        self.projector = not self.projector

    @property
    def views(self) -> tuple[str, ...]:
        """What `v` cycles through: what fits the screen, and the data of a problem on data."""
        data = ("data",) if isinstance(self.session.problem, DataProblem) else ()
        return (*self.arrangement.views, *data)

    def action_terms(self) -> None:
        """Write the selected slope as the average of one term per example."""
        if not isinstance(self.session.problem, DataProblem):
            self.notify("dw here is the derivative of a formula in w: there are no examples "
                        "to add up.", timeout=3)  # fmt: skip
            return
        snapshot = self.snapshot or self.session.current
        self.app.push_screen(TermsScreen(self.session.problem, snapshot, self.component))

    def action_tangent(self) -> None:
        """Draw the tangent line, or not."""
        self.tangent = not self.tangent

    @property
    def notes_panel(self) -> Notes | None:
        """The notes panel on screen, if any (where it sits depends on the screen's size)."""
        return next((notes for notes in self.notes_panels if notes.display), None)

    def action_notes(self) -> None:
        """Show or hide the teaching notes."""
        if self.projector:
            self.notify("The plot has the screen: z brings the notes back.", timeout=3)
        elif not self.arrangement.left:  # too narrow for a column: the notes are a view
            self.notes = None
            self.view = "curve" if self.view == "notes" else "notes"
        else:
            self.notes = self.notes_panel is None

    def action_scroll_notes(self, direction: int) -> None:
        """Scroll the notes on screen a page up or down."""
        notes = self.notes_panel
        if notes is None:
            self.notify("The notes are not on screen: i shows them.", timeout=2)
        elif direction > 0:
            notes.scroll_page_down(animate=False)
        else:
            notes.scroll_page_up(animate=False)

    def action_help(self) -> None:
        """The keys and the lesson's ideas."""
        self.app.push_screen(HelpScreen(self.session.breakpoints))

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        """Write the trace as CSV and JSONL, and the screen as SVG, in the current folder.

        On a server the app runs in the session's own folder, and the quota the server set
        (count and bytes) bounds what one student can write.
        """
        if not self._idle():
            return
        try:
            self.exports.start()
        except QuotaExceeded as refusal:
            self.notify(str(refusal), title="Not exported", severity="warning", timeout=8,
                        markup=False)  # fmt: skip
            return
        stem = f"gdtui-trace-{file_stem(self.scenario)}-step{self.session.current.step}"
        self.busy = "export"
        self._export_in_thread(stem, self.app.export_screenshot())

    @work(thread=True, exit_on_error=False, group="session")
    def _export_in_thread(self, stem: str, svg: str) -> None:
        paths: list[str] = []
        error = None
        try:
            for fmt in ("svg", "csv", "jsonl"):
                path = f"{stem}.{fmt}"
                with QuotaFile(path, self.exports) as stream:
                    if fmt == "svg":
                        stream.write(svg)
                    else:
                        write_trace(self.session, stream, fmt)  # type: ignore[arg-type]
                paths.append(path)
        except QuotaExceeded as exc:
            error = str(exc)
        except Exception as exc:  # a full disk must not leave the screen busy
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self.post_message(Exported(tuple(paths), error))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.busy = ""
        if message.error:
            self.notify(message.error, title="Export failed", severity="error", markup=False)
        elif self.app.is_web:
            # In a browser the files are on the server, in a folder that goes with the tab:
            # send them to the browser instead, as one download (a page may start only one
            # download per key press).
            name = f"{Path(message.paths[0]).stem}.zip"
            self.app.deliver_binary(io.BytesIO(zipped(message.paths)), save_filename=name)
            self.notify(f"{name} (SVG, CSV and JSONL): sent to your browser's downloads",
                        title="Exported", timeout=6, markup=False)  # fmt: skip
        else:
            self.notify("\n".join(message.paths), title="Exported", timeout=6, markup=False)

    # -- the classroom -------------------------------------------------------------------------

    @work(exclusive=True, group="classroom", exit_on_error=False)
    async def _join_classroom(self) -> None:
        """Connect to the hub; then publish (teacher) or follow (student) until it ends."""
        link = self.seat.link
        assert link is not None
        try:
            await link.connect()
        except OSError:
            self.seat.link = None
            self.notify("The classroom is not reachable: working on your own.", timeout=5)
            self._paint_status()
            return
        if self.seat.teacher:
            link.publish_nowait(Load(*self.scenario.source))
            async for counts in link.counts():
                self.seat.counts = counts
                self._paint_status()
        else:
            async for action in link.actions():
                self._teacher_did(action)
        self.seat.link = None
        self._paint_status()

    def _teacher_did(self, action: Action) -> None:
        """Student: perform the teacher's operation here too, while following."""
        if not self.seat.following or self.busy:
            return
        try:
            if isinstance(action, Load):
                self._load(*protocol.open_scenario(action))
                return
            protocol.apply(self.session, action)
        except (ScenarioError, ValueError) as error:
            self.notify(
                str(error), title="Cannot follow the teacher", severity="error", markup=False
            )
            return
        # These rewrite the recorded run, as on the teacher's screen: paint for the same
        # reason, so what was drawn of the old run (the step log's rows) goes here too.
        forgets = FORGETTING.get(type(action))
        if forgets is not None:
            self._follow_reason = forgets
        # A backlog arrives in one burst: paint once it has been applied, not per action.
        if not self._follow_pending:
            self._follow_pending = True
            self.call_later(self._follow_painted)

    def _follow_painted(self) -> None:
        self._follow_pending = False
        reason, self._follow_reason = self._follow_reason, "follow"
        self._moved(reason)

    def action_explore(self) -> None:
        """Student: stop following the teacher and drive this run."""
        if not self.seat.student:
            self.notify("x and f are for a class following its teacher over ssh.", timeout=3)
        elif not self.seat.following:
            self.notify("Already exploring: f follows the teacher again.", timeout=2)
        else:
            self.seat.follow(False)
            self._paint_status()
            self.notify("Exploring on your own: every key works. f follows again.", timeout=3)

    def action_follow(self) -> None:
        """Student: jump back to the teacher's run and follow it live."""
        if not self.seat.student:
            self.notify("x and f are for a class following its teacher over ssh.", timeout=3)
        elif self.seat.following:
            self.notify("Already following the teacher.", timeout=2)
        elif self._idle():
            # The hub resends the teacher's stream from its Load: the run is rebuilt.
            self.seat.follow(True)
            self._paint_status()
