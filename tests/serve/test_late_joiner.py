"""A student who joins late starts from the teacher's latest state, not from every action
since the load: the hub keeps it, the recording does not, and over SSH the joiner's screen
shows the teacher's step and step log."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gdtui.lesson import actions
from gdtui.lesson.actions import Caption, Load, Resume, SetAlpha, Step, catch_up
from gdtui.lesson.ghost import keep, shown
from gdtui.lesson.recording import Recorder, read_lesson
from gdtui.serve.classroom import Hub
from tests.serve.conftest import StartServer
from tests.serve.test_classroom import Counts, counts_until, join, take
from tests.serve.test_classroom import hub as hub  # the fixture
from tests.serve.test_follow_app import CHALK, GDTUI, log_in, logs_agree, step

LESSON = [Load("ravine"), Step(400), SetAlpha(0.05), Step(250)]


async def test_a_late_student_starts_from_the_teachers_state(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    await counts_until(teacher, Counts(0, 0))
    for action in LESSON:
        await teacher.publish(action)
    _, session = actions.replay(LESSON)
    state = catch_up(LESSON[0], session)
    teacher.publish_state(state)
    # What came after the state follows it, the captions since the load with it.
    for action in (Caption(640, "look at b"), Step(3)):
        await teacher.publish(action)
    await asyncio.sleep(0.1)
    late = await join(hub, "student")
    received = await take(late, len(state) + 2)
    assert received == [*state, Caption(640, "look at b"), Step(3)]
    assert isinstance(received[0], Resume) and received[0].step > 0
    _, joined = actions.replay(received)
    actions.apply(session, Step(3))
    assert joined.current.theta.tobytes() == session.current.theta.tobytes()
    assert joined.current.state.tobytes() == session.current.state.tobytes()


async def test_a_state_is_not_relayed_to_those_already_following(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    student = await join(hub, "student")
    await counts_until(teacher, Counts(1, 1))
    await teacher.publish(LESSON[0])
    _, session = actions.replay(LESSON[:1])
    teacher.publish_state(catch_up(LESSON[0], session))
    await teacher.publish(Step(1))
    assert await take(student, 2) == [LESSON[0], Step(1)]


async def test_a_malformed_state_is_refused_and_the_backlog_kept(hub: Hub) -> None:
    logged: list[str] = []
    hub._log = logged.append
    teacher = await join(hub, "teacher")
    await counts_until(teacher, Counts(0, 0))
    for action in LESSON[:2]:
        await teacher.publish(action)
    teacher._send_nowait({"state": [{"op": "step", "k": 1}]})  # no resume first
    teacher._send_nowait({"state": []})
    teacher._send_nowait({"state": [{"op": "resume"}]})
    _, session = actions.replay(LESSON[:2])
    load = {"op": "load", "source": "ravine", "overrides": []}  # not after a resume
    teacher._send_nowait({"state": [*map(wire_json, catch_up(LESSON[0], session)), load]})
    await asyncio.sleep(0.2)
    assert hub.backlog == (LESSON[0], LESSON[1])
    assert len(logged) == 4 and all("not a state" in line or "a state is" in line
                                    for line in logged)  # fmt: skip


async def test_a_state_from_a_teacher_who_no_longer_drives_is_ignored(hub: Hub) -> None:
    first = await join(hub, "teacher")
    await first.publish(LESSON[0])
    second = await join(hub, "teacher")
    await counts_until(second, Counts(0, 0, True))
    _, session = actions.replay(LESSON)
    first.publish_state(catch_up(LESSON[0], session))
    await asyncio.sleep(0.2)
    assert hub.backlog == (LESSON[0],)


async def test_the_recording_keeps_every_action_and_no_state(tmp_path: Path) -> None:
    recording = Hub()
    recording.recorder = Recorder(tmp_path / "lessons")
    await recording.start()
    try:
        teacher = await join(recording, "teacher")
        await counts_until(teacher, Counts(0, 0))
        _, session = actions.replay(LESSON)
        for action in LESSON:
            await teacher.publish(action)
            teacher.publish_state(catch_up(LESSON[0], session))
        await asyncio.sleep(0.2)
        (path,) = (tmp_path / "lessons").iterdir()
        assert read_lesson(path).actions == tuple(LESSON)
        await teacher.close()
    finally:
        await recording.close()


def wire_json(action: actions.Action) -> object:
    from gdtui.lesson import wire

    return wire.to_json(action)


# -- the real app, over SSH ----------------------------------------------------------------------


async def test_a_student_who_joins_after_a_long_continue_sees_the_teachers_step(
    serve: StartServer,
) -> None:
    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    teacher.press("c")  # the lesson converges at step 2,370
    await teacher.until(step("2,370"))
    await teacher.until(r"converged at step 2,370", anywhere=True)
    teacher.press("bbb")
    await teacher.until(step("2,367"))
    late = await log_in(server, "ada")
    await late.until(r"^following the teacher │", step("2,367"))
    await logs_agree(late, teacher)
    # It goes on with the teacher, forward and back within what it has.
    teacher.press("nnnn")
    for person in (teacher, late):
        await person.until(step("2,371"))
    await logs_agree(late, teacher)
    await teacher.until(r"1 student, 1 following")


async def test_a_late_student_gets_the_teachers_ghost_with_the_state(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    await counts_until(teacher, Counts(0, 0))
    _, session = actions.replay(LESSON)
    ghost = shown(keep(session, LESSON[0]))
    for action in LESSON:
        await teacher.publish(action)
    state = catch_up(LESSON[0], session)
    assert teacher.publish_state([*state, ghost])
    await asyncio.sleep(0.1)
    late = await join(hub, "student")
    assert await take(late, len(state) + 1) == [*state, ghost]


async def test_a_state_with_a_ghost_before_its_steps_is_refused(hub: Hub) -> None:
    logged: list[str] = []
    hub._log = logged.append
    teacher = await join(hub, "teacher")
    await counts_until(teacher, Counts(0, 0))
    await teacher.publish(LESSON[0])
    _, session = actions.replay(LESSON)
    resume, *rest = catch_up(LESSON[0], session)
    assert rest  # the steps after the resume
    ghost = shown(keep(session, LESSON[0]))
    assert teacher.publish_state([resume, ghost, *rest])
    await asyncio.sleep(0.2)
    assert hub.backlog == (LESSON[0],)
    assert len(logged) == 1 and "a state is" in logged[0]


async def test_a_late_student_and_one_following_again_draw_the_teachers_ghost(
    serve: StartServer,
) -> None:
    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    explorer = await log_in(server, "bob")
    teacher.press("nnnnn")
    await teacher.until(step(5))
    teacher.press("m")  # kept: drawn as ○ behind the runs that follow, with its label
    await teacher.until(r"ghost: gd alpha", anywhere=True)
    teacher.press("n")
    await teacher.until(step(6))
    late = await log_in(server, "ada")
    await late.until(r"^following the teacher │", step(6))
    await late.until(r"ghost: gd alpha", anywhere=True)
    # Following again rebuilds the run from the teacher's state: the ghost comes with it.
    await explorer.until(step(6))
    explorer.press("x")
    await explorer.until(r"^exploring")
    explorer.press("f")
    await explorer.until(r"^following the teacher │", step(6))
    await explorer.until(r"ghost: gd alpha", anywhere=True)
    await logs_agree(late, teacher)


async def test_a_late_student_follows_the_teacher_back_before_where_it_joined(
    serve: StartServer,
) -> None:
    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    teacher.press("c")  # the lesson converges at step 2,370
    await teacher.until(step("2,370"))
    late = await log_in(server, "ada")  # its run starts 100 steps or so before
    await late.until(r"^following the teacher │", step("2,370"))
    teacher.press("g")
    await teacher.until(r"go to step", anywhere=True)
    teacher.press("2000\r")
    await teacher.until(step("2,000"))
    await late.until(r"^following the teacher │", step("2,000"))
    await logs_agree(late, teacher)
