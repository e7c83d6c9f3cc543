"""Real SIP calls on loopback drive the CTI webhook: sipp phones with Kamailio in the middle.

Callers (sipp UACs, tests/phone/sipp/caller*.xml) ring agents' phones (sipp UASes, agent_*.xml)
through Kamailio running deploy/kamailio/helpdesk-cti.cfg, which posts newCall, answer and
hangup to a real `helpdesk web` process on the test database. The test then reads the call
records the helpdesk stored, and checks that every process it started is gone.

Skipped only when the `sipp` or `kamailio` binary is missing (Debian packages sip-tester,
kamailio and kamailio-utils-modules, which `make test` installs as root on Debian); under
HELPDESK_REQUIRE_ALL=1 (CI) failed instead.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from polling import wait_until
from sqlalchemy import select
from system_packages import SIP, find_binary, require

from helpdesk.auth.models import Role
from helpdesk.channels.phone import service
from helpdesk.channels.phone.callers import identify_number
from helpdesk.channels.phone.config import phone_config
from helpdesk.channels.phone.models import BlockedNumber, CallRecord, CallStatus
from helpdesk.directory.models import OrgKind
from helpdesk.runner.children import pid_alive, spawn, stop

ROOT = Path(__file__).resolve().parents[2]
KAMAILIO_CFG = ROOT / "deploy" / "kamailio" / "helpdesk-cti.cfg"
SCENARIOS = Path(__file__).resolve().parent / "sipp"


SIPP = find_binary("sipp")
KAMAILIO = find_binary("kamailio")

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _sipp_and_kamailio() -> None:
    require(SIP)


# --- ports and processes ---------------------------------------------------------------------


class Ports:
    """Free loopback ports, held open until handed out so no two helpers get the same one."""

    def __init__(self) -> None:
        self.held: list[socket.socket] = []

    def _hold(self, kind: int, port: int = 0) -> int | None:
        probe = socket.socket(socket.AF_INET, kind)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            probe.close()
            return None
        self.held.append(probe)
        return int(probe.getsockname()[1])

    def tcp(self) -> int:
        port = self._hold(socket.SOCK_STREAM)
        assert port is not None
        return port

    def udp(self) -> int:
        port = self._hold(socket.SOCK_DGRAM)
        assert port is not None
        return port

    def udp_media(self) -> int:
        """sipp's RTP port: sipp binds it and the port two above."""
        while True:
            port = self.udp()
            if self._hold(socket.SOCK_DGRAM, port + 2) is not None:
                return port

    def release(self) -> None:
        for probe in self.held:
            probe.close()
        self.held.clear()


def udp_bound(port: int) -> bool:
    """Someone listens on 127.0.0.1:`port`/udp (read from /proc/net/udp)."""
    wanted = f"0100007F:{port:04X}"
    lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    return any(line.split()[1] == wanted for line in lines)


def started_at(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (with the pid, its identity)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def group_members(pgid: int) -> dict[int, int]:
    """Live processes in the process group, with their start times."""
    members = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            try:
                if os.getpgid(pid) != pgid or not pid_alive(pid):
                    continue
            except ProcessLookupError:
                continue
            start = started_at(pid)
            if start is not None:
                members[pid] = start
    return members


@dataclass
class Lab:
    """Every process the test starts, each in its own process group, with its log."""

    folder: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Every process of theirs ever observed, pid -> start time: a pid the kernel has handed to
    # somebody else since is not ours, so it is neither reported nor signalled.
    seen: dict[int, int] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Any:
        with open(self.log(name), "wb") as out:
            process = spawn(argv, env=env, cwd=self.folder, stdout=out, stderr=subprocess.STDOUT)
        self.processes[name] = process
        self.note_children()
        return process

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def tail(self, *names: str) -> str:
        parts = []
        for name in names or tuple(self.processes):
            path = self.log(name)
            text = path.read_text(errors="replace") if path.exists() else ""
            errors = self.folder / f"{name}.errors.log"
            if errors.exists():
                text += errors.read_text(errors="replace")
            parts.append(f"--- {name}\n{text[-2500:]}")
        return "\n".join(parts)

    def note_children(self) -> None:
        """Each process and whatever runs in its process group (Kamailio's workers)."""
        for process in self.processes.values():
            self.seen.update(group_members(process.pid))

    def stop_all(self) -> None:
        self.note_children()
        for process in reversed(list(self.processes.values())):
            stop(process, timeout=10)

    def leftovers(self) -> set[int]:
        self.note_children()  # anything new in their groups counts too
        return {
            pid for pid, start in self.seen.items() if pid_alive(pid) and started_at(pid) == start
        }


@contextmanager
def lab_in(folder: Path) -> Iterator[Lab]:
    """Stops everything it started at the end (SIGTERM, then SIGKILL for stragglers)."""
    running = Lab(folder)
    try:
        yield running
    finally:
        running.stop_all()
        deadline = time.monotonic() + 5
        while running.leftovers() and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in running.leftovers():  # only ours: the same pid with the same start time
            os.kill(pid, signal.SIGKILL)


# --- the pieces ------------------------------------------------------------------------------


def start_web(lab: Lab, settings: Any, token: str, port: int) -> str:
    env = dict(
        os.environ,
        HELPDESK_DATABASE_URL=settings.database_url,
        HELPDESK_INSTANCE_PATH=str(settings.instance_path),
        HELPDESK_HOST="127.0.0.1",
        HELPDESK_PORT=str(port),
        HELPDESK_CTI_TOKEN=token,
        PYTHONUNBUFFERED="1",
    )
    env.pop("HELPDESK_REDIS_URL", None)  # no Redis needed: one process, no workers
    argv = [sys.executable, "-m", "gevent.monkey", "--module", "helpdesk.cli", "web"]
    lab.start("web", argv, env)
    return f"http://127.0.0.1:{port}"


def web_ready(lab: Lab, base: str) -> bool:
    if lab.processes["web"].poll() is not None:
        raise AssertionError(f"helpdesk web exited:\n{lab.tail('web')}")
    try:
        return requests.get(f"{base}/login", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def start_kamailio(lab: Lab, cti_url: str, port: int) -> None:
    runtime = lab.folder / "kamailio-run"
    runtime.mkdir()
    assert KAMAILIO is not None
    argv = [
        KAMAILIO,
        *("-f", str(KAMAILIO_CFG)),
        "-DD",  # the main process stays in the foreground; its workers are its children
        "-E",  # log to stderr (our log file)
        *("-Y", str(runtime), "-w", str(runtime)),
        *("-m", "32", "-M", "4"),
        *("-A", f'CTI_URL="{cti_url}"'),
        *("-A", f"LISTEN=udp:127.0.0.1:{port}"),
        *("-A", "RING_MS=10000"),
    ]
    lab.start("kamailio", argv)


def sip_options_answered(port: int) -> bool:
    """Kamailio answers a SIP OPTIONS (with 405: it only takes calls) once it is up."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        probe.settimeout(0.2)
        local = probe.getsockname()[1]
        request = (
            f"OPTIONS sip:probe@127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-probe-{time.monotonic_ns()}\r\n"
            f"From: <sip:probe@127.0.0.1:{local}>;tag=probe\r\n"
            f"To: <sip:probe@127.0.0.1:{port}>\r\n"
            f"Call-ID: probe-{time.monotonic_ns()}@127.0.0.1\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        probe.sendto(request.encode(), ("127.0.0.1", port))
        try:
            return probe.recv(4096).startswith(b"SIP/2.0 ")
        except OSError:
            return False


@dataclass
class Call:
    """One call: a caller scenario dialling `extension` on an agent's phone scenario."""

    name: str
    caller: str  # the From number
    extension: str
    phone: Path | None  # the agent's phone scenario; None: nobody should be rung
    caller_scenario: str = "caller.xml"
    caller_ms: int = 1  # sipp -d: the caller talks (caller.xml) or lets it ring (caller_cancels)
    phone_ms: int = 1  # sipp -d: the phone rings this long before answering

    def call_id(self, lab: Lab) -> str:
        return f"{self.name}-1-{lab.processes[f'{self.name}-caller'].pid}@127.0.0.1"


@dataclass(frozen=True)
class SippPorts:
    """Besides its SIP port, sipp binds an RTP port (and the one two above) and a control port:
    all given, so concurrent sipps never meet on the defaults (6000, 8888)."""

    sip: int
    media: int
    control: int

    @classmethod
    def take(cls, ports: Ports) -> SippPorts:
        return cls(ports.udp(), ports.udp_media(), ports.udp())


def sipp(lab: Lab, name: str, scenario: Path, ports: SippPorts, *args: str) -> None:
    assert SIPP is not None
    argv = [
        SIPP,
        *("-sf", str(scenario)),
        *args,
        *("-i", "127.0.0.1", "-p", str(ports.sip)),
        *("-mp", str(ports.media), "-cp", str(ports.control)),
        *("-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error"),
        *("-trace_err", "-error_file", str(lab.folder / f"{name}.errors.log")),
        *("-cid_str", f"{name.removesuffix('-caller')}-%u-%p@%s"),
    ]
    lab.start(name, argv)


def refusing_phone(folder: Path, status: str) -> Path:
    """agent_busy.xml with another final failure in its status line (sipp reads the code at
    load time, so it cannot come from a -key)."""
    text = (SCENARIOS / "agent_busy.xml").read_text()
    assert "SIP/2.0 486 Busy Here" in text
    path = folder / f"agent_{status.split()[0]}.xml"
    path.write_text(text.replace("SIP/2.0 486 Busy Here", f"SIP/2.0 {status}"))
    return path


def stored(session: Any, call_id: str) -> CallRecord:
    session.expire_all()
    found = session.scalars(select(CallRecord).where(CallRecord.call_id == call_id)).first()
    assert found is not None, f"the helpdesk has no record of call {call_id}"
    return found


# --- the test --------------------------------------------------------------------------------


def test_real_sip_calls_become_call_records(app, settings, session, make_org, make_user, tmp_path):
    centre = make_org(OrgKind.SERVICE_CENTRE)
    agent = make_user(Role.AGENT, centre, extension="8001")
    blocked = identify_number("057187009999").e164
    assert blocked is not None
    session.add(BlockedNumber(number=blocked, note="骚扰"))
    session.commit()

    calls = [
        Call("answered", "057187001234", "8001", SCENARIOS / "agent_answers.xml",
             caller_ms=1500, phone_ms=300),
        Call("busy", "13912345678", "8002", SCENARIOS / "agent_busy.xml"),
        Call("cancelled", "057187005678", "8003", SCENARIOS / "agent_rings.xml",
             caller_scenario="caller_cancels.xml", caller_ms=700),
        Call("unavailable", "057187002222", "8004",
             refusing_phone(tmp_path, "480 Temporarily Unavailable")),
        Call("unknown", "057187003333", "8005", refusing_phone(tmp_path, "404 Not Found")),
        Call("overloaded", "057187004444", "8006",
             refusing_phone(tmp_path, "503 Service Unavailable")),
        Call("blocked", "057187009999", "8007", None),
    ]  # fmt: skip

    ports = Ports()
    web_port, sip_port = ports.tcp(), ports.udp()
    phones = {call.name: SippPorts.take(ports) for call in calls if call.phone is not None}
    callers = {call.name: SippPorts.take(ports) for call in calls}
    ports.release()  # the helpers bind them now
    token = phone_config(app).cti_token
    with lab_in(tmp_path) as running:
        base = start_web(running, settings, token, web_port)
        start_kamailio(running, f"{base}/api/v1/cti/{token}", sip_port)
        wait_until(lambda: web_ready(running, base), 60, "helpdesk web")
        wait_until(lambda: sip_options_answered(sip_port), 15, "kamailio")

        for call in calls:
            if call.phone is not None:
                args = ("-d", str(call.phone_ms))
                sipp(running, f"{call.name}-phone", call.phone, phones[call.name], *args)
        for name, phone in phones.items():
            wait_until(lambda port=phone.sip: udp_bound(port), 10, f"the {name} phone")
        for call in calls:
            # A phone that should not ring: its port is free again, nobody answers there.
            target = phones[call.name].sip if call.name in phones else ports.udp()
            ports.release()
            sipp(
                running,
                f"{call.name}-caller",
                SCENARIOS / call.caller_scenario,
                callers[call.name],
                f"127.0.0.1:{target}",
                *("-rsa", f"127.0.0.1:{sip_port}", "-s", call.extension),
                *("-key", "caller", call.caller, "-d", str(call.caller_ms)),
            )
        running.note_children()  # kamailio's SIP workers and timers too
        for name, process in running.processes.items():
            if name.endswith(("-caller", "-phone")):
                try:
                    code = process.wait(30)
                except subprocess.TimeoutExpired:
                    code = None
                assert code == 0, f"sipp {name} exited {code}:\n{running.tail(name, 'kamailio')}"
        ids = {call.name: call.call_id(running) for call in calls}
        kamailio_log = running.log("kamailio").read_text(errors="replace")

    # Every process the test started is gone: the sipps, Kamailio and its workers, the web.
    assert len(running.seen) > len(running.processes)  # Kamailio's workers were seen
    assert running.leftovers() == set()

    # Every SIP call left its record, in the shape the helpdesk gives CTI calls.
    answered = stored(session, ids["answered"])
    assert answered.source == "cti" and answered.direction.value == "in"
    assert answered.status is CallStatus.ENDED and answered.cause == "normalClearing"
    assert answered.from_number == "057187001234" and answered.to_number == "8001"
    assert answered.caller_e164 == "+8657187001234" and answered.caller_city
    assert answered.answered_by_id == agent.id and answered.answering_number == "8001"
    assert answered.answer_at is not None and answered.end_at is not None
    assert answered.talk_seconds is not None and 1 <= answered.talk_seconds <= 5
    assert not answered.missed

    causes = {
        "busy": "busy",
        "cancelled": "cancel",
        "unavailable": "noAnswer",
        "unknown": "notFound",
        "overloaded": "congestion",
    }
    for name, cause in causes.items():
        record = stored(session, ids[name])
        assert (record.status, record.cause) == (CallStatus.ENDED, cause), name
        assert record.answer_at is None and record.talk_seconds is None, name
        assert record.wait_seconds is not None and record.missed, name

    # The helpdesk refused the blocked caller; the proxy said 486 and rang nobody.
    refused = stored(session, ids["blocked"])
    assert (refused.status, refused.cause, refused.missed) == (CallStatus.ENDED, "busy", False)
    assert "helpdesk refuses caller 057187009999" in kamailio_log

    # Unanswered calls wait on the callback list; the answered and the refused one do not.
    waiting = {record.call_id for record in service.callbacks(session)}
    assert waiting == {ids[name] for name in causes}
