"""Captions: narration by step in a scenario, checked like the rest of it, in the trace only
on the steps that carry one, and true to the runs they narrate in the presets."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gdtui import cli
from gdtui.build import build_session
from gdtui.scenario import ScenarioError, load_scenario

CURVE = 'name = "t"\n[problem]\nkind = "curve"\ncost = "(w - 3)**2"\n[start]\nw = 7.0\n'


def write(folder: Path, extra: str) -> Path:
    """A scenario file with `extra` after its tables (a bare key, before them)."""
    path = folder / "lesson.toml"
    text = extra + CURVE if extra.startswith("captions =") else CURVE + extra
    path.write_text(text, encoding="utf-8")
    return path


def test_captions_are_read_in_step_order(tmp_path: Path) -> None:
    path = write(tmp_path, '[[captions]]\nstep = 3\ntext = "later"\n'
                           '[[captions]]\nstep = 0\ntext = " first "\n')  # fmt: skip
    assert load_scenario(str(path)).captions == ((0, "first"), (3, "later"))


@pytest.mark.parametrize(
    ("extra", "key", "says"),
    [
        ("captions = 3\n", "captions", "an array of tables"),
        ('[[captions]]\ntext = "x"\n', "captions[0].step", "missing"),
        ('[[captions]]\nstep = -1\ntext = "x"\n', "captions[0].step", "whole number"),
        ('[[captions]]\nstep = 5000\ntext = "x"\n', "captions[0].step", "whole number"),
        ('[[captions]]\nstep = 1\n', "captions[0].text", "missing"),
        ('[[captions]]\nstep = 1\ntext = "  "\n', "captions[0].text", "one line"),
        ('[[captions]]\nstep = 1\ntext = """a\nb"""\n', "captions[0].text", "one line"),
        ('[[captions]]\nstep = 1\ntext = 7\n', "captions[0].text", "one line"),
        ('[[captions]]\nstep = 1\ntext = "x"\nwhen = 2\n', "captions[0].when", "unknown key"),
        ('[[captions]]\nstep = 1\ntext = "x"\n[[captions]]\nstep = 1\ntext = "y"\n',
         "captions[1].step", "already has a caption"),
    ],
)  # fmt: skip
def test_a_bad_caption_is_one_line_naming_file_and_key(
    tmp_path: Path, extra: str, key: str, says: str
) -> None:
    path = write(tmp_path, extra)
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: ") and says in message and "\n" not in message


def trace_lines(path: Path) -> list[str]:
    out = io.StringIO()
    argv = ["trace", str(path), "--steps", "4", "--format", "jsonl"]
    assert cli.run(argv, out, io.StringIO()) == 0
    return out.getvalue().splitlines()


def test_the_trace_gives_a_caption_only_on_its_step(tmp_path: Path) -> None:
    plain = trace_lines(write(tmp_path, ""))
    narrated = trace_lines(write(tmp_path, '[[captions]]\nstep = 2\ntext = "over the bottom"\n'))
    assert len(plain) == len(narrated)
    for step, (before, after) in enumerate(zip(plain, narrated, strict=True)):
        if step == 2:
            assert json.loads(after) == {**json.loads(before), "caption": "over the bottom"}
        else:
            assert after == before  # byte for byte


def run(name: str, steps: int):  # type: ignore[no-untyped-def]
    session = build_session(load_scenario(name))
    session.step(steps)
    return [session.snapshot(k) for k in range(steps + 1)]


def test_alpha_overshoot_captions_tell_the_truth() -> None:
    captions = dict(load_scenario("alpha-overshoot").captions)
    assert "flip at every step" in captions[2]
    steps = run("alpha-overshoot", 12)
    assert steps[0].dw > 0 and steps[1].w == pytest.approx(-0.2) and steps[1].dw < 0
    for a, b in zip(steps[1:], steps[2:], strict=False):
        assert a.dw * b.dw < 0  # the sign flips every step
        assert abs(b.w - 3) == pytest.approx(0.8 * abs(a.w - 3))  # and shrinks by 0.8


def test_alpha_divergent_and_ravine_captions_tell_the_truth() -> None:
    divergent = run("alpha-divergent", 3)
    assert (divergent[0].cost, divergent[1].w, divergent[1].cost) == (1.0, 1.0, 4.0)
    assert [abs(s.w - 3) for s in divergent] == [1.0, 2.0, 4.0, 8.0]
    ravine = run("ravine", 20)
    assert ravine[1].b == pytest.approx(-0.9)
    assert all(0.98 < abs(b.w / a.w) < 1 for a, b in zip(ravine, ravine[1:], strict=False))
