"""The package's public surface."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import elbtrail


class TestPackage:
    def test_version_comes_from_the_metadata(self):
        """__version__ is the installed distribution's version."""
        assert version("elbtrail") == elbtrail.__version__

    def test_all_resolves(self):
        """Every name in __all__ exists, once (ruff keeps the list in order)."""
        assert len(set(elbtrail.__all__)) == len(elbtrail.__all__)
        for name in elbtrail.__all__:
            assert getattr(elbtrail, name) is not None

    def test_every_public_name_has_a_docstring(self):
        """Docstrings on every public name, models and functions alike."""
        for name in elbtrail.__all__:
            obj = getattr(elbtrail, name)
            if callable(obj):
                assert obj.__doc__, name

    def test_per_action_models_load_lazily(self):
        """import elbtrail does not import the per-action models."""
        code = (
            "import sys, elbtrail; "
            "print('elbtrail.v2' in sys.modules, 'elbtrail.classic' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "False False" == out.stdout.strip()

    def test_submodules_are_attributes(self):
        """elbtrail.classic, elbtrail.v2 and elbtrail.strategies are reachable."""
        assert elbtrail.v2.API_VERSION == "2015-12-01"
        assert elbtrail.classic.API_VERSION == "2012-06-01"
        assert callable(elbtrail.strategies.records)
        assert {"classic", "v2", "strategies"} <= set(dir(elbtrail))

    def test_unknown_attribute(self):
        """A missing attribute is an AttributeError naming it."""
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            _ = elbtrail.nope  # type: ignore[attr-defined]
