"""The export quota a server hands its apps through the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdtui.exports import ExportQuota, QuotaExceeded, QuotaFile


@pytest.mark.parametrize(
    ("env", "max_exports", "max_bytes"),
    [
        ({}, None, None),
        ({"GDTUI_MAX_EXPORTS": "3"}, 3, None),
        ({"GDTUI_MAX_EXPORTS": "x", "GDTUI_MAX_EXPORT_BYTES": "1000"}, None, 1000),
        ({"GDTUI_MAX_EXPORTS": "-4"}, 0, None),
    ],
)
def test_the_quota_read_from_the_environment(
    env: dict[str, str], max_exports: int | None, max_bytes: int | None
) -> None:
    quota = ExportQuota.from_environment(env)
    assert (quota.max_exports, quota.max_bytes) == (max_exports, max_bytes)


def test_what_a_server_sets_is_what_the_app_reads() -> None:
    quota = ExportQuota.from_environment(ExportQuota.environment(7, 3))
    assert (quota.max_exports, quota.max_bytes) == (7, 3_000_000)


def test_a_file_that_would_pass_the_quota_is_not_left_behind(tmp_path: Path) -> None:
    quota = ExportQuota(max_bytes=10)
    kept, dropped = tmp_path / "kept.txt", tmp_path / "dropped.txt"
    with QuotaFile(kept, quota) as stream:
        stream.write("é" * 3)  # 6 bytes in UTF-8
    with pytest.raises(QuotaExceeded), QuotaFile(dropped, quota) as stream:
        stream.write("abc")
        stream.write("de")  # 6 + 3 + 2 > 10
    assert kept.read_text(encoding="utf-8") == "ééé"
    assert not dropped.exists()
    assert quota.bytes_written == 9
    assert quota.refusal() is None  # 1 byte is left


def test_the_count_runs_out() -> None:
    quota = ExportQuota(max_exports=1)
    quota.start()
    with pytest.raises(QuotaExceeded, match="1 export per session"):
        quota.start()
