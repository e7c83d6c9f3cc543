"""CPU of search.segment.document_words per text, this checkout against another, interleaved:
`python -m bench.segment_words --baseline /work/wt-base`.

Three kinds of text, each timed in a fresh process (so nothing is kept from another kind):
  api_create  bench/api_create's ticket (number, subject, description), numbers unique
  demo        the demo tickets' texts (helpdesk/demo.py's subjects, openings and asks)
  articles    the demo guides' paragraphs, each seen once: clauses that seldom repeat
  unseen      sentences of dictionary words, punctuated: no clause repeats (a miss costs)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench._checkouts import child_figures

KINDS = ["api_create", "demo", "articles", "unseen"]

_CHILD = """
import json, random, sys, time
from helpdesk.search.segment import document_words, tokenizer
kind = sys.argv[1]
tokenizer()
if kind == "api_create":
    texts = [f"HZ-20261206-{i:05d} 压测工单 {i} 企业来电咨询融资担保业务办理流程。"
             for i in range(6000)]
elif kind == "demo":
    from helpdesk.demo import ASKS, OPENINGS, SUBJECTS
    rng = random.Random(2013)
    subjects = [s for group in SUBJECTS.values() for s in group]
    texts = []
    for i in range(6000):
        subject = rng.choice(subjects)
        opening = rng.choice(list(OPENINGS.values()))
        texts.append(f"HZ-20261206-{i:05d} {subject} {opening}{subject}，{rng.choice(ASKS)}")
elif kind == "articles":
    from helpdesk.kb.demo import load_texts
    texts = [p for a in load_texts() for p in a["body"].split("\\n") if p.strip()]
else:
    rng = random.Random(7)
    known = tokenizer().FREQ
    words = sorted(w for w, f in known.items() if f and "\\u4e00" <= w[0] <= "\\u9fd5")
    texts = [
        "".join(rng.choice(words) + rng.choice(["", "", "", "，", "。", " "]) for _ in range(12))
        for _ in range(3000)
    ]
start = time.process_time()
for text in texts:
    document_words(text)
print(json.dumps((time.process_time() - start) / len(texts) * 1e6))
"""


def measure(checkout: Path, kind: str) -> float:
    return float(child_figures(checkout, ["-c", _CHILD, kind], env={"PATH": "/usr/bin:/bin"}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ours = Path(__file__).resolve().parent.parent
    for round_ in range(1, args.rounds + 1):
        for kind in KINDS:
            mine, base = measure(ours, kind), measure(args.baseline, kind)
            print(
                f"round {round_}  {kind:10}  ours {mine:7.1f} us  baseline {base:7.1f} us"
                f"  ratio {mine / base:.2f}"
            )


if __name__ == "__main__":
    main()
