"""Moving through the run: a step, back, reset, go to; `r` animates, `c` continues.

While a continue runs, the worker alone touches the session, in short chunks; the screen
draws from the frozen snapshots it posts. A teacher's screen publishes each chunk as the
`Step` it made, live; the whole continue is recorded as one `Step` when it ends.
"""

# mypy: disable-error-code="misc"
# (the methods are the debugger screen's: their `self` is one, which mypy calls an error)
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from gdtui.engine.session import STOP_ON_DEFAULT, RunResult
from gdtui.engine.snapshot import Snapshot
from gdtui.lesson.actions import Action, Back, Goto, Reason, Reset, Step, catch_up
from gdtui.lesson.recording import load_of
from gdtui.ui.format import divergence_note, grouped
from gdtui.ui.messages import RunProgress, RunStopped

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.worker import Worker

    from gdtui.ui.screens.debugger import DebuggerScreen

#: Steps a second while running (`r`), from slowest to fastest (`<` and `>`).
SPEEDS: tuple[int, ...] = (1, 2, 5, 10, 20, 30, 60)

#: The speed a run starts at: an index into `SPEEDS`.
DEFAULT_SPEED = 2

#: A continue's chunks aim at this many seconds, so pausing and quitting answer at once.
CHUNK_SECONDS = 0.03


class Running:
    """Moving through the run: `n`, `b`, `0`, `g`, and the engine's own runs, `r` and `c`."""

    if TYPE_CHECKING:  # the screen's own, set here too
        snapshot: Snapshot | None
        last_result: RunResult | None
        _timer: Timer | None
        _worker: Worker[None] | None

    def action_step(self: DebuggerScreen) -> None:
        """One update forward (in a replay: the recording's next action)."""
        if self.player is not None and self.player.following:
            self._replay_next()
        elif self._idle():
            self.perform(Step(1))

    def _explain_no_step(self: DebuggerScreen, result: RunResult) -> None:
        if result.status == "diverged":
            self._repaint()  # the step was refused just now: the panels say why
            self.notify(divergence_note(self.divergence() or "overflow", self.session.current),
                        severity="warning", timeout=4, markup=False)  # fmt: skip
        elif result.status == "max_steps":
            self.notify(f"This scenario stops at max_steps = {grouped(self.session.max_steps)}.",
                        severity="warning", timeout=4)  # fmt: skip
        elif result.status == "converged":
            self.notify("Already converged: the slope is (almost) zero.", timeout=3)

    def action_back(self: DebuggerScreen) -> None:
        """One step back (in a replay: one action back)."""
        if self.player is not None and self.player.following:
            self._replay_back()
            return
        if not self._idle():
            return
        if self.session.current.step == 0:
            self.notify("Already at step 0, the start.", timeout=2)
            return
        if self.session.current.step == self.session.first:
            self.notify(f"This run starts at step {grouped(self.session.first)}, where you "
                        "joined the class: the steps before it are on the teacher's screen.",
                        timeout=4)  # fmt: skip
            return
        self.perform(Back(1))

    def action_reset(self: DebuggerScreen) -> None:
        """Back to step 0, forgetting the run."""
        if self._idle():
            self.perform(Reset())

    def action_goto(self: DebuggerScreen) -> None:
        """Ask for a step and go there."""
        from gdtui.ui.screens.goto_step import GotoStepScreen

        if not self._idle():
            return
        current, last = self.session.current.step, self.session.last
        self.app.push_screen(
            GotoStepScreen(current, last, self.session.max_steps, self.session.first),
            self._goto_chosen,
        )

    def _goto_chosen(self: DebuggerScreen, step: int | None) -> None:
        if step is None or not self._idle():
            return
        if step <= self.session.last:
            self.perform(Goto(step))
        else:
            self._start_worker(step - self.session.current.step, frozenset(), "goto")

    def action_run(self: DebuggerScreen) -> None:
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

    def _tick(self: DebuggerScreen) -> None:
        # A run stops where a continue would (breakpoints, convergence), which `Step` does
        # not: the engine runs it, and it is recorded as the step it made.
        result = self.session.run(limit=1)
        if result.steps:
            self.record(Step(result.steps))
            self._moved("run")
        if result.status != "steps_done":
            self.last_result = result
            self._stop_animation()
            if not result.steps:
                self._explain_no_step(result)

    def action_speed(self: DebuggerScreen, direction: int) -> None:
        """Run faster or slower."""
        self.speed = min(max(self.speed + direction, 0), len(SPEEDS) - 1)
        if self._timer is not None:
            self._timer.stop()
            self._timer = self.set_interval(1 / SPEEDS[self.speed], self._tick)
            self._paint_status()
        else:
            self.notify(f"Runs at {SPEEDS[self.speed]} steps a second.", timeout=2)

    def action_continue(self: DebuggerScreen) -> None:
        """Run until a breakpoint, convergence, divergence or max steps."""
        if self._idle():
            self._start_worker(None, STOP_ON_DEFAULT, "continue")

    def _start_worker(
        self: DebuggerScreen,
        limit: int | None,
        stop_on: frozenset[str],
        reason: Reason,
        busy: str = "continue",
    ) -> None:
        self._reason = reason
        self.busy = busy
        self._worker = self._continue_in_thread(limit, stop_on)

    def _cancel_worker(self: DebuggerScreen) -> None:
        if self._worker is not None:
            self._worker.cancel()

    @work(thread=True, exit_on_error=False, group="session")
    def _continue_in_thread(
        self: DebuggerScreen, limit: int | None, stop_on: frozenset[str]
    ) -> None:
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
                    # Live, so a class sees the continue as it goes; what happened, not what
                    # was asked: the same updates, replayed.
                    # With where the run stands, built here where the session is at hand.
                    state = catch_up(load_of(self.scenario), session)
                    self.app.call_from_thread(self._publish_chunk, Step(part.steps), state)
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

    def _publish_chunk(self: DebuggerScreen, step: Step, state: list[Action]) -> None:
        self.seat.publish(step)
        self.seat.publish_state(state)

    def on_run_progress(self: DebuggerScreen, message: RunProgress) -> None:
        """A continue has moved on: show where it is."""
        if self.busy in ("continue", "catch up"):
            self.snapshot = message.snapshot

    def on_run_stopped(self: DebuggerScreen, message: RunStopped) -> None:
        """A continue has ended: the session is the screen's again."""
        self.busy = ""
        self._worker = None
        if message.result is not None and message.result.steps:
            # One action for the whole continue (published chunk by chunk as it went).
            self.record(Step(message.result.steps), publish=False)
        if message.error:
            self.notify(message.error, title="The run failed", severity="error", markup=False)
        if message.result is not None and not message.cancelled:
            self.last_result = message.result
            if not message.result.steps:
                self._explain_no_step(message.result)
        self._moved(self._reason)
        if self.inbox:  # a student's catch-up: the teacher's next actions are waiting
            self.take_inbox()
