"""The class's predictions through the hub: one answer per student connection, the last
before the teacher steps, parsed strictly, tallied for the teacher alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gdtui.classroom.answers import Round, StudentAnswer, Tally, parse_answer, parse_tally
from gdtui.classroom.link import ClassroomLink, Counts
from gdtui.lesson.actions import Back, Caption, Goto, Load, Reset, SetAlpha, Step
from gdtui.serve.classroom import Hub
from tests.serve.test_classroom import counts_until, join, take


@pytest.fixture
async def hub_and_log() -> Any:
    lines: list[str] = []
    hub = Hub(log=lines.append)
    await hub.start()
    yield hub, lines
    await hub.close()


async def tally_until(teacher: ClassroomLink, expected: Tally) -> None:
    async with asyncio.timeout(5):
        async for news in teacher.news():
            if news == expected:
                return
    raise AssertionError(f"the link ended before {expected}")


async def at_step(hub: Hub, teacher: ClassroomLink, students: list[ClassroomLink], k: int) -> None:
    """The teacher loads a lesson and steps to `k`; every student has seen it."""
    await teacher.publish(Load("bowl-from-right"))
    if k:
        await teacher.publish(Step(k))
    for student in students:
        await take(student, 2 if k else 1)


def answer(step: int, move: str, parameter: int = 0) -> StudentAnswer:
    return StudentAnswer(step, parameter, move)  # type: ignore[arg-type]


async def test_each_connection_counts_once_and_its_last_answer_counts(hub_and_log: Any) -> None:
    hub, _ = hub_and_log
    teacher = await join(hub, "teacher")
    ada, bob, cy = [await join(hub, "student") for _ in range(3)]
    await counts_until(teacher, Counts(3, 3))
    await at_step(hub, teacher, [ada, bob, cy], 2)
    ada.answer_nowait(answer(2, "left"))
    bob.answer_nowait(answer(2, "left"))
    await tally_until(teacher, Tally(2, ((0, 2, 0),)))
    bob.answer_nowait(answer(2, "right"))  # bob changes his mind: still one answer
    await tally_until(teacher, Tally(2, ((0, 1, 1),)))
    assert teacher.latest_tally is not None
    assert teacher.latest_tally.live_text(following=3) == "answers ← 1 · → 1 · 1 waiting"


async def test_the_teachers_step_closes_the_round_with_its_final_tally(hub_and_log: Any) -> None:
    hub, _ = hub_and_log
    teacher = await join(hub, "teacher")
    ada, bob = await join(hub, "student"), await join(hub, "student")
    await counts_until(teacher, Counts(2, 2))
    await at_step(hub, teacher, [ada, bob], 0)
    ada.answer_nowait(answer(0, "left"))
    bob.answer_nowait(answer(0, "right", parameter=1))
    await tally_until(teacher, Tally(0, ((0, 1, 0), (1, 0, 1))))
    await teacher.publish(Step(1))
    await tally_until(teacher, Tally(0, ((0, 1, 0), (1, 0, 1)), final=True))
    # Late for step 0 (sent before ada's app saw the step): dropped. Step 1's counts afresh.
    ada.answer_nowait(answer(0, "right"))
    bob.answer_nowait(answer(1, "left"))
    await tally_until(teacher, Tally(1, ((0, 1, 0),)))


@pytest.mark.parametrize(
    ("action", "step"),
    [(Back(1), 2), (Goto(1), 1), (Reset(), 0), (Load("ravine"), 0), (SetAlpha(0.2), 3)],
)
async def test_any_other_move_of_the_run_asks_afresh(
    hub_and_log: Any, action: Any, step: int
) -> None:
    hub, _ = hub_and_log
    teacher = await join(hub, "teacher")
    ada = await join(hub, "student")
    await counts_until(teacher, Counts(1, 1))
    await at_step(hub, teacher, [ada], 3)
    ada.answer_nowait(answer(3, "left"))
    await tally_until(teacher, Tally(3, ((0, 1, 0),)))
    await teacher.publish(action)
    await take(ada, 1)
    ada.answer_nowait(answer(step, "right"))  # the step the hub now holds the teacher at
    await tally_until(teacher, Tally(step, ((0, 0, 1),)))  # no final tally came between


async def test_students_never_see_the_tally(hub_and_log: Any) -> None:
    hub, _ = hub_and_log
    teacher = await join(hub, "teacher")
    ada, bob = await join(hub, "student"), await join(hub, "student")
    await counts_until(teacher, Counts(2, 2))
    await at_step(hub, teacher, [ada, bob], 1)
    ada.answer_nowait(answer(1, "left"))
    await tally_until(teacher, Tally(1, ((0, 1, 0),)))
    await teacher.publish(Step(1))
    await tally_until(teacher, Tally(1, ((0, 1, 0),), final=True))
    assert await take(bob, 1) == [Step(1)]
    assert ada.latest_tally is None and bob.latest_tally is None


async def test_an_explorer_or_a_student_who_leaves_has_no_answer(hub_and_log: Any) -> None:
    hub, _ = hub_and_log
    teacher = await join(hub, "teacher")
    ada, bob = await join(hub, "student"), await join(hub, "student")
    await counts_until(teacher, Counts(2, 2))
    await at_step(hub, teacher, [ada, bob], 0)
    ada.answer_nowait(answer(0, "left"))
    bob.answer_nowait(answer(0, "left"))
    await tally_until(teacher, Tally(0, ((0, 2, 0),)))
    await ada.report(False)  # exploring: her answer is not the class's
    await tally_until(teacher, Tally(0, ((0, 1, 0),)))
    ada.answer_nowait(answer(0, "right"))  # and one given while exploring does not count
    await bob.close()
    await tally_until(teacher, Tally(0, ()))


@pytest.mark.parametrize(
    "line",
    [
        b'{"answer": {"step": 0, "parameter": 0, "move": "up"}}',
        b'{"answer": {"step": -1, "parameter": 0, "move": "left"}}',
        b'{"answer": {"step": true, "parameter": 0, "move": "left"}}',
        b'{"answer": {"step": 0, "parameter": "0", "move": "left"}}',
        b'{"answer": {"step": 0, "parameter": 0}}',
        # No way to name someone else: any key beyond the answer is refused whole.
        b'{"answer": {"step": 0, "parameter": 0, "move": "left", "student": "bob"}}',
        b'{"answer": {"step": 0, "parameter": 0, "move": "left"}, "token": "bob"}',
        b'{"answer": ["left"]}',
    ],
)
async def test_a_bad_answer_is_rejected_with_one_log_line_and_the_link_stays(
    hub_and_log: Any, line: bytes
) -> None:
    hub, log = hub_and_log
    teacher = await join(hub, "teacher")
    ada = await join(hub, "student")
    await counts_until(teacher, Counts(1, 1))
    await at_step(hub, teacher, [ada], 0)
    assert ada._writer is not None
    ada._writer.write(line + b"\n")
    ada.answer_nowait(answer(0, "right"))  # the next good line still counts
    await tally_until(teacher, Tally(0, ((0, 0, 1),)))
    assert [entry for entry in log if "rejected a line from a student" in entry] != []
    await teacher.publish(Step(1))
    assert await take(ada, 1) == [Step(1)]


# -- the pieces, without sockets -----------------------------------------------------------------


def test_an_answer_round_trips() -> None:
    given = answer(5, "right", parameter=2)
    assert parse_answer(given.to_json()) == given


def test_a_tally_round_trips_and_a_bad_one_is_none() -> None:
    tally = Tally(4, ((0, 3, 1), (1, 0, 2)), final=True)
    assert parse_tally(tally.to_json()["answers"]) == tally
    assert parse_tally({"step": 1, "final": False, "counts": [[0, 1]]}) is None
    assert parse_tally({"step": 1, "final": "yes", "counts": []}) is None


def test_the_round_follows_the_teachers_step() -> None:
    round_ = Round()
    steps = []
    for action in (Load("x"), Step(4), Back(1), Caption(3, "hi"), Goto(1), Step(2), Reset()):
        round_.follow(action)
        steps.append(round_.step)
    assert steps == [0, 4, 3, 3, 1, 3, 0]


def test_a_caption_keeps_the_answers() -> None:
    round_ = Round()
    round_.follow(Load("x"))
    assert round_.answer("ada", answer(0, "left"))
    assert round_.follow(Caption(0, "think first")) is None
    assert round_.tally() == Tally(0, ((0, 1, 0),))


@pytest.mark.parametrize(
    ("moves", "expected"),
    [
        (["left", "right"], (3 + 2, 4 + 2)),  # w went left: 3 of 4; b went right: 2 of 2
        (["right", "stay"], (1, 4)),  # b stayed: its answers do not count
        (["left"], (3, 4)),  # a parameter the run does not have counts nothing
    ],
)
def test_the_teacher_judges_a_final_tally_against_the_moves(
    moves: list[str], expected: tuple[int, int]
) -> None:
    tally = Tally(0, ((0, 3, 1), (1, 0, 2)), final=True)
    assert tally.judged(moves) == expected
