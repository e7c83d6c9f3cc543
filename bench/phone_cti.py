"""Phone channel speed on the embedded default (SQLite), in process through the Flask app.

    .venv/bin/python -m bench.phone_cti [--calls 1000] [--ivr-calls 300]

1. CTI: each call posts newCall, answer and hangup (form bodies, as PBX bridges send) to
   /api/v1/cti/<token>, plus one duplicate newCall; prints events/s. Target: >= 1,000/s.
2. IVR: calls walk the hotline through the TwiML webhook (signed requests): start, 2, 2, 05;
   each request's latency is recorded. Target: p99 <= 20 ms per IVR step.
Requests go through the whole Flask stack (routing, auth, validation, one commit each) via the
test client, so no HTTP server or network is measured.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def prepare(instance: Path) -> None:
    env = {**os.environ, "HELPDESK_INSTANCE_PATH": str(instance)}
    env.pop("HELPDESK_DATABASE_URL", None)
    helpdesk = [sys.executable, "-m", "helpdesk.cli"]
    subprocess.run([*helpdesk, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*helpdesk, "seed", "--demo", "--tickets", "0"], env=env, check=True, capture_output=True
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--ivr-calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        prepare(instance)
        os.environ["HELPDESK_INSTANCE_PATH"] = str(instance)
        os.environ["HELPDESK_IVR_SECRET"] = "bench-secret"
        os.environ.pop("HELPDESK_DATABASE_URL", None)
        from helpdesk import create_app
        from helpdesk.channels.phone import service, twiml
        from helpdesk.channels.phone.config import phone_config

        service.business_hours = lambda moment: True  # measure the menu, not the clock
        from helpdesk.realtime import init_realtime

        app = create_app()
        # Socket.IO bound as in a web process, so each answer builds and emits its screen pop.
        init_realtime(app, None, async_mode="threading")
        client = app.test_client()
        url = f"/api/v1/cti/{phone_config(app).cti_token}"

        events = 0
        started = time.perf_counter()
        for n in range(args.calls):
            base = {"from": f"0571870{n % 90000:05d}", "to": "057112345", "direction": "in"}
            base["callId"] = f"bench-{n}"
            for fields in (
                {"event": "newCall", "user[]": ["坐席一"], "queue": "hotline"},
                {"event": "newCall"},  # a duplicate, as PBXs retry
                {"event": "answer", "answeringNumber": "8001"},
                {"event": "hangup", "cause": "normalClearing", "answeringNumber": "8001"},
            ):
                reply = client.post(url, data={**base, **fields})
                assert reply.status_code == 200, reply.get_data(as_text=True)
                events += 1
        elapsed = time.perf_counter() - started
        print(f"CTI: {events} events in {elapsed:.2f} s = {events / elapsed:,.0f} events/s")

        voice = "http://localhost/ivr/voice/hotline"
        latencies: list[float] = []
        for n in range(args.ivr_calls):
            sid = f"CAbench{n}"
            for digits in (None, "2", "2", "05"):
                data = {"CallSid": sid, "From": f"0571880{n:05d}", "To": "057112345"}
                if digits:
                    data["Digits"] = digits
                headers = {
                    twiml.SIGNATURE_HEADER: twiml.signature("bench-secret", voice, data.items())
                }
                t0 = time.perf_counter()
                reply = client.post("/ivr/voice/hotline", data=data, headers=headers)
                latencies.append((time.perf_counter() - t0) * 1000)
                assert reply.status_code == 200, reply.get_data(as_text=True)
        print(
            f"IVR steps: {len(latencies)} requests ({args.ivr_calls} calls, 1 ticket each): "
            f"p50 {statistics.median(latencies):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms, "
            f"max {max(latencies):.2f} ms"
        )


if __name__ == "__main__":
    main()
