"""Chinese word segmentation for the search index and its queries (jieba, with our dictionary).

Both backends receive the same tokens: words of letters and digits only, NFKC-normalised
(full-width Ａ１ becomes A1) and lower-cased, joined by spaces. Punctuation and FTS syntax
characters never reach a query, so `"`, `*`, `NEAR`, `-` and `:` are plain text or nothing.

A document's words are jieba's precise cut plus the dictionary words inside each (融资担保
also gives 融资 and 担保), a query's its precise cut, and every query word must be among the
document's words.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba
from jieba import finalseg

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")
WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; no underscore
MAX_QUERY_WORDS = 32
# jieba's cut splits the text into these runs and segments each on its own (a run's words
# depend on the run alone); between runs it yields one character at a time.
RUN = jieba.re_han_default
CHINESE = re.compile("[\u4e00-\u9fd5]")  # the Chinese characters of RUN
# A run's words are kept for runs this short (a clause: 企业来电咨询融资担保业务办理流程), at
# most RUNS_KEPT of them, the least recently used dropped: a clause of 8-20 characters with
# its words about 1 KB, a 32-character run 2-3 KB, so 4 MB a process, 12 at worst (jieba's
# dictionary itself: 60 MB).
KEPT_RUN_LENGTH = 32
RUNS_KEPT = 4096

_tokenizer: jieba.Tokenizer | None = None
_latin_words: tuple[str, ...] = ()  # the dictionary's words a run without Chinese can hold
_lock = threading.Lock()


def tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary with ours on top, loaded once per process (about a second)."""
    global _tokenizer, _latin_words
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                loaded = jieba.Tokenizer()
                loaded.initialize()
                loaded.load_userdict(str(USER_DICTIONARY))
                _latin_words = _latin_dictionary_words(loaded.FREQ)
                _tokenizer = loaded
    return _tokenizer


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _words(pieces: Iterable[str]) -> list[str]:
    """Each piece split into its runs of letters and digits (jieba keeps 'a-b' apart anyway)."""
    return [word for piece in pieces for word in WORD.findall(piece)]


def _with_inner_words(words: Iterable[str], known: dict[str, int]) -> Iterable[str]:
    """Each word, preceded by the dictionary words inside it of any length (jieba's search
    mode stops at three characters, so 知识产权局 would not be found by 知识产权)."""
    for word in words:
        for size in range(2, len(word)):
            for start in range(len(word) - size + 1):
                inner = word[start : start + size]
                if known.get(inner):
                    yield inner
        yield word


def _run_words(run: str) -> tuple[str, ...]:
    cutter = tokenizer()
    return tuple(_words(_with_inner_words(cutter.cut(run), cutter.FREQ)))


# Clauses repeat across tickets (a subject's 咨询融资担保, a caller's 您好): their words are
# looked up instead of segmented again.
_kept_run_words = lru_cache(maxsize=RUNS_KEPT)(_run_words)


def _latin_dictionary_words(known: dict[str, int]) -> tuple[str, ...]:
    """The dictionary's words a run without Chinese can hold (c++, c#): RUN's characters
    other than Chinese are ASCII. 20 ms, when the dictionary loads."""
    return tuple(
        word
        for word, frequency in known.items()
        if frequency and len(word) > 1 and word.isascii() and RUN.fullmatch(word)
    )


def _latin_run_words(run: str) -> tuple[str, ...] | None:
    """A run of Latin letters, digits and signs (a ticket number, a phone number), as jieba
    cuts it, without its cost: holding no dictionary word, it is a run of single characters
    to jieba, all given to its HMM, which cuts it at its finalseg.re_skip (letters and digits,
    a decimal, a percentage) and yields the pieces; no piece holds an inner word either.
    None for a run with Chinese or a dictionary word."""
    if CHINESE.search(run) or any(word in run for word in _latin_words):
        return None
    return tuple(word for piece in finalseg.re_skip.split(run) for word in WORD.findall(piece))


def _words_of_run(run: str) -> tuple[str, ...]:
    latin = _latin_run_words(run)  # unique ones (numbers) are not kept: they would evict
    if latin is not None:
        return latin
    return _kept_run_words(run) if len(run) <= KEPT_RUN_LENGTH else _run_words(run)


def document_words(text: str) -> list[str]:
    """The words a document is found by, in order (repeats kept: they weigh in relevance):
    what jieba's cut of the whole text gives, a run at a time."""
    if not text:
        return []
    tokenizer()  # loaded, and _latin_words with it
    words: list[str] = []
    for index, piece in enumerate(RUN.split(normalise(text))):
        if index % 2:  # a run
            words.extend(_words_of_run(piece))
        elif WORD.search(piece):  # jieba's single characters: each a word or nothing
            words.extend(char for char in piece if WORD.match(char))
    return words


def query_words(text: str) -> list[str]:
    """The distinct words a query asks for, in order."""
    words = _words(tokenizer().cut(normalise(text)))
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def as_text(words: Iterable[str]) -> str:
    return " ".join(words)
