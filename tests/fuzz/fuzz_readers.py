"""
Structure-aware fuzzing of elbtrail's readers.

Each input is either raw bytes (first byte even) or, more often, a recipe
(first byte odd): the rest of the bytes choose real records from the
corpus, mutate their values (type swaps, nulls, ``1e400``, ``NaN``, huge
integers, duplicate keys, lone surrogates, deep nesting), lay them out
(minified log file, pretty-printed, JSON lines, an array, gzip members) and
damage the text in ways whose cost is known (junk lines, terminal escapes,
missing and extra commas, a record cut in half, a corrupt gzip member, a
byte order mark, UTF-16). So each case knows which records must come back.

For every input, every reader must agree: ``loads``, ``read`` and
``iter_events``, whole and streamed in tiny chunks, give the same events and
the same issues; tolerant reading never raises; strict reading raises only
``ParseError``; every event prints and is strict JSON; and every record the
recipe left recoverable is recovered, with nothing invented.

Run it with ``nox -s fuzz`` (atheris, coverage-guided; pass
``-- -max_total_time=SECONDS``), or without atheris:
``python tests/fuzz/fuzz_readers.py --random SECONDS``. A failing input is
written to ``crash-<digest>`` in the current folder; add it under
``tests/fuzz/regressions/`` so the test suite keeps checking it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).parent
CORPUS = HERE.parent / "data" / "corpus"

try:
    import atheris
except ImportError:  # the random driver needs no atheris
    atheris = None

if atheris is not None:
    with atheris.instrument_imports():
        import elbtrail
        from elbtrail import _readers
else:
    import elbtrail
    from elbtrail import _readers


def _seeds() -> list[dict[str, Any]]:
    records = []
    for path in sorted(CORPUS.glob("*.json")):
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(value, dict) and "Records" in value:
            records.extend(r for r in value["Records"] if isinstance(r, dict))
        elif isinstance(value, dict) and "detail" in value:
            records.append(value["detail"])
        elif isinstance(value, dict) and "eventVersion" in value:
            records.append(value)
    return [r for r in records if "eventVersion" in r]


SEEDS = _seeds()


class Draw:
    """Choices read from fuzzer bytes; zeros once the bytes run out."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def below(self, n: int) -> int:
        """A number in ``range(n)``."""
        if n <= 1:
            return 0
        value = self.byte() << 8 | self.byte()
        return value % n

    def choice(self, options: list[Any]) -> Any:
        return options[self.below(len(options))]

    def chance(self, out_of: int) -> bool:
        return self.below(out_of) == 0


@attrs.define
class Case:
    """An input and what reading it must give back."""

    data: bytes
    # eventIDs that must come back, and those that may (damaged, or dropped).
    kept: set[str]
    maybe: set[str]
    recipe: list[str]


_VALUES: list[Any] = [
    None,
    0,
    -1,
    "",
    "text",
    [],
    {},
    [1, "a"],
    {"a": {"b": []}},
    True,
    1.5,
    "\u202e\x1b[2J",
]
# Numbers JSON cannot carry, written into the text after json.dumps (as is
# deep nesting).
_BAD_NUMBERS = ["NaN", "-Infinity", "1e400", "9" * 5000, "-" + "1" * 4400]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _mutate(record: dict[str, Any], draw: Draw, marks: list[str]) -> bool:
    """
    Change one value of *record* in place; ``False`` if it cannot come back.

    Bad numbers are left as markers in *marks* for the text to receive.
    """
    paths = [p for p in _paths(record) if p and p[0] != "eventID"]
    path = draw.choice(paths)
    parent = record
    for key in path[:-1]:
        parent = parent[key]
    kind = draw.below(6)
    if kind == 0:
        parent[path[-1]] = draw.choice(_VALUES)
    elif kind == 1:
        marker = f"@@bad{len(marks)}@@"
        marks.append(draw.choice(_BAD_NUMBERS))
        parent[path[-1]] = marker
    elif kind == 2:
        parent[path[-1]] = "lone \ud800 surrogate"
    elif kind == 3:
        depth = draw.choice([10, 200, 240, 300, 2000])
        parent[path[-1]] = f"@@bad{len(marks)}@@"
        marks.append("[" * depth + "]" * depth)
        return depth + len(path) < 250
    elif kind == 4:
        # Within 64 bits: orjson reads longer integers as floats (a limit
        # the guarantees page states).
        parent[path[-1]] = 2**62 * (draw.below(3) - 1)
    else:
        parent[path[-1]] = "x" * draw.choice([0, 1, 5000])
    return True


def _dumps(value: Any, *, pretty: bool) -> str:
    if pretty:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _with_numbers(text: str, marks: list[str]) -> str:
    for index, number in enumerate(marks):
        text = text.replace(f'"@@bad{index}@@"', number)
    return text


def _duplicate_key(text: str, draw: Draw) -> str:
    """Write a key twice in the record's text (the second value wins)."""
    at = text.find('"awsRegion":')
    if at < 0 or not draw.chance(4):
        return text
    return text[:at] + '"awsRegion":"dup-region",' + text[at:]


_JUNK = [
    "\x1b[0m",
    "\x1b]0;title\x07",
    ". . .",
    "2026-03-14T10:25:00Z INFO ",
    "\x00\x01",
    "garbage line",
]


def build_case(data: bytes) -> Case:
    """Turn fuzzer bytes into an input whose recoverable records are known."""
    draw = Draw(data)
    count = 1 + draw.below(12)
    records: list[str] = []
    ids: list[str] = []
    lost: set[str] = set()
    recipe: list[str] = []
    pretty = draw.chance(3)
    for index in range(count):
        record = json.loads(json.dumps(draw.choice(SEEDS)))
        event_id = f"fuzz-{index:04d}"
        record["eventID"] = event_id
        marks: list[str] = []
        if draw.chance(2):
            if not _mutate(record, draw, marks):
                lost.add(event_id)
            recipe.append(f"mutated {event_id}")
        text = _duplicate_key(_with_numbers(_dumps(record, pretty=pretty), marks), draw)
        records.append(text)
        ids.append(event_id)
    layout = draw.choice(["log", "lines", "array", "gzip-members"])
    recipe.append(f"layout {layout}, pretty={pretty}")
    maybe: set[str] = set()
    damage = draw.below(8)
    target = draw.below(count)
    if damage == 1 and layout in ("log", "array") and count > 1:
        # A record cut in half costs only itself.
        text = records[target]
        records[target] = text[: 1 + draw.below(max(len(text) - 2, 1))]
        lost.add(ids[target])
        recipe.append(f"cut {ids[target]}")
    elif damage == 2:
        junk = draw.choice(_JUNK)
        records[target] = (
            junk
            + ("\n" if layout == "lines" and draw.chance(2) else "")
            + records[target]
        )
        recipe.append(f"junk {junk!r} before {ids[target]}")
    if layout == "log":
        separator = ",\n" if pretty else ","
        if damage == 3 and count > 1:
            separator = draw.choice(["", ",,", "\n"])
            recipe.append(f"separator {separator!r}")
        text = '{"Records":[' + separator.join(records) + "]}"
    elif layout == "array":
        text = "[" + ",".join(records) + "]"
    else:
        text = "".join(r.replace("\n", " ") + "\n" for r in records)
    if layout == "gzip-members":
        members = [
            gzip.compress(
                (r.replace("\n", " ") + "\n").encode("utf-8", "surrogatepass")
            )
            for r in records
        ]
        if damage == 4 and count > 1:
            member = bytearray(members[target])
            for offset in range(12, min(len(member) - 8, 40)):
                member[offset] ^= 0xA5
            members[target] = bytes(member)
            maybe.add(ids[target])
            recipe.append(f"corrupt member of {ids[target]}")
        data_out = b"".join(members)
    else:
        encoding = "utf-8"
        if damage == 5:
            text = "\ufeff" + text
            recipe.append("byte order mark")
        elif damage == 6 and "\ud800" not in text:
            encoding = "utf-16"
            recipe.append("UTF-16")
        data_out = text.encode(encoding, "surrogatepass")
    kept = set(ids) - lost - maybe
    return Case(data_out, kept, maybe | (lost & set()), recipe)


def _events_and_codes(result: Any) -> tuple[list[dict[str, Any]], list[str]]:
    # Issues from different layers (bytes, text, records) interleave in the
    # order each layer meets them, which streaming changes: compare them as
    # a collection.
    return [e.to_dict() for e in result], sorted(str(i.code) for i in result.issues)


def _every_reader(data: bytes) -> list[tuple[list[dict[str, Any]], list[str]]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input"
        path.write_bytes(data)
        results = [
            _events_and_codes(elbtrail.loads(data, elb_only=False)),
            _events_and_codes(elbtrail.read(path, elb_only=False)),
        ]
        stream = elbtrail.iter_events(path, elb_only=False)
        events = [e.to_dict() for e in stream]
        results.append((events, sorted(str(i.code) for i in stream.issues)))
        limit, chunk = _readers.WHOLE_FILE_LIMIT, _readers.CHUNK_SIZE
        _readers.WHOLE_FILE_LIMIT, _readers.CHUNK_SIZE = 0, 61
        try:
            stream = elbtrail.iter_events(path, elb_only=False)
            events = [e.to_dict() for e in stream]
            results.append((events, sorted(str(i.code) for i in stream.issues)))
        finally:
            _readers.WHOLE_FILE_LIMIT, _readers.CHUNK_SIZE = limit, chunk
    return results


def check(data: bytes) -> None:
    """Run every check of the contract on one fuzzer input."""
    structured = bool(data[:1]) and data[0] % 2 == 1
    case = build_case(data[1:]) if structured else Case(data[1:], set(), set(), [])
    results = _every_reader(case.data)
    first_events, first_codes = results[0]
    for events, codes in results[1:]:
        assert events == first_events, case.recipe
        assert codes == first_codes, case.recipe
    result = elbtrail.loads(case.data, elb_only=False)
    for event in result:
        json.dumps(event.to_dict(), allow_nan=False)
        repr(event)
        str(event)
    with contextlib.suppress(elbtrail.ParseError):
        elbtrail.loads(case.data, strict=True)
    if structured:
        got = [e.get("eventID") for e in first_events]
        assert len(got) == len(set(got)), (case.recipe, got)
        assert case.kept <= set(got), (case.recipe, sorted(case.kept - set(got)))
        assert set(got) <= case.kept | case.maybe, (case.recipe, got)


def test_one_input(data: bytes) -> None:
    """The atheris entry point: check, and keep the input if it fails."""
    try:
        check(data)
    except BaseException:
        _save(data)
        raise


def _save(data: bytes) -> None:
    name = f"crash-{hashlib.sha256(data).hexdigest()[:16]}"
    Path(name).write_bytes(data)
    sys.stderr.write(f"saved the failing input as {name}\n")


def _random_run(seconds: float, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible, not secret
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        size = rng.choice([16, 64, 256, 1024, 4096])
        data = bytes([rng.randrange(256) | (1 if rng.random() < 0.85 else 0)])
        data += rng.randbytes(size)
        test_one_input(data)
        count += 1
    sys.stdout.write(f"{count} inputs in {seconds:.0f} s, seed {seed}: no failure\n")


def main(argv: list[str]) -> None:
    """Fuzz with atheris, or with random recipes (``--random SECONDS [SEED]``)."""
    if argv[1:2] == ["--random"]:
        seconds = float(argv[2]) if len(argv) > 2 else 60.0
        seed = int(argv[3]) if len(argv) > 3 else int(time.time())
        _random_run(seconds, seed)
        return
    if atheris is None:
        sys.exit("atheris is not installed: use nox -s fuzz, or --random SECONDS")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)


__all__ = ["Case", "build_case", "check", "main", "test_one_input"]
