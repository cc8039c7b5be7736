"""A student who joins late: how long until the screen stands at the teacher's step, and the
longest the screen could not paint meanwhile.

The teacher is simulated headless (its actions and, where the code has them, its states go
to a real hub, as the teacher's app sends them); the student is the real app, under Textual's
test driver, linked to that hub as a classroom session is. The reference, measured in the
same run, is a student who joins while the teacher is still at step 0: a fresh student's
first screen. Targets (issue 10): catching up takes at most 2 s whatever the history, and the
screen is never frozen (here: no gap between two ticks of a 10 ms timer over 0.25 s).

Runs on a tree without the teacher's states too (then the hub sends every action since the
load), which is how the figures before the change were taken.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable

from benchmarks.common import Result

#: The lesson's own scenario, allowed the teacher's million steps.
SOURCE = "logistic-one-feature"
OVERRIDES = ("stop.max_steps=2000000", "stop.tolerance=0")

#: Longer than this between two ticks of the student's 10 ms timer is a frozen screen.
FROZEN = 0.25

#: How long a catch-up may take (issue 10).
TARGET_SECONDS = 2.0

#: Rounds of each measurement (the median is kept); `GDTUI_BENCH_ROUNDS` for fewer where a
#: round takes minutes (a tree that replays the whole history).
ROUNDS = int(os.environ.get("GDTUI_BENCH_ROUNDS", "3"))


def _lessons() -> dict[str, list[object]]:
    from gdtui.lesson.actions import Back, Load, SetAlpha, Step

    load = Load(SOURCE, OVERRIDES)
    small: list[object] = [load]
    for i in range(2000):  # many presses that do not add up: n, n, b, an alpha now and then
        small += [Step(2), Back(1)]
        if i % 100 == 0:
            small.append(SetAlpha(0.3 if i % 200 else 0.2))
    return {"fresh": [load], "1e6 steps": [load, Step(10**6)], "many actions": small}


async def _join(lesson: list[object], session: object) -> tuple[float, float, int]:
    """Seconds until a student who joins after `lesson` stands at the teacher's step, the
    longest gap between its timer's ticks meanwhile, and that step.

    Args:
        lesson: The teacher's actions.
        session: The teacher's session after them.
    """
    from gdtui.classroom.link import ClassroomLink
    from gdtui.lesson import actions
    from gdtui.scenario import load_scenario
    from gdtui.serve.classroom import Hub
    from gdtui.ui.app import GdtuiApp

    target = session.current.step  # type: ignore[attr-defined]
    hub = Hub()
    await hub.start()
    try:
        teacher = ClassroomLink.from_environment(hub.environment(hub.register("teacher")))
        assert teacher is not None
        await teacher.connect()
        for action in lesson:
            await teacher.publish(action)  # type: ignore[arg-type]
        catch_up: Callable[..., list[object]] | None = getattr(actions, "catch_up", None)
        if catch_up is not None:  # the teacher's app sends where its run stands
            teacher.publish_state(catch_up(lesson[0], session))  # type: ignore[attr-defined]
        await asyncio.sleep(0.2)  # the hub has it all
        student = ClassroomLink.from_environment(hub.environment(hub.register("student")))
        app = GdtuiApp(load_scenario(SOURCE, OVERRIDES), student)
        ticks: list[float] = []
        started = time.perf_counter()
        async with app.run_test(size=(100, 30)) as pilot:
            app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))
            screen = app.screen_stack[0]
            while True:
                shown = getattr(screen, "snapshot", None)
                inbox = getattr(screen, "inbox", ())
                if (shown is not None and shown.step == target and not screen.busy  # type: ignore[attr-defined]
                        and not inbox and screen.session.current.step == target):  # type: ignore[attr-defined]  # fmt: skip
                    break
                await pilot.pause(0.005)
            seconds = time.perf_counter() - started
            await pilot.pause()
        await student.close()
        await teacher.close()
    finally:
        await hub.close()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    return seconds, max(gaps, default=seconds), target


def late_joiner() -> list[Result]:
    """Catch-up seconds after each lesson, and the longest frozen moment."""
    from gdtui.lesson import actions

    lessons = _lessons()
    sessions = {name: actions.replay(lesson)[1] for name, lesson in lessons.items()}  # type: ignore[arg-type]
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in lessons}
    steps: dict[str, int] = {}
    for _ in range(ROUNDS):
        for name, lesson in lessons.items():
            seconds, gap, steps[name] = asyncio.run(_join(lesson, sessions[name]))
            figures[name].append((seconds, gap))
    fresh = statistics.median(s for s, _ in figures["fresh"])
    fresh_gap = max(g for _, g in figures["fresh"])
    results = []
    for name in ("1e6 steps", "many actions"):
        seconds = statistics.median(s for s, _ in figures[name])
        gap = max(g for _, g in figures[name])
        results.append(Result(
            f"late joiner catch-up, {name}", seconds, "s", f"<= {TARGET_SECONDS}",
            seconds <= TARGET_SECONDS,
            f"{seconds / fresh:.2f}x a fresh student's first screen ({fresh:.2f} s); "
            f"teacher at step {steps[name]:,}",
        ))  # fmt: skip
        results.append(Result(
            f"late joiner longest frozen, {name}", gap, "s", f"<= {FROZEN}", gap <= FROZEN,
            f"the longest gap between two ticks of a 10 ms timer while joining; "
            f"{fresh_gap:.3f} s for a fresh student's first screen",
        ))  # fmt: skip
    return results


BENCHMARKS = [late_joiner]
