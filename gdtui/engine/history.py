"""Compact storage for every step of a run, so any step can be revisited.

Per step the history keeps a few scalars: the cost, the `alpha` and optimizer of the update
that leaves the step, and which breakpoint conditions hold there. The vectors (`theta`,
its gradient and the optimizer's state) are kept in full only every `checkpoint_every`
steps; a step in between is rebuilt by replaying the updates from the checkpoint before it.
The engine is deterministic, so the replay gives the same floats, bit for bit.

Storage grows in fixed-size chunks, so a long run never copies what it already holds and
memory stays close to what the steps themselves need.
"""

from __future__ import annotations

from array import array

import numpy as np
from numpy.typing import NDArray

#: Steps per chunk of scalar storage.
CHUNK = 1 << 15

#: Floats per chunk of row storage (2 MiB).
ROW_CHUNK_FLOATS = 1 << 18

#: Floats a step may keep on average before vectors are only kept at checkpoints.
FLOATS_PER_STEP = 64

# Scalar columns of a step: its cost and gradient norm, the `alpha` and optimizer of the
# update that leaves it, and a bit mask of the breakpoint conditions that hold there (a
# breakpoint's firing is derived from two neighbouring steps: see Session.hits).
COST, GRAD_NORM, ALPHA, OPTIMIZER, HITS = range(5)
COLUMNS = 5


def checkpoint_interval(row_size: int) -> int:
    """How often to keep a full row of `row_size` floats: every step when rows are small."""
    return max(1, -(-row_size // FLOATS_PER_STEP))


class History:
    """Steps `first`..`last` of a run, stored column-wise.

    A run starts at step 0, unless it was resumed from another's state at a later step (a
    student who joins a class late): then the steps before `first` are not here.

    Args:
        row_size: Floats in one full row (theta, gradient, optimizer state, padded).
        checkpoint_every: Keep a full row every this many steps (1 keeps every row).
        first: The first step stored, always a checkpoint.
    """

    def __init__(self, row_size: int, checkpoint_every: int, first: int = 0) -> None:
        self.row_size = row_size
        self.checkpoint_every = checkpoint_every
        self.first = first
        self._scalars: list[NDArray[np.float64]] = []
        # Rows go in growable C arrays of doubles: appending a row's bytes costs a third of
        # writing it into a numpy row, and this is on the engine's hot path.
        self._rows: list[array[float]] = []
        self._rows_per_chunk = max(16, ROW_CHUNK_FLOATS // row_size)
        self._length = 0
        self._rows_length = 0

    def __len__(self) -> int:
        return self._length

    @property
    def last(self) -> int:
        """The last step stored."""
        return self.first + self._length - 1

    def append(self, cost: float, grad_norm: float, alpha: float, optimizer: int, hits: int) -> int:
        """Store a step's scalars; returns its step number."""
        index = self._length
        chunk, offset = divmod(index, CHUNK)
        if chunk == len(self._scalars):
            self._scalars.append(np.empty((CHUNK, COLUMNS)))
        self._scalars[chunk][offset] = (cost, grad_norm, alpha, optimizer, hits)
        self._length = index + 1
        return self.first + index

    def needs_row(self, step: int) -> bool:
        """Whether `step` is a checkpoint whose full row must be stored."""
        return (step - self.first) % self.checkpoint_every == 0

    def store_row(self, step: int, *parts: NDArray[np.float64]) -> None:
        """Store the full row of checkpoint `step`: `parts` laid end to end (theta, gradient,
        optimizer state), padded to `row_size`. The row must be the next one or one already
        stored (then it is replaced)."""
        index = (step - self.first) // self.checkpoint_every
        chunk, offset = divmod(index, self._rows_per_chunk)
        if chunk == len(self._rows):
            self._rows.append(array("d"))
        rows = self._rows[chunk]
        start = offset * self.row_size
        if len(rows) == start:
            for part in parts:
                rows.frombytes(part.tobytes())
            pad = start + self.row_size - len(rows)
            if pad:
                rows.frombytes(bytes(8 * pad))
        else:
            row = np.zeros(self.row_size)
            row[: sum(part.size for part in parts)] = np.concatenate(parts)
            rows[start : start + self.row_size] = array("d", row.tobytes())
        self._rows_length = index + 1

    def extend(self, scalars: array[float], rows: array[float]) -> None:
        """Store many steps at once, after the last: `scalars` holds `COLUMNS` floats a step
        (what `append` takes), `rows` the full rows (padded to `row_size`) of the
        checkpoints among those steps, in order. A fast loop gathers a block of steps in
        two flat arrays and hands them over here, instead of a call or two a step."""
        first = self._length
        values = np.frombuffer(scalars, dtype=np.float64).reshape(-1, COLUMNS)
        done = 0
        while done < len(values):
            chunk, offset = divmod(self._length, CHUNK)
            if chunk == len(self._scalars):
                self._scalars.append(np.empty((CHUNK, COLUMNS)))
            take = min(CHUNK - offset, len(values) - done)
            self._scalars[chunk][offset : offset + take] = values[done : done + take]
            done += take
            self._length += take
        index = -(-first // self.checkpoint_every)  # the first checkpoint among the steps
        size, done = self.row_size, 0
        while done < len(rows):
            chunk, offset = divmod(index, self._rows_per_chunk)
            if chunk == len(self._rows):
                self._rows.append(array("d"))
            stored, start = self._rows[chunk], offset * size
            take = min(self._rows_per_chunk - offset, (len(rows) - done) // size)
            block = rows[done : done + take * size]
            # Past a truncation the chunk may still hold this row: replace it, as store_row.
            stored[start : start + len(block)] = block
            done += take * size
            index += take
            self._rows_length = index

    def row(self, step: int) -> NDArray[np.float64]:
        """A copy of the full row of checkpoint `step`."""
        index = (step - self.first) // self.checkpoint_every
        chunk, offset = divmod(index, self._rows_per_chunk)
        start = offset * self.row_size
        return np.array(self._rows[chunk][start : start + self.row_size], dtype=np.float64)

    def checkpoint_before(self, step: int) -> int:
        """The nearest checkpoint at or before `step`."""
        return step - (step - self.first) % self.checkpoint_every

    def scalar(self, step: int, column: int) -> float:
        """One scalar of one step."""
        chunk, offset = divmod(step - self.first, CHUNK)
        return float(self._scalars[chunk][offset, column])

    def set_scalar(self, step: int, column: int, value: float) -> None:
        """Change one scalar of a stored step (the settings of the last step)."""
        chunk, offset = divmod(step - self.first, CHUNK)
        self._scalars[chunk][offset, column] = value

    def column(self, column: int, start: int = 0, stop: int | None = None) -> NDArray[np.float64]:
        """A copy of one scalar column over steps `start..stop-1` (from `first` at most)."""
        start = max(start, self.first) - self.first
        stop = self._length if stop is None else min(stop - self.first, self._length)
        if start >= stop:
            return np.empty(0)
        first, last = start // CHUNK, (stop - 1) // CHUNK
        parts = [self._scalars[c][:, column] for c in range(first, last + 1)]
        joined = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return np.array(joined[start - first * CHUNK : stop - first * CHUNK])

    def truncate(self, last: int) -> None:
        """Forget every step after `last` (a branch: the run goes another way from there)."""
        last -= self.first
        self._length = last + 1
        self._rows_length = last // self.checkpoint_every + 1
        del self._scalars[last // CHUNK + 1 :]
        chunk, offset = divmod(self._rows_length - 1, self._rows_per_chunk)
        del self._rows[chunk + 1 :]
        if chunk < len(self._rows):
            del self._rows[chunk][(offset + 1) * self.row_size :]

    def nbytes(self) -> int:
        """Bytes held by the stored arrays."""
        rows = sum(len(a) * a.itemsize for a in self._rows)
        return sum(a.nbytes for a in self._scalars) + rows
