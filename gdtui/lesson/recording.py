"""Recorded lessons: a run's actions in a file, to replay step by step later.

A lesson file is UTF-8 text, one JSON object a line: a header, then the actions in the
order they were performed, each as the classroom's wire writes it (`gdtui.lesson.wire`):

    {"gdtui": "lesson", "version": 1}
    {"op": "load", "source": "alpha-overshoot", "overrides": []}
    {"op": "step", "k": 1}
    {"op": "caption", "step": 1, "text": "watch the sign of dw flip at every step"}

The first action is a `load`. A file is written and flushed an action at a time, so a crash
loses at most the line being written: a last line cut short is left out, and said so.

Headless: no textual, no rich.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gdtui.lesson import wire
from gdtui.lesson.actions import Action, Load
from gdtui.scenario import Scenario, preset_dir

#: The format this gdtui writes, and the newest it reads.
VERSION = 1

#: The header line's object.
HEADER = {"gdtui": "lesson", "version": VERSION}

#: The file name ending of a recorded lesson.
SUFFIX = ".lesson.jsonl"

#: The largest lesson file read: a long lesson is thousands of lines, not millions.
MAX_BYTES = 64 * 1024 * 1024


class RecordingError(Exception):
    """A lesson file cannot be replayed: one line naming the file, the line and why."""


@dataclass(frozen=True)
class Lesson:
    """A recording read back.

    Attributes:
        path: The file, as given.
        actions: Its actions, the first a `Load`.
        truncated: Whether the last line was cut short and left out.
    """

    path: str
    actions: tuple[Action, ...]
    truncated: bool = False


def read_lesson(path: str | Path) -> Lesson:
    """Read and check a whole lesson file.

    Raises:
        RecordingError: It cannot be read, is not a gdtui lesson, is of a newer version, or
            has a bad line before its last.
    """
    name = str(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise RecordingError(f"{name}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise RecordingError(f"{name}: larger than {MAX_BYTES // 2**20} MB: not a lesson")
    lines = data.split(b"\n")
    cut = lines[-1] != b""  # the last line has no newline: perhaps written half
    lines = lines[:-1] if not cut else lines
    if not lines or not lines[0].strip():
        raise RecordingError(f"{name}: empty: not a gdtui lesson")
    _check_header(name, lines[0])
    actions: list[Action] = []
    truncated = False
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            action = wire.decode(line)
        except ValueError as error:
            if cut and number == len(lines):
                truncated = True
                break
            raise RecordingError(f"{name}: line {number}: {error}") from None
        if not actions and not isinstance(action, Load):
            raise RecordingError(f"{name}: line {number}: a lesson starts with a load")
        actions.append(_located(action, Path(name).parent))
    if not actions:
        raise RecordingError(f"{name}: no actions after the header")
    return Lesson(name, tuple(actions), truncated)


def _check_header(name: str, line: bytes) -> None:
    try:
        header = wire.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("gdtui") != "lesson":
        raise RecordingError(f"{name}: line 1: not a gdtui lesson (expected {json.dumps(HEADER)})")
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise RecordingError(f"{name}: line 1: version is a whole number >= 1")
    if version > VERSION:
        raise RecordingError(f"{name}: line 1: lesson version {version} is newer than this "
                             f"gdtui reads ({VERSION}): upgrade gdtui")  # fmt: skip


def _located(action: Action, folder: Path) -> Action:
    """A `Load` of a relative scenario path, found beside the lesson if it is there."""
    if isinstance(action, Load) and action.source.endswith(".toml"):
        beside = folder / action.source
        if not Path(action.source).is_absolute() and beside.is_file():
            return Load(str(beside), action.overrides)
    return action


def load_of(scenario: Scenario) -> Load:
    """The `Load` that opens `scenario` again, by preset name where it is a preset, so a
    lesson recorded here replays on another machine."""
    source, overrides = scenario.source
    if source and Path(source).parent == preset_dir().resolve():
        source = Path(source).stem
    return Load(source or scenario.path, overrides)


class LessonWriter:
    """Writes a lesson a line at a time, flushed as it goes.

    Args:
        stream: A binary stream, at its start.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.stream.write(wire.dumps(HEADER))
        self.stream.flush()

    def write(self, action: Action) -> None:
        """One more action."""
        self.stream.write(wire.encode(action))
        self.stream.flush()


def lesson_text(actions: Iterable[Action]) -> str:
    """A whole lesson file's text."""
    return b"".join([wire.dumps(HEADER), *(wire.encode(a) for a in actions)]).decode()


def write_lesson(path: str | Path, actions: Iterable[Action]) -> None:
    """A whole lesson to `path`."""
    with open(path, "wb") as stream:
        writer = LessonWriter(stream)
        for action in actions:
            writer.write(action)


class Recorder:
    """Saves a live stream of actions into a folder: one lesson file per scenario loaded,
    each action flushed as it comes, so a crash loses nothing already taught.

    Args:
        folder: Where the files go (made if missing).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.paths: list[Path] = []
        """The files written, in order."""
        self._stream: IO[bytes] | None = None
        self._writer: LessonWriter | None = None

    def write(self, action: Action) -> None:
        """Save one action; a `Load` starts the next file.

        Raises:
            OSError: The folder cannot be written.
        """
        if isinstance(action, Load):
            self.close()
            stem = Path(action.source).stem or "lesson"
            path = self.folder / f"{len(self.paths) + 1:03d}-{stem}{SUFFIX}"
            self._stream = open(path, "xb")  # noqa: SIM115 - open until the next load
            self.paths.append(path)
            self._writer = LessonWriter(self._stream)
        if self._writer is not None:  # actions before any load have no lesson to go in
            self._writer.write(action)

    def close(self) -> None:
        """Finish the current file."""
        if self._stream is not None:
            self._stream.close()
            self._stream = self._writer = None
