"""`gdtui trace` output: jsonl, csv and table, checked against the session and the lesson.

Every number is checked against something the trace did not print: the session rebuilt step
by step, or the lesson's update rule `w := w - alpha*dw` worked out here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gdtui import cli
from gdtui.build import build_session
from gdtui.engine.session import PARAMETER_LIMIT, Session
from gdtui.scenario import load_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"

STEP_KEYS = {"step", "w", "b", "dw", "db", "cost", "alpha", "move"}
SUMMARY_KEYS = {"status", "steps", "breakpoint"}
STATUSES = {"converged", "diverged", "breakpoint", "max_steps", "steps_done"}

#: What the table's last sentence says for each status.
STATUS_WORDS = {"converged": "converged", "diverged": "diverged", "breakpoint": "breakpoint",
                "max_steps": "max_steps", "steps_done": "made every step"}  # fmt: skip

#: Presets whose runs are short, one of each shape: w alone, w and b, and a vector w.
SHORT = ["bowl-from-left", "alpha-overshoot", "alpha-divergent", "ravine", "two-valleys",
         "logistic-two-features"]  # fmt: skip


def trace(*argv: str) -> tuple[str, str]:
    """`gdtui trace ARGV...` in-process: stdout and stderr, after checking it exited 0."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["trace", *argv], out, err)
    assert code == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


def jsonl(*argv: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The step lines and the summary of a jsonl trace."""
    out, err = trace(*argv, "--format", "jsonl")
    assert err == ""
    records = [json.loads(line) for line in out.splitlines()]
    return records[:-1], records[-1]


def preset(name: str) -> dict[str, Any]:
    """A preset's TOML as written, to read settings the trace does not print."""
    return tomllib.loads((SCENARIOS / f"{name}.toml").read_text("utf-8"))


def session_of(name: str, overrides: Sequence[str] = (), **run: Any) -> Session:
    """The session the trace ran, rebuilt here: run until it converges, diverges or stops."""
    session = build_session(load_scenario(name, overrides))
    session.run(run.get("limit"), stop_on=run.get("stop_on", frozenset({"converged"})))
    return session


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


# --- jsonl ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHORT)
def test_jsonl_is_step_lines_then_one_summary(name: str) -> None:
    steps, summary = jsonl(name)
    for record in steps:
        assert set(record) >= STEP_KEYS
        assert "status" not in record
    assert set(summary) >= SUMMARY_KEYS
    assert "step" not in summary
    assert summary["status"] in STATUSES
    assert [record["step"] for record in steps] == list(range(summary["steps"] + 1))


@pytest.mark.parametrize("name", SHORT)
def test_jsonl_floats_read_back_to_the_sessions_values(name: str) -> None:
    steps, _ = jsonl(name)
    session = session_of(name)
    assert session.last == steps[-1]["step"]
    for record in steps:
        snapshot = session.snapshot(record["step"])
        assert as_list(record["w"]) == np.atleast_1d(snapshot.w).tolist()
        assert as_list(record["dw"]) == np.atleast_1d(snapshot.dw).tolist()
        assert record["b"] == snapshot.b
        assert record["db"] == snapshot.db
        assert record["cost"] == snapshot.cost
        assert record["alpha"] == snapshot.alpha


@pytest.mark.parametrize("name", SHORT)
def test_jsonl_steps_follow_the_lessons_update_rule(name: str) -> None:
    # All of these presets use plain gradient descent: w := w - alpha*dw, b := b - alpha*db.
    assert preset(name)["optimizer"]["kind"] == "gd"
    steps, _ = jsonl(name)
    for now, after in zip(steps, steps[1:], strict=False):
        alpha = now["alpha"]
        for w, dw, w_next in zip(as_list(now["w"]), as_list(now["dw"]), as_list(after["w"]),
                                 strict=True):  # fmt: skip
            assert w_next == w - alpha * dw
        if now["b"] is not None:
            assert after["b"] == now["b"] - alpha * now["db"]


@pytest.mark.parametrize("name", SHORT)
def test_jsonl_move_is_against_the_slope(name: str) -> None:
    # The lesson's sign rule: a positive slope moves w left, a negative one right.
    expected = {1: "left", -1: "right", 0: "stay"}
    steps, _ = jsonl(name)
    for record in steps:
        moves = record["move"]
        for dw, move in zip(as_list(record["dw"]), as_list(moves["w"]), strict=True):
            assert move == expected[sign(dw)]
        if record["b"] is None:
            assert set(moves) == {"w"}
        else:
            assert moves["b"] == expected[sign(record["db"])]


@pytest.mark.parametrize("name", ["bowl-from-left", "alpha-overshoot", "two-valleys"])
def test_jsonl_w_only_curves_have_null_b_and_db(name: str) -> None:
    steps, _ = jsonl(name)
    for record in steps:
        assert record["b"] is None and record["db"] is None
        assert isinstance(record["w"], float) and isinstance(record["dw"], float)
        assert isinstance(record["move"]["w"], str)


def test_jsonl_curves_in_w_and_b_have_numbers_for_both() -> None:
    steps, _ = jsonl("ravine", "--steps", "5")
    for record in steps:
        assert all(isinstance(record[key], float) for key in ("w", "b", "dw", "db"))


@pytest.mark.parametrize(("name", "n"), [("logistic-two-features", 2), ("logistic-one-feature", 1)])
def test_jsonl_logistic_w_is_a_list(name: str, n: int) -> None:
    steps, _ = jsonl(name, "--steps", "3")
    for record in steps:
        assert len(record["w"]) == len(record["dw"]) == len(record["move"]["w"]) == n
        assert isinstance(record["b"], float) and isinstance(record["db"], float)


@pytest.mark.parametrize(("name", "every"), [("bowl-from-left", 7), ("bowl-from-left", 8),
                                             ("alpha-divergent", 100), ("ravine", 1)])  # fmt: skip
def test_every_prints_multiples_of_k_and_the_last_step(name: str, every: int) -> None:
    steps, summary = jsonl(name, "--every", str(every))
    last = summary["steps"]
    expected = sorted({*range(0, last + 1, every), last})
    assert [record["step"] for record in steps] == expected
    all_steps, _ = jsonl(name)
    assert steps == [all_steps[k] for k in expected]


def test_steps_n_stops_after_n_updates() -> None:
    steps, summary = jsonl("bowl-from-left", "--steps", "3")
    assert [record["step"] for record in steps] == [0, 1, 2, 3]
    assert summary["status"] == "steps_done"
    assert summary["steps"] == 3
    assert summary["breakpoint"] is None


def test_steps_n_stops_earlier_when_the_run_converges() -> None:
    _, converged = jsonl("bowl-from-left")
    steps, summary = jsonl("bowl-from-left", "--steps", str(converged["steps"] + 50))
    assert summary["status"] == "converged"
    assert summary["steps"] == converged["steps"]


def test_a_run_without_limits_converges_where_the_slope_meets_the_tolerance() -> None:
    tolerance = preset("bowl-from-left")["stop"]["tolerance"]
    steps, summary = jsonl("bowl-from-left")
    assert summary["status"] == "converged"
    assert abs(steps[-1]["dw"]) <= tolerance
    assert all(abs(record["dw"]) > tolerance for record in steps[:-1])
    assert summary["cost"] == steps[-1]["cost"]


def test_a_diverging_run_keeps_its_last_finite_values() -> None:
    steps, summary = jsonl("alpha-divergent")
    assert summary["status"] == "diverged"
    assert summary["breakpoint"] == "diverged"  # the preset's breakpoint of that name
    last = steps[-1]
    assert summary["steps"] == last["step"]
    assert all(math.isfinite(last[key]) for key in ("w", "dw", "cost"))
    # The update that was not taken leaves the finite numbers the engine allows.
    assert abs(last["w"] - last["alpha"] * last["dw"]) > PARAMETER_LIMIT
    assert abs(steps[-2]["w"]) <= PARAMETER_LIMIT


def test_until_breakpoint_stops_at_the_first_hit() -> None:
    steps, summary = jsonl("alpha-overshoot", "--until", "breakpoint")
    assert summary["status"] == "breakpoint"
    assert summary["breakpoint"] == "slope_sign_flip"
    assert summary["steps"] == 1
    assert [record["step"] for record in steps] == [0, 1]
    assert sign(steps[0]["dw"]) == -sign(steps[1]["dw"]) != 0
    assert steps[1]["breakpoints"] == ["slope_sign_flip"]


def test_breakpoints_are_reported_but_do_not_stop_a_plain_run() -> None:
    steps, summary = jsonl("alpha-overshoot")
    assert summary["status"] == "converged"
    flips = [record["step"] for record in steps if "slope_sign_flip" in record["breakpoints"]]
    # Recomputed here: the steps whose slope has the other sign from the step before.
    expected = [b["step"] for a, b in zip(steps, steps[1:], strict=False) if a["dw"] * b["dw"] < 0]
    assert flips == expected
    assert len(flips) > 10


def test_a_condition_breakpoint_is_reported_where_it_becomes_true_only() -> None:
    # plateau-saddle's abs(dw) < 1e-3 holds from some step on, to the end of the run.
    steps, summary = jsonl("plateau-saddle")
    assert summary["status"] == "converged"
    small = [record["step"] for record in steps if abs(record["dw"]) < 1e-3]
    assert small == list(range(small[0], summary["steps"] + 1))  # it holds from there on ...
    reported = [record["step"] for record in steps if record["breakpoints"]]
    assert reported == [small[0]]  # ... and is reported once, where it became true
    assert steps[small[0]]["breakpoints"] == ["abs(dw) < 1e-3"]


def test_until_breakpoint_stops_where_a_condition_becomes_true() -> None:
    steps, summary = jsonl("separable", "--until", "breakpoint")
    assert (summary["status"], summary["breakpoint"]) == ("breakpoint", "w[0] > 5")
    large = [record["step"] for record in steps if record["w"][0] > 5]
    assert large == [summary["steps"]]
    # Run on past it, the CSV marks that step only, though w stays above 5 after it.
    rows = read_csv("separable", "--set", "stop.max_steps=4000")[1]
    assert all(float(row["w[0]"]) > 5 for row in rows[large[0] :])
    assert [int(row["step"]) for row in rows if row["breakpoints"]] == large


def test_max_steps_ends_a_run_that_never_converges() -> None:
    # separable's minimum is at infinity; a smaller max_steps keeps the test quick.
    steps, summary = jsonl("separable", "--every", "100", "--set", "stop.max_steps=300")
    assert summary["status"] == "max_steps"
    assert summary["steps"] == 300
    assert [record["step"] for record in steps] == [0, 100, 200, 300]


@pytest.mark.parametrize(
    ("argv", "status", "steps"),
    [
        (["bowl-from-left", "--until", "diverged"], "max_steps", 200),
        (["alpha-divergent", "--until", "diverged"], "diverged", None),
        (["alpha-overshoot", "--until", "converged"], "converged", None),
        (["bowl-from-left", "--until", "breakpoint", "--steps", "5"], "steps_done", 5),
        (["bowl-from-left", "--until", "breakpoint"], "max_steps", 200),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_until_stops_at_the_event_or_max_steps(
    argv: list[str], status: str, steps: int | None
) -> None:
    records, summary = jsonl(*argv)
    assert summary["status"] == status
    if steps is not None:
        assert summary["steps"] == steps
    assert records[-1]["step"] == summary["steps"]


def test_until_converged_ignores_breakpoints() -> None:
    steps, summary = jsonl("alpha-overshoot", "--until", "converged")
    assert summary["status"] == "converged"
    assert summary["breakpoint"] is None
    assert any(record["breakpoints"] for record in steps)


# --- csv --------------------------------------------------------------------------------------


def read_csv(*argv: str) -> tuple[list[str], list[dict[str, str]], str]:
    out, err = trace(*argv, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body], err


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("bowl-from-left", ["step", "w", "dw", "cost", "alpha", "move_w"]),
        ("ravine", ["step", "w", "b", "dw", "db", "cost", "alpha", "move_w", "move_b"]),
        ("logistic-two-features", ["step", "w[0]", "w[1]", "b", "dw[0]", "dw[1]", "db",
                                   "cost", "alpha", "move_w[0]", "move_w[1]", "move_b"]),
    ],
)  # fmt: skip
def test_csv_has_flat_numeric_columns(name: str, columns: list[str]) -> None:
    header, rows, _ = read_csv(name, "--steps", "10")
    assert [column for column in header if column in columns] == columns
    if "b" not in columns:
        assert "b" not in header and "db" not in header
    numeric = [c for c in columns if not c.startswith("move") and c != "step"]
    for k, row in enumerate(rows):
        assert int(row["step"]) == k
        for column in numeric:
            assert math.isfinite(float(row[column]))


@pytest.mark.parametrize("name", ["bowl-from-left", "ravine", "logistic-two-features"])
def test_csv_holds_the_same_values_as_jsonl(name: str) -> None:
    header, rows, _ = read_csv(name)
    steps, _ = jsonl(name)
    assert len(rows) == len(steps)
    for row, record in zip(rows, steps, strict=True):
        assert int(row["step"]) == record["step"]
        for key in ("w", "dw"):
            values = as_list(record[key])
            if isinstance(record[key], list):
                assert [float(row[f"{key}[{i}]"]) for i in range(len(values))] == values
            else:
                assert float(row[key]) == record[key]
        if record["b"] is not None:
            assert float(row["b"]) == record["b"]
            assert float(row["db"]) == record["db"]
            assert row["move_b"] == record["move"]["b"]
        assert float(row["cost"]) == record["cost"]
        assert float(row["alpha"]) == record["alpha"]


def test_csv_sends_the_summary_to_stderr() -> None:
    header, rows, err = read_csv("bowl-from-left")
    _, summary = jsonl("bowl-from-left")
    assert err == summary["message"] + "\n"
    assert len(rows) == summary["steps"] + 1


# --- table ------------------------------------------------------------------------------------


def column_edges(header: str) -> list[int]:
    """Where each right-aligned header cell ends."""
    edges = [i + 1 for i in range(len(header)) if header[i] != " " and
             (i + 1 == len(header) or header[i + 1] == " ")]  # fmt: skip
    # "J(w,b)" and "w moves" hold no double space; single spaces inside a header are not edges.
    return [e for e in edges if e == len(header) or header[e : e + 2] == "  "]


@pytest.mark.parametrize(
    "argv",
    [
        ["bowl-from-left"],
        ["ravine"],
        ["logistic-two-features"],
        ["alpha-divergent"],  # numbers grow wider long after the first rows
        ["plateau-saddle", "--every", "3"],  # past step 9999
        ["two-valleys", "--set", "optimizer.kind=adam"],
    ],
    ids=" ".join,
)
def test_table_columns_line_up(argv: list[str]) -> None:
    out, _ = trace(*argv)
    lines = out.splitlines()
    header, rows = lines[0], lines[1:-1]
    edges = column_edges(header)
    names = header.split()
    assert names[0] == "step" and names[-1] == "breakpoint"
    assert len(rows) > 2
    for row in rows:
        for edge in edges[:-1]:  # the breakpoint column is often empty
            assert row[edge - 1] != " ", (row, edge)
            assert edge == len(row) or row[edge] == " ", (row, edge)


def table_cells(header: str, line: str) -> dict[str, str]:
    """A table line cut at the header's column edges, by column name."""
    names = re.split(r" {2,}", header.strip())
    edges = column_edges(header)
    starts = [0, *edges[:-1]]
    return {
        name: line[start:edge].strip()
        for name, start, edge in zip(names, starts, edges, strict=True)
    }


def test_table_cells_show_the_run_in_six_digits() -> None:
    out, _ = trace("ravine", "--steps", "30")
    steps, _ = jsonl("ravine", "--steps", "30")
    header, *lines, _ = out.splitlines()
    for line, record in zip(lines, steps, strict=True):
        cells = table_cells(header, line)
        assert int(cells["step"]) == record["step"]
        for name, key in [("w", "w"), ("b", "b"), ("dw", "dw"), ("db", "db"), ("J(w,b)", "cost")]:
            assert float(cells[name]) == pytest.approx(record[key], rel=1e-5, abs=1e-300)
        assert float(cells["alpha"]) == record["alpha"]
        arrow = {"left": "<- left", "right": "right ->"}[record["move"]["w"]]
        assert cells["w moves"] == arrow


def test_table_drops_b_columns_for_curves_in_w() -> None:
    header = trace("bowl-from-left", "--steps", "1")[0].splitlines()[0].split()
    assert "b" not in header and "db" not in header
    header = trace("ravine", "--steps", "1")[0].splitlines()[0].split()
    assert "b" in header and "db" in header


@pytest.mark.parametrize(
    "argv", [["bowl-from-left"], ["alpha-divergent"], ["alpha-overshoot", "--until", "breakpoint"],
             ["separable", "--set", "stop.max_steps=50"], ["ravine", "--steps", "4"]],
    ids=" ".join,
)  # fmt: skip
def test_table_ends_with_the_status_sentence(argv: list[str]) -> None:
    out, _ = trace(*argv)
    _, summary = jsonl(*argv)
    assert out.splitlines()[-1] == summary["message"]
    assert f"step {summary['steps']}" in summary["message"]
    assert STATUS_WORDS[summary["status"]] in summary["message"]


# --- --set ------------------------------------------------------------------------------------


def test_set_optimizer_kind_changes_the_trace() -> None:
    gd, _ = jsonl("bowl-from-left", "--steps", "3")
    adam, _ = jsonl("bowl-from-left", "--steps", "3", "--set", "optimizer.kind=adam")
    assert {record["optimizer"] for record in adam} == {"adam"}
    assert adam[0]["w"] == gd[0]["w"]  # the same start
    # Adam's first step is alpha in the downhill direction (m/sqrt(v) = dw/|dw|), where gd's
    # is alpha*dw: here 0.1 against 0.8.
    alpha, dw = adam[0]["alpha"], adam[0]["dw"]
    assert adam[1]["w"] == pytest.approx(adam[0]["w"] - alpha * dw / abs(dw), abs=1e-8)
    assert adam[1]["w"] != gd[1]["w"]


def test_set_alpha_changes_the_learning_rate_of_every_step() -> None:
    steps, summary = jsonl("bowl-from-left", "--set", "optimizer.alpha=0.5")
    # On (w - 3)**2, alpha = 0.5 lands on the bottom in one step: w - 0.5*2*(w - 3) = 3.
    assert [record["alpha"] for record in steps] == [0.5, 0.5]
    assert steps[1]["w"] == 3.0
    assert summary["status"] == "converged"


def test_set_start_w_on_a_vector_w() -> None:
    steps, _ = jsonl("logistic-two-features", "--steps", "2", "--set", "start.w=[1, 2]")
    assert steps[0]["w"] == [1.0, 2.0]
    assert steps[0]["b"] == 0.0
    # The lesson's cost at the new start, computed here from the scenario's data.
    spec = load_scenario("logistic-two-features").problem
    yhat = 1 / (1 + np.exp(-(spec.X @ np.array([1.0, 2.0]))))
    cost = -np.mean(spec.y * np.log(yhat) + (1 - spec.y) * np.log(1 - yhat))
    assert steps[0]["cost"] == pytest.approx(cost, rel=1e-12)
