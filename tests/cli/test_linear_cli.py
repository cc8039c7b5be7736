"""The headless commands treat linear regression like the other kinds: trace, check, list."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from gdtui import cli

from .test_cli import SCENARIOS, run_cli


def house_prices() -> tuple[np.ndarray, np.ndarray, float]:
    """The house-prices preset's sizes x, prices y and alpha, read from the file itself."""
    data = tomllib.loads((SCENARIOS / "house-prices.toml").read_text("utf-8"))
    x = np.array(data["problem"]["x"], dtype=float)
    return x, np.array(data["problem"]["y"], dtype=float), data["optimizer"]["alpha"]


def test_trace_takes_the_lessons_first_step_by_hand() -> None:
    code, out, err = run_cli("trace", "house-prices", "--steps", "1", "--format", "jsonl")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    start, first, summary = lines
    x, y, alpha = house_prices()
    m = len(x)
    # At w = b = 0 every prediction is 0, so each miss is -y_i.
    # A data problem's w is a vector, even of one component, as in logistic regression.
    assert start["dw"] == [pytest.approx(-sum(x * y) / m, rel=1e-14)]
    assert start["db"] == pytest.approx(-sum(y) / m, rel=1e-14)
    assert start["cost"] == pytest.approx(sum(y**2) / (2 * m), rel=1e-14)
    assert start["move"] == {"w": ["right"], "b": "right"}
    w, b = alpha * sum(x * y) / m, alpha * sum(y) / m
    assert first["w"] == [pytest.approx(w, rel=1e-14)]
    assert first["b"] == pytest.approx(b, rel=1e-14)
    assert first["cost"] == pytest.approx(sum((w * x + b - y) ** 2) / (2 * m), rel=1e-12)
    assert summary["status"] == "steps_done"


def test_trace_runs_house_prices_to_the_least_squares_line() -> None:
    code, out, _ = run_cli("trace", "house-prices", "--every", "500", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    x, y, _ = house_prices()
    best = np.linalg.lstsq(np.column_stack((x, np.ones_like(x))), y, rcond=None)[0]
    last = rows[-1]
    assert float(last["w[0]"]) == pytest.approx(best[0], abs=1e-4)
    assert float(last["b"]) == pytest.approx(best[1], abs=1e-4)


def test_trace_of_two_features_names_each_component() -> None:
    code, out, _ = run_cli("trace", "house-prices-unscaled", "--steps", "2", "--format", "jsonl")
    assert code == 0
    start = json.loads(out.splitlines()[0])
    assert len(start["w"]) == len(start["dw"]) == 2


def test_check_reports_a_bad_linear_file_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "t"\n[problem]\nkind = "linear"\nx = [1, 2]\ny = [1, "x"]\n')
    code, out, err = run_cli("check", str(bad))
    assert code == cli.BAD_INPUT
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith(f"{bad}: problem.y[1]: expected a finite number, got 'x'")


@pytest.mark.parametrize("name", ["house-prices", "house-prices-diverge", "house-prices-unscaled"])
def test_list_and_check_know_the_linear_presets(name: str) -> None:
    _, listing, _ = run_cli("list")
    assert any(line.split()[0] == name for line in listing.splitlines())
    code, out, _ = run_cli("check", str(SCENARIOS / f"{name}.toml"))
    assert code == 0
    assert out.endswith(": ok\n")
