"""The class's predictions: each student's answer, counted by the hub, tallied for the teacher.

A student in predict mode who follows the teacher sends its answer as one small message:

    student -> hub   {"answer": {"step": 5, "parameter": 0, "move": "left"}}

`step` is the teacher's step it answers at, `parameter` the parameter asked about (its place
in `theta`: the `w` components, then `b`), `move` `left` or `right`. Nothing in it names a
student: the hub counts an answer for the connection it came on. It keeps one answer per
student, the last one before the teacher's run moves on, and only for the step the teacher is
at (an answer sent just before a step arrives late, and is dropped).

    hub -> teacher   {"answers": {"step": 5, "final": false, "counts": [[0, 7, 12]]}}

`counts` has one `[parameter, left, right]` row per parameter answered about. The hub sends it
to the teacher alone, whenever an answer changes; when the teacher steps forward it sends the
round's last tally with `"final": true`, which the teacher's app judges against the move its
own engine made (the hub runs no engine). Students never see it.

Headless: no textual, no rich.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gdtui.engine.snapshot import LEFT, RIGHT, STAY
from gdtui.lesson.actions import (
    Action,
    Back,
    Caption,
    Goto,
    Load,
    Reset,
    Restart,
    SetBreakpoints,
    Step,
)
from gdtui.lesson.predict import ANSWERS, Answer
from gdtui.lesson.wire import MAX_STEPS

#: The most parameters an answer can name (a scenario has far fewer).
MAX_PARAMETER = 10**6


@dataclass(frozen=True)
class StudentAnswer:
    """One student's answer, as the hub reads it.

    Attributes:
        step: The teacher's step it was given at.
        parameter: The parameter asked about, as indexed in `theta`.
        move: `left` or `right`.
    """

    step: int
    parameter: int
    move: Answer

    def to_json(self) -> dict[str, Any]:
        """The message a student's app sends."""
        return {"answer": {"step": self.step, "parameter": self.parameter, "move": self.move}}


def parse_answer(message: dict[str, Any]) -> StudentAnswer:
    """A student's answer message, read strictly: exactly the keys above, nothing else.

    Raises:
        ValueError: It is not exactly one well-formed answer.
    """
    if set(message) != {"answer"}:
        raise ValueError('an answer is {"answer": {...}} and nothing else')
    body = message["answer"]
    if not isinstance(body, dict) or set(body) != {"step", "parameter", "move"}:
        raise ValueError("an answer has exactly the keys move, parameter and step")
    step, parameter, move = body["step"], body["parameter"], body["move"]
    if type(step) is not int or not 0 <= step <= MAX_STEPS:
        raise ValueError(f"answer: step is a whole number 0..{MAX_STEPS}")
    if type(parameter) is not int or not 0 <= parameter <= MAX_PARAMETER:
        raise ValueError(f"answer: parameter is a whole number 0..{MAX_PARAMETER}")
    if move not in ANSWERS:
        raise ValueError('answer: move is "left" or "right"')
    return StudentAnswer(step, parameter, move)


@dataclass(frozen=True)
class Tally:
    """The answers for one step, as the teacher's app receives them.

    Attributes:
        step: The teacher's step the answers were given at.
        counts: `(parameter, left, right)` per parameter answered about.
        final: Whether the teacher has stepped on: the answers are all in.
    """

    step: int
    counts: tuple[tuple[int, int, int], ...] = ()
    final: bool = False

    @property
    def left(self) -> int:
        """Answers `left`, whatever the parameter."""
        return sum(left for _, left, _ in self.counts)

    @property
    def right(self) -> int:
        """Answers `right`, whatever the parameter."""
        return sum(right for _, _, right in self.counts)

    @property
    def answered(self) -> int:
        """Students who answered."""
        return self.left + self.right

    def live_text(self, following: int) -> str:
        """The teacher's status: `answers ← 7 · → 12 · 4 waiting`.

        Args:
            following: Students following the teacher (those who have not answered wait).
        """
        waiting = max(following - self.answered, 0)
        return f"answers ← {self.left} · → {self.right} · {waiting} waiting"

    def judged(self, moves: Sequence[str]) -> tuple[int, int]:
        """How many were right, of how many that count.

        Args:
            moves: Per parameter (as indexed in `theta`), where the step sent it: left, right
                or stay. A parameter that stayed, or one the run does not have, counts no
                answer (as the student's own screen does not).
        """
        right = scored = 0
        for parameter, left, rightward in self.counts:
            move = moves[parameter] if parameter < len(moves) else STAY
            if move == STAY:
                continue
            scored += left + rightward
            right += left if move == LEFT else rightward
        return right, scored

    def to_json(self) -> dict[str, Any]:
        """The message the hub sends the teacher."""
        rows = [list(row) for row in self.counts]
        return {"answers": {"step": self.step, "final": self.final, "counts": rows}}


def parse_tally(body: object) -> Tally | None:
    """The tally in a hub's `answers` message, or None if it is not one."""
    if not isinstance(body, dict) or set(body) != {"step", "final", "counts"}:
        return None
    step, final, counts = body["step"], body["final"], body["counts"]
    if type(step) is not int or not isinstance(final, bool) or not isinstance(counts, list):
        return None
    rows: list[tuple[int, int, int]] = []
    for row in counts:
        if not (isinstance(row, list) and len(row) == 3 and all(type(n) is int for n in row)):
            return None
        rows.append((row[0], row[1], row[2]))
    return Tally(step, tuple(rows), final)


#: Actions that leave the question as it was: the step and its update are the same.
SAME_QUESTION = (Caption, SetBreakpoints)


class Round:
    """The hub's count for the step the teacher is at: one answer per student.

    The hub runs no engine, so it follows the step from the teacher's actions as published:
    what happened, not what was asked (a `Step(k)` made k updates; a `Goto` is within the
    recorded run).
    """

    def __init__(self) -> None:
        self.step: int | None = None
        """The teacher's step (None until the first `load`)."""
        self.answers: dict[str, StudentAnswer] = {}
        """Each student's answer for this step, by the student's connection."""

    def answer(self, student: str, given: StudentAnswer) -> bool:
        """Count `given` for `student`, replacing an earlier one; False (not counted) when it
        is for another step than the teacher's."""
        if given.step != self.step:
            return False
        self.answers[student] = given
        return True

    def forget(self, student: str) -> bool:
        """Drop a student's answer (they left, or explore on their own); whether there was one."""
        return self.answers.pop(student, None) is not None

    def tally(self, final: bool = False) -> Tally:
        """The answers so far, per parameter."""
        counted: Counter[tuple[int, str]] = Counter(
            (a.parameter, a.move) for a in self.answers.values()
        )
        parameters = sorted({parameter for parameter, _ in counted})
        rows = tuple((p, counted[p, LEFT], counted[p, RIGHT]) for p in parameters)
        return Tally(self.step if self.step is not None else 0, rows, final)

    def follow(self, action: Action) -> Tally | None:
        """The teacher did `action`: a new question unless it changed nothing about the step.

        Returns:
            The round's final tally when the teacher stepped forward from a step that had
            answers; None otherwise.
        """
        if isinstance(action, SAME_QUESTION):
            return None
        step = self.step
        final = None
        if isinstance(action, Step) and step is not None and self.answers:
            final = self.tally(final=True)
        self.answers = {}
        match action:
            case Load() | Reset() | Restart():
                self.step = 0
            case Step(k) if step is not None:
                self.step = min(step + k, MAX_STEPS)
            case Back(k) if step is not None:
                self.step = max(step - k, 0)
            case Goto(to):
                self.step = to
        return final
