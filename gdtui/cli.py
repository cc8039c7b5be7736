"""The command line, as one argparse tree, and the headless commands `trace`, `list` and
`check`. No textual, no rich: the tree names each command's handler, imported only to run it.

Bad input (a scenario file, a flag, an expression) is one line on stderr naming the file, the
key and what was expected, and exit status 2. A run that completes exits 0 whatever its
status: divergence is a lesson, not an error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import IO, NoReturn

from gdtui.scenario import DEFAULT_SCENARIO, ScenarioError, list_presets, load_scenario

#: Exit status for bad input.
BAD_INPUT = 2

#: What `--until` may wait for, and what then stops the run (`max_steps` and divergence
#: always do).
UNTIL = {
    "converged": frozenset({"converged"}),
    "breakpoint": frozenset({"breakpoint"}),
    "diverged": frozenset(),
}


class UsageError(Exception):
    """A flag or argument is wrong: one line for the user."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        # The message quotes what was typed, which can hold a line break of any kind.
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def add_trace_parser(commands: argparse._SubParsersAction) -> None:
    """`gdtui trace`."""
    from gdtui.trace import FORMATS

    trace = commands.add_parser(
        "trace",
        help="print a run step by step (for scripts and autograders)",
        description="Run a scenario headless and print every step: w, b, dw, db, cost, "
        "alpha and where the next update moves each parameter. Without --steps or "
        "--until the run goes until it converges, diverges or reaches max_steps; "
        "breakpoints are reported on their step line but do not stop it.",
    )
    trace.add_argument("scenario", help="a preset name (see `gdtui list`) or a .toml file")
    trace.add_argument("--steps", type=positive_int, metavar="N",
                       help="stop after N updates at the latest (status steps_done)")  # fmt: skip
    trace.add_argument("--until", choices=sorted(UNTIL),
                       help="stop at the first such event (or max_steps)")  # fmt: skip
    trace.add_argument("--every", type=positive_int, default=1, metavar="K",
                       help="print every K-th step (step 0 and the last always)")  # fmt: skip
    trace.add_argument("--format", choices=FORMATS, default="table",
                       help="table (for people), csv (for pandas; summary on stderr) or "
                       "jsonl (one object a step, then a summary)")  # fmt: skip
    add_set_argument(trace)


def add_set_argument(parser: argparse.ArgumentParser) -> None:
    """`--set KEY=VALUE`, shared by every command that loads a scenario."""
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
        help="override a scenario key, e.g. --set optimizer.alpha=0.5 --set 'start.w=[1, 2]'; "
        "the value is read as TOML",
    )  # fmt: skip


def add_open_parser(commands: argparse._SubParsersAction) -> None:
    """`gdtui [open] [SCENARIO]`: the debugger (the command when none is named)."""
    debugger = commands.add_parser(
        "open", help="open the debugger (the default: `gdtui SCENARIO`)",
        description="Open the gradient descent debugger on a scenario.",
    )  # fmt: skip
    debugger.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                          help="a preset name (see `gdtui list`) or a .toml file")  # fmt: skip
    add_set_argument(debugger)
    debugger.set_defaults(handler="gdtui.__main__:open_debugger")


def add_replay_parser(commands: argparse._SubParsersAction) -> None:
    """`gdtui replay FILE`."""
    replay = commands.add_parser(
        "replay", help="step through a recorded lesson (a .lesson.jsonl file)",
        description="Open the debugger on a recorded lesson: n performs its next action, b "
        "goes back one, x explores from there on your own, f returns to the recording.",
    )  # fmt: skip
    replay.add_argument("file", metavar="FILE", help="a .lesson.jsonl recording")
    replay.set_defaults(handler="gdtui.__main__:open_replay")


def add_list_parser(commands: argparse._SubParsersAction) -> None:
    """`gdtui list`."""
    commands.add_parser("list", help="list the preset scenarios",
                        description="List the preset scenarios and what each teaches.")  # fmt: skip


def add_check_parser(commands: argparse._SubParsersAction) -> None:
    """`gdtui check FILE...`."""
    check = commands.add_parser(
        "check", help="validate scenario files",
        description="Validate scenario files: exit 0 if all are good, else 2 with every "
        "error in each file, one line each.",
    )  # fmt: skip
    check.add_argument("files", nargs="+", metavar="FILE")
    add_set_argument(check)


def add_serve_parser(commands: argparse._SubParsersAction) -> None:
    """`gdtui serve ...` (its parser lives with the servers, imported only to build it)."""
    from gdtui.serve.cli import add_serve_parser

    add_serve_parser(commands)


#: Each command and what adds its parser to the tree, in the order `gdtui --help` lists them.
PARSERS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "open": add_open_parser,
    "trace": add_trace_parser,
    "list": add_list_parser,
    "check": add_check_parser,
    "serve": add_serve_parser,
    "replay": add_replay_parser,
}


def build_parser(command: str | None = None) -> Parser:
    """The whole command line, for `gdtui --help` and every command.

    Args:
        command: Build only this command's branch of the tree (which parses its arguments
            as the whole tree does): the debugger's start-up built them all, some 10 ms,
            and imported the servers' parser to do it.
    """
    parser = Parser(
        prog="gdtui",
        description="Step through gradient descent one update at a time. "
        "`gdtui` alone opens the lesson's logistic regression; `gdtui SCENARIO` opens a preset "
        "or a scenario file.",
        epilog="Keys in the debugger: n step, b back, r run, c continue, ? help, q quit.",
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, add_parser in PARSERS.items():
        if command is None or name == command:
            add_parser(commands)
    return parser


def handler(name: str) -> Callable[[argparse.Namespace, IO[str], IO[str]], int]:
    """A command's handler, `module:function`, imported now that it is about to run."""
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


def _version() -> str:
    from gdtui import __version__

    return f"gdtui {__version__}"


def trace(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run a scenario and print its trace."""
    from gdtui.build import build_session
    from gdtui.trace import run_trace

    scenario = load_scenario(args.scenario, args.overrides)
    session = build_session(scenario)
    stop_on = UNTIL[args.until] if args.until is not None else frozenset({"converged"})
    # Printed as the run goes: one gradient evaluation a step, a snapshot only for the
    # steps printed.
    run_trace(session, out, args.format, args.steps, stop_on, every=args.every, summary_out=err,
              captions=dict(scenario.captions))  # fmt: skip
    return 0


def list_command(out: IO[str]) -> int:
    """Print the presets with their one-line descriptions."""
    presets = list_presets()
    width = max((len(name) for name, _ in presets), default=0)
    for name, line in presets:
        out.write(f"{name.ljust(width)}  {line}\n")
    return 0


def check(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Validate every file; report every error on its own line (several for one file)."""
    failed = 0
    for path in args.files:
        try:
            load_scenario(path, args.overrides)
        except ScenarioError as error:
            for fault in error.errors:
                err.write(f"{fault}\n")
            failed += 1
        else:
            out.write(f"{path}: ok\n")
    return BAD_INPUT if failed else 0


def run(argv: Sequence[str], out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """Run a headless command; returns the exit status.

    Args:
        argv: The arguments after `gdtui`.
        out: Where results go; `sys.stdout` as it is at the call when None.
        err: Where errors go; `sys.stderr` as it is at the call when None.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        # argparse prints --help and --version to sys.stdout and then exits.
        with contextlib.redirect_stdout(out):
            # A command named first is parsed by its branch alone: the others are not built.
            named = argv[0] if argv and argv[0] in PARSERS else None
            args = build_parser(named).parse_args(argv)
        if args.command == "trace":
            return trace(args, out, err)
        if args.command == "list":
            return list_command(out)
        if args.command == "check":
            return check(args, out, err)
        if hasattr(args, "handler"):
            return handler(args.handler)(args, out, err)
        build_parser().print_help(out)
        return 0
    except (UsageError, ScenarioError) as error:
        err.write(f"{error}\n")
        return BAD_INPUT
    except SystemExit as done:  # after --help or --version
        return done.code if isinstance(done.code, int) else 0
