"""This screen's seat in a classroom served over SSH: teacher, student, or none.

The teacher's screen publishes every operation it performs on its session; a student's
screen, while it follows, performs the same operations on its own session, so both show the
same floats. A student who explores stops applying them; following again rebuilds the
teacher's run (the hub resends it from the teacher's latest state: see `gdtui.serve.classroom`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gdtui.classroom.link import ClassroomLink, Counts
from gdtui.lesson.actions import Action, Load

if TYPE_CHECKING:
    from gdtui.classroom.answers import StudentAnswer, Tally
    from gdtui.ui.screens.debugger import DebuggerScreen


class Seat:
    """Where this screen sits in the classroom, and what it may do there.

    Args:
        link: The link to the hub the server set up, or None outside a classroom.
    """

    def __init__(self, link: ClassroomLink | None) -> None:
        self.link = link
        """The hub, or None when the screen works alone."""
        self.following = self.student
        """Whether the teacher's operations apply here (students start following)."""
        self.counts = Counts(0, 0)
        """The class as the hub last described it (teacher)."""
        self.tally: Tally | None = None
        """The class's predictions for a step, as they come in (teacher)."""
        self.result = ""
        """How many were right on the last step the class predicted (teacher), or empty."""

    @property
    def teacher(self) -> bool:
        """Whether this screen drives the class."""
        return self.link is not None and self.link.role == "teacher"

    @property
    def student(self) -> bool:
        """Whether this screen can follow a teacher."""
        return self.link is not None and self.link.role == "student"

    def publish(self, action: Action) -> None:
        """Teacher: tell the class what was just done (nothing for anyone else)."""
        if self.teacher and self.link is not None and self.link.connected:
            self.link.publish_nowait(action)

    def publish_state(self, actions: Sequence[Action]) -> bool:
        """Teacher: tell the hub where the run stands (for students who join late); whether
        it was sent (not when it is longer than a line)."""
        if self.teacher and self.link is not None and self.link.connected:
            return self.link.publish_state(actions)
        return False

    def follow(self, following: bool) -> None:
        """Student: follow the teacher again, or explore alone, and tell the hub."""
        self.following = following
        if self.link is not None and self.link.connected:
            self.link.report_nowait(following)

    def resync(self) -> bool:
        """Student, following: have the hub send the teacher's run again (as to a student
        who starts following), from the teacher's latest state; whether it was asked."""
        if not (self.student and self.following and self.link is not None
                and self.link.connected):  # fmt: skip
            return False
        self.link.report_nowait(False)
        self.link.report_nowait(True)
        return True

    def answer(self, answer: StudentAnswer) -> bool:
        """Student: send a prediction to the teacher; whether it went (only while following)."""
        if not (self.student and self.following and self.link is not None
                and self.link.connected):  # fmt: skip
            return False
        self.link.answer_nowait(answer)
        return True

    def answers(self, step: int) -> str:
        """Teacher: the class's answers for `step` as they come in (`answers ← 7 · → 12 ·
        4 waiting`), else how many were right on the last step they predicted; empty when
        the class has not predicted."""
        if not self.teacher:
            return ""
        tally = self.tally
        if tally is not None and tally.step == step and tally.answered:
            return tally.live_text(self.counts.following)
        return self.result

    def status(self) -> str:
        """The status line's first words: who this screen is in the class."""
        if self.teacher:
            students = self.counts.students
            plural = "student" if students == 1 else "students"
            return f"teacher · {students} {plural}, {self.counts.following} following"
        if self.student:
            return "following the teacher" if self.following else "exploring · f follows"
        return ""


async def join_classroom(screen: DebuggerScreen) -> None:
    """Connect the screen to the hub; then publish (teacher) or follow (student) until the
    link ends. Run as the screen's worker."""
    seat = screen.seat
    link = seat.link
    assert link is not None
    try:
        await link.connect()
    except OSError:
        seat.link = None
        screen.notify("The classroom is not reachable: working on your own.", timeout=5)
        screen.seat_changed()
        return
    if seat.teacher:
        link.publish_nowait(Load(*screen.scenario.source))
        async for news in link.news():
            if isinstance(news, Counts):
                seat.counts = news
            else:
                screen.class_answered(news)
            screen.seat_changed()
    else:
        async for action in link.actions():
            screen.teacher_did(action)
    seat.link = None
    screen.seat_changed()
