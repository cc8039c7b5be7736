"""The stand-in app (`echo_child`) started ahead of its login, as `gdtui.serve.pool` runs
gdtui: it paints something nobody may see, waits for the hand-over, takes the login's
environment, then runs as a freshly started stand-in would (printing `ready:PID` and the
size it finds)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence

from tests.serve import echo_child

#: Painted before the hand-over: no client may ever see it.
PAINTED_FOR_NOBODY = "painted-for-nobody"


def pooled(args: Sequence[str], channel: socket.socket) -> int:
    echo_child.say(f"{PAINTED_FOR_NOBODY}:{os.getpid()}")
    channel.sendall(b'{"ready": true}')
    message = channel.recv(65536)
    if not message:
        return 0
    os.environ.clear()
    os.environ.update(json.loads(message)["env"])
    echo_child.say(PAINTED_FOR_NOBODY)  # written before it says it left: dropped too
    channel.sendall(b'{"left": true}')
    if not channel.recv(65536):
        return 0
    channel.close()
    return echo_child.main()
