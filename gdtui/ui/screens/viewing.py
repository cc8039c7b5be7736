"""What the screen shows, none of it an action on the run: which panels fit (`_arrange`),
the plot view (`v`), the projector (`z`), the selected parameter (`j` `k`), the tangent,
the notes, `dw` term by term (`d`) and help."""

# mypy: disable-error-code="misc"
# (the methods are the debugger screen's: their `self` is one, which mypy calls an error)
from __future__ import annotations

from typing import TYPE_CHECKING

from gdtui.engine.problems import DataProblem
from gdtui.ui.format import shows_components
from gdtui.ui.layout import TALL_HEIGHT, Arrangement, arrange

#: The widgets gdtui.tcss styles by each of the arrangement's classes: the ones a change of
#: that class restyles.
STYLED_BY: dict[str, str] = {
    "-no-left": "#left",
    "-history-left": "#history",
    "-notes-left": "#notes",
    "-notes-bottom": "#notes-wide, StepLog",
    "-bottom": "#bottom",
    "-projector": "KeysFooter",
}

if TYPE_CHECKING:
    from gdtui.ui.screens.debugger import DebuggerScreen
    from gdtui.ui.widgets.notes import Notes


class Viewing:
    """The debugger screen's keys that change what is shown, not the run."""

    def _arrange(self: DebuggerScreen) -> None:
        """Show the panels that fit this size, and hide the others (see `arrange`)."""
        layout = self.session.layout
        # The state panel's height, known before it is laid out: border, one row each for
        # w (or the norms), b, the cost and its change, and the rows of a vector w.
        state = 2 + 3 + layout.has_b
        if shows_components(layout):
            state += min(layout.n_w, 16 if self.size.height >= TALL_HEIGHT else 8)
        main = self.query_one("#main")
        # Its height as the next layout gives it, not as the last did: after a resize that
        # was at the old size, and before the first paint there was none. It depends on
        # the arrangement too: the step log's row and the keys take rows from it. These do
        # not depend on its height, so a second measure, once they came or went, holds (a
        # third is never needed; the bound only keeps a surprise from hanging the screen).
        measured, height = None, self.laid_out_height(main)
        for _ in range(3):
            if height == measured:
                break
            self._show_arrangement(
                arrange(
                    self.size.width,
                    self.size.height,
                    view=self.view,
                    notes=self.notes,
                    projector=self.projector,
                    has_b=layout.has_b,
                    left_room=height - state,
                )
            )
            measured, height = height, self.laid_out_height(main)
        self._arranged = (*self.size, self._written)
        if self.view not in self.views:
            self.view = "curve"

    def _show_arrangement(self: DebuggerScreen, arrangement: Arrangement) -> None:
        """Set the classes that show `arrangement`'s panels, making those never shown yet."""
        self.arrangement = arrangement
        classes = {
            "-no-left": not arrangement.left,
            "-history-left": arrangement.history,
            "-notes-left": arrangement.notes == "left",
            "-notes-bottom": arrangement.notes == "bottom",
            "-bottom": arrangement.bottom,
            "-projector": self.projector,
        }
        changed = [name for name, on in classes.items() if self.has_class(name) != on]
        if changed:
            # Only the widgets that gdtui.tcss styles by the classes that changed change:
            # restyled alone, not with every other widget on the screen (41, some 30 ms),
            # nor with those of the other classes (the footer's keys alone cost 2 ms).
            self.update_classes(classes, update=False)
            self.app.stylesheet.update_nodes(
                self.query(", ".join(STYLED_BY[name] for name in changed))
            )
        if arrangement.bottom and not self.query_children("#bottom"):
            self._make_bottom()
        if arrangement.notes == "left" and not self.query("#notes"):
            self._make_notes()
        plot_view = self.query_one("#plot-view")
        if plot_view.border_subtitle != arrangement.hint:  # set, it repaints the plot's border
            plot_view.border_subtitle = arrangement.hint

    def action_component(self: DebuggerScreen, direction: int) -> None:
        """Select another parameter to plot: a component of w, or b (after the last)."""
        layout = self.session.layout
        n = layout.n_w + (1 if layout.has_b else 0)
        if n == 1:
            self.notify("w is a single number and there is no b: no other parameter to plot.",
                        timeout=2)  # fmt: skip
            return
        self.component = min(max(self.component + direction, 0), n - 1)

    def action_view(self: DebuggerScreen) -> None:
        """Show the next plot view."""
        views = self.views
        at = views.index(self.view) if self.view in views else -1
        self.view = views[(at + 1) % len(views)]

    def action_projector(self: DebuggerScreen) -> None:
        """Give the plot the whole screen but the status and the update; again, give it back."""
        self.projector = not self.projector

    @property
    def views(self: DebuggerScreen) -> tuple[str, ...]:
        """What `v` cycles through: what fits the screen, and the data of a problem on data."""
        data = ("data",) if isinstance(self.session.problem, DataProblem) else ()
        return (*self.arrangement.views, *data)

    def action_terms(self: DebuggerScreen) -> None:
        """Write the selected slope as the average of one term per example."""
        from gdtui.ui.screens.dw_terms import TermsScreen

        if not isinstance(self.session.problem, DataProblem):
            self.notify("dw here is the derivative of a formula in w: there are no examples "
                        "to add up.", timeout=3)  # fmt: skip
            return
        snapshot = self.snapshot or self.session.current
        self.app.push_screen(TermsScreen(self.session.problem, snapshot, self.component))

    def action_tangent(self: DebuggerScreen) -> None:
        """Draw the tangent line, or not."""
        self.tangent = not self.tangent

    @property
    def notes_panel(self: DebuggerScreen) -> Notes | None:
        """The notes panel on screen, if any (where it sits depends on the screen's size)."""
        return next((notes for notes in self.notes_panels if notes.display), None)

    def action_notes(self: DebuggerScreen) -> None:
        """Show or hide the teaching notes."""
        if self.projector:
            self.notify("The plot has the screen: z brings the notes back.", timeout=3)
        elif not self.arrangement.left:  # too narrow for a column: the notes are a view
            by_size: bool | None = None  # the size decides again once the view is left
            self.notes = by_size
            self.view = "curve" if self.view == "notes" else "notes"
        else:
            self.notes = self.notes_panel is None

    def action_scroll_notes(self: DebuggerScreen, direction: int) -> None:
        """Scroll the notes on screen a page up or down."""
        notes = self.notes_panel
        if notes is None:
            self.notify("The notes are not on screen: i shows them.", timeout=2)
        elif direction > 0:
            notes.scroll_page_down(animate=False)
        else:
            notes.scroll_page_up(animate=False)

    def action_help(self: DebuggerScreen) -> None:
        """The keys and the lesson's ideas."""
        from gdtui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.session.breakpoints))
