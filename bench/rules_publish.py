"""Publishing a routing rules version with 1,000 rules, and simulating it over 100,000 past
tickets (issue 13 item 5: <= 2 s to reach a second web process; <= 10 s to simulate).

    .venv/bin/python -m bench.rules_publish [--rules 1000] [--tickets 100000]

A fresh demo instance (SQLite, migrated and seeded) whose rule folder holds only a default
rule. A second process (the app, as a web process runs it) asks for the active rule set in a
loop, as each new ticket does, and prints the moment its version changes. This process
publishes a file of N rules (one per sub-service, district and channel, unique priorities, routed to
the demo's organisations) through routing.publish, commits, and reads how long the other
process took to route by it. Then N tickets are written straight into the table over the last
30 days and the draft is replayed over them with routing.simulation (what the editor's
"simulate" button runs), timed whole.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from bench import api_create

WATCHER = textwrap.dedent(
    """
    import sys, time
    from helpdesk import create_app
    from helpdesk.extensions import db
    from helpdesk.routing import service
    app = create_app()
    seen = None
    deadline = time.time() + 120
    while time.time() < deadline:
        with app.app_context():
            ruleset = service.active_rules(db.session())
            db.session.remove()
        version = ruleset.version if ruleset else None
        if version != seen:
            print(f"{version} {len(ruleset.rules) if ruleset else 0} {time.time():.6f}", flush=True)
            if seen is not None:
                break
            seen = version
        time.sleep(0.01)
    """
)

CHANNELS = ["phone", "portal", "chat"]
DEFAULT_RULE = "rules:\n  - name: default\n    priority: 0\n    route: {to: [centre]}\n"


def rules_text(count: int, slugs: list[str], categories: list[str], districts: list[str]) -> str:
    rng = random.Random(count)
    pairs = [(c, d, ch) for c in categories for d in districts for ch in CHANNELS]
    assert len(pairs) >= count, f"only {len(pairs)} category × district × channel keys"
    rng.shuffle(pairs)
    lines = ["rules:"]
    for i, (category, district, channel) in enumerate(pairs[:count]):
        lines += [
            f"  - name: r{i:05d}",
            f"    priority: {i + 1}",
            f"    description: 规则{i}",
            f"    conditions: [{{type: category, in: {category}}}, "
            f"{{type: district, in: '{district}'}}, {{type: channel, in: {channel}}}]",
            f"    route: {{to: [{rng.choice(slugs)}]}}",
        ]
    return "\n".join(lines) + "\n"


def fill_tickets(session: Any, count: int, categories: list[str], districts: list[str]) -> None:
    from sqlalchemy import Table, insert

    from helpdesk import clock
    from helpdesk.tickets.models import Ticket

    rng = random.Random(count)
    now = clock.now()
    rows = []
    for i in range(count):
        at = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
        rows.append(
            {
                "number": f"SIM-{i:07d}",
                "type": "request",
                "channel": rng.choice(CHANNELS),
                "category_code": rng.choice(categories),
                "district_code": rng.choice(districts),
                "subject": "模拟工单",
                "description": "",
                "priority": "normal",
                "status": "closed",
                "is_open": False,
                "tags": [],
                "version": 1,
                "created_at": at,
                "updated_at": at,
            }
        )
    for start in range(0, len(rows), 5000):
        session.execute(insert(cast(Table, Ticket.__table__)), rows[start : start + 5000])
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the simulation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
        instance, folder = Path(tmp) / "instance", Path(tmp) / "rules"
        folder.mkdir()
        (folder / "00-default.yaml").write_text(DEFAULT_RULE, encoding="utf-8")
        os.environ["HELPDESK_RULES_DIR"] = str(folder)
        env, _token = api_create.prepare(instance)
        os.environ.update(env)

        from helpdesk import create_app
        from helpdesk.extensions import db
        from helpdesk.routing import loader, publish, service, simulation
        from helpdesk.routing.schema import Reference
        from helpdesk.yamldocs import published

        ref = Reference.hangzhou()
        categories = sorted(c for c in ref.categories if "/" in c)
        districts = sorted(d for d in ref.districts if d != "330100")
        app = create_app()
        with app.app_context():
            session = db.session()
            known = frozenset(service.directory_snapshot(session).organisations)
            slugs = sorted(s for s in known if "<" not in s)
            text = rules_text(args.rules, slugs, categories, districts)

            watcher = subprocess.Popen(
                [sys.executable, "-c", WATCHER], env=env, stdout=subprocess.PIPE, text=True
            )
            try:
                first = (watcher.stdout.readline() if watcher.stdout else "").split()
                print(f"second process routes by rules {first[0]} ({first[1]} rules)")
                t0 = time.perf_counter()
                row = publish.publish(session, "bench", "bench.yaml", text, known)
                session.commit()
                committed = time.time()
                publish_s = time.perf_counter() - t0
                seen = (watcher.stdout.readline() if watcher.stdout else "").split()
            finally:
                watcher.kill()
                watcher.wait()
            print(
                f"published version {row.number} ({args.rules} rules, {len(text):,} characters): "
                f"checked and committed in {publish_s:.2f} s"
            )
            print(
                f"second process routes by {seen[0]} ({seen[1]} rules) "
                f"{float(seen[2]) - committed:.2f} s after the commit (target <= 2 s)"
            )

            fill_tickets(session, args.tickets, categories, districts)
            draft = loader.compile_folder(
                published.write_folder(publish.KIND, row),
                organisations=known,
            )
            session.expire_all()
            profiler = cProfile.Profile() if args.profile else None
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            result = simulation.replay(session, draft, timedelta(days=30))
            took = time.perf_counter() - t0
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            print(
                f"simulated {result.tickets:,} tickets through {len(draft.rules)} rules in "
                f"{took:.2f} s (target <= 10 s): {result.moved:,} would go elsewhere"
            )


if __name__ == "__main__":
    main()
