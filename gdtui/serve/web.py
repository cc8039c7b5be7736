"""`gdtui serve web`: the app in a browser tab, through textual-serve.

textual-serve starts one app process per browser tab and relays it over a websocket. It has
no authentication of its own: anyone who can reach the port gets an app.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence


def app_command(scenario: str | None, python: str = sys.executable) -> str:
    """The shell command textual-serve runs per tab.

    textual-serve runs its command through `sh -c`; `exec` makes the shell become the app,
    so each tab costs one process, not a shell and an app.
    """
    argv: Sequence[str] = [python, "-m", "gdtui", *([scenario] if scenario else [])]
    return f"exec {shlex.join(argv)}"


def public_url_for(host: str, port: int, public_url: str | None) -> str:
    """The address the page's websocket connects back to."""
    if public_url:
        return public_url.rstrip("/")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve_web(host: str, port: int, public_url: str | None, scenario: str | None) -> None:
    """Serve until Ctrl-C (textual-serve handles SIGINT and SIGTERM)."""
    from textual_serve.server import Server

    server = Server(
        app_command(scenario),
        host=host,
        port=port,
        title="gdtui",
        public_url=public_url_for(host, port, public_url),
    )
    server.serve()
