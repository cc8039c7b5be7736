"""The one module that reaches into asyncssh past its public API, for `gdtui serve ssh`.

asyncssh keeps every variable a client sends, whatever the session does with it, and answers
agent and X11 forwarding requests itself (refused, as configured) without telling the
session. A session replaces, on its own channel instance only, these request handlers of
`SSHServerChannel` (each takes the request's `SSHPacket` and returns whether it is granted):

- `_process_env_request`, to keep only the variables we use;
- `_process_auth_agent_req_at_openssh_dot_com_request` and `_process_x11_req_request`, to
  hear of the refusals, so the client is told why.

A future asyncssh without these names still refuses agent and X11 forwarding, and the
session then sees no client variables: `hook_channel` skips names the channel lacks.
asyncssh is pinned in pyproject.toml below its next major; tests/test_adapters.py checks
these names and fails loudly if they change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

#: The asyncssh major version this adapter was tested with.
TESTED_MAJOR = 2

#: The channel's handler of `env` requests.
ENV_REQUEST = "_process_env_request"

#: Channel requests asyncssh answers itself, and what the client is told they are.
REFUSED = (
    ("_process_auth_agent_req_at_openssh_dot_com_request", "agent forwarding (-A)"),
    ("_process_x11_req_request", "X11 forwarding (-X)"),
)

#: The channel's request handlers a session replaces with its own.
PATCHED = (ENV_REQUEST, *(name for name, _ in REFUSED))

#: A request handler: given the request's packet, whether the request is granted.
Handler = Callable[[Any], bool]


def asyncssh_version() -> tuple[int, int]:
    """The installed asyncssh's (major, minor)."""
    major, minor, *_ = version("asyncssh").split(".")
    return int(major), int(minor)


def hook_channel(chan: Any, on_env: Handler, refuse: Callable[[str], Handler]) -> None:
    """Handle `chan`'s env requests with `on_env`, and its agent and X11 requests with
    `refuse(what)`, where `what` names the request for the client.

    Args:
        chan: The session's `SSHServerChannel`.
        on_env: Called with each env request's packet.
        refuse: Makes the handler of a refused request from its name.
    """
    if hasattr(chan, ENV_REQUEST):
        setattr(chan, ENV_REQUEST, on_env)
    for name, what in REFUSED:
        if hasattr(chan, name):
            setattr(chan, name, refuse(what))


def unhook_channel(chan: Any) -> None:
    """Remove `hook_channel`'s handlers from `chan`, so that the channel and the session no
    longer point at each other (both then go as soon as the session ends)."""
    for name in PATCHED:
        with contextlib.suppress(AttributeError):
            delattr(chan, name)
