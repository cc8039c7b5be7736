"""Follow mode with the real app: a teacher and students, each on a gdtui screen over SSH.

What is checked is what each person would read on their screen, rebuilt cell by cell from
what the app sent: mostly its first row, the status line (`following the teacher │ Logistic
regression: hours… │ gd │ alpha 0.30 │ step 3`), and the step log.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import re
from typing import Any

import pytest

from gdtui.serve.ssh import AppServer
from tests.serve.conftest import GDTUI, TIMEOUT, Screen, StartServer, open_screen

#: The teacher's code for these tests.
CHALK = "chalk"

#: Every screen's size: the default lesson's status line fits on the first row, and the
#: step log shows (it needs a tall screen).
SIZE = (100, 40)

#: Opening the real app on a loaded machine.
FIRST_SCREEN = 30.0

_TOKEN = re.compile(
    r"\x1b\[(?P<params>[0-?]*)[ -/]*(?P<final>[@-~])"  # CSI: cursor moves, erases, styles
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS: terminal queries
    r"|\x1b[^\[\]P]"  # two-character escapes
    r"|(?P<text>[^\x1b]+)"
)


class Terminal:
    """What one client's screen shows, from the bytes the app sent it.

    gdtui draws by moving the cursor (`CSI row;col H`, and `CSI n C` over cells that did
    not change) and writing styled text, so the cells follow from those; styles and modes
    are skipped. Enough to read the status line as it
    stands, where searching the byte stream would also find text long since overwritten.

    Args:
        screen: The session's output.
        size: Its width and height.
    """

    def __init__(self, screen: Screen, size: tuple[int, int]) -> None:
        self.screen = screen
        self.width, self.height = size
        self.cells = [[" "] * self.width for _ in range(self.height)]
        self._x = self._y = 0
        self._read = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def row(self, y: int) -> str:
        """Row `y` (from 0) as it stands, without the blanks around it."""
        self._feed()
        return "".join(self.cells[y]).strip()

    @property
    def status(self) -> str:
        """The first row: the status line."""
        return self.row(0)

    def text(self) -> str:
        """The whole screen, a line a row."""
        return "\n".join(self.row(y) for y in range(self.height))

    async def until(self, *patterns: str, anywhere: bool = False, timeout: float = TIMEOUT) -> str:
        """The status line (or the screen) once it matches every regex in `patterns`."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self.screen.changed.clear()
                    shown = self.text() if anywhere else self.status
                    if all(re.search(p, shown) for p in patterns):
                        return shown
                    if self.screen.closed.is_set():
                        break
                    await self.screen.changed.wait()
        except TimeoutError:
            pass
        where = "the screen" if anywhere else "the status line"
        raise AssertionError(f"{where} never matched {patterns}:\n{self.text()}")

    def _feed(self) -> None:
        data = bytes(self.screen.data[self._read :])
        self._read += len(data)
        self._pending += self._decoder.decode(data)
        pos = 0
        while match := _TOKEN.match(self._pending, pos):
            pos = match.end()
            if match["text"] is not None:
                self._write(match["text"])
            elif match["final"] is not None:
                self._control(match["params"], match["final"])
        self._pending = self._pending[pos:]  # an escape cut off at the end of the data so far

    def _write(self, text: str) -> None:
        for char in text:
            if char == "\r":
                self._x = 0
            elif char == "\n":
                self._y += 1
            elif char >= " ":
                if 0 <= self._y < self.height and 0 <= self._x < self.width:
                    self.cells[self._y][self._x] = char
                self._x += 1

    def _control(self, params: str, final: str) -> None:
        if params[:1] in ("<", "=", ">", "?"):
            return  # private: modes and queries, not cells
        numbers = [int(n) if n else 0 for n in params.split(";")] if params else []
        if final == "H":
            row, col = (numbers + [1, 1])[:2]
            self._y, self._x = max(row, 1) - 1, max(col, 1) - 1
        elif final == "C":  # forward, over cells that did not change
            self._x += (numbers[0] if numbers else 0) or 1
        elif final == "J" and numbers[:1] == [2]:
            self.cells = [[" "] * self.width for _ in range(self.height)]
        elif final == "K" and 0 <= self._y < self.height:
            self.cells[self._y][self._x :] = [" "] * (self.width - min(self._x, self.width))


class Person:
    """Someone logged in: their connection, their session and their screen."""

    def __init__(self, conn: Any, chan: Any, screen: Screen) -> None:
        self.conn, self.chan = conn, chan
        self.terminal = Terminal(screen, SIZE)

    def press(self, keys: str) -> None:
        """Type `keys`."""
        self.chan.write(keys.encode())

    async def until(self, *patterns: str, anywhere: bool = False) -> str:
        """See `Terminal.until`."""
        return await self.terminal.until(*patterns, anywhere=anywhere)


def step(n: int) -> str:
    """A pattern for the status line's step."""
    return rf"│ step {n}(?!\d)"


def marked(n: int) -> str:
    """A pattern for the screen when the step log's current row (marked ◀) is step `n`."""
    return rf"(?m)^│\s+{n}\s.*◀"


def step_log(person: Person) -> list[str]:
    """The step log's rows as they stand on a person's screen."""
    rows = person.terminal.text().splitlines()
    top = next(y for y, row in enumerate(rows) if "step log" in row)
    return [m[1].rstrip() for row in rows[top:] if (m := re.match(r"│(\s+\d+\s.*?)│", row))]


async def logs_agree(follower: Person, leader: Person, timeout: float = TIMEOUT) -> None:
    """Wait until the follower's step log shows the leader's rows: the rows of one repaint
    may arrive over several reads, so the settled status line alone is not enough."""
    screen = follower.terminal.screen
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while True:
                screen.changed.clear()
                if step_log(follower) == step_log(leader):
                    return
                await screen.changed.wait()
    assert step_log(follower) == step_log(leader)


async def log_in(server: AppServer, username: str, **connect: Any) -> Person:
    """A person with the app open on their screen."""
    person = Person(*await open_screen(server, username=username, size=SIZE, **connect))
    await person.terminal.until(r"│ step \d", timeout=FIRST_SCREEN)
    return person


async def classroom(serve: StartServer) -> tuple[Person, Person, Person]:
    """A teacher and two students, both following at step 0."""
    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    students = [await log_in(server, name) for name in ("ada", "bob")]
    await teacher.until(r"2 students, 2 following")
    for student in students:
        await student.until(r"^following the teacher │", step(0))
    return teacher, students[0], students[1]


async def test_students_who_join_before_and_after_the_steps_show_the_teachers_step(
    serve: StartServer,
) -> None:
    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    early = await log_in(server, "ada")
    # Once the teacher's screen counts ada, both apps are in the classroom: ada hears the
    # steps live, and bob, logging in after them, is sent them on joining.
    await teacher.until(r"^teacher · 1 student, 1 following │")
    for n in (1, 2, 3):
        teacher.press("n")
        await teacher.until(step(n))
    late = await log_in(server, "bob")
    for student in (early, late):
        await student.until(r"^following the teacher │", step(3))
    await teacher.until(r"^teacher · 2 students, 2 following │", step(3))


async def test_a_follower_cannot_step_and_an_explorer_steps_alone_until_it_follows(
    serve: StartServer,
) -> None:
    teacher, ada, bob = await classroom(serve)
    teacher.press("nnn")
    await teacher.until(step(3))
    for student in (ada, bob):
        await student.until(step(3))

    # Following, ada's own `n` is refused: she is told so and stays at the teacher's step.
    ada.press("n")
    await ada.until(r"Following the teacher: x explores", anywhere=True)
    assert re.search(step(3), ada.terminal.status), ada.terminal.status

    ada.press("x")
    await ada.until(r"^exploring · f follows │", step(3))
    await teacher.until(r"2 students, 1 following")
    ada.press("nnn")
    await ada.until(r"^exploring", step(6))

    # The teacher moves on and bob follows; none of ada's steps reached either. Her next
    # key is read after the teacher's step would have reached her app: one back from her
    # own 6 is 5 only if it did not.
    teacher.press("n")
    await teacher.until(step(4))
    await bob.until(r"^following the teacher │", step(4))
    ada.press("b")
    await ada.until(r"^exploring", step(5))

    ada.press("f")
    await ada.until(r"^following the teacher │", step(4))
    await teacher.until(r"2 students, 2 following", step(4))
    teacher.press("n")
    for person in (teacher, ada, bob):
        await person.until(step(5))


async def test_the_teachers_alpha_reaches_the_students(serve: StartServer) -> None:
    teacher, ada, bob = await classroom(serve)
    await teacher.until(r"│ alpha 0\.30 │")
    teacher.press("+")  # the next rung of the ladder
    await teacher.until(r"│ alpha 0\.50 │")
    for student in (ada, bob):
        await student.until(r"^following the teacher │", r"│ alpha 0\.50 │")


@pytest.mark.parametrize(
    ("keys", "settled", "last"),
    [
        ("]nn", [step(2)], 2),  # a new start, then two steps
        ("bb+n", [r"│ alpha 0\.50 │", step(3)], 3),  # back two, a larger alpha, one step
    ],
    ids=["restart", "alpha"],
)
async def test_a_followers_step_log_shows_the_teachers_new_run(
    serve: StartServer, keys: str, settled: list[str], last: int
) -> None:
    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    ada = await log_in(server, "ada")
    await teacher.until(r"1 student, 1 following")
    teacher.press("nnnn")
    for person in (teacher, ada):
        await person.until(marked(4), anywhere=True)

    # The same step numbers again, on a run with other numbers.
    teacher.press(keys)
    for person in (teacher, ada):
        await person.until(*settled)
        await person.until(marked(last), anywhere=True)
    await logs_agree(ada, teacher)
