"""Tests for the safe expression language: parsing, exact derivatives, float64 semantics."""

import contextlib
import math
import time
import timeit
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gdtui.expr import (
    CONDITION_VARIABLES,
    COST_VARIABLES,
    FUNCTIONS,
    ExprError,
    parse_condition,
    parse_cost,
)

coordinates = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)

# --- Costs: values and exact derivatives. -----------------------------------------------------

DIFFERENTIABLE_COSTS = [
    "(w - 3)**2",
    "w**4 - 3*w**2 + w",
    "w**2 + 25*b**2",
    "w**7 - 2*w**5 + w**16 / 1e6",
    "-w**3 / 3 + +b",
    "exp(w) * sin(b)",
    "log(1 + w**2) + cos(w * b)",
    "sqrt(1 + w**2 + b**2)",
    "tanh(w - b)",
    "sigmoid(3*w) - sigmoid(-b)",
    "1 / (1 + exp(-w))",
    "w / (1 + b**2)",
    "(1 + w**2)**(1 + b**2 / 4)",
    "2**w + w**(1/2 + 1/2)",
    "abs(w - b) + norm(w)",
    "min(w, b) + max(w**2, b, 1)",
]


def central_difference(f, x: float, h: float) -> tuple[float, float, float]:
    """Return (central, forward, backward) difference estimates of f'(x)."""
    up, mid, down = f(x + h), f(x), f(x - h)
    return (up - down) / (2 * h), (up - mid) / h, (mid - down) / h


@pytest.mark.parametrize("text", DIFFERENTIABLE_COSTS)
@given(w=coordinates, b=coordinates)
def test_gradient_matches_finite_differences(text: str, w: float, b: float) -> None:
    cost = parse_cost(text)
    value, dw, db = cost.value_and_gradient(w, b)
    assume(math.isfinite(value))
    for exact, f, x in ((dw, lambda x: cost.value(x, b), w), (db, lambda x: cost.value(w, x), b)):
        h = 1e-6 * max(1.0, abs(x))
        central, forward, backward = central_difference(f, x, h)
        scale = 1.0 + abs(value) + abs(central)
        # A kink (abs, min, max) between x - h and x + h makes the one-sided slopes differ.
        assume(math.isfinite(central) and abs(forward - backward) < 1e-3 * scale)
        assert math.isclose(exact, central, rel_tol=1e-4, abs_tol=1e-5 * scale), (exact, central)


@pytest.mark.parametrize(
    ("text", "w", "b", "expected"),
    [
        ("(w - 3)**2", 0.5, 0.0, (6.25, -5.0, 0.0)),
        ("w**4 - 3*w**2 + w", 1.5, 0.0, (-0.1875, 5.5, 0.0)),
        ("w**2 + 25*b**2", 1.0, 0.2, (2.0, 2.0, 10.0)),
        ("abs(w)", -2.0, 0.0, (2.0, -1.0, 0.0)),
        ("norm(w)", -3.0, 0.0, (3.0, -1.0, 0.0)),
        ("max(w, 1)", 0.5, 0.0, (1.0, 0.0, 0.0)),
        ("max(w, 1)", 2.0, 0.0, (2.0, 1.0, 0.0)),
        ("min(w, b, 0)", 2.0, -1.0, (-1.0, 0.0, 1.0)),
        ("sigmoid(w)", 0.0, 0.0, (0.5, 0.25, 0.0)),
        ("exp(w)", 0.0, 0.0, (1.0, 1.0, 0.0)),
        ("log(w)", 2.0, 0.0, (math.log(2.0), 0.5, 0.0)),
        ("sqrt(w)", 4.0, 0.0, (2.0, 0.25, 0.0)),
        ("2**w", 3.0, 0.0, (8.0, 8.0 * math.log(2.0), 0.0)),
        ("w * b", 3.0, 4.0, (12.0, 4.0, 3.0)),
        ("w / b", 3.0, 2.0, (1.5, 0.5, -0.75)),
        ("-w**2", 3.0, 0.0, (-9.0, -6.0, 0.0)),
    ],
)
def test_hand_computed_values(text: str, w: float, b: float, expected: tuple) -> None:
    assert parse_cost(text).value_and_gradient(w, b) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "uses_b"), [("(w - 3)**2", False), ("w + 0*b", True)])
def test_uses_b_says_whether_b_is_mentioned(text: str, uses_b: bool) -> None:
    assert parse_cost(text).uses_b is uses_b


def test_evaluate_is_the_fast_form_of_value_and_gradient() -> None:
    cost = parse_cost("w**4 - 3*w**2 + w + w*b")
    assert cost.evaluate(1.5, 2.0) == cost.value_and_gradient(1.5, 2.0)


def test_evaluate_is_fast() -> None:
    # The engine needs 100,000 steps a second; a numpy tree walker takes ~20 us a call.
    evaluate = parse_cost("w**4 - 3*w**2 + w").evaluate
    seconds = min(timeit.repeat(lambda: evaluate(1.5, 0.0), number=20_000, repeat=3)) / 20_000
    assert seconds < 5e-6


@pytest.mark.parametrize(
    ("text", "w", "expected"),
    [
        ("w + 9**9**9", 0.0, math.inf),
        ("w**9**9**9", 2.0, math.inf),
        ("w**9**9**9", 0.5, 0.0),
        ("w + " + "9" * 400, 0.0, math.inf),
        ("w * 1e999", 1.0, math.inf),
        ("1 / w", 0.0, math.inf),
        ("-1 / w", 0.0, -math.inf),
        ("w / w", 0.0, math.nan),
        ("w**-1", 0.0, math.inf),
        ("log(w)", 0.0, -math.inf),
        ("log(w)", -1.0, math.nan),
        ("sqrt(w)", -1.0, math.nan),
        ("w**0.5", -1.0, math.nan),
        ("exp(w)", 1000.0, math.inf),
        ("w**2", 1e200, math.inf),
        ("w**1000", 10.0, math.inf),
        ("sin(w)", math.inf, math.nan),
        ("sigmoid(w)", -1000.0, 0.0),
        ("sigmoid(w)", 1000.0, 1.0),
    ],
)
def test_non_finite_results_follow_float64(text: str, w: float, expected: float) -> None:
    started = time.perf_counter()
    cost = parse_cost(text)
    for value in (cost.value(w), cost.value_and_gradient(w)[0], float(cost.grid(np.array(w)))):
        assert value == expected or (math.isnan(expected) and math.isnan(value))
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("text", ["log(w)", "1/w + w/w", "w**0.5 + exp(w*1e3)", "sigmoid(1e3*w)"])
def test_no_numpy_warning_leaks(text: str) -> None:
    cost = parse_cost(text)
    condition = parse_condition(f"{text.replace('w', 'w[0]')} > cost or norm(w / 0) > 1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for w in (-1.0, 0.0, 1.0, 1e300):
            cost.value(w)
            cost.value_and_gradient(w)
            condition({"w": np.array([w]), "cost": 0.0})
        cost.grid(np.array([-1.0, 0.0, 1.0, 1e300]))


def test_grid_broadcasts_w_and_b() -> None:
    cost = parse_cost("w**2 + 25*b**2")
    w, b = np.linspace(-1, 1, 5), np.linspace(-2, 2, 3)[:, None]
    grid = cost.grid(w, b)
    assert grid.shape == (3, 5)
    assert grid[2, 4] == cost.value(1.0, 2.0)


def test_grid_of_a_w_only_cost_has_the_broadcast_shape() -> None:
    grid = parse_cost("log(w) + min(w, 2)").grid(np.array([-1.0, 0.0, 1.0, 3.0]), np.zeros((2, 1)))
    row = [np.nan, -np.inf, 1.0, math.log(3.0) + 2.0]
    np.testing.assert_array_equal(grid, [row, row])


@pytest.mark.parametrize("text", DIFFERENTIABLE_COSTS)
def test_grid_agrees_with_value(text: str) -> None:
    cost = parse_cost(text)
    w, b = np.linspace(-2.5, 2.5, 7), np.linspace(-2, 2, 5)[:, None]
    expected = [[cost.value(x, y) for x in w] for y in b.ravel()]
    np.testing.assert_allclose(cost.grid(w, b), expected, rtol=1e-12)


# --- Conditions. ------------------------------------------------------------------------------

SCALARS = {"step": 50, "w": 2.5, "b": 1.0, "dw": 1e-4, "db": -0.5, "cost": 0.5}
SCALARS |= {"prev_cost": 1.0, "alpha": 0.1}
VECTORS = SCALARS | {"w": np.array([3.0, 1.0]), "dw": np.array([0.01, 0.02])}


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("cost > prev_cost", SCALARS, False),
        ("cost < prev_cost", SCALARS, True),
        ("abs(dw) < 1e-3", SCALARS, True),
        ("step == 50", SCALARS, True),
        ("step != 50", SCALARS, False),
        ("not (cost < 1)", SCALARS, False),
        ("cost < 1 and alpha >= 0.2 or db <= -0.5", SCALARS, True),
        ("0 < w < 3 <= step", SCALARS, True),
        ("0 < w < 2", SCALARS, False),
        ("w[0] > 2 and norm(dw) < 0.1", VECTORS, True),
        ("w[1] > 2 or norm(dw) > 0.1", VECTORS, False),
        ("min(w[0], w[1], 5) >= 1 and max(dw[0], dw[1]) == 0.02", VECTORS, True),
        ("norm(w - 1) == sqrt(4)", VECTORS, True),
        ("norm(-2) + min(1, 3) == 3", SCALARS, True),
        ("step ** 1000 > 1e308", SCALARS, True),
        ("cost / 0 > 1", SCALARS, True),
        ("log(-cost) < 0 or log(-cost) >= 0", SCALARS, False),
    ],
)
def test_condition_values(text: str, env: dict, expected: bool) -> None:
    assert parse_condition(text)(env) is expected


@pytest.mark.parametrize(
    ("env", "missing"),
    [(SCALARS | {"prev_cost": None}, "prev_cost at step 0"), ({"cost": 1.0}, "no prev_cost")],
)
def test_condition_with_a_missing_value_is_false(env: dict, missing: str) -> None:
    assert parse_condition("cost > prev_cost or cost <= prev_cost")(env) is False, missing


def test_condition_lists_its_variables() -> None:
    condition = parse_condition("w[0] > 2 and norm(dw) < 0.1 or step == 3")
    assert condition.variables == frozenset({"w", "dw", "step"})


@pytest.mark.parametrize(
    ("text", "env", "position", "message"),
    [
        ("w > 1", VECTORS, 0, "w is a vector at position 0 (use w[i] or norm(w))"),
        ("1 < dw", VECTORS, 4, "dw is a vector at position 4 (use dw[i] or norm(dw))"),
        ("cost < 1 and abs(w) > 1", VECTORS, 13, "'abs(w)' is a vector at position 13"),
        ("w[2] > 1", VECTORS, 0, "w[2] is out of range at position 0 (w has 2 values)"),
        ("step > 1 and w[0] > 1", SCALARS, 13, "w is a single number at position 13"),
    ],
)
def test_condition_errors_at_evaluation(text: str, env: dict, position: int, message: str) -> None:
    condition = parse_condition(text)  # parsing succeeds: shapes are only known at runtime
    with pytest.raises(ExprError) as caught:
        condition(env)
    assert caught.value.position == position
    assert str(caught.value).startswith(message)


# --- Rejected text. ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "text", "position", "token", "message"),
    [
        (parse_cost, "w.real", 1, ".real", "attribute access '.real' is not allowed"),
        (parse_cost, "__import__('os')", 0, "__import__", "'__import__' is not allowed"),
        (parse_cost, "w + 'a'", 4, "'", "strings are not allowed"),
        (parse_cost, "(lambda: w)(1)", 1, "lambda", "lambda is not allowed"),
        (parse_cost, "foo(w)", 0, "foo", "'foo' is an unknown function"),
        (parse_cost, "w + x", 4, "x", "unknown name 'x' at position 4 (allowed: w, b)"),
        (parse_cost, "w + dw", 4, "dw", "unknown name 'dw'"),
        (parse_cost, "w[0]", 0, "w", "a curve's w is a single number"),
        (parse_cost, "exp", 0, "exp", "'exp' is a function"),
        (parse_cost, "w(2)", 0, "w", "'w' is not a function"),
        (parse_cost, "exp(x=w)", 4, "x", "keyword arguments are not allowed"),
        (parse_cost, "exp(*w)", 4, "*", "'*' is not allowed"),
        (parse_cost, "exp(w, b)", 0, "exp", "exp() takes 1 argument (got 2)"),
        (parse_cost, "min(w)", 0, "min", "min() needs 2 or more arguments (got 1)"),
        (parse_cost, "True + w", 0, "True", "'True' is not allowed"),
        (parse_cost, "w + None", 4, "None", "'None' is not allowed"),
        (parse_cost, "w * 1j", 4, "1j", "complex numbers are not allowed"),
        (parse_cost, "w // 2", 2, "//", "operator '//' is not allowed"),
        (parse_cost, "~w", 0, "~", "'~' is not allowed"),
        (parse_cost, "w < 1", 2, "<", "comparisons are not allowed in a cost"),
        (parse_cost, "w and b", 2, "and", "'and' is not allowed in a cost"),
        (parse_cost, "not w", 0, "not", "'not' is not allowed in a cost"),
        (parse_cost, "w if b else 1", 0, "w", "'if ... else' is not allowed"),
        (parse_cost, "(w, b)", 0, "(", "tuples are not allowed"),
        (parse_cost, "(b := w)", 1, "b", "':=' is not allowed"),
        (parse_cost, "25 * b**2", 0, "", "a cost must use w"),
        (parse_cost, "", 0, "", "empty expression"),
        (parse_cost, "  \n ", 0, "", "empty expression"),
        (parse_cost, "w" * 501, 500, "", "expression is too long (501 characters)"),
        (parse_cost, "(" * 1000 + "w" + ")" * 1000, 500, "", "expression is too long"),
        (parse_cost, "(" * 60 + "w" + ")" * 60, 50, "(", "expression is nested too deeply"),
        (parse_cost, "-" * 300 + "w", 100, "-", "expression is nested too deeply"),
        (parse_cost, "w +", 3, "", "unexpected end of expression"),
        (parse_cost, "(w - 3)**2)", 10, ")", "unexpected token ')' at position 10"),
        (parse_cost, "(w - 3", 0, "(", "'(' is never closed"),
        (parse_cost, "w \x00", 2, "\x00", "invalid character"),
        (parse_cost, "é + w", 0, "é", "unknown name 'é'"),
        (parse_cost, "'é'.imag + w", 3, ".imag", "attribute access '.imag'"),
        (parse_condition, "w[1.5] > 0", 2, "1.5", "an index must be a whole number"),
        (parse_condition, "w[-1] > 0", 2, "-", "an index must be a whole number"),
        (parse_condition, "dw[True] > 0", 3, "True", "an index must be a whole number"),
        (parse_condition, "b[0] > 0", 0, "b", "b is a single number"),
        (parse_condition, "w[0][0] > 0", 0, "w", "only w[i] or dw[i] can be indexed"),
        (parse_condition, "cost", 0, "cost", "'cost' is not a condition"),
        (parse_condition, "cost < 1 and step", 13, "step", "'step' is not a condition"),
        (parse_condition, "(cost > 1) + 1 > 0", 1, "cost", "a comparison cannot be used as a"),
        (parse_condition, "cost is 1", 5, "is", "'is' is not allowed"),
        (parse_condition, "x > 1", 0, "x", "unknown name 'x' at position 0 (allowed: step, w,"),
        (parse_condition, "cost > 1\nand w.real < 2", 14, ".real", "attribute access"),
        (parse_condition, "not " * 120 + "cost < 1", 400, "not", "expression is nested too"),
    ],
)
def test_rejected(parse, text: str, position: int, token: str, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse(text)
    error = caught.value
    assert (error.text, error.position, error.token) == (text, position, token)
    assert str(error).startswith(message)
    assert f"at position {position}" in str(error)
    assert "\n" not in str(error)


def test_error_attributes_compose_the_message() -> None:
    with pytest.raises(ExprError) as caught:
        parse_cost("w + x")
    error = caught.value
    assert (error.message, error.hint) == ("unknown name 'x'", "allowed: w, b")
    assert str(error) == "unknown name 'x' at position 4 (allowed: w, b)"
    assert isinstance(error, ValueError)


def test_public_names() -> None:
    assert COST_VARIABLES == ("w", "b")
    assert set(CONDITION_VARIABLES) == {"step", "w", "b", "dw", "db", "cost", "prev_cost", "alpha"}
    assert {"exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "norm"} < set(FUNCTIONS)


# --- Junk never escapes as another exception. ------------------------------------------------

NUMBERS = ["0", "2", "1.5", "1e-3", "1e999", "9**9**9"]
ARITHMETIC = ["+", "-", "*", "/", "**"]
COMPARISONS = ["<", "<=", "==", "!=", ">"]


def numbers(names: list[str]) -> st.SearchStrategy[str]:
    """Random arithmetic built from the language's own pieces."""

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        unary = st.sampled_from([f for f in FUNCTIONS if f not in ("min", "max")])
        return st.one_of(
            st.tuples(inner, st.sampled_from(ARITHMETIC), inner).map("".join),
            st.tuples(st.sampled_from(["-", "+"]), inner).map("".join),
            inner.map("({})".format),
            st.tuples(unary, inner).map("{0[0]}({0[1]})".format),
            st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=2, max_size=3)).map(
                lambda call: f"{call[0]}({', '.join(call[1])})"
            ),
        )

    atoms = st.one_of(st.sampled_from(names), st.sampled_from(NUMBERS))
    return st.recursive(atoms, extend, max_leaves=10)


def conditions(names: list[str]) -> st.SearchStrategy[str]:
    """Random comparisons of random arithmetic, joined by and, or, not."""
    sides = numbers(names)
    chains = st.tuples(
        sides, st.lists(st.tuples(st.sampled_from(COMPARISONS), sides), min_size=1, max_size=2)
    )
    compared = chains.map(lambda chain: chain[0] + "".join(op + side for op, side in chain[1]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join),
            inner.map("not ({})".format),
        )

    return st.recursive(compared, extend, max_leaves=3)


def mutated(expressions: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Expressions with a few pieces spliced in or cut out at random places."""
    pieces = st.sampled_from([*ARITHMETIC, *COMPARISONS, *NUMBERS, "(", ")", "[", "]", ",", "."])
    edits = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 2), pieces), max_size=3)

    def apply(text: str, edits: list[tuple[int, int, str]]) -> str:
        for at, cut, piece in edits:
            text = text[:at] + piece + text[at + cut :]
        return text

    return st.builds(apply, expressions, edits)


cost_soups = numbers(["w", "b"])
condition_soups = conditions([*CONDITION_VARIABLES, "w[0]", "dw[1]", "w[5]"])
soups = st.one_of(cost_soups, condition_soups, mutated(cost_soups), mutated(condition_soups))


def evaluate_everywhere(text: str) -> None:
    """Parse as cost and condition and evaluate what parses: only ExprError may come out."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cost = parse_cost(text)
        except ExprError:
            pass
        else:
            for w in (0.0, -1.5, 1e300, math.nan):
                assert all(isinstance(x, float) for x in cost.value_and_gradient(w, w))
            cost.grid(np.array([-1.0, 0.0, 2.0]), 1.0)
        try:
            condition = parse_condition(text)
        except ExprError:
            pass
        else:
            for env in (SCALARS, VECTORS):
                with contextlib.suppress(ExprError):
                    assert isinstance(condition(env), bool)
    assert [str(warning.message) for warning in caught] == []


@given(st.text(max_size=80))
def test_any_text_raises_only_expr_error(text: str) -> None:
    evaluate_everywhere(text)


@given(soups)
def test_random_expressions_raise_only_expr_error(text: str) -> None:
    evaluate_everywhere(text)


@given(conditions(list(CONDITION_VARIABLES)))
def test_fast_scalar_path_agrees_with_numpy_path(text: str) -> None:
    condition = parse_condition(text)
    # 0-d arrays are not Python numbers, so they take the numpy path with the same values.
    as_arrays = {name: np.array(value, dtype=np.float64) for name, value in SCALARS.items()}
    assert condition(SCALARS) is condition(as_arrays)


@pytest.mark.parametrize("text", ["1and w", "w+1if 1else 2", "0x1for w"])
def test_python_syntax_warnings_become_errors(text: str) -> None:
    with warnings.catch_warnings(record=True) as caught, pytest.raises(ExprError):
        warnings.simplefilter("always")
        parse_cost(text)
    assert caught == []  # Python warns about these; the warning must not reach the terminal


def test_nested_min_stays_linear() -> None:
    started = time.perf_counter()
    cost = parse_cost("min(" * 40 + "w, b" + ", w*b)" * 40)
    assert cost.grid(0.7, 0.3) == cost.value(0.7, 0.3) == pytest.approx(0.21)
    assert time.perf_counter() - started < 1.0
