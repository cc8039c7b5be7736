"""One path for every change: keys, a follower and a replayed recording perform the same
actions and reach the same screen; a replay's own keys; the recorded lesson `e` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdtui.lesson import actions
from gdtui.lesson.actions import Action, Caption, Goto, Load, Restart, SetAlpha, Step
from gdtui.lesson.recording import read_lesson, write_lesson
from gdtui.scenario import load_scenario
from gdtui.ui.app import GdtuiApp, replay_app
from gdtui.ui.screens.debugger import DebuggerScreen
from tests.lesson.test_actions import fingerprint

from .helpers import DATA, debugger, scenario, settle

SIZE = (120, 40)

#: Keys that change the run, each one action: step, step, alpha up, step, back, reset,
#: start right, step, continue (to a breakpoint or convergence), back.
KEYS = ["n", "n", "plus", "n", "b", "0", "right_square_bracket", "n", "c", "b"]


def shown(screen: DebuggerScreen) -> tuple[str, str, str]:
    """What a person reads about the run: the status (without who is watching), the state
    and the next update."""
    status = screen.status_line.text
    return (
        status[status.index(screen.scenario.name) :],
        screen.state_panel.text,
        (screen.update_panel.text),
    )


async def drive(keys: list[str]) -> tuple[list[Action], tuple, tuple, int]:
    """Press `keys` on a fresh app: the actions recorded, the state, the screen, and how
    many times `perform` ran."""
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        performed: list[Action] = []
        perform = screen.perform

        def counting(action: Action, **kwargs: bool) -> object:
            performed.append(action)
            return perform(action, **kwargs)

        screen.perform = counting  # type: ignore[method-assign]
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause()
        return list(screen.lesson), fingerprint(screen.session), shown(screen), len(performed)


async def test_each_key_performs_its_action_once() -> None:
    lesson, _, _, performed = await drive(KEYS)
    # `c` is the engine's own run, recorded as the step it made: not performed.
    assert performed == len(KEYS) - 1
    assert isinstance(lesson[0], Load) and len(lesson) == len(KEYS) + 1


async def test_a_follower_and_a_replay_reach_the_teachers_screen(tmp_path: Path) -> None:
    lesson, state, screen_text, _ = await drive(KEYS)
    # Headless, the same actions give the same floats.
    assert fingerprint(actions.replay(lesson)[1]) == state
    # A student following: the teacher's actions, as a burst.
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        follower = debugger(app)
        follower.seat.following = True
        for action in lesson:
            follower.teacher_did(action)
        await pilot.pause()
        await pilot.pause()
        assert fingerprint(follower.session) == state and shown(follower) == screen_text
    # A recording, stepped through with n.
    path = tmp_path / "l.lesson.jsonl"
    write_lesson(path, lesson)
    app = replay_app(read_lesson(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["n"] * (len(lesson) - 1))
        await settle(pilot)
        player = debugger(app)
        assert fingerprint(player.session) == state and shown(player) == screen_text
        assert f"replay: action {len(lesson)} of {len(lesson)}" in player.status_line.text


LESSON: list[Action] = [
    Load(str(DATA / "curve.toml")),
    Step(2),
    SetAlpha(0.3),
    Step(3),
    Goto(1),
]


@pytest.fixture
def lesson_app(tmp_path: Path) -> GdtuiApp:
    path = tmp_path / "l.lesson.jsonl"
    write_lesson(path, LESSON)
    return replay_app(read_lesson(path))


def state_after(k: int) -> tuple[object, ...]:
    """The state the recording's first k actions give, computed headless."""
    return fingerprint(actions.replay(LESSON[:k])[1])


async def test_n_and_b_move_through_the_recording(lesson_app: GdtuiApp) -> None:
    async with lesson_app.run_test(size=SIZE) as pilot:
        screen = debugger(lesson_app)
        assert "replay: action 1 of 5" in screen.status_line.text
        await pilot.press("n", "n", "n")
        assert fingerprint(screen.session) == state_after(4)
        assert "replay: action 4 of 5" in screen.status_line.text
        await pilot.press("b")
        assert fingerprint(screen.session) == state_after(3)
        assert "replay: action 3 of 5" in screen.status_line.text
        await pilot.press("plus")  # the recording leads: the run's own keys wait
        assert fingerprint(screen.session) == state_after(3)


async def test_x_explores_and_f_returns_where_the_recording_was_left(
    lesson_app: GdtuiApp,
) -> None:
    async with lesson_app.run_test(size=SIZE) as pilot:
        screen = debugger(lesson_app)
        await pilot.press("n", "n", "x")
        assert "exploring" in screen.status_line.text
        await pilot.press("n", "n", "n")
        assert screen.session.current.step == 5  # steps of its own, at alpha 0.3
        await pilot.press("f")
        assert fingerprint(screen.session) == state_after(3)
        assert "replay: action 3 of 5" in screen.status_line.text


async def test_export_writes_a_lesson_that_replays_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "plus", "n", "e")
        await settle(pilot)
        state = fingerprint(debugger(app).session)
    lesson = read_lesson(tmp_path / "curve-step3.lesson.jsonl")
    assert fingerprint(actions.replay(lesson.actions)[1]) == state


async def test_a_caption_shows_from_its_step_until_the_next() -> None:
    preset = load_scenario("alpha-overshoot")
    captions = dict(preset.captions)
    app = GdtuiApp(preset)
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        notes = screen.notes_panel
        assert notes is not None and notes.caption_text == captions[0]
        await pilot.press("n")
        assert notes.caption_text == captions[1]
        await pilot.press("n", "n", "n")
        assert screen.session.current.step == 4 and notes.caption_text == captions[2]
        await pilot.press("b", "b", "b")
        assert notes.caption_text == captions[1]


async def test_a_typed_caption_is_an_action_that_a_replay_shows(tmp_path: Path) -> None:
    app = GdtuiApp(scenario("curve"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("n", "semicolon")
        await pilot.press(*"the slope is gentler now", "enter")
        await pilot.pause()
        assert screen.lesson[-1] == Caption(1, "the slope is gentler now")
        assert screen.notes_panel is not None
        assert screen.notes_panel.caption_text == "the slope is gentler now"
        lesson = list(screen.lesson)
    path = tmp_path / "l.lesson.jsonl"
    write_lesson(path, lesson)
    app = replay_app(read_lesson(path))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("n")
        assert screen.notes_panel is not None and screen.notes_panel.caption_text == ""
        await pilot.press("n")
        assert screen.notes_panel.caption_text == "the slope is gentler now"


async def test_typed_alpha_and_start_are_actions_a_replay_reaches() -> None:
    # `a` and `=` (dialogs) go through `perform` like every key: recorded, and a headless
    # replay of the record lands on the same floats.
    app = GdtuiApp(scenario("logistic"))
    async with app.run_test(size=SIZE) as pilot:
        screen = debugger(app)
        await pilot.press("n", "a")
        await pilot.pause()
        app.focused.value = ""  # type: ignore[union-attr]
        await pilot.press(*"0.0375", "enter")
        await pilot.press("n", "equals_sign")
        await pilot.pause()
        for text in ("0.25", "-1.5"):
            app.focused.value = ""  # type: ignore[union-attr]
            await pilot.press(*text, "enter")
            await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        lesson = list(screen.lesson)
        assert lesson[1:] == [Step(1), SetAlpha(0.0375), Step(1), Restart((0.25, -1.5)), Step(1)]
        assert fingerprint(actions.replay(lesson)[1]) == fingerprint(screen.session)
        assert screen.session.current.step == 1 and screen.session.alpha == 0.0375
