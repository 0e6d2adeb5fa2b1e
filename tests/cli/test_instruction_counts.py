"""bench/instruction_counts.py: counts the instructions of the floor and of `guardrails check` under
valgrind's callgrind, and prints their ratio (bench/README.md reads its output)."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from fixture_paths import unavailable

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import instruction_counts  # noqa: E402

pytestmark = pytest.mark.slow

_ROW = re.compile(r"^(\d+) \| (.+) \| ([\d,]+) \| (\d+\.\d\d)x$")


@pytest.fixture(scope="module")
def valgrind() -> str:
    found = shutil.which("valgrind")
    if found is None:
        unavailable("valgrind", "apt-get install valgrind (.ci/run installs it)")
    return found


def test_counts_the_floor_and_the_check_of_a_template(
    valgrind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert instruction_counts.main(["--sizes", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "size | process | instructions | / floor"
    rows = [_ROW.match(line) for line in lines[1:]]
    assert all(rows) and len(rows) == 2, lines
    floor, check = (row.groups() for row in rows if row)
    assert floor[:2] == ("5", "floor") and floor[3] == "1.00"
    assert check[0] == "5" and check[1].endswith("guardrails")
    floor_count, check_count = (int(row[2].replace(",", "")) for row in (floor, check))
    # Both start an interpreter and compile the policy bundle: tens of millions of instructions at least.
    assert floor_count > 50_000_000 and check_count > 50_000_000
    assert check[3] == f"{check_count / floor_count:.2f}"


def test_a_process_without_a_count_is_an_error(valgrind: str) -> None:
    with pytest.raises(SystemExit, match="callgrind gave no count"):
        instruction_counts.instructions(["/nonexistent/program"])
