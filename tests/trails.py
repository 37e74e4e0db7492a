"""A trail's bucket in miniature: organization and plain layouts, digests, Insights."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.conftest import CORPUS, corpus_record

UTC = timezone(timedelta(0))
PLAIN_ACCOUNT = "111122223333"
ORG = "o-abcdef1234"
ORG_ACCOUNTS = ("444455556666", "777788889999")
REGIONS = ("us-east-1", "eu-west-1")
DAYS = (datetime(2026, 3, 13, tzinfo=UTC), datetime(2026, 3, 14, tzinfo=UTC))
# Per day folder: (delivery time after midnight, event times before delivery).
# The first file of each day holds an event of the day before, delivered late.
DELIVERIES = (
    (timedelta(minutes=4), (timedelta(minutes=6), timedelta(minutes=2))),
    (timedelta(hours=12, minutes=5), (timedelta(minutes=3),)),
    (timedelta(hours=23, minutes=55), (timedelta(minutes=4), timedelta(seconds=30))),
)


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(account: str, region: str, when: datetime, number: int) -> dict[str, Any]:
    base = corpus_record("classic-guide-createloadbalancer.json")
    out = copy.deepcopy(base)
    out.update(
        {
            "eventTime": stamp(when),
            "awsRegion": region,
            "recipientAccountId": account,
            "eventID": f"00000000-0000-4000-8000-{number:012d}",
        }
    )
    return out


def log_file(records: list[dict[str, Any]]) -> bytes:
    return gzip.compress(json.dumps({"Records": records}).encode(), mtime=0)


def trail_objects(prefix: str = "") -> dict[str, bytes]:
    """
    Keys and bodies of a bucket holding a plain and an organization trail.

    Two days, two regions, three accounts, three deliveries a day folder,
    plus a digest and an Insights object.
    """
    objects: dict[str, bytes] = {}
    number = 0
    roots = [(f"{prefix}AWSLogs/{PLAIN_ACCOUNT}", PLAIN_ACCOUNT)] + [
        (f"{prefix}AWSLogs/{ORG}/{account}", account) for account in ORG_ACCOUNTS
    ]
    for root, account in roots:
        for region in REGIONS:
            for day in DAYS:
                folder = f"{root}/CloudTrail/{region}/{day:%Y/%m/%d}"
                for delivery, lags in DELIVERIES:
                    delivered = day + delivery
                    records = []
                    for lag in lags:
                        number += 1
                        records.append(record(account, region, delivered - lag, number))
                    name = (
                        f"{account}_CloudTrail_{region}_{delivered:%Y%m%dT%H%MZ}_"
                        f"Ab{number:014d}.json.gz"
                    )
                    objects[f"{folder}/{name}"] = log_file(records)
    digest = (CORPUS / "cloudtrail-guide-digest-file.json").read_bytes()
    objects[
        f"{prefix}AWSLogs/{PLAIN_ACCOUNT}/CloudTrail-Digest/us-east-1/2026/03/14/"
        f"{PLAIN_ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260314T010000Z.json.gz"
    ] = gzip.compress(digest, mtime=0)
    insights = (CORPUS / "cloudtrail-guide-insights-records.json").read_bytes()
    objects[
        f"{prefix}AWSLogs/{ORG}/{ORG_ACCOUNTS[0]}/CloudTrail-Insight/us-east-1/2026/03/14/"
        f"{ORG_ACCOUNTS[0]}_CloudTrail-Insight_us-east-1_20260314T0100Z_x.json.gz"
    ] = gzip.compress(insights, mtime=0)
    return objects


def write_tree(root: Path, objects: dict[str, bytes]) -> Path:
    for key, body in objects.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return root
