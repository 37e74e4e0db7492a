"""Models meet threads at first use; the GC pause stays inside elbtrail's own work."""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import elbtrail
from elbtrail import strategies as ets

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter, so that every model is used for the first time
# by 48 threads at once, switching as often as the interpreter allows.
FIRST_USE = """
import json, sys, threading
sys.setswitchinterval(1e-6)
import elbtrail

records = json.loads(sys.stdin.read())
barrier = threading.Barrier(48)
failures = []

def work(offset):
    try:
        barrier.wait()
        for record in records[offset:] + records[:offset]:
            event = elbtrail.parse_event(record)
            assert event.to_dict() == record, record["eventName"]
            assert event.action is not None, record["eventName"]
            assert not event.issues, event.issues
    except BaseException as error:
        failures.append(repr(error))

threads = [threading.Thread(target=work, args=(i,)) for i in range(48)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(failures))
"""


@pytest.mark.parametrize("run", [1, 2, 3])
@settings(max_examples=1, database=None, phases=[Phase.generate], deadline=None)
@given(data=st.data())
def test_first_use_from_48_threads(run, data):
    """Records of all 80 actions, typed by 48 threads in a fresh process."""
    records = [
        data.draw(ets.records(action.name, action.api.value))
        for action in ets.all_actions()
    ]
    assert 80 == len({(r["apiVersion"], r["eventName"]) for r in records})

    result = subprocess.run(
        [sys.executable, "-c", FIRST_USE],
        input=json.dumps(records),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
    )

    assert 0 == result.returncode, result.stderr
    assert "" == result.stderr
    assert [] == json.loads(result.stdout)


@pytest.fixture
def log_with_notices(tmp_path: Path) -> Path:
    """A small log whose records give notices (no apiVersion)."""
    records = [
        {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "DeleteLoadBalancer",
            "requestParameters": {"loadBalancerName": f"lb-{i}"},
        }
        for i in range(20)
    ]
    path = tmp_path / "log.json"
    path.write_text(json.dumps({"Records": records}), encoding="utf-8")
    return path


class TestGarbageCollectorPause:
    def test_callbacks_and_consumers_run_with_the_collector_on(self, log_with_notices):
        """on_issue and the loop body never run inside elbtrail's pause."""
        in_callback: list[bool] = []
        in_loop = [
            gc.isenabled()
            for _ in elbtrail.iter_events(
                log_with_notices,
                on_issue=lambda _i: in_callback.append(gc.isenabled()),
            )
        ]

        assert [True] * 20 == in_callback
        assert [True] * 20 == in_loop
        assert gc.isenabled()

    def test_issues_reach_the_callback_before_their_events(self, log_with_notices):
        """Held issues are passed on before the events they belong to."""
        order: list[str] = []

        for event in elbtrail.iter_events(
            log_with_notices, on_issue=lambda i: order.append(f"issue {i.record}")
        ):
            name = event.request_parameters.load_balancer_name
            order.append(f"event {name}")

        assert order.index("issue 0") < order.index("event lb-0")
        assert 40 == len(order)

    def test_a_caller_s_stream_is_read_with_the_collector_on(self, log_with_notices):
        """read() does not pause the collector while the caller's code runs."""
        seen: list[bool] = []

        class Stream(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:
                seen.append(gc.isenabled())
                return super().read(size)

        result = elbtrail.read(Stream(log_with_notices.read_bytes()))

        assert 20 == len(result.events)
        assert seen
        assert all(seen)

    def test_a_disabled_collector_stays_disabled(self, log_with_notices):
        """elbtrail does not turn on a collector the caller turned off."""
        gc.disable()
        try:
            elbtrail.read(log_with_notices)
            list(elbtrail.iter_events(log_with_notices))
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_strict_failure_turns_the_collector_back_on(self, tmp_path):
        """A ParseError leaves the collector as it was."""
        path = tmp_path / "bad.json"
        path.write_text('{"Records": [{"awsRegion": 5}]}', encoding="utf-8")

        with pytest.raises(elbtrail.ParseError):
            list(elbtrail.iter_events(path, strict=True, elb_only=False))

        assert gc.isenabled()

    def test_pauses_in_threads_nest(self, log_with_notices):
        """Reads in many threads at once leave the collector on at the end."""
        barrier = threading.Barrier(8)

        def work() -> None:
            barrier.wait()
            for _ in range(5):
                elbtrail.read(log_with_notices)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert gc.isenabled()
