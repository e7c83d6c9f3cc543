"""SQLite's relevance from the padded UTF-8 bytes it reads (backends.relevance_of_padded) is
the integer PostgreSQL's and the str version give: the order of a search's hits depends on it
(tests/search/test_parity.py compares the backends' pages)."""

from __future__ import annotations

import random

from helpdesk.search.backends import relevance_of, relevance_of_padded

TEXTS = [
    "",
    "担保",
    "担保 担保",
    "融资 担保 担保 担保 贷款",
    "担保公司 担保 x担保 担保x",
    "贷款 融资担保 融资 担保 贷款 贷款",
    "a1 b2 a1 a1 c3",
]


def _padded(texts: list[str]) -> list[bytes | None]:
    return [f" {t} ".encode() for t in texts]


def test_the_same_integers_as_the_text_version() -> None:
    for words in (["担保"], ["融资", "担保"], ["贷款", "担保", "融资"], ["a1"], ["zz"]):
        assert relevance_of_padded(_padded(TEXTS), words) == relevance_of(TEXTS, words)


def test_repeats_next_to_each_other_in_some_texts_only() -> None:
    rng = random.Random(7)
    vocabulary = ["担保", "融资", "贷款", "补贴", "冷库"]
    texts = [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12))) for _ in range(500)
    ]
    for words in (["担保"], ["担保", "补贴"], vocabulary):
        assert relevance_of_padded(_padded(texts), words) == relevance_of(texts, words)


def test_no_text_counts_as_an_empty_one() -> None:
    assert relevance_of_padded([None, b" \xe6\x8b\x85\xe4\xbf\x9d "], ["担保"]) == relevance_of(
        ["", "担保"], ["担保"]
    )
