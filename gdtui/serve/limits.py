"""What one client may cost the server: window sizes, key rates, login failures, log text,
and whether an address reaches only this machine.

Pure bookkeeping with the time passed in, so each limit is tested on its own; the SSH
server (`gdtui.serve.ssh`) applies them.
"""

from __future__ import annotations

import ipaddress
import json

#: The largest terminal an app is given. A 65535x65535 window grew an app by 130 MB/s;
#: 500x200 is more than a 4K screen shows in a readable font.
MAX_COLUMNS = 500
MAX_ROWS = 200

#: Keys a session may send, counted in events (a key, a mouse report: what the app
#: handles one at a time) as a token bucket: a burst, then a steady rate. Textual handled
#: ~400 unbound keys a second here (2 shared cores) and holds ~2.7 KB for each one queued:
#: 1 MB of them grew an app to 2.4 GB and froze it. A person types ~10 keys a second, key
#: repeat sends ~30, a mouse moved across the window ~60-120 reports; beyond the rate,
#: events are dropped whole, never cut (half a mouse report would read as keys).
KEY_BURST = 1000
KEY_RATE = 100

#: Bracketed paste arrives as one event however long it is, so its text does not count
#: against the key budget; only its length is capped.
PASTE_START = b"\x1b[200~"
PASTE_END = b"\x1b[201~"
MAX_PASTE = 4 * 1024 * 1024

#: The longest escape sequence taken as one event; a longer one is dropped whole.
MAX_SEQUENCE = 256


def clamp_size(columns: int, rows: int) -> tuple[int, int]:
    """The window size an app is given for a client's `columns` x `rows` (0: unknown)."""
    columns = min(columns, MAX_COLUMNS) if columns > 0 else 80
    rows = min(rows, MAX_ROWS) if rows > 0 else 24
    return columns, rows


class KeyBudget:
    """How much of a client's input reaches its app: events within a token bucket, and
    bracketed pastes whole (up to a cap).

    Args:
        burst: Events that may arrive at once.
        rate: Events a second, sustained.
        max_paste: The longest bracketed paste passed on whole; the rest is dropped.
    """

    def __init__(
        self, burst: int = KEY_BURST, rate: float = KEY_RATE, max_paste: int = MAX_PASTE
    ) -> None:
        self.burst, self.rate, self.max_paste = burst, rate, max_paste
        self.dropped = 0
        """Bytes dropped so far."""
        self._tokens = float(burst)
        self._last: float | None = None
        self._pasted: int | None = None  # bytes of the paste in progress, if one is
        self._partial = b""  # an event cut by the end of the last chunk

    def admit(self, data: bytes, now: float) -> bytes:
        """What of `data`, arriving at `now` (seconds), goes on to the app."""
        if self._last is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        buffer = self._partial + data
        self._partial = b""
        out = bytearray()
        position = 0
        while position < len(buffer):
            if self._pasted is not None:
                position = self._paste(buffer, position, out)
                continue
            if self._tokens < 1:
                # Over budget: drop up to the next paste (found at C speed, as a flood
                # is large), keeping an event the chunk's end cuts for the next chunk.
                start = buffer.find(PASTE_START, position)
                end = max(_complete(buffer), position) if start < 0 else start
                self.dropped += end - position
                if start < 0:
                    self._partial = buffer[end:]
                    break
                position = end
            size = _event(buffer, position)
            if size == 0:  # cut by the chunk's end
                self._partial = buffer[position:]
                break
            event = buffer[position : position + size]
            position += size
            if event == PASTE_START:
                self._pasted = 0
                out += event
            elif self._tokens >= 1 and size <= MAX_SEQUENCE:
                self._tokens -= 1
                out += event
            else:
                self.dropped += size
        return bytes(out)

    def _paste(self, buffer: bytes, position: int, out: bytearray) -> int:
        """Pass on a paste's text from `position`, up to its end marker; the position
        after what was handled."""
        assert self._pasted is not None
        stop = buffer.find(PASTE_END, position)
        end = len(buffer) if stop < 0 else stop
        if stop < 0:
            # Hold back what could be the start of the end marker.
            for keep in range(min(len(PASTE_END) - 1, end - position), 0, -1):
                if PASTE_END.startswith(buffer[end - keep : end]):
                    self._partial = buffer[end - keep : end]
                    end -= keep
                    break
        room = max(self.max_paste - self._pasted, 0)
        text = buffer[position:end]
        out += text[:room]
        self.dropped += max(len(text) - room, 0)
        self._pasted += len(text)
        if stop < 0:
            return len(buffer)
        out += PASTE_END  # whatever was dropped, the app's paste ends
        self._pasted = None
        return stop + len(PASTE_END)


def _event(data: bytes, at: int) -> int:
    """The length of the input event (key, escape sequence, UTF-8 character) at `at`;
    0 if the data ends before it does."""
    first = data[at]
    if first == 0x1B:
        if at + 1 >= len(data):
            return 0
        kind = data[at + 1]
        if kind == ord("["):  # CSI: parameters, then a final byte @..~
            for end in range(at + 2, min(len(data), at + MAX_SEQUENCE + 1)):
                if 0x40 <= data[end] <= 0x7E:
                    return end - at + 1
            return 0 if len(data) - at <= MAX_SEQUENCE else MAX_SEQUENCE + 1
        if kind in (ord("]"), ord("P"), ord("_")):  # OSC, DCS, APC: up to BEL or ST
            for end in range(at + 2, min(len(data), at + MAX_SEQUENCE + 1)):
                if data[end] == 0x07:
                    return end - at + 1
                if data[end] == 0x5C and data[end - 1] == 0x1B:
                    return end - at + 1
            return 0 if len(data) - at <= MAX_SEQUENCE else MAX_SEQUENCE + 1
        if kind == ord("O"):  # SS3: one more byte (F1-F4, keypad)
            return 3 if at + 2 < len(data) else 0
        return 2  # Alt + a key
    if first >= 0xC0:  # a UTF-8 lead byte
        size = 2 if first < 0xE0 else 3 if first < 0xF0 else 4
        return size if at + size <= len(data) else 0
    return 1


def _complete(data: bytes) -> int:
    """Where the last event that `data` cuts short begins (its length if none is)."""
    start = max(len(data) - MAX_SEQUENCE, 0)
    for at in range(len(data) - 1, start - 1, -1):
        byte = data[at]
        if byte == 0x1B or byte >= 0xC0:
            return at if _event(data, at) == 0 else len(data)
        if byte < 0x20 or byte == 0x7F:
            break  # a control key ends any sequence before it
    return len(data)


class FailureBudget:
    """Failed logins per key (an address, or one key for all), forgiven one per `period`.

    Args:
        allowance: Failures within the budget; from there on, `exhausted` says so.
        period: Seconds after which one failure is forgiven.
    """

    def __init__(self, allowance: int, period: float) -> None:
        self.allowance, self.period = allowance, period
        self._failures: dict[str, tuple[float, float]] = {}

    def failures(self, key: str, now: float) -> float:
        """Failures still counted for `key` at `now`."""
        count, since = self._failures.get(key, (0.0, now))
        return max(count - (now - since) / self.period, 0.0)

    def exhausted(self, key: str, now: float) -> bool:
        """Whether `key` has used its allowance: true until a whole failure is forgiven."""
        return self.failures(key, now) > self.allowance - 1

    def fail(self, key: str, now: float) -> None:
        """Count one failure for `key`."""
        self._failures[key] = (self.failures(key, now) + 1, now)
        if len(self._failures) > 4096:  # forget addresses that are all forgiven
            self._failures = {k: v for k, v in self._failures.items() if self.failures(k, now) > 0}

    def backoff(self, key: str, now: float) -> float:
        """Seconds until `key` is back within its budget."""
        return max(self.failures(key, now) - (self.allowance - 1), 0.0) * self.period


def shown(text: str, limit: int = 64) -> str:
    """A client-supplied string as the log shows it: quoted, escaped, at most `limit` chars.

    JSON's quoting (ASCII only) leaves no control character, escape sequence, newline or
    bidirectional override in the log, and a quoted name cannot pose as a field.
    """
    cut = text[:limit]
    return json.dumps(cut) + ("..." if len(text) > limit else "")


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) reaches only this machine: binding it needs no
    login, and a page from it is one of ours."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
