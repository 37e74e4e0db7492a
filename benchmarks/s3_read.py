"""
Measure reading a trail's bucket: 2,000 log files, 1 and 8 workers, and memory.

Usage::

    python benchmarks/s3_read.py                 # 2,000 objects, 3 rounds
    python benchmarks/s3_read.py --objects 500 --rounds 1

Method: moto's S3 server runs in its own process on 127.0.0.1 (so it does
not share the reader's interpreter lock); 2,000 gzipped log files of 20
mixed-service records each (about 4 KB compressed, as many small deliveries
are) are uploaded under one ``AWSLogs/.../YYYY/MM/DD/`` folder.
``elbtrail.read("s3://...")`` is timed with ``max_workers=1`` and ``8`` (the
median of the rounds, after one warm-up read), and the speed-up is their
ratio. Peak memory of ``iter_events`` over the whole bucket is measured in a
fresh subprocess as the growth of its peak resident set (VmHWM) over a
baseline run that imports everything, makes the client and reads one object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

import elbtrail

sys.path.insert(0, str(Path(__file__).parent))
import logs

BUCKET = "bench-trail"
DAY = f"AWSLogs/{logs.ACCOUNT}/CloudTrail/eu-west-1/2026/03/14"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):  # noqa: S310
                return server, url
        except OSError:  # noqa: PERF203 - polling until the server answers
            time.sleep(0.1)
    server.kill()
    msg = "moto's server did not start"
    raise RuntimeError(msg)


def _upload(objects: int, records: int) -> None:
    rng = random.Random(0)
    sessions = [logs._identity(rng) for _ in range(300)]  # noqa: SLF001
    s3 = boto3.client("s3", config=Config(max_pool_connections=16))
    s3.create_bucket(Bucket=BUCKET)

    bodies = [
        gzip.compress(
            json.dumps(
                {"Records": [logs.record(rng, 0.3, sessions) for _ in range(records)]}
            ).encode(),
            mtime=0,
        )
        for _ in range(objects)
    ]

    def put(number: int) -> None:
        body = bodies[number]
        name = f"{logs.ACCOUNT}_CloudTrail_eu-west-1_20260314T{number // 60 % 24:02d}{number % 60:02d}Z_{number:05d}.json.gz"
        s3.put_object(Bucket=BUCKET, Key=f"{DAY}/{name}", Body=body)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, range(objects)))


def _time_read(workers: int, rounds: int) -> tuple[float, int]:
    url = f"s3://{BUCKET}/AWSLogs/"
    client = boto3.client("s3", config=Config(max_pool_connections=workers + 2))
    elbtrail.read(url, max_workers=workers, s3_client=client)  # warm-up
    times = []
    events = 0
    for _ in range(rounds):
        start = time.perf_counter()
        result = elbtrail.read(url, max_workers=workers, s3_client=client)
        times.append(time.perf_counter() - start)
        events = len(result)
    return statistics.median(times), events


_MEMORY_SCRIPT = """
import sys
import boto3, elbtrail
url, what = sys.argv[1], sys.argv[2]
client = boto3.client("s3")
if what == "iter_events":
    count = sum(1 for _ in elbtrail.iter_events(url, max_workers=8, s3_client=client))
else:
    key = client.list_objects_v2(Bucket=url.split("/")[2], MaxKeys=1)["Contents"][0]
    elbtrail.read(f"s3://{url.split('/')[2]}/{key['Key']}", s3_client=client)
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")))
"""


def _peak_kib(what: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, f"s3://{BUCKET}/AWSLogs/", what],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--records", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server, url = _start_server()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    try:
        start = time.perf_counter()
        _upload(args.objects, args.records)
        print(
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
            f"{args.objects:,} objects of {args.records} records uploaded "
            f"in {time.perf_counter() - start:.1f} s"
        )
        one, events = _time_read(1, args.rounds)
        eight, _ = _time_read(8, args.rounds)
        print(f"\n| workers | read() of {args.objects:,} objects | objects/s |")
        print("|---|---|---|")
        for workers, seconds in ((1, one), (8, eight)):
            print(f"| {workers} | {seconds:.2f} s | {args.objects / seconds:.0f} |")
        print(f"\nspeed-up with 8 workers: {one / eight:.2f}x ({events:,} ELB events)")
        growth = (_peak_kib("iter_events") - _peak_kib("baseline")) / 1024
        print(f"iter_events peak memory growth over the baseline: {growth:.1f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
