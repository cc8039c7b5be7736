"""Stand-ins for the plot widgets until they land: same `show` signature, text instead."""

from __future__ import annotations

from textual.widgets import Static

from gdtui.engine.session import Session
from gdtui.ui.format import number


class PlotPlaceholder(Static):
    """A box that says which plot goes here and the numbers it would draw."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.title = title

    def show(
        self,
        session: Session,
        *,
        component: int = 0,
        tangent: bool = True,
        w_range: tuple[float, float] | None = None,
        b_range: tuple[float, float] | None = None,
    ) -> None:
        """Describe what the plot would show."""
        current = session.current
        self.update(f"{self.title}\nstep {current.step}  J = {number(current.cost)}")


class CostCurvePlot(PlotPlaceholder):
    """Placeholder for the cost-curve plot."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("cost curve J(w)", id=id)


class CostHistoryPlot(PlotPlaceholder):
    """Placeholder for the cost history plot."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("cost history J by step", id=id)


class CostSurfacePlot(PlotPlaceholder):
    """Placeholder for the (w,b) surface plot."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("cost surface J(w,b)", id=id)
