"""
The one entry point for the project's checks: ``nox -l`` lists them.

``nox -s tests`` is what CI runs; the other sessions lint, type-check, build
the docs, check the generated models, fuzz and benchmark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def _runs(candidate: str, version: str) -> bool:
    # A pyenv shim exists for every installed version but runs only the
    # selected ones: ask the interpreter itself.
    check = f"import sys; assert sys.version.startswith('{version}.')"
    try:
        result = subprocess.run(
            [candidate, "-c", check], check=False, capture_output=True
        )
    except OSError:
        return False
    return result.returncode == 0


def _find_interpreters() -> list[str]:
    """
    Every supported Python on this machine, on PATH or installed by pyenv.

    The folders of those found are put first on PATH, so that nox finds each
    by its version; versions the machine lacks are left out rather than failed.
    """
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = []
    for version in SUPPORTED:
        candidates = [shutil.which(f"python{version}") or ""]
        pattern = f"versions/{version}.*/bin/python{version}"
        candidates += sorted(map(str, pyenv.glob(pattern)), reverse=True)
        for candidate in candidates:
            if candidate and _runs(candidate, version):
                found.append(version)
                folder = str(Path(candidate).parent)
                os.environ["PATH"] = os.pathsep.join([folder, os.environ["PATH"]])
                break
    return found


PYTHONS = _find_interpreters()


def _group(session: nox.Session, *names: str) -> None:
    for name in names:
        session.install(*nox.project.dependency_groups(PYPROJECT, name))


#: The tests of reading and parsing, run once more without the fast extra.
PARSING_TESTS = (
    "tests/test_readers.py",
    "tests/test_guarantees.py",
    "tests/test_fuzz_regressions.py",
    "tests/test_trees.py",
    "tests/test_event.py",
    "tests/test_results.py",
    "tests/property/test_properties.py",
)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite on every supported Python the machine has."""
    session.install("-e", ".[fast,hypothesis,s3,arrow,dask]")
    _group(session, "tests")
    session.run("pytest", *session.posargs)
    if not session.posargs:
        # The fast extra must change nothing but speed: the parsing checks
        # again, with the standard library's decoder alone.
        session.run(
            "pytest",
            "-q",
            *PARSING_TESTS,
            env={"ELBTRAIL_TEST_DECODERS": "pure"},
        )


@nox.session
def property_tests(session: nox.Session) -> None:
    """Run the property tests with many more examples (slow)."""
    session.install("-e", ".[fast,hypothesis]")
    _group(session, "tests")
    session.run(
        "pytest",
        "tests/property",
        "tests/test_history_oracle.py",
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
    """Regenerate the per-action models and pages from botocore (--check: compare)."""
    session.install("-e", ".")
    _group(session, "generate", "lint")
    session.run("python", "scripts/generate_models.py", *session.posargs)
    session.run("python", "scripts/generate_action_docs.py", *session.posargs)


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
    """
    Measure speed and memory (see docs/performance.md).

    ``nox -s benchmarks`` runs ``benchmarks/fair.py``; name another script
    first to run it instead (``nox -s benchmarks -- run.py --memory-only``).
    """
    session.install("-e", ".[fast]")
    _group(session, "benchmarks")
    args = list(session.posargs)
    script = args.pop(0) if args and args[0].endswith(".py") else "fair.py"
    session.run("python", f"benchmarks/{script}", *args)


@nox.session
def s3_benchmark(session: nox.Session) -> None:
    """Read 2,000 objects from moto's S3 server with 1 and 8 workers (docs/aws.md)."""
    session.install("-e", ".[fast,s3]", "moto[server]>=5.0.28")
    session.run("python", "benchmarks/s3_read.py", *session.posargs)


@nox.session
def benchmarks_columns(session: nox.Session) -> None:
    """Measure to_arrow, write_parquet, Dask and export memory (docs/performance.md)."""
    session.install("-e", ".[fast,arrow,dask]")
    _group(session, "benchmarks")
    session.run("python", "benchmarks/columns.py", *session.posargs)


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
