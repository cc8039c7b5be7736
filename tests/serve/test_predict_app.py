"""Predict first in a classroom, with the real app over SSH: three students answer, the
teacher's status line tallies them live, and after the teacher's step says how many were
right; each student's own screen reveals their verdict."""

from __future__ import annotations

from gdtui.build import build_session
from gdtui.scenario import load_scenario
from tests.serve.conftest import GDTUI, StartServer
from tests.serve.test_follow_app import CHALK, log_in, step


async def test_the_teacher_sees_the_class_answer_and_how_many_were_right(
    serve: StartServer,
) -> None:
    # Which way w really moves from the default lesson's start, from the engine alone.
    session = build_session(load_scenario("logistic-one-feature"))
    w0 = float(session.current.theta[0])
    session.step(1)
    moves_right = float(session.current.theta[0]) > w0
    right_key, wrong_key = ("l", "h") if moves_right else ("h", "l")

    server = await serve(spawn="fork", command=GDTUI, teacher_password=CHALK)
    teacher = await log_in(server, "teacher", password=CHALK)
    students = [await log_in(server, name) for name in ("ada", "bob", "cy")]
    await teacher.until(r"3 students, 3 following")
    for student in students:
        await student.until(r"^following the teacher │", step(0))
        student.press("p")
        await student.until(r"which way will w move\?", anywhere=True)

    ada, bob, cy = students
    ada.press(right_key)
    await teacher.until(r"answers ← \d · → \d · 2 waiting", anywhere=True)
    bob.press(wrong_key)
    cy.press(wrong_key)
    cy.press(right_key)  # cy changes her mind: her last answer counts, once
    left, right = (1, 2) if moves_right else (2, 1)
    await teacher.until(rf"answers ← {left} · → {right} · 0 waiting", anywhere=True)
    for student in students:
        await student.until(r"your answer: w moves", anywhere=True)

    teacher.press("n")
    await teacher.until(step(1))
    await teacher.until(r"paused · step 0: 2 of 3 right", anywhere=True)
    for student in (ada, cy):
        await student.until(r"✓ right", r"predict · 1 of 1 right", anywhere=True)
    await bob.until(r"✗ wrong: dw [<>] 0, so w moves", r"predict · 0 of 1 right", anywhere=True)
    # Nobody's screen but the teacher's shows the class's answers.
    for student in students:
        assert "answers ←" not in student.terminal.text()
        assert "of 3 right" not in student.terminal.text()
