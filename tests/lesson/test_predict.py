"""Predict first, headless: answers judged against the engine's move, and the score.

The moves are worked out here by hand from the lesson's rule (and PyTorch's momentum rule),
not read back from the engine's own direction of travel.
"""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.build import build_session
from gdtui.engine.optimizers import Optimizer
from gdtui.engine.snapshot import Layout, Snapshot
from gdtui.lesson.predict import Predict, Reveal, Score, question, reveal
from gdtui.scenario import load_scenario

ONE_W = Layout(1, False, False)
W_AND_B = Layout(1, True, False)


def snap(step: int, theta: list[float], grad: list[float], kind: str = "gd",
         layout: Layout = ONE_W) -> Snapshot:  # fmt: skip
    """A snapshot with the numbers given (what follows it does not matter here)."""
    array = np.array(theta, dtype=np.float64)
    return Snapshot(step, array, np.array(grad, dtype=np.float64), 1.0, 0.1, Optimizer(kind),
                    np.zeros_like(array), array.copy(), np.zeros_like(array), layout)  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after", "answer", "text", "right"),
    [
        # w := w - alpha*dw = 0.5 - 0.1*2.4 = 0.26: dw > 0, w moves left.
        (0.5, 0.26, "left", "✓ right", True),
        (0.5, 0.26, "right", "✗ wrong: dw > 0, so w moves ← LEFT", False),
        # dw = -2.4: w = 0.5 + 0.24 = 0.74 moves right.
        (0.5, 0.74, "right", "✓ right", True),
        (0.5, 0.74, "left", "✗ wrong: dw < 0, so w moves RIGHT →", False),
    ],
)
def test_an_answer_is_judged_by_the_sign_rule_under_plain_gradient_descent(
    before: float, after: float, answer: str, text: str, right: bool
) -> None:
    dw = (before - after) / 0.1  # the slope that makes this gd step
    judged = reveal(snap(3, [before], [dw]), snap(4, [after], [0.0]), 0, answer)  # type: ignore[arg-type]
    assert judged.text == text
    assert judged.right is right and judged.scored


def test_momentum_against_the_slope_is_judged_by_where_w_went_and_says_why() -> None:
    # dw > 0, yet the velocity carries w right: the sign rule would say left.
    before = snap(7, [1.0], [0.5], "momentum")
    after = snap(8, [1.2], [0.0], "momentum")
    said_left = reveal(before, after, 0, "left")
    said_right = reveal(before, after, 0, "right")
    assert not said_left.right and said_right.right
    assert said_left.text == (
        "✗ wrong: dw > 0, yet w moves RIGHT →, against the slope: the velocity built up on "
        "earlier steps carries it on"
    )
    assert said_right.text.startswith("✓ right: dw > 0, yet w moves RIGHT →, against the slope")


def test_momentum_on_the_bowl_is_judged_against_pytorchs_rule_step_by_step() -> None:
    """(w - 3)**2 from w = 7, momentum 0.9: v = 0.9*v + dw; w := w - alpha*v (PyTorch).
    The run overshoots and turns back, so some steps go against the slope."""
    scenario = load_scenario("bowl-from-right", ["optimizer.kind=momentum"])
    session = build_session(scenario)
    alpha, mu = scenario.optimizer.alpha, 0.9
    w, v, against = 7.0, 0.0, 0
    for step in range(40):
        dw = 2 * (w - 3)
        v = mu * v + dw if step else dw
        new_w = w - alpha * v
        expected = "left" if new_w < w else "right"
        before = session.current
        session.step(1)
        judged = reveal(before, session.current, 0, "left")
        assert judged.move == expected
        assert judged.right is (expected == "left")
        against += (expected == "left") != (dw > 0)
        w = new_w
    assert against > 0  # the case the sign rule gets wrong was met


@pytest.mark.parametrize(
    ("dw", "text"),
    [
        (0.0, "· not scored: dw = 0: the slope is flat, so w stays where it is"),
        # A step too small to change w (float rounding) is not a move either.
        (1e-300, "· not scored: dw > 0, but the step is too small to change w"),
    ],
)
def test_a_parameter_that_stays_is_revealed_and_not_scored(dw: float, text: str) -> None:
    judged = reveal(snap(2, [3.0], [dw]), snap(3, [3.0], [0.0]), 0, "left")
    assert judged.move == "stay" and not judged.scored
    assert judged.text == text
    assert Score().add(judged) == Score()


def test_no_answer_is_revealed_without_scoring() -> None:
    judged = reveal(snap(0, [7.0], [8.0]), snap(1, [6.2], [0.0]), 0, None)
    assert judged.text == "not scored (no answer): dw > 0, so w moves ← LEFT"
    assert Score().add(judged) == Score()


@pytest.mark.parametrize(
    ("component", "name", "index"),
    [(0, "w", 0), (1, "b", 1), (5, "b", 1)],
)
def test_the_question_names_the_selected_parameter(component: int, name: str, index: int) -> None:
    asked = question(snap(0, [1.0, 2.0], [0.1, 0.2], layout=W_AND_B), component)
    assert (asked.name, asked.index) == (name, index)


def test_a_vector_w_is_asked_about_one_component() -> None:
    layout = Layout(3, True, True)
    before = snap(0, [1.0, 2.0, 3.0, 4.0], [0.1, -0.2, 0.3, 0.4], layout=layout)
    after = snap(1, [0.9, 2.1, 3.0, 3.6], [0.0] * 4, layout=layout)
    judged = reveal(before, after, 1, "right")
    assert judged.question.name == "w[1]" and judged.right
    assert reveal(before, after, 3, "left").question.name == "b"


def test_the_score_counts_right_answers_of_those_scored() -> None:
    predict = Predict()
    moves = [(1.0, 0.5, "left"), (0.5, 0.25, "right"), (0.25, 0.4, "right")]
    for step, (w, new_w, answer) in enumerate(moves):
        predict = predict.answered(step, answer)  # type: ignore[arg-type]
        predict = predict.stepped(snap(step, [w], [1.0]), snap(step + 1, [new_w], [0.0]), 0)
    assert predict.score.text == "2 of 3 right"


def test_a_step_scored_once_does_not_count_again_after_going_back() -> None:
    before, after = snap(4, [1.0], [1.0]), snap(5, [0.9], [1.0])
    predict = Predict().answered(4, "left").stepped(before, after, 0)
    predict = predict.moved().answered(4, "left").stepped(before, after, 0)
    assert predict.score == Score(1, 1, frozenset({4}))
    assert predict.reveal is not None and predict.reveal.repeat
    assert predict.reveal.text == "✓ right (step 4 was scored already)"
    # A new run (alpha, a restart...) has new steps: they count again.
    again = predict.moved(rewritten=True).answered(4, "left").stepped(before, after, 0)
    assert again.score.text == "2 of 2 right"


def test_an_answer_counts_only_for_the_step_it_was_given_at() -> None:
    predict = Predict().answered(3, "left")
    judged = predict.stepped(snap(4, [1.0], [1.0]), snap(5, [0.9], [0.0]), 0).reveal
    assert judged is not None and judged.answer is None
    assert predict.pending(3) == "left" and predict.pending(4) is None


def test_the_verdict_shows_only_at_the_step_after_it() -> None:
    predict = Predict().stepped(snap(4, [1.0], [1.0]), snap(5, [0.9], [0.0]), 0)
    assert isinstance(predict.shown_at(5), Reveal)
    assert predict.shown_at(6) is None and predict.shown_at(4) is None


def test_a_reveal_needs_consecutive_steps() -> None:
    with pytest.raises(ValueError, match="does not follow"):
        reveal(snap(1, [1.0], [1.0]), snap(3, [0.0], [0.0]), 0, "left")
