"""The debugger screen: one gradient descent run, stepped, rewound, run and explained.

The screen owns the session, and changes it one way: `perform(action)` applies an action
(`gdtui.lesson.actions`), records it, publishes it to a class when teaching and repaints for
the reason the action names. Keys, a student following the teacher and a replayed lesson
all come through it. Only the engine's own runs (`r`, and a long *continue* in a worker
thread, see `running`) step the session directly, and are recorded as the `Step` they made.

The keys live beside it by theme: `running` (r, c), `settings` (alpha, start, optimizer,
scenario, breakpoints), `following` (the classroom, a replay), `exporting` (e), `viewing`
(what is shown: views, projector, notes, the selected parameter, dw term by term, help) and
`predicting` (p: predict which way the next update goes before it is shown).

What the first screen does not show waits until it is asked for: each dialog is imported
by the key that opens it (tests/test_lazy_imports.py keeps them out of the start-up).
"""

from __future__ import annotations

import gc
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher
from textual.worker import Worker

from gdtui.build import build_session
from gdtui.classroom.link import ClassroomLink
from gdtui.engine.session import RunResult, Session
from gdtui.engine.snapshot import Snapshot
from gdtui.exports import ExportQuota
from gdtui.lesson.actions import (
    REWRITES,
    Action,
    Caption,
    DropGhost,
    KeepGhost,
    Load,
    Reason,
    Resume,
    ShowGhost,
    Step,
    apply,
    catch_up,
    open_resumed,
    open_scenario,
)
from gdtui.lesson.ghost import Ghost, from_shown, keep, shown
from gdtui.lesson.recording import load_of
from gdtui.scenario import Scenario
from gdtui.ui.adapters.textual import breakpoint_classes, placements_now, render_changed_rows
from gdtui.ui.classroom import Seat, join_classroom
from gdtui.ui.commands import DebuggerCommands, bindings
from gdtui.ui.format import (
    CONTINUING,
    ShownCause,
    catching_up,
    progress,
    run_state,
    shown_cause,
)
from gdtui.ui.layout import LEFT_MIN_WIDTH, TALL_HEIGHT, WIDE_WIDTH, arrange
from gdtui.ui.messages import Stepped
from gdtui.ui.replay import Player
from gdtui.ui.screens.exporting import Exporting
from gdtui.ui.screens.following import Following
from gdtui.ui.screens.predicting import Predicting
from gdtui.ui.screens.running import DEFAULT_SPEED, SPEEDS, Running
from gdtui.ui.screens.settings import Settings
from gdtui.ui.screens.viewing import Viewing
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

if TYPE_CHECKING:
    from gdtui.lesson.predict import Predict

#: New objects between the garbage collector's youngest passes while the screen is up
#: (Python's default is 700).
GC_YOUNGEST = 5_000

#: What the plot area can show, in the order `v` cycles through them (which of them it
#: offers depends on the size and the problem: see `gdtui.ui.layout.arrange`).
VIEWS: tuple[str, ...] = ("curve", "surface", "state", "history", "notes", "data")

#: The views that are plots.
PLOTS: frozenset[str] = frozenset({"curve", "surface", "history", "data"})

#: The views made when first shown: each plot builds a plotext figure, and composing
#: these three with the screen took some 50 ms of its first screen's 700 (CPU, 80x24); the
#: state and the notes are views only on a screen too narrow for the left column, and
#: their 7 widgets took some 12 ms of the 200 the screen's own start-up takes.
LATER: dict[str, type[Widget]] = {
    "surface": CostSurfacePlot,
    "state": StatePanel,
    "history": CostHistoryPlot,
    "notes": Notes,
    "data": DataPlot,
}

#: Border titles of the plot views.
VIEW_TITLES = {
    "curve": "cost curve",
    "surface": "cost surface (w, b)",
    "state": "state",
    "history": "cost history",
    "notes": "notes",
    "data": "data",
}


class DebuggerScreen(Running, Settings, Following, Exporting, Viewing, Predicting, Screen[None]):
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

    def __init__(
        self, scenario: Scenario, link: ClassroomLink | None = None, player: Player | None = None
    ) -> None:
        super().__init__()
        render_changed_rows(self)  # a step repaints a few rows: render those alone
        self.scenario = scenario
        """The lesson on screen."""
        self.seat = Seat(link)
        """Teacher, student or neither, in a classroom served over SSH."""
        self.player = player
        """The recorded lesson being replayed, if any."""
        self.session: Session = build_session(scenario)
        """Its run. Only the event loop touches it, except while a worker is `busy`."""
        self.last_result: RunResult | None = None
        """How the last run, continue or step ended, if it stopped for a reason."""
        self._timer: Timer | None = None
        self._worker: Worker[None] | None = None
        self.lesson: list[Action] = [load_of(scenario)]
        """What was done to this run since its scenario was loaded, as it happened."""
        self.inbox: deque[Action] = deque()
        """Student: the teacher's actions not performed yet (see `take_inbox`)."""
        self.catching_up_to = 0
        """Student: the step a catch-up in the worker goes to."""
        self.captions: dict[int, str] = dict(scenario.captions)
        """The run's narration by step: the scenario's, and those added with `;`."""
        self._caption = ""
        self.ghost: Ghost | None = None
        """A run kept to compare with (`m`): drawn behind the run while the scenario is its."""
        self._shown: tuple[Ghost, ShowGhost] | None = None
        self._reason: Reason = "scenario"
        self._pending: Reason | None = None
        self._collector: tuple[int, ...] | None = None
        """The collector's thresholds before this screen changed them, if it did."""
        self.exports = ExportQuota.from_environment()
        """What this session may still export (unlimited unless a server set a quota)."""
        self.predict: Predict | None = None
        """Predict mode's answers and score (`p`), or None when it is off."""
        self._resumed = False
        """Whether the screen has shown once (see `on_screen_resume`)."""
        self._written = 0
        """How many times the values were written (`_paint_values`)."""
        self._arranged: tuple[int, int, int] | None = None
        self._shown_cause: tuple[Snapshot, ShownCause | None] | None = None
        """The step `divergence` last told an overflow's cause for, and the cause."""
        """The size the panels were last arranged at, and `_written` then (see `_resized`)."""

    # -- building the screen -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Its size's classes before anything is styled: Textual gives them after the first
        # paint, restyling every widget (some 15 ms) and painting it all again.
        self.update_classes(breakpoint_classes(self, self.app.size), update=False)
        yield StatusLine(id="status")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield StatePanel(id="state")
                # The notes are made here when first shown (see `_make_notes`).
                yield CostHistoryPlot(id="history")
            with ContentSwitcher(initial="plot-curve", id="plot-view"):
                yield CostCurvePlot(id="plot-curve")
                # The other views are made when first shown (see `LATER`): where the left
                # column has no room, the state and the notes are views too.
        yield UpdatePanel(id="update")
        # The step log's row is made when the screen is first tall enough (`_make_bottom`).
        yield KeysFooter()

    def on_mount(self) -> None:
        # Looked up once: a step repaints these, and a query per step would cost.
        self.status_line = self.query_one(StatusLine)
        """The status line."""
        self.state_panel = self.query_one("#state", StatePanel)
        """w, b, dw, db and the cost."""
        self.state_view: StatePanel | None = None
        """The same, as a view of the plot area (on a screen too narrow for the left column),
        once first shown."""
        self.update_panel = self.query_one(UpdatePanel)
        """The update rule with numbers, and the verdict."""
        self.step_log = StepLog(id="log")
        """The last steps (on a tall screen: mounted once one shows it, see `_make_bottom`)."""
        self.notes_panels = list(self.query(Notes))
        """The notes panels made so far, each where the notes can sit (which one shows
        depends on the size; each is made when first shown)."""
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
        self._load(self.scenario, self.session, arrange=False)
        self._moved("scenario")
        # Arranged once, with the status and the update written (their heights count), and
        # the plots that this arrangement shows drawn (each once laid out).
        self._arrange()
        self._paint_plots()
        if self.seat.link is not None:
            self.run_worker(join_classroom(self), group="classroom", exclusive=True,
                            exit_on_error=False)  # fmt: skip
        self.call_after_refresh(self._tune_collector)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler. The first time the screen shows, every widget
        # was styled as it mounted, with the classes of its size and of the panels that fit
        # (`compose`, `_arrange`): Textual would restyle them all again (some 20 ms of the
        # first screen). Back from a dialog, it does, as it would.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _make_notes(self) -> None:
        """Make the notes of the left column the first time they show there (asked for with
        `i`, or where the history has no room): hidden otherwise, like the step log's row."""
        notes = Notes(id="notes")
        self.query_one("#left").mount(notes, before=self.history_panel)
        notes.call_later(self._fill, notes)

    def _make_bottom(self) -> None:
        """Make the step log's row, with the notes beside it on a wide screen, the first time
        the screen is tall enough: hidden on a smaller one, its 5 widgets took some 8 ms
        of the 200 the screen's own start-up takes (CPU, 80x24)."""
        notes = Notes(id="notes-wide")
        self.mount(Horizontal(self.step_log, notes, id="bottom"), before=self.query_one(KeysFooter))
        notes.call_later(self._fill, notes)
        self.call_after_refresh(self._paint_log)  # the log is drawn once laid out

    def laid_out_height(self, widget: Widget) -> int:
        """The height the screen's next layout gives `widget`, one of its children, at its
        size, with the classes and the text it has now (its last layout may have been at
        another size, or with a row since hidden)."""
        for placement in placements_now(self).placements:
            if placement.widget is widget:
                return placement.region.height
        return 0

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
        gc.enable()  # `gdtui` pauses it for the start-up (see `gdtui.__main__`)

    def on_unmount(self) -> None:
        if self._collector is not None:  # the screen that changed it puts it back
            gc.set_threshold(*self._collector)
        gc.unfreeze()

    def _load(self, scenario: Scenario, session: Session, *, arrange: bool = True) -> None:
        """Put a scenario on screen from its start (painted once the caller has done), the
        panels arranged for it unless `arrange` is False (the caller arranges them)."""
        self.scenario, self.session, self.last_result = scenario, session, None
        self.lesson = [load_of(scenario)]
        if self.ghost is not None and self.ghost.load != load_of(scenario):
            self.ghost = None
            self.notify("The ghost was a run of another scenario: dropped.", timeout=3)
        self.captions = dict(scenario.captions)
        self.step_log.forget()
        for notes in self.notes_panels:
            notes.show(scenario.description)
            notes.border_title = "notes"
        self.set_reactive(DebuggerScreen.component, 0)
        self.show_view("curve")
        if arrange:  # the new scenario may have no b, or a long w: lay out before painting
            self._arrange()

    def show_view(self, view: str) -> None:
        """Put `view` in the plot area without drawing it (the next paint does)."""
        self.set_reactive(DebuggerScreen.view, view)
        self._switch_to(view)

    def _switch_to(self, view: str) -> None:
        """Put `view` in the plot area (making its plot, the first time) and title it."""
        switcher = self.query_one(ContentSwitcher)
        if view in LATER and not switcher.query_children(f"#plot-{view}"):
            made = LATER[view](id=f"plot-{view}")
            switcher.mount(made)  # shown at once; a plot drawn once sized
            if isinstance(made, StatePanel):
                self.state_view = made
            if isinstance(made, (StatePanel, Notes)):  # once it has composed its own widgets
                made.call_later(self._fill, made)
        switcher.current = f"plot-{view}"
        self.query_one("#plot-view").border_title = VIEW_TITLES[view]

    def _fill(self, panel: StatePanel | Notes) -> None:
        """Fill a panel made after the screen started, as the others were filled then."""
        if isinstance(panel, Notes):
            self.notes_panels.append(panel)
            panel.show(self.scenario.description)
            panel.border_title = "notes"
            panel.caption(self._caption)
        elif self.view == "state" and self.snapshot is not None:
            panel.show(self.snapshot, None if self.busy else self._previous(), self.component,
                       self.asking, bool(self.busy))  # fmt: skip

    # -- performing actions --------------------------------------------------------------------

    def perform(self, action: Action, *, paint: bool = True) -> RunResult | Snapshot | None:
        """The one way the run changes: apply the action, record it, publish it when
        teaching, and repaint for the reason it implies.

        Keys, a student following the teacher and a replayed recording all come here. A step
        that could not move is neither recorded nor painted; it is explained instead.

        Args:
            action: What to do.
            paint: False to paint later, once for a burst (see `paint_pending`).

        Returns:
            What the session returned.

        Raises:
            ScenarioError: A `Load` names a scenario that cannot be read.
            ValueError: The session refuses the action (a bad alpha, a wrong-sized start).
        """
        result: RunResult | Snapshot | None = None
        before = self.session.current
        if isinstance(action, Load):
            self._load(*open_scenario(action))
        elif isinstance(action, Resume):
            # `_load` began the record with the scenario's Load, so that a lesson exported
            # from here replays (its Resume is then the next action).
            self._load(*open_resumed(action))
        else:
            result = apply(self.session, action)
        if isinstance(result, RunResult):
            self.last_result = result
            if not result.steps:
                self._explain_no_step(result)
                return result
            action = Step(result.steps)  # what happened: it may have stopped early
        elif action.reason in REWRITES:
            self.last_result = None
        elif isinstance(action, Caption):
            self.captions[action.step] = action.text
        elif isinstance(action, KeepGhost):
            self.ghost = keep(self.session, load_of(self.scenario))
        elif isinstance(action, DropGhost):
            self.ghost = None
        elif isinstance(action, ShowGhost):
            self.ghost = from_shown(action, load_of(self.scenario), self.session.layout.size)
        if not isinstance(action, Load):  # `_load` began the record with it
            self.lesson.append(action)
        self.seat.publish(action)
        self.predicted(before, action)
        if not isinstance(action, Caption):
            self.publish_state()
        if paint:
            self._moved(action.reason)
        else:
            self._pending = _stronger(self._pending, action.reason)
        return result

    def record(self, step: Step, *, publish: bool = True) -> None:
        """Record (and publish) updates the engine made itself, a run's or a continue's, as
        the `Step` they amount to.

        Args:
            step: The updates made.
            publish: False when they were published already (a continue's chunks, live).
        """
        self.lesson.append(step)
        if publish:
            self.seat.publish(step)
            self.publish_state()

    def publish_state(self) -> None:
        """Teacher: tell the hub where the run stands, for students who join late. Cheap:
        a checkpoint's numbers and two columns of the history (see `catch_up`)."""
        if self.seat.teacher:
            state = catch_up(load_of(self.scenario), self.session)
            # With the ghost, if it fits on the line: a student who joins later draws it too.
            ghost = [] if self.ghost is None else [self._shown_ghost(self.ghost)]
            if not (ghost and self.seat.publish_state([*state, *ghost])):
                self.seat.publish_state(state)

    def _shown_ghost(self, ghost: Ghost) -> ShowGhost:
        """The ghost as the action that shows it elsewhere, made once per ghost."""
        if self._shown is None or self._shown[0] is not ghost:
            self._shown = (ghost, shown(ghost))
        return self._shown[1]

    def paint_pending(self) -> None:
        """Paint once for the actions performed with `paint=False` since the last paint."""
        if self._pending is not None:
            reason, self._pending = self._pending, None
            self._moved(reason)

    # -- painting ------------------------------------------------------------------------------

    def _moved(self, reason: Reason) -> None:
        """The session's cursor (or its settings) changed: show its step."""
        if reason in REWRITES:
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
        self._paint_caption(new.step)
        self.post_message(Stepped(new.step, self._reason))

    def _paint_caption(self, step: int) -> None:
        """The caption of the last captioned step up to `step`, above the notes."""
        reached = [s for s in self.captions if s <= step]
        caption = self.captions[max(reached)] if reached else ""
        if caption != self._caption:
            self._caption = caption
            for notes in self.notes_panels:
                notes.caption(caption)

    def _paint_values(self, snapshot: Snapshot, previous: Snapshot | None) -> None:
        """The status line, the state panel and the update panel: cheap, from a snapshot."""
        self._written += 1
        self._paint_status()
        hide = self.asking
        running = bool(self.busy)
        self.state_panel.show(snapshot, previous, self.component, hide, running)
        if self.view == "state" and self.state_view is not None and self.state_view.is_mounted:
            self.state_view.show(snapshot, previous, self.component, hide, running)
        if self.busy:  # a worker holds the session: no look-ups in it
            self.update_panel.show(snapshot, self.component)
        elif self.asking and self.predict is not None:  # nothing may give the answer away
            self.update_panel.ask(
                snapshot, self.component, self.predict.pending(snapshot.step),
                self.predict.shown_at(snapshot.step), previous,
            )  # fmt: skip
        else:
            session = self.session
            landing = session.landing_cost(snapshot), session.landing_slope(snapshot)
            self.update_panel.show(
                snapshot, self.component, session.diverged, landing, self.divergence()
            )

    def divergence(self) -> ShownCause | None:
        """Why the update from the cursor's step cannot be made, as the screen tells it
        (`shown_cause`); None when it can."""
        session = self.session
        cause = session.divergence
        if cause != "overflow":
            return cause
        # Asked by the status line and the update panel at each paint; J where the step
        # lands is evaluated once for the step (on a large data set, a pass over it).
        current, kept = session.current, self._shown_cause
        if kept is None or kept[0] is not current:
            kept = (current, shown_cause(cause, current, session.landing_cost(current)))
            self._shown_cause = kept
        return kept[1]

    def _paint_status(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        short = ""
        if self.busy == "continue":
            tone, state = "running", progress(snapshot.step, self.session.max_steps)
            short = CONTINUING
        elif self.busy == "catch up":
            tone, state = "running", catching_up(snapshot.step, self.catching_up_to)
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
                cause=self.divergence(),
                # Looked up only when it is shown: it reads the whole grad-norm column.
                converged_at=self.session.converged_at(snapshot.step)
                if snapshot.grad_norm <= self.session.tolerance
                else None,
            )
        if answers := self.seat.answers(snapshot.step):  # beside the state: a line of its own
            state = f"{state} · {answers}"  # at 80 columns, so the step is never cut off
        self.status_line.show(
            Status(
                name=self.scenario.name,
                optimizer=snapshot.optimizer.kind,
                alpha=snapshot.alpha,
                step=snapshot.step,
                tone=tone,
                state=state,
                alpha_changed=snapshot.alpha != self.scenario.optimizer.alpha,
                classroom=self.player.status() if self.player else self.seat.status(),
                predict="" if self.predict is None else f"predict · {self.predict.score.text}",
                short=short,
            )
        )

    def _plot_options(self) -> dict[str, object]:
        return {
            "component": self.component,
            "tangent": self.tangent,
            "w_range": self.scenario.w_range,
            "b_range": self.scenario.b_range,
            "ghost": self.ghost,
            "hide_next": self.asking,
        }

    def _paint_plots(self) -> None:
        """Redraw the plots that are on screen (a hidden plot is drawn when it appears)."""
        if self.busy:
            return
        plot = self.query_one(f"#plot-{self.view}")
        if self.view == "history":
            plot.show(self.session, self.ghost)  # type: ignore[attr-defined]
        elif self.view in PLOTS:
            plot.show(self.session, **self._plot_options())  # type: ignore[attr-defined]
        if self.history_panel.display:  # drawn when laid out, if it is not yet
            self.history_panel.show(self.session, self.ghost)

    def _paint_log(self) -> None:
        bottom = self.step_log.parent
        if (
            not self.busy
            and isinstance(bottom, Widget)
            and bottom.display
            and self.step_log.size.height
        ):
            # The log shows one w component: the selected one, or the last when b is.
            self.step_log.show(self.session, min(self.component, self.session.layout.n_w - 1),
                               hide_next=self.asking)  # fmt: skip

    def on_resize(self) -> None:
        self.call_after_refresh(self._resized)

    def _resized(self) -> None:
        """Arrange the panels for the new size, as a fresh screen at that size would."""
        if self._arranged == (*self.size, self._written):
            # Arranged at this size with the values as they are: nothing to redo. A screen
            # that starts is sent its size three times (the app's, the terminal's, its first
            # layout's), and each wrote the values, arranged the panels, laid the screen out
            # and painted it once more, after the first screen was up.
            return
        if self.snapshot is not None and not self.busy:
            # The update's sentences are cut to its width, and its height is theirs: written
            # for the new width before the panels are measured. The same number of lines
            # asks for no layout, yet the old ones wrapped at the new width: lay it out.
            self._paint_values(self.snapshot, self._previous())
            self.update_panel.refresh(layout=True)
        self._arrange()
        # Panels hidden on a small terminal appear on a larger one: draw them once laid out.
        self.call_after_refresh(self._repaint)

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
        return self.session.snapshot(step - 1) if step > self.session.first else None

    def watch_view(self, view: str) -> None:
        self._switch_to(view)
        self._arrange()
        state = self.state_view
        if view == "state" and state is not None and state.is_mounted and self.snapshot:
            state.show(self.snapshot, self._previous(), self.component, hide_next=self.asking)
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
        if self.predict is not None:  # a run paused: predict asks again, where it stopped
            self._repaint()

    def watch_busy(self) -> None:
        self._paint_status()

    # -- guards --------------------------------------------------------------------------------

    def _idle(self) -> bool:
        """Whether the session is free for the main thread; stops an animation first."""
        if self.seat.following:
            self.notify("Following the teacher: x explores on your own.", timeout=3)
            return False
        if self.player is not None and self.player.following:
            self.notify("Replaying a lesson: n and b move through it, x explores on your own.",
                        timeout=3)  # fmt: skip
            return False
        if self.busy:
            what = {"continue": "continuing", "catch up": "catching up"}.get(self.busy, "exporting")
            self.notify(f"Still {what}: r pauses it first.", severity="warning", timeout=3)
            return False
        self._stop_animation()
        return True

    def _stop_animation(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.running = False

    # -- what is shown -------------------------------------------------------------------------

    def action_caption(self) -> None:
        """Narrate the step on screen: a caption, saved as an action."""
        from gdtui.ui.screens.caption_input import CaptionScreen

        if self._idle():
            step = self.session.current.step
            self.app.push_screen(CaptionScreen(step, self.captions.get(step, "")),
                                 partial(self._caption_typed, step))  # fmt: skip

    def _caption_typed(self, step: int, text: str | None) -> None:
        if text and self._idle():
            self.perform(Caption(step, text))

    def action_ghost(self) -> None:
        """Keep the run as it stands as a ghost, to compare with the next run."""
        if self._idle():
            self.perform(KeepGhost())
            self.notify(f"Kept this run ({self.session.last} steps) as a ghost, drawn as ○: "
                        "change alpha, the optimizer or the start and run again. M drops it.",
                        timeout=4)  # fmt: skip

    def action_drop_ghost(self) -> None:
        """Stop drawing the ghost."""
        if self.ghost is None:
            self.notify("No ghost to drop: m keeps the run as one.", timeout=2)
        elif self._idle():
            self.perform(DropGhost())


def _stronger(pending: Reason | None, reason: Reason) -> Reason:
    """The reason to paint a burst of actions for: one that rewrote the run wins, since what
    was drawn of the old run must go; otherwise the burst was a `follow`."""
    if reason in REWRITES:
        return reason
    return pending if pending in REWRITES and pending is not None else "follow"
