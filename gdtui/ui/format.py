"""The debugger's words and numbers: pure text, no Textual, so every sentence is unit-tested.

A student reads these lines next to the lesson, so they use its names (`w`, `b`, `dw`, `db`,
`alpha`, `J(w,b)`) and its rule `w := w - alpha*dw`, with the numbers of the step put in.
Direction is always written out in words and arrows, never left to colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from gdtui.engine.session import PARAMETER_LIMIT, DivergenceCause
from gdtui.engine.snapshot import LEFT, MOVE_WORDS, RIGHT, STAY, Layout, Snapshot
from gdtui.lesson.ghost import Ghost

#: What the arrows for a move look like (its words are the engine's `MOVE_WORDS`).
ARROWS = {LEFT: "←", RIGHT: "→", STAY: "·"}

#: Per optimizer: what stands in for `dw` in `w := w - alpha*(...)` (Andrew Ng's names), and
#: what that symbol means. `{d}` is the slope's name (`dw`, `db`, `dw[1]`).
STEP_SYMBOLS: dict[str, tuple[str, str]] = {
    "gd": ("{d}", ""),
    "momentum": ("v_{d}", "v_{d} = {momentum:g}*v_{d} + {d}: the velocity, slopes remembered"),
    "nesterov": (
        "({d} + {momentum:g}*v_{d})",
        "v_{d} = {momentum:g}*v_{d} + {d}: the velocity; the step looks one velocity ahead",
    ),
    "adagrad": ("{d}/sqrt(G_{d})", "G_{d}: the sum of every squared slope so far"),
    "rmsprop": ("{d}/sqrt(s_{d})", "s_{d}: a running average of squared slopes"),
    "adam": ("v_{d}/sqrt(s_{d})", "v_{d}, s_{d}: running averages of {d} and {d}², bias-corrected"),
}

#: Why a method can step against the slope: only those with a velocity can.
AGAINST_THE_SLOPE = {
    "momentum": "the velocity built up on earlier steps carries it on",
    "nesterov": "the velocity built up on earlier steps carries it on",
    "adam": "its running average of slopes still points the other way",
}


def number(value: float, signed: bool = False, more: int = 0) -> str:
    """A value the way the debugger shows it: three decimals, or scientific when small or huge.

    Args:
        value: The number.
        signed: Write `+` before positive numbers (slopes read better signed).
        more: Digits beyond the usual three decimals (or the mantissa's three): `pair`
            adds them until two values that differ look different.

    Returns:
        Text such as `0.500`, `+2.400`, `-1.250e-05`, `inf` or `nan`.
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return ("+inf" if signed else "inf") if value > 0 else "-inf"
    size = abs(value)
    if size == 0 or SMALL <= size < 1e5:
        text = f"{value:.{3 + more}f}"
    else:
        # Three-digit exponents (a diverging run) give up a decimal to keep ten columns.
        digits = 2 if size >= 1e100 or size < 1e-99 else 3
        text = f"{value:.{digits + more}e}"
    if not text.lstrip("-0."):
        text = text.lstrip("-")  # never "-0.000"
    return f"+{text}" if signed and not text.startswith("-") and value != 0 else text


#: Below this size a value is written in scientific notation: with three decimals,
#: `dw = -0.00122` would read `-0.001` and lose two of its three digits.
SMALL = 0.01

#: The most digits `pair` adds: 3 + 16 decimals of a mantissa are 17 significant digits,
#: which tell any two different floats apart.
MOST_MORE = 16


def pair(old: float, new: float, signed: bool = False) -> tuple[str, str]:
    """Two values, `old` and `new`, with enough digits that they look different if they are.

    `w` going from 1.42500 to 1.42537 is written `1.4250` and `1.4254`, not `1.425` twice.
    Both get the same number of extra digits, so they read as a pair.

    Args:
        old: The value before (the last step's, or this step's before the update).
        new: The value after.
        signed: Write `+` before positive numbers.

    Returns:
        The two texts, old first.
    """
    more = more_digits(old, new, signed)
    return number(old, signed, more), number(new, signed, more)


def compact_pair(old: float, new: float) -> tuple[str, str]:
    """Two values in as few significant digits as tell them apart, four at least, for a
    plot's legend where columns are few: `0.75` and `0.8406`; `1.130901` and `1.1309011`."""
    digits = 4
    while old != new and digits < 17 and f"{old:.{digits}g}" == f"{new:.{digits}g}":
        digits += 1
    return f"{old:.{digits}g}", f"{new:.{digits}g}"


def more_digits(old: float, new: float, signed: bool = False) -> int:
    """How many digits beyond the usual `number` needs so that `old` and `new` look
    different when they are (0 when they are equal or not finite)."""
    if old == new or not _finite(old, new):
        return 0
    more = 0
    while more < MOST_MORE and number(old, signed, more) == number(new, signed, more):
        more += 1
    return more


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def alpha_text(alpha: float) -> str:
    """`alpha` as a teacher would write it: `0.10`, `0.05`, `0.001`, `1.50`."""
    if 0.01 <= alpha < 1000 and round(alpha, 2) == alpha:
        return f"{alpha:.2f}"
    return f"{alpha:g}"


def grouped(step: int) -> str:
    """A step count with thousands separators, so 1000000 reads at a glance."""
    return f"{step:,}"


@dataclass(frozen=True)
class Parameter:
    """One parameter of the update as the screen shows it.

    Attributes:
        name: `w`, `b` or `w[j]`.
        slope_name: `dw`, `db` or `dw[j]`.
        value: The parameter at this step.
        slope: Its slope at this step.
        next_value: The parameter after the next update.
        move: Where the next update sends it: left, right or stay.
        downhill: Where the lesson's rule would send it (against the slope).
    """

    name: str
    slope_name: str
    value: float
    slope: float
    next_value: float
    move: str
    downhill: str


def shows_components(layout: Layout) -> bool:
    """Whether `w` is shown component by component (`w[0]`, `w[1]`, ...).

    A logistic regression on one feature has a one-component vector `w`; the lesson writes
    it `w`, and so does the screen.
    """
    return layout.w_is_vector and layout.n_w > 1


def parameters(snapshot: Snapshot, component: int = 0) -> list[Parameter]:
    """The parameters the update panel explains: `w` (or component `component` of a vector
    `w`), then `b` if there is one."""
    layout = snapshot.layout
    theta, grad, new = snapshot.theta, snapshot.grad, snapshot.next_theta
    moves, downhill = snapshot.move, snapshot.downhill
    j = min(max(component, 0), layout.n_w - 1)
    w_move, w_downhill = moves["w"], downhill["w"]
    if isinstance(w_move, list) and isinstance(w_downhill, list):
        w_move, w_downhill = w_move[j], w_downhill[j]
    w_name, dw_name = layout.name(j)
    result = [
        Parameter(w_name, dw_name, float(theta[j]), float(grad[j]), float(new[j]),
                  str(w_move), str(w_downhill)),
    ]  # fmt: skip
    if layout.has_b:
        result.append(
            Parameter("b", "db", float(theta[-1]), float(grad[-1]), float(new[-1]),
                      str(moves["b"]), str(downhill["b"]))
        )  # fmt: skip
    return result


def update_rule(p: Parameter, alpha: float, kind: str = "gd") -> str:
    """The rule with the numbers put in.

    For plain gradient descent this is the lesson's `w := w - alpha*dw = 0.500 -
    0.10*(+2.400) = 0.260`. Other optimizers replace `dw` by what they actually step along,
    worked back from the update they made, so the arithmetic on screen is the true one. The
    old and new values get the digits it takes to show that they differ.
    """
    symbol = STEP_SYMBOLS.get(kind, STEP_SYMBOLS["gd"])[0].format(d=p.slope_name, momentum=0)
    # What the step was taken along, worked back from the step itself: exact for any rule.
    along = p.slope if kind == "gd" else (p.value - p.next_value) / alpha
    old, new = pair(p.value, p.next_value)
    return (
        f"{p.name} := {p.name} - alpha*{symbol} = "
        f"{old} - {alpha_text(alpha)}*({number(along, signed=True)}) = {new}"
    )


def step_symbol_note(kind: str, slope_name: str, params: dict[str, float]) -> str:
    """What the optimizer's symbol means (`v_dw = 0.9*v_dw + dw: ...`); empty for plain GD."""
    note = STEP_SYMBOLS.get(kind, STEP_SYMBOLS["gd"])[1]
    return note.format(d=slope_name, **params) if note else ""


def verdict(p: Parameter, kind: str = "gd", short: bool = False) -> str:
    """The update's direction in words: the lesson's two cases and their mirror.

    `dw > 0: the slope goes up, so w decreases and moves ← LEFT, downhill`. It says which way
    is downhill and which way the step goes; what the step does to J (falls, or overshoots
    and rises) is `outcome`'s sentence, since only the cost where it lands can tell.
    For momentum and Adam the sentence says when the step goes against the slope.

    Args:
        p: The parameter.
        kind: The optimizer.
        short: Leave out the reason (`the slope goes up, so`), where room is short.
    """
    d, name = p.slope_name, p.name
    if math.isnan(p.slope):
        return f"{d} is not a number: there is no slope to follow"
    if p.slope > 0:
        head, reason, goes, rule = f"{d} > 0", "the slope goes up", "decreases", LEFT
    elif p.slope < 0:
        head, reason, goes, rule = f"{d} < 0", "the slope goes down", "increases", RIGHT
    else:
        return f"{d} = 0: the slope is flat, so {name} stays where it is"
    if short:
        reason = ""
    if p.move == STAY:
        if short:
            return f"{head}: the step is too small to change {name} any more"
        return f"{head}: {reason}, but the step is too small to change {name} any more"
    if p.move == rule:
        if kind == "gd":
            so = f"{reason}, so " if reason else ""
            return f"{head}: {so}{name} {goes} and moves {MOVE_WORDS[rule]}, downhill"
        and_ = f"{reason}, and " if reason else ""
        return f"{head}: {and_}{name} moves {MOVE_WORDS[rule]}, downhill"
    why = AGAINST_THE_SLOPE.get(kind, "this optimizer's state points the other way")
    if short:
        return f"{head}, yet {name} moves {MOVE_WORDS[p.move]}, AGAINST the slope"
    return f"{head}: {reason}, yet {name} moves {MOVE_WORDS[p.move]}, AGAINST the slope: {why}"


#: Optimizers whose step carries a velocity (a running sum or average of slopes): a rise of
#: J is then most often the velocity's doing, not alpha's.
VELOCITY = frozenset({"momentum", "nesterov", "adam"})


@dataclass(frozen=True)
class Outcome:
    """What the next update does to the cost, as the update panel's last line says it.

    Attributes:
        tone: `falls`, `crosses` (past the bottom, yet J falls), `overshoots` (J rises on a
            downhill step), `uphill` (J rises on a step against the slope), `stays`,
            `undefined` (J is not a number where it lands) or `overflows` (J is infinite there).
        full: The line with every clause.
        short: The line for a narrow panel.
    """

    tone: str
    full: str
    short: str


def outcome(
    explained: Sequence[Parameter],
    cost: float,
    landing_cost: float,
    landing_slopes: Sequence[float],
    kind: str = "gd",
) -> Outcome:
    """The landing cost `J(next)`, its change, and what the step does, in words.

    Args:
        explained: The parameters the panel explains (`w` or `w[j]`, then `b`).
        cost: J at this step.
        landing_cost: J where the update lands (`Session.landing_cost`).
        landing_slopes: The explained parameters' slopes where the update lands, in the
            same order: a slope that turns sign means the step crossed the bottom.
        kind: The optimizer.

    Returns:
        The outcome: e.g. `J(next) = 16.000 (+12.000 ▲): alpha is so large that the step
        overshoots the minimum: J rises 4.000 → 16.000`.
    """
    if math.isnan(landing_cost):
        where = ", ".join(f"{p.name} = {number(p.next_value)}" for p in explained)
        text = f"J(next) is not a number: the step lands at {where}, where J is undefined"
        return Outcome("undefined", text, "J(next) is not a number: J is undefined there")
    if math.isinf(landing_cost) and math.isfinite(cost):
        text = "J(next) overflows: the step lands where J is beyond the numbers a float holds"
        return Outcome("overflows", text, "J(next) overflows")
    old, new = pair(cost, landing_cost)
    change = landing_cost - cost
    head = f"J(next) = {new}"
    if math.isfinite(change) and change != 0:
        head += f" ({number(change, signed=True)} {cost_arrow(change)})"
    moved = [p for p in explained if p.move != STAY]
    crossed = [
        p.name
        for p, slope in zip(explained, landing_slopes, strict=True)
        if p.move != STAY and p.slope * slope < 0
    ]
    against = any(p.move != p.downhill for p in moved)
    if change > 0:
        rises = f"J rises {old} → {new}"
        if against:
            tone, why, gist = "uphill", "the velocity carries the step uphill", "it goes uphill"
        elif kind in VELOCITY:
            tone = "overshoots"
            why = "the velocity built up on earlier steps overshoots the minimum"
            gist = "the velocity overshoots"
        else:
            tone = "overshoots"
            why = "alpha is so large that the step overshoots the minimum"
            gist = "the step overshoots the minimum"
        return Outcome(tone, f"{head}: {why}: {rises}", f"{head}: {gist}")
    if change < 0:
        falls = f"J falls {old} → {new}"
        if crossed:
            who = " and ".join(crossed)
            verb = "crosses" if len(crossed) == 1 else "cross"
            return Outcome(
                "crosses",
                f"{head}: {who} {verb} the minimum (the slope turns sign), yet {falls}",
                f"{head}: {who} {verb} the minimum, yet J falls",
            )
        return Outcome("falls", f"{head}: {falls}", f"{head}: J falls")
    if not moved:
        return Outcome("stays", f"{head}: nothing moves, J stays", f"{head}: nothing moves")
    return Outcome(
        "stays",
        f"{head}: J stays the same, to every digit a float has",
        f"{head}: J stays the same",
    )


def point(snapshot: Snapshot) -> str:
    """Where a step is, in the lesson's names: `w = -1.000`, `w = 0.500, b = 2.000`; a
    vector `w` is `this (w, b)`."""
    layout = snapshot.layout
    if shows_components(layout):
        return "this (w, b)" if layout.has_b else "this w"
    text = f"w = {number(float(snapshot.theta[0]))}"
    if layout.has_b:
        text += f", b = {number(float(snapshot.theta[-1]))}"
    return text


#: `PARAMETER_LIMIT` as the screen writes it: `1e150`.
LIMIT_TEXT = f"1e{round(math.log10(PARAMETER_LIMIT))}"


#: Why an update cannot be made, as the screen tells it: the engine's causes, and
#: `too_large` (see `shown_cause`).
ShownCause = DivergenceCause | Literal["too_large"]


def shown_cause(
    cause: DivergenceCause | None, snapshot: Snapshot, landing: float
) -> ShownCause | None:
    """Why the update from `snapshot` cannot be made (`Session.divergence`), as the screen
    tells it: `too_large` where the engine says `overflow` but nothing has overflowed yet.
    The run stops before a parameter passes `PARAMETER_LIMIT` (beyond it, J of a quadratic
    soon leaves the numbers a float holds), so an update can be refused whose new values,
    and J there (`landing`), are still finite numbers.
    """
    if cause != "overflow" or not math.isfinite(landing):
        return cause
    finite = all(map(math.isfinite, snapshot.next_theta.tolist()))
    return "too_large" if finite and past_limit(snapshot) else cause


def past_limit(snapshot: Snapshot) -> str:
    """The parameters the update from `snapshot` takes past `PARAMETER_LIMIT`, as a sentence
    names them (`w`, `w and b`); empty when it takes none there."""
    layout = snapshot.layout
    landed = snapshot.next_theta.tolist()
    names = [layout.name(j)[0] for j, x in enumerate(landed) if not abs(x) <= PARAMETER_LIMIT]
    return " and ".join(names)


def divergence_note(cause: ShownCause, snapshot: Snapshot) -> str:
    """Why the update from `snapshot` cannot be made, and what to do: the update panel's
    last line on a diverged step. Only a step that leaves the numbers (or the cost's domain)
    is cured by a smaller alpha."""
    where = point(snapshot)
    if cause == "cost_undefined":
        return (
            f"J is not a number at {where}: the cost is undefined there, so there is no step "
            "to take. Start elsewhere with [ or ]."
        )
    if cause == "slope_undefined":
        return (
            f"The slope is not a number at {where}: there is no direction to step. "
            "Start elsewhere with [ or ]."
        )
    if cause == "landing_undefined":
        return (
            "This update lands where J is not a number (outside the cost's domain). "
            "Lower alpha with -, or step back with b."
        )
    if cause == "too_large":
        return (
            f"{past_limit(snapshot)} would pass ±{LIMIT_TEXT}: gdtui stops there, before J "
            "overflows. Lower alpha with -, or step back with b."
        )
    return (
        "This update diverges: the numbers grow too large to compute. "
        "Lower alpha with -, or step back with b."
    )


def cost_name(has_b: bool) -> str:
    """`J(w,b)`, or `J(w)` for a cost of `w` alone, as in the lesson."""
    return "J(w,b)" if has_b else "J(w)"


def cost_arrow(change: float | None) -> str:
    """`▼` when the cost went down on the last step, `▲` when it went up."""
    if change is None or math.isnan(change) or change == 0:
        return "="
    return "▼" if change < 0 else "▲"


def cost_change(
    change: float | None, kind: str = "gd", step: int = 0, running: bool = False
) -> str:
    """The change of the cost on the last step, in words.

    A rise under momentum, Nesterov or Adam is most often the velocity carrying the step on,
    not too large an alpha: the sentence names the likely cause for the optimizer.

    Args:
        change: J at this step minus J at the step before; None when that is not known.
        kind: The optimizer that made the last step.
        step: The step on screen (says why a change is not known).
        running: Whether a run goes on meanwhile (no earlier step is looked up then).
    """
    if change is None:
        if running:
            return "J's change shows when it pauses"
        if step:  # the first step of the record: a student who joined the class there
            return f"step {grouped(step)}: no step before it here"
        return "step 0: the start, no update made yet"
    if math.isnan(change):
        return "the cost is not a number"
    if change < 0:
        return "▼ J went down on the last step"
    if change > 0:
        if kind in VELOCITY:
            return "▲ J went UP: the velocity carried it on"
        return "▲ J went UP: is alpha too large?"
    return "= J did not change on the last step"


def move_cell(move: dict[str, str | list[str]], component: int = 0) -> str:
    """A step log's move column: `w← b→`, arrows for the selected `w` and for `b`."""
    w_move = move["w"]
    w = w_move[component] if isinstance(w_move, list) else w_move
    cell = f"w{ARROWS[w]}"
    b_move = move.get("b")
    if isinstance(b_move, str):
        cell += f" b{ARROWS[b_move]}"
    return cell


#: The step log's columns and their widths (values right-aligned).
LOG_COLUMNS: dict[str, int] = {
    "step": 6,
    "w": 10,
    "b": 10,
    "dw": 10,
    "db": 10,
    "cost": 10,
    "alpha": 6,
    "move": 6,
}


def log_columns(has_b: bool) -> list[str]:
    """The step log's columns: `b` and `db` only when the cost has a `b`."""
    return [name for name in LOG_COLUMNS if has_b or name not in ("b", "db")]


def log_header(has_b: bool, component: int | None = None) -> list[str]:
    """The step log's column titles; `w[j]`/`dw[j]` when `w` is shown by components."""
    return [
        f"{name}[{component}]" if component is not None and name in ("w", "dw") else name
        for name in log_columns(has_b)
    ]


#: The step log's number columns, and whether each is written with its sign.
LOG_NUMBERS: dict[str, bool] = {"w": False, "b": False, "dw": True, "db": True, "cost": False}


@dataclass(frozen=True)
class LogRow:
    """One step of the step log before it is written out.

    Attributes:
        cells: The cells that are not numbers: `step`, `alpha`, `move`.
        values: The numbers, by column (`w`, `dw`, `cost`, and `b`, `db` if there is a `b`).
        before: The same numbers at the step before (equal to `values` at step 0).
        more: Per number column, the digits this value needs to differ from the row above.
    """

    cells: dict[str, str]
    values: dict[str, float]
    before: dict[str, float]
    more: dict[str, int]


def log_data(snapshot: Snapshot, component: int = 0, previous: Snapshot | None = None) -> LogRow:
    """One step of the step log, its numbers not yet written (see `log_cells`).

    Args:
        snapshot: The step.
        component: The component of a vector `w` shown.
        previous: The step before, if any: each value notes the digits it takes to look
            different from the row above when it is different.
    """
    j = min(component, snapshot.layout.n_w - 1)
    values = {
        "w": float(snapshot.theta[j]),
        "dw": float(snapshot.grad[j]),
        "cost": snapshot.cost,
    }
    if snapshot.layout.has_b:
        values["b"] = float(snapshot.theta[-1])
        values["db"] = float(snapshot.grad[-1])
    before = log_data(previous, component).values if previous is not None else values
    more = {name: more_digits(before[name], v, LOG_NUMBERS[name]) for name, v in values.items()}
    cells = {
        "step": grouped(snapshot.step),
        "alpha": alpha_text(snapshot.alpha),
        "move": move_cell(snapshot.move, j),
    }
    return LogRow(cells, values, before, more)


def log_digits(rows: Sequence[LogRow]) -> dict[str, int]:
    """The digits to add to each number column so that the whole column reads at one
    precision and every value that differs from the row above looks different from it.

    The most any row needs is where to start, not always enough: rounding to one more digit
    can make two values look alike again (0.12346 and 0.12354 are 0.123 and 0.124, but both
    0.1235), so each column is checked and given more digits until it holds.
    """
    more: dict[str, int] = {}
    for row in rows:
        for name, digits in row.more.items():
            more[name] = max(more.get(name, 0), digits)
    for name in more:
        signed = LOG_NUMBERS[name]
        while more[name] < MOST_MORE and any(
            row.before[name] != row.values[name]
            and number(row.before[name], signed, more[name])
            == number(row.values[name], signed, more[name])
            for row in rows
        ):
            more[name] += 1
    return more


def log_cells(
    row: LogRow, more: dict[str, int] | None = None, has_b: bool | None = None
) -> list[str]:
    """A step log row's cells, in the order of `log_columns`.

    Args:
        row: The step.
        more: Digits to add per number column (by default the row's own): the log gives a
            column the most any of its rows needs, so a column reads at one precision.
        has_b: Whether the cost has a `b` (by default: whether the row has one).
    """
    more = row.more if more is None else more
    cells = dict(row.cells)
    for name, value in row.values.items():
        cells[name] = number(value, LOG_NUMBERS[name], more.get(name, 0))
    return [cells[name] for name in log_columns("b" in row.values if has_b is None else has_b)]


def log_row(snapshot: Snapshot, component: int = 0, previous: Snapshot | None = None) -> list[str]:
    """One step as the step log's cells, with the digits it takes to differ from `previous`."""
    return log_cells(log_data(snapshot, component, previous))


def log_widths(rows: Sequence[Sequence[str]], has_b: bool) -> list[int]:
    """The step log's column widths: the usual ones, widened where a row's extra digits
    need more room, so the columns stay straight."""
    widths = [LOG_COLUMNS[name] for name in log_columns(has_b)]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    return widths


def align(cells: Sequence[str], has_b: bool, widths: Sequence[int] | None = None) -> str:
    """Cells padded to the step log's columns (or to `widths`)."""
    if widths is None:
        widths = [LOG_COLUMNS[name] for name in log_columns(has_b)]
    return " ".join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def catching_up(step: int, target: int) -> str:
    """How far a student's catch-up with the teacher has got."""
    return f"catching up with the teacher… step {grouped(step)} of {grouped(target)} (q quits)"


def progress(step: int, max_steps: int) -> str:
    """How far a long continue has got: `continuing… step 12,000 of at most 1,000,000`."""
    return f"continuing… step {grouped(step)} of at most {grouped(max_steps)} (r pauses)"


#: A continue's progress where `progress` would take a second line: the status line shows
#: the step beside it, and where the run stops is said when it stops. One line either way,
#: so stopping does not lay the whole screen out again (39 ms of a stop's repaint at 80x24).
CONTINUING = "continuing… (r pauses)"


def run_state(
    snapshot: Snapshot,
    *,
    diverged: bool,
    tolerance: float,
    max_steps: int,
    hits: Sequence[tuple[str, str]] = (),
    cause: ShownCause | None = None,
    converged_at: int | None = None,
) -> tuple[str, str]:
    """Where a paused run stands, in words: the status line's last part.

    Args:
        snapshot: The step on screen.
        diverged: Whether the update from this step diverges.
        tolerance: The run counts as converged when the slope's length is at most this.
        max_steps: The most steps a run takes.
        hits: The enabled breakpoints that fired on arriving here, as (when, why).
        cause: Why the update diverges (`shown_cause`), if it does.
        converged_at: The first step that converged on the way here
            (`Session.converged_at`); by default this step.

    Returns:
        The tone (`paused`, `converged`, `diverged`, `breakpoint`, `max_steps`) and the text:
        `paused`, `converged at step 70 ...`, `diverged at step 9 ...`, `stopped at breakpoint
        slope_sign_flip: dw changed sign ...` or `reached max steps (1,000)`.
    """
    step = grouped(snapshot.step)
    if diverged:
        if cause == "cost_undefined":
            # Short enough for a 60-column status line; the update panel says the rest.
            return "diverged", f"✗ stopped: J is not a number at {point(snapshot)}"
        if cause == "slope_undefined":
            return "diverged", f"✗ stopped: the slope is not a number at {point(snapshot)}"
        if cause == "landing_undefined":
            return "diverged", "✗ stopped: the next update lands where J is not a number"
        if cause == "too_large":
            past = f"the update takes {past_limit(snapshot)} past ±{LIMIT_TEXT}"
            return "diverged", f"✗ diverged at step {step}: {past}"
        return (
            "diverged",
            f"✗ diverged at step {step}: the next update overflows; last finite values shown",
        )
    if snapshot.grad_norm <= tolerance:
        first = snapshot.step if converged_at is None else min(converged_at, snapshot.step)
        since = "" if first == snapshot.step else f" (this is step {step})"
        return (
            "converged",
            f"✓ converged at step {grouped(first)}: the slope is (almost) zero{since}",
        )
    if hits:
        when, why = hits[0]
        more = f" (+{len(hits) - 1} more)" if len(hits) > 1 else ""
        return "breakpoint", f"● stopped at breakpoint {when}{more}: {why}"
    if snapshot.step >= max_steps:
        return "max_steps", f"■ reached max steps ({grouped(max_steps)})"
    return "paused", "paused"


def ghost_label(ghost: Ghost, now_theta0: Sequence[float], layout: Layout) -> str:
    """What a kept run was run with: `ghost: gd alpha 0.30`; `gd→adam` or `alpha
    0.90→0.30` when it changed on the way; and its start, when the run on screen starts
    elsewhere (`from w=-2 b=0`).

    Args:
        ghost: The kept run.
        now_theta0: Where the run on screen started.
        layout: How a start splits into `w` and `b`.
    """
    alphas = "→".join(alpha_text(a) for a in ghost.alphas)
    text = f"ghost: {'→'.join(ghost.optimizers)} alpha {alphas}"
    theta0 = ghost.theta0.tolist()
    if theta0 != list(now_theta0):
        ws = [f"{w:g}" for w in theta0[: layout.n_w]]
        start = f"w=[{', '.join(ws)}]" if shows_components(layout) else f"w={ws[0]}"
        if layout.has_b:
            start += f" b={theta0[-1]:g}"
        text += f" from {start}"
    return text
