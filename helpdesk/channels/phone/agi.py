"""Asterisk's AGI protocol over one FastAGI connection: environment, commands and replies.

Measured against Asterisk 22 (ARCHITECTURE.md): the connection opens with `agi_*: value` lines up
to a blank line; each command gets one `200 result=...` reply, `510`/`511` error lines, or a
multi-line `520-...` / `520 End of proper usage.` block. When the caller hangs up during a
command, that command still answers (`200 result=-1` for GET DATA) and an out-of-band `HANGUP`
line follows before the next reply; after it, most commands still answer but HANGUP itself gets
`511`. The reader skips `HANGUP` lines wherever it expects a reply and remembers them.

A prompt the PBX cannot play (its sound file is missing) also answers `200 result=-1` to GET DATA
and STREAM FILE, but no `HANGUP` line follows: the channel waits up to HANGUP_WAIT for one, and
without it the failure is logged as an error and the call goes on (no keys were pressed) instead
of ending as abandoned. The server reads the socket unbuffered so that this wait sees every byte.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import select
from dataclasses import dataclass, field
from typing import BinaryIO

REPLY = re.compile(r"^(\d{3})([ -])(.*)$")
RESULT = re.compile(r"result=(\S*)")
PAREN = re.compile(r"\(([^)]*)\)")
PAIRS = re.compile(r"(\w+)=(\S+)")
MAX_LINE = 8192
HANGUP_WAIT = 0.5  # seconds: Asterisk sends HANGUP right after the -1 of a hung-up channel
log = logging.getLogger(__name__)
ALL_DIGITS = "0123456789*#"


class AgiClosed(Exception):
    """The channel is gone: hung up (result=-1, 511, HANGUP) or the socket closed."""


class AgiCommandError(Exception):
    """510 unknown command or 520 bad syntax: a bug on our side, not the caller's doing."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code, self.text = code, text


@dataclass(frozen=True)
class Reply:
    code: int
    result: str  # the raw result value ("" when absent, e.g. GET DATA that timed out)
    data: str = ""  # the parenthesised part, e.g. "timeout"
    extra: dict[str, str] = field(default_factory=dict)  # e.g. endpos=12345

    @property
    def value(self) -> int | None:
        try:
            return int(self.result)
        except ValueError:
            return None


def parse_reply(line: str) -> Reply:
    """One `200 result=...` line (the caller deals with 5xx)."""
    match = REPLY.match(line)
    if match is None:
        raise AgiCommandError(0, f"not an AGI reply: {line!r}")
    code, rest = int(match.group(1)), match.group(3)
    result = RESULT.search(rest)
    paren = PAREN.search(rest)
    extra = {k: v for k, v in PAIRS.findall(PAREN.sub("", rest)) if k != "result"}
    return Reply(code, result.group(1) if result else "", paren.group(1) if paren else "", extra)


def quote(argument: str) -> str:
    """An argument as AGI reads it: double-quoted, with quotes and backslashes escaped."""
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


class AgiChannel:
    """One FastAGI call, over the connection's binary reader and writer."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self.reader, self.writer = reader, writer
        self.env: dict[str, str] = {}
        self.hung_up = False  # an out-of-band HANGUP line has been seen
        self.closed = False
        self.sent: list[str] = []  # commands, for logs and tests
        self.prompt_failures: list[str] = []  # prompts the PBX answered -1 to, channel alive

    def _line(self) -> str:
        raw = self.reader.readline(MAX_LINE)
        if not raw:
            self.closed = True
            raise AgiClosed("the connection closed")
        return raw.decode("utf-8", errors="replace").rstrip("\r\n")

    def read_environment(self) -> dict[str, str]:
        """`agi_name: value` lines up to the blank line that ends the environment."""
        while True:
            line = self._line()
            if not line:
                break
            if line == "HANGUP":
                self.hung_up = True
                continue
            name, _, value = line.partition(":")
            self.env[name.strip()] = value.strip()
        if not any(key.startswith("agi_") for key in self.env):
            raise AgiClosed("no AGI environment was sent")
        return self.env

    def command(self, text: str) -> Reply:
        """Send one command and read its reply; AgiClosed when the channel is dead."""
        if self.closed:
            raise AgiClosed("the connection is closed")
        try:
            self.writer.write(text.encode("utf-8") + b"\n")
            self.writer.flush()
        except OSError as exc:
            self.closed = True
            raise AgiClosed(f"the connection broke: {exc}") from exc
        self.sent.append(text)
        line = ""
        while True:
            line = self._line()
            if line == "HANGUP":  # out of band: note it, keep waiting for the reply
                self.hung_up = True
                continue
            if not line:
                continue
            break
        match = REPLY.match(line)
        code = int(match.group(1)) if match else 0
        if code == 200:
            return parse_reply(line)
        if code == 511:
            self.hung_up = True
            raise AgiClosed(line)
        if code == 520 and match and match.group(2) == "-":
            usage = [match.group(3)]
            while not (line := self._line()).startswith("520 "):
                usage.append(line)
            raise AgiCommandError(520, "\n".join(usage))
        raise AgiCommandError(code, match.group(3) if match else line)

    # The commands the adapter uses; each returns the useful part of the reply.
    def answer(self) -> None:
        self._alive(self.command("ANSWER"))

    def stream_file(self, name: str, escape: str = "") -> str | None:
        """Play a prompt; the escape digit that interrupted it, if any."""
        reply = self._played(name, self.command(f"STREAM FILE {name} {quote(escape)}"))
        return chr(reply.value) if reply.value and reply.value > 0 else None

    def get_data(self, name: str, timeout_ms: int, max_digits: int) -> str | None:
        """Play a prompt and collect up to `max_digits` keys (# ends early); None for none."""
        reply = self._played(name, self.command(f"GET DATA {name} {timeout_ms} {max_digits}"))
        return None if reply.result in ("", "-1") else reply.result

    def _played(self, name: str, reply: Reply) -> Reply:
        """A -1 with a HANGUP line after it: the caller left. Without one: the prompt could not
        be played; logged, and the call goes on."""
        if reply.result == "-1" and not self._hangup_follows():
            self.prompt_failures.append(name)
            log.error("the PBX could not play prompt %r (is its sound file missing?)", name)
            return reply
        return self._alive(reply)

    def _hangup_follows(self) -> bool:
        if self.hung_up or self.closed:
            return True
        try:
            ready = select.select([self.reader], [], [], HANGUP_WAIT)[0]
        except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
            ready = [self.reader]  # an in-memory reader (tests): read whatever is there
        if not ready:
            return False
        try:
            line = self._line()
        except AgiClosed:
            return True
        if line == "HANGUP":
            self.hung_up = True
            return True
        log.warning("AGI: unexpected line after a failed prompt: %r", line)
        return False

    def say_number(self, number: int) -> None:
        """Asterisk says the number in the channel's language (its own digit recordings)."""
        self._played(f"number {number}", self.command(f'SAY NUMBER {number} ""'))

    def set_variable(self, name: str, value: str) -> None:
        self.command(f"SET VARIABLE {name} {quote(value)}")

    def exec(self, application: str, options: str = "") -> int | None:
        reply = self._alive(self.command(f"EXEC {application} {quote(options)}"))
        return reply.value

    def hangup(self) -> None:
        with contextlib.suppress(AgiClosed):  # 511 on a dead channel: the same outcome
            self.command("HANGUP")

    def _alive(self, reply: Reply) -> Reply:
        if reply.result == "-1":
            self.hung_up = True
            raise AgiClosed(f"result=-1 ({reply.data or 'hangup or failure'})")
        return reply
