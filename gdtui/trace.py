"""A run written out step by step: the headless trace and the TUI's export share it.

Three formats:

- `jsonl`: one JSON object per step, from step 0 (the start), then one summary object.
  Floats are written with `repr`, so they read back to the same float64.
- `csv`: one row per step with flat columns (`w[0]`, `w[1]`, ... for vectors), ready for
  `pandas.read_csv`; the summary goes to a separate stream.
- `table`: aligned columns for people, then the summary in words.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from gdtui.engine.session import RunResult, Session
from gdtui.engine.snapshot import Snapshot

FORMATS = ("table", "csv", "jsonl")

#: What each run status means, in a sentence.
STATUS_TEXT = {
    "converged": "converged: the slope is (almost) zero, so the steps have become tiny",
    "diverged": "diverged: the next update would leave the finite numbers",
    "breakpoint": "stopped at a breakpoint",
    "max_steps": "reached max_steps",
    "steps_done": "made every step asked for",
}


def _number(value: float | None) -> float | str | None:
    # JSON has no inf or nan; write them as strings a reader can still float().
    if value is None or math.isfinite(value):
        return value
    return repr(value)


def _vector(value: Any) -> Any:
    if isinstance(value, float) or value is None:
        return _number(value)
    return [_number(float(v)) for v in value]


def step_record(snapshot: Snapshot, hits: tuple[str, ...] = ()) -> dict[str, Any]:
    """One step as a JSON-ready dict: the values at that step and the update that leaves it."""
    return {
        "step": snapshot.step,
        "w": _vector(snapshot.w),
        "b": _number(snapshot.b),
        "dw": _vector(snapshot.dw),
        "db": _number(snapshot.db),
        "cost": _number(snapshot.cost),
        "alpha": snapshot.alpha,
        "optimizer": snapshot.optimizer.kind,
        "move": snapshot.move,
        "breakpoints": list(hits),
    }


def summary_record(session: Session, result: RunResult) -> dict[str, Any]:
    """The last line of a trace: how the run ended."""
    current = session.current
    return {
        "status": result.status,
        "steps": current.step,
        "breakpoint": result.breakpoint,
        "cost": _number(current.cost),
        "message": describe(result),
    }


def describe(result: RunResult) -> str:
    """How a run ended, in words: `diverged at step 12`, `converged at step 85`, ..."""
    if result.status == "breakpoint":
        return f"stopped at step {result.step}: breakpoint {result.breakpoint}"
    if result.status == "diverged":
        return f"diverged at step {result.step}: the next update would overflow"
    return f"{STATUS_TEXT[result.status]} (step {result.step})"


def steps_to_print(session: Session, every: int = 1) -> Iterator[Snapshot]:
    """Every `every`-th step of the run; step 0 and the last step always."""
    last = session.last
    for snapshot in session.snapshots():
        if snapshot.step % every == 0 or snapshot.step == last:
            yield snapshot


def csv_header(session: Session) -> list[str]:
    """The CSV columns for this session's parameters."""
    layout = session.layout
    if layout.w_is_vector:
        w = [f"w[{i}]" for i in range(layout.n_w)]
        dw = [f"dw[{i}]" for i in range(layout.n_w)]
        move = [f"move_w[{i}]" for i in range(layout.n_w)]
    else:
        w, dw, move = ["w"], ["dw"], ["move_w"]
    b = ["b", "db"] if layout.has_b else []
    move_b = ["move_b"] if layout.has_b else []
    return ["step", *w, *b[:1], *dw, *b[1:], "cost", "alpha", "optimizer", *move, *move_b,
            "breakpoints"]  # fmt: skip


def csv_row(snapshot: Snapshot, hits: tuple[str, ...]) -> list[Any]:
    """One CSV row, floats in full precision."""
    theta, grad, layout = snapshot.theta, snapshot.grad, snapshot.layout
    n = layout.n_w
    moves = snapshot.move
    move_w = moves["w"] if isinstance(moves["w"], list) else [moves["w"]]
    row: list[Any] = [snapshot.step, *map(repr, map(float, theta[:n]))]
    if layout.has_b:
        row.append(repr(float(theta[-1])))
    row += [repr(float(g)) for g in grad[:n]]
    if layout.has_b:
        row.append(repr(float(grad[-1])))
    row += [repr(snapshot.cost), repr(snapshot.alpha), snapshot.optimizer.kind, *move_w]
    if layout.has_b:
        row.append(moves["b"])
    # Expressions contain spaces, so several hits are separated by "; ".
    row.append("; ".join(hits))
    return row


def _fmt(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.6g}" if signed else f"{value:.6g}"


def _arrow(move: str) -> str:
    return {"left": "<- left", "right": "right ->", "stay": "stay"}[move]


def table_rows(session: Session, snapshots: Iterable[Snapshot]) -> Iterator[list[str]]:
    """Human-friendly cells, one list per step (a `w` of several components is shown by the
    norms of `w` and `dw`)."""
    for s in snapshots:
        if s.layout.n_w > 1:
            w = f"|w|={_fmt(math.hypot(*s.theta[: s.layout.n_w]))}"
            dw = f"|dw|={_fmt(math.hypot(*s.grad[: s.layout.n_w]))}"
            move = " ".join(m[0].upper() for m in s.move["w"])
        else:
            w, dw = _fmt(float(s.theta[0])), _fmt(float(s.grad[0]), signed=True)
            move_w = s.move["w"]
            move = _arrow(move_w[0] if isinstance(move_w, list) else move_w)
        hits = session.hits(s.step)
        yield [str(s.step), w, _fmt(s.b), dw, _fmt(s.db, signed=True), _fmt(s.cost),
               f"{s.alpha:g}", move, ", ".join(hits)]  # fmt: skip


#: Rows that set the table's column widths.
TABLE_SAMPLE = 200

#: The widest `_fmt` writes a number: sign, six digits, point and a three-digit exponent.
NUMBER_WIDTH = len("-1.23457e+308")

TABLE_HEADER = ["step", "w", "b", "dw", "db", "J(w,b)", "alpha", "w moves", "breakpoint"]


def write_trace(
    session: Session,
    out: IO[str],
    fmt: str,
    result: RunResult | None = None,
    *,
    every: int = 1,
    summary_out: IO[str] | None = None,
    captions: Mapping[int, str] | None = None,
) -> None:
    """Write the session's recorded run in `fmt`.

    Args:
        session: The run to write (every recorded step, whatever the cursor).
        out: Where the steps go.
        fmt: `table`, `csv` or `jsonl`.
        result: How the run ended; its summary is written when given.
        every: Write every `every`-th step (step 0 and the last always).
        summary_out: Where the CSV summary goes (it would break the CSV); default `out`
            for the other formats, nowhere for CSV.
        captions: The lesson's narration by step: `jsonl` gives those steps a `caption`.
    """
    snapshots = steps_to_print(session, every)
    if fmt == "jsonl":
        captions = captions or {}
        for s in snapshots:
            record = step_record(s, session.hits(s.step))
            if s.step in captions:  # only there: every other line stays as it was
                record["caption"] = captions[s.step]
            out.write(json.dumps(record) + "\n")
        if result is not None:
            out.write(json.dumps(summary_record(session, result)) + "\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(csv_header(session))
        for s in snapshots:
            writer.writerow(csv_row(s, session.hits(s.step)))
        if result is not None and summary_out is not None:
            summary_out.write(describe(result) + "\n")
    elif fmt == "table":
        _write_table(session, out, snapshots)
        if result is not None:
            out.write(describe(result) + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _write_table(session: Session, out: IO[str], snapshots: Iterable[Snapshot]) -> None:
    # A curve in w alone has no b and no db: drop their columns.
    keep = [i for i in range(len(TABLE_HEADER)) if session.layout.has_b or i not in (2, 4)]
    header = [TABLE_HEADER[i] for i in keep]
    widths = [len(h) for h in header]
    pending: list[list[str]] = [header]

    def flush() -> None:
        for cells in pending:
            line = "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
            out.write(line.rstrip() + "\n")
        pending.clear()

    # Widths come from the first rows; a longer run streams instead of being held in memory,
    # so its columns make room for the widest cell a later row can bring (a diverging run's
    # numbers grow, and step numbers get longer).
    for i, row in enumerate(table_rows(session, snapshots)):
        cells = [row[i] for i in keep]
        pending.append(cells)
        if i < TABLE_SAMPLE:
            widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
        else:
            if i == TABLE_SAMPLE:
                widest = _widest(session)
                widths = [max(w, widest[j]) for w, j in zip(widths, keep, strict=True)]
            flush()
    flush()


def _widest(session: Session) -> list[int]:
    """The widest cell each table column can hold, for rows past the sample."""
    vector = session.layout.n_w > 1
    w_width = len("|w|=") * vector + NUMBER_WIDTH
    dw_width = len("|dw|=") * vector + NUMBER_WIDTH
    moves = 2 * session.layout.n_w - 1 if vector else len("right ->")
    # The breakpoint column is the last one: a long cell there shifts nothing.
    return [len(str(session.last)), w_width, NUMBER_WIDTH, dw_width, NUMBER_WIDTH, NUMBER_WIDTH,
            NUMBER_WIDTH, moves, 0]  # fmt: skip
