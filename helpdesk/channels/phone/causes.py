"""Hang-up causes as PBXs send them, mapped to the call's outcome (pure).

A cause is free text: Zammad's generic CTI names (`normalClearing`, `noAnswer`), Asterisk and
FreeSWITCH names (`NORMAL_CLEARING`, `USER_BUSY`, `ORIGINATOR_CANCEL`, DIALSTATUS `NOANSWER`),
numeric Q.850 codes (16, 17, 19 …) and SIP final responses (486, 487 …). The raw text is kept
on the record; only the outcome is ours. Names compare without case or punctuation, so
`NORMAL_CLEARING`, `normalClearing` and `normal-clearing` are one cause.
"""

from __future__ import annotations

import enum
import re


class CallOutcome(enum.StrEnum):
    ANSWERED = "answered"  # an agent took the call
    IVR = "ivr"  # the IVR dealt with it: a message, a goodbye, a transfer it made
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    ABANDONED = "abandoned"  # the caller gave up before anyone answered
    FAILED = "failed"  # the network or the number failed
    FORWARDED = "forwarded"  # the PBX sent the call elsewhere
    OTHER = "other"  # a cause we do not know; the raw text is on the record


# Unanswered calls: what ended them, by cause key (see `key`). Q.850 codes are 1–127 and SIP
# responses 400–699, so the two numeric spaces never collide.
_NAMES: dict[CallOutcome, str] = {
    CallOutcome.ABANDONED: """
        normalclearing normalunspecified cancel originatorcancel 16 31 487 requestterminated
        loserace hangup completed""",
    CallOutcome.BUSY: "busy userbusy 17 486 600 callrejected 21 603 decline",
    CallOutcome.NO_ANSWER: """
        noanswer nouserresponse noanswertimeout 18 19 408 480 allottedtimeout
        recoveryontimerexpire 102 timeout""",
    CallOutcome.FAILED: """
        congestion notfound unallocated unallocatednumber 1 3 20 27 28 34 38 41 42 88 404 484
        500 502 503 504 chanunavail normalcircuitcongestion destinationoutoforder
        invalidnumberformat noroutedestination networkoutoforder normaltemporaryfailure failed
        switchcongestion subscriberabsent incompatibledestination""",
    CallOutcome.FORWARDED: "forwarded redirected callforwarded 302",
}
_KIND = {name: kind for kind, names in _NAMES.items() for name in names.split()}

_NOT_A_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]")


def key(cause: str) -> str:
    """`NORMAL_CLEARING`, `normalClearing`, ` Normal-Clearing ` → `normalclearing`;
    a Q.850 code with a prefix (`Q.850;cause=16`, `cause 16`) → `16`."""
    text = cause.strip().lower()
    code = re.search(r"cause\s*[=: ]\s*(\d{1,3})\b", text)
    if code:
        return code.group(1)
    return _NOT_A_LETTER_OR_DIGIT.sub("", text)


def known(cause: str) -> bool:
    return key(cause) in _KIND


def outcome(cause: str | None, *, answered: bool, by_ivr: bool, inbound: bool) -> CallOutcome:
    """The outcome of a call that has ended. An answered call is answered however it ended;
    one the IVR finished is the IVR's; otherwise the cause says why nobody talked."""
    if answered:
        return CallOutcome.ANSWERED
    if by_ivr:
        return CallOutcome.IVR
    kind = _KIND.get(key(cause or "normalClearing"), CallOutcome.OTHER)
    if kind is CallOutcome.ABANDONED and not inbound:
        return CallOutcome.NO_ANSWER  # we called out and hung up before they picked up
    return kind
