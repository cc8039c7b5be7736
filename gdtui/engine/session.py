"""The stepping session: gradient descent under a debugger.

A session holds a run and a cursor into it. `step`, `back`, `goto` and `run` (the
debugger's *continue*) move the cursor; the run is recorded as it goes, so any step taken so
far can be revisited and shows exactly the floats it had. Stepping forward from an earlier
step walks the recorded run again; changing `alpha` or the optimizer there starts a new
branch from that step and forgets the old future, as a time-travel debugger does.

Breakpoints are checked on every step, and the history records which conditions *hold* there;
whether one fired (a watchpoint became true, or an event happened) is worked out from that
step's record and the one before, so a replayed or revisited step shows the same hits.

Divergence is a state, not an exception: the first update that would make the cost or a
parameter non-finite (or a parameter larger than 1e150) is not taken, the run stops with
status `diverged`, and the last finite step stays on screen.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from gdtui.engine.breakpoints import Arrival, Breakpoint
from gdtui.engine.history import (
    ALPHA,
    COST,
    GRAD_NORM,
    HITS,
    OPTIMIZER,
    History,
    checkpoint_interval,
)
from gdtui.engine.optimizers import Optimizer, max_state_size
from gdtui.engine.problems import CurveProblem, Problem
from gdtui.engine.snapshot import Layout, Snapshot, norm

Vector = NDArray[np.float64]

#: Parameters beyond this size count as diverged: their squares no longer fit a float.
PARAMETER_LIMIT = 1e150

#: Which breakpoint conditions hold is kept as bits of a float64, exact up to 2**53.
MAX_BREAKPOINTS = 52

#: What may end a run, besides divergence and `max_steps`, which always do.
STOP_ON_DEFAULT = frozenset({"converged", "breakpoint"})

#: Why a run cannot go on from a step. Only `overflow` and `landing_undefined` are cured by a
#: smaller alpha; the others are faults of the point itself (a start outside the cost's domain).
DivergenceCause = Literal["cost_undefined", "slope_undefined", "landing_undefined", "overflow"]


@dataclass(frozen=True)
class RunResult:
    """How a call that moves forward ended.

    Attributes:
        status: `converged`, `diverged`, `breakpoint`, `max_steps`, or `steps_done` when it
            made every update it was asked for.
        steps: How many steps the cursor moved.
        step: The step it stopped at.
        breakpoint: The breakpoint that stopped it (or fired at divergence), if any.
    """

    status: str
    steps: int
    step: int
    breakpoint: str | None = None


class Session:
    """A gradient descent run that can be stepped, rewound and continued.

    Args:
        problem: The cost and its gradient.
        optimizer: The update rule.
        alpha: The learning rate.
        theta0: The start: `w` components, then `b`.
        max_steps: Runs stop when they reach this step.
        tolerance: Converged when the gradient's norm is at most this.
        breakpoints: Conditions checked after every step.
    """

    def __init__(
        self,
        problem: Problem,
        optimizer: Optimizer,
        alpha: float,
        theta0: Iterable[float],
        *,
        max_steps: int = 1000,
        tolerance: float = 1e-6,
        breakpoints: Iterable[Breakpoint] = (),
    ) -> None:
        self.problem = problem
        self.layout = Layout(problem.n_w, problem.has_b, problem.w_is_vector)
        self.max_steps = max_steps
        self.tolerance = tolerance
        self.breakpoints: tuple[Breakpoint, ...] = ()
        self.set_breakpoints(breakpoints)
        size = self.layout.size
        self._row_size = 2 * size + max_state_size(size)
        self.theta0 = self._checked_start(theta0)
        self._begin(optimizer, alpha)

    # -- the cursor ------------------------------------------------------------------------

    @property
    def current(self) -> Snapshot:
        """The step under the cursor."""
        return self._current

    @property
    def last(self) -> int:
        """The last step recorded (the cursor may be behind it after `back`)."""
        return self.history.last

    @property
    def first(self) -> int:
        """The first step recorded: 0, unless the run was resumed from a later step."""
        return self.history.first

    @property
    def alpha(self) -> float:
        """The learning rate of the next update."""
        return self._current.alpha

    @property
    def optimizer(self) -> Optimizer:
        """The update rule of the next update."""
        return self._current.optimizer

    @property
    def diverged(self) -> bool:
        """Whether the update from the cursor's step diverges."""
        return self._diverged_at == self._current.step

    @property
    def divergence(self) -> DivergenceCause | None:
        """Why the update from the cursor's step cannot be made, or None when it can.

        `cost_undefined`: J is not a finite number at this point (a start outside the cost's
        domain, such as `log(w)` at `w = -1`); `slope_undefined`: J is, but its slope is not;
        `landing_undefined`: the update lands where J is not a number; `overflow`: the update
        lands beyond the numbers a float holds (or beyond `PARAMETER_LIMIT`), or J does there.
        """
        if not self.diverged:
            return None
        current = self._current
        if not _finite_parameters(current.theta):
            return "overflow"
        if not math.isfinite(current.cost):
            return "cost_undefined"
        if not np.isfinite(current.grad).all():
            return "slope_undefined"
        if not _finite_parameters(current.next_theta):
            return "overflow"
        return "landing_undefined" if math.isnan(self.landing_cost(current)) else "overflow"

    def converged_at(self, step: int | None = None) -> int | None:
        """The first step, up to `step` (by default the cursor's), whose slope's length is
        at most the tolerance: where a *continue* would have stopped as converged. None when
        no step up to there has converged."""
        step = self._current.step if step is None else min(step, self.last)
        grad_norms = self.history.column(GRAD_NORM, self.first, step + 1)
        converged = np.flatnonzero(grad_norms <= self.tolerance)
        return int(converged[0]) + self.first if converged.size else None

    def restart(
        self,
        theta0: Vector | None = None,
        optimizer: Optimizer | None = None,
        alpha: float | None = None,
    ) -> Snapshot:
        """Forget the run and start again, by default from the same point with the settings
        now in force (so a teacher can try a new `alpha` from the start)."""
        if theta0 is not None:
            self.theta0 = self._checked_start(theta0)
        return self._begin(
            optimizer or self._current.optimizer,
            self._current.alpha if alpha is None else alpha,
        )

    def _checked_start(self, theta0: Iterable[float]) -> Vector:
        start = np.array(theta0, dtype=np.float64)
        if start.shape != (self.layout.size,):
            raise ValueError(f"the start needs {self.layout.size} numbers")
        return start

    def _begin(
        self,
        optimizer: Optimizer,
        alpha: float,
        first: int = 0,
        theta: Vector | None = None,
        state: Vector | None = None,
    ) -> Snapshot:
        theta = self.theta0 if theta is None else theta
        self.history = History(self._row_size, checkpoint_interval(self._row_size), first)
        self._optimizers: list[Optimizer] = [optimizer]
        self._diverged_at: int | None = None
        with np.errstate(all="ignore"):
            cost, grad = self.problem.cost_and_gradient(theta)
            finite = self._finite(theta, cost)
            # Checked at the start too, so a condition that already holds there is not
            # reported as becoming true at step 1.
            arrival = Arrival(first, theta, grad, cost, None, None, alpha,
                              norm(grad) <= self.tolerance, self.layout)  # fmt: skip
            holds = self._holds(arrival)
        if state is None:
            state = optimizer.initial_state(self.layout.size)
        self._record(theta, grad, cost, state, alpha, 0, holds=holds)
        self._current = self._snapshot(first, theta, grad, cost, state)
        if not finite:
            self._diverged_at = first
        return self._current

    def resume(
        self, step: int, theta: Iterable[float], optimizer: Optimizer, state: Iterable[float],
        alpha: float,
    ) -> Snapshot:  # fmt: skip
        """Forget the run and go on from another run's exact state at `step`: its
        parameters, and its optimizer with the state it had there (momentum's velocity,
        Adam's averages and step count). The steps before `step` are not recorded here.

        The engine is deterministic, so the steps after it come out bit for bit as in the
        run the state was taken from.

        Raises:
            ValueError: The state does not fit this session (sizes, a bad alpha or step).
        """
        if not (math.isfinite(alpha) and alpha > 0):
            raise ValueError(f"alpha must be a positive finite number, got {alpha}")
        if not 0 <= step <= self.max_steps:
            raise ValueError(f"the step must be 0..{self.max_steps}, got {step}")
        start = self._checked_start(theta)
        optimizer_state = np.array(state, dtype=np.float64)
        if optimizer_state.shape != (optimizer.state_size(self.layout.size),):
            raise ValueError(
                f"{optimizer.kind} keeps {optimizer.state_size(self.layout.size)} numbers"
            )
        return self._begin(optimizer, alpha, step, start, optimizer_state)

    def reset(self) -> Snapshot:
        """Back to the start, forgetting the run; `alpha` and the optimizer stay as set."""
        return self.restart()

    def back(self, steps: int = 1) -> Snapshot:
        """Move the cursor `steps` back (not before step 0)."""
        return self.goto(self._current.step - steps)

    def goto(self, step: int) -> Snapshot:
        """Move the cursor to any recorded step, restoring it bit for bit."""
        step = min(max(step, self.first), self.last)
        if step != self._current.step:
            self._current = self.snapshot(step)
        return self._current

    # -- settings ----------------------------------------------------------------------------

    def set_alpha(self, alpha: float) -> Snapshot:
        """Use `alpha` from the next update on."""
        if not (math.isfinite(alpha) and alpha > 0):
            raise ValueError(f"alpha must be a positive finite number, got {alpha}")
        if alpha != self._current.alpha:
            self._branch()
            self.history.set_scalar(self.last, ALPHA, alpha)
            self._rebuild_last()
        return self._current

    def set_optimizer(self, optimizer: Optimizer) -> Snapshot:
        """Use `optimizer` from the next update on (with fresh state, as a new one has)."""
        if optimizer != self._current.optimizer:
            self._branch()
            self.history.set_scalar(self.last, OPTIMIZER, self._optimizer_index(optimizer))
            self._rebuild_last()
        return self._current

    def set_breakpoints(self, breakpoints: Iterable[Breakpoint]) -> None:
        """Replace the breakpoints (e.g. one toggled). What was recorded keeps its bits, so
        keep the order and add new ones at the end."""
        breakpoints = tuple(breakpoints)
        if len(breakpoints) > MAX_BREAKPOINTS:
            raise ValueError(f"at most {MAX_BREAKPOINTS} breakpoints")
        self.breakpoints = breakpoints
        self._events = sum(1 << i for i, bp in enumerate(breakpoints) if bp.is_event)

    def _holds(self, arrival: Arrival) -> int:
        """The bits of the breakpoints whose condition holds on `arrival`."""
        holds = 0
        for i, bp in enumerate(self.breakpoints):
            if bp.holds(arrival):
                holds |= 1 << i
        return holds

    def _fired(self, holds: int, before: int) -> int:
        """The bits of the breakpoints that fire on a step, from which conditions hold there
        and on the step before: a watchpoint where it became true, an event wherever it
        happens."""
        return holds & (~before | self._events)

    def _optimizer_index(self, optimizer: Optimizer) -> int:
        if optimizer not in self._optimizers:
            self._optimizers.append(optimizer)
        return self._optimizers.index(optimizer)

    def _branch(self) -> None:
        """Forget the recorded future after the cursor: the run now goes another way."""
        if self._current.step < self.last:
            self.history.truncate(self._current.step)
        self._diverged_at = None

    def _rebuild_last(self) -> None:
        # The last step's optimizer state is fresh if its optimizer is not the one that led
        # to it; recompute it the way a replay will.
        last, current = self.last, self._current
        if last == self.first:
            optimizer = self._optimizers[int(self.history.scalar(0, OPTIMIZER))]
            state = optimizer.initial_state(self.layout.size)
        else:
            state = self._follow(self._rebuild(last - 1)).state
        self._current = self._snapshot(last, current.theta, current.grad, current.cost, state)
        if self.history.needs_row(last):
            self.history.store_row(last, current.theta, current.grad, state)

    # -- moving forward ------------------------------------------------------------------------

    def step(self, steps: int = 1) -> RunResult:
        """Make `steps` updates, stopping early only at divergence or `max_steps`."""
        return self.run(steps, stop_on=frozenset())

    def run(
        self,
        limit: int | None = None,
        stop_on: frozenset[str] = STOP_ON_DEFAULT,
        *,
        visit: Callable[[Snapshot], object] | None = None,
        every: int = 1,
    ) -> RunResult:
        """The debugger's *continue*: step until a stop.

        Args:
            limit: At most this many steps (None: no limit). Reaching it gives `steps_done`.
            stop_on: Which of `converged` and `breakpoint` stop the run. Divergence and
                `max_steps` always do.
            visit: Called with the snapshot of every step reached whose number is a multiple
                of `every`, as the run reaches it. A streaming trace prints from here: the
                snapshot comes from the values the step computed, so it costs no gradient
                evaluation, and steps not visited build no snapshot at all.
            every: How often `visit` is called.

        Returns:
            How the run ended.
        """
        start = self._current.step
        stop = _Stops(self, stop_on)
        if "converged" in stop_on and self._current.grad_norm <= self.tolerance:
            return self._stopped("converged", start)
        if start >= self.max_steps:
            return self._stopped("max_steps", start)
        bound = math.inf if limit is None else limit
        result = self._walk_recorded(start, bound, stop, visit, visit_every=every)
        if result is None:
            with np.errstate(all="ignore"):
                compute = self._compute_curve if self._in_floats() else self._compute
                result = compute(start, bound, stop, visit, visit_every=every)
        return result

    def _first_hit(self, hits: int) -> str | None:
        enabled = hits & _Stops.enabled_mask(self.breakpoints)
        for i, bp in enumerate(self.breakpoints):
            if enabled >> i & 1:
                return bp.when
        return None

    def _stopped(self, status: str, start: int, hits: int = 0) -> RunResult:
        step = self._current.step
        return RunResult(status, step - start, step, self._first_hit(hits))

    def _walk_recorded(
        self,
        start: int,
        limit: float,
        stop: _Stops,
        visit: Callable[[Snapshot], object] | None = None,
        visit_every: int = 1,
    ) -> RunResult | None:
        """Step through the recorded future, if any; None when the end is reached first."""
        step, history = start, self.history
        before = int(history.scalar(step, HITS))
        while step < self.last:
            if step - start >= limit:
                self._current = self.snapshot(step)
                return self._stopped("steps_done", start)
            step += 1
            if visit is not None and step % visit_every == 0:
                visit(self.snapshot(step))
            holds = int(history.scalar(step, HITS))
            hits, before = self._fired(holds, before), holds
            status = stop(step, history.scalar(step, GRAD_NORM), hits)
            if status is not None:
                self._current = self.snapshot(step)
                return self._stopped(status, start, hits)
        if step != start:
            self._current = self.snapshot(step)
        return None

    def _compute(
        self,
        start: int,
        limit: float,
        stop: _Stops,
        visit: Callable[[Snapshot], object] | None = None,
        visit_every: int = 1,
    ) -> RunResult:
        """Make new steps from the last recorded one: the engine's hot loop."""
        current = self._current
        step = current.step
        if step - start >= limit:
            return self._stopped("steps_done", start)
        if self._diverged_at == step:
            return self._diverged(start)
        history, layout = self.history, self.layout
        alpha, optimizer = current.alpha, current.optimizer
        optimizer_index = self._optimizer_index(optimizer)
        # Bound once: attribute look-ups are a real share of a 1-D step's few microseconds.
        cost_and_gradient, update = self.problem.cost_and_gradient, optimizer.update
        append, store_row, every = history.append, history.store_row, history.checkpoint_every
        # Checkpoints fall every `every` steps from the first: the same test as step % every
        # == 0 for a run from step 0, at the same cost.
        phase = history.first % every
        tolerance, breakpoints = self.tolerance, self.breakpoints
        theta, grad, cost, state = current.theta, current.grad, current.cost, current.state
        new_theta, new_state = current.next_theta, current.next_state
        status, hits = "steps_done", 0
        before = int(history.scalar(step, HITS))
        if visit is None:
            # One int comparison a step when nobody visits: -1 is never a step reached.
            visit, visit_at = _ignore, -1
        else:
            visit_at = (step // visit_every + 1) * visit_every
        while step - start < limit:
            if not _finite_parameters(new_theta):
                self._diverged_at = step
                break
            new_cost, new_grad = cost_and_gradient(new_theta)
            if not math.isfinite(new_cost):
                self._diverged_at = step
                break
            grad_norm = norm(new_grad)
            holds = hits = 0
            if breakpoints:
                arrival = Arrival(
                    step + 1, new_theta, new_grad, new_cost, grad, cost, alpha,
                    grad_norm <= tolerance, layout,
                )  # fmt: skip
                holds = self._holds(arrival)
                hits, before = self._fired(holds, before), holds
            step = append(new_cost, grad_norm, alpha, optimizer_index, holds)
            if step % every == phase:
                store_row(step, new_theta, new_grad, new_state)
            theta, grad, cost, state = new_theta, new_grad, new_cost, new_state
            new_theta, new_state = update(theta, grad, state, alpha)
            if step == visit_at:
                visit(Snapshot(step, theta, grad, cost, alpha, optimizer, state, new_theta,
                               new_state, layout))  # fmt: skip
                visit_at += visit_every
            reason = stop(step, grad_norm, hits)
            if reason is not None:
                status = reason
                break
        if step != current.step:
            self._current = self._snapshot(step, theta, grad, cost, state, (new_theta, new_state))
        if self._diverged_at == step:
            return self._diverged(start)
        return self._stopped(status, start, hits if status == "breakpoint" else 0)

    def _in_floats(self) -> bool:
        """Whether the next steps can run in Python floats: plain GD on a curve, whose cost
        and slopes come as floats and whose update needs no state."""
        return isinstance(self.problem, CurveProblem) and self._current.optimizer.kind == "gd"

    def _compute_curve(
        self,
        start: int,
        limit: float,
        stop: _Stops,
        visit: Callable[[Snapshot], object] | None = None,
        visit_every: int = 1,
    ) -> RunResult:
        """`_compute` for plain GD on a curve, in Python floats: the same arithmetic on the
        same floats, so the same bits, without a numpy array a step (a numpy operation on
        one or two numbers costs more than the step's arithmetic). Steps are gathered in
        flat arrays and handed to the history in blocks: before a visit (which may read
        the history), every `_BLOCK` steps, and at the end. Arrays are built only for a
        breakpoint's check and for the snapshots of visited steps."""
        current = self._current
        step = current.step
        if step - start >= limit:
            return self._stopped("steps_done", start)
        if self._diverged_at == step:
            return self._diverged(start)
        assert isinstance(self.problem, CurveProblem)
        history, layout, has_b = self.history, self.layout, self.layout.has_b
        alpha, optimizer = current.alpha, current.optimizer
        optimizer_index = self._optimizer_index(optimizer)
        evaluate = self.problem.evaluate
        every, state = history.checkpoint_every, current.state  # GD's state: empty
        phase = history.first % every  # checkpoints fall every `every` steps from the first
        # A row is theta, the gradient and the state (empty for GD, constant), padded.
        pad = (*state.tolist(), *(0.0,) * (history.row_size - 2 * layout.size - state.size))
        tolerance, breakpoints = self.tolerance, self.breakpoints
        mask, stop_tolerance, max_steps = stop.mask, stop.tolerance, stop.max_steps
        theta, grad, cost = current.theta.tolist(), current.grad.tolist(), current.cost
        new_theta = current.next_theta.tolist()
        scalars, rows = array("d"), array("d")
        status, hits = "steps_done", 0
        before = int(history.scalar(step, HITS))
        if visit is None:
            visit, visit_at = _ignore, -1
        else:
            visit_at = (step // visit_every + 1) * visit_every
        pause_at = _next_pause(step, visit_at)
        hypot, isfinite, end = math.hypot, math.isfinite, start + limit
        while step < end:
            if not (
                hypot(*new_theta) <= PARAMETER_LIMIT
                or all(abs(x) <= PARAMETER_LIMIT for x in new_theta)
            ):
                self._diverged_at = step
                break
            new_cost, dw, db = evaluate(*new_theta) if has_b else evaluate(new_theta[0], 0.0)
            new_cost = float(new_cost)
            if not isfinite(new_cost):
                self._diverged_at = step
                break
            new_grad = [float(dw), float(db)] if has_b else [float(dw)]
            grad_norm = hypot(*new_grad)
            holds = hits = 0
            if breakpoints:
                arrival = Arrival(
                    step + 1, _vector(new_theta), _vector(new_grad), new_cost, _vector(grad),
                    cost, alpha, grad_norm <= tolerance, layout,
                )  # fmt: skip
                holds = self._holds(arrival)
                hits, before = self._fired(holds, before), holds
            step += 1
            scalars.extend((new_cost, grad_norm, alpha, optimizer_index, holds))
            if step % every == phase:
                rows.extend((*new_theta, *new_grad, *pad))
            theta, grad, cost = new_theta, new_grad, new_cost
            if has_b:
                new_theta = [theta[0] - alpha * grad[0], theta[1] - alpha * grad[1]]
            else:
                new_theta = [theta[0] - alpha * grad[0]]
            if step == pause_at:
                history.extend(scalars, rows)
                del scalars[:], rows[:]
                if step == visit_at:
                    visit(Snapshot(step, _vector(theta), _vector(grad), cost, alpha, optimizer,
                                   state, _vector(new_theta), state, layout))  # fmt: skip
                    visit_at += visit_every
                pause_at = _next_pause(step, visit_at)
            if hits & mask:
                status = "breakpoint"
                break
            if grad_norm <= stop_tolerance:
                status = "converged"
                break
            if step >= max_steps:
                status = "max_steps"
                break
        history.extend(scalars, rows)
        if step != current.step:
            plan = (_vector(new_theta), state)
            self._current = self._snapshot(step, _vector(theta), _vector(grad), cost, state, plan)
        if self._diverged_at == step:
            return self._diverged(start)
        return self._stopped(status, start, hits if status == "breakpoint" else 0)

    def _diverged(self, start: int) -> RunResult:
        step = self._current.step
        fired = any(bp.enabled and bp.when == "diverged" for bp in self.breakpoints)
        return RunResult("diverged", step - start, step, "diverged" if fired else None)

    def _finite(self, theta: Vector, cost: float) -> bool:
        return _finite_parameters(theta) and math.isfinite(cost)

    # -- rebuilding steps ----------------------------------------------------------------------

    def _record(
        self, theta: Vector, grad: Vector, cost: float, state: Vector, alpha: float,
        optimizer_index: int, holds: int,
    ) -> None:  # fmt: skip
        with np.errstate(all="ignore"):  # as in the run loop: an overflowing norm is inf
            grad_norm = norm(grad)
        step = self.history.append(cost, grad_norm, alpha, optimizer_index, holds)
        if self.history.needs_row(step):
            self.history.store_row(step, theta, grad, state)

    def _snapshot(
        self,
        step: int,
        theta: Vector,
        grad: Vector,
        cost: float,
        state: Vector,
        plan: tuple[Vector, Vector] | None = None,
    ) -> Snapshot:
        """A snapshot of `step`, with the update that leaves it (computed unless given)."""
        alpha = self.history.scalar(step, ALPHA)
        optimizer = self._optimizers[int(self.history.scalar(step, OPTIMIZER))]
        if plan is None:
            with np.errstate(all="ignore"):
                plan = optimizer.update(theta, grad, state, alpha)
        return Snapshot(
            step, theta, grad, cost, alpha, optimizer, state, plan[0], plan[1], self.layout
        )

    def _from_row(self, step: int) -> Snapshot:
        row = self.history.row(step)
        size = self.layout.size
        optimizer = self._optimizers[int(self.history.scalar(step, OPTIMIZER))]
        theta, grad = row[:size].copy(), row[size : 2 * size].copy()
        state = row[2 * size : 2 * size + optimizer.state_size(size)].copy()
        return self._snapshot(step, theta, grad, self.history.scalar(step, COST), state)

    def _follow(self, snapshot: Snapshot) -> Snapshot:
        """The step after `snapshot`, recomputed exactly as the run computed it."""
        step = snapshot.step + 1
        theta, state = snapshot.next_theta, snapshot.next_state
        with np.errstate(all="ignore"):
            cost, grad = self.problem.cost_and_gradient(theta)
        optimizer = self._optimizers[int(self.history.scalar(step, OPTIMIZER))]
        if optimizer != snapshot.optimizer:
            state = optimizer.initial_state(self.layout.size)
        return self._snapshot(step, theta, grad, cost, state)

    def snapshot(self, step: int) -> Snapshot:
        """Any recorded step, rebuilt bit for bit (replayed from the checkpoint before it)."""
        if not self.first <= step <= self.last:
            raise IndexError(f"step {step} is not recorded ({self.first}..{self.last})")
        if step == self._current.step:
            return self._current
        return self._rebuild(step)

    def _rebuild(self, step: int) -> Snapshot:
        snapshot = self._from_row(self.history.checkpoint_before(step))
        while snapshot.step < step:
            snapshot = self._follow(snapshot)
        return snapshot

    def snapshots(self, start: int = 0, stop: int | None = None) -> Iterator[Snapshot]:
        """Steps `start..stop-1` in order (all recorded ones by default), replayed once."""
        start = max(start, self.first)
        stop = self.last + 1 if stop is None else min(stop, self.last + 1)
        if start >= stop:
            return
        snapshot = self.snapshot(start)
        yield snapshot
        for step in range(start + 1, stop):
            if self.history.needs_row(step):
                snapshot = self._from_row(step)
            else:
                snapshot = self._follow(snapshot)
            yield snapshot

    def optimizer_at(self, step: int) -> Optimizer:
        """The update rule of the update that leaves a recorded step."""
        return self._optimizers[int(self.history.scalar(step, OPTIMIZER))]

    def changes(self, start: int) -> list[int]:
        """The recorded steps after `start` whose update's `alpha` or optimizer differs from
        the step before's: where the run was set otherwise."""
        stop = self.last + 1
        alphas = self.history.column(ALPHA, start, stop)
        optimizers = self.history.column(OPTIMIZER, start, stop)
        differs = (alphas[1:] != alphas[:-1]) | (optimizers[1:] != optimizers[:-1])
        return [start + 1 + int(i) for i in np.flatnonzero(differs)]

    def landing_slope(self, snapshot: Snapshot) -> Vector:
        """The gradient where the update leaving `snapshot` lands: `(dw, db)` at the next
        step, so a verdict can tell whether the step crossed the bottom (a slope that turns
        sign). Computed, not recorded (the history keeps only its length)."""
        with np.errstate(all="ignore"):
            return self.problem.cost_and_gradient(np.array(snapshot.next_theta))[1]

    def landing_cost(self, snapshot: Snapshot) -> float:
        """`J` where the update leaving `snapshot` lands: the next step's cost.

        It is the recorded cost when that step was taken, else `J` evaluated at
        `snapshot.next_theta` (the same float the step will record); inf or nan where the
        update diverges. `snapshot` must be a step of the run as it stands now.
        """
        if snapshot.step < self.last:  # a step of this run: its next step is recorded
            return float(self.history.scalar(snapshot.step + 1, COST))
        with np.errstate(all="ignore"):
            return float(self.problem.cost(np.array(snapshot.next_theta)))

    # -- the record, for plots and traces ------------------------------------------------------

    def costs(self, start: int = 0, stop: int | None = None) -> Vector:
        """`J` at steps `start..stop-1` (from `first` on)."""
        return self.history.column(COST, start, stop)

    def hits(self, step: int) -> tuple[str, ...]:
        """The enabled breakpoints that fired on arriving at `step` (none at step 0, where
        nothing arrives, nor at the first step of a resumed run, whose step before is not
        here). Disabled ones are recorded too, so enabling one shows where it would have
        fired."""
        if step <= self.first:
            return ()
        history = self.history
        mask = self._fired(int(history.scalar(step, HITS)), int(history.scalar(step - 1, HITS)))
        return tuple(
            bp.when for i, bp in enumerate(self.breakpoints) if bp.enabled and mask >> i & 1
        )

    def path(self, start: int = 0, stop: int | None = None) -> NDArray[np.float64]:
        """The parameters at steps `start..stop-1`, one row a step."""
        rows = [s.theta for s in self.snapshots(start, stop)]
        return np.array(rows) if rows else np.empty((0, self.layout.size))


#: Steps the float loop gathers before it hands them to the history.
_BLOCK = 4096


def _next_pause(step: int, visit_at: int) -> int:
    """The next step after `step` where the float loop stores what it gathered: the next
    visit, or the end of the next block, whichever comes first."""
    block_end = (step // _BLOCK + 1) * _BLOCK
    return block_end if visit_at < 0 else min(visit_at, block_end)


def _vector(values: list[float]) -> Vector:
    """Floats as a float64 vector."""
    return np.array(values, dtype=np.float64)


def _ignore(snapshot: Snapshot) -> None:
    """A visitor that does nothing."""


def _finite_parameters(theta: Vector) -> bool:
    # The norm bounds every component, so it settles the common case; NaN fails every
    # comparison, so it is caught as well as inf.
    if norm(theta) <= PARAMETER_LIMIT:
        return True
    return bool(np.abs(theta).max() <= PARAMETER_LIMIT)


class _Stops:
    """Decides, after each step of a run, whether the run stops there and why."""

    def __init__(self, session: Session, stop_on: frozenset[str]) -> None:
        self.max_steps = session.max_steps
        self.tolerance = session.tolerance if "converged" in stop_on else -math.inf
        self.mask = self.enabled_mask(session.breakpoints) if "breakpoint" in stop_on else 0

    @staticmethod
    def enabled_mask(breakpoints: tuple[Breakpoint, ...]) -> int:
        """The bits of the enabled breakpoints."""
        return sum(1 << i for i, bp in enumerate(breakpoints) if bp.enabled)

    def __call__(self, step: int, grad_norm: float, hits: int) -> str | None:
        if hits & self.mask:
            return "breakpoint"
        if grad_norm <= self.tolerance:
            return "converged"
        if step >= self.max_steps:
            return "max_steps"
        return None
