"""The headless command line: exit codes, one-line errors, list, check, help, pipes, imports.

Most cases run in-process through `gdtui.cli.run` (or `gdtui.__main__.main`); a few run the
real console entry, `python -m gdtui`, in a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gdtui
from gdtui import cli
from gdtui.__main__ import main
from gdtui.scenario import list_presets

DATA = Path(__file__).parent / "data"
SCENARIOS = Path(__file__).parents[2] / "scenarios"
PRESETS = sorted(path.stem for path in SCENARIOS.glob("*.toml"))

#: A subprocess that takes longer than this is hung: bad input must never hang.
TIMEOUT = 60


def run_cli(*argv: str) -> tuple[int, str, str]:
    """`gdtui ARGV...` in-process: the exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def run_console(*argv: str) -> subprocess.CompletedProcess[str]:
    """The real console entry, `python -m gdtui ARGV...`, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "gdtui", *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
    )


def assert_one_line_error(err: str, *mentions: str) -> None:
    """`err` is one line, no traceback, naming everything in `mentions`."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    for mention in mentions:
        assert mention in lines[0], (mention, lines[0])


def test_the_presets_folder_is_the_one_the_package_reads() -> None:
    # Everything below names presets by the repository's scenarios/ folder.
    assert PRESETS
    assert [name for name, _ in list_presets()] == PRESETS


# --- runs that complete exit 0 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "bowl-from-left", "--steps", "2"],
        ["trace", "bowl-from-left"],
        ["trace", "alpha-divergent", "--format", "jsonl"],
        ["trace", "alpha-overshoot", "--until", "breakpoint", "--format", "csv"],
        ["trace", "bowl-from-left", "--until", "diverged", "--every", "50"],
        ["trace", str(DATA / "good.toml"), "--format", "jsonl"],
        ["list"],
        ["check", str(DATA / "good.toml")],
    ],
    ids=lambda argv: " ".join(Path(a).name if "/" in a else a for a in argv),
)
def test_a_run_that_completes_exits_0_whatever_its_status(argv: list[str]) -> None:
    code, out, err = run_cli(*argv)
    assert code == 0, err
    assert out
    assert "Traceback" not in err


def test_a_diverging_run_is_a_lesson_not_an_error() -> None:
    code, out, _ = run_cli("trace", "alpha-divergent", "--format", "jsonl")
    assert code == 0
    assert json.loads(out.splitlines()[-1])["status"] == "diverged"


@pytest.mark.parametrize(
    "argv", [["trace", "bowl-from-right", "--steps", "3", "--format", "jsonl"], ["list"]]
)
def test_the_console_entry_runs_headless_commands(argv: list[str]) -> None:
    done = run_console(*argv)
    assert done.returncode == 0, done.stderr
    assert done.stdout
    assert "Traceback" not in done.stderr


def test_the_console_entry_and_the_in_process_run_print_the_same_trace() -> None:
    argv = ["trace", "ravine", "--steps", "20", "--format", "jsonl"]
    assert run_console(*argv).stdout == run_cli(*argv)[1]


def test_main_writes_to_the_streams_in_force_when_it_is_called(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["trace", "bowl-from-left", "--steps", "1", "--format", "jsonl"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["step"] for line in captured.out.splitlines()[:-1]] == [0, 1]
    assert captured.err == ""


# --- bad input: one line, naming the file and the key, exit 2 -----------------------------------

BOWL = "scenarios/bowl-from-left.toml"

BAD_INPUT = [
    pytest.param(["trace", "no-such-preset"], ["no-such-preset", "no such scenario"],
                 id="unknown preset"),
    pytest.param(["trace", "lessons/missing.toml"], ["lessons/missing.toml"], id="missing file"),
    pytest.param(["trace", str(DATA / "bad-toml.toml")], ["bad-toml.toml", "not valid TOML"],
                 id="bad TOML"),
    pytest.param(["trace", str(DATA / "bad-alpha.toml")], ["bad-alpha.toml", "optimizer.alpha"],
                 id="bad value in the file"),
    pytest.param(["trace", str(DATA / "bad-cost.toml")], ["bad-cost.toml", "problem.cost"],
                 id="bad expression in the file"),
    pytest.param(["trace", str(DATA / "missing-data.toml")],
                 ["missing-data.toml", "problem.data", "no-such-file.csv"], id="missing data file"),
    pytest.param(["trace", str(DATA / "bad-data.toml")],
                 ["bad-data.toml", "problem.data", "bad-data.csv:3", "many"], id="bad data file"),
    pytest.param(["trace", "bowl-from-left", "--set", "optimizer.alpha"], [BOWL, "--set"],
                 id="--set without ="),
    pytest.param(["trace", "bowl-from-left", "--set", "optimizer.learning=0.5"],
                 [BOWL, "optimizer.learning", "--set"], id="--set unknown key"),
    pytest.param(["trace", "bowl-from-left", "--set", "optimizer.alpha=-1"],
                 [BOWL, "optimizer.alpha", "-1"], id="--set negative alpha"),
    pytest.param(["trace", "bowl-from-left", "--set", "optimizer.alpha=true"],
                 [BOWL, "optimizer.alpha", "true"], id="--set boolean alpha"),
    pytest.param(["trace", "bowl-from-left", "--set", "optimizer.kind=adma"],
                 [BOWL, "optimizer.kind", "adam"], id="--set misspelt optimizer"),
    pytest.param(["trace", "bowl-from-left", "--set", "start.w=[1, 2]"], [BOWL, "start.w"],
                 id="--set a vector start on a curve"),
    pytest.param(["trace", "bowl-from-left", "--set", 'breakpoints=[{when = "w >"}]'],
                 [BOWL, "breakpoints[0].when"], id="--set bad breakpoint expression"),
    pytest.param(["trace", "bowl-from-left", "--set", "problem.cost=(w - 3)**"],
                 [BOWL, "problem.cost"], id="--set bad cost expression"),
    pytest.param(["trace", "bowl-from-left", "--steps", "0"], ["--steps", "'0'"], id="--steps 0"),
    pytest.param(["trace", "bowl-from-left", "--steps", "-1"], ["--steps", "'-1'"],
                 id="--steps -1"),
    pytest.param(["trace", "bowl-from-left", "--steps", "abc"], ["--steps", "'abc'"],
                 id="--steps abc"),
    pytest.param(["trace", "bowl-from-left", "--every", "0"], ["--every", "'0'"], id="--every 0"),
    pytest.param(["trace", "bowl-from-left", "--format", "xml"], ["--format", "'xml'"],
                 id="bad --format"),
    pytest.param(["trace", "bowl-from-left", "--until", "never"], ["--until", "'never'"],
                 id="bad --until"),
    pytest.param(["trace", "bowl-from-left", "--bogus"], ["--bogus"], id="unknown trace flag"),
    pytest.param(["trace"], ["scenario"], id="trace without a scenario"),
    pytest.param(["list", "--bogus"], ["--bogus"], id="unknown list flag"),
    pytest.param(["check"], ["FILE"], id="check without files"),
    pytest.param(["check", str(DATA / "bad-alpha.toml")], ["bad-alpha.toml", "optimizer.alpha"],
                 id="check a bad file"),
    pytest.param(["frobnicate"], ["frobnicate"], id="unknown command"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "mentions"), BAD_INPUT)
def test_bad_input_is_one_line_naming_what_is_wrong(argv: list[str], mentions: list[str]) -> None:
    code, out, err = run_cli(*argv)
    assert code == cli.BAD_INPUT
    assert_one_line_error(err, *mentions)
    assert out == ""


@pytest.mark.parametrize(
    ("argv", "mentions"),
    [
        (["trace", "no-such-preset"], ["no-such-preset"]),
        (["trace", str(DATA / "bad-toml.toml")], ["bad-toml.toml"]),
        (["trace", "bowl-from-left", "--set", "optimizer.alpha=-1"], [BOWL, "optimizer.alpha"]),
        (["trace", "bowl-from-left", "--steps", "abc"], ["--steps"]),
        (["check", str(DATA / "missing-data.toml")], ["missing-data.toml", "problem.data"]),
        # No command: the debugger's own checks, before any screen opens.
        (["no-such-preset"], ["no-such-preset"]),
        (["bowl-from-left", "--set", "optimizer.alpha=-1"], [BOWL, "optimizer.alpha"]),
    ],
    ids=["unknown preset", "bad TOML", "bad --set", "bad --steps", "check", "debugger preset",
         "debugger --set"],
)  # fmt: skip
def test_the_console_entry_reports_bad_input_in_one_line(
    argv: list[str], mentions: list[str]
) -> None:
    done = run_console(*argv)
    assert done.returncode == cli.BAD_INPUT
    assert_one_line_error(done.stderr, *mentions)
    assert done.stdout == ""


FLAGS = ["--steps", "--until", "--every", "--format", "--set", "-h", "--help", "--version"]

#: Values for the flags: good ones, bad ones, and junk. Step counts stay small so runs are short.
VALUES = [
    "1", "3", "0", "-1", "abc", "", "1e3", "converged", "breakpoint", "diverged", "never",
    "table", "csv", "jsonl", "xml", "optimizer.alpha=0.5", "optimizer.alpha=-1",
    "optimizer.alpha=true", "optimizer.alpha", "optimizer.kind=adam", "optimizer.kind=adma",
    "optimizer.momentum=2", "start.w=[1, 2]", "start.w=4", "start.b=1", "stop.max_steps=5",
    "stop.max_steps=0", "stop.tolerance=-1", "problem.cost=(w - 3)**", "problem.cost=w**4",
    "problem.kind=logistic", "problem=1", "name.first=x", 'breakpoints=[{when = "w >"}]',
    'breakpoints=[{when = "cost > prev_cost"}]', "=", "a.b.c=", "view.w_range=[1, 0]",
]  # fmt: skip

#: Scenarios whose runs are short, and names that are not scenarios.
SCENARIO_ARGS = [
    "bowl-from-left", "alpha-overshoot", "alpha-divergent", "two-valleys",
    str(DATA / "good.toml"), str(DATA / "bad-toml.toml"), str(DATA / "bad-data.toml"),
    "no-such-preset", "missing.toml", "dir/", ".", "", "-", "--", "\0",
]  # fmt: skip

tokens = st.one_of(
    st.sampled_from(FLAGS),
    st.sampled_from(VALUES),
    st.sampled_from(SCENARIO_ARGS),
    st.text(max_size=6),
)
argvs = st.one_of(
    st.tuples(
        st.sampled_from(["trace", "check", "list"]),
        st.sampled_from(SCENARIO_ARGS),
        st.lists(tokens, max_size=6),
    ).map(lambda parts: [parts[0], parts[1], *parts[2]]),
    st.lists(tokens, max_size=5),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(argv=argvs)
def test_any_command_line_exits_0_or_2_without_a_traceback(argv: list[str]) -> None:
    code, out, err = run_cli(*argv)
    assert code in (0, cli.BAD_INPUT)
    assert "Traceback" not in err
    if code == cli.BAD_INPUT:
        assert len(err.splitlines()) >= 1
        if argv[:1] != ["check"]:
            # `check` reports each bad file on its own line; everything else in one.
            assert len(err.splitlines()) == 1, err


# --- check ------------------------------------------------------------------------------------


def test_check_accepts_every_preset() -> None:
    files = [str(SCENARIOS / f"{name}.toml") for name in PRESETS]
    code, out, err = run_cli("check", *files)
    assert code == 0, err
    assert err == ""
    assert out.splitlines() == [f"{file}: ok" for file in files]


def test_check_reports_each_bad_file_on_its_own_line() -> None:
    good = [str(DATA / "good.toml"), str(SCENARIOS / "ravine.toml")]
    bad = [
        str(DATA / name)
        for name in ("bad-toml.toml", "bad-alpha.toml", "bad-cost.toml", "bad-data.toml")
    ]
    code, out, err = run_cli("check", good[0], bad[0], bad[1], good[1], bad[2], bad[3])
    assert code == cli.BAD_INPUT
    assert out.splitlines() == [f"{file}: ok" for file in good]
    lines = err.splitlines()
    assert len(lines) == len(bad)
    for line, file in zip(lines, bad, strict=True):
        assert line.startswith(f"{file}: ")
    assert "Traceback" not in err


#: tests/cli/data/several-errors.toml: the keys at fault, one line each, in order.
SEVERAL = ["nmae", "start.w", "optimizer.alpha", "stop.max_steps", "stop.tolerance",
           "breakpoints[0].enabled", "breakpoints[1].when", "breakpoints[2].when",
           "breakpoints[3].when", "view.w_range"]  # fmt: skip


def test_check_reports_every_error_in_a_file_one_line_each() -> None:
    several, good = str(DATA / "several-errors.toml"), str(DATA / "good.toml")
    code, out, err = run_cli("check", several, good)
    assert code == cli.BAD_INPUT
    assert out.splitlines() == [f"{good}: ok"]
    lines = err.splitlines()
    assert [line.split(": ")[1] for line in lines] == SEVERAL
    assert all(line.startswith(f"{several}: ") for line in lines)
    assert "did you mean 'name'?" in lines[0]  # and no "name: missing" after it
    assert "did you mean 'cost_increase'?" in lines[6]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["trace"], []], ids=["trace", "debugger"])
def test_trace_and_the_debugger_report_every_error_too(command: list[str]) -> None:
    # Neither runs anything when the file is wrong; both name every mistake, as check does.
    result = run_console(*command, str(DATA / "several-errors.toml"))
    assert result.returncode == cli.BAD_INPUT
    assert result.stdout == ""
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == SEVERAL


def test_check_applies_set_overrides_like_the_file() -> None:
    good = str(DATA / "good.toml")
    assert run_cli("check", good, "--set", "optimizer.alpha=0.5")[0] == 0
    code, _, err = run_cli("check", good, "--set", "optimizer.alpha=0")
    assert code == cli.BAD_INPUT
    assert_one_line_error(err, "good.toml", "optimizer.alpha")


# --- list -------------------------------------------------------------------------------------


def test_list_names_every_preset_with_the_first_line_of_its_notes() -> None:
    code, out, _ = run_cli("list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(PRESETS)
    for line, name in zip(lines, PRESETS, strict=True):
        listed, _, summary = line.partition(" ")
        assert listed == name
        notes = tomllib.loads((SCENARIOS / f"{name}.toml").read_text("utf-8"))["description"]
        assert summary.strip() == notes.strip().splitlines()[0].strip()
        assert summary.strip()


def test_list_aligns_the_descriptions() -> None:
    lines = run_cli("list")[1].splitlines()
    width = max(map(len, PRESETS))
    assert {line[width : width + 2] for line in lines} == {"  "}
    assert all(line[width + 2] != " " for line in lines)


# --- help and version -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "mentions"),
    [
        (["--help"], ["trace", "list", "check"]),
        (["-h"], ["trace", "list", "check"]),
        (["trace", "--help"], ["--steps", "--until", "--every", "--format", "--set", "jsonl"]),
        (["check", "--help"], ["FILE", "--set"]),
        (["list", "--help"], ["preset"]),
        ([], ["trace", "list", "check"]),
    ],
    ids=["--help", "-h", "trace --help", "check --help", "list --help", "nothing"],
)
def test_help_exits_0_and_explains(argv: list[str], mentions: list[str]) -> None:
    code, out, err = run_cli(*argv)
    assert code == 0
    assert err == ""
    for mention in mentions:
        assert mention in out


def test_version_exits_0_with_the_package_version() -> None:
    assert run_cli("--version") == (0, f"gdtui {gdtui.__version__}\n", "")


@pytest.mark.parametrize("argv", [["--help"], ["trace", "--help"], ["--version"]], ids=" ".join)
def test_the_console_entry_prints_help_and_version(argv: list[str]) -> None:
    done = run_console(*argv)
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout.strip()


# --- pipes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl"])
def test_a_reader_that_goes_away_is_not_an_error(fmt: str) -> None:
    # plateau-saddle prints thousands of lines: far more than a pipe holds, so the writer
    # is still writing when the reader closes its end.
    with subprocess.Popen(
        [sys.executable, "-m", "gdtui", "trace", "plateau-saddle", "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read()
        code = process.wait(timeout=TIMEOUT)
    assert first.strip()
    assert "Traceback" not in err
    assert "BrokenPipe" not in err
    assert code == 0


def test_head_closing_a_shell_pipe_is_not_an_error() -> None:
    command = f"{shlex.quote(sys.executable)} -m gdtui trace plateau-saddle | head -1"
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "step"
    assert len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr


# --- headless: no textual, no rich ------------------------------------------------------------

IMPORTS_AFTER = """
import runpy, sys
sys.argv = ["gdtui", *sys.argv[1:]]
code = None
try:
    runpy.run_module("gdtui", run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code
print("EXIT", code)
print("UI", sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich")))
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "bowl-from-left", "--steps", "2"],
        ["trace", "logistic-two-features", "--steps", "2", "--format", "csv"],
        ["list"],
        ["check", str(SCENARIOS / "ravine.toml")],
        ["trace", "no-such-preset"],
    ],
    ids=["trace", "trace csv", "list", "check", "bad input"],
)
def test_headless_commands_import_neither_textual_nor_rich(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER, *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
    )
    lines = done.stdout.splitlines()
    assert lines[-1] == "UI []", done.stdout
    assert lines[-2] in ("EXIT 0", "EXIT 2")
    assert "Traceback" not in done.stderr


def test_the_import_check_can_see_an_import() -> None:
    # The check above would pass vacuously if the child never imported anything.
    done = subprocess.run(
        [sys.executable, "-c", "import rich.text\n" + IMPORTS_AFTER, "list"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert "'rich'" in done.stdout.splitlines()[-1]


# --- one command's branch of the tree ---------------------------------------------------------


def parsed(parser: cli.Parser, argv: list[str]) -> tuple[object, ...]:
    """What `parser` makes of `argv`: the arguments, the one-line error, or the exit and
    what it printed (help)."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            return ("parsed", vars(parser.parse_args(argv)))
    except cli.UsageError as error:
        return ("error", str(error))
    except SystemExit as done:
        return ("exit", done.code, out.getvalue())


BRANCH_ARGVS = [
    ["open"], ["open", "bowl-from-left", "--set", "optimizer.alpha=0.5"], ["open", "-h"],
    ["open", "a", "b"], ["open", "--steps", "3"], ["open", "--version"],
    ["trace", "bowl-from-left", "--format", "csv", "--steps", "3"], ["trace", "--help"],
    ["trace", "x", "--format", "xml"], ["trace"], ["list"], ["list", "extra"],
    ["check", "a.toml", "b.toml", "--set", "stop.max_steps=5"], ["check"],
    ["serve", "ssh", "--help"], ["serve", "web", "--port", "0"], ["serve", "--help"],
    ["serve"], ["replay", "lesson.jsonl"], ["replay", "-h"], ["replay"],
]  # fmt: skip


@pytest.mark.parametrize("argv", BRANCH_ARGVS, ids=" ".join)
def test_a_commands_branch_parses_it_as_the_whole_tree_does(argv: list[str]) -> None:
    # The debugger's start-up builds only its own branch of the command line.
    assert argv[0] in cli.PARSERS
    assert parsed(cli.build_parser(argv[0]), argv) == parsed(cli.build_parser(), argv)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command=st.sampled_from(sorted(cli.PARSERS)), rest=st.lists(tokens, max_size=5))
def test_any_command_line_parses_in_its_branch_as_in_the_whole_tree(
    command: str, rest: list[str]
) -> None:
    argv = [command, *rest]
    assert parsed(cli.build_parser(command), argv) == parsed(cli.build_parser(), argv)


def test_the_debugger_builds_no_other_commands_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []

    def recorded(name: str, add_parser: Callable[[Any], None]) -> Callable[[Any], None]:
        def add(commands: Any) -> None:
            built.append(name)
            add_parser(commands)

        return add

    for name, add_parser in list(cli.PARSERS.items()):
        monkeypatch.setitem(cli.PARSERS, name, recorded(name, add_parser))
    monkeypatch.setattr("gdtui.ui.app.run", lambda scenario: None)
    assert main(["bowl-from-left"]) == 0
    assert built == ["open"]
