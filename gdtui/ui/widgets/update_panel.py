"""The update panel: the lesson's rule with this step's numbers put in, and what it means."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widget import Widget

from gdtui.engine.snapshot import LEFT, MOVE_WORDS, RIGHT, Snapshot, Vector
from gdtui.ui.format import (
    STEP_SYMBOLS,
    Parameter,
    ShownCause,
    alpha_text,
    divergence_note,
    number,
    outcome,
    parameters,
    step_symbol_note,
    update_rule,
    verdict,
)
from gdtui.ui.widgets.text_lines import TextLines, assembled, styled

if TYPE_CHECKING:
    from gdtui.lesson.predict import Answer, Reveal

#: Divergence causes where this very point has no cost (or slope) to go down.
UNDEFINED_HERE = frozenset({"cost_undefined", "slope_undefined"})


#: Outcomes that stand out: the step makes J worse, or leaves the numbers.
WARNING_TONES = frozenset({"overshoots", "uphill", "undefined", "overflows"})


class UpdatePanel(TextLines):
    """For `w` (or the selected component of a vector `w`) and `b`, then the cost:

        w := w - alpha*dw = 0.500 - 0.10*(+2.400) = 0.260
          dw > 0: the slope goes up, so w decreases and moves ← LEFT, downhill
        J(next) = 7.508 (-4.160 ▼): J falls 11.668 → 7.508

    The last line says what the step does, read from the cost where it lands: falls,
    crosses the minimum yet falls, or overshoots and rises. Momentum and Adam show the step
    they really take, and say when it goes against the slope.
    """

    COMPONENT_CLASSES = {
        "update-panel--rule",
        "update-panel--left",
        "update-panel--right",
        "update-panel--against",
        "update-panel--diverged",
        "update-panel--rises",
        "update-panel--question",
        "update-panel--correct",
        "update-panel--wrong",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._height: int | None = None

    def _width(self) -> int:
        """The width of the text. Before the first layout the panel is taken to span its
        container, as it does: sentences cut for a width only known later would change the
        height, and lay the screen out and draw it all a second time."""
        parent = self.parent
        if self.size.width or not isinstance(parent, Widget) or not parent.size.width:
            return self.size.width or 1000
        return max(parent.size.width - self.styles.gutter.width, 1)

    def show(
        self,
        snapshot: Snapshot,
        component: int = 0,
        diverged: bool = False,
        landing: tuple[float, Vector] | None = None,
        cause: ShownCause | None = None,
    ) -> None:
        """Explain the update that leaves `snapshot`.

        Args:
            snapshot: The step on screen.
            component: The component of a vector `w` explained.
            diverged: Whether this update diverges (it is then not made).
            landing: J where the update lands and the slopes `(dw, db)` there
                (`Session.landing_cost`, `Session.landing_slope`); None while a run holds
                the session, when the line keeps its place with no numbers.
            cause: Why the update diverges (`shown_cause`), if it does.
        """
        style = self.get_visual_style
        kind = snapshot.optimizer.kind
        lines: list[Content] = []
        explained = parameters(snapshot, component)
        # The sentences keep one form: all in full, or all without their reasons.
        width = self._width() - 1
        short = any(len(verdict(p, kind)) > width for p in explained)
        for p in explained:
            lines.append(styled(update_rule(p, snapshot.alpha, kind),
                                style("update-panel--rule", partial=True)))  # fmt: skip
            if cause in UNDEFINED_HERE:
                continue  # no cost here, so no downhill: the note below says why
            words = verdict(p, kind, short)
            if "AGAINST" in words:
                tone = "against"
            elif p.move in (LEFT, RIGHT):
                tone = p.move
            else:
                tone = ""
            line_style = style(f"update-panel--{tone}", partial=True) if tone else ""
            lines.append(assembled(" ", (words, line_style)))
        note = step_symbol_note(kind, explained[0].slope_name, snapshot.optimizer.params)
        if note:
            lines.append(styled(f" where {note}"))
        if diverged:
            if cause == "too_large" and landing is not None:  # J(next) is a number yet
                lines.append(
                    self._outcome(snapshot, component, explained, landing, width, brief=True)
                )
            lines.append(
                styled(
                    divergence_note(cause or "overflow", snapshot),
                    style("update-panel--diverged", partial=True),
                )
            )
        elif landing is None:
            lines.append(styled("J(next) = …"))
        else:
            lines.append(self._outcome(snapshot, component, explained, landing, width))
        # A layout pass costs as much as the rest of a step: ask for one only when the height
        # may change (a line that does not fit wraps, and then the height is Textual's to find).
        room = self._width()
        fits = all(line.cell_length <= room for line in lines)
        height = len(lines) if fits else None
        self.set_lines(lines, layout=height is None or height != self._height)
        self._height = height

    def ask(
        self,
        snapshot: Snapshot,
        component: int,
        answer: Answer | None,
        reveal: Reveal | None,
        previous: Snapshot | None,
    ) -> None:
        """Predict mode: the question for the next update, with nothing that answers it (no
        new value, no verdict, no `J(next)`); above it, the last step's verdict and rule.

            ✗ wrong: dw < 0, so w moves RIGHT →
            w := w - alpha*dw = 0.000 - 0.30*(-0.500) = 0.150
            which way will w move?  ← or h: LEFT · → or l: RIGHT · n: show me
            w := w - alpha*dw, with dw = -0.142 and alpha = 0.30

        Args:
            snapshot: The step on screen.
            component: The selected parameter (asked about).
            answer: An answer waiting for the teacher's step (a student in a class).
            reveal: The verdict on the step that led here, if it was predicted.
            previous: The step before, whose update `reveal` judged.
        """
        from gdtui.lesson.predict import question  # predict mode's, loaded by `p`

        style = self.get_visual_style
        kind = snapshot.optimizer.kind
        asked = question(snapshot, component)
        lines: list[Content] = []
        if reveal is not None:
            tone = "correct" if reveal.right and reveal.scored else "wrong"
            if not reveal.scored:
                tone = "correct" if reveal.right else ""
            lines.append(styled(reveal.text, style(f"update-panel--{tone}", partial=True)
                                if tone else ""))  # fmt: skip
            if previous is not None:
                made = next(p for p in parameters(previous, reveal.question.index)
                            if p.name == reveal.question.name)  # fmt: skip
                lines.append(styled(update_rule(made, previous.alpha, previous.optimizer.kind)))
        emphasis = style("update-panel--question", partial=True)
        if answer is None:
            lines.append(styled(f"which way will {asked.name} move?  ← or h: LEFT · "
                                "→ or l: RIGHT · n: show me", emphasis))  # fmt: skip
        else:
            lines.append(styled(f"your answer: {asked.name} moves {MOVE_WORDS[answer]} · "
                                "the teacher's step will tell (← → change it)",
                                emphasis))  # fmt: skip
        momentum = snapshot.optimizer.params.get("momentum", 0)
        symbol = STEP_SYMBOLS.get(kind, STEP_SYMBOLS["gd"])[0].format(
            d=asked.slope_name, momentum=momentum
        )
        slope = float(snapshot.grad[asked.index])
        lines.append(styled(
            f"{asked.name} := {asked.name} - alpha*{symbol}, with {asked.slope_name} = "
            f"{number(slope, signed=True)} and alpha = {alpha_text(snapshot.alpha)}"
        ))  # fmt: skip
        note = step_symbol_note(kind, asked.slope_name, snapshot.optimizer.params)
        if note:
            lines.append(styled(f" where {note}"))
        self._height = None
        self.set_lines(lines, layout=True)

    def _outcome(
        self,
        snapshot: Snapshot,
        component: int,
        explained: list[Parameter],
        landing: tuple[float, Vector],
        width: int,
        brief: bool = False,
    ) -> Content:
        """The line `J(next) = ...`: the landing cost, its change, what the step does; its
        gist where the whole would wrap and the panel is long (`brief`, or with `b` too)."""
        cost, slopes = landing
        j = min(max(component, 0), snapshot.layout.n_w - 1)
        indices = [j, -1] if snapshot.layout.has_b else [j]
        said = outcome(explained, snapshot.cost, cost, [float(slopes[i]) for i in indices],
                       snapshot.optimizer.kind)  # fmt: skip
        # One parameter leaves room for the whole sentence (it may wrap); with `b` too the
        # panel is already four lines, so a narrow one gets the gist.
        whole = len(said.full) <= width or (len(explained) == 1 and not brief)
        text = said.full if whole else said.short
        if said.tone in WARNING_TONES:
            return styled(text, self.get_visual_style("update-panel--rises", partial=True))
        return styled(text)
