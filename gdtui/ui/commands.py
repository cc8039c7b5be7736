"""The debugger's commands, declared once: they drive the key bindings, the Footer, the
command palette and the help screen, so the four never disagree.

Every binding carries an `id` (`debugger.step`, ...) so a user can remap its keys through the
app's keymap, and a `tooltip` that the Footer shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider

ALPHA = Binding.Group("alpha", compact=True)
START = Binding.Group("start", compact=True)
SPEED = Binding.Group("speed", compact=True)
COMPONENT = Binding.Group("w[j]", compact=True)


@dataclass(frozen=True)
class Command:
    """One thing the debugger can do.

    Attributes:
        id: The binding's id, for keymaps: `debugger.<name>`.
        keys: Textual key names, comma-separated (`n,space`).
        action: The screen action it runs, with arguments if any (`start(-1)`).
        label: The Footer's word for it.
        title: Its name in the command palette and the help screen.
        help: One sentence: what it does, in the lesson's words.
        key_display: How the Footer writes the key (`n`).
        footer: Whether the Footer shows it (the rest are in help and the palette).
        group: Footer group for keys that come in pairs.
        all_keys: Every key, for help, when there is more than one (`n/space`).
        spare: Whether a narrow footer drops it first (`? help` and `q quit` always stay).
        priority: Whether the key is the screen's even when a panel that scrolls has the
            focus (the page keys scroll the notes, whatever is focused).
    """

    id: str
    keys: str
    action: str
    label: str
    title: str
    help: str
    key_display: str
    footer: bool = False
    group: Binding.Group | None = None
    all_keys: str = ""
    spare: bool = False
    priority: bool = False

    @property
    def keys_text(self) -> str:
        """Every key for the command, for the help screen (`n/space`)."""
        return self.all_keys or self.key_display

    def binding(self) -> Binding:
        """The Textual binding for this command."""
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.footer,
            key_display=self.key_display,
            tooltip=self.help,
            id=self.id,
            group=self.group,
            priority=self.priority,
        )


COMMANDS: tuple[Command, ...] = (
    Command("debugger.step", "n,space", "step", "step", "Step forward",
            "Make one update: w := w - alpha*dw (and b := b - alpha*db).", "n",
            footer=True, all_keys="n/space"),
    Command("debugger.back", "b", "back", "back", "Step back",
            "Go back one step; every step taken is kept, bit for bit.", "b", footer=True),
    Command("debugger.run", "r", "run", "run/pause", "Run / pause",
            "Animate the run, drawing every step; r again pauses.", "r", footer=True),
    Command("debugger.continue", "c", "continue", "continue", "Continue",
            "Run until a breakpoint, convergence, divergence or max steps.", "c",
            footer=True),
    Command("debugger.goto", "g", "goto", "go to", "Go to step…",
            "Jump to step N (running forward if it is not reached yet).", "g"),
    Command("debugger.alpha_up", "plus", "alpha(1)", "alpha", "Raise alpha",
            "A larger learning rate alpha, used from the next step.", "+", footer=True,
            group=ALPHA, spare=True),
    Command("debugger.alpha_down", "minus", "alpha(-1)", "alpha", "Lower alpha",
            "A smaller learning rate alpha, used from the next step.", "-", footer=True,
            group=ALPHA, spare=True),
    Command("debugger.set_alpha", "a", "set_alpha", "set alpha", "Type alpha…",
            "Type an exact learning rate alpha, used from the next step.", "a"),
    Command("debugger.start_left", "left_square_bracket", "start(-1)", "start",
            "Move the start left", "Move the starting w to the left and start again.", "["),
    Command("debugger.start_right", "right_square_bracket", "start(1)", "start",
            "Move the start right", "Move the starting w to the right and start again.", "]"),
    Command("debugger.set_start", "equals_sign", "set_start", "set start", "Type the start…",
            "Type an exact start point (w, and b where there is one) and start again.", "="),
    Command("debugger.optimizer", "o", "optimizer", "optimizer", "Choose the optimizer…",
            "Switch between plain gradient descent, momentum, Adam, ...", "o"),
    Command("debugger.scenario", "s", "scenario", "scenario", "Choose a scenario…",
            "Open another lesson from the presets.", "s"),
    Command("debugger.next_component", "j", "component(1)", "w[j]",
            "Next parameter", "Plot J along the next component of w, then b.", "j"),
    Command("debugger.previous_component", "k", "component(-1)", "w[j]",
            "Previous parameter", "Plot J along the previous parameter.", "k"),
    Command("debugger.view", "v", "view", "view", "Cycle the plot view",
            "Show the cost curve, the (w,b) surface, the cost history or the data.", "v"),
    Command("debugger.terms", "d", "terms", "dw terms", "Where dw comes from",
            "dw term by term: (1/m) * sum((yhat_i - y_i) * x_i), one example a row.", "d"),
    Command("debugger.predict", "p", "predict", "predict", "Predict first",
            "Before each step, say which way the selected parameter will move; then see.",
            "p"),
    Command("debugger.answer_left", "left,h", "answer('left')", "left", "Answer: it moves left",
            "Predict mode: the parameter will move LEFT (it decreases); the step is taken.",
            "←", all_keys="←/h"),
    Command("debugger.answer_right", "right,l", "answer('right')", "right",
            "Answer: it moves right",
            "Predict mode: the parameter will move RIGHT (it increases); the step is taken.",
            "→", all_keys="→/l"),
    Command("debugger.projector", "z", "projector", "projector", "Projector mode",
            "Give the plot the whole screen but the status and the update; z again returns.",
            "z"),
    Command("debugger.tangent", "t", "tangent", "tangent", "Toggle the tangent line",
            "Draw the slope dw as a tangent line on the cost curve.", "t"),
    Command("debugger.notes", "i", "notes", "notes", "Show / hide the notes",
            "The scenario's teaching notes.", "i"),
    Command("debugger.notes_up", "pageup", "scroll_notes(-1)", "notes", "Scroll the notes up",
            "Scroll the teaching notes up a page (or click them and use the arrows).", "PgUp",
            priority=True),
    Command("debugger.notes_down", "pagedown", "scroll_notes(1)", "notes",
            "Scroll the notes down", "Scroll the teaching notes down a page.", "PgDn",
            priority=True),
    Command("debugger.breakpoints", "B", "breakpoints", "breakpoints", "Breakpoints…",
            "List the scenario's breakpoints and switch them on or off.", "B"),
    Command("debugger.export", "e", "export", "export", "Export the trace",
            "Write the run as CSV and JSONL, the screen as SVG and the run as a recorded "
            "lesson (.lesson.jsonl), here.", "e"),
    Command("debugger.caption", "semicolon", "caption", "caption", "Caption this step…",
            "Narrate the step on screen: the caption shows from here on and is saved in "
            "the recorded lesson.", ";"),
    Command("debugger.slower", "less_than_sign", "speed(-1)", "speed", "Run slower",
            "Fewer steps a second while running.", "<"),
    Command("debugger.faster", "greater_than_sign", "speed(1)", "speed", "Run faster",
            "More steps a second while running.", ">"),
    Command("debugger.ghost", "m", "ghost", "ghost", "Keep this run as a ghost",
            "Keep the run to compare: change alpha, the optimizer or the start and run "
            "again, and it is drawn behind as ○.", "m"),
    Command("debugger.drop_ghost", "M", "drop_ghost", "drop ghost", "Drop the ghost",
            "Stop drawing the kept run.", "M"),
    Command("debugger.reset", "0", "reset", "reset", "Reset",
            "Back to step 0, forgetting the run (alpha and optimizer stay).", "0"),
    Command("debugger.help", "question_mark", "help", "help", "Help",
            "The keys, and the lesson's ideas on one screen.", "?", footer=True),
    Command("debugger.quit", "q", "app.quit", "quit", "Quit", "Leave gdtui.", "q",
            footer=True),
    Command("classroom.explore", "x", "explore", "explore", "Explore on my own",
            "In a classroom or a replay: stop following and drive this run yourself.", "x"),
    Command("classroom.follow", "f", "follow", "follow", "Follow the teacher again",
            "In a classroom or a replay: back to the teacher's run (or the recording where "
            "you left it).", "f"),
)  # fmt: skip


def bindings(commands: Iterable[Command] = COMMANDS) -> list[BindingType]:
    """The bindings for a screen's `BINDINGS`."""
    return [command.binding() for command in commands]


class DebuggerCommands(Provider):
    """The command palette's list of debugger commands, from `COMMANDS`."""

    def _prompt(self, command: Command) -> str:
        return f"{command.title}  ({command.key_display})"

    async def discover(self) -> Hits:
        """Every command, in the order of `COMMANDS`."""
        for command in COMMANDS:
            yield DiscoveryHit(
                self._prompt(command),
                partial(self.screen.run_action, command.action),
                help=command.help,
            )

    async def search(self, query: str) -> Hits:
        """The commands whose title matches what was typed."""
        matcher = self.matcher(query)
        for command in COMMANDS:
            prompt = self._prompt(command)
            score = matcher.match(prompt)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(prompt),
                    partial(self.screen.run_action, command.action),
                    help=command.help,
                )
