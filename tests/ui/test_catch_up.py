"""A student who joins late: the screen starts from the teacher's state, catches up in the
worker while it paints, and `q` quits at once meanwhile (Pilot)."""

from __future__ import annotations

from types import SimpleNamespace

from gdtui.lesson import actions
from gdtui.lesson.actions import Action, Load, Resume, Step, catch_up
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.debugger import DebuggerScreen
from tests.lesson.test_actions import fingerprint

from .helpers import DATA, debugger, scenario, settle, until

SIZE = (120, 40)

#: The test curve, allowed a long run.
LONG = Load(str(DATA / "curve.toml"), ("stop.max_steps=2000000", "stop.tolerance=0"))


def student() -> GdtuiApp:
    return GdtuiApp(scenario("curve"))


def seat_as_student(screen: DebuggerScreen) -> None:
    """A student's seat with its hub out of reach: x and f work, nothing is sent."""
    screen.seat.link = SimpleNamespace(role="student", connected=False)  # type: ignore[assignment]
    screen.seat.following = True


async def test_q_quits_at_once_while_catching_up() -> None:
    app = student()
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        screen.seat.following = True
        # Many times what the worker makes in a chunk: without chunks, q would wait for it.
        for action in (LONG, Step(2_000_000)):
            screen.teacher_did(action)
        await until(pilot, lambda: "catching up with the teacher" in screen.status_line.text)
        assert screen.busy == "catch up"
        await until(pilot, lambda: screen.snapshot is not None and screen.snapshot.step > 0)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running)
    assert screen.session.current.step < 2_000_000  # it quit before catching up


async def test_the_screen_paints_while_it_catches_up() -> None:
    app = student()
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        seat_as_student(screen)
        for action in (LONG, Step(2_000_000)):
            screen.teacher_did(action)
        # Progress reaches the status line from the worker's chunks, more than once.
        seen: set[str] = set()
        await until(pilot, lambda: len(seen.add(screen.status_line.text) or seen) > 3)
        assert all("catching up with the teacher" in text for text in seen)
        assert "of 2,000,000 (q quits)" in screen.status_line.text
        await pilot.press("x")  # explore from where it got: the catch-up stops
        await settle(pilot)
        assert not screen.seat.following and screen.session.current.step < 2_000_000


async def test_a_late_joiner_reaches_the_teachers_floats_and_screen() -> None:
    stream: list[Action] = [LONG, Step(700), actions.SetAlpha(0.05), Step(300),
                            actions.Back(40)]  # fmt: skip
    _, teacher = actions.replay(stream)
    app = student()
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        seat_as_student(screen)
        for action in catch_up(LONG, teacher):
            screen.teacher_did(action)
        await settle(pilot)
        await until(pilot, lambda: not screen.inbox)
        await settle(pilot)
        joined = screen.session
        assert 0 < joined.first < teacher.current.step
        assert joined.current.theta.tobytes() == teacher.current.theta.tobytes()
        assert joined.costs(joined.first).tobytes() == teacher.costs(joined.first).tobytes()
        assert "step 960" in screen.status_line.text
        assert "following the teacher" in screen.status_line.text
        notes = [str(n.message) for n in app._notifications]
        assert any(f"starts at step {joined.first}, where you joined" in n for n in notes)
        # The teacher's next steps keep them together.
        screen.teacher_did(Step(100))
        actions.apply(teacher, Step(100))
        await settle(pilot)
        await until(pilot, lambda: not screen.inbox)
        await settle(pilot)
        assert fingerprint(joined)[1:5] == fingerprint(teacher)[1:5]
        # What it would export as a lesson replays to the same run: the scenario's Load,
        # the Resume, then the teacher's actions.
        assert isinstance(screen.lesson[0], Load) and isinstance(screen.lesson[1], Resume)
        assert fingerprint(actions.replay(screen.lesson)[1]) == fingerprint(joined)


async def test_b_at_the_first_step_of_a_joined_run_says_why() -> None:
    _, teacher = actions.replay([LONG, Step(500)])
    app = student()
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        screen.seat.following = True
        for action in catch_up(LONG, teacher, window=0):
            screen.teacher_did(action)
        await settle(pilot)
        screen.seat.following = False  # exploring, as x does
        await pilot.press("b")
        await pilot.pause()
        assert screen.session.current.step == 500
        notes = [str(n.message) for n in app._notifications]
        assert any("starts at step 500, where you joined" in n for n in notes), notes


async def test_the_teacher_going_back_before_a_joined_run_fetches_the_teachers_run_again() -> None:
    _, teacher = actions.replay([LONG, Step(500)])
    app = student()
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        reports: list[bool] = []
        screen.seat.link = SimpleNamespace(  # type: ignore[assignment]
            role="student", connected=True, report_nowait=reports.append
        )
        screen.seat.following = True
        for action in catch_up(LONG, teacher, window=0):
            screen.teacher_did(action)
        await settle(pilot)
        assert screen.session.first == 500
        # The teacher goes back past where this run starts: the hub is asked for the
        # teacher's run again (as when a student starts following), not stuck at 500.
        actions.apply(teacher, actions.Back(200))
        screen.teacher_did(actions.Back(200))
        screen.teacher_did(Step(1))  # sent before the hub heard: dropped
        await settle(pilot)
        assert reports == [False, True] and screen.seat.following
        assert not screen.inbox
        notes = [str(n.message) for n in app._notifications]
        assert any("went back to step 300, before this run's first step (500)" in n
                   for n in notes), notes  # fmt: skip
        # What the hub sends then: the teacher's latest state, taken at step 300.
        for action in catch_up(LONG, teacher):
            screen.teacher_did(action)
        await settle(pilot)
        await until(pilot, lambda: not screen.inbox)
        await settle(pilot)
        assert screen.session.current.step == teacher.current.step == 300
        assert screen.session.current.theta.tobytes() == teacher.current.theta.tobytes()
        assert "step 300" in screen.status_line.text
