"""UI test setup: nothing on screen may depend on the clock."""

from __future__ import annotations

import pytest
from textual.widgets import Input


@pytest.fixture(autouse=True)
def frozen_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing on screen may depend on time: the text cursor does not blink."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
