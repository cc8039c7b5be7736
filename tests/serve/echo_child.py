"""A tiny full-screen stand-in for gdtui, for testing the SSH bridge quickly.

It enters the alternate screen, turns on mouse reporting and bracketed paste (so the server
must turn them off), and answers keys:

    s  print the terminal size        e  print the environment as JSON
    t  print facts about its terminal f  write 16 MiB, then `flooded`
    m  from now on, count other keys  c  print `count:N`, the keys counted
       instead of answering them      d  die (status 4) after 1 s without reading
    q  exit with status 3

Every answer is one line `name:value`. Startup prints `ready:PID` and the size.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import tty


def say(text: str) -> None:
    os.write(1, f"{text}\r\n".encode())


def size() -> str:
    columns, rows = os.get_terminal_size(0)
    return f"size:{columns}x{rows}"


def controlling_terminal() -> int:
    """The device number of this process's controlling terminal (0: none), from Linux."""
    with open("/proc/self/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[4])


def terminal() -> str:
    facts = {
        "session_leader": os.getsid(0) == os.getpid(),
        "foreground": os.tcgetpgrp(0) == os.getpgrp(),
        "ctty": controlling_terminal() == os.fstat(0).st_rdev,
    }
    return "tty:" + json.dumps(facts, sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    """Run; `argv` is unused (the fork server passes the session's arguments)."""
    tty.setraw(0)
    signal.signal(signal.SIGWINCH, lambda *_: say(size()))
    os.write(1, b"\x1b[?1049h\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[?25l")
    say(f"ready:{os.getpid()}")
    say(size())
    counting = False
    counted = 0
    while True:
        try:
            keys = os.read(0, 1024)
        except InterruptedError:
            continue
        if not keys:
            return 0
        for key in keys.decode(errors="replace"):
            if key == "q":
                return 3
            if key == "d":
                time.sleep(1)
                return 4
            if key == "m":
                counting = True
            elif key == "c":
                say(f"count:{counted}")
            elif counting:
                counted += 1
            elif key == "s":
                say(size())
            elif key == "e":
                say("env:" + json.dumps(dict(os.environ), sort_keys=True))
            elif key == "t":
                say(terminal())
            elif key == "f":
                chunk = b"x" * 65536
                for _ in range(256):
                    os.write(1, chunk)
                say("flooded")
            else:
                say(f"key:{key}")


if __name__ == "__main__":
    sys.exit(main())
