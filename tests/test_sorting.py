"""Sorting rows in bounded memory, through temporary files when they are many."""

import tempfile

from hypothesis import given
from hypothesis import strategies as st

from elbtrail._sorting import sorted_values

ROWS = st.lists(st.tuples(st.integers(-5, 5), st.text(max_size=3)), max_size=60)


class TestSortedValues:
    @given(ROWS, st.integers(1, 7))
    def test_same_order_as_a_stable_sort_whatever_the_run_size(self, rows, run_size):
        """Spilled runs merge to exactly what sorted() gives, ties in input order."""
        expected = [value for _, value in sorted(rows, key=lambda r: r[0])]

        assert expected == list(sorted_values(rows, run_size=run_size))

    def test_values_need_not_be_comparable(self):
        """Equal keys never compare their values (dicts, lists)."""
        rows = [(1, {"b": 1}), (0, ["x"]), (1, {"a": 2})] * 5

        assert [["x"]] * 5 + [{"b": 1}, {"a": 2}] * 5 == list(
            sorted_values(rows, run_size=2)
        )

    def test_memory_holds_one_run(self):
        """With many runs, only a run's worth of rows is ever held at once."""
        held = []

        def rows():
            for number in range(1_000):
                held.append(number)
                yield (-number, number)

        out = sorted_values(rows(), run_size=100)
        first = next(out)

        assert 999 == first
        assert list(range(998, -1, -1)) == list(out)

    def test_temporary_files_are_closed_when_the_reader_stops(self, monkeypatch):
        """Stopping early (| head) closes every spilled run."""
        opened = []
        real = tempfile.TemporaryFile

        def spy(*args, **kwargs):
            file = real(*args, **kwargs)
            opened.append(file)
            return file

        monkeypatch.setattr(tempfile, "TemporaryFile", spy)
        out = sorted_values(((n % 17, n) for n in range(500)), run_size=50)
        next(out)
        out.close()

        assert 10 == len(opened)
        assert all(file.closed for file in opened)
