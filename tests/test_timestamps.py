"""Reading and printing the forms of time CloudTrail uses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from elbtrail._timestamps import format_canonical, is_canonical, parse_timestamp

UTC = timezone.utc


class TestParse:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2016-04-01T15:31:48Z", datetime(2016, 4, 1, 15, 31, 48, tzinfo=UTC)),
            ("Apr 11, 2016 5:23:50 PM", datetime(2016, 4, 11, 17, 23, 50, tzinfo=UTC)),
            ("Jan 2, 2021, 12:46:28 AM", datetime(2021, 1, 2, 0, 46, 28, tzinfo=UTC)),
            ("20131102T010628Z", datetime(2013, 11, 2, 1, 6, 28, tzinfo=UTC)),
            (1459524708, datetime(2016, 4, 1, 15, 31, 48, tzinfo=UTC)),
            (1459524708.5, datetime(2016, 4, 1, 15, 31, 48, 500000, tzinfo=UTC)),
            ("2016-04-01T15:31:48", datetime(2016, 4, 1, 15, 31, 48, tzinfo=UTC)),
        ],
    )
    def test_every_form_gives_an_aware_datetime(self, value, expected):
        """ISO 8601, Java's form, basic ISO and epoch seconds are all read."""
        assert expected == parse_timestamp(value)

    @pytest.mark.parametrize(
        "value",
        [
            "Apr 11, 2016 13:23:50 PM",
            "Foo 11, 2016 5:23:50 PM",
            "Feb 30, 2016 5:23:50 PM",
            "20131302T010628Z",
            "yesterday",
            True,
            None,
            [2016],
            10**20,
        ],
    )
    def test_impossible_values_are_none(self, value):
        """What is no time gives None, never an exception."""
        assert parse_timestamp(value) is None


class TestFormat:
    def test_canonical_form(self):
        """Times print as CloudTrail's envelope prints them, in UTC."""
        moment = datetime(2016, 4, 1, 17, 31, 48, tzinfo=timezone(timedelta(hours=2)))

        assert "2016-04-01T15:31:48Z" == format_canonical(moment)

    def test_fractions_are_kept(self):
        """Microseconds are printed when there are any."""
        moment = datetime(2016, 4, 1, 15, 31, 48, 250000, tzinfo=UTC)

        assert "2016-04-01T15:31:48.250000Z" == format_canonical(moment)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2016-04-01T15:31:48Z", True),
            ("2016-04-01 15:31:48Z", False),
            ("2016-04-01T15:31:48.1Z", False),
            ("\uff12016-04-01T15:31:48Z", False),  # a full-width digit
        ],
    )
    def test_canonical_layout(self, text, expected):
        """Only the exact envelope layout is taken as canonical."""
        assert expected is is_canonical(text)


class TestEndsOfTheRange:
    def test_a_time_whose_utc_is_out_of_range_is_not_a_time(self):
        """9999-12-31T23:00-01:00 is past datetime's end once in UTC: refused."""
        assert parse_timestamp("9999-12-31T23:00:00-01:00") is None
        assert parse_timestamp("0001-01-01T00:00:00+01:00") is None
        assert parse_timestamp("9999-12-31T23:00:00Z") is not None

    def test_such_a_record_time_is_reported_and_kept(self):
        """The event has no time, an issue says why, and to_dict() keeps the text."""
        import elbtrail  # noqa: PLC0415

        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "DeleteLoadBalancer",
            "eventTime": "9999-12-31T23:00:00-01:00",
        }
        event = elbtrail.parse_event(record)

        assert event.event_time is None
        assert ["wrong-type"] == [i.code for i in event.issues]
        assert record == event.to_dict()

    def test_windows_at_the_ends_of_the_range_read(self, tmp_path):
        """until near year 9999 and since near year 1 select, not overflow."""
        import elbtrail  # noqa: PLC0415

        (tmp_path / "log.json").write_text(
            '{"Records": [{"eventSource": "elasticloadbalancing.amazonaws.com",'
            ' "eventName": "DeleteLoadBalancer", "eventTime": "2026-03-14T10:00:00Z"}]}'
        )

        assert 1 == len(
            elbtrail.read(
                tmp_path, since="0001-01-01T00:00:00Z", until="9999-12-31T23:59:59Z"
            )
        )
        assert 1 == len(
            list(elbtrail.iter_events(tmp_path, until="9999-12-31T23:59:59Z"))
        )
