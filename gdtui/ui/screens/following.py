"""Following someone else's actions: the teacher's in a classroom, or a recorded lesson's.

Both come through the screen's one `perform` path. A student's screen performs the
teacher's actions while it follows, in order, from an inbox: a long `Step` (a late joiner's
catch-up, a teacher's continue) runs in the continue's worker, in short chunks, so the
screen keeps painting and `q` quits at once; what arrives meanwhile waits its turn. A late
joiner starts from the teacher's state (a `Resume`), so the steps to catch up are few.
A replay performs the recording's next action on `n`
and goes back by performing the first K-1 again (the engine is deterministic, so that is
the state it showed, bit for bit). `x` explores alone from there; `f` follows again.
"""

# mypy: disable-error-code="misc"
# (the methods are the debugger screen's: their `self` is one, which mypy calls an error)
from __future__ import annotations

from typing import TYPE_CHECKING

from gdtui.lesson.actions import Action, Back, Goto, Resume, Step
from gdtui.scenario import ScenarioError
from gdtui.ui.format import grouped

if TYPE_CHECKING:
    from gdtui.lesson.ghost import Ghost
    from gdtui.ui.screens.debugger import DebuggerScreen

#: A teacher's `Step` up to this long is performed at once; a longer one (a continue, a
#: late joiner's catch-up) runs in the worker, so the screen never waits for it.
INLINE_STEPS = 16


class Following:
    """The classroom's hooks, `x` and `f`, and a replay's `n` and `b`."""

    ghost: Ghost | None  # the screen's (set here when following again drops it)

    # -- the classroom -------------------------------------------------------------------------

    def seat_changed(self: DebuggerScreen) -> None:
        """The classroom changed (the class's counts, the link): say so on the status line."""
        self._paint_status()

    def teacher_did(self: DebuggerScreen, action: Action) -> None:
        """Student: perform the teacher's action here too, while following.

        A backlog arrives in one burst: it is painted once it has been applied, not per
        action.
        """
        if not self.seat.following:
            return
        self.inbox.append(action)
        self.take_inbox()

    def take_inbox(self: DebuggerScreen) -> None:
        """Perform the teacher's actions that arrived, until one needs the worker."""
        while self.inbox and not self.busy and self.seat.following:
            action = self.inbox.popleft()
            if isinstance(action, Step) and action.k > INLINE_STEPS:
                steps = action.k  # with the steps queued behind it: one catch-up
                while self.inbox and isinstance(self.inbox[0], Step):
                    steps += self.inbox.popleft().k  # type: ignore[union-attr]
                self.paint_pending()  # show where it starts from while it catches up
                self.catching_up_to = self.session.current.step + steps
                self._start_worker(steps, frozenset(), "follow", busy="catch up")
                return
            if self._before_my_first_step(action):
                return
            try:
                self.perform(action, paint=False)
            except (ScenarioError, ValueError) as error:
                self.notify(
                    str(error), title="Cannot follow the teacher", severity="error", markup=False
                )
            else:
                if isinstance(action, Resume) and action.step:
                    self.notify(f"This run starts at step {grouped(action.step)}, where you "
                                "joined the class: the teacher's earlier steps are on the "
                                "teacher's screen.", timeout=5)  # fmt: skip
        self.call_later(self.paint_pending)

    def _before_my_first_step(self: DebuggerScreen, action: Action) -> bool:
        """When the teacher goes back to a step this run does not have (it started where
        the student joined), ask the hub for the teacher's run again: its latest state is
        taken at the teacher's new step. Whether it was asked (the rest of the inbox is
        then dropped: the hub resends what follows)."""
        match action:
            case Goto(step):
                target = step
            case Back(k):
                target = self.session.current.step - k
            case _:
                return False
        first, target = self.session.first, max(target, 0)
        if target >= first:
            return False
        if self.seat.resync():
            self.inbox.clear()
            self.notify(f"The teacher went back to step {grouped(target)}, before this run's "
                        f"first step ({grouped(first)}): taking the teacher's run from there.",
                        timeout=5)  # fmt: skip
            return True
        self.notify(f"The teacher went back to step {grouped(target)}: this run "
                    f"starts at step {grouped(first)}, where you joined, and stays there.",
                    timeout=5)  # fmt: skip
        return False

    def action_explore(self: DebuggerScreen) -> None:
        """Student, or a replay: stop following and drive this run."""
        if self.player is not None:
            if not self.player.following:
                self.notify("Already exploring: f returns to the recording.", timeout=2)
            elif self._settled():
                self.player.following = False
                self._paint_status()
                self.notify("Exploring on your own: every key works. f returns to the "
                            "recording.", timeout=3)  # fmt: skip
        elif not self.seat.student:
            self.notify("x and f are for a class following its teacher over ssh.", timeout=3)
        elif not self.seat.following:
            self.notify("Already exploring: f follows the teacher again.", timeout=2)
        else:
            # What has not been caught up with is dropped: exploring starts from here.
            self.inbox.clear()
            if self.busy == "catch up":
                self._cancel_worker()
            self.seat.follow(False)
            self._paint_status()
            self.notify("Exploring on your own: every key works. f follows again.", timeout=3)

    def action_follow(self: DebuggerScreen) -> None:
        """Student: jump back to the teacher's run; a replay: back to the recording."""
        if self.player is not None:
            if self.player.following:
                self.notify("Already following the recording.", timeout=2)
            elif self._idle():
                self.player.following = True
                self._replay_to(self.player.position)
        elif not self.seat.student:
            self.notify("x and f are for a class following its teacher over ssh.", timeout=3)
        elif self.seat.following:
            self.notify("Already following the teacher.", timeout=2)
        elif self._idle():
            # The hub resends the teacher's run from its latest state: the run is rebuilt,
            # and the ghost goes (that state does not carry the teacher's ghost).
            self.ghost = None
            self.seat.follow(True)
            self._paint_status()

    # -- replaying a recorded lesson -----------------------------------------------------------

    def _settled(self: DebuggerScreen) -> bool:
        """Whether no worker holds the session (a replay leads even while busy otherwise)."""
        if self.busy:
            self.notify("Still busy: wait a moment.", severity="warning", timeout=2)
        return not self.busy

    def _replay_next(self: DebuggerScreen) -> None:
        assert self.player is not None
        if not self._settled():
            return
        action = self.player.next()
        if action is None:
            self.notify(f"That was the recording's last action ({self.player.total}): x "
                        "explores from here.", timeout=3)  # fmt: skip
            return
        try:
            self.perform(action)
        except (ScenarioError, ValueError) as error:
            self.notify(
                str(error), title="Cannot replay that action", severity="error", markup=False
            )
        self._paint_status()

    def _replay_back(self: DebuggerScreen) -> None:
        assert self.player is not None
        if not self._settled():
            return
        if self.player.position <= 1:
            self.notify("At the recording's first action.", timeout=2)
            return
        self._replay_to(self.player.position - 1)

    def _replay_to(self: DebuggerScreen, position: int) -> None:
        """Perform the recording's first `position` actions again, and paint once."""
        assert self.player is not None
        self.player.position = position
        view, component = self.view, self.component
        self.ghost = None  # a ghost kept later in the recording is not there yet
        for action in self.player.performed():
            try:
                self.perform(action, paint=False)
            except (ScenarioError, ValueError) as error:
                self.notify(
                    str(error), title="Cannot replay that action", severity="error", markup=False
                )
                break
        # Going back should not undo what the viewer chose to look at.
        if component < self.session.layout.n_w:
            self.set_reactive(type(self).component, component)
        if view != "surface" or self.session.layout.has_b:
            self.show_view(view)
        self.paint_pending()
