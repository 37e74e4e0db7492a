"""Reading bytes, files, trees and streams, in every shape and state."""

from __future__ import annotations

import copy
import gzip
import io
import json
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import CORPUS, DATA, DECODERS, corpus_record, use_decoders

import elbtrail
from elbtrail import _readers

SEED_FILE = DATA / "seed-elb-api-logs.md"


def records_file(records: list[Any], **dumps: Any) -> bytes:
    return json.dumps({"Records": records}, **dumps).encode()


@pytest.fixture(params=DECODERS)
def decoder(request, monkeypatch):
    """Run a test with each set of decoders: the fast extra, orjson, none."""
    use_decoders(monkeypatch, request.param)
    return request.param


class TestSeedAndCorpus:
    def test_seed_delete_record_is_recovered_with_its_line(self):
        """The seed's DeleteLoadBalancer, missing a comma, comes back whole."""
        path = CORPUS / "classic-guide-deleteloadbalancer-missing-comma.json"

        result = elbtrail.read(path)

        (event,) = result.events
        assert "DeleteLoadBalancer" == event.event_name
        assert event.response_elements is None
        assert "AwsApiCall" == event.event_type
        (issue,) = result.issues
        assert ("missing-comma", 22, 54) == (issue.code, issue.line, issue.column)
        assert str(path) == issue.source
        assert issue in event.issues
        text = path.read_text(encoding="utf-8")
        repaired = text.replace('EXAMPLE"\n', 'EXAMPLE",\n', 1)
        assert json.loads(repaired) == event.to_dict()

    def test_seed_page_yields_both_records(self):
        """The AWS page itself, prose and all, gives its two records back."""
        result = elbtrail.read(SEED_FILE)

        assert ["CreateLoadBalancer", "DeleteLoadBalancer"] == [
            e.event_name for e in result.events
        ]
        assert 80 == result.events[0].request_parameters.listeners[0].load_balancer_port
        assert any(i.code == "missing-comma" and i.line == 101 for i in result.issues)

    def test_malformed_2018_classic_file(self):
        """Unclosed keys, a missing comma and an elision line are all repaired."""
        result = elbtrail.read(
            CORPUS / "classic-guide-2018-records-array-malformed.json"
        )

        assert 2 == len(result.events)
        assert 80 == result.events[0].request_parameters.listeners[0].load_balancer_port
        assert "HTTP" == result.events[0].request_parameters.listeners[0].protocol
        assert "1.03" == result.events[1].event_version
        assert [
            ("unclosed-key", 23),
            ("unclosed-key", 39),
            ("missing-comma", 59),
            ("skipped-text", 64),
        ] == [(i.code, i.line) for i in result.issues]
        create = corpus_record("classic-guide-createloadbalancer.json")
        assert create == result.events[0].to_dict()

    def test_elided_2018_alb_file(self):
        """'. . .' lines among records are skipped, every record is kept."""
        result = elbtrail.read(CORPUS / "alb-guide-2018-records-array-elided.json")

        assert corpus_record("alb-guide-createloadbalancer.json") == (
            result.events[0].to_dict()
        )
        assert corpus_record("alb-guide-deleteloadbalancer.json") == (
            result.events[1].to_dict()
        )
        assert {"skipped-text", "unclosed-key"} == {i.code for i in result.issues}

    def test_eventbridge_file(self):
        """An EventBridge event yields its detail as the record."""
        result = elbtrail.read(CORPUS / "custodian-v2-addtags-eventbridge.json")

        (event,) = result.events
        assert isinstance(event.request_parameters, elbtrail.v2.AddTagsRequest)
        assert "WAF" == event.request_parameters.tags[0].key
        assert event.session_credential_from_console is True
        raw = json.loads(
            (CORPUS / "custodian-v2-addtags-eventbridge.json").read_text(
                encoding="utf-8"
            )
        )
        assert raw["detail"] == event.to_dict()
        assert () == result.issues

    def test_non_elb_records_are_left_out_by_default(self):
        """elb_only keeps ELB records; elb_only=False keeps everything."""
        path = CORPUS / "cloudtrail-guide-error-updatetrail-records.json"

        assert 0 == len(elbtrail.read(path))
        (event,) = elbtrail.read(path, elb_only=False).events
        assert "TrailNotFoundException" == event.error_code
        assert event.is_error
        assert {"name": "myTrail2"} == event.request_parameters

    def test_digest_file_is_recognised(self):
        """A digest file is skipped with a notice."""
        result = elbtrail.read(CORPUS / "cloudtrail-guide-digest-file.json")

        assert [] == list(result.events)
        assert ["digest-file"] == [i.code for i in result.issues]
        assert not result.damaged

    def test_insights_records_parse_without_identity(self):
        """Insights events have no userIdentity or eventSource; they still parse."""
        result = elbtrail.read(
            CORPUS / "cloudtrail-guide-insights-records.json", elb_only=False
        )

        assert 2 == len(result)
        assert all(e.user_identity is None for e in result)
        assert "Start" == result.events[0].insight_details["state"]


class TestShapes:
    def test_single_record(self, decoder, classic_create):
        """A bare record is read as one event."""
        result = elbtrail.loads(json.dumps(classic_create).encode())

        assert [classic_create] == [e.to_dict() for e in result]

    def test_records_file_gzipped(self, decoder, classic_create, v2_create):
        """A gzipped log file is detected from its bytes."""
        data = gzip.compress(records_file([classic_create, v2_create]))

        result = elbtrail.loads(data)

        assert [classic_create, v2_create] == [e.to_dict() for e in result]
        assert ["Records[0]", "Records[1]"] == [
            e.request_parameters and f"Records[{i}]" for i, e in enumerate(result)
        ]

    def test_keys_beside_records_are_reported(self, classic_create):
        """A log file with more than Records at its top says so, read or streamed."""
        data = json.dumps({"Records": [classic_create], "nextToken": "abc"}).encode()

        result = elbtrail.loads(data)
        stream = elbtrail.iter_events(io.BytesIO(data))
        streamed = list(stream)

        assert 1 == len(result) == len(streamed)
        for issues in (result.issues, stream.issues):
            (issue,) = issues
            assert "unexpected-keys" == issue.code
            assert "keys beside Records at the top of the file: nextToken" == (
                issue.message
            )

    def test_several_gzip_members(self, classic_create, v2_create):
        """Concatenated gzip members are one stream of log files."""
        data = gzip.compress(records_file([classic_create])) + gzip.compress(
            records_file([v2_create])
        )

        assert 2 == len(elbtrail.loads(data))

    def test_truncated_gzip_keeps_complete_records(self, classic_create, v2_create):
        """A gzip file cut short keeps every record that arrived whole."""
        records = [classic_create, v2_create, classic_create]
        plain = records_file(records, indent=2)
        data = gzip.compress(plain)
        # With indent=2, each record of the list closes with a line "    }".
        for size in range(len(data) - 1, 0, -1):
            cut = data[:size]
            arrived = zlib.decompressobj(31).decompress(cut)
            whole = arrived.count(b"\n    },") + arrived.count(b"\n    }\n")
            if whole < 2:
                break

        result = elbtrail.loads(cut, source="cut.json.gz")

        assert 0 < whole < len(records)
        assert records[:whole] == [e.to_dict() for e in result]
        codes = {i.code for i in result.issues}
        assert {"truncated-gzip", "truncated"} <= codes
        assert all(i.source == "cut.json.gz" for i in result.issues)

    def test_concatenated_log_files(self, classic_create, v2_create):
        """Several log-file objects one after another are all read."""
        data = records_file([classic_create]) + b"\n" + records_file([v2_create])

        assert 2 == len(elbtrail.loads(data))

    def test_json_lines_with_blank_lines_crlf_and_bom(self, classic_create, v2_create):
        """JSON lines tolerate blank lines, CRLF endings and a byte order mark."""
        lines = [json.dumps(classic_create), "", json.dumps(v2_create), ""]
        data = "\ufeff" + "\r\n".join(lines)

        result = elbtrail.loads(data.encode())

        assert [classic_create, v2_create] == [e.to_dict() for e in result]
        assert () == result.issues

    def test_garbage_lines_among_json_lines(self, classic_create, v2_create):
        """A garbage line is reported with its line number and skipped."""
        data = "\n".join(
            [json.dumps(classic_create), "%%% not json %%%", json.dumps(v2_create)]
        )

        result = elbtrail.loads(data.encode(), source="mixed.jsonl")

        assert 2 == len(result)
        (issue,) = result.issues
        assert ("skipped-text", 2, "mixed.jsonl") == (
            issue.code,
            issue.line,
            issue.source,
        )

    def test_eventbridge_lines(self):
        """EventBridge deliveries collected as JSON lines."""
        event = json.loads(
            (CORPUS / "custodian-v2-addtags-eventbridge.json").read_text(
                encoding="utf-8"
            )
        )
        data = (json.dumps(event) + "\n") * 2

        result = elbtrail.loads(data)

        assert 2 == len(result)
        assert ["duplicate-record"] == [i.code for i in result.issues]

    def test_bare_array(self, classic_create, v2_create):
        """A JSON array of records."""
        assert 2 == len(elbtrail.loads(json.dumps([classic_create, v2_create])))

    def test_lookup_events_output(self, classic_create):
        """lookup-events output: the record is a JSON string under CloudTrailEvent."""
        output = {
            "Events": [
                {
                    "EventId": classic_create["eventID"],
                    "EventName": "CreateLoadBalancer",
                    "ReadOnly": "false",
                    "CloudTrailEvent": json.dumps(classic_create),
                }
            ]
        }

        (event,) = elbtrail.loads(json.dumps(output)).events

        assert classic_create == event.to_dict()

    def test_lookup_events_with_damaged_string(self, classic_create):
        """A damaged record inside CloudTrailEvent is repaired and located."""
        text = json.dumps(classic_create, indent=1).replace(
            '"eventType"', ' "eventType"'
        )
        text = text.replace('",\n  "eventType"', '"\n  "eventType"')
        output = {"Events": [{"CloudTrailEvent": text}]}

        result = elbtrail.loads(json.dumps(output))

        assert [classic_create] == [e.to_dict() for e in result]
        (issue,) = result.issues
        assert "missing-comma" == issue.code
        assert "Events[0].CloudTrailEvent" == issue.path

    def test_cloudwatch_logs_output(self, classic_create):
        """filter-log-events output: the record is a JSON string under message."""
        output = {
            "events": [
                {
                    "logStreamName": "111122223333_CloudTrail_us-west-2",
                    "timestamp": 1459524708000,
                    "message": json.dumps(classic_create),
                    "ingestionTime": 1459524709000,
                    "eventId": "1",
                }
            ],
            "searchedLogStreams": [],
        }

        assert [classic_create] == [
            e.to_dict() for e in elbtrail.loads(json.dumps(output))
        ]

    def test_cloudtrail_lake_rows(self, classic_create):
        """Lake results: rows of one-key objects are merged into records."""
        row = [{k: v} for k, v in classic_create.items()]
        output = {"QueryStatus": "FINISHED", "QueryResultRows": [row]}

        (event,) = elbtrail.loads(json.dumps(output)).events

        assert "CreateLoadBalancer" == event.event_name

    @pytest.mark.parametrize(
        ("data", "code"),
        [
            (b"", "empty"),
            (b"   \n", "empty"),
            (b'{"Records": null}', "not-a-log-file"),
            (b"42", "not-a-record"),
            (b'["a", 1]', "not-a-record"),
            (b"\x00\x01\x02\xff\xfe garbage", "skipped-text"),
            (b'{"hello": "world"}', "unrecognised"),
        ],
    )
    def test_inputs_without_records_are_issues(self, decoder, data, code):
        """Empty, null, scalar and binary inputs are issues, never exceptions."""
        result = elbtrail.loads(data)

        assert [] == list(result.events)
        assert code in {i.code for i in result.issues}

    @pytest.mark.parametrize(
        "data", [b'{"Records": null}', b"\x00\x01", b"[" * 100_000]
    )
    def test_strict_mode_raises_parse_error(self, data):
        """Strict mode raises ParseError for what tolerant mode reports."""
        with pytest.raises(elbtrail.ParseError):
            elbtrail.loads(data, strict=True)

    def test_deep_nesting_is_an_issue(self, decoder):
        """Nesting far deeper than any record is refused without RecursionError."""
        result = elbtrail.loads(b"[" * 100_000 + b"]" * 100_000)

        assert [] == list(result.events)
        assert result.damaged

    def test_huge_string_in_a_record(self, classic_create):
        """A record with a very long value is read."""
        classic_create["userAgent"] = "x" * 3_000_000

        (event,) = elbtrail.loads(records_file([classic_create])).events

        assert 3_000_000 == len(event.user_agent)

    def test_text_with_a_lone_surrogate(self, classic_create):
        """Text that cannot be UTF-8 is read, the bad character replaced."""
        classic_create["userAgent"] = "agent"
        text = json.dumps(classic_create).replace("agent", "ag\ud800ent")

        result = elbtrail.loads(text)

        assert 1 == len(result)
        assert "\ufffd" in result.events[0].user_agent
        assert ["bad-encoding"] == [i.code for i in result.issues]

    def test_invalid_utf8_is_replaced_and_reported(self, classic_create):
        """Bytes that are not UTF-8 are replaced, and said once."""
        data = records_file([classic_create]).replace(b"Alice", b"Al\xffce")

        result = elbtrail.loads(data)

        assert "Al\ufffdce" == result.events[0].user_identity.user_name
        assert ["bad-encoding"] == [i.code for i in result.issues]


class TestDamage:
    def test_several_missing_commas_in_one_file(self, classic_create, v2_create):
        """Every missing comma is repaired and named by line."""
        text = json.dumps({"Records": [classic_create, v2_create]}, indent=2)
        text = text.replace('",\n      "eventType"', '"\n      "eventType"')
        assert text.count('"\n      "eventType"') == 2

        result = elbtrail.loads(text)

        assert [classic_create, v2_create] == [e.to_dict() for e in result]
        assert ["missing-comma", "missing-comma"] == [i.code for i in result.issues]
        assert len({i.line for i in result.issues}) == 2

    def test_unreadable_record_is_skipped_and_the_rest_kept(
        self, classic_create, v2_create
    ):
        """A record that cannot be repaired is an issue; its neighbours survive."""
        text = json.dumps(
            {"Records": [classic_create, v2_create, classic_create]}, indent=2
        )
        lines = text.split("\n")
        broken = next(
            i for i, line in enumerate(lines) if '"nlb' in line or "net/" in line
        )
        lines[broken] = "      @@@@ broken @@@@"
        text = "\n".join(lines)

        result = elbtrail.loads(text, source="broken.json")

        assert [classic_create, classic_create] == [e.to_dict() for e in result]
        assert "unreadable" in {i.code for i in result.issues}

    def test_truncated_plain_file(self, classic_create, v2_create):
        """A JSON file cut mid-record keeps the records before the cut."""
        data = records_file([classic_create, v2_create], indent=2)
        cut = data[: len(data) - 200]

        result = elbtrail.loads(cut)

        assert [classic_create] == [e.to_dict() for e in result]
        assert "truncated" in {i.code for i in result.issues}

    def test_stray_bytes_between_records(self, classic_create, v2_create):
        """Junk between two records of a Records list is skipped."""
        text = (
            '{"Records": ['
            + json.dumps(classic_create)
            + ", ### , "
            + json.dumps(v2_create)
            + "]}"
        )

        result = elbtrail.loads(text)

        assert [classic_create, v2_create] == [e.to_dict() for e in result]
        assert ["skipped-text"] == [i.code for i in result.issues]

    def test_unquoted_keys(self, classic_create):
        """Keys printed without quotes (Records: [, as one AWS guide does) are read."""
        record = json.dumps(classic_create, indent=2).replace(
            '"eventName"', "eventName", 1
        )
        text = "{\n  Records:[\n" + record + "\n]}"

        result = elbtrail.loads(text)

        assert [classic_create] == [e.to_dict() for e in result]
        assert [("unquoted-key", 2), ("unquoted-key", 15)] == [
            (i.code, i.line) for i in result.issues
        ]

    def test_missing_comma_between_records(self, classic_create, v2_create):
        """Two records with no comma between them are both read."""
        text = (
            '{"Records": [' + json.dumps(classic_create) + json.dumps(v2_create) + "]}"
        )

        result = elbtrail.loads(text)

        assert 2 == len(result)
        assert ["missing-comma"] == [i.code for i in result.issues]


class TestDuplicates:
    def test_same_record_twice_is_reported_and_deduped(self, classic_create):
        """A record delivered twice is reported; dedupe=True drops it."""
        data = records_file([classic_create, classic_create])

        kept = elbtrail.loads(data)
        dropped = elbtrail.loads(data, dedupe=True)

        assert 2 == len(kept)
        assert ["duplicate-record"] == [i.code for i in kept.issues]
        assert 1 == len(dropped)

    def test_shared_event_id_different_records_both_kept(self):
        """The docs reuse one eventID for different records: both are kept."""
        classic = corpus_record("classic-guide-createloadbalancer.json")
        network = corpus_record("nlb-guide-createloadbalancer-network.json")
        assert classic["eventID"] == network["eventID"]

        result = elbtrail.loads(records_file([classic, network]), dedupe=True)

        assert 2 == len(result)
        assert () == result.issues


class TestTrees:
    @pytest.fixture
    def tree(self, tmp_path, classic_create, v2_create) -> Path:
        day = tmp_path / "AWSLogs" / "o-abc123" / "111122223333" / "CloudTrail"
        day = day / "us-west-2" / "2026" / "03" / "14"
        day.mkdir(parents=True)
        (day / "a.json.gz").write_bytes(gzip.compress(records_file([classic_create])))
        (day / "b.json").write_bytes(records_file([v2_create]))
        digest = tmp_path / "AWSLogs" / "o-abc123" / "111122223333"
        digest = digest / "CloudTrail-Digest" / "us-west-2"
        digest.mkdir(parents=True)
        shutil.copy(CORPUS / "cloudtrail-guide-digest-file.json", digest / "d.json")
        insight = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail-Insight"
        insight.mkdir(parents=True)
        (insight / "i.json").write_text("{}")
        (tmp_path / "notes.txt").write_text("not a log\n")
        return tmp_path

    def test_read_walks_the_tree(self, tree, classic_create, v2_create):
        """Every log file is read; digest/Insights folders and others are reported."""
        result = elbtrail.read(tree)

        assert [classic_create, v2_create] == [e.to_dict() for e in result]
        codes = [i.code for i in result.issues]
        assert 2 == codes.count("skipped-folder")
        assert any(
            i.source.endswith("notes.txt") and i.code == "skipped-file"
            for i in result.issues
        )
        assert not result.damaged

    def test_iter_events_matches_read(self, tree):
        """The stream gives the same events and issues as read()."""
        seen = []
        stream = elbtrail.iter_events(tree, on_issue=seen.append)

        streamed = [e.to_dict() for e in stream]

        assert [e.to_dict() for e in elbtrail.read(tree)] == streamed
        assert [i.code for i in elbtrail.read(tree).issues] == [i.code for i in seen]
        assert list(stream.issues) == seen

    def test_read_binary_stream(self, classic_create):
        """A binary file object is read like a file."""
        stream = io.BytesIO(gzip.compress(records_file([classic_create])))

        assert [classic_create] == [e.to_dict() for e in elbtrail.read(stream)]

    def test_missing_path_is_an_os_error(self, tmp_path):
        """A path that does not exist raises, rather than reading nothing."""
        with pytest.raises(OSError):
            elbtrail.read(tmp_path / "missing.json")
        with pytest.raises(OSError):
            list(elbtrail.iter_events(tmp_path / "missing.json"))


class TestStreaming:
    @pytest.mark.parametrize("minified", [True, False])
    def test_streamed_big_file_matches_loads(self, monkeypatch, decoder, minified):
        """Record by record, with or without orjson, minified or indented."""
        records = [
            corpus_record("classic-guide-createloadbalancer.json"),
            corpus_record("nlb-guide-createloadbalancer-network.json"),
            corpus_record("custodian-v2-addtags-eventbridge.json")["detail"],
        ] * 5
        # A string that looks like a record boundary must not split a record.
        records[4]["userAgent"] = 'x},{"eventVersion": "1.0"'
        layout = {"separators": (",", ":")} if minified else {"indent": 2}
        data = records_file(records, **layout)
        monkeypatch.setattr(_readers, "WHOLE_FILE_LIMIT", 0)
        monkeypatch.setattr(_readers, "CHUNK_SIZE", 997)

        streamed = list(elbtrail.iter_events(io.BytesIO(data), elb_only=False))

        assert records == [e.to_dict() for e in streamed]

    def test_small_chunks_give_the_same_result(self, monkeypatch):
        """Chunk boundaries anywhere do not change what is read."""
        path = CORPUS / "classic-guide-2018-records-array-malformed.json"
        expected = elbtrail.read(path)
        monkeypatch.setattr(_readers, "CHUNK_SIZE", 7)
        monkeypatch.setattr(_readers, "WHOLE_FILE_LIMIT", 0)

        streamed = list(elbtrail.iter_events(path))

        assert [e.to_dict() for e in expected] == [e.to_dict() for e in streamed]

    def test_lines_are_right_across_chunks(self, monkeypatch, tmp_path, classic_create):
        """Line numbers of repairs stay right when the text arrives in pieces."""
        text = json.dumps({"Records": [classic_create] * 3}, indent=2)
        text = text.replace('",\n      "eventType"', '"\n      "eventType"')
        path = tmp_path / "three.json"
        path.write_text(text)
        monkeypatch.setattr(_readers, "CHUNK_SIZE", 13)
        monkeypatch.setattr(_readers, "WHOLE_FILE_LIMIT", 0)
        expected = [
            (i.line, i.column)
            for i in elbtrail.read(path).issues
            if i.code == "missing-comma"
        ]

        stream = elbtrail.iter_events(path)
        list(stream)

        assert expected == [
            (i.line, i.column) for i in stream.issues if i.code == "missing-comma"
        ]

    def test_strict_stream_raises(self):
        """iter_events(strict=True) raises at the first damage."""
        path = CORPUS / "classic-guide-deleteloadbalancer-missing-comma.json"
        with pytest.raises(elbtrail.ParseError, match="no ','"):
            list(elbtrail.iter_events(path, strict=True))


def test_result_helpers(classic_create):
    """LogResult iterates over events and counts every record read."""
    other = copy.deepcopy(classic_create)
    other["eventSource"] = "ec2.amazonaws.com"

    result = elbtrail.loads(records_file([classic_create, other]))

    assert 1 == len(result)
    assert 2 == result.records
    assert not result.damaged


def test_records_differing_only_in_a_wrong_value_are_not_duplicates(classic_create):
    """Two records whose typed values agree but whose raw values differ are kept."""
    first = copy.deepcopy(classic_create)
    second = copy.deepcopy(classic_create)
    first["eventTime"] = "yesterday"
    second["eventTime"] = "tomorrow"

    for result in (
        elbtrail.loads(records_file([first, second]), dedupe=True),
        elbtrail.LogResult(
            list(
                elbtrail.iter_events(
                    io.BytesIO(records_file([first, second])), dedupe=True
                )
            ),
            (),
            2,
        ),
    ):
        assert [first, second] == [e.to_dict() for e in result]


class TestEdges:
    def test_corrupt_gzip_keeps_what_decompressed(self, classic_create):
        """Gzip data corrupt part-way: an error, never an exception."""
        data = gzip.compress(records_file([classic_create] * 50))
        broken = data[:200] + bytes(range(256)) + data[456:]

        result = elbtrail.loads(broken)

        assert "corrupt-gzip" in {i.code for i in result.issues}

    def test_bytes_after_the_gzip_data(self, classic_create):
        """Non-gzip bytes after a gzip member are reported and ignored."""
        data = gzip.compress(records_file([classic_create])) + b"trailing junk"

        result = elbtrail.loads(data)

        assert [classic_create] == [e.to_dict() for e in result]
        assert ["trailing-garbage"] == [i.code for i in result.issues]

    def test_padding_after_the_gzip_data_is_fine(self, classic_create):
        """Zero bytes after gzip (tape-style padding) are no issue."""
        data = gzip.compress(records_file([classic_create])) + b"\x00" * 64

        assert () == elbtrail.loads(data).issues

    def test_array_of_log_files(self, classic_create, v2_create):
        """A JSON array of log-file objects."""
        data = json.dumps([{"Records": [classic_create]}, {"Records": [v2_create]}])

        result = elbtrail.loads(data)

        assert [classic_create, v2_create] == [e.to_dict() for e in result]

    @pytest.mark.parametrize("damaged", [False, True])
    def test_records_item_that_is_not_an_object(self, classic_create, damaged):
        """A number among records is an issue with its path; the rest is read."""
        text = json.dumps({"Records": [classic_create, 5]}, indent=2)
        if damaged:  # the scanner's path rather than the fast decoder's
            text = text.replace("[\n", "[\n . . .\n", 1)

        result = elbtrail.loads(text)

        assert [classic_create] == [e.to_dict() for e in result]
        (issue,) = [i for i in result.issues if i.code == "not-a-record"]
        assert "Records[1]" == issue.path

    def test_eventbridge_event_without_detail(self):
        """An EventBridge envelope whose detail is null."""
        data = json.dumps(
            {"detail-type": "AWS API Call via CloudTrail", "detail": None}
        )

        result = elbtrail.loads(data)

        assert [("not-a-record", "detail")] == [(i.code, i.path) for i in result.issues]

    def test_lake_row_without_a_record(self):
        """A Lake row of other columns is a notice."""
        data = json.dumps({"QueryResultRows": [[{"count": 5}]]})

        result = elbtrail.loads(data)

        assert [] == list(result)
        assert ["unrecognised"] == [i.code for i in result.issues]
        assert not result.damaged

    @pytest.mark.parametrize(
        ("text", "codes"),
        [
            ('{"Records": [{"eventName": "a",}]}', ["trailing-comma"]),
            ('{"Records": [{"eventName" "a"}]}', ["missing-colon"]),
            ('{"Records": [{"eventName": "a"},,{"eventName": "b"}]}', ["extra-comma"]),
            (
                '{"Records": [{"eventName": "a"}, {"eventName": "b"},]}',
                ["trailing-comma"],
            ),
            ('{"Records": [{"tags": ["x",]}]}', ["trailing-comma"]),
        ],
    )
    def test_small_syntax_repairs(self, text, codes):
        """Trailing and extra commas and a missing colon are repaired."""
        result = elbtrail.loads(text, elb_only=False)

        assert codes == [i.code for i in result.issues]
        assert result.events

    @pytest.mark.parametrize(
        "text",
        [
            '{"Records": [{"eventName": "a\\q"}]}',
            '{"Records": [{"eventName": tru}]}',
            '{"Records": [{4: 1}]}',
            '{"Records": [{"a": 1 2}]}',
        ],
    )
    def test_unrepairable_record_is_an_issue(self, text):
        """A record the tolerant parser cannot read is reported, not raised."""
        result = elbtrail.loads(text, elb_only=False)

        assert "unreadable" in {i.code for i in result.issues}
