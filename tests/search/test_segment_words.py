"""A document's words are exactly what they were before segment.py cut text a run at a time
and kept a run's words: the algorithm as it was (jieba's cut of the whole text, each word's
inner dictionary words, then the runs of letters and digits) is kept here as the reference,
and every text below, seen first and seen again, gives the same words in the same order."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable

import pytest

from helpdesk.demo import ASKS, OPENINGS, SHOP_KINDS, SHOP_WORDS, SUBJECTS
from helpdesk.kb.demo import load_texts
from helpdesk.search import segment
from helpdesk.search.index import _join
from helpdesk.search.segment import WORD, document_words, query_words, tokenizer


def reference_words(text: str) -> list[str]:
    """segment.document_words as it was, in one piece."""
    if not text:
        return []
    cutter = tokenizer()

    def with_inner_words(words: Iterable[str]) -> Iterable[str]:
        for word in words:
            for size in range(2, len(word)):
                for start in range(len(word) - size + 1):
                    inner = word[start : start + size]
                    if cutter.FREQ.get(inner):
                        yield inner
            yield word

    normalised = unicodedata.normalize("NFKC", text).lower()
    return [w for piece in with_inner_words(cutter.cut(normalised)) for w in WORD.findall(piece)]


HANDWRITTEN = [
    "",
    " ",
    "。",
    "\r\n\t",
    "申请融资担保贷款",
    "HZ-20261206-00042 压测工单 42 企业来电咨询融资担保业务办理流程。",
    "HZ-20261206-00042",
    "联系电话：13800138000，座机 0571-8700 5678 转 8001；+86 138 5710 0004",
    "杭州湖滨商贸有限公司（统一社会信用代码 91330100MA2B3C4D5E）申请知识产权局备案",
    "Our shop on Yan'an Rd. needs an e-commerce training course, ASAP!!! version 2.0 50% off",
    "ＡＢＣ１２３ 全角字母与数字，Ｒｅｓｕｍｅ：ｅｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "emoji 😀👍🏽 好评🎉🎉 服务很好❤️ ✓完成 ①②③ ⅫⅣ",
    "snake_case_word __init__ a_b 下划线_分隔",
    "Café naïve résumé Ωμέγα Привет мир 日本語のテキスト 한국어 텍스트",
    "生僻字：㐀㐁𠀀𠀁 龥鿕鿖鿿 兀 ⺁",
    "combining e\u0301 a\u0308 \u0301\u0302 zero\u200bwidth\ufeffmark",
    "a-b a--b -x- x.y.z 3.14 C++ C# R&D 100% 1+1=2 foo@bar.com http://x.cn/a?b=1",
    "3.14abc 1.5%x 2.%3 ..5 v1.2.3-rc.4 c++11 xc#y at&t AT&T 4s店 1号店 iphone12pro",
    "知识产权局知识产权知识产权局" * 5,  # one run longer than KEPT_RUN_LENGTH
    "企业来电咨询融资担保业务办理流程" * 3,
    "x" * 200,
    "融资" + "1" * 50 + "担保",
    "电话号码一三八零零一三八零零零 ＨＺ－２０２６１２０６－０００４２",
    "Ⅻ ℃ ㎡ ㈱ ﬁ ﹏ ｶﾀｶﾅ",  # NFKC changes these
]


def demo_texts() -> list[str]:
    texts = []
    for category, subjects in SUBJECTS.items():
        for n, subject in enumerate(subjects):
            opening = list(OPENINGS.values())[n % len(OPENINGS)]
            texts.append(_join(f"HZ-20261206-{n:05d}", subject, f"{opening}{subject}，{ASKS[0]}"))
            texts.append(category)
    texts += [f"{word}{kind}" for word in SHOP_WORDS for kind in SHOP_KINDS]
    texts += [_join(article["title"], article["body"]) for article in load_texts()]
    return texts


def random_texts(count: int, seed: int) -> list[str]:
    """Random mixes of what tickets hold: dictionary words, single Han characters, Latin
    words, digits, punctuation of both widths, spaces and line breaks, emoji."""
    rng = random.Random(seed)
    vocabulary = [w for w in list(tokenizer().FREQ)[:20000:7] if w]
    pool = [
        lambda: rng.choice(vocabulary),
        lambda: chr(rng.randint(0x4E00, 0x9FFF)),
        lambda: rng.choice(["abc", "Zhejiang", "ok", "IT", "ﬁle", "Ｗｉ－Ｆｉ"]),
        lambda: str(rng.randint(0, 10 ** rng.randint(1, 12))),
        lambda: rng.choice("，。、；：？！“”（）《》,.;:?!()-_+#&%@/ 　\n\r\t"),
        lambda: rng.choice(["😀", "👍🏽", "❤️", "①", "㐀", "𠀀", "é", "ß", "İ"]),
    ]
    weights = [8, 3, 2, 2, 4, 1]
    return [
        "".join(rng.choices(pool, weights)[0]() for _ in range(rng.randint(0, 60)))
        for _ in range(count)
    ]


def random_latin_texts(count: int, seed: int) -> list[str]:
    """Runs without Chinese, as jieba cuts them apart: letters, digits and its signs."""
    rng = random.Random(seed)
    parts = ["a", "Zb", "7", "42", ".", "%", "+", "#", "&", "-", "c++", "c#", "at&t", "3.1"]
    return ["".join(rng.choices(parts, k=rng.randint(1, 12))) for _ in range(count)]


CORPUS = HANDWRITTEN + demo_texts() + random_texts(600, seed=17) + random_latin_texts(600, seed=3)


def test_the_corpus_has_short_and_long_runs() -> None:
    lengths = {len(run) for text in CORPUS for run in segment.RUN.findall(text)}
    assert min(lengths) == 1
    assert max(lengths) > segment.KEPT_RUN_LENGTH


@pytest.mark.parametrize("seen", ["first", "again"])
def test_document_words_are_the_reference_words(seen: str) -> None:
    if seen == "first":
        segment._kept_run_words.cache_clear()
    for text in CORPUS:
        assert document_words(text) == reference_words(text), text


def test_a_query_of_a_documents_text_asks_for_words_the_document_holds() -> None:
    for text in CORPUS:
        assert set(query_words(text)) <= set(document_words(text)), text


def test_words_kept_are_not_shared_with_a_caller_who_changes_them() -> None:
    first = document_words("企业来电咨询融资担保业务办理流程")
    first.append("changed")
    first[0] = "changed"
    assert document_words("企业来电咨询融资担保业务办理流程") == reference_words(
        "企业来电咨询融资担保业务办理流程"
    )


def test_runs_kept_stay_within_the_bound() -> None:
    for n in range(segment.RUNS_KEPT + 100):
        document_words(f"工单{n}号")
    assert segment._kept_run_words.cache_info().currsize == segment.RUNS_KEPT
