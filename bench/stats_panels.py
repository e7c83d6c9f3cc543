"""Statistics panels at 1,000,000 tickets: database time of each panel's query, p50/p99.

    .venv/bin/python -m bench.stats_panels [--tickets 1000000] [--db PATH] [--runs 20]

Reuses bench/ticket_list.py's database (one ticket every 30 s from 2025-01-01), brings it to
the current schema, gives the tickets 20,000 enterprises once, rolls every closed day up
(helpdesk.stats.rollup, timed), then times the dashboard's queries (helpdesk.stats.queries)
over one month and over the whole year, "today" being 2025-12-14 (the last day, counted live).
Target (issue 14): every panel <= 200 ms.

Before the rollup (straight from the ticket table, no index on created_at): one month
2.5-3.3 s per panel, the whole year 3.2-5.9 s (a quiet machine); 2.3-13.6 s and 17-35 s
under load 14 on the 2 cores.

After (2026-12-03, load 10-12 on the 2 cores, a 10M-step Python loop 3.3 s, several times a
quiet machine's), p50 / p99:
- one month, no filter: period 207/248 ms, district 414/572, platform 378/456,
  industry 390/555, channel 252/332, total 210/254;
- one month, organisation and channel filtered: 117-188 / 150-256 ms;
- the whole year: 3.6-6.0 s p50 unfiltered, 1.5-2.8 s filtered: the bench's tickets are
  spread evenly over 20,000 enterprises and 6,240 combinations of the dimensions, so a day's
  rollup is hardly smaller than its tickets and a year still reads ~1M rows;
- scorecards one month 1.9 s (still a per-ticket pass in Python), agent assessment 11 ms.
Rolling 347 days up took 22 s.

Monthly rollup (helpdesk/stats/months.py, stats_org_month; 2026-12-04, load 5-11 on the 2
cores). Before, the unchanged code on a quieter moment: a year's panels 1.0-1.3 s p50
unfiltered, 0.7-1.2 s filtered, year scorecards 9.3 s. Then one run timing each case with the
monthly rollup hidden ("days") and used ("months"), interleaved, p50 wall / CPU ms:
- whole year, no filter: period 4292/680 -> 386/66, district 6968/892 -> 644/97,
  platform 2650/676 -> 354/86, industry 4002/710 -> 555/96, channel 2612/504 -> 297/59,
  total 2180/334 -> 295/50;
- whole year, org 7: 1180-1587/179-201 -> 125-623/20-80; org 7 and phone:
  416-1268/200-210 -> 39-266/19-83;
- whole year scorecards 13857/3652 -> 1174/271 (261-631 ms wall at load 5): what is left is
  December's 14 days, counted ticket by ticket; one month's scorecards 1781/289 -> 224/21.
Rolling the 11 closed months (16 filter combinations each, and the scorecards) took 294 s
at load 10, ~27 s a month: the maintenance run rolls one month a run, a changed one hourly.

Months filtered in SQL and the tail listed (2026-12-04, load 7-14 on the 2 cores; the 1M
database built in 47.5 s, 347 days and 11 months rolled in 112.9 s). months.read now asks
SQL for the filtered values only (it fetched every organisation's rows and their bitmaps),
and the days outside whole months come back one row per panel value with its enterprise ids
listed (they came as one row per value and enterprise, ~40,000 for December's 14 days).
Interleaved, same answers, 9 runs, p50 wall / CPU ms, old -> new: whole year, org 7, district
494/68 -> 208/29; org 7 and phone, district 385/73 -> 147/30; whole year unfiltered period
81/57 -> 37/31, district 117/84 -> 63/42, platform 113/75 -> 56/38, total 78/45 -> 40/28.
Then this bench (--runs 7, so the max stands for p99), "months" p50 / max wall, CPU p50 ms:
- one month, every filter: 9-101 / 16-125, CPU 3-26 (period 72/81: 30 days are read daily;
  industry 101/116);
- whole year, no filter: period 164/195 CPU 32, district 180/232 CPU 44, platform 119/173
  CPU 35, industry 252/472 CPU 69, channel 83/112 CPU 28, total 64/100 CPU 27;
- whole year, org 7: 22-52 / 52-313, CPU 15-36; org 7 and phone: 20-113 / 38-247, CPU 15-38;
- scorecards: one month 67/125 CPU 17; whole year 491/1023 CPU 259 (December's 14 days are
  still counted ticket by ticket for the business-time percentiles);
- agent assessment one month 0.3 ms.
Every panel is within 200 ms of CPU; by wall the year's industry panel (p50 252) and some
maxima miss under this load, where the process gets a third to a fifth of a core (wall/CPU
3-6x); the year's scorecards miss on both.

Scorecard day sums (stats_org_day, migration 0027: the days are rolled again, 347 days and
11 months in 225.9 s at load 12-14). Same bench, --runs 5, load 12-14, "months" p50 / max
wall, CPU p50 ms: scorecards one month 138/144 CPU 19, whole year 692/863 CPU 152 (was 259
CPU: December's 13 rolled days now come from their sums, only today ticket by ticket); panels
as above within noise (whole year no filter 117-317 p50 wall, CPU 28-83; org 7 41-132 / CPU
14-40). CPU stays within 200 ms everywhere; wall does not at this load.

On a quiet machine (2026-12-04 21:02, load 0.4, nothing else running; --runs 7, the same
database, already rolled), "months" p50 / max wall ms: one month every panel 2-22 / 3-92,
scorecards 15.5/19.4; whole year unfiltered 24-67 / 25-71 (industry 66.9/71.4); org 7 and
org 7 + phone 12-33 / 13-94 with one 408 ms maximum (org 7 district) that a second run
(--periods year) did not repeat (every whole-year panel max 13-37 ms, scorecards 134.5 /
135.1); whole year scorecards 135.6/146.7. Every panel within 200 ms: target met.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from bench.ticket_list import build
from helpdesk import clock, schema
from helpdesk.directory.models import Enterprise
from helpdesk.loop import agents, scorecards
from helpdesk.stats import months, queries, rollup
from helpdesk.stats.period import Period
from helpdesk.tickets.models import Ticket

ENTERPRISES = 20_000
INDUSTRIES = ["零售", "批发", "物流", "餐饮", "电子商务", None]


def give_enterprises(session: Session) -> None:
    if session.scalar(select(func.count(Enterprise.id))):
        return
    session.execute(
        insert(Enterprise),
        [
            {
                "name": f"企业{i}",
                "uscc": f"B{i:017d}",
                "district_code": "330106",
                "industry": INDUSTRIES[i % len(INDUSTRIES)],
                "tags": [],
            }
            for i in range(1, ENTERPRISES + 1)
        ],
    )
    session.execute(update(Ticket).values(enterprise_id=Ticket.id % ENTERPRISES + 1))
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("bench/results/tickets-1m.sqlite3"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--periods", default="month,year", help="month, year or both")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    engine = build(args.db, args.tickets)
    schema.upgrade(f"sqlite:///{args.db}")
    # "today" is the data's last day: it is counted live, every other day from the rollup
    clock.freeze(datetime(2025, 12, 14, 4, 0, tzinfo=UTC))
    with Session(engine) as session:
        give_enterprises(session)
        started = time.perf_counter()
        rolled = rollup.maintain_all(session)
        spent = time.perf_counter() - started
        print(f"rolled {rolled} days and the closed months up in {spent:.1f} s")
        periods = {
            "month": ("one month", Period(date(2025, 6, 1), date(2025, 6, 30))),
            "year": ("whole year", Period(date(2025, 1, 1), date(2025, 12, 31))),
        }
        print("each case: the daily rollup only (before) and with the monthly one, interleaved")
        for key in args.periods.split(","):
            label, period = periods[key]
            for filters in (
                queries.StatsFilter(period),
                queries.StatsFilter(period, organisation_id=7),
                queries.StatsFilter(period, organisation_id=7, channel="phone"),
            ):
                narrowed = {0: "", 1: " (org 7)", 2: " (org 7, phone)"}[
                    (filters.organisation_id is not None) + (filters.channel is not None)
                ]
                for dimension in (*queries.DIMENSIONS, "total"):
                    if dimension == "total":
                        panel = partial(queries.total, session, filters)
                    else:
                        panel = partial(queries.by_dimension, session, filters, dimension)
                    _compare(f"{label}{narrowed} {dimension}", panel, args.runs)
            _compare(f"{label} scorecards", partial(scorecards.build, session, period), 3)
            if key == "month":
                _compare(f"{label} agent assessment", partial(agents.build, session, period), 3)


def _compare(name: str, panel: Callable[[], object], runs: int) -> None:
    """Times the panel with the monthly rollup hidden (every month counted from the days, as
    before it existed) and with it, alternately: the same load on both."""
    usable = months.usable
    wall: dict[str, list[float]] = {"days": [], "months": []}
    cpu: dict[str, list[float]] = {"days": [], "months": []}
    for _ in range(runs):
        for way in ("days", "months"):
            months.usable = usable if way == "months" else (lambda *_a, **_k: [])
            started, used = time.perf_counter(), time.process_time()
            try:
                panel()
            finally:
                months.usable = usable
            wall[way].append((time.perf_counter() - started) * 1000)
            cpu[way].append((time.process_time() - used) * 1000)
    parts = [
        f"{way} p50 {statistics.median(wall[way]):7.1f} ms max {max(wall[way]):7.1f} "
        f"cpu {statistics.median(cpu[way]):7.1f}"
        for way in ("days", "months")
    ]
    print(f"{name:>36}: {' | '.join(parts)}")


if __name__ == "__main__":
    main()
