"""Follow mode: the hub relays the teacher, and only the teacher, to the students."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from gdtui.classroom.link import ClassroomLink, Counts
from gdtui.lesson import actions
from gdtui.lesson.actions import Load, Step
from gdtui.serve.classroom import Hub
from tests.serve.conftest import StartServer, open_screen

FOLLOW = [sys.executable, str(Path(__file__).with_name("follow_child.py"))]


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub()
    await hub.start()
    yield hub
    await hub.close()


async def join(hub: Hub, role: str) -> ClassroomLink:
    token = hub.register(role)  # type: ignore[arg-type]
    link = ClassroomLink.from_environment(hub.environment(token))
    assert link is not None and link.role == role
    await link.connect()
    return link


async def take(link: ClassroomLink, n: int) -> list[actions.Action]:
    """The next `n` actions a student receives."""
    got: list[actions.Action] = []
    async with asyncio.timeout(5):
        async for action in link.actions():
            got.append(action)
            if len(got) == n:
                return got
    raise AssertionError(f"the link ended after {got}")


async def counts_until(link: ClassroomLink, expected: Counts) -> None:
    async with asyncio.timeout(5):
        async for counts in link.counts():
            if counts == expected:
                return


async def nothing_arrives(link: ClassroomLink) -> bool:
    try:
        await asyncio.wait_for(take(link, 1), 0.3)
    except TimeoutError:
        return True
    return False


async def test_students_receive_the_teachers_actions_live(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    students = [await join(hub, "student"), await join(hub, "student")]
    await counts_until(teacher, Counts(2, 2))
    await teacher.publish(Load("bowl-from-left"))
    await teacher.publish(Step(1))
    for student in students:
        assert await take(student, 2) == [Load("bowl-from-left"), Step(1)]


async def test_a_teacher_can_publish_from_synchronous_code(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    student = await join(hub, "student")
    await counts_until(teacher, Counts(1, 1))
    teacher.publish_nowait(Load("ravine"))
    teacher.publish_nowait(Step(2))
    assert await take(student, 2) == [Load("ravine"), Step(2)]
    student.report_nowait(False)
    await counts_until(teacher, Counts(1, 0))


async def test_a_late_student_catches_up_from_the_last_load(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    for action in (Load("ravine"), Step(3), Load("bowl-from-left"), Step(2), Step(5)):
        await teacher.publish(action)
    await counts_until(teacher, Counts(0, 0))
    await asyncio.sleep(0.1)
    late = await join(hub, "student")
    backlog = await take(late, 2)
    assert backlog == [Load("bowl-from-left"), Step(7)]  # steps add up in the backlog
    _, caught_up = actions.replay(backlog)
    _, live = actions.replay([Load("bowl-from-left"), Step(2), Step(5)])
    assert caught_up.current.theta.tobytes() == live.current.theta.tobytes()
    assert caught_up.costs().tobytes() == live.costs().tobytes()


async def test_a_student_cannot_drive_anyone(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    mallory, bob = await join(hub, "student"), await join(hub, "student")
    await counts_until(teacher, Counts(2, 2))
    await mallory.publish(Load("ravine"))  # a student's link sends it; the hub must not
    assert mallory._writer is not None
    mallory._writer.write(b'{"hello": "x", "counts": {"students": 99}}\n')
    await asyncio.sleep(0.2)
    assert hub.backlog == ()
    assert await nothing_arrives(bob)
    assert teacher.latest_counts == Counts(2, 2)


async def test_an_explorer_stops_receiving_and_gets_the_whole_backlog_on_return(
    hub: Hub,
) -> None:
    teacher = await join(hub, "teacher")
    student = await join(hub, "student")
    await teacher.publish(Load("bowl-from-left"))
    assert await take(student, 1) == [Load("bowl-from-left")]
    await student.report(False)
    await counts_until(teacher, Counts(1, 0))
    await teacher.publish(Step(4))
    assert await nothing_arrives(student)
    await student.report(True)
    assert await take(student, 2) == [Load("bowl-from-left"), Step(4)]
    await counts_until(teacher, Counts(1, 1))


async def test_the_teacher_sees_students_come_and_go(hub: Hub) -> None:
    teacher = await join(hub, "teacher")
    await counts_until(teacher, Counts(0, 0))
    student = await join(hub, "student")
    await counts_until(teacher, Counts(1, 1))
    await student.close()
    await counts_until(teacher, Counts(0, 0))


async def test_the_latest_teacher_login_drives(hub: Hub) -> None:
    first = await join(hub, "teacher")
    second = await join(hub, "teacher")
    student = await join(hub, "student")
    await counts_until(first, Counts(1, 1, driving=False))
    await first.publish(Load("ravine"))
    await second.publish(Load("bowl-from-left"))
    assert await take(student, 1) == [Load("bowl-from-left")]
    assert await nothing_arrives(student)


async def test_an_unknown_token_is_turned_away(hub: Hub) -> None:
    link = ClassroomLink(hub.path, "forged", "teacher")
    await link.connect()
    async with asyncio.timeout(5):
        async for _ in link.counts():
            raise AssertionError("a forged token got counts")
    assert not link.connected


async def test_only_a_student_watching_a_present_teacher_is_kept_alive(hub: Hub) -> None:
    student = await join(hub, "student")
    await asyncio.sleep(0.1)
    assert not hub.keeps_alive(student.token)  # no teacher yet: nothing to watch
    teacher = await join(hub, "teacher")
    await counts_until(teacher, Counts(1, 1))
    assert hub.keeps_alive(student.token)
    await student.report(False)
    await counts_until(teacher, Counts(1, 0))
    assert not hub.keeps_alive(student.token)  # exploring alone is idle without keys
    assert not hub.keeps_alive(teacher.token)


async def test_the_hubs_socket_is_private_and_removed_on_close() -> None:
    hub = Hub()
    await hub.start()
    folder = os.path.dirname(hub.path)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    await hub.close()
    assert not os.path.exists(folder)


def test_no_link_outside_a_classroom() -> None:
    assert ClassroomLink.from_environment({}) is None
    assert ClassroomLink.from_environment({"GDTUI_CLASSROOM": "/x", "GDTUI_CLASSROOM_TOKEN": "t",
                                           "GDTUI_CLASSROOM_ROLE": "admin"}) is None  # fmt: skip


# -- through SSH ---------------------------------------------------------------------------------


async def line(screen: Any, pattern: bytes, start: int = 0) -> bytes:
    return bytes((await screen.wait_for(pattern, start))[0])


async def test_follow_mode_over_ssh(serve: StartServer) -> None:
    server = await serve(command=FOLLOW, teacher_password="chalk")
    t_conn, teacher, t_screen = await open_screen(server, username="teacher", password="chalk")
    await line(t_screen, rb"ready:\d+:teacher")
    students = [await open_screen(server, username=f"s{i}") for i in range(2)]
    for _, _, screen in students:
        await line(screen, rb"ready:\d+:student")
    await line(t_screen, rb"counts:2/2")

    teacher.write(b"n")
    for _, _, screen in students:
        await line(screen, rb"step:1\r\n")

    # One student explores: the teacher's steps stop applying, its own keys work.
    _, alice, a_screen = students[0]
    alice.write(b"x")
    await line(a_screen, rb"mode:exploring")
    await line(t_screen, rb"counts:2/1")
    mark = len(a_screen.data)
    teacher.write(b"n")
    await line(students[1][2], rb"step:2\r\n")
    alice.write(b"n")
    await line(a_screen, rb"step:2\r\n", mark)  # its own step from 1, not the teacher's

    # Following again jumps to the teacher's state.
    teacher.write(b"n")
    await line(students[1][2], rb"step:3\r\n")
    mark = len(a_screen.data)
    alice.write(b"f")
    await line(a_screen, rb"step:3\r\n", mark)
    await line(t_screen, rb"counts:2/2")

    # A student who logs in late catches up.
    late = await open_screen(server, username="late")
    await line(late[2], rb"step:3\r\n")
    for conn, *_ in (*students, late, (t_conn,)):
        conn.close()


async def test_the_class_code_does_not_make_anyone_the_teacher(serve: StartServer) -> None:
    server = await serve(command=FOLLOW, teacher_password="chalk", password="class")
    with pytest.raises(asyncssh.PermissionDenied):
        await open_screen(server, username="teacher", password="class")
    conn, chan, screen = await open_screen(server, username="Teacher", password="class")
    async with conn:
        await line(screen, rb"ready:\d+:student")
