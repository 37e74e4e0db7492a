"""
The reliability contract of docs/guarantees.md, each case attacked directly.

No crash, no exception but ParseError in strict mode, no record silently
dropped or altered, read and iter_events agreeing, bounded memory.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import math
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DECODERS, corpus_record, use_decoders

import elbtrail
from elbtrail import _decoders, _input, _readers, _scanner
from elbtrail._cli import main


def _record(index: int, **changes: Any) -> dict[str, Any]:
    record = corpus_record("classic-guide-createloadbalancer.json")
    record["eventID"] = f"00000000-0000-0000-0000-{index:012d}"
    record["requestParameters"]["loadBalancerName"] = f"lb-{index}"
    record.update(changes)
    return record


def _records(count: int) -> list[dict[str, Any]]:
    return [_record(i) for i in range(count)]


def _names(events: Any) -> list[str]:
    return [e.request_parameters.load_balancer_name for e in events]


def _every_reader(
    data: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> list[tuple[list[dict[str, Any]], list[str]]]:
    """
    What each reader makes of *data*: events and issue codes.

    loads, read and iter_events; then read and iter_events again with the
    whole-file path turned off and tiny chunks, as for a huge file.
    """
    path = tmp_path / "input.json"
    path.write_bytes(data)
    results = []
    loaded = elbtrail.loads(data, **options)
    results.append(([e.to_dict() for e in loaded], [i.code for i in loaded.issues]))
    done = elbtrail.read(path, **options)
    results.append(([e.to_dict() for e in done], [i.code for i in done.issues]))
    stream = elbtrail.iter_events(path, **options)
    results.append(([e.to_dict() for e in stream], [i.code for i in stream.issues]))
    with monkeypatch.context() as patch:
        patch.setattr(_readers, "WHOLE_FILE_LIMIT", 0)
        patch.setattr(_readers, "CHUNK_SIZE", 101)
        done = elbtrail.read(path, **options)
        results.append(([e.to_dict() for e in done], [i.code for i in done.issues]))
        stream = elbtrail.iter_events(path, **options)
        results.append(([e.to_dict() for e in stream], [i.code for i in stream.issues]))
    return results


def _agreed_events(results: list[tuple[list[dict[str, Any]], list[str]]]) -> Any:
    """The events every reader gave (asserting they all gave the same)."""
    first = results[0][0]
    for events, _ in results[1:]:
        assert first == events
    return first


@pytest.fixture(params=DECODERS)
def decoder(request, monkeypatch):
    """Run a test with each set of decoders: the fast extra, orjson, none."""
    use_decoders(monkeypatch, request.param)
    return request.param


class TestNoCrash:
    def test_orjson_older_than_the_safe_version_is_not_used(self, tmp_path):
        """An old orjson on the path is ignored: deep nesting cannot crash."""
        fake = tmp_path / "orjson"
        fake.mkdir()
        # The old orjson's failure, made certain: any use kills the process.
        (fake / "__init__.py").write_text(
            textwrap.dedent(
                """
                import os
                __version__ = "3.8.14"
                class JSONDecodeError(ValueError):
                    pass
                class JSONEncodeError(TypeError):
                    pass
                OPT_SORT_KEYS = 1
                def loads(data):
                    os.abort()
                def dumps(value, option=None):
                    os.abort()
                """
            )
        )
        deep = gzip.compress(b"[" * 200_000 + b"]" * 200_000)
        (tmp_path / "deep.json.gz").write_bytes(deep)
        code = textwrap.dedent(
            f"""
            import elbtrail, elbtrail._decoders as d
            assert d.orjson is None, d.orjson
            data = open({str(tmp_path / "deep.json.gz")!r}, "rb").read()
            print(elbtrail.loads(data).issues[0].code)
            print(elbtrail.read({str(tmp_path / "deep.json.gz")!r}).issues[0].code)
            print(len(list(elbtrail.iter_events({str(tmp_path / "deep.json.gz")!r}))))
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": f"{tmp_path}:{Path(elbtrail.__file__).parent.parent}"},
            check=False,
        )

        assert done.returncode == 0, done.stderr
        assert ["too-deep", "too-deep", "0"] == done.stdout.split()

    @pytest.mark.parametrize("version", ["3.8.14", "2.6", "", "dev"])
    def test_orjson_versions_below_the_minimum_are_refused(self, version):
        """The version check reads what orjson says it is, and fails closed."""
        assert _decoders._version(version) < _decoders.ORJSON_MIN

    @pytest.mark.parametrize("version", ["3.9.0", "3.10.1", "3.13.0", "4.0"])
    def test_orjson_versions_from_the_minimum_are_used(self, version):
        """Safe versions pass the check."""
        assert _decoders._version(version) >= _decoders.ORJSON_MIN

    @pytest.mark.parametrize("depth", [1_020, 5_000, 200_000])
    def test_deep_nesting_is_an_issue_on_every_path(
        self, decoder, depth, tmp_path, monkeypatch
    ):
        """Nesting of any depth, at the top or in a record, never raises."""
        top = b"[" * depth + b"]" * depth
        inside = (
            b'{"Records": [{"eventVersion": "1.0", "x": '
            + top
            + b'}, {"eventVersion": "1.0"}]}'
        )
        for data in (top, inside, gzip.compress(top)):
            results = _every_reader(data, tmp_path, monkeypatch, elb_only=False)

            for events, codes in results:
                assert codes
                assert {"too-deep", "unreadable"} & set(codes)
                assert len(events) <= 1

    def test_records_nested_to_the_limit_are_kept_and_print(self, decoder):
        """A record nested exactly MAX_DEPTH deep is kept; repr and str work."""
        record = _record(0)
        listener = record["requestParameters"]["listeners"][0]
        # The record, requestParameters, listeners, the listener: 4 levels.
        listener["x"] = json.loads("[" * 250 + "]" * 250)
        data = json.dumps({"Records": [record]}).encode()

        result = elbtrail.loads(data)

        assert 1 == len(result.events)
        event = result.events[0]
        assert repr(event)
        assert str(event)
        assert record == event.to_dict()

    def test_records_nested_past_the_limit_are_dropped_with_an_issue(self, decoder):
        """One more level, and the record is dropped, said so, never raised."""
        record = _record(0)
        listener = record["requestParameters"]["listeners"][0]
        listener["x"] = json.loads("[" * 251 + "]" * 251)
        data = json.dumps({"Records": [_record(1), record, _record(2)]}).encode()

        result = elbtrail.loads(data)

        assert ["lb-1", "lb-2"] == _names(result)
        deep = [i for i in result.issues if i.code == "too-deep"]
        assert 1 == len(deep)
        assert "Records[1]" == deep[0].path
        with pytest.raises(elbtrail.ParseError):
            elbtrail.loads(data, strict=True)


class TestNumbers:
    @pytest.mark.parametrize(
        "literal",
        ["9" * 5000, "-" + "9" * 4301, "NaN", "Infinity", "-Infinity", "1e400"],
    )
    def test_numbers_json_cannot_carry_are_kept_as_text(
        self, decoder, literal, tmp_path, monkeypatch
    ):
        """The record and its neighbours are kept; the number is its text."""
        record = _record(1, extraField=0)
        text = json.dumps({"Records": [_record(0), record, _record(2)]})
        text = text.replace('"extraField": 0', f'"extraField": {literal}')

        results = _every_reader(text.encode(), tmp_path, monkeypatch)

        events = _agreed_events(results)
        assert 3 == len(events)
        assert literal == events[1]["extraField"]
        for _, codes in results:
            assert ["bad-number"] == codes
        issue = next(i for i in elbtrail.loads(text).issues)
        assert "Records[1].extraField" == issue.path

    def test_bad_numbers_in_a_strict_read_raise_parse_error(self):
        """Strict mode raises ParseError, not ValueError."""
        text = json.dumps({"Records": [_record(0, n=0)]}).replace(
            '"n": 0', '"n": ' + "1" * 5000
        )
        with pytest.raises(elbtrail.ParseError, match="cannot be carried"):
            elbtrail.loads(text, strict=True)

    def test_bad_numbers_in_json_lines_and_damaged_records(self, decoder):
        """The tolerant parser and line-by-line reading mark them too."""
        good = json.dumps(_record(0, n=0)).replace('"n": 0', '"n": NaN')
        damaged = json.dumps(_record(1, n=0)).replace('"n": 0', '"n": NaN')
        damaged = damaged.replace('", "eventSource"', '" "eventSource"')
        text = f"{good}\n{damaged}\n"

        result = elbtrail.loads(text)

        assert 2 == len(result.events)
        assert ["NaN", "NaN"] == [e.extra["n"] for e in result.events]
        assert ["bad-number", "bad-number", "missing-comma"] == sorted(
            i.code for i in result.issues
        )

    def test_jsonl_output_is_strict_json(self, tmp_path, capsys):
        """`events --format jsonl` never prints NaN or Infinity."""
        text = json.dumps({"Records": [_record(0, n=0)]})
        path = tmp_path / "nan.json"
        path.write_text(text.replace('"n": 0', '"n": NaN'))

        assert 0 == main(["events", "--format", "jsonl", str(path)])

        line = capsys.readouterr().out.strip()

        def refuse(name: str) -> None:
            raise AssertionError(name)

        assert "NaN" == json.loads(line, parse_constant=refuse)["n"]

    def test_huge_integer_does_not_break_the_command_line(self, tmp_path, capsys):
        """The CLI reads the file and lists the issue; no traceback."""
        text = json.dumps({"Records": [_record(0, n=0)]})
        path = tmp_path / "big.json"
        path.write_text(text.replace('"n": 0', '"n": ' + "7" * 6000))

        assert 1 == main(["check", str(path)])
        assert "bad-number" not in capsys.readouterr().err

    def test_records_differing_only_in_bad_numbers_are_not_duplicates(
        self, tmp_path, monkeypatch
    ):
        """NaN and 1e400 are different texts: neither record is dropped."""
        text = json.dumps({"Records": [_record(0, n=0), _record(0, n=1)]})
        text = text.replace('"n": 0', '"n": NaN').replace('"n": 1', '"n": 1e400')

        results = _every_reader(
            text.encode(), tmp_path, monkeypatch, dedupe=True, elb_only=False
        )

        events = _agreed_events(results)
        assert ["NaN", "1e400"] == [e["n"] for e in events]
        for _, codes in results:
            assert "duplicate-record" not in codes

    def test_no_event_holds_a_float_json_refuses(self, decoder):
        """Whatever the input, to_dict() of every event is strict JSON."""
        text = '{"Records": [{"eventVersion": "1.0", "a": [NaN, -Infinity, 1e999]}]}'

        result = elbtrail.loads(text, elb_only=False)

        value = result.events[0].to_dict()
        json.dumps(value, allow_nan=False)
        assert all(not isinstance(v, float) or math.isfinite(v) for v in value["a"])


def _minified(records: list[dict[str, Any]]) -> str:
    return json.dumps({"Records": records}, separators=(",", ":"))


class TestRecovery:
    @pytest.mark.parametrize("layout", ["minified", "pretty"])
    @pytest.mark.parametrize("cut", [0.2, 0.5, 0.9])
    def test_record_cut_in_half_costs_only_itself(
        self, layout, cut, tmp_path, monkeypatch
    ):
        """The next record is kept, and later paths are not shifted."""
        records = _records(4)
        records[3]["awsRegion"] = 5  # a wrong type, to see its path
        if layout == "minified":
            pieces = [json.dumps(r, separators=(",", ":")) for r in records]
            joiner, head, tail = ",", '{"Records":[', "]}"
        else:
            pieces = [textwrap.indent(json.dumps(r, indent=2), "    ") for r in records]
            joiner, head, tail = ",\n", '{\n  "Records": [\n', "\n  ]\n}\n"
        pieces[1] = pieces[1][: int(len(pieces[1]) * cut)]
        data = (head + joiner.join(pieces) + tail).encode()

        results = _every_reader(data, tmp_path, monkeypatch)

        events = _agreed_events(results)
        assert ["lb-0", "lb-2", "lb-3"] == [
            e["requestParameters"]["loadBalancerName"] for e in events
        ]
        result = elbtrail.loads(data)
        wrong = [i for i in result.issues if i.code == "wrong-type"]
        assert ["Records[3].awsRegion"] == [i.path for i in wrong]
        lost = [i for i in result.issues if i.severity is elbtrail.Severity.ERROR]
        assert any(i.path == "Records[1]" for i in lost)

    def test_record_cut_inside_a_string_in_an_array_costs_only_itself(
        self, tmp_path, monkeypatch
    ):
        """In a top-level array too, the string left open takes nothing else."""
        pieces = [json.dumps(r, separators=(",", ":")) for r in _records(3)]
        pieces[0] = pieces[0][: pieces[0].index("elasticloadbalancing") + 21]
        data = ("[" + ",".join(pieces) + "]").encode()

        results = _every_reader(data, tmp_path, monkeypatch)

        events = _agreed_events(results)
        assert ["lb-1", "lb-2"] == [
            e["requestParameters"]["loadBalancerName"] for e in events
        ]

    def test_json_line_cut_inside_a_string_costs_only_itself(
        self, tmp_path, monkeypatch
    ):
        """A line that ends inside a string does not take the next line."""
        lines = [json.dumps(r) for r in _records(3)]
        lines[1] = lines[1][: lines[1].index("CreateLoadBalancer") + 6]
        data = ("\n".join(lines) + "\n").encode()

        results = _every_reader(data, tmp_path, monkeypatch)

        events = _agreed_events(results)
        assert ["lb-0", "lb-2"] == [
            e["requestParameters"]["loadBalancerName"] for e in events
        ]

    @pytest.mark.parametrize(
        "escape", ["\x1b[0m", "\x1b[2J", "\x1b]0;title\x07", "\x1b[31;1m\x1b[K"]
    )
    def test_terminal_escapes_between_records_cost_nothing(
        self, escape, tmp_path, monkeypatch
    ):
        """Colour codes pasted into a log are skipped; every record is kept."""
        pieces = [json.dumps(r, separators=(",", ":")) for r in _records(3)]
        in_list = '{"Records":[' + pieces[0] + "," + escape + ",".join(pieces[1:])
        in_list += "]}"
        lines = pieces[0] + "\n" + escape + pieces[1] + "\n" + pieces[2] + escape

        for data in (in_list, lines):
            results = _every_reader(data.encode(), tmp_path, monkeypatch)

            events = _agreed_events(results)
            assert 3 == len(events)
            for _, codes in results:
                assert "skipped-text" in codes

    def test_corrupt_middle_gzip_member_keeps_the_members_after_it(
        self, tmp_path, monkeypatch
    ):
        """The intact members after a damaged one are found and read."""
        members = [gzip.compress(json.dumps(r).encode() + b"\n") for r in _records(4)]
        damaged = bytearray(members[1])
        for index in range(20, 50):
            damaged[index] ^= 0x5A
        data = members[0] + bytes(damaged) + members[2] + members[3]

        results = _every_reader(data, tmp_path, monkeypatch)

        events = _agreed_events(results)
        assert ["lb-0", "lb-2", "lb-3"] == [
            e["requestParameters"]["loadBalancerName"] for e in events
        ]
        for _, codes in results:
            assert "corrupt-gzip" in codes

    def test_junk_line_ending_at_a_chunk_boundary_loses_nothing(self, monkeypatch):
        """Wherever the chunks fall, the line after junk is read."""
        lines = [json.dumps(r) for r in _records(2)]
        for size in range(40, 90):
            junk = "x" * (size - 1) + "\n"
            data = (junk + lines[0] + "\n" + junk + lines[1] + "\n").encode()
            monkeypatch.setattr(_readers, "WHOLE_FILE_LIMIT", 0)
            monkeypatch.setattr(_readers, "CHUNK_SIZE", size)

            stream = elbtrail.iter_events(io.BytesIO(data))

            assert ["lb-0", "lb-1"] == _names(stream)

    def test_junk_at_a_real_chunk_boundary_loses_nothing(self):
        """The same at the real sizes: a file streamed, junk ending at 1 MiB x 5."""
        filler = json.dumps(_record(0, eventSource="ec2.amazonaws.com")) + "\n"
        before = filler * ((5 * _input.CHUNK_SIZE) // len(filler) - 1)
        junk = "j" * (5 * _input.CHUNK_SIZE - len(before) - 1) + "\n"
        data = (before + junk + json.dumps(_record(1)) + "\n").encode()
        assert 0 == len(before + junk) % _input.CHUNK_SIZE
        assert len(data) > _readers.WHOLE_FILE_LIMIT

        assert ["lb-1"] == _names(elbtrail.iter_events(io.BytesIO(data)))

    def test_key_before_records_in_a_huge_file(self, tmp_path):
        """A log file larger than the whole-value limit, Records not first."""
        record = json.dumps(_record(0, eventSource="ec2.amazonaws.com"))
        count = (33 << 20) // len(record) + 1
        path = tmp_path / "big.json"
        with path.open("w") as out:
            out.write('{"nextToken": "abc", "Records": [')
            out.write(",".join([record] * count))
            out.write("]}")

        stream = elbtrail.iter_events(path)
        assert [] == list(stream)

        assert count == stream.records
        assert ["unexpected-keys"] == [i.code for i in stream.issues]
        assert count == elbtrail.read(path).records

    def test_single_record_of_forty_megabytes_is_read(self, tmp_path):
        """A valid record larger than any buffer guess is kept whole."""
        record = _record(0, userAgent="a" * (40 << 20))
        path = tmp_path / "big.json"
        path.write_text(_minified([record]))

        stream = elbtrail.iter_events(path)
        events = list(stream)

        assert [] == list(stream.issues)
        assert 1 == len(events)
        assert 40 << 20 == len(events[0].user_agent or "")

    def test_value_over_the_limit_is_too_large_not_cut_off(self, tmp_path, monkeypatch):
        """Past MAX_VALUE a record is dropped as too large; the next is read."""
        monkeypatch.setattr(_scanner, "MAX_VALUE", 1 << 16)
        big = _record(1, userAgent="a" * (1 << 17))
        path = tmp_path / "big.json"
        path.write_text(_minified([_record(0), big, _record(2)]))
        monkeypatch.setattr(_readers, "WHOLE_FILE_LIMIT", 0)

        stream = elbtrail.iter_events(path)

        assert ["lb-0", "lb-2"] == _names(stream)
        assert ["too-large"] == [i.code for i in stream.issues]
        assert "Records[1]" == stream.issues[0].path


class TestDuplicates:
    def test_many_records_sharing_an_event_id_are_all_kept(self, tmp_path, monkeypatch):
        """Records that share an eventID but differ are not duplicates."""
        records = [_record(0) for _ in range(300)]
        for index, record in enumerate(records):
            record["requestParameters"]["loadBalancerName"] = f"lb-{index}"

        results = _every_reader(
            _minified(records).encode(), tmp_path, monkeypatch, dedupe=True
        )

        assert 300 == len(_agreed_events(results))

    def test_stream_remembers_a_bounded_number_of_event_ids(self, monkeypatch):
        """Memory for duplicates does not grow with the input."""
        monkeypatch.setattr(_readers, "DEDUPE_WINDOW", 10)
        records = _records(50)
        stream = elbtrail.iter_events(io.BytesIO(_minified(records).encode()))

        assert 50 == len(list(stream))
        assert len(stream._collector._seen) <= 10

    def test_duplicates_within_the_window_are_found(self):
        """A re-delivered record is found by both readers."""
        records = [*_records(5), _record(2)]
        data = _minified(records).encode()

        streamed = elbtrail.iter_events(io.BytesIO(data), dedupe=True)
        names = _names(streamed)
        loaded = elbtrail.loads(data, dedupe=True)

        assert ["lb-0", "lb-1", "lb-2", "lb-3", "lb-4"] == names == _names(loaded)


class TestBoundedMemory:
    def test_issues_beyond_the_cap_are_counted_not_stored(self, monkeypatch):
        """on_issue gets every issue; the stream keeps the cap and a summary."""
        monkeypatch.setattr(_readers, "MAX_ISSUES", 5)
        data = "".join(f"junk\n{json.dumps(_record(i))}\n" for i in range(20))
        seen: list[elbtrail.Issue] = []

        stream = elbtrail.iter_events(io.BytesIO(data.encode()), on_issue=seen.append)

        assert 20 == len(list(stream))
        assert 20 == len(seen)
        assert 6 == len(stream.issues)
        last = stream.issues[-1]
        assert "too-many-issues" == last.code
        assert "15 more issues" in last.message
        assert elbtrail.Severity.ERROR == last.severity
        assert 6 == len(elbtrail.loads(data).issues)

    def test_gzip_bomb_inflates_in_bounded_pieces(self):
        """However well it compresses, no piece is larger than CHUNK_SIZE."""
        bomb = gzip.compress(b" " * (256 << 20), compresslevel=9)
        assert len(bomb) < 1 << 20

        sizes = [
            len(piece)
            for piece in _input.decompressed([bomb], "<bomb>", lambda issue: None)
        ]

        assert 256 << 20 == sum(sizes)
        assert max(sizes) <= _input.CHUNK_SIZE

    def test_gzip_bomb_is_not_inflated_at_once(self):
        """Inflating at once stops past its bound and hands every byte back."""
        pytest.importorskip("isal")
        bomb = gzip.compress(b" " * (256 << 20), compresslevel=9)

        tracemalloc.start()
        try:
            data, rest = _input.inflated_at_once(iter([bomb]), 4 << 20)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert data is None
        assert bomb == b"".join(rest)
        assert peak < 16 << 20

    def test_gzip_bomb_in_memory_is_empty_not_exhausting(self):
        """loads of a bomb of white space gives an empty result."""
        bomb = gzip.compress(b"\n" * (64 << 20), compresslevel=9)

        result = elbtrail.loads(bomb)

        assert ["empty"] == [i.code for i in result.issues]

    def test_device_given_as_a_path_is_not_read(self):
        """/dev/zero is reported, not read until memory runs out."""
        result = elbtrail.read("/dev/zero")

        assert ["special-file"] == [i.code for i in result.issues]
        assert [] == list(elbtrail.iter_events("/dev/zero"))


class TestAgreement:
    @pytest.mark.parametrize(
        "damage",
        [
            lambda t: t.replace('","eventTime"', '" "eventTime"', 1),
            lambda t: t.replace("},{", "},,{", 1),
            lambda t: t.replace("},{", "}{", 1),
            lambda t: t[: len(t) // 2],
            lambda t: t.replace('"eventName"', "eventName", 1),
            lambda t: t.replace('"lb-1"', '"lb-1\\q"', 1),
            lambda t: t.replace("},{", "},\x00\x01junk{", 1),
        ],
    )
    def test_damaged_files_read_the_same_by_every_reader(
        self, damage, tmp_path, monkeypatch, decoder
    ):
        """Whole or streamed, with any chunk size, the result is the same."""
        data = damage(_minified(_records(5))).encode()

        results = _every_reader(data, tmp_path, monkeypatch)

        _agreed_events(results)
        first_codes = results[0][1]
        for _, codes in results[1:]:
            assert first_codes == codes

    def test_sorted_keys_read_record_by_record(self, tmp_path, monkeypatch):
        """Keys in sorted order (eventVersion not first) stream correctly."""
        text = json.dumps({"Records": _records(5)}, sort_keys=True)
        data = gzip.compress(text.replace('"lb-2"', '"lb-2" "x": 1', 1).encode())

        results = _every_reader(data, tmp_path, monkeypatch)

        events = _agreed_events(results)
        assert 5 == len(events)


def test_record_copies_are_independent(decoder):
    """Reading never changes the records of another read."""
    data = _minified(_records(2)).encode()
    first = elbtrail.loads(data)
    second = elbtrail.loads(data)

    assert [e.to_dict() for e in first] == [e.to_dict() for e in second]
    assert copy.deepcopy(first.events[0].to_dict()) == first.events[0].to_dict()


def test_a_string_of_millions_of_escapes_is_read_in_linear_memory():
    """An unclosed string of escapes costs memory in proportion to its size."""
    import tracemalloc  # noqa: PLC0415

    data = b'{"Records":[{"a":"' + b"\\\\" * 1_000_000 + b"}]}"
    tracemalloc.start()
    try:
        result = elbtrail.loads(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [] == result.events
    assert any(i.code == "truncated" for i in result.issues)
    # The input is 2 MB; a regular expression repeating a group kept
    # state for every escape and peaked near 180 MB.
    assert peak < 40 * 2**20
