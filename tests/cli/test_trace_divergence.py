"""`gdtui trace` names why a run could not go on: an undefined cost is not an overflow."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gdtui import cli


def log_w(tmp_path: Path, w0: float, alpha: float) -> str:
    path = tmp_path / "log.toml"
    path.write_text(
        'name = "log(w)"\ndescription = "log"\n[problem]\nkind = "curve"\ncost = "log(w)"\n'
        f'[start]\nw = {w0}\n[optimizer]\nkind = "gd"\nalpha = {alpha}\n'
    )
    return str(path)


def trace(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["trace", *argv], out, err) == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize(
    ("w0", "alpha", "cause", "words"),
    [(-1.0, 0.1, "cost_undefined", "J is not a number at this point"),
     # dw = 1/w = 2 at w = 0.5, so alpha = 1 lands at w = -1.5, where log is undefined.
     (0.5, 1.0, "landing_undefined", "land where J is not a number")],
)  # fmt: skip
def test_trace_names_an_undefined_cost(
    tmp_path: Path, w0: float, alpha: float, cause: str, words: str
) -> None:
    source = log_w(tmp_path, w0, alpha)
    summary = json.loads(trace(source, "--format", "jsonl").splitlines()[-1])
    assert summary["status"] == "diverged"
    assert summary["divergence"] == cause
    assert words in summary["message"]
    assert "overflow" not in summary["message"]
    assert words in trace(source).splitlines()[-1]


def test_an_overflow_keeps_its_words() -> None:
    summary = json.loads(trace("alpha-divergent", "--format", "jsonl").splitlines()[-1])
    assert summary["divergence"] == "overflow"
    assert (
        summary["message"] == f"diverged at step {summary['steps']}: the next update would overflow"
    )


def test_a_run_that_did_not_diverge_has_no_cause() -> None:
    summary = json.loads(trace("bowl-from-left", "--format", "jsonl").splitlines()[-1])
    assert summary["divergence"] is None
