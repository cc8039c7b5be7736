"""`e`: the trace (CSV and JSONL), an SVG of the screen and the run as a recorded lesson."""

# mypy: disable-error-code="misc"
# (the methods are the debugger screen's: their `self` is one, which mypy calls an error)
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from gdtui.exports import QuotaExceeded, QuotaFile
from gdtui.lesson.actions import Action
from gdtui.lesson.recording import SUFFIX, lesson_text
from gdtui.scenario import Scenario
from gdtui.ui.messages import Exported

if TYPE_CHECKING:
    from gdtui.ui.screens.debugger import DebuggerScreen


def file_stem(scenario: Scenario) -> str:
    """A name for files about this scenario: the preset or file name, safe for any disk."""
    stem = Path(scenario.path).stem if scenario.path else scenario.name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "scenario"


def zipped(paths: tuple[str, ...]) -> bytes:
    """The files at `paths` in one zip archive."""
    import zipfile  # some 20 ms of a first screen's imports, for a web export only

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in paths:
            bundle.write(path, Path(path).name)
    return archive.getvalue()


class Exporting:
    """The export key, written in a worker thread."""

    def action_export(self: DebuggerScreen) -> None:
        """Write the trace as CSV and JSONL, the screen as SVG and the run's actions as a
        recorded lesson, in the current folder.

        On a server the app runs in the session's own folder, and the quota the server set
        (count and bytes) bounds what one student can write.
        """
        if not self._idle():
            return
        try:
            self.exports.start()
        except QuotaExceeded as refusal:
            self.notify(str(refusal), title="Not exported", severity="warning", timeout=8,
                        markup=False)  # fmt: skip
            return
        stem = f"gdtui-trace-{file_stem(self.scenario)}-step{self.session.current.step}"
        self.busy = "export"
        lesson = f"{file_stem(self.scenario)}-step{self.session.current.step}{SUFFIX}"
        self._export_in_thread(stem, self.app.export_screenshot(), lesson, tuple(self.lesson))

    @work(thread=True, exit_on_error=False, group="session")
    def _export_in_thread(
        self: DebuggerScreen, stem: str, svg: str, lesson: str, actions: tuple[Action, ...]
    ) -> None:
        from gdtui.trace import write_trace  # imported on the first export, not at start-up

        paths: list[str] = []
        error = None
        try:
            for fmt in ("svg", "csv", "jsonl"):
                path = f"{stem}.{fmt}"
                with QuotaFile(path, self.exports) as stream:
                    if fmt == "svg":
                        stream.write(svg)
                    else:
                        write_trace(self.session, stream, fmt,  # type: ignore[arg-type]
                                    captions=self.captions)  # fmt: skip
                paths.append(path)
            with QuotaFile(lesson, self.exports) as stream:
                stream.write(lesson_text(actions))
            paths.append(lesson)
        except QuotaExceeded as exc:
            error = str(exc)
        except Exception as exc:  # a full disk must not leave the screen busy
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self.post_message(Exported(tuple(paths), error))

    def on_exported(self: DebuggerScreen, message: Exported) -> None:
        """The export has finished: say where the files are (or send them, in a browser)."""
        self.busy = ""
        if message.error:
            self.notify(message.error, title="Export failed", severity="error", markup=False)
        elif self.app.is_web:
            # In a browser the files are on the server, in a folder that goes with the tab:
            # send them to the browser instead, as one download (a page may start only one
            # download per key press).
            name = f"{Path(message.paths[0]).stem}.zip"
            self.app.deliver_binary(io.BytesIO(zipped(message.paths)), save_filename=name)
            self.notify(f"{name}: sent to your browser's downloads", title="Exported",
                        timeout=6, markup=False)  # fmt: skip
        else:
            self.notify("\n".join(message.paths), title="Exported", timeout=6, markup=False)
