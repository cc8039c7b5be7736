"""The `gdtui` command: the debugger by default, every other command by name.

    gdtui [SCENARIO] [--set KEY=VALUE ...]     open the debugger (`gdtui open ...`)
    gdtui trace|list|check ...                 headless, for scripts and autograders
    gdtui serve ssh|web ...                    teach a class
    gdtui replay FILE                          step through a recorded lesson

One argparse tree (`gdtui.cli.build_parser`) holds them all; each command's handler is
imported only when it runs, so the headless commands never load textual. Nothing is
imported before `main` runs: a command that opens a screen pauses the collector first.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import IO

#: Words that name a command rather than a scenario.
COMMANDS = {"open", "trace", "list", "check", "serve", "replay"}

#: The commands that open a screen, whose start-up runs with the collector paused.
SCREENS = {"open", "replay"}


def open_debugger(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Validate the scenario before the screen opens, then run the app."""
    from gdtui import cli

    scenario = cli.load_scenario(args.scenario, args.overrides)
    # Start-up makes tens of thousands of objects that live as long as the app; the collector
    # walked them 180 times before the first screen (a tenth of its time): it waits until
    # the debugger screen has frozen them out of its sight (`DebuggerScreen._tune_collector`).
    gc.disable()
    from gdtui.ui.app import run

    run(scenario)
    return 0


def open_replay(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Read the whole recording before the screen opens, then step through it."""
    from gdtui import cli
    from gdtui.lesson.recording import RecordingError, read_lesson

    try:
        lesson = read_lesson(args.file)
    except RecordingError as error:
        err.write(f"{error}\n")
        return cli.BAD_INPUT
    from gdtui.lesson.actions import replay as replay_headless
    from gdtui.scenario import ScenarioError

    try:
        replay_headless(lesson.actions)  # every action must apply before the screen opens
    except (ScenarioError, ValueError) as error:
        err.write(f"{args.file}: cannot replay: {error}\n")
        return cli.BAD_INPUT
    if lesson.truncated:
        err.write(f"{args.file}: the last line is cut short: replaying the "
                  f"{len(lesson.actions)} whole actions before it\n")  # fmt: skip
    from gdtui.ui.app import replay

    replay(lesson)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gdtui` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in {"-h", "--help", "--version"}):
        argv = ["open", *argv]  # `gdtui` and `gdtui SCENARIO` open the debugger
    # The imports a screen needs (numpy, Textual, gdtui's own) make objects that live as long
    # as the app, and the collector walked them over and over. The screen starts it again
    # once it has frozen them (`DebuggerScreen._tune_collector`); here, if no screen did.
    pause = argv[0] in SCREENS and gc.isenabled()
    if pause:
        gc.disable()
    try:
        from gdtui import cli

        return cli.run(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`gdtui trace ... | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if pause:
            gc.enable()


if __name__ == "__main__":
    sys.exit(main())
