"""A stand-in for gdtui's follow mode: the classroom link and the real engine, no Textual.

Teacher: opens the scenario, publishes it, and on `n` steps and publishes the step.
Student: replays what the hub sends; `x` explores alone (then `n` steps locally), `f`
follows again. Both print one line per change: `step:N`, `counts:S/F`, `mode:...`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tty

from gdtui.classroom.link import ClassroomLink
from gdtui.lesson import actions


def say(text: str) -> None:
    os.write(1, f"{text}\r\n".encode())


async def main() -> int:
    tty.setraw(0)
    link = ClassroomLink.from_environment()
    if link is None:
        say("no classroom")
        return 1
    await link.connect()
    load = actions.Load("bowl-from-left")
    _, session = actions.open_scenario(load)
    following = link.role == "student"
    keys: asyncio.Queue[bytes] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    loop.add_reader(0, lambda: keys.put_nowait(os.read(0, 64)))
    say(f"ready:{os.getpid()}:{link.role}")

    async def follow() -> None:
        nonlocal session
        async for action in link.actions():
            if not following:
                continue
            if isinstance(action, actions.Load):
                _, session = actions.open_scenario(action)
            else:
                actions.apply(session, action)
            say(f"step:{session.current.step}")

    async def show_counts() -> None:
        async for counts in link.counts():
            say(f"counts:{counts.students}/{counts.following}")

    if link.role == "teacher":
        await link.publish(load)
        task = asyncio.create_task(show_counts())
    else:
        task = asyncio.create_task(follow())
    while (data := await keys.get()) and b"q" not in data:
        for key in data.decode():
            if key == "n" and not following:
                session.step(1)
                say(f"step:{session.current.step}")
                if link.role == "teacher":
                    await link.publish(actions.Step(1))
            elif key == "x" and link.role == "student":
                following = False
                await link.report(False)
                say("mode:exploring")
            elif key == "f" and link.role == "student":
                following = True
                say("mode:following")
                await link.report(True)
    task.cancel()
    await link.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
