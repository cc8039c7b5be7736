"""Lessons as data: the actions that change a run, their wire format, and recordings.

Headless: no textual, no rich, no networking. The debugger screen, a student following the
teacher and a replayed recording all change a run through these actions.
"""
