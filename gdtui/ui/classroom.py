"""This screen's seat in a classroom served over SSH: teacher, student, or none.

The teacher's screen publishes every operation it performs on its session; a student's
screen, while it follows, performs the same operations on its own session, so both show the
same floats. A student who explores stops applying them; following again replays the
teacher's whole stream (the hub resends it, starting with the scenario's `Load`).
"""

from __future__ import annotations

from gdtui.serve.classroom import ClassroomLink, Counts
from gdtui.serve.protocol import Action


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

    def follow(self, following: bool) -> None:
        """Student: follow the teacher again, or explore alone, and tell the hub."""
        self.following = following
        if self.link is not None and self.link.connected:
            self.link.report_nowait(following)

    def status(self) -> str:
        """The status line's first words: who this screen is in the class."""
        if self.teacher:
            students = self.counts.students
            plural = "student" if students == 1 else "students"
            return f"teacher · {students} {plural}, {self.counts.following} following"
        if self.student:
            return "following the teacher" if self.following else "exploring · f follows"
        return ""
