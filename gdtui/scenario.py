"""Scenario files: one lesson's problem, starting point, optimizer and breakpoints, in TOML.

A scenario is read once, checked completely and turned into frozen dataclasses, so the engine
and the UI never meet a half-valid lesson. Every mistake a user can make is a `ScenarioError`
whose message is one line naming the file, the key and the value:

    scenarios/foo.toml: optimizer.alpha: expected a positive finite number, got -0.1

A file with several mistakes is reported in full, one line per key at fault (a
`ScenarioErrors`); a key that fails is not checked further, so one mistake is one line.

Keys inside arrays carry 0-based indices, as in Python: `problem.x[3][1]`,
`breakpoints[2].when`. The format:

    name = "Logistic regression: hours studied vs passing"
    description = "Teaching notes shown beside the run."
    [problem]
    kind = "logistic"            # or "linear" (y any numbers), or "curve" with a cost
    x = [[0.5], [1.0], [1.5]]    # or data = "data/hours.csv", or generate = {kind = "blobs"}
    y = [0, 0, 1]                # ("line" rather than "blobs" for kind = "linear")
    [start]                      # optional: the lesson's w = 0, b = 0
    w = 0.0
    b = 0.0
    [optimizer]                  # optional: plain gradient descent, alpha = 0.1
    kind = "gd"
    alpha = 0.1
    [stop]                       # optional
    max_steps = 1000
    tolerance = 1e-6
    [[breakpoints]]
    when = "slope_sign_flip"     # a built-in, or a condition such as "cost > prev_cost"
    [[captions]]                 # optional narration, shown from that step on
    step = 1
    text = "watch the sign of dw flip at every step"
    [view]                       # optional plot hints
    w_range = [-2.0, 8.0]
"""

from __future__ import annotations

import array
import csv
import dataclasses
import difflib
import io
import math
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.optimizers import HYPERPARAMETERS, OPTIMIZER_KINDS

if TYPE_CHECKING:
    from gdtui import expr

#: Breakpoint names that need no expression; the engine knows what each one means.
BUILTIN_BREAKPOINTS: tuple[str, ...] = (
    "cost_increase",
    "slope_sign_flip",
    "converged",
    "diverged",
)

#: The problem kinds a scenario may declare.
PROBLEM_KINDS: tuple[str, ...] = ("logistic", "linear", "curve")

#: The largest scenario file read, in bytes. A lesson is a few hundred bytes; inline data a
#: few kilobytes. Anything bigger belongs in a CSV.
MAX_SCENARIO_BYTES = 1_000_000

#: The largest CSV file read, in bytes.
MAX_CSV_BYTES = 200_000_000

#: The most numbers (samples * features) a `generate` table may ask for: 160 MB of float64,
#: where the two bounds on their own would allow 8 GB.
MAX_GENERATED_VALUES = 20_000_000

#: Hyperparameters that must lie in [0, 1): decay rates of running averages.
_DECAY_RATES = frozenset({"momentum", "rho", "beta1", "beta2"})

_TOP_KEYS = (
    "name", "description", "problem", "start", "optimizer", "stop", "breakpoints", "captions",
    "view",
)  # fmt: skip

#: The longest caption: a line of narration (as `gdtui.lesson.wire` accepts one).
MAX_CAPTION = 500
_LOGISTIC_KEYS = ("kind", "x", "y", "data", "generate", "standardize", "feature_names")
_CURVE_KEYS = ("kind", "cost")
_GENERATE_KEYS = ("kind", "samples", "features", "separation", "seed")
_LINE_KEYS = ("kind", "samples", "features", "slope", "intercept", "noise", "seed")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")

Vector = NDArray[np.float64]

T = TypeVar("T")


#: What one entry of `y` is called in messages, per data problem kind.
_LABELS = {"logistic": "label 0 or 1", "linear": "target y (a finite number)"}

#: The preset `gdtui` opens with no arguments: the lesson's own logistic regression.
DEFAULT_SCENARIO = "logistic-one-feature"


class ScenarioError(Exception):
    """A scenario that cannot be used, explained in one line: `PATH: KEY: message`.

    Attributes:
        path: The scenario file as the user named it (`scenarios/NAME.toml` for a preset).
        key: The key at fault, such as `optimizer.alpha` or `breakpoints[2].when`; empty when
            the file as a whole is at fault.
        message: What was expected and what was found.
    """

    def __init__(self, path: str, key: str, message: str) -> None:
        self.path = path
        self.key = key
        self.message = message
        super().__init__(_one_line(": ".join(part for part in (path, key, message) if part)))

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds from the joined message alone, which __init__ cannot take.
        return type(self), (self.path, self.key, self.message)

    @property
    def errors(self) -> tuple[ScenarioError, ...]:
        """Every fault, one `ScenarioError` a line: here just this one."""
        return (self,)


class ScenarioErrors(ScenarioError):
    """Several faults in one scenario: `str()` gives one line each, in the order the format
    lists the keys (unknown top-level keys first).

    Its own `path`, `key` and `message` are the first fault's, for code that reads one.

    Args:
        errors: The faults, at least two.
    """

    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.key, first.message)
        self._errors = tuple(errors)
        self.args = ("\n".join(str(error) for error in self._errors),)

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self._errors,)

    @property
    def errors(self) -> tuple[ScenarioError, ...]:
        """Every fault, one `ScenarioError` a line."""
        return self._errors


def raise_all(errors: Sequence[ScenarioError]) -> NoReturn:
    """Raise the one fault, or all of them as `ScenarioErrors`."""
    if len(errors) == 1:
        raise errors[0]
    raise ScenarioErrors(errors)


@dataclass(frozen=True, eq=False)
class LogisticSpec:
    """Logistic regression on labelled examples, the lesson's J(w, b).

    Attributes:
        X: The features, one row per example: shape (m, n), float64, read-only.
        y: The labels, 0.0 or 1.0: shape (m,), float64, read-only.
        feature_names: One name per column of `X`.
        source: Where the examples came from: "inline", the CSV path as written in the
            scenario, or the `blobs(...)` recipe.
    """

    X: Vector
    y: Vector
    feature_names: tuple[str, ...]
    source: str


@dataclass(frozen=True, eq=False)
class LinearSpec:
    """Linear regression on examples with real-valued targets: `J(w, b) = 1/(2m) *
    sum((X @ w + b - y)**2)`.

    Attributes:
        X: The features, one row per example: shape (m, n), float64, read-only.
        y: The targets, any finite numbers: shape (m,), float64, read-only.
        feature_names: One name per column of `X`.
        source: Where the examples came from: "inline", the CSV path as written in the
            scenario, or the `line(...)` recipe.
    """

    X: Vector
    y: Vector
    feature_names: tuple[str, ...]
    source: str


#: The problems on data, which share their keys, data forms and checks.
DataSpec = LogisticSpec | LinearSpec


@dataclass(frozen=True)
class CurveSpec:
    """A cost written as a formula in `w` (and maybe `b`), for studying one curve.

    Attributes:
        cost: The parsed cost J(w) or J(w, b).
    """

    cost: expr.Cost


#: What a scenario minimises: data with labels or targets, or a cost formula.
ProblemSpec = LogisticSpec | LinearSpec | CurveSpec


@dataclass(frozen=True)
class OptimizerSpec:
    """The update rule and its settings.

    Attributes:
        kind: One of `OPTIMIZER_KINDS`.
        alpha: The learning rate.
        params: The kind's hyperparameters besides `alpha` (all of them, defaults filled in
            from `HYPERPARAMETERS`); empty for plain gradient descent.
    """

    kind: str
    alpha: float
    params: dict[str, float]


@dataclass(frozen=True)
class BreakpointSpec:
    """A condition that pauses a run.

    Attributes:
        when: A name from `BUILTIN_BREAKPOINTS`, or a condition in the expression language.
        enabled: Whether the breakpoint starts switched on.
    """

    when: str
    enabled: bool = True


@dataclass(frozen=True, eq=False)
class Scenario:
    """One lesson, checked and ready to run.

    Attributes:
        name: The title.
        description: Teaching notes shown beside the run; may be empty.
        path: The scenario file as displayed in messages.
        problem: What is being minimised.
        w0: The starting `w`: shape (n,), float64, read-only; length 1 for a curve.
        b0: The starting `b`, or None for a curve whose cost does not use `b`.
        optimizer: The update rule.
        max_steps: The most updates a run takes.
        tolerance: A run has converged when the slope is this flat: norm((dw, db)) <= tolerance.
        breakpoints: The breakpoints, in file order.
        captions: `(step, text)` narration, by step: each shows from its step until the next.
        w_range: The `w` axis range for plots, if the author chose one.
        b_range: The `b` axis range for plots, if the author chose one.
        raw: The scenario table as validated (overrides applied), for export and echo.
        source: Where it was read from, so another process can read it again: the file's
            absolute path, and the `--set` overrides ("" and () for a table in memory).
    """

    name: str
    description: str
    path: str
    problem: LogisticSpec | LinearSpec | CurveSpec
    w0: Vector
    b0: float | None
    optimizer: OptimizerSpec
    max_steps: int
    tolerance: float
    breakpoints: tuple[BreakpointSpec, ...]
    w_range: tuple[float, float] | None
    b_range: tuple[float, float] | None
    raw: dict[str, Any]
    source: tuple[str, tuple[str, ...]] = ("", ())
    captions: tuple[tuple[int, str], ...] = ()

    @property
    def n_features(self) -> int:
        """The number of `w` components (1 for a curve)."""
        return int(self.w0.size)

    @property
    def has_b(self) -> bool:
        """Whether the problem has a `b` to learn."""
        return self.b0 is not None


# --- finding and reading files ---------------------------------------------------------------


def preset_dir() -> Path:
    """The folder holding the preset scenarios.

    Returns:
        `gdtui/_presets` inside an installed wheel, else the repository's top-level
        `scenarios/` folder next to the package (an editable or development install).
    """
    # The package's own folder, as `importlib.resources.files("gdtui")` gives it for a
    # package on disk (the only kind this reads presets from), without importing it and the
    # zipfile module it loads: some 20 ms of the first screen's start-up.
    package = Path(__file__).resolve().parent
    packaged = package / "_presets"
    if packaged.is_dir():
        return packaged
    return package.parent / "scenarios"


def list_presets() -> list[tuple[str, str]]:
    """The preset scenarios, for pickers and `gdtui list`.

    Returns:
        `(name, summary)` pairs sorted by name, where the name is the file stem and the
        summary the first line of the description (or why the file cannot be read).
    """
    folder = preset_dir()
    if not folder.is_dir():
        return []
    presets = []
    for file in sorted(folder.glob("*.toml"), key=lambda path: path.stem):
        display = f"scenarios/{file.name}"
        try:
            data = _parse_toml(_read_text(file, MAX_SCENARIO_BYTES, "a scenario file"), display)
        except _Unreadable as err:
            presets.append((file.stem, f"(cannot read: {err})"))
            continue
        except ScenarioError as err:
            presets.append((file.stem, f"(cannot read: {err.message})"))
            continue
        description = data.get("description", "")
        lines = description.strip().splitlines() if isinstance(description, str) else []
        presets.append((file.stem, lines[0].strip() if lines else ""))
    return presets


def resolve(source: str) -> tuple[Path, str]:
    """Find a scenario by path or preset name.

    A path (it contains a slash or ends in `.toml`, and exists) wins over a preset of the
    same name.

    Args:
        source: A path to a scenario file, or the name of a preset (its file stem).

    Returns:
        The file to read and the path to show in messages (`scenarios/NAME.toml` for a
        preset).

    Raises:
        ScenarioError: Neither a file nor a preset has that name.
    """
    looks_like_path = "/" in source or "\\" in source or source.endswith(".toml")
    if looks_like_path and _exists(Path(source)):
        return Path(source), source
    folder = preset_dir()
    if source.strip(".") and not looks_like_path:
        preset = folder / f"{source}.toml"
        if _exists(preset):
            return preset, f"scenarios/{source}.toml"
    names = sorted(path.stem for path in folder.glob("*.toml")) if folder.is_dir() else []
    raise ScenarioError(
        source,
        "",
        f"no such scenario file or preset (presets: {', '.join(names) or 'none'})",
    )


def load_scenario(source: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override and check a scenario.

    Args:
        source: A preset name or a path (see `resolve`); a `Path` is always a path.
        overrides: `KEY=VALUE` strings from `--set`, applied in order before checking, so
            they are checked exactly like the file.

    Returns:
        The checked scenario.

    Raises:
        ScenarioError: The file is missing, unreadable, not TOML, or not a valid scenario.
    """
    if isinstance(source, Path):
        file, display = source, str(source)
    else:
        file, display = resolve(source)
    try:
        text = _read_text(file, MAX_SCENARIO_BYTES, "a scenario file")
    except _Unreadable as err:
        raise ScenarioError(display, "", str(err)) from None
    data = _parse_toml(text, display)
    overridden = []
    for override in overrides:
        apply_override(data, override, display)
        overridden.append("".join(override.partition("=")[0].split()))
    try:
        scenario = scenario_from_dict(data, display, file.parent)
        return dataclasses.replace(scenario, source=(str(file.resolve()), tuple(overrides)))
    except ScenarioError as err:
        # Point at the command line when the bad value came from it, not the file.
        errors = [
            ScenarioError(e.path, e.key, f"{e.message} (from --set)")
            if any(_is_within(e.key, key) for key in overridden)
            else e
            for e in err.errors
        ]
        raise_all(errors)


def apply_override(data: dict[str, Any], override: str, display: str) -> None:
    """Apply one `--set KEY=VALUE` to a raw scenario table, in place.

    The value is read as a TOML value (`0.5`, `[1, 2]`, `"adam"`, `true`); anything that is
    not TOML is taken as a plain string, so `optimizer.kind=adam` and
    `problem.cost=(w - 3)**2` need no quotes. Missing tables on a dotted key are created.

    Args:
        data: The scenario table as read from the file.
        override: The `KEY=VALUE` text.
        display: The scenario path, for messages.

    Raises:
        ScenarioError: The override is malformed (key `--set`), or its key runs through a
            value that is not a table.
    """
    key, equals, value = override.partition("=")
    parts = [part.strip() for part in key.split(".")]
    if not equals or not all(parts) or not value.strip():
        raise ScenarioError(
            display,
            "--set",
            f"expected KEY=VALUE such as optimizer.alpha=0.5, got {_describe(override)}",
        )
    table = data
    for depth, part in enumerate(parts[:-1]):
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ScenarioError(
                display, "--set", f"expected {where} to be a table, got {_describe(child)}"
            )
        table = child
    table[parts[-1]] = parse_toml_value(value)


def parse_toml_value(text: str) -> object:
    """Read a value as TOML would on the right of `v = ...`, falling back to a plain string.

    Args:
        text: The value, such as `0.5`, `[1, 2]`, `"adam"` or `adam`.

    Returns:
        The TOML value, or the stripped text itself when it is not a single TOML value.
    """
    stripped = text.strip()
    try:
        parsed = tomllib.loads(f"v = {stripped}")
    except (ValueError, RecursionError):
        return stripped
    # A newline in the text could smuggle in more keys; then it was not one value.
    return parsed["v"] if list(parsed) == ["v"] else stripped


class _Unreadable(Exception):
    """A file that cannot be read; the message says why, without the file's name."""


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _read_text(file: Path, limit: int, what: str) -> str:
    """Read a UTF-8 text file of at most `limit` bytes, or raise `_Unreadable`."""
    try:
        if not file.exists():
            raise _Unreadable("no such file")
        if file.is_dir():
            raise _Unreadable(f"expected {what}, got a directory")
        if not file.is_file():
            raise _Unreadable(f"expected {what}, got a special file")
        size = file.stat().st_size
        if size > limit:
            raise _Unreadable(f"expected {what} of at most {limit:,} bytes, got {size:,}")
        with file.open("rb") as handle:
            # Read one byte past the cap in case the file grew after stat().
            content = handle.read(limit + 1)
    except OSError as err:
        raise _Unreadable(f"cannot read it: {err.strerror or err}") from None
    except ValueError:
        # An embedded NUL byte in the path.
        raise _Unreadable("no such file") from None
    if len(content) > limit:
        raise _Unreadable(f"expected {what} of at most {limit:,} bytes, got more")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _Unreadable(
            f"expected UTF-8 text, got byte 0x{content[err.start]:02x} at offset {err.start}"
        ) from None


def _parse_toml(text: str, display: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(display, "", f"not valid TOML: {err}") from None
    except ValueError:
        # tomllib lets int() refuse numbers longer than 4300 digits.
        raise ScenarioError(display, "", "not valid TOML: a number is too long") from None
    except RecursionError:
        raise ScenarioError(display, "", "not valid TOML: values nested too deeply") from None


def _is_within(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith((f"{prefix}.", f"{prefix}["))


# --- checking --------------------------------------------------------------------------------


def scenario_from_dict(
    data: object, display: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Check a scenario table, as `tomllib` returns it, and build the `Scenario`.

    Args:
        data: The scenario table.
        display: The scenario path to show in messages.
        base_dir: The folder a `problem.data` path is relative to (and must stay inside);
            the current folder when None.

    Returns:
        The checked scenario.

    Raises:
        ScenarioError: The problems found, one line each (a `ScenarioErrors` when there are
            several).
    """
    return _Checker(display, base_dir or Path(".")).scenario(data)


class _Reported(Exception):
    """A check failed on faults it has already recorded, key by key."""


class _Checker:
    """Checks one scenario table.

    Each check raises `ScenarioError` at its first fault, which ends the check of that key;
    `attempt` records the fault and lets the checks of other keys go on, and `scenario`
    raises everything recorded at the end.
    """

    def __init__(self, display: str, base_dir: Path) -> None:
        self.display = display
        self.base_dir = base_dir
        self.errors: list[ScenarioError] = []
        self.misspelt: set[str] = set()
        """Keys an unknown key was reported as a likely misspelling of."""

    def attempt(self, check: Callable[..., T], *args: Any) -> T | None:
        """`check(*args)`, or None when it fails: its fault is recorded, not raised."""
        try:
            return check(*args)
        except ScenarioError as err:
            self.errors.append(err)
        except _Reported:
            pass
        return None

    # Building blocks.

    def fail(self, key: str, message: str) -> NoReturn:
        raise ScenarioError(self.display, key, message)

    def expected(self, key: str, expected: str, value: object) -> NoReturn:
        self.fail(key, f"expected {expected}, got {_describe(value)}")

    def table(self, value: object, key: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.expected(key, "a table", value)
        # Each unknown key is its own fault; the keys the table does know are checked on.
        for name in value:
            if name not in allowed:
                for close in difflib.get_close_matches(str(name), allowed, n=1):
                    self.misspelt.add(_join(key, close))
                self.attempt(self.unknown, _join(key, name), str(name), allowed)
        return value

    def unknown(self, key: str, name: str, allowed: Sequence[str], detail: str = "") -> NoReturn:
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(allowed)}"
        self.fail(key, f"{detail or 'unknown key'} ({hint})")

    def required(self, table: dict[str, Any], key: str, name: str, expected: str) -> Any:
        if name not in table:
            if _join(key, name) in self.misspelt:
                raise _Reported  # as "did you mean" on the misspelt key: one mistake, one line
            self.fail(_join(key, name), f"missing: expected {expected}")
        return table[name]

    def number(self, value: object, key: str, expected: str = "a finite number") -> float:
        # bool is an int subclass, but `alpha = true` is a mistake, not 1.0.
        if type(value) is bool or not isinstance(value, int | float):
            self.expected(key, expected, value)
        try:
            result = float(value)
        except OverflowError:
            self.expected(key, expected, value)
        if not math.isfinite(result):
            self.expected(key, expected, value)
        return result

    def positive(self, value: object, key: str) -> float:
        expected = "a positive finite number"
        result = self.number(value, key, expected)
        if result <= 0:
            self.expected(key, expected, value)
        return result

    def non_negative(self, value: object, key: str) -> float:
        expected = "a finite number >= 0"
        result = self.number(value, key, expected)
        if result < 0:
            self.expected(key, expected, value)
        return result

    def integer(self, value: object, key: str, low: int, high: int, span: str = "") -> int:
        if type(value) is not int or not low <= value <= high:
            self.expected(key, f"a whole number from {span or f'{low:,} to {high:,}'}", value)
        return value

    def string(self, value: object, key: str, expected: str = "a string") -> str:
        if not isinstance(value, str):
            self.expected(key, expected, value)
        return value

    def boolean(self, value: object, key: str) -> bool:
        if type(value) is not bool:
            self.expected(key, "true or false", value)
        return value

    # The scenario, table by table.

    def scenario(self, data: object) -> Scenario:
        data = self.table(data, "", _TOP_KEYS)
        attempt = self.attempt
        name = attempt(self.name, data)
        description = attempt(self.string, data.get("description", ""), "description")
        problem = attempt(self.problem, data)
        # The start, the breakpoints' vectors and b_range depend on the problem's shape: with
        # a broken problem, only what does not depend on it is checked.
        start = None
        if problem is not None:
            start = attempt(self.start, data.get("start", {}), problem)
        optimizer = attempt(self.optimizer, data.get("optimizer", {}))
        stop = attempt(self.table, data.get("stop", {}), "stop", ("max_steps", "tolerance"))
        max_steps = tolerance = None
        if stop is not None:
            max_steps = attempt(
                self.integer, stop.get("max_steps", 1000), "stop.max_steps", 1, 10_000_000
            )
            tolerance = attempt(self.non_negative, stop.get("tolerance", 1e-6), "stop.tolerance")
        breakpoints = attempt(self.breakpoints, data.get("breakpoints", []), problem)
        # A caption's step is checked against max_steps: without it, captions are not checked.
        captions: tuple[tuple[int, str], ...] | None = ()
        if max_steps is not None:
            captions = attempt(self.captions, data.get("captions", []), max_steps)
        ranges = attempt(self.view, data.get("view", {}), problem)
        if self.errors:
            raise_all(self.errors)
        # Every check passed, so none of these is None.
        assert name is not None and description is not None and problem is not None
        assert optimizer is not None and max_steps is not None and tolerance is not None
        assert start is not None and breakpoints is not None and ranges is not None
        assert captions is not None
        return Scenario(
            name=name,
            description=description,
            path=self.display,
            problem=problem,
            w0=start[0],
            b0=start[1],
            optimizer=optimizer,
            max_steps=max_steps,
            tolerance=tolerance,
            breakpoints=breakpoints,
            w_range=ranges[0],
            b_range=ranges[1],
            raw=data,
            captions=captions,
        )

    def name(self, data: dict[str, Any]) -> str:
        name = self.string(self.required(data, "", "name", "a non-empty string"), "name")
        if not name.strip():
            self.expected("name", "a non-empty string", name)
        return name

    def view(
        self, value: object, problem: ProblemSpec | None
    ) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
        view = self.table(value, "view", ("w_range", "b_range"))
        w_range = b_range = None
        if "w_range" in view:
            w_range = self.attempt(self.range, view["w_range"], "view.w_range")
        if "b_range" in view:
            if problem is not None and not _uses_b(problem):
                self.expected(
                    "view.b_range", "no b_range (the cost does not use b)", view["b_range"]
                )
            b_range = self.range(view["b_range"], "view.b_range")
        return w_range, b_range

    def problem(self, data: dict[str, Any]) -> LogisticSpec | LinearSpec | CurveSpec:
        value = self.required(data, "", "problem", "a [problem] table")
        table = self.table(value, "problem", _LOGISTIC_KEYS + _CURVE_KEYS[1:])
        kinds = '"logistic", "linear" or "curve"'
        kind = self.required(table, "problem", "kind", kinds)
        if kind not in PROBLEM_KINDS:
            if isinstance(kind, str):
                self.unknown("problem.kind", kind, PROBLEM_KINDS, f"unknown kind {_describe(kind)}")
            self.expected("problem.kind", kinds, kind)
        if kind == "curve":
            for name in table:
                if name not in _CURVE_KEYS:
                    self.fail(
                        f"problem.{name}",
                        f'expected only cost for kind = "curve", got {name} as well',
                    )
            return self.curve(table)
        if "cost" in table:
            self.fail(
                "problem.cost",
                f'expected no cost for kind = "{kind}" (its cost comes from the data; '
                'a cost formula needs kind = "curve")',
            )
        return self.logistic(table, kind)

    def curve(self, table: dict[str, Any]) -> CurveSpec:
        from gdtui import expr  # only a curve has a formula: a data lesson never loads it

        example = 'a cost formula in w such as "(w - 3)**2"'
        text = self.string(
            self.required(table, "problem", "cost", example), "problem.cost", example
        )
        try:
            return CurveSpec(cost=expr.parse_cost(text))
        except expr.ExprError as err:
            self.fail("problem.cost", str(err))
        except RecursionError:
            self.expected("problem.cost", "a formula nested less deeply", text)

    def logistic(self, table: dict[str, Any], kind: str = "logistic") -> DataSpec:
        """The examples of a data problem: logistic (0/1 labels) or linear (any targets)."""
        label = _LABELS[kind]
        sources = [name for name in ("x", "data", "generate") if name in table]
        if len(sources) > 1:
            self.fail(
                "problem",
                f"expected exactly one of x/y, data or generate, got {' and '.join(sources)}",
            )
        if not sources:
            if "y" in table:
                self.fail("problem.x", "missing: y needs x, one row of features per label")
            self.fail("problem", "expected one of x and y, data or generate, got none of them")
        source = sources[0]
        if source == "x" and "y" not in table:
            self.fail("problem.y", f"missing: x needs y, one {label} per row")
        if source != "x" and "y" in table:
            self.expected(
                "problem.y", f"no y with {source} (the labels come from {source})", table["y"]
            )
        if source == "x":
            X = self.features(table["x"], "problem.x")
            y = self.labels(table["y"], "problem.y", len(X), kind)
            header: list[str] = []
            origin = "inline"
        elif source == "data":
            X, y, header, origin = self.csv(table["data"], "problem.data", kind)
        else:
            X, y, origin = self.generate(table["generate"], "problem.generate", kind)
            header = []
        n = X.shape[1]
        names = tuple(header[j] if j < len(header) and header[j] else f"x{j + 1}" for j in range(n))
        if "feature_names" in table:
            names = self.feature_names(table["feature_names"], "problem.feature_names", n)
        if self.boolean(table.get("standardize", False), "problem.standardize"):
            X = self.standardize(X, names, "problem.standardize")
        spec = LinearSpec if kind == "linear" else LogisticSpec
        return spec(X=_frozen(X), y=_frozen(y), feature_names=names, source=origin)

    def features(self, value: object, key: str) -> Vector:
        shape = "a non-empty list of rows of numbers (or a flat list, for one feature)"
        if not isinstance(value, list) or not value:
            self.expected(key, shape, value)
        if not isinstance(value[0], list):
            flat = "a finite number (a flat x lists one feature per row)"
            return np.array([[self.number(v, f"{key}[{i}]", flat)] for i, v in enumerate(value)])
        width = len(value[0])
        if width == 0:
            self.expected(f"{key}[0]", "a row of at least one number", value[0])
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, list) or len(row) != width:
                self.expected(
                    f"{key}[{i}]", f"a row of {_count(width, 'number')} like {key}[0]", row
                )
            rows.append([self.number(v, f"{key}[{i}][{j}]") for j, v in enumerate(row)])
        return np.array(rows, dtype=np.float64)

    def labels(self, value: object, key: str, m: int, kind: str = "logistic") -> Vector:
        logistic = kind == "logistic"
        noun, each = ("label", "0 or 1") if logistic else ("target", "(finite numbers)")
        one = "a label 0 or 1" if logistic else "a finite number"
        if not isinstance(value, list):
            self.expected(key, f"a list of {_count(m, noun)} {each}", value)
        if len(value) != m:
            self.fail(key, f"expected {_count(m, noun)} (one per row of x), got {len(value)}")
        labels = []
        for i, v in enumerate(value):
            label = self.number(v, f"{key}[{i}]", one)
            if logistic and label not in (0.0, 1.0):
                self.expected(f"{key}[{i}]", one, v)
            labels.append(label)
        return np.array(labels, dtype=np.float64)

    def feature_names(self, value: object, key: str, n: int) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.expected(key, f"a list of {_count(n, 'name')}", value)
        if len(value) != n:
            self.fail(key, f"expected {_count(n, 'name')} (one per feature), got {len(value)}")
        for i, name in enumerate(value):
            if not isinstance(name, str) or not name.strip():
                self.expected(f"{key}[{i}]", "a non-empty string", name)
        return tuple(value)

    def standardize(self, X: Vector, names: tuple[str, ...], key: str) -> Vector:
        for j, name in enumerate(names):
            column = X[:, j]
            if column.min() == column.max():
                self.fail(
                    key,
                    f"expected every feature to vary, got {_describe(name)} (column {j + 1}) "
                    f"constant at {_describe(float(column[0]))}",
                )
        with np.errstate(all="ignore"):
            mean = X.mean(axis=0)
            std = X.std(axis=0)
            standardized = (X - mean) / std
        bad = ~np.isfinite(standardized).all(axis=0) | (std == 0)
        if bad.any():
            name = names[int(np.argmax(bad))]
            self.fail(key, f"expected features small enough to standardize, got {_describe(name)}")
        return standardized

    def csv(
        self, value: object, key: str, kind: str = "logistic"
    ) -> tuple[Vector, Vector, list[str], str]:
        relative = self.string(
            value, key, 'a CSV path relative to the scenario, such as "data/hours.csv"'
        )
        if not relative.strip() or "\0" in relative:
            self.expected(key, "a CSV file path", relative)
        if Path(relative).is_absolute() or PureWindowsPath(relative).anchor:
            self.expected(key, "a path relative to the scenario's folder", relative)
        try:
            base = self.base_dir.resolve()
            file = (base / relative).resolve()
        except (OSError, RuntimeError, ValueError):
            self.expected(key, "a path the system can resolve", relative)
        if not file.is_relative_to(base):
            self.expected(key, "a path inside the scenario's folder", relative)
        try:
            text = _read_text(file, MAX_CSV_BYTES, "a CSV file")
        except _Unreadable as err:
            self.fail(key, f"{relative}: {err}")
        X, y, header = self.parse_csv(text, key, relative, kind)
        return X, y, header, relative

    def parse_csv(
        self, text: str, key: str, where: str, kind: str = "logistic"
    ) -> tuple[Vector, Vector, list[str]]:
        """Read feature columns then a label column (0/1, or any number for a linear
        problem), after an optional header row."""
        last = "the 0/1 label" if kind == "logistic" else "the target y"
        reader = csv.reader(io.StringIO(text))
        values = array.array("d")
        header: list[str] = []
        width = width_line = m = 0
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                line = reader.line_num
                if not width:
                    width, width_line = len(row), line
                    if width < 2:
                        self.fail(
                            key,
                            f"{where}:{line}: expected at least 2 columns (features, then "
                            f"{last}), got {width}",
                        )
                    if not any(_is_number(cell) for cell in row):
                        header = [cell.strip() for cell in row[:-1]]
                        continue
                if len(row) != width:
                    self.fail(
                        key,
                        f"{where}:{line}: expected {width} columns like line {width_line}, "
                        f"got {len(row)}",
                    )
                numbers = [_finite_or_nan(cell) for cell in row]
                if not all(map(math.isfinite, numbers)):
                    column = next(j for j, v in enumerate(numbers) if not math.isfinite(v))
                    self.fail(
                        key,
                        f"{where}:{line}: expected a finite number in column {column + 1}, "
                        f"got {_describe(row[column].strip())}",
                    )
                values.extend(numbers)
                if kind == "logistic" and values[-1] not in (0.0, 1.0):
                    self.fail(
                        key,
                        f"{where}:{line}: expected a label 0 or 1 in the last column, "
                        f"got {_describe(row[-1].strip())}",
                    )
                m += 1
        except csv.Error as err:
            self.fail(key, f"{where}:{reader.line_num}: expected CSV, got {err}")
        if not m:
            got = "only a header" if header else "an empty file"
            self.fail(key, f"{where}: expected at least one row of numbers, got {got}")
        data = np.frombuffer(values, dtype=np.float64).reshape(m, width)
        return data[:, :-1].copy(), data[:, -1].copy(), header

    def generate(
        self, value: object, key: str, problem: str = "logistic"
    ) -> tuple[Vector, Vector, str]:
        if problem == "linear":
            return self.generate_line(value, key)
        table = self.table(value, key, _GENERATE_KEYS)
        kind = self.required(table, key, "kind", '"blobs"')
        if kind != "blobs":
            self.expected(f"{key}.kind", '"blobs" (for kind = "logistic")', kind)
        samples = self.integer(table.get("samples", 200), f"{key}.samples", 2, 1_000_000)
        features = self.integer(table.get("features", 2), f"{key}.features", 1, 1000)
        self.generated_size(samples, features, key)
        separation = self.non_negative(table.get("separation", 2.0), f"{key}.separation")
        seed = self.integer(table.get("seed", 0), f"{key}.seed", 0, 2**64 - 1, "0 to 2**64 - 1")
        X, y = _blobs(samples, features, separation, seed)
        recipe = (
            f"blobs(samples={samples}, features={features}, separation={separation:g}, seed={seed})"
        )
        return X, y, recipe

    def generated_size(self, samples: int, features: int, key: str) -> None:
        """Refuse a generated data set larger than `MAX_GENERATED_VALUES` numbers."""
        if samples * features > MAX_GENERATED_VALUES:
            self.fail(
                key,
                f"expected samples * features at most {MAX_GENERATED_VALUES:,}, "
                f"got {samples:,} * {features:,}",
            )

    def generate_line(self, value: object, key: str) -> tuple[Vector, Vector, str]:
        """`generate = {kind = "line", ...}`: points scattered about a known line."""
        table = self.table(value, key, _LINE_KEYS)
        kind = self.required(table, key, "kind", '"line"')
        if kind != "line":
            self.expected(f"{key}.kind", '"line" (for kind = "linear")', kind)
        samples = self.integer(table.get("samples", 50), f"{key}.samples", 2, 1_000_000)
        features = self.integer(table.get("features", 1), f"{key}.features", 1, 1000)
        self.generated_size(samples, features, key)
        slope = self.number(table.get("slope", 2.0), f"{key}.slope")
        intercept = self.number(table.get("intercept", 1.0), f"{key}.intercept")
        noise = self.non_negative(table.get("noise", 1.0), f"{key}.noise")
        seed = self.integer(table.get("seed", 0), f"{key}.seed", 0, 2**64 - 1, "0 to 2**64 - 1")
        X, y = _line(samples, features, slope, intercept, noise, seed)
        if not np.isfinite(y).all():
            self.expected(key, "slope, intercept and noise small enough for finite y", table)
        recipe = (
            f"line(samples={samples}, features={features}, slope={slope:g}, "
            f"intercept={intercept:g}, noise={noise:g}, seed={seed})"
        )
        return X, y, recipe

    def start(self, value: object, problem: ProblemSpec) -> tuple[Vector, float | None]:
        table = self.table(value, "start", ("w", "b"))
        is_curve = isinstance(problem, CurveSpec)
        n = 1 if isinstance(problem, CurveSpec) else problem.X.shape[1]
        w0 = self.attempt(self.start_w, table.get("w", 0.0), n, is_curve)
        b0 = None
        if not _uses_b(problem):
            if "b" in table:
                self.attempt(self.expected, "start.b", "no b (the cost does not use b)", table["b"])
        else:
            b0 = self.attempt(self.number, table.get("b", 0.0), "start.b")
        if w0 is None or (b0 is None and _uses_b(problem)):
            raise _Reported
        return _frozen(w0), b0

    def start_w(self, w: object, n: int, is_curve: bool) -> Vector:
        if is_curve:
            return np.array(
                [self.number(w, "start.w", "a single finite number (a curve has one w)")]
            )
        if isinstance(w, list):
            if len(w) != n:
                self.fail(
                    "start.w",
                    f"expected a finite number or a list of {_count(n, 'number')} "
                    f"(one per feature), got a list of {len(w)}",
                )
            return np.array([self.number(v, f"start.w[{i}]") for i, v in enumerate(w)])
        return np.full(
            n, self.number(w, "start.w", f"a finite number or a list of {_count(n, 'number')}")
        )

    def optimizer(self, value: object) -> OptimizerSpec:
        every_key = ("kind", "alpha", *sorted({k for ps in HYPERPARAMETERS.values() for k in ps}))
        table = self.table(value, "optimizer", every_key)
        kind = self.attempt(self.optimizer_kind, table.get("kind", "gd"))
        alpha = self.attempt(self.positive, table.get("alpha", 0.1), "optimizer.alpha")
        if kind is None:
            raise _Reported  # which hyperparameters it takes depends on the kind
        defaults = HYPERPARAMETERS[kind]
        for name in table:
            # A name no optimizer takes was reported as unknown by `table`.
            if name in every_key and name not in ("kind", "alpha", *defaults):
                takes = ", ".join(("alpha", *defaults))
                self.attempt(self.fail, f"optimizer.{name}", f"{kind} takes only {takes}")
        params = {}
        for name, default in defaults.items():
            param = self.attempt(self.hyperparameter, name, table.get(name, default))
            if param is not None:
                params[name] = param
        if alpha is None or len(params) < len(defaults):
            raise _Reported
        return OptimizerSpec(kind=kind, alpha=alpha, params=params)

    def optimizer_kind(self, kind: object) -> str:
        if kind not in OPTIMIZER_KINDS:
            if isinstance(kind, str):
                self.unknown(
                    "optimizer.kind", kind, OPTIMIZER_KINDS, f"unknown kind {_describe(kind)}"
                )
            self.expected("optimizer.kind", f"one of {', '.join(OPTIMIZER_KINDS)}", kind)
        assert isinstance(kind, str)
        return kind

    def hyperparameter(self, name: str, given: object) -> float:
        key = f"optimizer.{name}"
        if name in _DECAY_RATES:
            rate = self.number(given, key, "a number in [0, 1)")
            if not 0 <= rate < 1:
                self.expected(key, "a number in [0, 1)", given)
            return rate
        return self.positive(given, key)

    def breakpoints(self, value: object, problem: ProblemSpec | None) -> tuple[BreakpointSpec, ...]:
        if not isinstance(value, list):
            self.expected("breakpoints", "an array of tables ([[breakpoints]])", value)
        found = [self.attempt(self.breakpoint, item, i, problem) for i, item in enumerate(value)]
        if None in found:
            raise _Reported
        return tuple(spec for spec in found if spec is not None)

    def captions(self, value: object, max_steps: int) -> tuple[tuple[int, str], ...]:
        if not isinstance(value, list):
            self.expected("captions", "an array of tables ([[captions]])", value)
        found: dict[int, str] = {}
        failed = False
        for i, item in enumerate(value):
            caption = self.attempt(self.caption, item, i, max_steps)
            if caption is None:
                failed = True
                continue
            step, text = caption
            if step in found:
                self.attempt(self.fail, f"captions[{i}].step", f"step {step} already has a caption")
                failed = True
            found[step] = text
        if failed:
            raise _Reported
        return tuple(sorted(found.items()))

    def caption(self, item: object, i: int, max_steps: int) -> tuple[int, str]:
        key = f"captions[{i}]"
        table = self.table(item, key, ("step", "text"))
        step = self.attempt(self.caption_step, table, key, max_steps)
        text = self.attempt(self.caption_text, table, key)
        if step is None or text is None:
            raise _Reported
        return step, text

    def caption_step(self, table: dict[str, Any], key: str, max_steps: int) -> int:
        given = self.required(table, key, "step", "a step number")
        return self.integer(given, f"{key}.step", 0, max_steps)

    def caption_text(self, table: dict[str, Any], key: str) -> str:
        expected = f"one line of text (at most {MAX_CAPTION} characters)"
        text = self.string(self.required(table, key, "text", expected), f"{key}.text",
                           expected).strip()  # fmt: skip
        if not text or "\n" in text or "\r" in text or len(text) > MAX_CAPTION:
            self.expected(f"{key}.text", expected, table["text"])
        return text

    def breakpoint(self, item: object, i: int, problem: ProblemSpec | None) -> BreakpointSpec:
        key = f"breakpoints[{i}]"
        table = self.table(item, key, ("when", "enabled"))
        expected = f'{" | ".join(BUILTIN_BREAKPOINTS)} or a condition such as "cost > 1"'
        when = self.attempt(self.when, table, key, expected, problem)
        enabled = self.attempt(self.boolean, table.get("enabled", True), f"{key}.enabled")
        if when is None or enabled is None:
            raise _Reported
        return BreakpointSpec(when=when, enabled=enabled)

    def when(
        self,
        table: dict[str, Any],
        key: str,
        expected: str,
        problem: ProblemSpec | None,
    ) -> str:
        when = self.string(self.required(table, key, "when", expected), f"{key}.when", expected)
        self.condition(when.strip(), f"{key}.when", problem)
        return when.strip()

    def condition(self, text: str, key: str, problem: ProblemSpec | None = None) -> None:
        if text in BUILTIN_BREAKPOINTS:
            return
        from gdtui import expr  # only a written condition needs the parser

        try:
            condition = expr.parse_condition(text)
        except expr.ExprError as err:
            if _IDENTIFIER.fullmatch(text):
                # A lone word is most likely a misspelt built-in, not a broken condition.
                self.unknown(
                    key, text, BUILTIN_BREAKPOINTS, f"unknown breakpoint {_describe(text)}"
                )
            self.fail(key, str(err))
        except RecursionError:
            self.expected(key, "a condition nested less deeply", text)
        if problem is not None:
            self.condition_fits(condition, key, problem)

    def condition_fits(self, condition: expr.Condition, key: str, problem: ProblemSpec) -> None:
        """Fail on a condition that cannot hold for this problem's shapes: `w[3]` with two
        features, `dw` compared as a number when it is a vector, or `b` on a curve without
        one (which would never fire). Else the run would meet it on its first step."""
        if not _uses_b(problem) and condition.variables & {"b", "db"}:
            self.fail(
                key,
                f"expected a condition without b or db (the cost does not use b), got "
                f"{_describe(condition.text)}",
            )
        if isinstance(problem, CurveSpec):
            w: float | Vector = 1.0
        else:
            w = np.ones(problem.X.shape[1])
        from gdtui import expr  # loaded already: the condition was parsed

        sample = {"step": 1.0, "w": w, "b": 1.0, "dw": w, "db": 1.0, "cost": 1.0,
                  "prev_cost": 1.0, "alpha": 0.1}  # fmt: skip
        try:
            condition(sample)
        except expr.ExprError as err:
            # Arithmetic on the sample's values (a log of 0, say) says nothing about the
            # condition; a fault of its own, such as an index out of range, has no cause.
            if err.__cause__ is None:
                self.fail(key, str(err))

    def range(self, value: object, key: str) -> tuple[float, float]:
        expected = "[lo, hi], two finite numbers with lo < hi"
        if not isinstance(value, list) or len(value) != 2:
            self.expected(key, expected, value)
        low = self.number(value[0], f"{key}[0]")
        high = self.number(value[1], f"{key}[1]")
        if not low < high:
            self.expected(key, expected, value)
        return low, high


def _uses_b(problem: ProblemSpec) -> bool:
    """Whether the problem has a `b`: regression always, a curve if its cost uses b."""
    return not isinstance(problem, CurveSpec) or problem.cost.uses_b


def _blobs(samples: int, features: int, separation: float, seed: int) -> tuple[Vector, Vector]:
    """Two Gaussian classes with unit variance, their centres `separation` apart.

    The centres sit at -separation/2 and +separation/2 along the unit all-ones direction;
    the labels are half 0 and half 1 (one more 1 when `samples` is odd), shuffled.
    """
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(1, samples + 1) % 2).astype(np.float64)
    direction = np.full(features, 1.0 / math.sqrt(features))
    centres = np.outer((y - 0.5) * separation, direction)
    X = centres + rng.standard_normal((samples, features))
    return X, y


def _line(
    samples: int, features: int, slope: float, intercept: float, noise: float, seed: int
) -> tuple[Vector, Vector]:
    """Points about the line `y = slope * (x1 + ... + xn) + intercept`.

    Each feature is drawn from a standard normal, already on the scale gradient descent
    likes; `y` gets Gaussian noise of standard deviation `noise` on top of the line.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((samples, features))
    with np.errstate(all="ignore"):
        y = slope * X.sum(axis=1) + intercept + noise * rng.standard_normal(samples)
    return X, y


def _frozen(values: Vector) -> Vector:
    result = np.array(values, dtype=np.float64)
    result.setflags(write=False)
    return result


def _finite_or_nan(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return math.nan


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _join(prefix: str, name: object) -> str:
    part = str(name)
    if not _BARE_KEY.fullmatch(part):
        part = repr(part)
    return f"{prefix}.{part}" if prefix else part


def _describe(value: object, depth: int = 0) -> str:
    """A short, one-line rendering of a value, in TOML's spelling where it has one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # str() refuses ints past 4300 digits; nobody needs to read those back anyway.
        return str(value) if value.bit_length() < 200 else "a number too large to write"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        if depth >= 2:
            return "[...]"
        items = [_describe(item, depth + 1) for item in value[:6]]
        text = "[" + ", ".join(items) + (", ...]" if len(value) > 6 else "]")
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value)
    text = _one_line(text)
    return text if len(text) <= 60 else text[:57] + "..."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())
