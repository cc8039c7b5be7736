"""Predict first (`p`): before each step the screen hides where the update goes and asks
which way the selected parameter will move; `←`/`h` or `→`/`l` answers, the step is taken
(through `perform`) and the answer judged against the engine's move (`gdtui.lesson.predict`).

`n` steps without an answer: revealed, not scored. `b`, `g`, `0`, a new alpha, optimizer or
start work as usual, and predict asks again at the step they lead to (a step already scored
is revealed but not scored twice). `r` and `c` run as usual and show every step; predict asks
again where they stop. `j`/`k` choose the parameter asked about.

In a classroom a following student's answer goes to the teacher (one message, through the
hub) and the teacher's next step reveals it; the teacher's status line shows the class's tally
and, once stepped, how many were right.
"""

# mypy: disable-error-code="misc"
# (the methods are the debugger screen's: their `self` is one, which mypy calls an error)
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from gdtui.engine.snapshot import Snapshot, direction
from gdtui.lesson.actions import REWRITES, Action, Step

if TYPE_CHECKING:
    from gdtui.classroom.answers import Tally
    from gdtui.lesson.predict import Answer, Predict
    from gdtui.ui.screens.debugger import DebuggerScreen


class Predicting:
    """The debugger screen's predict mode: `p`, the answers, and the class's tally."""

    if TYPE_CHECKING:  # the screen's own, set here too
        predict: Predict | None
        notes: bool | None

    _notes_before_predict: bool | None = None
    """Whether the notes were shown, or left to the size, before predict mode hid them."""

    @property
    def asking(self: DebuggerScreen) -> bool:
        """Whether the screen hides the next update and asks about it (predict mode, a run
        at rest, an update that can be made)."""
        return (
            self.predict is not None
            and not self.busy
            and not self.running
            and not self.session.diverged
        )

    def action_predict(self: DebuggerScreen) -> None:
        """Predict mode on or off."""
        if self.predict is None:
            from gdtui.lesson.predict import Predict  # the first `p` loads predict mode

            self.predict = Predict()
            # A scenario's notes often say which way w goes: hidden until i asks for them.
            self._notes_before_predict = self.notes
            if self.notes_panel is not None and self.arrangement.left:
                self.notes = False
            # No toast: the update panel asks, and says which keys answer. (A toast shown
            # with the taller status line left it unpainted in a real terminal.)
        else:
            score, self.predict = self.predict.score, None
            self.notes = self._notes_before_predict
            self.notify(f"Predict mode off: {score.text}.", timeout=3)
        self._repaint()
        self._paint_status()

    def action_answer(self: DebuggerScreen, move: str) -> None:
        """Answer the question: the selected parameter moves `left` or `right`."""
        from gdtui.lesson.predict import ANSWERS, question  # predict mode's: not a first screen's

        if move not in ANSWERS:
            return
        answer = cast("Answer", move)
        if self.predict is None:
            self.notify("p first: predict which way the parameter moves, then ← or →.",
                        timeout=3)  # fmt: skip
            return
        if not self.asking:
            return
        here = self.session.current
        if self.seat.student and self.seat.following:
            # The teacher's step reveals it: until then a later answer replaces this one.
            from gdtui.classroom.answers import StudentAnswer  # a class's, not a first screen's

            asked = question(here, self.component)
            if self.seat.answer(StudentAnswer(here.step, asked.index, answer)):
                self.predict = self.predict.answered(here.step, answer)
                self._repaint()
            return
        self.predict = self.predict.answered(here.step, answer)
        if self.player is not None and self.player.following:
            self._replay_next()
        elif self._idle():
            self.perform(Step(1))
        if self.predict is not None and self.session.current.step == here.step:
            self.predict = self.predict.moved()  # no step was made: the answer is not kept

    def predicted(self: DebuggerScreen, before: Snapshot, action: Action) -> None:
        """`perform` has applied `action` from `before`: judge the answer on a step, or ask
        afresh where the run moved some other way."""
        if action.reason in REWRITES:  # a new run: the class's last result was another's
            self.seat.tally, self.seat.result = None, ""
        if self.predict is None:
            return
        from gdtui.classroom.answers import SAME_QUESTION  # predict mode's: not a first screen's

        if isinstance(action, SAME_QUESTION):
            return
        if isinstance(action, Step) and before.step < self.session.current.step:
            after = self.session.snapshot(before.step + 1)
            self.predict = self.predict.stepped(before, after, self.component)
        else:
            self.predict = self.predict.moved(rewritten=action.reason in REWRITES)

    def class_answered(self: DebuggerScreen, tally: Tally) -> None:
        """Teacher: the hub's tally of the class's answers; a final one is judged here,
        against the move this screen's engine made from the tally's step."""
        seat = self.seat
        if not tally.final:
            seat.tally = tally
            return
        session, step = self.session, tally.step
        if step + 1 > session.last:
            return  # the run was rewritten since: nothing to judge against
        before, after = session.snapshot(step), session.snapshot(step + 1)
        moves = [direction(float(a) - float(b)) for a, b in zip(after.theta, before.theta,
                                                                strict=True)]  # fmt: skip
        right, scored = tally.judged(moves)
        seat.tally = None
        seat.result = f"step {step}: {right} of {scored} right"
