"""Which panels the debugger shows at a size, and where the others went.

The update panel and the plot always keep their place; the rest is shown only where it fits,
never crushed: a panel that does not fit is hidden, and the plot's border says how to reach
it (a view of the plot, or a key). The screen turns an `Arrangement` into CSS classes; the
styles in `gdtui.tcss` do the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Columns the left column (state, history, notes) needs beside a plot still worth reading:
#: at 60 columns it left the plot 16.
LEFT_MIN_WIDTH = 80

#: Columns from which the notes sit beside the step log instead of in the left column.
WIDE_WIDTH = 110

#: Rows from which the step log (and, when wide, the notes beside it) has room.
TALL_HEIGHT = 34

#: Rows the cost history needs to be a plot: border, title, two rows of curve, frame and
#: labels. With fewer, its labels were printed on its frame.
HISTORY_MIN_HEIGHT = 8

#: Rows the notes need in the left column to show a few lines, with their border.
NOTES_MIN_HEIGHT = 5

NotesPlace = Literal["left", "bottom", "view", "none"]


@dataclass(frozen=True)
class Arrangement:
    """What is on screen besides the status line, the plot and the update panel.

    Attributes:
        left: Whether the left column (the state, then the history or the notes) is shown.
        history: Whether the cost history sits in the left column, under the state.
        notes: Where the notes are: the left column, beside the step log (`bottom`), in the
            plot area as a view (`view`, on a screen too narrow for the left column), or not
            shown (`none`).
        bottom: Whether the step log row is shown.
        footer: Whether the keys are shown (not in projector mode).
        views: The views `v` cycles through, in order.
        hint: A few words for the plot's border: where the hidden panels went.
    """

    left: bool
    history: bool
    notes: NotesPlace
    bottom: bool
    footer: bool
    views: tuple[str, ...]
    hint: str


def arrange(
    width: int,
    height: int,
    *,
    view: str,
    notes: bool | None,
    projector: bool,
    has_b: bool,
    left_room: int,
) -> Arrangement:
    """Decide which panels fit a screen of `width` x `height`.

    Args:
        width: The screen's columns.
        height: The screen's rows.
        view: What the plot area shows (`curve`, `surface`, `state`, `history`, `notes`).
        notes: Whether the user asked for the notes (`i`); None leaves it to the size.
        projector: Whether `z` gave the plot the whole screen.
        has_b: Whether the problem has a `b` (only then is there a `(w, b)` surface).
        left_room: Rows of the left column under the state panel.

    Returns:
        The arrangement to show.
    """
    plots = ("curve", "surface") if has_b else ("curve",)
    if projector:
        return Arrangement(
            left=False,
            history=False,
            notes="none",
            bottom=False,
            footer=False,
            views=(*plots, "history"),
            hint="z: all panels",
        )
    left = width >= LEFT_MIN_WIDTH
    bottom = height >= TALL_HEIGHT
    if not left:
        # Too narrow for a column beside the plot: the state and the notes become views.
        place: NotesPlace = "view" if notes is not False else "none"
        views = (*plots, "state", "history", *(("notes",) if place == "view" else ()))
        hint = "v: state, history" + (", notes" if place == "view" else "")
        return Arrangement(False, False, place, bottom, True, views, hint)
    views = (*plots, "history")
    history_fits = left_room >= HISTORY_MIN_HEIGHT
    if notes is False:
        place = "none"
    elif bottom and width >= WIDE_WIDTH and view != "history":
        place = "bottom"
    elif left_room < NOTES_MIN_HEIGHT:
        place = "none"
    elif notes is True or view == "history" or not history_fits:
        # The notes take the history's place when asked for, or when the history is in
        # the plot already or has no room here.
        place = "left"
    else:
        place = "none"
    history = place != "left" and view != "history" and history_fits
    hints = []
    if not history and view != "history":
        hints.append("v: history")
    if place == "none" and notes is None:
        hints.append("i: notes")
    return Arrangement(True, history, place, bottom, True, views, " · ".join(hints))
