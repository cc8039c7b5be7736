"""Scenario files: what loads, what each mistake says, overrides, and finding presets."""

from __future__ import annotations

import copy
import pickle
import statistics
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdtui import scenario as scenario_module
from gdtui.engine.optimizers import HYPERPARAMETERS, OPTIMIZER_KINDS
from gdtui.scenario import (
    BUILTIN_BREAKPOINTS,
    BreakpointSpec,
    CurveSpec,
    LogisticSpec,
    Scenario,
    ScenarioError,
    apply_override,
    list_presets,
    load_scenario,
    parse_toml_value,
    resolve,
    scenario_from_dict,
)

DATA = Path(__file__).parent / "data"

INLINE = 'kind = "logistic"\nx = [1.0, 2.0]\ny = [0, 1]'
CURVE = 'kind = "curve"\ncost = "(w - 3)**2"'


def scenario_text(problem: str = INLINE, extra: str = "", top: str = 'name = "t"') -> str:
    """A small scenario: `top` lines, a [problem] table, then any further tables."""
    return f"{top}\n[problem]\n{problem}\n{textwrap.dedent(extra)}"


def write(folder: Path, text: str, name: str = "lesson.toml") -> Path:
    file = folder / name
    file.write_text(textwrap.dedent(text), encoding="utf-8")
    return file


def load_text(folder: Path, text: str, overrides: tuple[str, ...] = ()) -> Scenario:
    return load_scenario(write(folder, text), overrides)


def error_of(folder: Path, text: str, overrides: tuple[str, ...] = ()) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_text(folder, text, overrides)
    return info.value


def assert_one_line_naming(err: ScenarioError, path: str, key: str) -> None:
    message = str(err)
    assert len(message.splitlines()) == 1, message
    assert err.path == path
    assert err.key == key, message
    prefix = f"{path}: {key}: " if key else f"{path}: "
    assert message.startswith(prefix), message


# --- scenarios that load ---------------------------------------------------------------------


def test_the_documented_inline_example_loads(tmp_path: Path) -> None:
    scenario = load_text(
        tmp_path,
        '''
        name = "Logistic regression: hours studied vs passing"
        description = """Teaching notes.
        Second line."""
        [problem]
        kind = "logistic"
        x = [[0.5], [1.0], [1.5]]
        y = [0, 0, 1]
        ''',
    )
    assert scenario.name == "Logistic regression: hours studied vs passing"
    assert scenario.description == "Teaching notes.\nSecond line."
    problem = scenario.problem
    assert isinstance(problem, LogisticSpec)
    assert problem.X.dtype == np.float64
    np.testing.assert_array_equal(problem.X, [[0.5], [1.0], [1.5]])
    np.testing.assert_array_equal(problem.y, [0.0, 0.0, 1.0])
    assert problem.feature_names == ("x1",)
    assert problem.source == "inline"


def test_defaults_are_the_lessons(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, scenario_text())
    np.testing.assert_array_equal(scenario.w0, [0.0])
    assert scenario.b0 == 0.0
    assert scenario.has_b
    assert scenario.n_features == 1
    assert scenario.description == ""
    assert scenario.optimizer.kind == "gd"
    assert scenario.optimizer.alpha == 0.1
    assert scenario.optimizer.params == {}
    assert (scenario.max_steps, scenario.tolerance) == (1000, 1e-6)
    assert scenario.breakpoints == ()
    assert scenario.w_range is None and scenario.b_range is None


def test_every_section_is_read(tmp_path: Path) -> None:
    scenario = load_text(
        tmp_path,
        scenario_text(
            'kind = "logistic"\nx = [[1, 2], [3, 4], [5, 7]]\ny = [0, 1, 1]\n'
            'feature_names = ["hours", "sleep"]',
            """
            [start]
            w = [0.5, -1]
            b = 2
            [optimizer]
            kind = "adam"
            alpha = 0.01
            beta1 = 0.8
            [stop]
            max_steps = 50
            tolerance = 0
            [[breakpoints]]
            when = "slope_sign_flip"
            [[breakpoints]]
            when = "cost > prev_cost"
            enabled = false
            [view]
            w_range = [-2, 8.5]
            b_range = [-1.0, 1.0]
            """,
        ),
    )
    assert isinstance(scenario.problem, LogisticSpec)
    assert scenario.problem.feature_names == ("hours", "sleep")
    np.testing.assert_array_equal(scenario.w0, [0.5, -1.0])
    assert scenario.b0 == 2.0 and isinstance(scenario.b0, float)
    assert scenario.optimizer.kind == "adam"
    assert scenario.optimizer.alpha == 0.01
    assert scenario.optimizer.params == {"beta1": 0.8, "beta2": 0.999, "eps": 1e-8}
    assert (scenario.max_steps, scenario.tolerance) == (50, 0.0)
    assert scenario.breakpoints == (
        BreakpointSpec("slope_sign_flip", True),
        BreakpointSpec("cost > prev_cost", False),
    )
    assert scenario.w_range == (-2.0, 8.5)
    assert scenario.b_range == (-1.0, 1.0)
    assert scenario.raw["optimizer"]["beta1"] == 0.8


def test_a_single_start_w_fills_every_component(tmp_path: Path) -> None:
    text = scenario_text('kind = "logistic"\nx = [[1, 2, 3]]\ny = [1]', "[start]\nw = 0.25\n")
    np.testing.assert_array_equal(load_text(tmp_path, text).w0, [0.25, 0.25, 0.25])


@pytest.mark.parametrize("kind", OPTIMIZER_KINDS)
def test_each_optimizer_gets_its_default_hyperparameters(tmp_path: Path, kind: str) -> None:
    scenario = load_text(tmp_path, scenario_text(extra=f'[optimizer]\nkind = "{kind}"\n'))
    assert scenario.optimizer.params == HYPERPARAMETERS[kind]


def test_arrays_are_read_only(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, scenario_text())
    assert isinstance(scenario.problem, LogisticSpec)
    for values in (scenario.problem.X, scenario.problem.y, scenario.w0):
        with pytest.raises(ValueError):
            values[0] = 5.0


def test_csv_with_a_header_names_the_features() -> None:
    scenario = load_scenario(DATA / "hours.toml")
    problem = scenario.problem
    assert isinstance(problem, LogisticSpec)
    assert problem.feature_names == ("hours", "slept")
    assert problem.source == "hours.csv"
    assert problem.X.shape == (5, 2)
    np.testing.assert_array_equal(problem.y, [0, 0, 0, 1, 1])
    assert scenario.optimizer.params == {"momentum": 0.9}


def test_csv_without_a_header(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    # A byte-order mark and Windows line endings, as a spreadsheet writes them.
    (tmp_path / "data" / "points.csv").write_bytes(b"\xef\xbb\xbf1.5,2,0\r\n-3,4e-1,1\r\n")
    scenario = load_text(tmp_path, scenario_text('kind = "logistic"\ndata = "data/points.csv"'))
    problem = scenario.problem
    assert isinstance(problem, LogisticSpec)
    np.testing.assert_array_equal(problem.X, [[1.5, 2.0], [-3.0, 0.4]])
    np.testing.assert_array_equal(problem.y, [0.0, 1.0])
    assert problem.feature_names == ("x1", "x2")
    assert problem.source == "data/points.csv"


def test_explicit_feature_names_beat_the_csv_header(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("a,b,label\n1,2,0\n")
    text = scenario_text('kind = "logistic"\ndata = "d.csv"\nfeature_names = ["p", "q"]')
    problem = load_text(tmp_path, text).problem
    assert isinstance(problem, LogisticSpec)
    assert problem.feature_names == ("p", "q")


def blobs(folder: Path, **settings: object) -> LogisticSpec:
    table = ", ".join(f"{key} = {value}" for key, value in {"kind": '"blobs"', **settings}.items())
    problem = load_text(folder, scenario_text(f'kind = "logistic"\ngenerate = {{ {table} }}'))
    assert isinstance(problem.problem, LogisticSpec)
    return problem.problem


def test_blobs_are_reproducible_for_a_seed(tmp_path: Path) -> None:
    first, again = blobs(tmp_path, seed=7), blobs(tmp_path, seed=7)
    other = blobs(tmp_path, seed=8)
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.X, other.X)
    assert first.X.shape == (200, 2)
    assert first.feature_names == ("x1", "x2")
    assert "seed=7" in first.source


def test_blobs_are_balanced_and_separated_along_the_all_ones_direction(tmp_path: Path) -> None:
    problem = blobs(tmp_path, samples=4001, features=4, separation=6.0, seed=3)
    assert set(np.unique(problem.y)) == {0.0, 1.0}
    assert abs(int(problem.y.sum()) - 2000) <= 1
    gap = problem.X[problem.y == 1].mean(axis=0) - problem.X[problem.y == 0].mean(axis=0)
    # Centres 6 apart along (1, 1, 1, 1)/2: 3 per coordinate, give or take the noise.
    np.testing.assert_allclose(gap, [3.0] * 4, atol=0.15)
    within = problem.X[problem.y == 0].std(axis=0)
    np.testing.assert_allclose(within, [1.0] * 4, atol=0.1)


def test_standardize_gives_mean_zero_and_standard_deviation_one(tmp_path: Path) -> None:
    rows = [[1.0, 100.0], [2.0, 300.0], [4.0, 200.0], [9.0, 1000.0]]
    text = scenario_text(f'kind = "logistic"\nx = {rows}\ny = [0, 1, 0, 1]\nstandardize = true')
    problem = load_text(tmp_path, text).problem
    assert isinstance(problem, LogisticSpec)
    for j in range(2):
        column = [row[j] for row in rows]
        mean, std = statistics.fmean(column), statistics.pstdev(column)
        expected = [(v - mean) / std for v in column]
        np.testing.assert_allclose(problem.X[:, j], expected, rtol=1e-12)
        assert statistics.fmean(problem.X[:, j]) == pytest.approx(0.0, abs=1e-12)
        assert statistics.pstdev(problem.X[:, j]) == pytest.approx(1.0)


def test_a_curve_without_b(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, scenario_text(CURVE, "[start]\nw = 7\n"))
    assert isinstance(scenario.problem, CurveSpec)
    assert scenario.problem.cost.text == "(w - 3)**2"
    assert scenario.b0 is None and not scenario.has_b
    np.testing.assert_array_equal(scenario.w0, [7.0])
    assert scenario.n_features == 1


def test_a_curve_with_b_starts_b_at_zero(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, scenario_text('kind = "curve"\ncost = "w**2 + 25*b**2"'))
    assert scenario.b0 == 0.0 and scenario.has_b


# --- what each mistake says ------------------------------------------------------------------

REJECTIONS = [
    # The top level.
    ("unknown-top", 'nmae = "t"\n[problem]\n' + INLINE, "nmae", "did you mean 'name'"),
    ("missing-name", "[problem]\n" + INLINE, "name", "missing"),
    ("empty-name", scenario_text(top='name = "  "'), "name", "non-empty"),
    ("name-not-string", scenario_text(top="name = 3"), "name", "got 3"),
    ("description-not-string", scenario_text(top='name = "t"\ndescription = 1'), "description", ""),
    ("missing-problem", 'name = "t"', "problem", "missing"),
    ("problem-not-table", 'name = "t"\nproblem = 3', "problem", "expected a table, got 3"),
    # The problem table.
    ("missing-kind", scenario_text("x = [1]\ny = [0]"), "problem.kind", "missing"),
    ("unknown-kind", scenario_text('kind = "logistc"'), "problem.kind", "'logistic'"),
    ("kind-not-string", scenario_text("kind = true"), "problem.kind", "got true"),
    (
        "problem-typo",
        scenario_text(INLINE + "\nstandardise = true"),
        "problem.standardise",
        "did you mean 'standardize'",
    ),
    ("logistic-with-cost", scenario_text(INLINE + '\ncost = "w**2"'), "problem.cost", "curve"),
    ("curve-with-x", scenario_text(CURVE + "\nx = [1]"), "problem.x", "only cost"),
    (
        "curve-with-standardize",
        scenario_text(CURVE + "\nstandardize = true"),
        "problem.standardize",
        "only cost",
    ),
    ("curve-missing-cost", scenario_text('kind = "curve"'), "problem.cost", "missing"),
    ("curve-cost-not-string", scenario_text('kind = "curve"\ncost = 3'), "problem.cost", "got 3"),
    ("cost-without-w", scenario_text('kind = "curve"\ncost = "b**2"'), "problem.cost", ""),
    ("cost-syntax", scenario_text('kind = "curve"\ncost = "(w - "'), "problem.cost", ""),
    # Where the examples come from.
    ("no-source", scenario_text('kind = "logistic"'), "problem", "got none"),
    (
        "two-sources",
        scenario_text(INLINE + '\ngenerate = {kind = "blobs"}'),
        "problem",
        "x and generate",
    ),
    ("x-without-y", scenario_text('kind = "logistic"\nx = [1]'), "problem.y", "missing"),
    ("y-without-x", scenario_text('kind = "logistic"\ny = [1]'), "problem.x", "missing"),
    ("y-with-data", scenario_text('kind = "logistic"\ndata = "d.csv"\ny = [1]'), "problem.y", ""),
    # Inline examples.
    ("x-empty", scenario_text('kind = "logistic"\nx = []\ny = []'), "problem.x", "got []"),
    ("x-not-list", scenario_text('kind = "logistic"\nx = 3\ny = [1]'), "problem.x", "got 3"),
    (
        "x-ragged",
        scenario_text('kind = "logistic"\nx = [[1, 2], [3]]\ny = [0, 1]'),
        "problem.x[1]",
        "2 numbers",
    ),
    ("x-empty-row", scenario_text('kind = "logistic"\nx = [[]]\ny = [0]'), "problem.x[0]", ""),
    (
        "x-row-then-number",
        scenario_text('kind = "logistic"\nx = [[1], 2]\ny = [0, 1]'),
        "problem.x[1]",
        "got 2",
    ),
    (
        "x-number-then-row",
        scenario_text('kind = "logistic"\nx = [1, [2]]\ny = [0, 1]'),
        "problem.x[1]",
        "got [2]",
    ),
    (
        "x-boolean",
        scenario_text('kind = "logistic"\nx = [true, 1]\ny = [0, 1]'),
        "problem.x[0]",
        "got true",
    ),
    (
        "x-string",
        scenario_text('kind = "logistic"\nx = [[1, "a"]]\ny = [0]'),
        "problem.x[0][1]",
        "got 'a'",
    ),
    (
        "x-nan",
        scenario_text('kind = "logistic"\nx = [1, nan]\ny = [0, 1]'),
        "problem.x[1]",
        "got nan",
    ),
    (
        "x-inf",
        scenario_text('kind = "logistic"\nx = [[-inf]]\ny = [0]'),
        "problem.x[0][0]",
        "got -inf",
    ),
    (
        "x-overflows-float",
        scenario_text(f'kind = "logistic"\nx = [{10**400}]\ny = [0]'),
        "problem.x[0]",
        "finite",
    ),
    (
        "y-length",
        scenario_text('kind = "logistic"\nx = [1, 2]\ny = [0]'),
        "problem.y",
        "expected 2 labels (one per row of x), got 1",
    ),
    ("y-not-list", scenario_text('kind = "logistic"\nx = [1]\ny = 0'), "problem.y", "got 0"),
    (
        "y-label-2",
        scenario_text('kind = "logistic"\nx = [1, 2]\ny = [0, 2]'),
        "problem.y[1]",
        "expected a label 0 or 1, got 2",
    ),
    (
        "y-label-half",
        scenario_text('kind = "logistic"\nx = [1]\ny = [0.5]'),
        "problem.y[0]",
        "got 0.5",
    ),
    (
        "y-boolean",
        scenario_text('kind = "logistic"\nx = [1]\ny = [true]'),
        "problem.y[0]",
        "got true",
    ),
    ("y-nan", scenario_text('kind = "logistic"\nx = [1]\ny = [nan]'), "problem.y[0]", "nan"),
    (
        "standardize-not-bool",
        scenario_text(INLINE + '\nstandardize = "yes"'),
        "problem.standardize",
        "expected true or false, got 'yes'",
    ),
    (
        "standardize-constant",
        scenario_text('kind = "logistic"\nx = [[1, 5], [2, 5]]\ny = [0, 1]\nstandardize = true'),
        "problem.standardize",
        "'x2' (column 2) constant",
    ),
    (
        "names-length",
        scenario_text(INLINE + '\nfeature_names = ["a", "b"]'),
        "problem.feature_names",
        "expected 1 name (one per feature), got 2",
    ),
    (
        "names-not-strings",
        scenario_text(INLINE + "\nfeature_names = [1]"),
        "problem.feature_names[0]",
        "got 1",
    ),
    (
        "names-not-list",
        scenario_text(INLINE + '\nfeature_names = "a"'),
        "problem.feature_names",
        "got 'a'",
    ),
    # Generated examples.
    (
        "generate-not-table",
        scenario_text('kind = "logistic"\ngenerate = "blobs"'),
        "problem.generate",
        "expected a table",
    ),
    (
        "generate-typo",
        scenario_text('kind = "logistic"\ngenerate = {kind = "blobs", sample = 9}'),
        "problem.generate.sample",
        "did you mean 'samples'",
    ),
    (
        "generate-no-kind",
        scenario_text('kind = "logistic"\ngenerate = {seed = 1}'),
        "problem.generate.kind",
        "missing",
    ),
    (
        "generate-kind",
        scenario_text('kind = "logistic"\ngenerate = {kind = "moons"}'),
        "problem.generate.kind",
        "got 'moons'",
    ),
    *[
        (
            f"generate-{name}-{value}",
            scenario_text(f'kind = "logistic"\ngenerate = {{kind = "blobs", {name} = {value}}}'),
            f"problem.generate.{name}",
            f"got {value}",
        )
        for name, value in [
            ("samples", "1"),
            ("samples", "1000001"),
            ("samples", "1.5"),
            ("samples", "true"),
            ("features", "0"),
            ("features", "1001"),
            ("separation", "-1"),
            ("separation", "nan"),
            ("separation", "false"),
            ("seed", "-1"),
            ("seed", "1.0"),
        ]
    ],
    (
        "generate-too-big",
        scenario_text(
            'kind = "logistic"\ngenerate = {kind = "blobs", samples = 1000000, features = 1000}'
        ),
        "problem.generate",
        "1,000,000 * 1,000",
    ),
    # The start.
    ("start-not-table", scenario_text(top='name = "t"\nstart = 0'), "start", "expected a table"),
    ("start-typo", scenario_text(extra="[start]\nww = 0"), "start.ww", "did you mean 'w'"),
    ("start-w-length", scenario_text(extra="[start]\nw = [1, 2]"), "start.w", "got a list of 2"),
    (
        "start-w-nan",
        scenario_text('kind = "logistic"\nx = [[1, 2]]\ny = [0]', "[start]\nw = [1, nan]"),
        "start.w[1]",
        "got nan",
    ),
    ("start-w-string", scenario_text(extra='[start]\nw = "0"'), "start.w", "got '0'"),
    ("start-b-boolean", scenario_text(extra="[start]\nb = false"), "start.b", "got false"),
    ("start-b-inf", scenario_text(extra="[start]\nb = inf"), "start.b", "got inf"),
    ("curve-w-list", scenario_text(CURVE, "[start]\nw = [1]"), "start.w", "a single finite number"),
    (
        "curve-b-unused",
        scenario_text(CURVE, "[start]\nb = 1"),
        "start.b",
        "the cost does not use b",
    ),
    # The optimizer.
    (
        "optimizer-not-table",
        scenario_text(top='name = "t"\noptimizer = "adam"'),
        "optimizer",
        "expected a table",
    ),
    (
        "optimizer-kind",
        scenario_text(extra='[optimizer]\nkind = "adm"'),
        "optimizer.kind",
        "did you mean 'adam'",
    ),
    (
        "optimizer-kind-number",
        scenario_text(extra="[optimizer]\nkind = 1"),
        "optimizer.kind",
        "got 1",
    ),
    (
        "optimizer-typo",
        scenario_text(extra="[optimizer]\nalpah = 0.1"),
        "optimizer.alpah",
        "did you mean 'alpha'",
    ),
    (
        "gd-with-beta1",
        scenario_text(extra="[optimizer]\nbeta1 = 0.9"),
        "optimizer.beta1",
        "gd takes only alpha",
    ),
    (
        "momentum-with-eps",
        scenario_text(extra='[optimizer]\nkind = "momentum"\neps = 1e-8'),
        "optimizer.eps",
        "momentum takes only alpha, momentum",
    ),
    *[
        (
            f"alpha-{value}",
            scenario_text(extra=f"[optimizer]\nalpha = {value}"),
            "optimizer.alpha",
            f"expected a positive finite number, got {shown}",
        )
        for value, shown in [
            ("-0.1", "-0.1"),
            ("0", "0"),
            ("nan", "nan"),
            ("inf", "inf"),
            ("true", "true"),
            ('"fast"', "'fast'"),
            ("[0.1]", "[0.1]"),
        ]
    ],
    *[
        (
            f"{kind}-{name}-{value}",
            scenario_text(extra=f'[optimizer]\nkind = "{kind}"\n{name} = {value}'),
            f"optimizer.{name}",
            f"got {value}",
        )
        for kind, name, value in [
            ("momentum", "momentum", "1.0"),
            ("nesterov", "momentum", "-0.1"),
            ("rmsprop", "rho", "1"),
            ("adam", "beta1", "true"),
            ("adam", "beta2", "nan"),
            ("adam", "eps", "0"),
            ("adagrad", "eps", "-1e-10"),
            ("rmsprop", "eps", "inf"),
        ]
    ],
    # Stopping.
    *[
        (
            f"stop-{name}-{value}",
            scenario_text(extra=f"[stop]\n{name} = {value}"),
            f"stop.{name}",
            f"got {value}",
        )
        for name, value in [
            ("max_steps", "0"),
            ("max_steps", "10000001"),
            ("max_steps", "1.5"),
            ("max_steps", "true"),
            ("max_steps", "'10'"),
            ("tolerance", "-1"),
            ("tolerance", "nan"),
            ("tolerance", "false"),
        ]
    ],
    (
        "stop-typo",
        scenario_text(extra="[stop]\nmax_step = 3"),
        "stop.max_step",
        "did you mean 'max_steps'",
    ),
    # Breakpoints.
    (
        "breakpoints-not-array",
        scenario_text(top='name = "t"\nbreakpoints = "converged"'),
        "breakpoints",
        "got 'converged'",
    ),
    (
        "breakpoint-not-table",
        scenario_text(top='name = "t"\nbreakpoints = [1]'),
        "breakpoints[0]",
        "expected a table",
    ),
    (
        "breakpoint-no-when",
        scenario_text(extra="[[breakpoints]]\nenabled = true"),
        "breakpoints[0].when",
        "missing",
    ),
    (
        "breakpoint-when-number",
        scenario_text(extra="[[breakpoints]]\nwhen = 1"),
        "breakpoints[0].when",
        "got 1",
    ),
    (
        "breakpoint-bad-expression",
        scenario_text(
            extra='[[breakpoints]]\nwhen = "converged"\n[[breakpoints]]\nwhen = "diverged"\n'
            '[[breakpoints]]\nwhen = "cost >"'
        ),
        "breakpoints[2].when",
        "",
    ),
    (
        "breakpoint-misspelt",
        scenario_text(extra='[[breakpoints]]\nwhen = "slope_sign_flp"'),
        "breakpoints[0].when",
        "did you mean 'slope_sign_flip'",
    ),
    (
        "breakpoint-enabled",
        scenario_text(extra='[[breakpoints]]\nwhen = "converged"\nenabled = "no"'),
        "breakpoints[0].enabled",
        "got 'no'",
    ),
    (
        "breakpoint-typo",
        scenario_text(extra='[[breakpoints]]\nwhen = "converged"\nenabld = 1'),
        "breakpoints[0].enabld",
        "did you mean 'enabled'",
    ),
    # Plot hints.
    (
        "view-typo",
        scenario_text(extra="[view]\nw_rnge = [0, 1]"),
        "view.w_rnge",
        "did you mean 'w_range'",
    ),
    (
        "view-not-pair",
        scenario_text(extra="[view]\nw_range = [0, 1, 2]"),
        "view.w_range",
        "[lo, hi]",
    ),
    ("view-not-list", scenario_text(extra="[view]\nw_range = 1"), "view.w_range", "got 1"),
    (
        "view-backwards",
        scenario_text(extra="[view]\nb_range = [2, 1]"),
        "view.b_range",
        "got [2, 1]",
    ),
    ("view-empty", scenario_text(extra="[view]\nw_range = [1, 1]"), "view.w_range", ""),
    ("view-nan", scenario_text(extra="[view]\nw_range = [0, nan]"), "view.w_range[1]", "nan"),
    (
        "view-boolean",
        scenario_text(extra="[view]\nw_range = [false, 1]"),
        "view.w_range[0]",
        "got false",
    ),
    (
        "view-b-unused",
        scenario_text(CURVE, "[view]\nb_range = [0, 1]"),
        "view.b_range",
        "does not use b",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [pytest.param(text, key, fragment, id=name) for name, text, key, fragment in REJECTIONS],
)
def test_a_mistake_is_one_line_naming_the_key(
    tmp_path: Path, text: str, key: str, fragment: str
) -> None:
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(file))
    assert_one_line_naming(info.value, str(file), key)
    assert fragment in info.value.message


def test_an_error_survives_pickling() -> None:
    err = ScenarioError("x.toml", "stop.tolerance", "expected a finite number >= 0, got -1")
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.key, again.message, str(again)) == (
        err.path,
        err.key,
        err.message,
        str(err),
    )


def test_the_documented_message_word_for_word(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder, scenario_text(extra="[optimizer]\nalpha = -0.1"), "foo.toml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder / "foo.toml")
    assert str(info.value) == (
        f"{folder / 'foo.toml'}: optimizer.alpha: expected a positive finite number, got -0.1"
    )


CSV_REJECTIONS = [
    ("ragged", "a,b,label\n1,2,0\n3,1\n", "points.csv:3: expected 3 columns like line 1, got 2"),
    ("not-a-number", "1,2,0\n\n3,x,1\n", "points.csv:3: expected a finite number in column 2"),
    ("empty-cell", "1,2,0\n3,,1\n", "points.csv:2: expected a finite number in column 2, got ''"),
    ("nan", "1,2,0\n3,nan,1\n", "points.csv:2: expected a finite number in column 2, got 'nan'"),
    ("inf", "1,inf,0\n", "points.csv:1: expected a finite number in column 2, got 'inf'"),
    ("label", "1,2,0\n3,4,2\n", "points.csv:2: expected a label 0 or 1 in the last column"),
    ("header-only", "hours,label\n", "points.csv: expected at least one row of numbers"),
    ("empty", "", "points.csv: expected at least one row of numbers, got an empty file"),
    ("one-column", "1\n0\n", "points.csv:1: expected at least 2 columns"),
]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [pytest.param(content, fragment, id=name) for name, content, fragment in CSV_REJECTIONS],
)
def test_a_bad_csv_names_the_file_and_line(tmp_path: Path, content: str, fragment: str) -> None:
    (tmp_path / "points.csv").write_text(content)
    err = error_of(tmp_path, scenario_text('kind = "logistic"\ndata = "points.csv"'))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "problem.data")
    assert fragment in err.message


def test_a_csv_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_bytes(b"1,2,0\n\xff,3,1\n")
    err = error_of(tmp_path, scenario_text('kind = "logistic"\ndata = "points.csv"'))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "problem.data")
    assert "points.csv: expected UTF-8 text" in err.message


def test_a_csv_over_the_size_cap_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenario_module, "MAX_CSV_BYTES", 10)
    (tmp_path / "points.csv").write_text("1,2,0\n3,4,1\n")
    err = error_of(tmp_path, scenario_text('kind = "logistic"\ndata = "points.csv"'))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "problem.data")
    assert "at most 10 bytes, got 12" in err.message


def make_lesson_folder_beside_a_csv(tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("1,0\n")
    (tmp_path / "lesson" / "folder").mkdir(parents=True)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param("../outside.csv", "inside the scenario's folder", id="escapes"),
        pytest.param("folder/../../outside.csv", "inside the scenario's folder", id="sneaks"),
        pytest.param("/etc/passwd", "relative", id="absolute"),
        pytest.param("C:\\\\data.csv", "relative", id="windows-absolute"),
        pytest.param("missing.csv", "missing.csv: no such file", id="missing"),
        pytest.param("folder", "folder: expected a CSV file, got a directory", id="directory"),
        pytest.param("", "expected a CSV file path", id="empty"),
    ],
)
def test_a_data_path_must_name_a_file_inside_the_scenarios_folder(
    tmp_path: Path, data: str, fragment: str
) -> None:
    make_lesson_folder_beside_a_csv(tmp_path)
    err = error_of(tmp_path / "lesson", scenario_text(f'kind = "logistic"\ndata = "{data}"'))
    assert_one_line_naming(err, str(tmp_path / "lesson" / "lesson.toml"), "problem.data")
    assert fragment in err.message


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    make_lesson_folder_beside_a_csv(tmp_path)
    (tmp_path / "lesson" / "link.csv").symlink_to(tmp_path / "outside.csv")
    err = error_of(tmp_path / "lesson", scenario_text('kind = "logistic"\ndata = "link.csv"'))
    assert err.key == "problem.data"
    assert "inside the scenario's folder" in err.message


def test_a_data_path_that_is_not_a_string(tmp_path: Path) -> None:
    err = error_of(tmp_path, scenario_text('kind = "logistic"\ndata = 3'))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "problem.data")


FILE_REJECTIONS = [
    ("not-toml", b'name = "t"\nproblem = \n', "not valid TOML: Invalid value (at line 2"),
    ("not-utf8", b'name = "caf\xe9"\n', "expected UTF-8 text, got byte 0xe9 at offset 11"),
    ("nested-too-deep", b"v = " + b"[" * 5000, "not valid TOML: values nested too deeply"),
    ("number-too-long", b"v = " + b"1" * 5000, "not valid TOML: a number is too long"),
]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [pytest.param(content, fragment, id=name) for name, content, fragment in FILE_REJECTIONS],
)
def test_a_file_that_cannot_be_read_as_toml(tmp_path: Path, content: bytes, fragment: str) -> None:
    file = tmp_path / "lesson.toml"
    file.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(file))
    assert_one_line_naming(info.value, str(file), "")
    assert fragment in info.value.message


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        pytest.param(lambda folder: folder / "nope.toml", "no such file", id="missing"),
        pytest.param(lambda folder: folder, "expected a scenario file, got a directory", id="dir"),
    ],
)
def test_a_missing_file_or_a_directory(tmp_path: Path, make: Any, fragment: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(make(tmp_path))
    assert_one_line_naming(info.value, str(make(tmp_path)), "")
    assert info.value.message.endswith(fragment)


def test_a_scenario_over_the_size_cap_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenario_module, "MAX_SCENARIO_BYTES", 20)
    err = error_of(tmp_path, scenario_text())
    assert "expected a scenario file of at most 20 bytes" in err.message
    assert err.key == ""


def test_a_long_value_is_shortened_in_the_message(tmp_path: Path) -> None:
    err = error_of(tmp_path, scenario_text(extra=f'[optimizer]\nkind = "{"z" * 500}"'))
    assert err.key == "optimizer.kind"
    assert len(str(err)) < len(str(tmp_path)) + 200


def test_odd_keys_are_quoted_on_one_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, scenario_text(extra='[stop]\n"max\\nsteps" = 1'))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "stop.'max\\nsteps'")


# --- --set overrides -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        (" 3 ", 3),
        ("[1, 2]", [1, 2]),
        ('"adam"', "adam"),
        ("adam", "adam"),
        ("true", True),
        ("{ kind = 'blobs' }", {"kind": "blobs"}),
        ("(w - 3)**2", "(w - 3)**2"),
        ("1\nextra = 2", "1\nextra = 2"),
    ],
)
def test_parse_toml_value(text: str, value: object) -> None:
    assert parse_toml_value(text) == value


def test_an_override_creates_missing_tables() -> None:
    data: dict[str, Any] = {"name": "t"}
    apply_override(data, "optimizer.kind=adam", "x.toml")
    apply_override(data, " optimizer . alpha = 0.5 ", "x.toml")
    assert data == {"name": "t", "optimizer": {"kind": "adam", "alpha": 0.5}}


@pytest.mark.parametrize(
    "override", ["optimizer.alpha", "=1", "optimizer..alpha=1", "optimizer.alpha=", ".a=1"]
)
def test_a_malformed_override(override: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_override({}, override, "x.toml")
    assert_one_line_naming(info.value, "x.toml", "--set")


def test_an_override_cannot_go_through_a_value() -> None:
    with pytest.raises(ScenarioError) as info:
        apply_override({"name": "t"}, "name.first=1", "x.toml")
    assert_one_line_naming(info.value, "x.toml", "--set")
    assert "expected name to be a table, got 't'" in info.value.message


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    text = scenario_text('kind = "logistic"\nx = [[1, 2]]\ny = [1]', "[optimizer]\nalpha = 0.3\n")
    overrides = ("optimizer.alpha=0.5", "optimizer.kind=adam", "start.w=[1, 2]", "name=Other")
    scenario = load_text(tmp_path, text, overrides)
    assert scenario.optimizer.alpha == 0.5
    assert scenario.optimizer.params == HYPERPARAMETERS["adam"]
    np.testing.assert_array_equal(scenario.w0, [1.0, 2.0])
    assert scenario.name == "Other"
    assert scenario.raw["optimizer"] == {"alpha": 0.5, "kind": "adam"}


def test_an_override_can_set_a_cost_without_quotes(tmp_path: Path) -> None:
    scenario = load_text(tmp_path, scenario_text(CURVE), ("problem.cost=(w + 1)**2",))
    assert isinstance(scenario.problem, CurveSpec)
    assert scenario.problem.cost.text == "(w + 1)**2"


@pytest.mark.parametrize(
    ("override", "key", "fragment"),
    [
        ("optimizer.alpha=fast", "optimizer.alpha", "got 'fast' (from --set)"),
        ("optimizer.alpha=-1", "optimizer.alpha", "got -1 (from --set)"),
        ("optimizer.alpah=1", "optimizer.alpah", "did you mean 'alpha'"),
        ("stop.max_steps=1e3", "stop.max_steps", "got 1000.0 (from --set)"),
        ("start.w=[nan]", "start.w[0]", "got nan (from --set)"),
        ("problem.generate.seed=1", "problem", "x and generate"),
    ],
)
def test_a_bad_override_is_checked_like_the_file(
    tmp_path: Path, override: str, key: str, fragment: str
) -> None:
    err = error_of(tmp_path, scenario_text(), (override,))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), key)
    assert fragment in err.message


def test_an_override_can_make_the_file_wrong(tmp_path: Path) -> None:
    text = scenario_text(extra='[optimizer]\nkind = "momentum"\nmomentum = 0.5\n')
    err = error_of(tmp_path, text, ("optimizer.kind=adam",))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "optimizer.momentum")
    assert err.message == "adam takes only alpha, beta1, beta2, eps"


# --- every mistake in a file, one line each ----------------------------------------------------


@pytest.mark.parametrize(
    ("problem", "when", "fragment"),
    [
        (INLINE, "w[1] > 5", "w[1] is out of range"),  # one feature: only w[0]
        (INLINE, "dw > 5", "dw is a vector"),
        (CURVE, "w[0] > 5", "w is a single number"),
        (CURVE, "b > 1", "the cost does not use b"),
        (CURVE, "abs(db) < 1e-3", "the cost does not use b"),
    ],
)
def test_a_condition_that_does_not_fit_the_problem_is_a_mistake_of_the_file(
    tmp_path: Path, problem: str, when: str, fragment: str
) -> None:
    # Else the run would stop with an error on its first step (or never fire, for b).
    err = error_of(tmp_path, scenario_text(problem, f'[[breakpoints]]\nwhen = "{when}"\n'))
    assert_one_line_naming(err, str(tmp_path / "lesson.toml"), "breakpoints[0].when")
    assert fragment in err.message


@pytest.mark.parametrize(
    ("problem", "when"),
    [(INLINE, "w[0] > 5 and norm(dw) < 0.1"), (CURVE, "log(cost) < -5"), (CURVE, "1/w > 2")],
)
def test_a_condition_that_fits_loads(tmp_path: Path, problem: str, when: str) -> None:
    text = scenario_text(problem, f'[[breakpoints]]\nwhen = "{when}"\n')
    assert load_text(tmp_path, text).breakpoints == (BreakpointSpec(when),)


def test_every_mistake_is_reported_once_in_the_order_of_the_format(tmp_path: Path) -> None:
    text = scenario_text(
        CURVE,
        """
        [start]
        w = "seven"
        [optimizer]
        alpha = 0
        momentum = 0.5
        [stop]
        max_steps = 0
        [[breakpoints]]
        when = "w >"
        [[breakpoints]]
        when = "converged"
        enabled = 1
        [view]
        b_range = [0.0, 1.0]
        """,
        top='nmae = "t"\ncolour = "red"',
    )
    err = error_of(tmp_path, text)
    # The misspelt name is reported once, as a misspelling, not also as a missing name.
    assert [e.key for e in err.errors] == [
        "nmae", "colour", "start.w", "optimizer.alpha", "optimizer.momentum", "stop.max_steps",
        "breakpoints[0].when", "breakpoints[1].enabled", "view.b_range",
    ]  # fmt: skip
    assert str(err).splitlines() == [str(e) for e in err.errors]
    assert all(line.startswith(f"{tmp_path / 'lesson.toml'}: ") for line in str(err).splitlines())
    assert (err.key, err.message) == (err.errors[0].key, err.errors[0].message)


def test_a_broken_problem_still_lets_the_other_keys_be_checked(tmp_path: Path) -> None:
    text = scenario_text(
        'kind = "curve"\ncost = "(w - 3)**"',
        '[start]\nw = [1, 2]\n[optimizer]\nalpha = -1\n[[breakpoints]]\nwhen = "w[5] > 1"\n',
    )
    err = error_of(tmp_path, text)
    # The start and the condition's w[5] depend on the problem's shape, so they are not
    # judged against a problem that could not be read; alpha does not, so it is reported.
    assert [e.key for e in err.errors] == ["problem.cost", "optimizer.alpha"]


def test_several_mistakes_survive_pickling(tmp_path: Path) -> None:
    # The fork server sends a failed load across a process boundary.
    err = error_of(
        tmp_path, scenario_text(CURVE, "[optimizer]\nalpha = 0\n[stop]\nmax_steps = 0\n")
    )
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err)
    assert str(again) == str(err)
    assert [e.key for e in again.errors] == ["optimizer.alpha", "stop.max_steps"]


def test_overrides_are_named_in_each_line_they_caused(tmp_path: Path) -> None:
    err = error_of(tmp_path, scenario_text(CURVE, "[stop]\nmax_steps = 0\n"),
                   ("optimizer.alpha=-1",))  # fmt: skip
    assert [(e.key, e.message.endswith("(from --set)")) for e in err.errors] == [
        ("optimizer.alpha", True),
        ("stop.max_steps", False),
    ]


# --- random input only ever raises ScenarioError ---------------------------------------------

KEY_NAMES = sorted(
    {
        *("name", "description", "problem", "start", "optimizer", "stop", "breakpoints", "view"),
        *("kind", "x", "y", "data", "generate", "standardize", "feature_names", "cost"),
        *("samples", "features", "separation", "seed", "w", "b", "alpha"),
        *{name for params in HYPERPARAMETERS.values() for name in params},
        *("max_steps", "tolerance", "when", "enabled", "w_range", "b_range"),
    }
)

SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=-2, max_value=3),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        [
            *("logistic", "curve", "blobs", "(w - 3)**2", "w**2 + b", "cost > prev_cost"),
            *OPTIMIZER_KINDS,
            *BUILTIN_BREAKPOINTS,
            *("points.csv", "../points.csv", "/etc/passwd", "", "x\0y"),
        ]
    ),
    st.datetimes(),
)
KEYS = st.sampled_from(KEY_NAMES) | st.text(max_size=6)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=20,
)
VALID: dict[str, Any] = {
    "name": "t",
    "problem": {"kind": "logistic", "x": [[1.0, 2.0], [3.0, 5.0]], "y": [0, 1]},
    "start": {"w": [0.0, 0.0], "b": 0.0},
    "optimizer": {"kind": "adam", "alpha": 0.1},
    "stop": {"max_steps": 10, "tolerance": 0.0},
    "breakpoints": [{"when": "converged"}],
    "view": {"w_range": [0.0, 1.0]},
}


def nested_set(data: dict[str, Any], path: list[str], value: object) -> None:
    for name in path[:-1]:
        child = data.get(name)
        if not isinstance(child, dict):
            child = data[name] = {}
        data = child
    data[path[-1]] = value


def assert_one_line_per_key(err: ScenarioError) -> None:
    """Each fault is one line, and no key is reported twice (no follow-on faults)."""
    lines = str(err).splitlines()
    assert lines == [str(e) for e in err.errors]
    assert all(len(str(e).splitlines()) == 1 for e in err.errors)
    keys = [e.key for e in err.errors]
    assert len(set(keys)) == len(keys), lines


def must_be_scenario_or_scenario_error(data: object, folder: Path) -> None:
    try:
        result = scenario_from_dict(data, "random.toml", folder)
    except ScenarioError as err:
        assert_one_line_per_key(err)
        assert all(line.startswith("random.toml") for line in str(err).splitlines())
    else:
        assert isinstance(result, Scenario)


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("random")
    (folder / "points.csv").write_text("a,b,label\n1,2,0\n3,5,1\n")
    return folder


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(KEYS, VALUES, max_size=8))
def test_random_tables_raise_only_scenario_errors(data: dict[str, Any], data_folder: Path) -> None:
    must_be_scenario_or_scenario_error(data, data_folder)


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(st.lists(st.sampled_from(KEY_NAMES), min_size=1, max_size=3), VALUES),
        min_size=1,
        max_size=3,
    )
)
def test_a_valid_scenario_with_random_changes_raises_only_scenario_errors(
    changes: list[tuple[list[str], object]], data_folder: Path
) -> None:
    data = copy.deepcopy(VALID)
    for path, value in changes:
        nested_set(data, path, value)
    must_be_scenario_or_scenario_error(data, data_folder)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_bytes_raise_only_scenario_errors(content: bytes, data_folder: Path) -> None:
    file = data_folder / "junk.toml"
    file.write_bytes(content)
    try:
        load_scenario(file)
    except ScenarioError as err:
        assert_one_line_per_key(err)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overrides=st.lists(st.text(max_size=30), max_size=3))
def test_random_overrides_raise_only_scenario_errors(
    overrides: list[str], data_folder: Path
) -> None:
    file = data_folder / "valid.toml"
    file.write_text(scenario_text())
    try:
        load_scenario(file, overrides)
    except ScenarioError as err:
        assert_one_line_per_key(err)


# --- presets and paths -----------------------------------------------------------------------


@pytest.fixture
def presets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "presets"
    folder.mkdir()
    write(
        folder,
        scenario_text(top='name = "Demo"\ndescription = """\nFirst.\nSecond."""'),
        "demo.toml",
    )
    write(folder, scenario_text(CURVE, top='name = "Bowl"'), "bowl.toml")
    (folder / "broken.toml").write_text("name = \n")
    monkeypatch.setattr(scenario_module, "preset_dir", lambda: folder)
    return folder


def test_a_preset_is_found_by_name(presets: Path) -> None:
    assert resolve("demo") == (presets / "demo.toml", "scenarios/demo.toml")
    assert load_scenario("bowl").path == "scenarios/bowl.toml"


def test_a_preset_error_shows_the_preset_path(presets: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("demo", ("optimizer.alpha=0",))
    assert str(info.value).startswith("scenarios/demo.toml: optimizer.alpha: ")


def test_a_path_wins_over_a_preset(
    presets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, scenario_text(top='name = "Local"'), "demo.toml")
    assert resolve("demo.toml") == (Path("demo.toml"), "demo.toml")
    assert resolve("./demo.toml") == (Path("./demo.toml"), "./demo.toml")
    assert resolve("demo") == (presets / "demo.toml", "scenarios/demo.toml")
    assert load_scenario("demo.toml").name == "Local"


@pytest.mark.parametrize("name", ["nope", "nope.toml", "dir/nope.toml", "../demo", ""])
def test_an_unknown_name_lists_the_presets(presets: Path, name: str) -> None:
    with pytest.raises(ScenarioError) as info:
        resolve(name)
    assert info.value.key == ""
    assert info.value.message == ("no such scenario file or preset (presets: bowl, broken, demo)")


def test_list_presets_gives_each_first_description_line(presets: Path) -> None:
    listed = list_presets()
    assert [name for name, _ in listed] == ["bowl", "broken", "demo"]
    assert listed[0] == ("bowl", "")
    assert listed[1][1].startswith("(cannot read: not valid TOML")
    assert listed[2] == ("demo", "First.")


def test_the_preset_folder_is_the_repositorys_scenarios_when_not_installed() -> None:
    package = Path(scenario_module.__file__).parent
    if (package / "_presets").is_dir():
        pytest.skip("installed from a wheel")
    assert scenario_module.preset_dir() == package.parent / "scenarios"
