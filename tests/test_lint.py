"""The code style is part of the suite: ruff with the rules in pyproject.toml."""

import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command):
    pytest.importorskip("ruff", reason="ruff comes with the test extra")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "narrate", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
