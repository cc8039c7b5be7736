"""What the plots draw, computed with numpy alone so it can be tested without a terminal.

The cost-curve plot shows `J` along one parameter with the others held where they are now;
the history plot shows `J` step by step; the surface plot shows `J` over the `(w, b)` plane.
Parameters are indexed as in `theta`: the `w` components, then `b`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.problems import CurveProblem, DataProblem, Problem
from gdtui.engine.session import Session
from gdtui.engine.snapshot import Snapshot

Vector = NDArray[np.float64]
Range = tuple[float, float]

#: Cost evaluations (points x data rows) a curve may take before it evaluates a fixed sample
#: of the rows instead: numpy's exp and log take tens of ns each, so a few ms at most.
MAX_EVALUATIONS = 40_000

#: The same for a cost surface, which is computed once per plot window, not every step.
MAX_SURFACE_EVALUATIONS = 1_000_000

#: Rows a sample never goes below, however many points are asked for.
MIN_SAMPLE_ROWS = 400

#: Elements one block of a data problem's evaluation holds, to bound memory.
_BLOCK = 1 << 18


# -- J along one parameter ----------------------------------------------------------------


def problem_of(source: Session | Problem) -> Problem:
    """The problem of a session, or the problem itself."""
    return source.problem if isinstance(source, Session) else source


def sample_size(problem: Problem, points: int, budget: int = MAX_EVALUATIONS) -> int | None:
    """Rows of data `J` is averaged over at `points` points within `budget` evaluations,
    or None when every row is used (always, but for large data sets)."""
    if not isinstance(problem, DataProblem) or problem.m * points <= budget:
        return None
    keep = max(MIN_SAMPLE_ROWS, budget // max(points, 1))
    return keep if keep < problem.m else None


def sample_note(problem: Problem, rows: int | None) -> str:
    """`~2,000 of 300,000 rows` when a plot used a sample of `rows` rows, else nothing."""
    if rows is None or not isinstance(problem, DataProblem):
        return ""
    return f"~{rows:,} of {problem.m:,} rows"


@lru_cache(maxsize=8)
def _sample_rows(m: int, keep: int) -> NDArray[np.intp]:
    # A fixed seed: the same rows every step, so the curve does not shimmer as it moves.
    return np.sort(np.random.default_rng(0).choice(m, keep, replace=False))


def _costs_along(
    problem: Problem, theta: Vector, component: int, ts: Vector, budget: int = MAX_EVALUATIONS
) -> Vector:
    """`J` with `theta[component]` set to each of `ts` and the rest of `theta` unchanged."""
    with np.errstate(all="ignore"):
        if isinstance(problem, CurveProblem):
            w, b = theta[0], (theta[1] if problem.has_b else 0.0)
            grid = problem.expression.grid
            return grid(ts, b) if component == 0 else grid(np.full_like(ts, w), ts)
        if isinstance(problem, DataProblem):
            X, y = problem.X, problem.y
            rows = sample_size(problem, len(ts), budget)
            if rows is not None:
                index = _sample_rows(problem.m, rows)
                X, y = X[index], y[index]
            z0 = X @ theta[:-1] + theta[-1]
            along = X[:, component] if component < problem.n_w else np.ones(len(y))
            out = np.empty(len(ts))
            block = max(1, _BLOCK // len(y))
            for start in range(0, len(ts), block):
                dt = ts[start : start + block, None] - theta[component]
                out[start : start + block] = problem.cost_of_scores(z0 + dt * along, y)
            return out
        costs = []
        for t in ts:
            moved = theta.copy()
            moved[component] = t
            costs.append(problem.cost(moved))
        return np.array(costs, dtype=np.float64)


def curve_along(
    source: Session | Problem,
    snapshot: Snapshot,
    component: int,
    w_range: Range | None = None,
    points: int = 101,
    *,
    exact: Iterable[float] = (),
) -> tuple[Vector, Vector]:
    """`J` as a function of one parameter, the others held at their values in `snapshot`.

    The samples are evenly spaced over `w_range`, and the parameter's own value and each of
    `exact` are sampled too, in order: a curve drawn through them passes through the
    current point (and the landing point, and the minimum) exactly, not between two
    samples. Large data sets are evaluated on a fixed sample of rows (see
    `sample_size`), shifted so the curve passes exactly through the snapshot's own cost.

    Args:
        source: The session (or just its problem).
        snapshot: The step whose other parameters are held.
        component: Which parameter of `theta` varies (`w[component]`; `n_w` is `b`).
        w_range: The interval to cover; `curve_window` when None.
        points: How many evenly spaced values to evaluate.
        exact: More values to sample (those outside `w_range` are left out).

    Returns:
        The parameter values, ascending, and `J` at each (inf or nan where `J` is not
        finite).
    """
    problem = problem_of(source)
    if w_range is None:
        w_range = curve_window(problem, snapshot, component).w_range
    lo, hi = w_range
    here = float(snapshot.theta[component])
    extra = [t for t in (here, *exact) if lo <= t <= hi and math.isfinite(t)]
    # Sorted, each value once, as `np.unique` gives them: its first call imports numpy.ma
    # (some 25 ms of the first screen).
    ws = np.array(sorted({*np.linspace(lo, hi, points).tolist(), *extra}), dtype=np.float64)
    costs = _costs_along(problem, snapshot.theta, component, np.append(ws, here))
    if sample_size(problem, len(ws) + 1) is not None and math.isfinite(costs[-1]):
        costs += snapshot.cost - costs[-1]
    return ws, costs[:-1]


def curve_after(
    source: Session | Problem, snapshot: Snapshot, component: int, ws: Vector, landing: float
) -> Vector | None:
    """`J` along one parameter with every other parameter where the update sends it.

    When `b` (or another component of `w`) moves too, the landing point is not on the curve
    drawn through the current point: the whole curve moves with the step. This is the curve
    the landing point is on, so the picture shows both.

    Args:
        source: The session (or just its problem).
        snapshot: The step whose update is shown.
        component: Which parameter of `theta` varies.
        ws: The parameter values to evaluate (the drawn curve's).
        landing: `J` where the update lands (`Session.landing_cost`).

    Returns:
        `J` at each of `ws`, or None when no other parameter moves.
    """
    if not np.any(np.delete(snapshot.next_theta - snapshot.theta, component)):
        return None
    problem = problem_of(source)
    next_w = float(snapshot.next_theta[component])
    costs = _costs_along(problem, snapshot.next_theta, component, np.append(ws, next_w))
    shifted = sample_size(problem, len(ws) + 1) is not None
    if shifted and math.isfinite(costs[-1]) and math.isfinite(landing):
        costs += landing - costs[-1]  # sampled rows: through the landing point exactly
    return costs[:-1]


#: How far `J` must rise across the cost curve's window, as a fraction of `J`, before the
#: window stops shrinking: a millionth of J is still a billion times its rounding error,
#: so the curve drawn is the cost's own shape, not noise.
VISIBLE_RISE = 1e-6

#: The narrowest window, as a fraction of the parameter's size: w itself has 16 digits.
NARROWEST = 1e-9

#: Offsets, in units of a parameter's scale, at which `J` is sampled to find the minimum
#: along the line and the window's width: doublings from 1e-9 to 8e3.
_LADDER = 2.0 ** np.arange(-30, 14)


@dataclass(frozen=True)
class CurveWindow:
    """Where the cost curve looks along one parameter.

    Attributes:
        w_range: The parameter's values at the left and right edge.
        minimum: The first minimum of `J` downhill from the current point along the line,
            or None when there is none within reach (separable data, a line going down
            for ever).
        rise: How much `J` must rise across the window to show its shape (see
            `VISIBLE_RISE`): the cost axis is never narrower.
    """

    w_range: Range
    minimum: float | None
    rise: float


def curve_window(
    problem: Problem, snapshot: Snapshot, component: int, hint: Range | None = None
) -> CurveWindow:
    """The window of a cost curve: a bowl with the current point, the landing point and
    the minimum along the line in view, both walls and the bottom.

    It is centred on that minimum, a quarter wider than the farthest of the points is
    from it, rounded up to a power of the square root of two (so that a run converging
    into the bowl is seen to walk down it, the window shrinking now and then, rather than
    staying put in a window that shrinks with it). Its width never falls below what makes
    `J` rise visibly across it (`VISIBLE_RISE`), tied in this way to the curvature at the
    bottom. With no
    minimum within reach it is centred on the step, wide enough to show the curve bend.
    The scenario's `hint` is used instead while it holds the points and the window would
    not be much narrower.
    """
    theta = np.asarray(snapshot.theta, dtype=np.float64)
    w, landing = float(theta[component]), float(snapshot.next_theta[component])
    slope = float(snapshot.grad[component])
    if not all(map(math.isfinite, (w, landing, slope))):
        return CurveWindow(window([w, landing], hint), None, 0.0)
    scale = max(abs(w), abs(landing - w), 1e-300)
    if hint is not None:
        scale = max(scale, 0.5 * (hint[1] - hint[0]))
    elif abs(w) < 1.0:
        scale = max(scale, 1.0)
    minimum = line_minimum(problem, theta, component, slope, scale)
    points = [w, landing]
    cost = float(snapshot.cost)
    if minimum is not None:
        centre = minimum
        points.append(minimum)
    else:
        centre = 0.5 * (w + landing)
    need = 1.25 * max(abs(p - centre) for p in points)
    rise = VISIBLE_RISE * max(abs(cost), 1e-300) if math.isfinite(cost) else 0.0
    floor = _visible_half(problem, theta, component, centre, scale, rise, minimum is not None)
    half = max(need, floor if floor is not None else 0.0, NARROWEST * max(abs(centre), 1e-300))
    if floor is None and need == 0.0:
        half = scale
    if half < 1e300:  # (near the largest float, 2.0 ** k overflows)
        half = 2.0 ** (math.ceil(2 * math.log2(half)) / 2)
    w_range = (centre - half, centre + half)
    if hint is not None:
        lo, hi = hint
        if all(lo <= p <= hi for p in points) and 2 * half >= (hi - lo) / 2:
            w_range = hint
    return CurveWindow(w_range, minimum, rise)


def line_minimum(
    problem: Problem, theta: Vector, component: int, slope: float, scale: float
) -> float | None:
    """The first minimum of `J` met walking downhill from `theta[component]` (both ways
    when the slope is zero), to a few digits; None when `J` keeps falling (or stops being
    finite) out to `8e3 * scale`.
    """
    w = float(theta[component])
    budget = MAX_EVALUATIONS // 8
    here = float(_costs_along(problem, theta, component, np.array([w]), budget)[0])
    if not math.isfinite(here):
        return None
    noise = 1e-11 * abs(here)
    found: list[tuple[float, float]] = []
    for way in (-1.0, 1.0):
        if slope * way > 0:  # uphill
            continue
        with np.errstate(all="ignore"):
            ts = np.asarray(w + way * scale * _LADDER, dtype=np.float64)
        costs = _costs_along(problem, theta, component, ts, budget)
        best, best_cost = -1, here
        for k, c in enumerate(costs.tolist()):
            if not math.isfinite(c) or c > best_cost + noise:
                break
            if c < best_cost:
                best, best_cost = k, c
        else:
            continue  # still falling at the end of the ladder: no minimum within reach
        if best < 0:  # J rises at once: the minimum is here, to the ladder's resolution
            found.append((here, w))
            continue
        inner = float(ts[best - 1]) if best > 0 else w
        outer = float(ts[best + 1]) if best + 1 < len(ts) else float(ts[best])
        lo, hi = min(inner, outer), max(inner, outer)
        for _ in range(3):  # each a tenth of the last: to a few thousandths of the bracket
            fine = np.linspace(lo, hi, 21)
            values = _costs_along(problem, theta, component, fine, budget)
            least = _least(values)
            if least is None:
                break
            best_cost = float(values[least])
            lo, hi = float(fine[max(least - 1, 0)]), float(fine[min(least + 1, 20)])
        found.append((best_cost, 0.5 * (lo + hi)))
    return min(found)[1] if found else None


def _visible_half(
    problem: Problem,
    theta: Vector,
    component: int,
    centre: float,
    scale: float,
    rise: float,
    bowl: bool,
) -> float | None:
    """The narrowest half-width around `centre` over which the curve shows its shape.

    For a bowl (`centre` is its bottom), both walls rise by at least `rise`. Otherwise `J`
    changes by at least `rise` and bends: its second difference is a quarter of its first
    (on `exp(-w)` that is half a unit of w). None when no offset up to `8e3 * scale` does.
    """
    with np.errstate(all="ignore"):  # near the largest float the far offsets overflow
        offsets = scale * _LADDER
        ts = np.concatenate(([centre], centre - offsets, centre + offsets))
    costs = _costs_along(problem, theta, component, ts, MAX_EVALUATIONS // 8)
    middle, left, right = costs[0], costs[1 : len(offsets) + 1], costs[len(offsets) + 1 :]
    with np.errstate(all="ignore"):
        if bowl:
            ok = np.minimum(left, right) - middle >= rise
        else:
            change = np.maximum(np.abs(left - middle), np.abs(right - middle))
            bend = np.abs(left + right - 2 * middle)
            ok = (change >= rise) & (bend >= 0.25 * np.abs(right - left))
    ok &= np.isfinite(left) & np.isfinite(right)
    hits = np.flatnonzero(ok)
    return float(offsets[hits[0]]) if hits.size else None


def curve_cost_window(
    costs: Vector, cost: float, landing: float, rise: float = 0.0, spread: float = 20.0
) -> Range:
    """The `J` axis of a cost curve: the curve's values in its window, the current cost and
    the landing cost.

    The top is cut at `spread` times what must be seen (the current and landing cost above
    the curve's lowest, or `rise`), so a wall far steeper than the rest (or a diverging
    update's overflow) never flattens the bowl; what lies above is drawn at the edge.
    """
    finite = costs[np.isfinite(costs)]
    values = [float(v) for v in (cost, landing) if math.isfinite(v)]
    lowest = min([*values, float(finite.min())] if finite.size else values, default=0.0)
    needed = max([*values, lowest]) - lowest
    top = max([*values, float(finite.max())] if finite.size else [*values, lowest])
    top = min(top, lowest + spread * max(needed, rise))
    if not top - lowest > 4 * np.spacing(max(abs(lowest), abs(top))):
        half = max(abs(lowest) * 1e-6, rise, 1e-300)
        lowest, top = lowest - half, top + half
    pad = 0.05 * (top - lowest)
    return (lowest - pad, top + pad) if math.isfinite(pad) else (lowest, top)


def minimum_along(
    problem: Problem, theta: Vector, component: int, around: Range, points: int = 21
) -> float | None:
    """Roughly where `J` is least along one parameter, looked for within one and then five
    widths of `around` on either side (on a small sample of a large data set: this only
    places the plot's window).

    Returns None when the least value found is at the edge of the search (the minimum is
    further away, or there is none, as on separable data).
    """
    lo, hi = around
    budget = MAX_EVALUATIONS // 8
    for reach in (1.0, 5.0):
        ws = np.linspace(lo - reach * (hi - lo), hi + reach * (hi - lo), points)
        best = _least(_costs_along(problem, theta, component, ws, budget))
        if best is not None and 0 < best < points - 1:
            fine = np.linspace(ws[best - 1], ws[best + 1], points)
            best = _least(_costs_along(problem, theta, component, fine, budget))
            return None if best is None else float(fine[best])
    return None


def lowest_near(problem: Problem, theta: Vector, around: list[Range], rounds: int = 3) -> Vector:
    """Roughly the lowest point near `theta`: `minimum_along` each parameter in turn,
    `rounds` times, each searched around its interval in `around`."""
    theta = np.array(theta, dtype=np.float64)
    for _ in range(rounds):
        for j, view in enumerate(around):
            best = minimum_along(problem, theta, j, view)
            if best is not None:
                theta[j] = best
    return theta


def _least(costs: Vector) -> int | None:
    """Where the lowest finite cost is, or None when none is finite."""
    finite = np.isfinite(costs)
    return int(np.argmin(np.where(finite, costs, np.inf))) if finite.any() else None


def window(values: Iterable[float], hint: Range | None = None, margin: float = 0.1) -> Range:
    """An axis interval that shows every one of `values` (non-finite ones are ignored).

    The `hint` (a scenario's `w_range`) is kept as it is unless a value falls outside it;
    then it grows, with a margin, just enough to show that value.
    """
    finite = [v for v in values if math.isfinite(v)]
    if hint is not None:
        lo, hi = hint
        low, high = min(finite, default=lo), max(finite, default=hi)
        pad = margin * max(hi - lo, high - low)
        return (lo if low >= lo else low - pad, hi if high <= hi else high + pad)
    if not finite:
        return (-1.0, 1.0)
    lo, hi = min(finite), max(finite)
    span = hi - lo
    if span <= 1e-9 * max(abs(lo), abs(hi)):
        half = max(abs(lo), 1.0) / 2
        return (lo - half, hi + half)
    return (lo - margin * span, hi + margin * span)


def cost_window(costs: Vector, keep: Iterable[float], spread: float = 3.0) -> Range:
    """A `J` interval that shows the lowest cost of `costs` and each of `keep`.

    Above the highest of those it shows at most `spread` times their spread more, so one
    enormous value (a diverging run) never flattens the picture; whatever lies above is
    drawn at the edge or left out.
    """
    finite = costs[np.isfinite(costs)]
    must = [float(c) for c in keep if math.isfinite(c)]
    if finite.size:
        must.append(float(finite.min()))
    if not must:
        return (0.0, 1.0)
    lo, hi = min(must), max(must)
    ceiling = hi + spread * max(hi - lo, 1e-12 * abs(hi))
    top = float(finite.max()) if finite.size else hi
    hi = max(hi, min(top, ceiling)) if math.isfinite(ceiling) else max(hi, top)
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1e-300):
        half = max(abs(hi) * 0.1, 1e-9)
        lo, hi = lo - half, hi + half
    pad = 0.05 * (hi - lo)
    return (lo - pad, hi + pad) if math.isfinite(pad) else (lo, hi)


def grown(view: Range, needed: Range, margin: float = 0.25) -> Range:
    """`view` if it holds `needed`; else grown past `needed`, on each side where it falls
    short, by `margin` times the span of the two together (so that it need not grow again
    for a while)."""
    lo, hi = view
    if lo <= needed[0] and needed[1] <= hi:
        return view
    span = max(hi, needed[1]) - min(lo, needed[0])
    if needed[0] < lo:
        lo = needed[0] - margin * span
    if needed[1] > hi:
        hi = needed[1] + margin * span
    return (lo, hi)


def beyond(values: Vector, cost_range: Range) -> Vector:
    """`values` with everything far outside `cost_range` pulled in to one height past it.

    Plotext draws a line to every point it is given, pixel by pixel; a cost of 1e300 would
    take forever, and past the edge a point is not drawn anyway.
    """
    lo, hi = cost_range
    span = hi - lo
    out = np.nan_to_num(values, nan=np.inf)
    return np.clip(out, lo - span, hi + span)


def tangent_line(
    w: float, cost: float, dw: float, w_range: Range, cost_range: Range | None = None
) -> tuple[Vector, Vector]:
    """The two ends of the tangent through `(w, cost)` with slope `dw`, cut to the plot.

    Returns empty arrays when the slope is not finite or the line misses the plot.
    """
    if not all(map(math.isfinite, (w, cost, dw))):
        return np.empty(0), np.empty(0)
    lo, hi = w_range
    if cost_range is not None and dw != 0.0:
        ends = [w + (edge - cost) / dw for edge in cost_range]
        lo, hi = max(lo, min(ends)), min(hi, max(ends))
    if not lo <= hi:
        return np.empty(0), np.empty(0)
    xs = np.array([lo, hi])
    return xs, cost + dw * (xs - w)


def tangent_segment(
    w: float, cost: float, dw: float, x_range: Range, y_range: Range, cols: int, rows: int,
    length: float = 0.25,
) -> tuple[Vector, Vector]:  # fmt: skip
    """A short piece of the tangent through `(w, cost)` with slope `dw`, centred on the
    point and `length` times the plot's width long as it looks on screen (a character
    cell is about twice as tall as it is wide), whatever the slope.

    Returns empty arrays when the point or the slope is not finite.
    """
    if not all(map(math.isfinite, (w, cost, dw))):
        return np.empty(0), np.empty(0)
    across = cols / (x_range[1] - x_range[0])
    up = 2 * rows / (y_range[1] - y_range[0])
    with np.errstate(all="ignore"):
        half = 0.5 * length * cols / math.hypot(across, dw * up)
    if not (math.isfinite(half) and half > 0):
        return np.empty(0), np.empty(0)
    xs = np.array([w - half, w + half])
    return xs, cost + dw * (xs - w)


def ticks(lo: float, hi: float, count: int) -> tuple[list[float], list[str]]:
    """About `count` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) in
    `[lo, hi]` and short labels for them: `0.25`, `1500`, `-3e150`.

    Plotext's own labels print every digit, which at 1e150 would not fit on any screen.
    """
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [lo], [f"{lo:.4g}"]
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    mantissa = next((m for m in (1.0, 2.0, 2.5, 5.0) if m * power >= raw), 10.0)
    step = mantissa * power
    first = math.ceil(lo / step)
    values = [k * step for k in range(first, math.floor(hi / step) + 1)]
    extra = 1 if mantissa == 2.5 else 0
    decimals = max(0, extra - math.floor(math.log10(step)))
    if max(abs(lo), abs(hi)) < 1e6 and decimals <= 4:
        return values, [f"{v:.{decimals}f}" if v else "0" for v in values]
    return values, [_scientific(v, step, extra) for v in values]


#: Characters an axis label may take: more would crowd a small plot.
LABEL_WIDTH = 7


def axis_ticks(lo: float, hi: float, count: int) -> tuple[list[float], list[str], str]:
    """Ticks as `ticks` gives them, unless a label would take more than `LABEL_WIDTH`
    characters (a narrow range far from zero, like 0.4014950 to 0.4014954): then the
    labels are offsets from a round value, in units of a power of ten, and the third item
    says so, to follow the axis's name: `- 0.401495, x1e-7` (else it is empty).
    """
    values, labels = ticks(lo, hi, count)
    short = all(len(label) <= LABEL_WIDTH for label in labels)
    if (short and len(set(labels)) == len(labels)) or not (hi - lo) > 0:
        return values, labels, ""
    step = values[1] - values[0] if len(values) > 1 else hi - lo
    exponent = math.floor(math.log10(step))
    unit = 10.0**exponent
    base = 100 * unit
    shift = 0.0 if lo <= 0.0 <= hi else math.floor(lo / base) * base
    scaled = [round((v - shift) / unit, 1) for v in values]
    labels = [f"{s:.1f}".rstrip("0").rstrip(".") if s else "0" for s in scaled]
    parts = []
    if shift:
        digits = max(1, math.floor(math.log10(abs(shift))) - exponent - 1)
        parts.append(f"{'-' if shift > 0 else '+'} {abs(shift):.{digits}g}".replace("e+", "e"))
    if exponent:
        parts.append(f"x1e{exponent}")
    return values, labels, ", ".join(parts)


def axis_note(name: str, note: str) -> str:
    """`J - 0.401495, x1e-7` or `J, x1e-9`: how to read an axis's labels (see
    `axis_ticks`); empty when they are read as they are."""
    if not note:
        return ""
    return f"{name} {note}" if note[0] in "+-" else f"{name}, {note}"


def _scientific(value: float, step: float, extra: int) -> str:
    """`value` as `2.5e5` or `-1e150`, with the digits that tell it from its neighbours."""
    if value == 0:
        return "0"
    digits = math.floor(math.log10(abs(value))) - math.floor(math.log10(step)) + extra
    mantissa, exponent = f"{value:.{min(max(digits, 0), 6)}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def fit(parts: Sequence[str], width: int, separator: str = "  ") -> str:
    """As many of `parts`, in order, as fit in `width` columns (the first one cut short if
    it alone is too long): plotext leaves out a title or label that does not fit."""
    text = ""
    for part in parts:
        joined = f"{text}{separator}{part}" if text else part
        if len(joined) > width:
            break
        text = joined
    if not text:
        first = parts[0] if parts else ""
        text = first if len(first) <= width else first[: max(width - 1, 0)] + "…"
    return text


def heading(parts: Sequence[str], notes: Sequence[str], width: int) -> str:
    """A plot's title: `parts` with the axes' `notes` after the first, as many as fit in
    `width` columns; the notes come first when they would not fit otherwise, since
    without them the labels read wrong; when even that does not fit, `parts` alone."""
    if not notes:
        return fit(parts, width, "   ")
    for order in ([*parts[:1], *notes, *parts[1:]], [*notes, *parts]):
        title = fit(order, width, "   ")
        if all(note in title for note in notes):
            return title
    # No room: the plot leaves those labels out (a note cut short reads as nonsense).
    return fit(parts, width, "   ")


# -- J step by step -------------------------------------------------------------------------


def history_scale(costs: Vector) -> Literal["linear", "log"]:
    """`log` when the costs are not negative and the positive ones span two decades."""
    finite = costs[np.isfinite(costs)]
    positive = finite[finite > 0]
    if positive.size < 2 or (finite < 0).any():
        return "linear"
    return "log" if positive.max() >= 100.0 * positive.min() else "linear"


def log_floor(costs: Vector) -> Vector:
    """`costs` with zeros raised to the lowest positive cost, so a log axis can draw them."""
    positive = costs[costs > 0]
    return np.maximum(costs, positive.min()) if positive.size else costs


def log_ticks(lo: float, hi: float, count: int) -> tuple[list[float], list[str]]:
    """Ticks for an axis of `log10(J)` from `lo` to `hi`: whole powers of ten, every one or
    every few, labelled with the value itself (`0.01`, `1`, `1e-6`)."""
    first, last = math.ceil(lo), math.floor(hi)
    every = max(1, math.ceil((last - first + 1) / max(count, 1)))
    exponents = list(range(first, last + 1, every)) or [round((lo + hi) / 2)]
    labels = [f"{10.0**k:g}" if -3 <= k <= 3 else f"1e{k}" for k in exponents]
    return [float(k) for k in exponents], labels


def downsample(costs: Vector, buckets: int) -> tuple[Vector, Vector]:
    """At most `2 * buckets` points that draw like `costs` does: each bucket of steps keeps
    its lowest and highest cost, so a one-step spike still shows.

    Returns:
        Step numbers and costs.
    """
    n = len(costs)
    if n <= 2 * buckets:
        return np.arange(n, dtype=np.float64), costs
    starts = np.linspace(0, n, buckets + 1).astype(np.intp)
    low = np.minimum.reduceat(costs, starts[:-1])
    high = np.maximum.reduceat(costs, starts[:-1])
    falling = costs[starts[:-1]] >= costs[starts[1:] - 1]
    steps = np.column_stack((starts[:-1], starts[1:] - 1)).astype(np.float64)
    values = np.where(falling[:, None], np.column_stack((high, low)), np.column_stack((low, high)))
    return steps.ravel(), values.ravel()


class CostSummary:
    """A run's costs as the history plot needs them, kept up to date as the run grows.

    `history_scale` and `downsample` read every cost, which after a long continue is a
    millisecond or more each step. Costs are only ever appended (a branch makes a new
    summary), so this keeps what they compute as running totals: the positive extremes for
    the scale, and blocks of `size` steps with their lowest, highest, first and last cost,
    of which a new step changes only the last. `size` is a power of two, doubled (pairs of
    blocks merged) whenever there would be more than `2 * buckets` blocks.

    Args:
        buckets: The plot's columns: it draws between `buckets` and `2 * buckets` blocks.
    """

    def __init__(self, buckets: int) -> None:
        self.buckets = max(buckets, 1)
        self.steps = 0
        """How many costs have been added."""
        self.size = 1
        """Steps per block."""
        self._low: list[float] = []
        self._high: list[float] = []
        self._first: list[float] = []
        self._last: list[float] = []
        self._positives = 0
        self._positive_range = (math.inf, -math.inf)
        self._negative = False

    @property
    def last(self) -> float:
        """The last cost added (nan before any)."""
        return self._last[-1] if self._last else math.nan

    def extend(self, costs: Vector) -> None:
        """Add the costs of the steps after the last one added."""
        if not len(costs):
            return
        finite = costs[np.isfinite(costs)]
        positive = finite[finite > 0]
        if positive.size:
            low, high = self._positive_range
            self._positive_range = (
                min(low, float(positive.min())),
                max(high, float(positive.max())),
            )
            self._positives += positive.size
        self._negative = self._negative or bool((finite < 0).any())
        done = 0
        while done < len(costs):
            filled = self.steps % self.size
            if filled:  # the last block has room: fill it first
                part = costs[done : done + self.size - filled]
                low, high = _finite_extremes(part)
                self._low[-1] = float(np.fmin(self._low[-1], low))
                self._high[-1] = float(np.fmax(self._high[-1], high))
                self._last[-1] = float(part[-1])
            else:  # new blocks, no more than can be merged right after
                room = 2 * self.buckets + 1 - len(self._low)
                part = costs[done : done + self.size * max(room, 1)]
                self._add_blocks(part)
            done += len(part)
            self.steps += len(part)
            while len(self._low) > 2 * self.buckets:
                self._merge_pairs()

    def _add_blocks(self, costs: Vector) -> None:
        """Costs that start a new block, as blocks of `size` (the last may be short)."""
        full = len(costs) // self.size
        if full:
            grid = costs[: full * self.size].reshape(full, self.size)
            finite = np.where(np.isfinite(grid), grid, np.nan)
            self._low += np.fmin.reduce(finite, axis=1).tolist()
            self._high += np.fmax.reduce(finite, axis=1).tolist()
            self._first += grid[:, 0].tolist()
            self._last += grid[:, -1].tolist()
        if len(costs) > full * self.size:
            rest = costs[full * self.size :]
            low, high = _finite_extremes(rest)
            self._low.append(low)
            self._high.append(high)
            self._first.append(float(rest[0]))
            self._last.append(float(rest[-1]))

    def _merge_pairs(self) -> None:
        """Blocks twice as long: each pair of blocks becomes one."""
        odd = len(self._low) % 2
        pairs = len(self._low) - odd
        low, high = np.array(self._low), np.array(self._high)
        self._low = np.fmin(low[0:pairs:2], low[1:pairs:2]).tolist() + self._low[pairs:]
        self._high = np.fmax(high[0:pairs:2], high[1:pairs:2]).tolist() + self._high[pairs:]
        self._first = self._first[0::2]
        self._last = self._last[1:pairs:2] + self._last[pairs:]
        self.size *= 2

    def scale(self) -> Literal["linear", "log"]:
        """What `history_scale` says of all the costs added."""
        if self._positives < 2 or self._negative:
            return "linear"
        low, high = self._positive_range
        return "log" if high >= 100.0 * low else "linear"

    def series(self) -> tuple[Vector, Vector]:
        """Step numbers and costs to draw, as `downsample` gives them: every cost of a short
        run; for a long one, the lowest and highest of each block, in the order they came."""
        if self.size == 1:
            return np.arange(self.steps, dtype=np.float64), np.array(self._first)
        starts = np.arange(len(self._low)) * self.size
        ends = np.minimum(starts + self.size, self.steps) - 1
        low, high = np.array(self._low), np.array(self._high)
        falling = np.array(self._first) >= np.array(self._last)
        steps = np.column_stack((starts, ends)).astype(np.float64)
        values = np.where(
            falling[:, None], np.column_stack((high, low)), np.column_stack((low, high))
        )
        return steps.ravel(), values.ravel()


def _finite_extremes(costs: Vector) -> tuple[float, float]:
    """The lowest and highest finite cost (nan for none)."""
    finite = costs[np.isfinite(costs)]
    return (float(finite.min()), float(finite.max())) if finite.size else (math.nan, math.nan)


# -- J over the (w, b) plane ----------------------------------------------------------------


def has_surface(problem: Problem) -> bool:
    """Whether `J` has exactly two parameters, `w` and `b`, to draw as a surface."""
    return problem.n_w == 1 and problem.has_b


def cost_grid(
    problem: Problem, ws: Vector, bs: Vector, budget: int = MAX_SURFACE_EVALUATIONS
) -> tuple[Vector, int | None]:
    """`J` at every `(w, b)` of a grid, for a two-parameter problem.

    Returns:
        An array with one row per `b` and one column per `w`, and the rows of data used
        when a large data set was sampled (None when all were used).
    """
    W, B = np.meshgrid(ws, bs)
    if isinstance(problem, CurveProblem):
        with np.errstate(all="ignore"):
            return problem.expression.grid(W, B), None
    if not isinstance(problem, DataProblem):
        flat = [problem.cost(np.array((w, b))) for w, b in zip(W.ravel(), B.ravel(), strict=True)]
        return np.array(flat).reshape(W.shape), None
    x, y = problem.X[:, 0], problem.y
    rows = sample_size(problem, W.size, budget)
    if rows is not None:
        index = _sample_rows(problem.m, rows)
        x, y = x[index], y[index]
    out = np.empty(W.size)
    block = max(1, _BLOCK // len(y))
    with np.errstate(all="ignore"):
        for start, stop in ((s, s + block) for s in range(0, W.size, block)):
            z = W.ravel()[start:stop, None] * x + B.ravel()[start:stop, None]
            out[start:stop] = problem.cost_of_scores(z, y)
    return out.reshape(W.shape), rows


def upsample(grid: Vector, shape: tuple[int, int]) -> Vector:
    """`grid` interpolated linearly to `shape` (rows, columns), corners kept."""
    rows, cols = grid.shape
    across = np.linspace(0, cols - 1, shape[1])
    wide = np.array([np.interp(across, np.arange(cols), row) for row in grid])
    down = np.linspace(0, rows - 1, shape[0])
    return np.array([np.interp(down, np.arange(rows), col) for col in wide.T]).T


def level_sets(grid: Vector, levels: int = 6) -> list[tuple[NDArray[np.intp], ...]]:
    """The cells of `grid` on each contour, for drawing contours as points.

    Levels are quantiles of the grid's finite values, so each band covers about the same
    area however steep the bowl. A cell is on the contour of its band when a neighbouring
    cell lies in a higher band.

    Returns:
        For each level, lowest first, the (row, column) indices of its cells.
    """
    finite = grid[np.isfinite(grid)]
    if finite.size == 0:
        return []
    cuts = np.unique(np.quantile(finite, np.linspace(0, 1, levels + 2)[1:-1]))
    band = np.searchsorted(cuts, np.where(np.isfinite(grid), grid, np.inf))
    below = np.zeros(grid.shape, dtype=bool)
    below[:, :-1] |= band[:, 1:] > band[:, :-1]
    below[:, 1:] |= band[:, :-1] > band[:, 1:]
    below[:-1, :] |= band[1:, :] > band[:-1, :]
    below[1:, :] |= band[:-1, :] > band[1:, :]
    return [np.nonzero(below & (band == level)) for level in range(len(cuts))]


# -- braille dots ------------------------------------------------------------------------

#: The bit of each dot of a braille character (U+2800 + bits), by row from the top and column.
_DOTS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)


#: A layer's `joined` that draws a dashed line.
DASHED: Final = "dashed"

#: How a layer's points are drawn: joined by a line (True), alone (False), or `DASHED`.
Joined = bool | str


def braille(
    layers: Sequence[tuple[Vector, Vector, Joined]],
    x_range: Range,
    y_range: Range,
    cols: int,
    rows: int,
) -> tuple[NDArray[np.uint8], NDArray[np.intp]]:
    """Draw points and lines as braille dots, two across and four down a character cell.

    Dot `i` across sits at `x_range[0] + i * width / (2 * cols - 1)`, and likewise down, as
    plotext places its own braille markers, so both line up in one figure.

    All layers are drawn in one pass of numpy calls (a pass a layer took most of the time
    of a figure's few short layers: the tangent, the arrow): each point and each piece of a
    line carries the index of its layer.

    Args:
        layers: Each `(xs, ys, joined)`: points, joined by straight lines when `joined`
            (by dashes, two dots on and four off, when it is `DASHED`). Non-finite
            points are left out (a line breaks there).
        x_range: The data at the left and right edge.
        y_range: The data at the bottom and top edge.
        cols: Character cells across.
        rows: Character cells down.

    Returns:
        For each cell, bottom row first, the braille bits set in it (0: none) and the last
        layer that drew in it (-1: none).
    """
    bits = np.zeros((rows, cols), dtype=np.uint8)
    owner = np.full((rows, cols), -1, dtype=np.intp)
    if cols < 1 or rows < 1 or not layers:
        return bits, owner
    width, height = 2 * cols, 4 * rows
    xs = [np.asarray(layer[0], np.float64).ravel() for layer in layers]
    ys = [np.asarray(layer[1], np.float64).ravel() for layer in layers]
    sizes = [len(x) for x in xs]
    fx, fy = _dots_at(np.concatenate(xs), np.concatenate(ys), x_range, y_range, width, height)
    finite = np.isfinite(fx) & np.isfinite(fy)
    # Each point's layer; a layer of one point is drawn as a point, joined or not.
    layer = np.repeat(np.arange(len(layers)), sizes)
    joined = np.array([bool(j) and n > 1 for (_, _, j), n in zip(layers, sizes, strict=True)])
    along = joined[layer]
    # A piece of line joins a point to the next in its layer, both finite.
    ok = finite[:-1] & finite[1:] & along[:-1] & (layer[:-1] == layer[1:])
    x0, y0 = fx[:-1][ok], fy[:-1][ok]
    dx, dy = fx[1:][ok] - x0, fy[1:][ok] - y0
    n = np.ceil(np.maximum(np.abs(dx), np.abs(dy))).astype(np.intp) + 1
    segment = np.repeat(np.arange(len(n)), n)
    t = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    t = t / np.maximum(n[segment] - 1, 1)
    px, py = x0[segment] + t * dx[segment], y0[segment] + t * dy[segment]
    owners = layer[:-1][ok][segment]
    dashed = np.array([j == DASHED for _, _, j in layers])
    if dashed.any():  # two dots on, four off, counted along each dashed layer's own dots
        count = np.bincount(owners, minlength=len(layers))
        place = np.arange(len(owners)) - (np.cumsum(count) - count)[owners]
        on = ~dashed[owners] | (place % 6 < 2)
        px, py, owners = px[on], py[on], owners[on]
    alone = finite & ~along
    px = np.concatenate((px, fx[alone]))
    py = np.concatenate((py, fy[alone]))
    owners = np.concatenate((owners, layer[alone]))
    ix, iy, inside = _nearest_dots(px, py, width, height)
    ix, iy, owners = ix[inside], iy[inside], owners[inside]
    cells = (iy // 4, ix // 2)
    np.bitwise_or.at(bits, cells, _DOTS[3 - iy % 4, ix % 2])
    np.maximum.at(owner, cells, owners)  # layers draw in order: the last is the highest
    return bits, owner


def cells_of(
    xs: Vector, ys: Vector, x_range: Range, y_range: Range, cols: int, rows: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:
    """The cell each point falls in, as `braille` draws a point alone (not joined): a
    marker put there covers its dot.

    Returns:
        Each point's row (bottom first) and column, and whether `braille` draws it at all
        (a point off the canvas or not finite is not drawn: its cell means nothing).
    """
    fx, fy = _dots_at(xs, ys, x_range, y_range, 2 * cols, 4 * rows)
    with np.errstate(invalid="ignore"):
        ix, iy, inside = _nearest_dots(fx, fy, 2 * cols, 4 * rows)
    return iy // 4, ix // 2, inside & np.isfinite(fx) & np.isfinite(fy)


def _dots_at(
    xs: Vector, ys: Vector, x_range: Range, y_range: Range, width: int, height: int
) -> tuple[Vector, Vector]:
    """Where points fall among `width` x `height` dots, near the canvas."""
    with np.errstate(all="ignore"):
        fx: Vector = (width - 1) * (np.asarray(xs, np.float64) - x_range[0])
        fx = fx / (x_range[1] - x_range[0])
        fy: Vector = (height - 1) * (np.asarray(ys, np.float64) - y_range[0])
        fy = fy / (y_range[1] - y_range[0])
    # Far outside, a point only sets the direction of its line: keep it near (as np.clip
    # would, which takes longer to call than to compute).
    return (
        np.minimum(np.maximum(fx, -width), 2 * width),
        np.minimum(np.maximum(fy, -height), 2 * height),
    )


def _nearest_dots(
    px: Vector, py: Vector, width: int, height: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:
    """The dot nearest each position, and whether it is on the canvas."""
    ix, iy = np.floor(px + 0.5).astype(np.intp), np.floor(py + 0.5).astype(np.intp)
    inside = (ix >= 0) & (ix < width) & (iy >= 0) & (iy < height)
    return ix, iy, inside


# -- the recent path ------------------------------------------------------------------------


class PathCache:
    """The parameters of recently shown steps, so a trail need not replay the run.

    A session rebuilds a step by replaying updates from a checkpoint, which for a large
    data set costs a pass over it per step. Stepping one at a time, every step of a trail
    has already been shown, so its `theta` is kept here; only after a jump are missing
    steps asked of the session, once. A kept step whose recorded cost no longer matches
    (the run branched there) is dropped.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._session: Session | None = None
        self._steps: dict[int, tuple[float, Vector]] = {}

    def remember(self, session: Session, snapshot: Snapshot) -> None:
        """Keep `snapshot` as the step it is of `session`."""
        if session is not self._session:
            self._session, self._steps = session, {}
        self._steps[snapshot.step] = (snapshot.cost, snapshot.theta)

    def trail(self, session: Session, snapshot: Snapshot, length: int) -> Vector:
        """`theta` at up to `length` steps ending with `snapshot`, one row a step."""
        self.remember(session, snapshot)
        start = max(session.first, snapshot.step - length + 1)
        steps = range(start, snapshot.step + 1)
        costs = session.costs(start, snapshot.step + 1)
        kept = self._steps
        missing = [
            k for k, cost in zip(steps, costs, strict=True) if kept.get(k, (None,))[0] != cost
        ]
        if missing:
            replayed = session.path(missing[0], missing[-1] + 1)
            for k, theta in enumerate(replayed, start=missing[0]):
                kept[k] = (float(costs[k - start]), theta)
        if len(kept) > max(self.size, length):
            for k in sorted(kept, key=lambda k: abs(k - snapshot.step))[max(self.size, length) :]:
                del kept[k]
        return np.array([kept[k][1] for k in steps])
