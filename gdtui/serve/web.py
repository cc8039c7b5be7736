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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gdtui.serve import limits
from gdtui.serve.limits import is_loopback

#: The largest websocket message accepted from a page: a paste of 1 MB must still arrive.
MAX_MESSAGE_BYTES = 1_100_000

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
        and is_loopback(theirs[1].strip("[]"))
        and is_loopback(ours[1].strip("[]"))
    )


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A window size the app can afford, from whatever the page sent (80x24 if unreadable);
    the bound is the SSH server's (`limits.clamp_size`)."""

    def cells(value: object) -> int:
        if isinstance(value, bool):
            return 0
        try:
            return max(int(value), 1)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return 0  # unknown: the default size

    return limits.clamp_size(cells(width), cells(height))


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
