"""The floor bench/phone_queue.py's own client adds: its 50 threads post the same signed IVR
step at once through `requests`, to a gevent server that answers at once and notes when each
post arrived. Prints, per round, how long after the first post was sent the last one arrived.

    .venv/bin/python -m bench.phone_queue_client [--calls 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time

import requests

SERVER = r"""
import json, sys, time
from gevent import monkey; monkey.patch_all()
from gevent import pywsgi
arrived = []
def app(environ, start_response):
    if environ["PATH_INFO"] == "/arrived":
        body = json.dumps(arrived).encode(); arrived.clear()
    else:
        environ["wsgi.input"].read(); arrived.append(time.time()); body = b"<Response/>"
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]
pywsgi.WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None).serve_forever()
"""


def main() -> None:
    from bench.phone_queue import IVR_SECRET
    from helpdesk.channels.phone import twiml
    from helpdesk.runner.embedded_redis import free_port

    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/ivr/voice/hotline"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/arrived", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        for round_ in range(args.rounds):
            go = threading.Barrier(args.calls)
            sent: list[float] = []

            def post(n: int, go: threading.Barrier = go, sent: list[float] = sent) -> None:
                http = requests.Session()
                data = {"CallSid": f"c{n}", "From": "057187001234", "To": "057188888888"}
                data |= {"Digits": "00", "CallStatus": "in-progress"}
                go.wait()
                sent.append(time.time())  # as bench/phone_queue.py stamps `sent`
                signed = twiml.signature(IVR_SECRET, url, data.items())
                http.post(url, data=data, headers={twiml.SIGNATURE_HEADER: signed}, timeout=30)

            threads = [threading.Thread(target=post, args=(n,)) for n in range(args.calls)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            arrived = requests.get(f"{base}/arrived", timeout=10).json()
            first = min(sent)
            print(
                f"round {round_ + 1}: {len(arrived)} posts, the last arrived "
                f"{(max(arrived) - first) * 1000:.0f} ms after the first was sent"
            )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
