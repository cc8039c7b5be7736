"""Recorded lessons: written and read back whole, replayed bit for bit, bad files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdtui.__main__ import main
from gdtui.lesson import actions
from gdtui.lesson.actions import Caption, Load, SetAlpha, Step
from gdtui.lesson.recording import RecordingError, read_lesson, write_lesson
from tests.lesson.test_actions import LESSON, fingerprint

HEADER = b'{"gdtui":"lesson","version":1}\n'


def recorded(tmp_path: Path, source: str = "logistic-one-feature") -> tuple[Path, list]:
    """A lesson file of the shared test lesson, and the session the teacher ended with."""
    load = Load(source)
    _, teacher = actions.open_scenario(load)
    for action in LESSON:
        actions.apply(teacher, action)
    path = tmp_path / "lesson.lesson.jsonl"
    write_lesson(path, [load, *LESSON])
    return path, [teacher]


def test_a_recording_replays_to_the_teachers_state_bit_for_bit(tmp_path: Path) -> None:
    path, (teacher,) = recorded(tmp_path)
    lesson = read_lesson(path)
    assert not lesson.truncated and lesson.actions == (Load("logistic-one-feature"), *LESSON)
    _, session = actions.replay(lesson.actions)
    assert fingerprint(session) == fingerprint(teacher)


def test_the_file_is_a_header_then_one_action_a_line(tmp_path: Path) -> None:
    path = tmp_path / "l.lesson.jsonl"
    write_lesson(path, [Load("ravine"), Step(2), Caption(2, "a zig-zag")])
    assert path.read_bytes() == (
        HEADER + b'{"op":"load","source":"ravine","overrides":[]}\n{"op":"step","k":2}\n'
        b'{"op":"caption","step":2,"text":"a zig-zag"}\n'
    )


def test_a_hand_written_lesson_without_a_final_newline_reads_whole(tmp_path: Path) -> None:
    path = tmp_path / "l.lesson.jsonl"
    path.write_bytes(HEADER + b'{"op": "load", "source": "ravine", "overrides": []}\n'
                     b'{"op": "set_alpha", "alpha": 0.01}')  # fmt: skip
    lesson = read_lesson(path)
    assert lesson.actions == (Load("ravine"), SetAlpha(0.01)) and not lesson.truncated


def test_a_cut_last_line_replays_what_is_whole_and_says_so(tmp_path: Path) -> None:
    path, _ = recorded(tmp_path)
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"\n", 0, -1) + 8])  # half of the last line
    lesson = read_lesson(path)
    assert lesson.truncated and lesson.actions == (Load("logistic-one-feature"), *LESSON[:-1])


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (b"name,cost\n1,2\n", "line 1: not a gdtui lesson"),
        (b'{"gdtui": "trace", "version": 1}\n', "line 1: not a gdtui lesson"),
        (b'{"gdtui": "lesson", "version": 9}\n', "version 9 is newer"),
        (HEADER, "no actions"),
        (HEADER + b'{"op": "step", "k": 1}\n', "line 2: a lesson starts with a load"),
        (HEADER + b'{"op":"load","source":"ravine","overrides":[]}\n{"op": "jump"}\n'
         b'{"op": "step", "k": 1}\n', "line 3: unknown op 'jump'"),
        (HEADER + b'{"op":"load","source":"ravine","overrides":[]}\n\xff\xfe\n'
         b'{"op": "step", "k": 1}\n', "line 3: not JSON"),
    ],
)  # fmt: skip
def test_a_bad_file_is_one_error_naming_the_file_and_line(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "bad.lesson.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingError) as error:
        read_lesson(path)
    message = str(error.value)
    assert message.startswith(str(path)) and says in message and "\n" not in message


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"\x00\x01garbage", "not a gdtui lesson"),
        (HEADER + b'{"op":"load","source":"no-such-lesson","overrides":[]}\n', "no-such-lesson"),
        (HEADER + b'{"op":"load","source":"ravine","overrides":[]}\n'
         b'{"op":"set_alpha","alpha":-1}\n', "cannot replay"),
    ],
)  # fmt: skip
def test_gdtui_replay_refuses_a_bad_file_in_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, says: str
) -> None:
    path = tmp_path / "bad.lesson.jsonl"
    path.write_bytes(content)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


def test_gdtui_replay_of_a_missing_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "/nonexistent/l.lesson.jsonl"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_readme_example_is_a_lesson_that_replays(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.lesson.jsonl"
    path.write_text(example, encoding="utf-8")
    lesson = read_lesson(path)
    assert isinstance(lesson.actions[0], Load) and len(lesson.actions) == 5
    assert actions.replay(lesson.actions)[1].current.step == 4
