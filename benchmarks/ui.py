"""UI benchmarks: how long a key takes to show on screen, and how fast the first screen comes.

Key latency runs the real app headless and times each key from the moment it enters the app
(as a terminal's input thread hands it over) to the end of the last repaint it caused,
including the terminal's share of a repaint: turning the update into escape sequences. A
bare Textual app that changes one line on a key is timed in the same run, in alternation,
as the floor that any Textual app pays on this machine at this load; and, for the record,
one textual-plotext plot replotted on a key, the fixed stack used the way its authors show.

The first screen is a real process on a pseudo-terminal, timed from spawn until the last
paint of its first screen has been written, against a bare Textual hello-world app started
the same way, in alternation (and, for the record, the same hello world showing one
textual-plotext plot: what Textual, numpy and textual-plotext cost before gdtui's code).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import resource
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rich.console import RenderableType
from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from benchmarks.common import Result, compiled_once
from gdtui.cli import load_scenario
from gdtui.ui.adapters.textual import SendsChangedCells
from gdtui.ui.app import GdtuiApp
from gdtui.ui.messages import RunStopped
from gdtui.ui.screens.debugger import DebuggerScreen

#: Key latency targets: one 60 Hz frame for the median, and the slowest in a hundred.
MEDIAN_TARGET_MS, P99_TARGET_MS = 16.0, 50.0

#: Terminal sizes: the smallest supported and a large one.
SIZES: tuple[tuple[int, int], ...] = ((80, 24), (200, 50))

#: Keys timed per case (the p99 needs a hundred).
PRESSES = 100

#: Keys timed on the textual-plotext reference (a median only; each takes ~0.1 s).
PLOT_PRESSES = 30

#: Seconds a timed key may take to repaint before the benchmark gives up on it (a key that
#: changes nothing on screen, as `n` once a run has stopped, would wait for ever).
KEY_TIMEOUT = 10.0

#: A long history: the run is continued this far before keys are timed.
LONG_RUN = 100_000

#: Time to first screen over a bare Textual app's (issue 10).
FIRST_SCREEN_TARGET = 1.4

#: What a child process writes to its terminal after each paint (an APC string, which
#: terminals ignore), so the parent sees when a paint has arrived.
PAINTED = b"\x1b_gdtui-benchmark-painted\x1b\\"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, by linear interpolation."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def load() -> str:
    """The machine's load averages, for the record: these figures are wall-clock times."""
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} cores"


# -- key latency -------------------------------------------------------------------------------


@dataclass
class Case:
    """Keys timed on one scenario at one size.

    Attributes:
        preset: The scenario.
        size: Columns and rows.
        keys: The keys timed, one after the other, `PRESSES` of each.
        overrides: `--set` overrides (a long run needs a larger `max_steps`).
        go_to: Go to this step (running there) before timing.
        ghost: Keep the run there as a ghost (`m`) and start again (`0`) before timing.
    """

    preset: str
    size: tuple[int, int]
    keys: tuple[str, ...] = ("n",)
    overrides: tuple[str, ...] = ()
    go_to: int = 0
    ghost: bool = False

    @property
    def label(self) -> str:
        width, height = self.size
        history = f", after {self.go_to:,} steps" if self.go_to else ""
        if self.ghost:
            history = f", a ghost of {self.go_to:,} steps behind"
        return f"{self.preset} {width}x{height}{history}"


class _Frames:
    """Timestamps the repaints of a headless app, doing the terminal's share of each.

    A headless app skips turning its updates into escape sequences; a terminal's does it
    within the paint, so it is done here too: as the app does it (gdtui sends the cells that
    changed, `SendsChangedCells`; a bare Textual app its updates whole).
    """

    def __init__(self, app: App[None]) -> None:
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.painted = asyncio.Event()
        display = app._display
        cells = app.terminal_cells if isinstance(app, SendsChangedCells) else None

        def timed(screen: Screen[object], renderable: RenderableType | None) -> None:
            display(screen, renderable)
            if renderable is not None:
                if isinstance(renderable, CompositorUpdate):
                    if cells is not None:
                        cells.sequence(renderable, app.console, screen.size)
                    else:
                        renderable.render_segments(app.console)
                self.times.append(time.perf_counter())
                self.cpu.append(time.process_time())
                self.painted.set()

        app._display = timed  # type: ignore[method-assign]


class _Timed:
    """An app running headless under a pilot, whose keys are timed to their last repaint."""

    def __init__(self, app: App[None], pilot: Pilot[None]) -> None:
        self.app, self.pilot, self.frames = app, pilot, _Frames(app)
        self.cpu: list[float] = []
        """Processor seconds of each key timed, to the end of its last repaint."""

    async def settled(self) -> None:
        """Wait until every message is handled and nothing waits to be painted."""
        screen = self.app.screen
        while True:
            await self.pilot._wait_for_screen()
            if not (screen._dirty_widgets or screen._layout_required or screen._repaint_required):
                return
            self.frames.painted.clear()
            await self.frames.painted.wait()

    async def press(self, key: str) -> tuple[float, int]:
        """Seconds from `key` entering the app to the end of its last repaint, and repaints.

        The processor time the process spent meanwhile is added to `cpu`: on a loaded
        machine the wall-clock figure says as much about the other processes as about
        this one."""
        await self.settled()
        # Keys a person types are a frame apart at least; Textual paints at most once a frame.
        await asyncio.sleep(1 / 30)
        frames = self.frames
        frames.painted.clear()
        before = len(frames.times)
        cpu = time.process_time()
        start = time.perf_counter()
        assert self.app._driver is not None
        # As a terminal's input thread hands a key over.
        self.app._driver.send_message(events.Key(key, key))
        try:
            await asyncio.wait_for(frames.painted.wait(), KEY_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"key {key!r} repainted nothing in {KEY_TIMEOUT:g} s") from None
        await self.settled()
        self.cpu.append(frames.cpu[-1] - cpu)
        return frames.times[-1] - start, len(frames.times) - before


def _reference_app() -> App[None]:
    """A bare Textual app whose one key changes one line of text."""

    class Reference(App[None]):
        count = 0

        def compose(self) -> ComposeResult:
            yield Static("0", id="count")

        def on_key(self) -> None:
            self.count += 1
            self.query_one("#count", Static).update(str(self.count))

    return Reference()


def _plotext_app() -> App[None]:
    """The fixed stack used as its authors show: one textual-plotext plot filling the screen,
    whose key moves a point along a parabola and replots (a floor for a key that redraws a
    plot the library's way, not a target)."""
    from textual_plotext import PlotextPlot

    class PlotReference(App[None]):
        steps = 0

        def compose(self) -> ComposeResult:
            yield PlotextPlot()

        def on_mount(self) -> None:
            self.draw()

        def on_key(self) -> None:
            self.steps += 1
            self.draw()

        def draw(self) -> None:
            plot = self.query_one(PlotextPlot)
            xs = [i / 50 - 2 for i in range(201)]
            w = 1.5 * 0.9**self.steps
            plot.plt.clear_data()
            plot.plt.plot(xs, [x * x for x in xs])
            plot.plt.scatter([w], [w * w], marker="●")
            plot.plt.title(f"J(w) along w   slope dw={2 * w:+.3f}")
            plot.refresh()

    return PlotReference()


async def _time_keys(
    case: Case,
) -> tuple[dict[str, list[float]], list[float], float, tuple[float, float], tuple[float, float]]:
    """Per key, the latencies; the reference app's latencies; mean repaints a key; median
    processor seconds a key, gdtui's and the reference app's; the textual-plotext
    reference's median seconds and processor seconds a key."""
    app = GdtuiApp(load_scenario(case.preset, case.overrides))
    reference, plot_reference = _reference_app(), _plotext_app()
    times: dict[str, list[float]] = {key: [] for key in case.keys}
    floor: list[float] = []
    plotted: list[float] = []
    paints: list[int] = []
    async with (
        app.run_test(size=case.size) as pilot,
        reference.run_test(size=case.size) as reference_pilot,
        plot_reference.run_test(size=case.size) as plot_pilot,
    ):
        timed, bare = _Timed(app, pilot), _Timed(reference, reference_pilot)
        plot = _Timed(plot_reference, plot_pilot)
        # gdtui's writer sends the cells an update changes, once it has seen a whole frame:
        # a terminal gets the first paint, made here before the frames were watched.
        app.screen.refresh()
        await timed.settled()
        if case.go_to:
            await _go_to(pilot, case.go_to)
        if case.ghost:
            await pilot.press("m", "0")
            await pilot.pause()
        for key in case.keys:
            for _ in range(PRESSES):
                latency, count = await timed.press(key)
                times[key].append(latency)
                paints.append(count)
                floor.append((await bare.press("x"))[0])
        for _ in range(PLOT_PRESSES):
            plotted.append((await plot.press("x"))[0])
    cpu = statistics.median(timed.cpu), statistics.median(bare.cpu)
    plot_floor = statistics.median(plotted), statistics.median(plot.cpu)
    return times, floor, statistics.mean(paints), cpu, plot_floor


async def _go_to(pilot: Pilot[None], step: int) -> None:
    """Run to `step` with the debugger's go-to (which passes breakpoints) and wait."""
    screen = pilot.app.screen
    assert isinstance(screen, DebuggerScreen)
    await pilot.press("g", *str(step), "enter")
    while screen.busy or screen.session.current.step < step:
        await asyncio.sleep(0.05)
    await pilot.pause()


def _latency_results(case: Case) -> list[Result]:
    times, floor, paints, (cpu, bare_cpu), (plotted, plot_cpu) = asyncio.run(_time_keys(case))
    results = []
    reference = (
        f"bare Textual key {statistics.median(floor) * 1e3:.1f} ms median, "
        f"{percentile(floor, 0.99) * 1e3:.1f} p99; {paints:.1f} repaints a key; processor "
        f"time a key {cpu * 1e3:.1f} ms (bare Textual {bare_cpu * 1e3:.1f}); one "
        f"textual-plotext plot replotted {plotted * 1e3:.1f} ms (processor "
        f"{plot_cpu * 1e3:.1f}); {load()}"
    )
    for key, latencies in times.items():
        median = statistics.median(latencies) * 1e3
        p99 = percentile(latencies, 0.99) * 1e3
        name = f"key {key!r} to repaint, {case.label}"
        results += [
            Result(f"{name}: median", median, "ms", f"<= {MEDIAN_TARGET_MS:g}",
                   median <= MEDIAN_TARGET_MS, reference),
            Result(f"{name}: p99", p99, "ms", f"<= {P99_TARGET_MS:g}", p99 <= P99_TARGET_MS,
                   f"{len(latencies)} keys, max {max(latencies) * 1e3:.1f} ms"),
        ]  # fmt: skip
    return results


def ui_key_latency_curve() -> list[Result]:
    """`n` on a 1-D curve, at 80x24 and 200x50."""
    return [r for size in SIZES for r in _latency_results(Case("bowl-from-right", size))]


def ui_key_latency_logistic() -> list[Result]:
    """`n` on the lesson's logistic regression, at 80x24 and 200x50."""
    return [r for size in SIZES for r in _latency_results(Case("logistic-one-feature", size))]


LONG = ("stop.max_steps=1000000", "stop.tolerance=0")


def ui_key_latency_long_history() -> list[Result]:
    """`n` then `b` after 100,000 steps, at 80x24 and 200x50."""
    return [
        r
        for size in SIZES
        for r in _latency_results(Case("separable", size, ("n", "b"), LONG, LONG_RUN))
    ]


def ui_key_latency_ghost() -> list[Result]:
    """`n` then `b` with a kept run of 100,000 steps drawn behind, at 80x24 and 200x50."""
    return [
        r
        for size in SIZES
        for r in _latency_results(Case("separable", size, ("n", "b"), LONG, LONG_RUN, ghost=True))
    ]


# -- the repaint when a long continue stops ----------------------------------------------------


async def _time_stops(preset: str, size: tuple[int, int], runs: int) -> list[float]:
    """Seconds from a continue's end (the worker posting `RunStopped`) to the end of the
    repaint it causes: first after `LONG_RUN` steps, then after `runs` shorter ones."""
    app = GdtuiApp(load_scenario(preset, LONG))
    stopped: list[float] = []
    async with app.run_test(size=size) as pilot:
        timed = _Timed(app, pilot)
        screen = app.screen
        assert isinstance(screen, DebuggerScreen)
        post = screen.post_message

        def post_and_time(message: Message) -> bool:
            if isinstance(message, RunStopped):
                stopped.append(time.perf_counter())
            return post(message)

        screen.post_message = post_and_time  # type: ignore[method-assign]
        latencies = []
        for step in (LONG_RUN, *(LONG_RUN + 2_000 * k for k in range(1, runs + 1))):
            await _go_to(pilot, step)
            await timed.settled()
            latencies.append(timed.frames.times[-1] - stopped[-1])
    return latencies


def ui_continue_stop_repaint() -> list[Result]:
    """The first repaint after a continue of 100,000 steps stops, at 80x24 and 200x50."""
    results = []
    for width, height in SIZES:
        latencies = asyncio.run(_time_stops("separable", (width, height), runs=10))
        median = statistics.median(latencies) * 1e3
        results.append(
            Result(
                f"repaint when a continue stops, separable {width}x{height}, "
                f"{LONG_RUN:,}+ steps: median", median, "ms", f"<= {P99_TARGET_MS:g}",
                median <= P99_TARGET_MS,
                f"after {LONG_RUN:,} steps {latencies[0] * 1e3:.1f} ms, then 10 runs of "
                f"2,000 more: max {max(latencies[1:]) * 1e3:.1f} ms; {load()}",
            )
        )  # fmt: skip
    return results


# -- time to first screen ----------------------------------------------------------------------

#: Run in each child before its app: mark every paint on the terminal after writing it.
_MARK_PAINTS = f"""
from textual.app import App
_display = App._display
def _display_and_mark(self, screen, renderable):
    _display(self, screen, renderable)
    if renderable is not None and self._driver is not None:
        self._driver.write({PAINTED.decode()!r})
App._display = _display_and_mark
"""

_GDTUI = (
    _MARK_PAINTS
    + """
import sys
from gdtui.__main__ import main
sys.exit(main(sys.argv[1:]))
"""
)

_HELLO = (
    _MARK_PAINTS
    + """
from textual.app import App, ComposeResult
from textual.widgets import Static
class Hello(App):
    def compose(self) -> ComposeResult:
        yield Static("Hello, world")
Hello().run()
"""
)

#: Hello world with one textual-plotext plot of a parabola instead of the text: what the fixed
#: stack (Textual, numpy, textual-plotext) costs before any of gdtui's own code runs.
_HELLO_PLOT = (
    _MARK_PAINTS
    + """
import numpy
from textual.app import App, ComposeResult
from textual_plotext import PlotextPlot
class Hello(App):
    def compose(self) -> ComposeResult:
        yield PlotextPlot()
    def on_mount(self) -> None:
        xs = numpy.linspace(-2, 2, 101)
        self.query_one(PlotextPlot).plt.plot(xs.tolist(), (xs**2).tolist())
Hello().run()
"""
)


def first_screen_seconds(
    code: str,
    args: Sequence[str] = (),
    size: tuple[int, int] = (80, 24),
    quiet: float = 0.3,
    timeout: float = 30.0,
    environment: Mapping[str, str] | None = None,
) -> tuple[float, int, float]:
    """Seconds from spawning `python -c code` on a terminal of `size` until the last paint
    before it goes quiet for `quiet` seconds has arrived, how many paints that took, and the
    processor seconds the child used (user and system, until it was stopped: it is idle
    after its last paint), a figure the machine's other load disturbs less.

    The first screen is complete when nothing more is painted for `quiet` seconds: every
    panel drawn, the plot included, however many paints that takes."""
    master, child_end = os.openpty()
    width, height = size
    fcntl.ioctl(child_end, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    env = {**(os.environ if environment is None else environment), "TERM": "xterm-256color"}
    for name in ("TEXTUAL", "TEXTUAL_DEBUG", "TEXTUAL_DRIVER", "COLUMNS", "LINES"):
        env.pop(name, None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdin=child_end, stdout=child_end,
        stderr=child_end, env=env, start_new_session=True,
    )  # fmt: skip
    os.close(child_end)
    painted: list[float] = []
    output = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], quiet)
            if not ready:
                if painted:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child is gone
                break
            now = time.perf_counter()
            output = output[-len(PAINTED) :] + chunk
            painted += [now] * output.count(PAINTED)
            output = output.replace(PAINTED, b"")
    finally:
        child.kill()
        child.wait()
        os.close(master)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child's alone: reaped alone
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if not painted:
        raise RuntimeError(f"no screen came up within {timeout:g} s")
    return painted[-1] - start, len(painted), cpu


def ui_first_screen_ratio() -> Result:
    """`gdtui`'s first screen (the default lesson) over a bare Textual hello-world's."""
    rounds = 11
    gdtui, hello, plot = [], [], []
    with compiled_once() as env:
        # Warm the disk caches and compile every module once, for all three.
        for code in (_GDTUI, _HELLO, _HELLO_PLOT):
            first_screen_seconds(code, environment=env)
        for _ in range(rounds):
            gdtui.append(first_screen_seconds(_GDTUI, environment=env))
            hello.append(first_screen_seconds(_HELLO, environment=env))
            plot.append(first_screen_seconds(_HELLO_PLOT, environment=env))
    hello_time = statistics.median(h[0] for h in hello)
    ratio = statistics.median(g[0] for g in gdtui) / hello_time
    plot_time = statistics.median(p[0] for p in plot)
    cpu = statistics.median(g[2] for g in gdtui), statistics.median(h[2] for h in hello)
    return Result(
        "time to first screen, 80x24: gdtui / bare Textual hello world", ratio, "x",
        f"<= {FIRST_SCREEN_TARGET}", ratio <= FIRST_SCREEN_TARGET,
        f"gdtui {statistics.median(g[0] for g in gdtui) * 1e3:.0f} ms "
        f"({statistics.median(g[1] for g in gdtui):g} paints), "
        f"hello {hello_time * 1e3:.0f} ms; CPU gdtui "
        f"{cpu[0] * 1e3:.0f} ms, hello {cpu[1] * 1e3:.0f} ms ({cpu[0] / cpu[1]:.2f}x); "
        f"hello with one textual-plotext plot instead {plot_time * 1e3:.0f} ms "
        f"({plot_time / hello_time:.2f}x); medians of {rounds}, alternated; {load()}",
    )  # fmt: skip


BENCHMARKS: list[Callable[[], Result | list[Result]]] = [
    ui_key_latency_curve,
    ui_key_latency_logistic,
    ui_key_latency_long_history,
    ui_key_latency_ghost,
    ui_continue_stop_repaint,
    ui_first_screen_ratio,
]
