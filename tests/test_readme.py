"""The README's tour runs as written."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_tour_runs():
    """The Python block of the README runs on the bundled samples."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    cwd = Path.cwd()
    out = io.StringIO()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102
    finally:
        os.chdir(cwd)

    printed = out.getvalue()
    assert "health check on /healthz" in printed
    assert "no ',' after the value of 'eventID'" in printed
    assert printed.endswith("80\n")


def _console_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL)


def test_setup_is_two_commands_in_a_virtual_environment():
    """Set-up and tests are one line each, and never pip-install into the system."""
    setup, tests = _console_blocks()[:2]
    commands = [part.strip() for part in setup.strip().split("&&")]

    assert 1 == len(setup.strip().splitlines())
    assert 1 == len(tests.strip().splitlines())
    # Debian and Ubuntu refuse `pip install` into the system Python (PEP 668).
    assert "python3 -m venv .venv" == commands[0]
    for command in commands[1:] + [c.strip() for c in tests.split("&&")]:
        assert command.startswith(".venv/bin/"), command
    assert ".venv/bin/elbtrail summary samples/" == commands[-1]


def test_setup_ends_with_a_summary_of_the_samples():
    """The set-up's last command prints the summary the README describes."""
    (setup, *_) = _console_blocks()
    command = setup.strip().split("&&")[-1].split()
    assert [".venv/bin/elbtrail", "summary", "samples/"] == command

    result = subprocess.run(
        [sys.executable, "-m", "elbtrail", *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert 0 == result.returncode, result.stderr
    assert result.stdout.startswith("29 events in samples/\n")
    assert "no ',' after the value of 'eventID'" in result.stdout
