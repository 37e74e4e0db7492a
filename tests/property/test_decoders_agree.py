"""The fast extra changes how fast files are read, never what is read."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import zlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import DECODERS, use_decoders

import elbtrail
from elbtrail import _input
from elbtrail import strategies as ets

ELB = "elasticloadbalancing.amazonaws.com"
LONG_INTEGER = re.compile(rb"[0-9]{19}")


def read_with(kind: str, data: bytes, *, elb_only: bool = True) -> Any:
    """The events (as dicts) and issues of *data*, read with *kind* decoders."""
    with pytest.MonkeyPatch.context() as patch:
        use_decoders(patch, kind)
        result = elbtrail.loads(data, elb_only=elb_only)
    return (
        [event.to_dict() for event in result.events],
        [
            (e.event_id, [str(i) for i in e.issues], e.issues == ())
            for e in result.events
        ],
        [str(issue) for issue in result.issues],
        [(i.record, i.line, i.column, i.path) for i in result.issues],
        result.records,
    )


def assert_agree(data: bytes, *, elb_only: bool = True) -> None:
    kinds = DECODERS
    plain = data
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(zlib.error):
            plain = zlib.decompressobj(wbits=31).decompress(data)
    if LONG_INTEGER.search(plain):
        # A known limit: orjson reads integers beyond 64 bits as floats.
        kinds = tuple(kind for kind in DECODERS if kind != "pure")
    first, *others = [read_with(kind, data, elb_only=elb_only) for kind in kinds]
    for other in others:
        assert first == other


def log(*records: Any) -> bytes:
    return json.dumps({"Records": list(records)}, separators=(",", ":")).encode()


def other(**fields: Any) -> dict[str, Any]:
    return {"eventSource": "s3.amazonaws.com", "eventName": "GetObject", **fields}


def elb(**fields: Any) -> dict[str, Any]:
    return {
        "eventSource": ELB,
        "eventName": "DescribeLoadBalancers",
        "apiVersion": "2015-12-01",
        "eventID": "e1",
        **fields,
    }


# Text spliced into a log at a random place: damage, and values a decoder
# may refuse in one record but not in another.
SPLICES = [
    b"1e400",
    b"-1e400",
    b"NaN",
    b"9" * 400,
    b"12345678901234567890123",
    b'"\\ud800"',
    b'"\xff"',
    b'"\xc3\xa9"',
    b'"\\u0065lasticloadbalancing.amazonaws.com"',
    b",",
    b"}",
    b"[",
    b"",
]


def gzip_damage() -> st.SearchStrategy[Any]:
    """What can happen to a gzip stream: nothing, a cut, a flipped bit, a tail."""
    return st.one_of(
        st.just(("none", 0, b"")),
        st.tuples(st.just("cut"), st.integers(0, 10_000), st.just(b"")),
        st.tuples(st.just("flip"), st.integers(0, 10_000), st.just(b"")),
        st.tuples(
            st.just("flag"), st.integers(0, 3), st.sampled_from([b"\x20", b"\x80"])
        ),
        st.tuples(
            st.just("tail"),
            st.just(0),
            st.sampled_from(
                [b"\0\0", b" \n", b"x", b"\x1f", b"\x1f\x8b", b"\x1f\x8b\x08"]
            ),
        ),
    )


def damage(data: bytes, how: tuple[str, int, bytes]) -> bytes:
    kind, at, tail = how
    if kind == "cut":
        return data[: at % (len(data) + 1)]
    if kind == "flag":  # a reserved header flag, on one of the members
        starts = [i for i in range(len(data)) if data.startswith(b"\x1f\x8b\x08", i)]
        at = starts[at % len(starts)] + 3
        return data[:at] + bytes([data[at] | tail[0]]) + data[at + 1 :]
    if kind == "flip":
        at %= len(data)
        return data[:at] + bytes([data[at] ^ 0x10]) + data[at + 1 :]
    return data + tail


def in_chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


class TestInflating:
    @given(
        st.lists(st.binary(max_size=3000), min_size=1, max_size=3),
        gzip_damage(),
        st.integers(1, 4000),
        st.sampled_from([0, 100, 1 << 20]),
    )
    def test_isal_takes_only_what_zlib_reads_without_a_word(
        self, members, how, chunk, most
    ):
        """ISA-L returns zlib's bytes, or hands every byte back to zlib."""
        pytest.importorskip("isal")
        data = damage(b"".join(gzip.compress(m, mtime=0) for m in members), how)
        fast, rest = _input.inflated_at_once(iter(in_chunks(data, chunk)), most)
        issues: list[Any] = []
        usual = b"".join(
            _input.decompressed(in_chunks(data, chunk), "f", issues.append)
        )
        if fast is None:
            assert b"".join(rest) == data
        else:
            assert (fast, issues) == (usual, [])
            assert len(fast) <= most

    @given(
        st.lists(st.sampled_from(["elb", "other"]), min_size=1, max_size=5),
        gzip_damage(),
    )
    def test_damaged_gzip_reads_the_same(self, kinds, how):
        """Cut, corrupt or followed by other bytes: the same events and issues."""
        records = [
            elb(eventID=f"e{i}") if k == "elb" else other(n=i)
            for i, k in enumerate(kinds)
        ]
        data = gzip.compress(log(*records), mtime=0)
        assert_agree(damage(data + gzip.compress(log(elb()), mtime=0), how))

    def test_a_reserved_header_flag_is_damage_with_every_decoder(self):
        """ISA-L passes over reserved flags; zlib's reader reports them."""
        data = bytearray(gzip.compress(log(elb()), mtime=0))
        data[3] |= 0x20

        result = elbtrail.loads(bytes(data))

        assert "corrupt-gzip" in [i.code for i in result.issues]
        assert_agree(bytes(data))

    def test_bytes_that_give_no_output_are_not_held_without_end(self):
        """A header's comment of endless length: handed on after a bound."""
        pytest.importorskip("isal")
        taken = []

        def chunks():
            yield b"\x1f\x8b\x08\x10\0\0\0\0\0\xff"  # FCOMMENT set
            while True:
                taken.append(1)
                yield b"c" * (1 << 20)

        fast, rest = _input.inflated_at_once(chunks(), 4 << 20)
        held = len(taken)
        handed_back = [next(rest) for _ in range(held + 2)]

        assert fast is None
        assert held <= 5
        assert handed_back[0].startswith(b"\x1f\x8b")
        assert {b"c" * (1 << 20)} == set(handed_back[1:])
        assert held + 1 == len(taken)  # then the stream goes on where it was

    def test_a_size_hint_far_too_small_still_gives_the_whole(self):
        """The last member's size is all the hint says of a large first member."""
        pytest.importorskip("isal")
        big = log(*[other(n=i) for i in range(3000)])
        data = gzip.compress(big, mtime=0) + gzip.compress(b" ", mtime=0)
        fast, _ = _input.inflated_at_once(iter([data]), 1 << 22)
        assert fast == big + b" "


class TestDecodersAgree:
    @given(ets.log_file_cases(), st.booleans())
    def test_valid_files(self, case, elb_only):
        """Every shape of valid file reads the same with every decoder."""
        assert_agree(case.data, elb_only=elb_only)

    @given(ets.damaged_log_files(elb_only=False))
    def test_damaged_files(self, damaged):
        """Damage is repaired and reported the same with every decoder."""
        assert_agree(damaged.data)

    @given(
        st.lists(st.sampled_from(["elb", "other"]), min_size=1, max_size=5),
        st.sampled_from(SPLICES),
        st.integers(0, 10_000),
        st.booleans(),
    )
    def test_spliced_values(self, kinds, splice, where, zipped):
        """Bad numbers, bad text and escapes anywhere: the same result."""
        records = [
            elb(eventID=f"e{i}", awsRegion=5) if kind == "elb" else other(n=i)
            for i, kind in enumerate(kinds)
        ]
        text = log(*records)
        # Splice at a value's place, so that most cases stay JSON.
        colons = [i + 1 for i, byte in enumerate(text) if byte == ord(":")]
        at = colons[where % len(colons)]
        end = at
        while text[end : end + 1] not in (b",", b"}"):
            end += 1
        data = text[:at] + splice + text[end:]
        assert_agree(gzip.compress(data) if zipped else data)

    @pytest.mark.parametrize(
        "data",
        [
            log(other(n=1e300), elb()),
            log(elb(), other(tag="\u00e9\u4e2d")),
            log(other(deep=[[[[[]]]]]), elb(), 3, "x", None),
            b'{"Records":[' + json.dumps(elb()).encode() + b'],"Records":[]}',
            b'{"Records":[],"Records":[' + log(elb())[12:-2] + b"]}",
            log(elb(), other(n=1), elb(eventID="e2")) + b"\n",
            log(elb(), other(n=1), elb(eventID="e2")).replace(b"},{", b"}, {", 1),
            b'{"Records":[],"more":1}',
            b'{"Records":null}',
            b' \n{ "Records" : [ ' + json.dumps(elb(), indent=2).encode() + b" ] }\n",
            log(other(n=1), elb()).replace(b"1", b"1e400", 1),
            log(elb()).replace(b'"e1"', b'"e1","x":1e400'),
            log(other(x=list(range(5))), elb()).replace(
                b"DescribeLoad", b"Describe\\u004coad"
            ),
            b'{"\xff":0}',
            b'{"Records":[],"\xff":1}',
            b'{"Records":[{"Re\xed\xa0\x80cords":1}]}',
            json.dumps(elb()).encode() + b"\x0c",
            b"\x0b" + log(elb()),
            log(elb()) + "\u2028".encode(),
        ],
    )
    def test_edge_cases(self, data):
        """Duplicate and extra keys, null records, spacing, escapes, non-ASCII."""
        assert_agree(data)
        assert_agree(data, elb_only=False)

    def test_strict_mode_agrees(self):
        """White space JSON does not allow is damage with every decoder."""
        data = json.dumps(elb()).encode() + b"\x0c"
        for kind in DECODERS:
            with pytest.MonkeyPatch.context() as patch:
                use_decoders(patch, kind)
                with pytest.raises(elbtrail.ParseError, match="not JSON"):
                    elbtrail.loads(data, strict=True)

    def test_bad_number_in_a_skipped_record_is_not_looked_at(self):
        """With elb_only, a number JSON cannot carry in another service's record
        is left unread, by every decoder; the ELB record is read whole."""
        data = log(other(n=1), elb(awsRegion="eu-west-1")).replace(
            b'"n":1', b'"n":1e400'
        )
        for kind in DECODERS:
            events, _, issues, _, records = read_with(kind, data)
            assert (1, [], 2) == (len(events), issues, records), kind
            events, _, issues, _, records = read_with(kind, data, elb_only=False)
            assert 2 == len(events), kind
            assert any("1e400" in issue for issue in issues), kind


class TestLargeFilesAgree:
    @pytest.mark.parametrize(
        ("indent", "size"), [(None, 4500), (1, 4500), (None, 8500)]
    )
    def test_a_file_over_the_whole_file_limit(self, tmp_path, indent, size):
        """Past 4 MiB, split by msgspec or scanned: the same events and issues."""
        filler = [other(n=i, pad="x" * 1000) for i in range(size)]
        filler[10]["deep"] = json.loads("[" * 300 + "]" * 300)
        filler[20]["big"] = 7777777
        records = [
            *filler[:2000],
            elb(eventID="bad", awsRegion=5),
            elb(eventID="twice"),
            *filler[2000:],
            elb(eventID="twice"),
        ]
        separators = (",", ":") if indent is None else None
        text = json.dumps(
            {"Records": records}, indent=indent, separators=separators
        ).encode()
        text = text.replace(b"7777777", b"1e400", 1)
        assert b"1e400" in text
        assert len(text) > elbtrail._readers.WHOLE_FILE_LIMIT
        path = tmp_path / "big.json.gz"
        path.write_bytes(gzip.compress(text))

        results = []
        split = []
        for kind in DECODERS:
            with pytest.MonkeyPatch.context() as patch:
                use_decoders(patch, kind)
                real = elbtrail._readers._events_split
                patch.setattr(
                    elbtrail._readers,
                    "_events_split",
                    lambda *a, k=kind, f=real: split.append(k) or f(*a),
                )
                result = elbtrail.read(path)
                streamed = list(elbtrail.iter_events(path))
            assert [e.to_dict() for e in result.events] == [
                e.to_dict() for e in streamed
            ]
            results.append(
                (
                    [e.to_dict() for e in result.events],
                    [(str(i), i.record, i.line, i.column) for i in result.issues],
                    result.records,
                )
            )
        # A delivered (one-line) file of up to 8 MiB is split at once with
        # the fast extra; others are scanned.
        assert (["fast", "fast"] if (indent, size) == (None, 4500) else []) == split
        assert results[0] == results[1] == results[2]
        events, issues, count = results[0]
        assert (3, size + 3) == (len(events), count)
        # Values of other services' records are not looked at: no bad-number.
        assert 2 == len(issues)
        assert not any("1e400" in text for text, *_ in issues)
        opening = text.rfind(b"{", 0, text.index(b'"bad"'))
        assert [text.count(b"\n", 0, opening) + 1] == [
            line for _, record, line, _ in issues if record == 2000
        ]

    def test_loads_and_read_count_the_same_records(self, tmp_path):
        """An item that is not an object is a record, streamed or not."""
        filler = [other(n=i, pad="x" * 1000) for i in range(4500)]
        text = log(*filler, elb(awsRegion=5), [1])
        path = tmp_path / "big.json"
        path.write_bytes(text)

        for kind in DECODERS:
            with pytest.MonkeyPatch.context() as patch:
                use_decoders(patch, kind)
                whole = elbtrail.loads(text)
                streamed = elbtrail.read(path)
            assert whole.records == streamed.records == 4502
            assert [(i.code, i.record) for i in whole.issues] == [
                (i.code, i.record) for i in streamed.issues
            ]

    def test_tiny_records_are_not_split(self, tmp_path):
        """A file of tiny records is streamed, not held as millions of slices."""
        text = b'{"Records":[' + b",".join([b"{}"] * 1_500_000) + b"]}"
        path = tmp_path / "tiny.json"
        path.write_bytes(text)
        answers = []
        with pytest.MonkeyPatch.context() as patch:
            real = elbtrail._readers.elb_candidates
            patch.setattr(
                elbtrail._readers,
                "elb_candidates",
                lambda data, **options: (
                    answers.append(real(data, **options)) or answers[-1]
                ),
            )
            result = elbtrail.read(path)
        assert (0, 1_500_000, [None]) == (len(result.events), result.records, answers)
