"""
mypy --strict catches mistakes in code that uses elbtrail.

A file with one typo per line, covering every public model, must fail on each
of those lines and nowhere else; the same file spelled right must pass.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import attrs

import elbtrail
from elbtrail import classic, v2

ROOT = Path(__file__).resolve().parent.parent


def public_models() -> list[tuple[str, type[elbtrail.Model]]]:
    """Every public model class, by the name users write for it."""
    out = []
    for prefix, module in (("elbtrail", elbtrail), ("classic", classic), ("v2", v2)):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, elbtrail.Model):
                out.append((f"{prefix}.{name}", obj))
    return out


def typo(name: str) -> str:
    """A plausible misspelling: the last two letters swapped, or one doubled."""
    if len(name) > 2 and name[-1] != name[-2]:
        return name[:-2] + name[-1] + name[-2]
    return name + name[-1]


def write_pair(folder: Path) -> tuple[Path, Path, set[int]]:
    """The file with typos, the file without, and the lines with typos."""
    header = [
        "from __future__ import annotations",
        "",
        "import elbtrail",
        "from elbtrail import classic, v2",
        "",
        "",
    ]
    models = public_models()
    signature = [
        "def use(",
        *(f"    m{i}: {name}," for i, (name, _) in enumerate(models)),
        "    record: dict[str, object],",
        ") -> list[object]:",
        "    out: list[object] = []",
        "    event = elbtrail.parse_event(record)",
        "    params = event.request_parameters",
    ]
    right: list[str] = []
    wrong: list[str] = []
    for i, (_, cls) in enumerate(models):
        fields = [a.name for a in attrs.fields(cls) if a.name != "verbatim"]
        # The class's own first field, not the inherited extra, where it has one.
        field = fields[1] if len(fields) > 1 else fields[0]
        right.append(f"    out.append(m{i}.{field})")
        wrong.append(f"    out.append(m{i}.{typo(field)})")
    narrowed = "if isinstance(params, classic.CreateLoadBalancerRequest): "
    checks = [
        ("out.append(event.event_name)", "out.append(event.eventName)"),
        ("out.append(elbtrail.read)", "out.append(elbtrail.reed)"),
        ("out.append(elbtrail.parse_event)", "out.append(elbtrail.parse_evnt)"),
        ("out.append(elbtrail.classic.Listener)", "out.append(elbtrail.clasic)"),
        ("out.append(elbtrail.v2.Listener)", "out.append(elbtrail.v2.Listner)"),
        ("out.append(elbtrail.strategies.events)", "out.append(elbtrail.strategy)"),
        (
            "out.append(event.user_identity and event.user_identity.arn)",
            "out.append(event.user_identity and event.user_identity.arnn)",
        ),
        (
            f"{narrowed}out.append(params.listeners)",
            f"{narrowed}out.append(params.lisenters)",
        ),
        # A model is not a mapping, nor an Any: fields do not come by key.
        (
            "if isinstance(params, elbtrail.Model): out.append(params.extra)",
            "if isinstance(params, elbtrail.Model): out.append(params.Listeners)",
        ),
    ]
    right += [f"    {good}" for good, _ in checks]
    wrong += [f"    {bad}" for _, bad in checks]
    footer = ["    return out", ""]
    first = len(header) + len(signature) + 1
    lines = set(range(first, first + len(wrong)))
    good = folder / "spelled_right.py"
    bad = folder / "typos.py"
    good.write_text("\n".join(header + signature + right + footer), encoding="utf-8")
    bad.write_text("\n".join(header + signature + wrong + footer), encoding="utf-8")
    return good, bad, lines


def run_mypy(*files: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on *files*, with the project's settings."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_readme_tour_type_checks(tmp_path):
    """The README's Python, as written, passes mypy --strict."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    tour = tmp_path / "readme_tour.py"
    tour.write_text(code, encoding="utf-8")

    result = run_mypy(tour)

    assert "" == result.stdout
    assert 0 == result.returncode


def test_every_typo_is_an_error_and_nothing_else(tmp_path):
    """mypy --strict reports each typo on its line; spelled right, it passes."""
    good, bad, lines = write_pair(tmp_path)

    result = run_mypy(good, bad)

    errors = re.findall(r"^(.+?):(\d+): error:", result.stdout, flags=re.MULTILINE)
    assert not result.stderr
    assert [] == [e for e in errors if Path(e[0]).name == good.name], result.stdout
    flagged = {int(line) for path, line in errors if Path(path).name == bad.name}
    assert len(lines) > len(public_models())
    assert lines == flagged, result.stdout
