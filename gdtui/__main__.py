"""The `gdtui` command: the debugger by default, headless commands by name.

    gdtui [SCENARIO] [--set KEY=VALUE ...]     open the debugger
    gdtui trace|list|check ...                 headless, for scripts and autograders
    gdtui serve ssh|web ...                    teach a class

The UI is imported only when it is about to open, so the headless commands never load
textual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from gdtui import cli
from gdtui.scenario import DEFAULT_SCENARIO

#: Words that name a command rather than a scenario.
COMMANDS = {"trace", "list", "check", "serve"}


def open_debugger(argv: Sequence[str]) -> int:
    """Validate the scenario before the screen opens, then run the app."""
    parser = cli.Parser(prog="gdtui", description="Open the gradient descent debugger.")
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help="a preset name (see `gdtui list`) or a .toml file")  # fmt: skip
    cli.add_set_argument(parser)
    try:
        args = parser.parse_args(argv)
        scenario = cli.load_scenario(args.scenario, args.overrides)
    except (cli.UsageError, cli.ScenarioError) as error:
        print(error, file=sys.stderr)
        return cli.BAD_INPUT
    from gdtui.ui.app import run

    run(scenario)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gdtui` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and (argv[0] in COMMANDS or argv[0] in {"-h", "--help", "--version"}):
            if argv[0] == "serve":
                from gdtui.serve.cli import serve

                return serve(argv[1:])
            return cli.run(argv)
        return open_debugger(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`gdtui trace ... | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
