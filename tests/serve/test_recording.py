"""`gdtui serve ssh --record DIR`: the hub saves the teacher's stream, a file per load."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from gdtui.classroom.link import ClassroomLink, Counts
from gdtui.lesson.actions import Load, SetAlpha, Step
from gdtui.lesson.recording import Recorder, read_lesson
from gdtui.serve.classroom import Hub
from gdtui.serve.cli import serve


async def test_the_hub_saves_each_load_in_its_own_file_as_it_goes(tmp_path: Path) -> None:
    hub = Hub()
    hub.recorder = Recorder(tmp_path / "lessons")
    await hub.start()
    try:
        token = hub.register("teacher")
        teacher = ClassroomLink.from_environment(hub.environment(token))
        assert teacher is not None
        await teacher.connect()
        async with asyncio.timeout(5):
            async for counts in teacher.counts():
                if counts == Counts(0, 0):
                    break
        for action in (Load("ravine"), Step(1), Step(1), Load("bowl-from-left"), SetAlpha(0.5)):
            await teacher.publish(action)
        await asyncio.sleep(0.2)
        # Read while the hub still runs: each line is on disk once it has been relayed.
        first, second = sorted((tmp_path / "lessons").iterdir())
        assert first.name == "001-ravine.lesson.jsonl"
        assert read_lesson(first).actions == (Load("ravine"), Step(1), Step(1))
        assert read_lesson(second).actions == (Load("bowl-from-left"), SetAlpha(0.5))
        await teacher.close()
    finally:
        await hub.close()


def test_record_needs_a_teacher(tmp_path: Path) -> None:
    err = io.StringIO()
    status = serve(["ssh", "--record", str(tmp_path), "--host-key", str(tmp_path / "key")],
                   io.StringIO(), err)  # fmt: skip
    assert status == 2 and "--teacher-password" in err.getvalue()
    assert err.getvalue().count("\n") == 1
