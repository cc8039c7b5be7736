"""`gdtui serve web`: the app in a browser tab, through textual-serve.

textual-serve starts one app process per browser tab and relays it over a websocket. It has
no authentication of its own: anyone who can reach the port gets an app. What one tab can
take is bounded here: the Origin must be ours, the window size is clamped, the number of tabs
is capped, each app runs in a folder of its own with an export quota, and no app outlives
the server. Everything that reaches into textual-serve lives in `textual_serve_adapter`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: The largest window an app is given, whatever the page asks. 500x200 cells is more than a
#: 4K screen shows at a readable size; 65535x65535 grew an app by ~130 MB/s.
MAX_COLUMNS = 500
MAX_ROWS = 200

#: The largest websocket message accepted from a page: a paste of 1 MB must still arrive.
MAX_MESSAGE_BYTES = 1_100_000

#: Keys a tab may send: a burst, then bytes per second. A person types well under 100 B/s
#: (an arrow key held down is about 100 B/s); 1 MB of keys grew an app to 2.4 GB.
KEY_BURST, KEY_RATE = 16_384, 4_096

#: Pastes (bracketed, which the app takes as one event, not as keys) may be larger.
PASTE_BURST, PASTE_RATE = 2_200_000, 65_536

PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"

#: Seconds an app has to quit when its tab closes or the server stops, before it is killed.
QUIT_GRACE = 2.0

#: Per app: numpy's BLAS must not start a thread per core in every one of 60 tabs.
APP_VARIABLES = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "GDTUI_SERVE": "web"}

_PR_SET_PDEATHSIG = 1


@dataclass
class WebConfig:
    """How the web server runs.

    Attributes:
        host: The address to bind.
        port: The port to bind.
        public_url: The address browsers use (scheme, host and port): the page's websocket
            connects back to it, and a websocket from any other page is refused.
        argv: The app's command line, run without a shell.
        max_sessions: Tabs (apps) at once, in all.
        app_env: Extra variables for every app (the export quota, tests).
    """

    host: str
    port: int
    public_url: str
    argv: list[str]
    max_sessions: int = 60
    app_env: dict[str, str] = field(default_factory=dict)


def app_argv(scenario: str | None, python: str = sys.executable) -> list[str]:
    """The command line of each tab's app: no shell in between, so one process a tab."""
    return [python, "-m", "gdtui", *([scenario] if scenario else [])]


def app_command(scenario: str | None, python: str = sys.executable) -> str:
    """The app's command line as one string, for the banner."""
    argv: Sequence[str] = app_argv(scenario, python)
    return shlex.join(argv)


def public_url_for(host: str, port: int, public_url: str | None) -> str:
    """The address the page's websocket connects back to."""
    if public_url:
        return public_url.rstrip("/")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _is_loopback_name(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin_parts(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    return scheme, host, port or (443 if scheme == "https" else 80)


def origin_allowed(origin: str | None, public_url: str) -> bool:
    """Whether a websocket opened by a page from `origin` may start an app.

    A browser always sends the page's origin: only our own page (the public URL, or on
    loopback any loopback name for it, as `localhost` for `127.0.0.1`) may open an app, so
    another site cannot make a visitor's browser open tabs here. A request without an Origin
    comes from a script, not a browser page; a script can forge any Origin anyway, so the
    caps on size and tabs are what bound it.
    """
    if origin is None:
        return True
    theirs, ours = _origin_parts(origin), _origin_parts(public_url)
    if theirs is None or ours is None:
        return False
    if theirs == ours:
        return True
    return (
        theirs[0] == ours[0]
        and theirs[2] == ours[2]
        and _is_loopback_name(theirs[1].strip("[]"))
        and _is_loopback_name(ours[1].strip("[]"))
    )


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A window size the app can afford, from whatever the page sent (80x24 if unreadable)."""

    def cells(value: object, default: int, most: int) -> int:
        if isinstance(value, bool):
            return default
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return default
        return min(max(number, 1), most)

    return cells(width, 80, MAX_COLUMNS), cells(height, 24, MAX_ROWS)


class InputBudget:
    """A token bucket: `burst` bytes at once, refilled at `rate` bytes a second.

    Args:
        burst: The most that may be taken at once (and the bucket's size).
        rate: Bytes a second added back.
        clock: Seconds, monotonic (a test passes its own).
    """

    def __init__(
        self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.rate = rate
        self.clock = clock
        self.tokens = float(burst)
        self.dropped = 0
        """Bytes refused so far."""
        self._last = clock()

    def take(self, size: int) -> bool:
        """Whether `size` bytes may pass now; if they may, they are counted."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self._last) * self.rate)
        self._last = now
        if size > self.tokens:
            self.dropped += size
            return False
        self.tokens -= size
        return True


def is_paste(data: bytes) -> bool:
    """Whether `data` is one bracketed paste and nothing else (nothing after its end)."""
    return data.startswith(PASTE_START) and data.endswith(PASTE_END) and data.count(PASTE_END) == 1


def die_with_parent() -> Callable[[], None] | None:
    """A function for the child to run before exec: on Linux, end the app when the server
    dies, even by `kill -9` (a parent-death signal); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    server = os.getpid()

    def in_child() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != server:  # the server died before the signal was set up
            os._exit(1)

    return in_child


def serve_web(config: WebConfig) -> None:
    """Serve until Ctrl-C or SIGTERM; every app is ended before this returns."""
    from gdtui.serve.textual_serve_adapter import WebServer

    WebServer(config).serve()
