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
        "message": describe(result, session.divergence),
        "divergence": session.divergence,
    }


#: Why a run stopped where it could not go on, when it is not an overflow.
DIVERGENCE_TEXT = {
    "cost_undefined": "J is not a number at this point (the cost is undefined there)",
    "slope_undefined": "the slope is not a number at this point",
    "landing_undefined": "the next update would land where J is not a number",
}


def describe(result: RunResult, cause: str | None = None) -> str:
    """How a run ended, in words: `diverged at step 12`, `converged at step 85`, ...

    Args:
        result: How the run ended.
        cause: Why it diverged (`Session.divergence`), if it did.
    """
    if result.status == "breakpoint":
        return f"stopped at step {result.step}: breakpoint {result.breakpoint}"
    if result.status == "diverged":
        if cause in DIVERGENCE_TEXT:
            return f"stopped at step {result.step}: {DIVERGENCE_TEXT[cause]}"
        return f"diverged at step {result.step}: the next update would overflow"
    return f"{STATUS_TEXT[result.status]} (step {result.step})"


def steps_to_print(session: Session, every: int = 1) -> Iterator[Snapshot]:
    """Every `every`-th step of the recorded run; step 0 and the last step always."""
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


def table_row(session: Session, s: Snapshot) -> list[str]:
    """Human-friendly cells for one step (a `w` of several components is shown by the norms
    of `w` and `dw`)."""
    if s.layout.n_w > 1:
        w = f"|w|={_fmt(math.hypot(*s.theta[: s.layout.n_w]))}"
        dw = f"|dw|={_fmt(math.hypot(*s.grad[: s.layout.n_w]))}"
        move = " ".join(m[0].upper() for m in s.move["w"])
    else:
        w, dw = _fmt(float(s.theta[0])), _fmt(float(s.grad[0]), signed=True)
        move_w = s.move["w"]
        move = _arrow(move_w[0] if isinstance(move_w, list) else move_w)
    hits = session.hits(s.step)
    return [str(s.step), w, _fmt(s.b), dw, _fmt(s.db, signed=True), _fmt(s.cost),
            f"{s.alpha:g}", move, ", ".join(hits)]  # fmt: skip


def table_rows(session: Session, snapshots: Iterable[Snapshot]) -> Iterator[list[str]]:
    """`table_row` for each of `snapshots`."""
    for s in snapshots:
        yield table_row(session, s)


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
    writer = trace_writer(
        session, out, fmt, summary_out, last=(session.last, session.last), captions=captions
    )
    for snapshot in steps_to_print(session, every):
        writer.step(snapshot)
    writer.finish(result)


def run_trace(
    session: Session,
    out: IO[str],
    fmt: str,
    limit: int | None,
    stop_on: frozenset[str],
    *,
    every: int = 1,
    summary_out: IO[str] | None = None,
    captions: Mapping[int, str] | None = None,
) -> RunResult:
    """Run the session from its last step and write the trace as the run goes.

    The same text as `session.run(limit, stop_on)` then `write_trace(...)`, at the cost of
    the run alone: each printed step is written from the values its update computed, where
    `write_trace` would rebuild every recorded step (replaying the gradient of the steps
    between checkpoints) only to skip most of them.

    Args:
        session: The run; its cursor must be on its last recorded step (a fresh session).
        out: Where the steps go.
        fmt: `table`, `csv` or `jsonl`.
        limit: At most this many steps (None: no limit).
        stop_on: What ends the run, as for `Session.run`.
        every: Write every `every`-th step (the first and the last always).
        summary_out: As for `write_trace`.
        captions: As for `write_trace`.

    Returns:
        How the run ended.
    """
    start = session.current.step
    if start != session.last:
        raise ValueError("run_trace starts from the last recorded step")
    # Where the run may end: not before the start, not after max_steps or the limit.
    end = session.max_steps if limit is None else min(session.max_steps, start + limit)
    writer = trace_writer(
        session, out, fmt, summary_out, last=(start, max(start, end)), captions=captions
    )
    writer.step(session.current)
    printed = start

    def visit(snapshot: Snapshot) -> None:
        nonlocal printed
        writer.step(snapshot)
        printed = snapshot.step

    result = session.run(limit, stop_on, visit=visit, every=every)
    if session.current.step != printed:
        writer.step(session.current)
    writer.finish(result)
    return result


class TraceWriter:
    """Writes a trace one step at a time, in the order of the run.

    Args:
        session: The run the steps come from.
        out: Where the steps go.
        summary_out: Where the summary goes when it must not go to `out`.
    """

    def __init__(self, session: Session, out: IO[str], summary_out: IO[str] | None) -> None:
        self.session = session
        self.out = out
        self.summary_out = summary_out

    def step(self, snapshot: Snapshot) -> None:
        """Write one step."""
        raise NotImplementedError

    def finish(self, result: RunResult | None) -> None:
        """Write what is still held back, then the summary (when `result` is given)."""
        raise NotImplementedError


class JsonlWriter(TraceWriter):
    """One JSON object per step, then the summary object.

    Args:
        session: The run the steps come from.
        out: Where the steps go.
        summary_out: Unused: the summary goes to `out`.
        captions: The lesson's narration by step: those steps get a `caption`.
    """

    def __init__(
        self,
        session: Session,
        out: IO[str],
        summary_out: IO[str] | None,
        captions: Mapping[int, str] | None = None,
    ) -> None:
        super().__init__(session, out, summary_out)
        self.captions = captions or {}

    def step(self, snapshot: Snapshot) -> None:
        """Write one step."""
        record = step_record(snapshot, self.session.hits(snapshot.step))
        if snapshot.step in self.captions:  # only there: every other line stays as it was
            record["caption"] = self.captions[snapshot.step]
        self.out.write(json.dumps(record) + "\n")

    def finish(self, result: RunResult | None) -> None:
        """Write the summary object."""
        if result is not None:
            self.out.write(json.dumps(summary_record(self.session, result)) + "\n")


class CsvWriter(TraceWriter):
    """The header row, one row per step; the summary goes to `summary_out` if anywhere."""

    def __init__(self, session: Session, out: IO[str], summary_out: IO[str] | None) -> None:
        super().__init__(session, out, summary_out)
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow(csv_header(session))

    def step(self, snapshot: Snapshot) -> None:
        """Write one row."""
        self.writer.writerow(csv_row(snapshot, self.session.hits(snapshot.step)))

    def finish(self, result: RunResult | None) -> None:
        """Write the summary line to `summary_out`."""
        if result is not None and self.summary_out is not None:
            self.summary_out.write(describe(result, self.session.divergence) + "\n")


class TableWriter(TraceWriter):
    """Aligned columns for people, then the summary in words.

    Widths come from the first rows; a longer run streams instead of being held in memory,
    so its columns make room for the widest cell a later row can bring (a diverging run's
    numbers grow, and step numbers get longer). The step column is as wide as the last
    step's number, which a run still going may not tell yet: rows past the sample wait,
    with their step cells apart, in a spooled file until the width is settled.

    Args:
        session: The run the steps come from.
        out: Where the table goes.
        last: The lowest and highest step the run can end at (equal for a recorded run).
    """

    def __init__(self, session: Session, out: IO[str], last: tuple[int, int]) -> None:
        super().__init__(session, out, None)
        # A curve in w alone has no b and no db: drop their columns.
        self.keep = [i for i in range(len(TABLE_HEADER)) if session.layout.has_b or i not in (2, 4)]
        header = [TABLE_HEADER[i] for i in self.keep]
        self.widths = [len(h) for h in header]
        self.pending: list[list[str]] = [header]
        self.rows = 0
        self.lowest, self.highest = last
        self.sample_step_width = 0
        self.waiting: IO[str] | None = None

    def step(self, snapshot: Snapshot) -> None:
        """Add one row: held while the widths are unsettled, else written."""
        row = table_row(self.session, snapshot)
        cells = [row[i] for i in self.keep]
        i, self.rows = self.rows, self.rows + 1
        self.lowest = max(self.lowest, snapshot.step)
        if i < TABLE_SAMPLE:
            self.pending.append(cells)
            self.widths = [max(w, len(c)) for w, c in zip(self.widths, cells, strict=True)]
            return
        if i == TABLE_SAMPLE:
            widest = _widest(self.session)
            self.sample_step_width = self.widths[0]
            self.widths = [max(w, widest[j]) for w, j in zip(self.widths, self.keep, strict=True)]
        width = self._step_width()
        if width is None:
            self._wait(cells)
            return
        self.pending.append(cells)
        self._flush(width)

    def finish(self, result: RunResult | None) -> None:
        """Write the rows held back, then how the run ended."""
        self.lowest = self.highest = self.session.last
        self._flush(self._step_width())
        if result is not None:
            self.out.write(describe(result, self.session.divergence) + "\n")

    def _step_width(self) -> int | None:
        """The step column's width, once every end the run can still have gives the same."""
        if self.rows <= TABLE_SAMPLE:
            return self.widths[0]
        low = max(self.sample_step_width, len(str(self.lowest)))
        high = max(self.sample_step_width, len(str(self.highest)))
        return low if low == high else None

    def _line(self, cells: list[str]) -> str:
        """A row without its step column, from the two spaces before the next column."""
        line = "".join("  " + c.rjust(w) for c, w in zip(cells[1:], self.widths[1:], strict=True))
        return line.rstrip()

    def _wait(self, cells: list[str]) -> None:
        if self.waiting is None:
            import tempfile  # only a long table needs it; the trace starts faster without

            # Closed by `_flush`, which `finish` always reaches.
            self.waiting = tempfile.SpooledTemporaryFile(WAITING_IN_MEMORY, "w+", newline="\n")  # noqa: SIM115
            # The rows before this one are written as the rows after it will be.
            for held in self.pending:
                self._wait_line(held[0], self._line(held))
            self.pending.clear()
        self._wait_line(cells[0], self._line(cells))

    def _wait_line(self, step: str, rest: str) -> None:
        assert self.waiting is not None
        # Lengths first: a breakpoint's expression may hold any character, a newline too.
        self.waiting.write(f"{step} {len(rest)}\n{rest}")

    def _flush(self, step_width: int | None) -> None:
        assert step_width is not None
        write = self.out.write
        if self.waiting is not None:
            self.waiting.seek(0)
            while header := self.waiting.readline():
                step, length = header.split()
                write(step.rjust(step_width) + self.waiting.read(int(length)) + "\n")
            self.waiting.close()
            self.waiting = None
        for cells in self.pending:
            write(cells[0].rjust(step_width) + self._line(cells) + "\n")
        self.pending.clear()


#: Characters of held-back table rows kept in memory before they go to a temporary file.
WAITING_IN_MEMORY = 1 << 24


def trace_writer(
    session: Session,
    out: IO[str],
    fmt: str,
    summary_out: IO[str] | None = None,
    *,
    last: tuple[int, int],
    captions: Mapping[int, str] | None = None,
) -> TraceWriter:
    """The writer for `fmt`.

    Args:
        session: The run the steps come from.
        out: Where the steps go.
        fmt: `table`, `csv` or `jsonl`.
        summary_out: Where the CSV summary goes (it would break the CSV); the other formats
            write their summary to `out`.
        last: The lowest and highest step the run can end at (equal for a recorded run).
        captions: The lesson's narration by step, for `jsonl`.
    """
    if fmt == "jsonl":
        return JsonlWriter(session, out, summary_out, captions)
    if fmt == "csv":
        return CsvWriter(session, out, summary_out)
    if fmt == "table":
        return TableWriter(session, out, last)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _widest(session: Session) -> list[int]:
    """The widest cell each table column can hold, for rows past the sample (the step
    column's is settled apart, from the last step)."""
    vector = session.layout.n_w > 1
    w_width = len("|w|=") * vector + NUMBER_WIDTH
    dw_width = len("|dw|=") * vector + NUMBER_WIDTH
    moves = 2 * session.layout.n_w - 1 if vector else len("right ->")
    # The breakpoint column is the last one: a long cell there shifts nothing.
    return [0, w_width, NUMBER_WIDTH, dw_width, NUMBER_WIDTH, NUMBER_WIDTH, NUMBER_WIDTH,
            moves, 0]  # fmt: skip
