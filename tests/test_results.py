"""What reading gives back, seen from a prompt: reprs, skipped text files."""

from __future__ import annotations

import json

from hypothesis import given, settings
from tests.conftest import CORPUS

import elbtrail
from elbtrail import strategies as ets

MISSING_COMMA = CORPUS / "classic-guide-deleteloadbalancer-missing-comma.json"
CLEAN = CORPUS / "classic-guide-createloadbalancer.json"


def _many_records(count: int) -> bytes:
    record = json.loads(CLEAN.read_text(encoding="utf-8"))
    records = [dict(record, eventID=f"id-{n}") for n in range(count)]
    return json.dumps({"Records": records}).encode()


class TestReprs:
    def test_a_result_shows_counts_not_events(self):
        """A result of 500 events has a one-line repr with its counts."""
        result = elbtrail.loads(_many_records(500))

        assert "<LogResult: 500 events of 500 records, 0 issues>" == repr(result)

    def test_a_result_shows_its_first_damage(self):
        """The first damage is shown, cut to a readable length."""
        result = elbtrail.read(MISSING_COMMA)

        text = repr(result)
        assert text.startswith("<LogResult: 1 event of 1 record, 1 issue, first: ")
        assert (
            "first: warning: no ',' after the value of 'eventID' at "
            "classic-guide-deleteloadbalancer-missing-comma.json:22:54>"
        ) in text
        assert len(text) < 250

    def test_damage_is_shown_before_notices(self):
        """A notice that came first does not hide the damage after it."""
        result = elbtrail.read(CORPUS)

        first_issue = repr(result).split(", first: ")[1]
        assert first_issue.startswith("warning: ")
        assert str(result.issues[0]).startswith("notice: ")

    def test_a_stream_shows_its_source_and_progress(self):
        """A stream's repr names its source and counts what was read so far."""
        stream = elbtrail.iter_events(MISSING_COMMA)

        before = repr(stream)
        list(stream)

        assert f"<EventStream: {str(MISSING_COMMA)!r}, 0 events of 0 records" in (
            before
        )
        assert repr(stream).startswith(
            f"<EventStream: {str(MISSING_COMMA)!r}, 1 event of 1 record, 1 issue, "
            "first: warning: "
        )


class TestTextFilesInTrees:
    def test_documentation_beside_logs_is_a_notice(self, tmp_path):
        """README, Markdown, text and licence files in a tree are notices."""
        names = ["README", "PROVENANCE.md", "notes.TXT", "LICENSE", "index.rst"]
        for name in names:
            (tmp_path / name).write_text("Not a log at all.\n")
        (tmp_path / "log.json").write_bytes(CLEAN.read_bytes())

        result = elbtrail.read(tmp_path)
        streamed = elbtrail.iter_events(tmp_path)
        events = list(streamed)

        assert 1 == len(result) == len(events)
        assert not result.damaged
        assert sorted(str(tmp_path / n) for n in names) == sorted(
            i.source for i in result.issues if i.code == "skipped-file"
        )
        assert len(result.issues) == len(streamed.issues) == len(names)

    def test_a_json_file_named_like_documentation_is_read(self, tmp_path):
        """Only plain documentation names are skipped: README.json is read."""
        (tmp_path / "README.json").write_bytes(CLEAN.read_bytes())

        result = elbtrail.read(tmp_path)

        assert (1, ()) == (len(result), tuple(result.issues))


class TestDamagedFilesStrategy:
    @settings(max_examples=30)
    @given(ets.damaged_log_files())
    def test_intact_records_come_back_with_the_defaults(self, damaged):
        """By default the strategy agrees with elbtrail's own elb_only default."""
        kept = [event.to_dict() for event in elbtrail.loads(damaged.data)]

        for record in damaged.intact:
            assert record in kept

    def test_elb_only_false_mixes_in_other_services(self):
        """elb_only=False really draws records of other services."""
        sources: set[str] = set()

        @settings(max_examples=20, database=None)
        @given(ets.damaged_log_files(elb_only=False, kinds=["garbage-line"]))
        def collect(damaged):
            sources.update(r.get("eventSource", "") for r in damaged.records)

        collect()

        assert elbtrail.ELB_EVENT_SOURCE in sources
        assert len(sources) > 1
