"""Scenario files with kind = "linear": the data forms logistic regression has, with real
targets, a noisy-line generator, and one-line errors naming the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from gdtui.build import build_problem
from gdtui.engine.problems import LinearProblem
from gdtui.scenario import LinearSpec, LogisticSpec, ScenarioError, load_scenario

INLINE = 'kind = "linear"\nx = [1.0, 2.0, 4.0]\ny = [2.5, -1.25, 300]'


def load(folder: Path, problem: str, csv: str | None = None):
    if csv is not None:
        (folder / "d.csv").write_text(textwrap.dedent(csv), encoding="utf-8")
    file = folder / "lesson.toml"
    file.write_text(f'name = "t"\n[problem]\n{textwrap.dedent(problem)}\n', encoding="utf-8")
    return load_scenario(file)


def error(folder: Path, problem: str, csv: str | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(folder, problem, csv)
    assert len(str(info.value).splitlines()) == 1
    assert str(info.value).startswith(f"{folder / 'lesson.toml'}: {info.value.key}: ")
    return info.value


def test_inline_targets_may_be_any_numbers(tmp_path: Path) -> None:
    scenario = load(tmp_path, INLINE)
    problem = scenario.problem
    assert isinstance(problem, LinearSpec) and not isinstance(problem, LogisticSpec)
    assert problem.y.tolist() == [2.5, -1.25, 300.0]
    assert problem.X.tolist() == [[1.0], [2.0], [4.0]]
    assert problem.source == "inline"
    assert scenario.has_b and scenario.n_features == 1
    assert isinstance(build_problem(scenario), LinearProblem)


def test_a_csv_target_column_may_be_any_numbers(tmp_path: Path) -> None:
    scenario = load(
        tmp_path, 'kind = "linear"\ndata = "d.csv"', "size,rooms,price\n1.5,3,245.5\n2,4,-1e3\n"
    )
    problem = scenario.problem
    assert isinstance(problem, LinearSpec)
    assert problem.feature_names == ("size", "rooms")
    assert problem.X.tolist() == [[1.5, 3.0], [2.0, 4.0]]
    assert problem.y.tolist() == [245.5, -1000.0]


def test_standardize_works_as_for_logistic(tmp_path: Path) -> None:
    problem = load(tmp_path, INLINE + "\nstandardize = true").problem
    x = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(problem.X[:, 0], (x - x.mean()) / x.std())


def test_a_generated_line_is_the_line_plus_seeded_noise(tmp_path: Path) -> None:
    text = (
        'kind = "linear"\ngenerate = {kind = "line", samples = 40, features = 2, slope = 3, '
        "intercept = -1, noise = 0, seed = 5}"
    )
    problem = load(tmp_path, text).problem
    assert isinstance(problem, LinearSpec)
    assert problem.X.shape == (40, 2)
    # Without noise the points lie on the line, so least squares recovers it exactly.
    A = np.column_stack((problem.X, np.ones(40)))
    np.testing.assert_allclose(np.linalg.lstsq(A, problem.y, rcond=None)[0], [3, 3, -1], atol=1e-12)
    assert problem.source == "line(samples=40, features=2, slope=3, intercept=-1, noise=0, seed=5)"


def test_generated_noise_is_seeded_and_as_large_as_asked(tmp_path: Path) -> None:
    text = 'kind = "linear"\ngenerate = {{kind = "line", samples = 4000, noise = 2, seed = {seed}}}'
    first, again, other = (load(tmp_path, text.format(seed=s)).problem for s in (1, 1, 2))
    assert (first.y == again.y).all() and not (first.y == other.y).all()
    misses = first.y - (2.0 * first.X[:, 0] + 1.0)  # the defaults: slope 2, intercept 1
    assert misses.std() == pytest.approx(2.0, rel=0.05)
    assert first.X[:, 0].std() == pytest.approx(1.0, rel=0.05)  # features already on scale 1


@pytest.mark.parametrize(
    ("problem", "csv", "key", "fragment"),
    [
        ('kind = "linear"\nx = [1.0, 2.0]\ny = [1.0, "a"]', None, "problem.y[1]",
         "expected a finite number, got 'a'"),
        ('kind = "linear"\nx = [1.0, 2.0]\ny = [1.0]', None, "problem.y",
         "expected 2 targets (one per row of x), got 1"),
        ('kind = "linear"\nx = [1.0, 2.0]\ny = 3', None, "problem.y",
         "expected a list of 2 targets (finite numbers), got 3"),
        ('kind = "linear"\nx = [1.0, 2.0]', None, "problem.y",
         "missing: x needs y, one target y (a finite number) per row"),
        ('kind = "linear"\ncost = "w**2"\nx = [1.0]\ny = [1.0]', None, "problem.cost",
         'expected no cost for kind = "linear"'),
        ('kind = "linear"\ngenerate = {kind = "blobs"}', None, "problem.generate.kind",
         'expected "line" (for kind = "linear"), got \'blobs\''),
        ('kind = "logistic"\ngenerate = {kind = "line"}', None, "problem.generate.kind",
         'expected "blobs" (for kind = "logistic"), got \'line\''),
        ('kind = "linear"\ngenerate = {kind = "line", separation = 2}', None,
         "problem.generate.separation", "unknown key"),
        ('kind = "linear"\ngenerate = {kind = "line", noise = -1}', None,
         "problem.generate.noise", "expected a finite number >= 0, got -1"),
        ('kind = "linear"\ngenerate = {kind = "line", slope = "steep"}', None,
         "problem.generate.slope", "expected a finite number, got 'steep'"),
        ('kind = "linear"\ngenerate = {kind = "line", samples = 1}', None,
         "problem.generate.samples", "expected a whole number from 2 to 1,000,000, got 1"),
        ('kind = "linear"\ngenerate = {kind = "line", slope = 1e308, features = 3}', None,
         "problem.generate", "small enough for finite y"),
        ('kind = "linear"\ndata = "d.csv"', "1,2\n3,nan\n", "problem.data",
         "d.csv:2: expected a finite number in column 2, got 'nan'"),
        ('kind = "linear"\ndata = "d.csv"', "1\n", "problem.data",
         "expected at least 2 columns (features, then the target y), got 1"),
        ('kind = "lineer"\nx = [1.0]\ny = [1.0]', None, "problem.kind",
         "did you mean 'linear'?"),
    ],
)  # fmt: skip
def test_a_linear_mistake_is_one_line_naming_the_key(
    tmp_path: Path, problem: str, csv: str | None, key: str, fragment: str
) -> None:
    err = error(tmp_path, problem, csv)
    assert err.key == key, str(err)
    assert fragment in err.message, err.message


def test_logistic_labels_must_still_be_0_or_1(tmp_path: Path) -> None:
    err = error(tmp_path, 'kind = "logistic"\nx = [1.0, 2.0]\ny = [0, 2.5]')
    assert err.key == "problem.y[1]"
    assert "expected a label 0 or 1, got 2.5" in err.message
