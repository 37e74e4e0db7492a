"""The README's tour runs as written."""

from __future__ import annotations

import contextlib
import io
import os
import re
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
