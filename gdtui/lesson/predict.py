"""Predict first (`p`): before a step the student says which way a parameter will move, then
the step is taken and the answer judged against the engine's own move of that parameter.

The move judged is the one the engine made, `theta` after the step minus `theta` before, so
momentum or Adam stepping against the slope is judged (and explained) as it happened, not by
the sign rule. A step that leaves the parameter where it was is neither left nor right: it is
revealed but not scored.

Headless: no textual, no rich.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from gdtui.engine.snapshot import LEFT, MOVE_WORDS, RIGHT, STAY, Snapshot, direction

#: What a student can answer: the two ways a parameter moves.
Answer = Literal["left", "right"]

#: Both answers, in the order the keys give them.
ANSWERS: tuple[Answer, ...] = ("left", "right")

#: Why a method can step against the slope (only one with a velocity can).
AGAINST_THE_SLOPE = {
    "momentum": "the velocity built up on earlier steps carries it on",
    "nesterov": "the velocity built up on earlier steps carries it on",
    "adam": "its running average of slopes still points the other way",
}


@dataclass(frozen=True)
class Question:
    """Which parameter a prediction is about.

    Attributes:
        index: Its place in `theta` (the `w` components, then `b`).
        name: `w`, `w[j]` or `b`.
        slope_name: `dw`, `dw[j]` or `db`.
    """

    index: int
    name: str
    slope_name: str


def question(snapshot: Snapshot, component: int = 0) -> Question:
    """The question for the selected parameter: a component of `w`, or `b` after the last.

    Args:
        snapshot: The step the prediction is made at.
        component: The selected parameter, as indexed in `theta`.
    """
    layout = snapshot.layout
    if layout.has_b and component >= layout.n_w:
        index = layout.size - 1
    else:
        index = min(max(component, 0), layout.n_w - 1)
    return Question(index, *layout.name(index))


@dataclass(frozen=True)
class Reveal:
    """One step's prediction judged.

    Attributes:
        step: The step the update left from.
        question: The parameter asked about.
        answer: What the student said, or None (`n` without an answer).
        move: Where the engine's update sent the parameter: left, right or stay.
        slope: The parameter's slope at `step`.
        kind: The optimizer that made the update.
        repeat: Whether this step was scored already (the student went back to it).
    """

    step: int
    question: Question
    answer: Answer | None
    move: str
    slope: float
    kind: str = "gd"
    repeat: bool = False

    @property
    def scored(self) -> bool:
        """Whether it counts: an answer, a parameter that moved, a step not scored before."""
        return self.answer is not None and self.move != STAY and not self.repeat

    @property
    def right(self) -> bool:
        """Whether the answer is the way the parameter moved."""
        return self.answer is not None and self.answer == self.move

    @property
    def why(self) -> str:
        """The move and its reason: `dw > 0, so w moves ← LEFT`."""
        d, name = self.question.slope_name, self.question.name
        slope = self.slope
        if math.isnan(slope):
            head = f"{d} is not a number"
        elif slope > 0:
            head = f"{d} > 0"
        elif slope < 0:
            head = f"{d} < 0"
        else:
            head = f"{d} = 0"
        if self.move == STAY:
            if slope == 0:
                return f"{head}: the slope is flat, so {name} stays where it is"
            return f"{head}, but the step is too small to change {name}"
        downhill = LEFT if slope > 0 else RIGHT
        words = MOVE_WORDS[self.move]
        if math.isnan(slope) or slope == 0 or self.move != downhill:
            reason = AGAINST_THE_SLOPE.get(self.kind, "this optimizer's state points that way")
            against = ", against the slope" if slope * (1 if self.move == LEFT else -1) < 0 else ""
            return f"{head}, yet {name} moves {words}{against}: {reason}"
        return f"{head}, so {name} moves {words}"

    @property
    def text(self) -> str:
        """The verdict: `✓ right`, `✗ wrong: dw > 0, so w moves ← LEFT`, or why it does
        not count."""
        if self.answer is None:
            return f"not scored (no answer): {self.why}"
        if self.move == STAY:
            return f"· not scored: {self.why}"
        if self.right:
            # Right against the slope deserves its reason: the sign rule alone says otherwise.
            plain = "yet" not in self.why
            verdict = "✓ right" if plain else f"✓ right: {self.why}"
        else:
            verdict = f"✗ wrong: {self.why}"
        return f"{verdict} (step {self.step} was scored already)" if self.repeat else verdict


def reveal(
    before: Snapshot, after: Snapshot, component: int, answer: Answer | None, repeat: bool = False
) -> Reveal:
    """Judge `answer` against the update the engine made from `before` to `after`.

    Args:
        before: The step the prediction was made at.
        after: The step after it (`before.step + 1`).
        component: The parameter asked about, as indexed in `theta`.
        answer: The student's answer, or None.
        repeat: Whether this step was scored already.

    Raises:
        ValueError: `after` is not the step after `before`.
    """
    if after.step != before.step + 1:
        raise ValueError(f"step {after.step} does not follow step {before.step}")
    asked = question(before, component)
    i = asked.index
    move = direction(float(after.theta[i]) - float(before.theta[i]))
    return Reveal(before.step, asked, answer, move, float(before.grad[i]),
                  before.optimizer.kind, repeat)  # fmt: skip


@dataclass(frozen=True)
class Score:
    """The running score, `N of M right`.

    Attributes:
        right: Answers that were right.
        asked: Answers that counted.
        steps: The steps of this run already scored, so going back and answering again does
            not count twice.
    """

    right: int = 0
    asked: int = 0
    steps: frozenset[int] = frozenset()

    @property
    def text(self) -> str:
        """`3 of 4 right`."""
        return f"{self.right} of {self.asked} right"

    def add(self, judged: Reveal) -> Score:
        """The score with `judged` counted, if it counts."""
        if not judged.scored:
            return self
        return Score(self.right + judged.right, self.asked + 1, self.steps | {judged.step})


@dataclass(frozen=True)
class Predict:
    """Predict mode's state.

    Attributes:
        score: The answers so far.
        answer: An answer waiting for its step (in a classroom, for the teacher's), if any.
        answered_at: The step `answer` was given at.
        reveal: The last step's verdict, shown at the step after it.
    """

    score: Score = field(default_factory=Score)
    answer: Answer | None = None
    answered_at: int | None = None
    reveal: Reveal | None = None

    def answered(self, step: int, answer: Answer) -> Predict:
        """The student answers at `step` (the last answer before the step counts)."""
        return replace(self, answer=answer, answered_at=step)

    def pending(self, step: int) -> Answer | None:
        """The answer given at `step`, if any."""
        return self.answer if self.answered_at == step else None

    def stepped(self, before: Snapshot, after: Snapshot, component: int) -> Predict:
        """The step from `before` was taken: judge the answer given there, and score it."""
        repeat = before.step in self.score.steps
        judged = reveal(before, after, component, self.pending(before.step), repeat)
        return Predict(self.score.add(judged), None, None, judged)

    def moved(self, rewritten: bool = False) -> Predict:
        """The run moved some other way (back, go to, a new alpha...): ask afresh.

        Args:
            rewritten: The run was rewritten (its steps are new): forget which were scored.
        """
        score = replace(self.score, steps=frozenset()) if rewritten else self.score
        return Predict(score)

    def shown_at(self, step: int) -> Reveal | None:
        """The verdict to show at `step`: the one for the step just before it."""
        return self.reveal if self.reveal is not None and self.reveal.step + 1 == step else None
