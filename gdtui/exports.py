"""How many exports a session may write, and how many bytes.

A local user is not limited: the quota is off unless the environment sets it, which is what
`gdtui serve ssh|web` does for each session's app, so that one student pressing `e` in a loop
cannot fill the server's disk (40 exports wrote 38 MB in 31 s before this existed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: The environment variables a server sets for each session's app.
MAX_EXPORTS_VARIABLE = "GDTUI_MAX_EXPORTS"
MAX_EXPORT_BYTES_VARIABLE = "GDTUI_MAX_EXPORT_BYTES"

#: What the servers allow per session unless told otherwise. One export of a 1,000-step run
#: on a 200x50 screen is about 0.5 MB (CSV + JSONL + SVG), so these leave a student room to
#: export at every point of a lesson they care about.
DEFAULT_MAX_EXPORTS = 20
DEFAULT_MAX_EXPORT_MB = 20


class QuotaExceeded(Exception):
    """Writing this would go past the session's export quota."""


def _limit(env: Mapping[str, str], name: str) -> int | None:
    text = env.get(name, "").strip()
    try:
        value = int(text)
    except ValueError:
        return None  # unset or unreadable: a local user's app, not limited
    return max(value, 0)


@dataclass
class ExportQuota:
    """What a session has exported so far, against what it may.

    Attributes:
        max_exports: Exports allowed in all, or None for no limit.
        max_bytes: Bytes allowed in all (every file of every export), or None for no limit.
        exports: Exports started so far.
        bytes_written: Bytes written so far.
    """

    max_exports: int | None = None
    max_bytes: int | None = None
    exports: int = 0
    bytes_written: int = 0

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> ExportQuota:
        """The quota a server set for this app (none for a local user)."""
        env = os.environ if env is None else env
        return cls(_limit(env, MAX_EXPORTS_VARIABLE), _limit(env, MAX_EXPORT_BYTES_VARIABLE))

    @staticmethod
    def environment(max_exports: int, max_megabytes: int) -> dict[str, str]:
        """The variables that give a session's app this quota."""
        return {
            MAX_EXPORTS_VARIABLE: str(max_exports),
            MAX_EXPORT_BYTES_VARIABLE: str(max_megabytes * 1_000_000),
        }

    def describe(self) -> str:
        """The limits in words, e.g. `20 exports or 20 MB per session`."""
        parts = []
        if self.max_exports is not None:
            parts.append(f"{self.max_exports} export{'s' if self.max_exports != 1 else ''}")
        if self.max_bytes is not None:
            parts.append(f"{self.max_bytes / 1e6:g} MB")
        return " or ".join(parts) + " per session"

    def refusal(self) -> str | None:
        """Why another export may not start, or None if it may."""
        used_up = (self.max_exports is not None and self.exports >= self.max_exports) or (
            self.max_bytes is not None and self.bytes_written >= self.max_bytes
        )
        if used_up:
            return f"Export limit reached: this server allows {self.describe()}."
        return None

    def start(self) -> None:
        """Count an export as started.

        Raises:
            QuotaExceeded: No export may start (see `refusal`).
        """
        if (reason := self.refusal()) is not None:
            raise QuotaExceeded(reason)
        self.exports += 1

    def charge(self, size: int) -> None:
        """Count `size` more bytes written.

        Raises:
            QuotaExceeded: They would go past `max_bytes`; nothing is counted.
        """
        if self.max_bytes is not None and self.bytes_written + size > self.max_bytes:
            raise QuotaExceeded(
                f"Export stopped: this server allows {self.describe()}; "
                f"{self.bytes_written / 1e6:.1f} MB used."
            )
        self.bytes_written += size


class QuotaFile:
    """A text file that charges every byte written to a quota before writing it.

    The part written before the quota ran out is deleted on close, so a stopped export
    leaves no half file behind.

    Args:
        path: The file to write (created or truncated).
        quota: The quota to charge.
    """

    def __init__(self, path: str | Path, quota: ExportQuota) -> None:
        self.path = Path(path)
        self.quota = quota
        self._stream = open(self.path, "wb")  # noqa: SIM115 (closed in __exit__)
        self._failed = False

    def write(self, text: str) -> int:
        """Write `text` as UTF-8, once the quota allows its bytes."""
        data = text.encode("utf-8")
        try:
            self.quota.charge(len(data))
        except QuotaExceeded:
            self._failed = True
            raise
        self._stream.write(data)
        return len(text)

    def __enter__(self) -> QuotaFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stream.close()
        if self._failed or exc_info[0] is not None:
            self.path.unlink(missing_ok=True)
