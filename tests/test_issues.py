"""Issue codes and severities: the contract readers and users rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import elbtrail
from elbtrail import Issue, IssueCode, Severity

SRC = Path(__file__).parent.parent / "src" / "elbtrail"
DOCS = Path(__file__).parent.parent / "docs"
# A code written on its own line of a call or a list.
_LISTED = re.compile(r'^\s*"([a-z]+(?:-[a-z]+)+)",$', re.MULTILINE)
# A row of the table of codes: code, severity, example.
_ROW = re.compile(r"^\| `([a-z-]+)` \| [^|]+ \| (.+) \|$", re.MULTILINE)


class TestSeverity:
    def test_severities_are_ordered(self):
        """NOTICE < WARNING < ERROR, so issues can be filtered by level."""
        assert Severity.NOTICE < Severity.WARNING < Severity.ERROR
        assert Severity.ERROR >= Severity.ERROR
        assert Severity.NOTICE <= Severity.WARNING
        assert Severity.ERROR > Severity.NOTICE
        assert [Severity.NOTICE, Severity.WARNING, Severity.ERROR] == sorted(Severity)

    def test_severity_compared_with_other_types_is_a_type_error(self):
        """Ordering a severity against a string is refused, not guessed."""
        with pytest.raises(TypeError):
            _ = Severity.ERROR < "warning"  # type: ignore[operator]


class TestIssueCode:
    def test_code_equals_its_text(self):
        """An IssueCode compares equal to, and prints as, its text."""
        assert IssueCode.MISSING_COMMA == "missing-comma"
        assert str(IssueCode.MISSING_COMMA) == "missing-comma"
        assert f"{IssueCode.MISSING_COMMA}" == "missing-comma"

    def test_issue_accepts_the_text_of_a_code(self):
        """Code passing a plain string gets an IssueCode back."""
        issue = Issue(message="m", code="wrong-type")

        assert issue.code is IssueCode.WRONG_TYPE

    def test_unknown_code_is_a_value_error_naming_it(self):
        """A misspelt code fails at once, naming the code."""
        with pytest.raises(ValueError, match="'wrong-typ'"):
            Issue(message="m", code="wrong-typ")

    def test_every_code_written_in_the_package_is_a_member(self):
        """No module passes a code the enum does not know."""
        texts = set()
        for module in SRC.glob("*.py"):
            source = module.read_text()
            texts |= set(re.findall(r'code="([a-z-]+)"', source))
            if module.name != "strategies.py":  # its damage kinds are no codes
                texts |= set(
                    re.findall(r'^\s*"([a-z]+(?:-[a-z]+)+)",$', source, re.MULTILINE)
                )
        codes = {c.value for c in IssueCode}

        assert texts
        assert texts <= codes

    def test_every_code_is_documented_with_an_example(self):
        """Each code has a row in the docs' table of codes, with an example."""
        text = (DOCS / "formats.md").read_text()
        table = text.split("## Issue codes", 1)[1]
        rows = {
            m.group(1): m.group(2)
            for m in re.finditer(
                r"^\| `([a-z-]+)` \| [^|]+ \| (.+) \|$", table, re.MULTILINE
            )
        }

        assert {c.value for c in IssueCode} == set(rows)
        assert all(example.strip() for example in rows.values())

    def test_issue_code_is_exported(self):
        """IssueCode is public, beside Issue and Severity."""
        assert "IssueCode" in elbtrail.__all__
        assert elbtrail.IssueCode is IssueCode
