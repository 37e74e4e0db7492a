"""What the command line prints: no control character, no spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from tests.conftest import corpus_record

from elbtrail._cli import main
from elbtrail._terminal import csv_cell, json_text, printable

ATTACKS = [
    "\x1b[2J",  # clear the screen
    "\x1b]0;owned\x07",  # set the window title
    "\x1b[10A",  # move the cursor up
    "\x9b31m",  # an 8-bit control sequence introducer
    "a\rb",  # overwrite the line
    "\u202eevil",  # right-to-left override
    "\x00\x7f",
]
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _hostile_log(tmp_path, attack):
    record = corpus_record("classic-guide-createloadbalancer.json")
    record["eventName"] = "CreateLoadBalancer" + attack
    record["awsRegion"] = attack + "us-west-2"
    record["sourceIPAddress"] = attack
    record["errorCode"] = "=HYPERLINK(1)" + attack
    record["userIdentity"]["arn"] = "arn:aws:iam::1:user/" + attack
    record["userIdentity"]["type"] = attack
    path = tmp_path / ("log" + "".join(c for c in attack if c.isalnum()) + ".json")
    path.write_text(json.dumps({"Records": [record, {"eventVersion": attack}]}))
    return path


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize(
    "command",
    [
        ["summary"],
        ["events"],
        ["events", "--format", "table"],
        ["events", "--format", "csv"],
        ["check"],
    ],
)
def test_no_control_character_reaches_the_terminal(tmp_path, capsys, attack, command):
    """Every text field printed as text has its control characters escaped."""
    path = _hostile_log(tmp_path, attack)

    main([*command, str(path)])

    out, err = capsys.readouterr()
    assert _RAW.search(out) is None, repr(out)
    assert _RAW.search(err) is None, repr(err)


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_output_escapes_controls_and_keeps_the_values(
    tmp_path, capsys, attack, fmt
):
    """JSON output stays valid JSON with the same values, and no raw control."""
    path = _hostile_log(tmp_path, attack)

    main(["events", "--format", fmt, str(path)])

    out = capsys.readouterr().out
    assert _RAW.search(out) is None, repr(out)
    text = out if fmt == "json" else "[" + ",".join(out.splitlines()) + "]"
    assert attack == json.loads(text)[0]["sourceIPAddress"]


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "\uff1d1+1",
    ],
)
def test_csv_cells_that_start_a_formula_are_neutralised(cell):
    """Every formula trigger, a leading tab or carriage return included."""
    safe = csv_cell(cell)

    assert safe.startswith("'")
    assert _RAW.search(safe) is None


def test_csv_output_neutralises_formulas(tmp_path, capsys):
    """The error column of a hostile record cannot run in a spreadsheet."""
    path = _hostile_log(tmp_path, "\t=cmd|'/c calc'!A1")

    main(["events", "--format", "csv", str(path)])

    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    for row in rows[1:]:
        for value in row:
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_plain_text_is_printed_unchanged():
    """Ordinary text, backslashes included, is not altered."""
    text = r"arn:aws:iam::1:user/a\b Ünïcødé"

    assert text == printable(text)
    assert text == csv_cell(text)


def test_escaped_text_is_unambiguous():
    """With a control character present, a backslash is doubled."""
    assert "\\\\x1b\\x1b" == printable("\\x1b\x1b")


def test_json_text_means_the_same():
    """The escapes json_text adds decode to the same characters."""
    value = {"a": "\x85\u2028\u202e\ud800"}
    text = json.dumps(value, ensure_ascii=False)

    assert value == json.loads(json_text(text))


class TestHistoryAndFollowOutput:
    def test_history_timeline_escapes_what_callers_wrote(self, tmp_path, capsys):
        """A load balancer name holding escape codes is printed escaped."""
        from elbtrail._cli import main  # noqa: PLC0415

        name = "web\x1b]0;pwned\x07"
        record = {
            "eventVersion": "1.11",
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "CreateLoadBalancer",
            "apiVersion": "2012-06-01",
            "eventTime": "2026-03-14T10:00:00Z",
            "eventID": "e1",
            "userIdentity": {"type": "IAMUser", "userName": "al\x1b[2Jice"},
            "requestParameters": {
                "loadBalancerName": name,
                "listeners": [
                    {"protocol": "HTTP", "loadBalancerPort": 80, "instancePort": 80}
                ],
            },
            "responseElements": {"dNSName": "web.example"},
        }
        (tmp_path / "log.json").write_text(json.dumps({"Records": [record]}))

        assert 0 == main(["history", str(tmp_path)])
        out = capsys.readouterr().out

        assert "\x1b" not in out
        assert "\x07" not in out
        assert "\\x1b" in out
