"""Messages between the debugger's parts. Each carries frozen data only (a `Snapshot` is
immutable), so a worker thread can post it without sharing the session."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from gdtui.engine.session import RunResult
from gdtui.engine.snapshot import Snapshot


@dataclass
class RunProgress(Message, bubble=False):
    """A long continue has reached `snapshot`; the worker thread still owns the session."""

    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        """Only the newest progress matters: a flood of them collapses into one."""
        return isinstance(message, RunProgress)


@dataclass
class RunStopped(Message, bubble=False):
    """A continue has ended (finished, stopped by the user, or failed); the session is free.

    Attributes:
        result: How the last chunk ended; None if it never ran.
        cancelled: Whether the user (or quitting) stopped it.
        error: What went wrong, if the engine raised.
    """

    result: RunResult | None
    cancelled: bool = False
    error: str | None = None


@dataclass
class Stepped(Message, bubble=False):
    """The screen now shows `step`, repainted: for tests and the latency benchmark.

    Attributes:
        step: The step under the cursor.
        reason: What moved it: `step`, `back`, `run`, `continue`, `goto`, `reset`,
            `restart`, `alpha`, `optimizer`, `scenario`.
    """

    step: int
    reason: str

    def can_replace(self, message: Message) -> bool:
        """While running, only the latest step needs to be known."""
        return isinstance(message, Stepped)


@dataclass
class Exported(Message, bubble=False):
    """The trace export has finished; the session is free again.

    Attributes:
        paths: The files written.
        error: What went wrong, if writing failed.
    """

    paths: tuple[str, ...]
    error: str | None = None
