"""
The one entry point for the project's checks: ``nox -l`` lists them.

``nox -s tests`` is what CI runs; the other sessions lint, type-check, build
the docs, check the generated models, fuzz and benchmark.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _group(session: nox.Session, *names: str) -> None:
    for name in names:
        session.install(*nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite, with the bounded Hypothesis profile."""
    session.install("-e", ".[fast,hypothesis]")
    _group(session, "tests")
    session.run("pytest", *session.posargs)


@nox.session
def property_tests(session: nox.Session) -> None:
    """Run the property tests with many more examples (slow)."""
    session.install("-e", ".[fast,hypothesis]")
    _group(session, "tests")
    session.run(
        "pytest",
        "tests/property",
        *session.posargs,
        env={"ELBTRAIL_HYPOTHESIS_PROFILE": "long"},
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    _group(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package with mypy --strict."""
    session.install("-e", ".[fast,hypothesis]")
    _group(session, "typing")
    session.run("mypy", "--strict", "src/elbtrail")
    session.run("mypy", "--strict", "tests/typing")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate the per-action models from botocore (--check: only compare)."""
    session.install("-e", ".")
    _group(session, "generate", "lint")
    session.run("python", "scripts/generate_models.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site, failing on any warning."""
    session.install("-e", ".[fast,hypothesis]")
    _group(session, "docs")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        "site",
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Measure speed and memory against orjson and json (see docs/performance.md)."""
    session.install("-e", ".[fast]")
    _group(session, "benchmarks")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """
    Fuzz the readers with atheris (pass -- -max_total_time=SECONDS).

    Structure-aware: most inputs are recipes of real records, mutated and
    damaged in known ways (see tests/fuzz/fuzz_readers.py).
    """
    session.install("-e", ".[fast]", "atheris")
    args = session.posargs or ["-max_total_time=60"]
    if not any(a.startswith("-max_len=") for a in args):
        # Recipes expand a few hundred bytes into files of many records;
        # raw inputs need room to reach the same shapes.
        args = ["-max_len=65536", *args]
    # atheris adds what it finds to the corpus folder: work on a copy, and
    # keep the committed seeds unchanged.
    corpus = Path(session.create_tmp()) / "corpus"
    shutil.copytree("tests/fuzz/corpus", corpus, dirs_exist_ok=True)
    session.run("python", "tests/fuzz/fuzz_readers.py", str(corpus), *args)
