"""The debugger's words and numbers: pure text, no Textual, so every sentence is unit-tested.

A student reads these lines next to the lesson, so they use its names (`w`, `b`, `dw`, `db`,
`alpha`, `J(w,b)`) and its rule `w := w - alpha*dw`, with the numbers of the step put in.
Direction is always written out in words and arrows, never left to colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gdtui.engine.snapshot import LEFT, RIGHT, STAY, Layout, Snapshot

#: What the arrows and words for a move look like.
ARROWS = {LEFT: "←", RIGHT: "→", STAY: "·"}
MOVE_WORDS = {LEFT: "← LEFT", RIGHT: "RIGHT →", STAY: "stays"}

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


def number(value: float, signed: bool = False) -> str:
    """A value the way the debugger shows it: three decimals, or scientific when tiny or huge.

    Args:
        value: The number.
        signed: Write `+` before positive numbers (slopes read better signed).

    Returns:
        Text such as `0.500`, `+2.400`, `-1.250e-05`, `inf` or `nan`.
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return ("+inf" if signed else "inf") if value > 0 else "-inf"
    size = abs(value)
    if size == 0 or 1e-3 <= size < 1e5:
        text = f"{value:.3f}"
    else:
        # Three-digit exponents (a diverging run) give up a decimal to keep ten columns.
        text = f"{value:.2e}" if size >= 1e100 or size < 1e-99 else f"{value:.3e}"
    if text.lstrip("-") == "0.000":
        text = "0.000"  # never "-0.000"
    return f"+{text}" if signed and not text.startswith("-") and value != 0 else text


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
    if shows_components(layout):
        w_name, dw_name = f"w[{j}]", f"dw[{j}]"
    else:
        w_name, dw_name = "w", "dw"
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
    worked back from the update they made, so the arithmetic on screen is the true one.
    """
    symbol = STEP_SYMBOLS.get(kind, STEP_SYMBOLS["gd"])[0].format(d=p.slope_name, momentum=0)
    # What the step was taken along, worked back from the step itself: exact for any rule.
    along = p.slope if kind == "gd" else (p.value - p.next_value) / alpha
    return (
        f"{p.name} := {p.name} - alpha*{symbol} = "
        f"{number(p.value)} - {alpha_text(alpha)}*({number(along, signed=True)}) = "
        f"{number(p.next_value)}"
    )


def step_symbol_note(kind: str, slope_name: str, params: dict[str, float]) -> str:
    """What the optimizer's symbol means (`v_dw = 0.9*v_dw + dw: ...`); empty for plain GD."""
    note = STEP_SYMBOLS.get(kind, STEP_SYMBOLS["gd"])[1]
    return note.format(d=slope_name, **params) if note else ""


def verdict(p: Parameter, kind: str = "gd", short: bool = False) -> str:
    """The update in words, the lesson's two cases and their mirror.

    `dw > 0: the slope goes up, so w decreases and moves ← LEFT, toward lower cost`.
    For momentum and Adam the sentence says when the step goes against the slope.

    Args:
        p: The parameter.
        kind: The optimizer.
        short: Leave out the last clause, `toward lower cost`, where room is short.
    """
    sentence = _verdict(p, kind)
    return sentence.replace(", toward lower cost", "") if short else sentence


def _verdict(p: Parameter, kind: str) -> str:
    d, name = p.slope_name, p.name
    if math.isnan(p.slope):
        return f"{d} is not a number: there is no slope to follow"
    if p.slope > 0:
        head, goes, rule = f"{d} > 0: the slope goes up", "decreases", LEFT
    elif p.slope < 0:
        head, goes, rule = f"{d} < 0: the slope goes down", "increases", RIGHT
    else:
        return f"{d} = 0: the slope is flat, so {name} stays where it is"
    if p.move == STAY:
        return f"{head}, but the step is too small to change {name} any more"
    if p.move == rule:
        if kind == "gd":
            return f"{head}, so {name} {goes} and moves {MOVE_WORDS[rule]}, toward lower cost"
        return f"{head}, and {name} moves {MOVE_WORDS[rule]}, downhill, toward lower cost"
    reason = AGAINST_THE_SLOPE.get(kind, "this optimizer's state points the other way")
    return f"{head}, yet {name} moves {MOVE_WORDS[p.move]}, AGAINST the slope: {reason}"


def cost_name(has_b: bool) -> str:
    """`J(w,b)`, or `J(w)` for a cost of `w` alone, as in the lesson."""
    return "J(w,b)" if has_b else "J(w)"


def cost_arrow(change: float | None) -> str:
    """`▼` when the cost went down on the last step, `▲` when it went up."""
    if change is None or math.isnan(change) or change == 0:
        return "="
    return "▼" if change < 0 else "▲"


def cost_change(change: float | None) -> str:
    """The change of the cost on the last step, in words."""
    if change is None:
        return "step 0: the start, no update made yet"
    if math.isnan(change):
        return "the cost is not a number"
    if change < 0:
        return "▼ J went down on the last step"
    if change > 0:
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


def log_row(snapshot: Snapshot, component: int = 0) -> list[str]:
    """One step as the step log's cells, in the order of `log_columns`."""
    j = min(component, snapshot.layout.n_w - 1)
    cells = {
        "step": grouped(snapshot.step),
        "w": number(float(snapshot.theta[j])),
        "dw": number(float(snapshot.grad[j]), signed=True),
        "cost": number(snapshot.cost),
        "alpha": alpha_text(snapshot.alpha),
        "move": move_cell(snapshot.move, j),
    }
    if snapshot.b is not None and snapshot.db is not None:
        cells["b"] = number(snapshot.b)
        cells["db"] = number(snapshot.db, signed=True)
    return [cells[name] for name in log_columns(snapshot.layout.has_b)]


def align(cells: Sequence[str], has_b: bool) -> str:
    """Cells padded to the step log's columns."""
    widths = [LOG_COLUMNS[name] for name in log_columns(has_b)]
    return " ".join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def progress(step: int, max_steps: int) -> str:
    """How far a long continue has got: `continuing… step 12,000 of at most 1,000,000`."""
    return f"continuing… step {grouped(step)} of at most {grouped(max_steps)} (r pauses)"


def run_state(
    snapshot: Snapshot,
    *,
    diverged: bool,
    tolerance: float,
    max_steps: int,
    hits: Sequence[tuple[str, str]] = (),
) -> tuple[str, str]:
    """Where a paused run stands, in words: the status line's last part.

    Args:
        snapshot: The step on screen.
        diverged: Whether the update from this step diverges.
        tolerance: The run counts as converged when the slope's length is at most this.
        max_steps: The most steps a run takes.
        hits: The enabled breakpoints that fired on arriving here, as (when, why).

    Returns:
        The tone (`paused`, `converged`, `diverged`, `breakpoint`, `max_steps`) and the text:
        `paused`, `converged at step 70 ...`, `diverged at step 9 ...`, `stopped at breakpoint
        slope_sign_flip: dw changed sign ...` or `reached max steps (1,000)`.
    """
    step = grouped(snapshot.step)
    if diverged:
        return (
            "diverged",
            f"✗ diverged at step {step}: the next update overflows; last finite values shown",
        )
    if snapshot.grad_norm <= tolerance:
        return "converged", f"✓ converged at step {step}: the slope is (almost) zero"
    if hits:
        when, why = hits[0]
        more = f" (+{len(hits) - 1} more)" if len(hits) > 1 else ""
        return "breakpoint", f"● stopped at breakpoint {when}{more}: {why}"
    if snapshot.step >= max_steps:
        return "max_steps", f"■ reached max steps ({grouped(max_steps)})"
    return "paused", "paused"
