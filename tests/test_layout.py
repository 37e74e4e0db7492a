"""The trail's key layout: choosing folders and files by account, region and time."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.trails import (
    DAYS,
    ORG,
    ORG_ACCOUNTS,
    PLAIN_ACCOUNT,
    UTC,
    trail_objects,
    write_tree,
)

import elbtrail
from elbtrail import _readers
from elbtrail._layout import DELIVERY_MARGIN, EVERYTHING, Selection

DAY = ["AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "03", "14"]
ORG_DAY = f"AWSLogs/{ORG}/444455556666/CloudTrail/us-east-1/2026/03/14".split("/")


def window(since: str | None = None, until: str | None = None, **names) -> Selection:
    return Selection.of(since=since, until=until, **names)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("trail"), trail_objects()) / "AWSLogs"


class TestFolders:
    @pytest.mark.parametrize("parts", [DAY, ORG_DAY, ["bucket", "prefix", *DAY]])
    def test_a_day_inside_the_window_is_kept(self, parts):
        """Plain and organization layouts, under any prefix, are recognised."""
        selection = window("2026-03-14T10:00:00Z", "2026-03-14T11:00:00Z")
        assert selection.keeps_folder(parts)
        assert selection.keeps_folder(parts[:-1])  # the month
        assert selection.keeps_folder(parts[:-2])  # the year

    @pytest.mark.parametrize("parts", [DAY, ORG_DAY])
    def test_days_months_and_years_outside_the_window_are_left_out(self, parts):
        selection = window("2026-03-16T10:00:00Z", "2026-05-01T00:00:00Z")
        assert not selection.keeps_folder(parts)
        assert selection.keeps_folder([*parts[:-1]])
        assert not selection.keeps_folder([*parts[:-2], "02"])
        assert not selection.keeps_folder([*parts[:-3], "2025"])
        assert selection.keeps_folder([*parts[:-3], "2026"])

    def test_the_margin_keeps_the_next_day_for_late_deliveries(self):
        """Events of 23:59 may be delivered after midnight, in the next day's folder."""
        selection = window(until="2026-03-13T23:59:59Z")
        assert selection.keeps_folder(DAY)  # 2026-03-14
        assert not selection.keeps_folder([*DAY[:-1], "15"])

    def test_the_margin_keeps_the_day_before_for_clock_edges(self):
        selection = window(since="2026-03-15T00:30:00Z")
        assert selection.keeps_folder(DAY)
        selection = window(since="2026-03-15T01:00:01Z")
        assert not selection.keeps_folder(DAY)

    def test_accounts_and_regions_leave_folders_out(self):
        selection = window(accounts=["444455556666"], regions=["eu-west-1"])
        assert not selection.keeps_folder(DAY[:2])
        assert selection.keeps_folder(ORG_DAY[:3])
        assert not selection.keeps_folder(ORG_DAY[:5])
        assert selection.keeps_folder([*ORG_DAY[:4], "eu-west-1"])

    @pytest.mark.parametrize(
        "parts",
        [
            ["logs", "2026", "01", "01"],
            ["AWSLogs", "not-an-account", "CloudTrail", "us-east-1", "2020"],
            ["AWSLogs", "111122223333", "elasticloadbalancing", "us-east-1", "2020"],
            ["AWSLogs", "111122223333", "CloudTrail", "us-east-1", "20x0", "01"],
            ["AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2020", "13"],
            ["AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2020", "02", "31"],
            ["AWSLogs", "111122223333", "CloudTrail", "us-east-1", "0000"],
            ["AWSLogs", "111122223333", "CloudTrail", "not_a_region", "2020"],
        ],
    )
    def test_folders_off_the_layout_are_always_kept(self, parts):
        """Only the layout proves a folder empty; anything else is read."""
        selection = window(
            "2026-03-14T10:00:00Z", "2026-03-14T11:00:00Z", accounts=[PLAIN_ACCOUNT]
        )
        assert selection.keeps_folder(parts)

    def test_no_selection_keeps_everything(self):
        assert EVERYTHING.everything
        assert EVERYTHING.keeps_folder([*DAY[:-3], "1999"])
        assert EVERYTHING.keeps_file("111122223333_CloudTrail_x_19990101T0000Z_a.json")


class TestFiles:
    NAME = "111122223333_CloudTrail_us-east-1_20260314T1205Z_Mu0KsOhtH1ar15ZZ.json.gz"

    def test_delivery_time_in_the_name_is_compared_with_a_margin(self):
        delivered = datetime(2026, 3, 14, 12, 5, tzinfo=UTC)
        just_in = delivered - DELIVERY_MARGIN + timedelta(seconds=30)
        assert window(until=just_in.isoformat()).keeps_file(self.NAME)
        too_early = delivered - DELIVERY_MARGIN - timedelta(seconds=1)
        assert not window(until=too_early.isoformat()).keeps_file(self.NAME)
        assert window(since="2026-03-14T13:05:59Z").keeps_file(self.NAME)
        assert not window(since="2026-03-14T13:06:01Z").keeps_file(self.NAME)

    def test_account_and_region_in_the_name_are_compared(self):
        assert window(accounts=["111122223333"]).keeps_file(self.NAME)
        assert not window(accounts=["444455556666"]).keeps_file(self.NAME)
        assert not window(regions=["eu-west-1"]).keeps_file(self.NAME)

    @pytest.mark.parametrize(
        "name",
        [
            "notes.txt",
            "111122223333_CloudTrail_us-east-1_20261399T9999Z_x.json.gz",
            "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20200101T000000Z.json",
        ],
    )
    def test_names_off_the_layout_are_kept(self, name):
        assert window("2030-01-01T00:00:00Z").keeps_file(name)


EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
minutes = st.integers(0, 3 * 366 * 24 * 60)


@given(
    event=minutes,
    lag=st.integers(0, 59),
    seconds=st.integers(0, 59),
    start=minutes,
    length=st.integers(0, 40 * 24 * 60),
)
def test_a_file_delivered_within_the_margin_is_never_left_out(
    event, lag, seconds, start, length
):
    """Soundness: any event in the window, delivered within the margin, is read."""
    happened = EPOCH + timedelta(minutes=event, seconds=seconds)
    delivered = happened + timedelta(minutes=lag)
    since = EPOCH + timedelta(minutes=start)
    until = since + timedelta(minutes=length)
    if not since <= happened <= until:
        return
    selection = Selection.of(since=since, until=until)
    day = ["AWSLogs", PLAIN_ACCOUNT, "CloudTrail", "us-east-1"]
    day += [f"{delivered:%Y}", f"{delivered:%m}", f"{delivered:%d}"]
    name = f"{PLAIN_ACCOUNT}_CloudTrail_us-east-1_{delivered:%Y%m%dT%H%MZ}_x.json.gz"
    assert selection.keeps_folder(day[:-2])
    assert selection.keeps_folder(day[:-1])
    assert selection.keeps_folder(day)
    assert selection.keeps_file(name)


class TestOptions:
    def test_strings_and_aware_datetimes_are_the_same_window(self):
        by_text = Selection.of(since="2026-03-14T10:00:00+01:00")
        by_value = Selection.of(since=datetime(2026, 3, 14, 9, tzinfo=UTC))
        assert by_text.since == by_value.since

    def test_a_time_without_zone_in_a_string_is_utc(self):
        assert (
            datetime(2026, 3, 14, tzinfo=UTC) == Selection.of(since="2026-03-14").since
        )

    def test_a_naive_datetime_is_refused(self):
        with pytest.raises(ValueError, match=r"since: .* has no time zone"):
            Selection.of(since=datetime(2026, 3, 14))  # noqa: DTZ001 - the mistake

    def test_a_window_that_ends_before_it_starts_is_refused(self):
        with pytest.raises(ValueError, match="is after until"):
            Selection.of(since="2026-03-14", until="2026-03-13")

    def test_a_time_that_is_not_one_is_refused_with_the_option_name(self):
        with pytest.raises(ValueError, match="until: not a time: 'yesterday'"):
            elbtrail.read([], until="yesterday")
        with pytest.raises(TypeError, match="since: expected a datetime"):
            elbtrail.read([], since=20260314)

    def test_one_account_as_a_string_is_one_account(self):
        assert (
            frozenset({"111122223333"})
            == Selection.of(accounts="111122223333").accounts
        )

    def test_accounts_must_be_strings(self):
        with pytest.raises(TypeError, match="accounts: expected strings"):
            Selection.of(accounts=[111122223333])

    @pytest.mark.parametrize("workers", [0, -1, 1.5, True, "8"])
    def test_max_workers_must_be_a_positive_integer(self, workers):
        with pytest.raises(ValueError, match="max_workers"):
            elbtrail.read([], max_workers=workers)


class TestLocalTrees:
    def test_events_outside_the_window_are_filtered_exactly(self, tree):
        since = datetime(2026, 3, 14, tzinfo=UTC)
        until = datetime(2026, 3, 14, 12, 3, tzinfo=UTC)
        everything = elbtrail.read(tree)
        expected = [e for e in everything if since <= e.event_time <= until]
        result = elbtrail.read(tree, since=since, until=until)
        assert [e.to_dict() for e in expected] == [e.to_dict() for e in result]
        # The late delivery of 2026-03-13's last event, in the next day's first
        # file, is outside; the margin still read that file for its other event.
        assert all(since <= e.event_time <= until for e in result)
        assert len(result) == 3 * 2 * 2

    def test_folders_and_files_outside_the_window_are_not_read(self, tree):
        seen: list[str] = []
        selection = window(
            "2026-03-14T11:00:00Z", "2026-03-14T13:00:00Z", regions=["us-east-1"]
        )
        files = list(_readers.walk(tree, seen.append, selection))
        names = sorted(f.name for f in files)
        assert 3 == len(names)  # the noon delivery of three accounts
        assert all("_us-east-1_20260314T1205Z_" in n for n in names)

    def test_a_corrupt_file_outside_the_window_is_never_opened(self, tmp_path):
        root = write_tree(tmp_path, trail_objects())
        day = root / f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail/us-east-1/2026/03/13"
        (day / "garbage.json").write_bytes(b"\x00not json")
        assert elbtrail.read(root).damaged
        result = elbtrail.read(root, since="2026-03-14T06:00:00Z")
        assert not result.damaged
        assert len(result) > 0

    def test_accounts_and_regions_select_events_and_folders(self, tree):
        account = ORG_ACCOUNTS[1]
        result = elbtrail.read(tree, accounts=[account], regions=["eu-west-1"])
        assert len(result) == 2 * 5
        assert {(account, "eu-west-1")} == {
            (e.recipient_account_id, e.aws_region) for e in result
        }

    def test_iter_events_selects_the_same_events_as_read(self, tree):
        options = {
            "since": "2026-03-13T12:00:00Z",
            "until": "2026-03-14T00:01:00Z",
            "accounts": [PLAIN_ACCOUNT, ORG_ACCOUNTS[0]],
        }
        read = [e.to_dict() for e in elbtrail.read(tree, **options)]
        streamed = [e.to_dict() for e in elbtrail.iter_events(tree, **options)]
        assert read == streamed
        assert len(read) == 2 * 2 * 4

    def test_digest_and_insights_folders_are_skipped_with_a_notice(self, tree):
        result = elbtrail.read(tree, since="2026-03-14T00:00:00Z")
        skipped = [i for i in result.issues if i.code == "skipped-folder"]
        assert 2 == len(skipped)
        assert {"CloudTrail-Digest", "CloudTrail-Insight"} == {
            i.source.rsplit("/", 1)[-1] for i in skipped
        }

    def test_wrongly_typed_fields_match_no_selection(self):
        data = (
            b'{"Records": [{"eventSource": "elasticloadbalancing.amazonaws.com",'
            b' "eventName": "DeleteLoadBalancer", "apiVersion": "2012-06-01",'
            b' "recipientAccountId": {"id": 1}, "awsRegion": ["us-east-1"],'
            b' "eventTime": "soon"}]}'
        )
        assert 1 == len(elbtrail.read(io.BytesIO(data)))
        for option in (
            {"accounts": ["111122223333"]},
            {"regions": ["us-east-1"]},
            {"since": "1960-01-01"},
        ):
            assert 0 == len(elbtrail.read(io.BytesIO(data), **option))

    def test_events_without_the_selected_field_are_left_out(self):
        data = (
            b'{"Records": [{"eventSource": "elasticloadbalancing.amazonaws.com",'
            b' "eventName": "DeleteLoadBalancer", "apiVersion": "2012-06-01"}]}'
        )
        assert 1 == len(elbtrail.read(io.BytesIO(data)))
        assert 0 == len(elbtrail.read(io.BytesIO(data), since="2000-01-01"))
        assert 0 == len(elbtrail.read(io.BytesIO(data), regions=["us-east-1"]))
        assert 0 == len(elbtrail.read(io.BytesIO(data), accounts=[PLAIN_ACCOUNT]))

    @given(
        start=st.integers(0, 2 * 24 * 60),
        length=st.integers(0, 36 * 60),
    )
    def test_any_window_reads_exactly_the_events_inside_it(self, tree, start, length):
        """Pruning never loses an event that the window holds."""
        since = DAYS[0] - timedelta(hours=6) + timedelta(minutes=start)
        until = since + timedelta(minutes=length)
        everything = elbtrail.read(tree)
        expected = [e.to_dict() for e in everything if since <= e.event_time <= until]
        result = elbtrail.read(tree, since=since, until=until)
        assert expected == [e.to_dict() for e in result]


class TestMisuse:
    def test_a_text_stream_is_refused_with_what_is_accepted(self, tree):
        path = next(tree.rglob("*.json.gz"))
        with path.open(encoding="latin-1") as text, pytest.raises(TypeError) as error:
            elbtrail.read(text)
        assert "binary mode ('rb')" in str(error.value)
        assert "s3://bucket/prefix URL" in str(error.value)

    def test_iter_events_refuses_at_the_call_not_at_the_first_event(self):
        with pytest.raises(TypeError, match=r"iter_events\(\) takes .*use elbtrail"):
            elbtrail.iter_events({"Records": []})

    @pytest.mark.parametrize(
        ("value", "hint"),
        [
            ({"Records": []}, "parse_event"),
            (b'{"Records": []}', "loads"),
            (42, "got int"),
            (None, "got NoneType"),
            ([["nested"]], "got list"),
            (io.StringIO("{}"), "binary mode"),
        ],
    )
    def test_read_names_what_it_accepts(self, value, hint):
        with pytest.raises(TypeError, match=r"read\(\) takes a path") as error:
            elbtrail.read(value)
        assert hint in str(error.value)

    @pytest.mark.parametrize(
        ("value", "hint"),
        [
            ({"eventName": "x"}, "parse_event"),
            ([b"{}"], "read"),
            (io.BytesIO(b"{}"), "read"),
            (None, "got NoneType"),
        ],
    )
    def test_loads_names_what_it_accepts(self, value, hint):
        with pytest.raises(TypeError, match=r"loads\(\) takes bytes or str") as error:
            elbtrail.loads(value)
        assert hint in str(error.value)

    def test_loads_takes_a_bytearray(self, classic_create):
        import json  # noqa: PLC0415

        data = bytearray(json.dumps({"Records": [classic_create]}).encode())
        assert 1 == len(elbtrail.loads(data))

    def test_a_list_of_sources_is_read_in_order(self, tree, tmp_path):
        files = sorted(tree.rglob("*_CloudTrail_us-east-1_*.json.gz"))[:3]
        single = [e.to_dict() for f in files for e in elbtrail.read(f)]
        with files[2].open("rb") as stream:
            result = elbtrail.read([files[0], str(files[1]), stream])
        assert single == [e.to_dict() for e in result]
        assert [] == list(elbtrail.read([]))
        streamed = elbtrail.iter_events(str(f) for f in files)
        assert single == [e.to_dict() for e in streamed]
