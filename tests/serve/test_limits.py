"""What one client may cost the server, limit by limit, with the clock passed in."""

from __future__ import annotations

import json

import pytest

from gdtui.serve.limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    PASTE_END,
    PASTE_START,
    FailureBudget,
    KeyBudget,
    clamp_size,
    shown,
)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((80, 24), (80, 24)),
        ((0, 0), (80, 24)),
        ((MAX_COLUMNS, MAX_ROWS), (MAX_COLUMNS, MAX_ROWS)),
        ((65535, 65535), (MAX_COLUMNS, MAX_ROWS)),
        ((2**32 - 1, 3), (MAX_COLUMNS, 3)),
    ],
)
def test_window_sizes_are_clamped(size: tuple[int, int], expected: tuple[int, int]) -> None:
    assert clamp_size(*size) == expected


def test_keys_pass_within_the_burst_and_beyond_it_at_the_rate() -> None:
    budget = KeyBudget(burst=100, rate=10)
    assert budget.admit(b"a" * 60, now=0.0) == b"a" * 60
    assert budget.admit(b"b" * 60, now=0.0) == b"b" * 40  # 100 in all
    assert budget.dropped == 20
    assert budget.admit(b"c" * 60, now=2.0) == b"c" * 20  # 2 s at 10 a second
    assert budget.admit(b"d" * 500, now=1000.0) == b"d" * 100  # refilled, never past the burst


def test_a_bracketed_paste_passes_whole_whatever_the_key_budget() -> None:
    budget = KeyBudget(burst=10, rate=0, max_paste=1 << 20)
    paste = PASTE_START + b"p" * 100_000 + PASTE_END
    assert budget.admit(b"k" + paste + b"k", now=0.0) == b"k" + paste + b"k"
    assert budget.dropped == 0


@pytest.mark.parametrize("cut", [1, 3, 5, 6, 50, 100_003, 100_008, 100_011])
def test_paste_markers_split_across_chunks_are_still_seen(cut: int) -> None:
    budget = KeyBudget(burst=10, rate=0, max_paste=1 << 20)
    data = b"ab" + PASTE_START + b"p" * 100_000 + PASTE_END + b"cd"
    got = budget.admit(data[:cut], now=0.0) + budget.admit(data[cut:], now=0.0)
    assert got == data


def test_a_paste_beyond_the_cap_is_cut_but_still_ends() -> None:
    budget = KeyBudget(burst=10, rate=0, max_paste=1000)
    got = budget.admit(PASTE_START + b"p" * 5000, now=0.0)
    got += budget.admit(b"p" * 5000 + PASTE_END + b"x", now=0.0)
    assert got == PASTE_START + b"p" * 1000 + PASTE_END + b"x"
    assert budget.dropped == 9000


def test_failures_are_forgiven_one_a_period() -> None:
    budget = FailureBudget(allowance=3, period=10.0)
    for _ in range(3):
        assert not budget.exhausted("a", now=0.0)
        budget.fail("a", now=0.0)
    assert budget.exhausted("a", now=0.0)
    assert not budget.exhausted("b", now=0.0)  # another address is not affected
    assert budget.backoff("a", now=0.0) == pytest.approx(10.0)
    assert budget.exhausted("a", now=9.9)
    assert not budget.exhausted("a", now=10.0)
    assert budget.failures("a", now=1000.0) == 0


@pytest.mark.parametrize(
    "name",
    ["teacher (teacher)", "x\x1b]0;pwned\x07", "line\n2026-01-01 00:00:00 connect", "\u202eevil"],
)
def test_a_shown_name_has_no_control_characters_and_reads_back(name: str) -> None:
    text = shown(name)
    assert text.isascii() and text.isprintable()
    assert text.startswith('"') and json.loads(text) == name


def test_a_shown_name_is_cut() -> None:
    assert shown("x" * 100, limit=32) == '"' + "x" * 32 + '"...'


MOUSE = b"\x1b[<35;120;40M"


@pytest.mark.parametrize("chunk", [1, 5, 7, 64, 4096])
def test_over_budget_events_are_dropped_whole_never_cut(chunk: int) -> None:
    budget = KeyBudget(burst=50, rate=0)
    events = [MOUSE, "é".encode(), b"\x1bOP", b"\x1b[A", b"\x1bx", b"k", "😀".encode()]
    data = b"".join(events) * 200
    out = b"".join(budget.admit(data[i : i + chunk], now=0.0) for i in range(0, len(data), chunk))
    assert out == b"".join(events * 8)[: len(b"".join(events * 7))] + MOUSE  # the first 50
    assert budget.dropped == len(data) - len(out)


def test_a_paste_after_a_flood_still_passes_whole() -> None:
    budget = KeyBudget(burst=10, rate=0)
    paste = PASTE_START + b"hello" + PASTE_END
    assert budget.admit(b"z" * 10_000 + paste + b"z", now=0.0) == b"z" * 10 + paste
