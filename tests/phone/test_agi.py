"""FastAGI against a scripted Asterisk peer that follows Asterisk 22's wire format byte for byte
(ARCHITECTURE.md): the agi_* environment, `200 result=` replies, the out-of-band HANGUP line after a
GET DATA interrupted by a hang-up, 511 on a dead channel, and a socket closed mid-call."""

from __future__ import annotations

import io
import re
import socket
import threading
import time

import pytest
from sqlalchemy import select

from helpdesk.channels.phone.agi import AgiChannel, AgiClosed, AgiCommandError, parse_reply
from helpdesk.channels.phone.agi_server import AgiServer
from helpdesk.channels.phone.models import CallRecord, CallStatus
from helpdesk.tickets.models import Ticket

ENV_NAMES = [
    "agi_network",
    "agi_network_script",
    "agi_request",
    "agi_channel",
    "agi_language",
    "agi_type",
    "agi_uniqueid",
    "agi_version",
    "agi_callerid",
    "agi_calleridname",
    "agi_callingpres",
    "agi_callingani2",
    "agi_callington",
    "agi_callingtns",
    "agi_dnid",
    "agi_rdnis",
    "agi_context",
    "agi_extension",
    "agi_priority",
    "agi_enhanced",
    "agi_accountcode",
    "agi_threadid",
]


def environment(uniqueid: str, callerid: str = "057187001234", script: str = "hotline") -> bytes:
    values = {
        "agi_network": "yes",
        "agi_network_script": script,
        "agi_request": f"agi://127.0.0.1:4573/{script}",
        "agi_channel": "Local/100@default-00000000;2",
        "agi_language": "en",
        "agi_type": "Local",
        "agi_uniqueid": uniqueid,
        "agi_version": "22.10.0",
        "agi_callerid": callerid,
        "agi_calleridname": "unknown",
        "agi_callingpres": "0",
        "agi_callingani2": "0",
        "agi_callington": "0",
        "agi_callingtns": "0",
        "agi_dnid": "unknown",
        "agi_rdnis": "unknown",
        "agi_context": "default",
        "agi_extension": "100",
        "agi_priority": "1",
        "agi_enhanced": "0.0",
        "agi_accountcode": "",
        "agi_threadid": "140234567890",
    }
    assert list(values) == ENV_NAMES
    return "".join(f"{k}: {v}\n" for k, v in values.items()).encode() + b"\n"


@pytest.fixture
def agi_server(app):
    server = AgiServer(app, ("127.0.0.1", 0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()
    thread.join(5)


class Asterisk:
    """Plays Asterisk's side: expects each command exactly, answers with the given bytes."""

    def __init__(self, address, uniqueid: str, callerid: str = "057187001234") -> None:
        self.sock = socket.create_connection(address, timeout=5)
        self.file = self.sock.makefile("rwb")
        self.file.write(environment(uniqueid, callerid))
        self.file.flush()
        self.seen: list[bytes] = []

    def expect(self, command: bytes | re.Pattern[bytes], *replies: bytes) -> bytes:
        line = self.file.readline()
        self.seen.append(line)
        if isinstance(command, bytes):
            assert line == command, (line, command)
        else:
            assert command.fullmatch(line), (line, command.pattern)
        for reply in replies:
            self.file.write(reply)
        self.file.flush()
        return line

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def wait_for_end(session, uniqueid: str) -> CallRecord:
    for _ in range(100):
        session.expire_all()
        found = session.scalars(select(CallRecord).where(CallRecord.call_id == uniqueid)).first()
        if found is not None and found.status is CallStatus.ENDED:
            return found
        time.sleep(0.05)
    raise AssertionError(f"call {uniqueid} did not end")


def test_default_script_through_fastagi(agi_server, session):
    peer = Asterisk(agi_server, "1700000000.1")
    peer.expect(b"ANSWER\n", b"200 result=0\n")
    peer.expect(b'STREAM FILE hotline/welcome-prompt ""\n', b"200 result=0 endpos=28800\n")
    peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=2\n")
    peer.expect(b"GET DATA hotline/finance_menu-prompt 5000 1\n", b"200 result=2\n")
    peer.expect(b"GET DATA hotline/district_menu-prompt 8000 2\n", b"200 result=05\n")
    ticket_line = peer.expect(
        re.compile(rb'SET VARIABLE HELPDESK_TICKET "HZ-\d{8}-\d{5}"\n'), b"200 result=1\n"
    )
    peer.expect(b'STREAM FILE hotline/to_agent-prompt ""\n', b"200 result=0 endpos=9600\n")
    # the centre's queue, not Asterisk's: the caller is told their place and the wait
    peer.expect(b'STREAM FILE queue/place ""\n', b"200 result=0 endpos=800\n")
    peer.expect(b'SAY NUMBER 1 ""\n', b"200 result=0\n")
    peer.close()
    record = wait_for_end(session, "1700000000.1")
    ticket = session.get(Ticket, record.ticket_id)
    assert ticket.number.encode() in ticket_line
    assert (ticket.category_code, ticket.district_code) == ("finance/guarantee", "330109")
    assert record.source == "agi" and record.ivr_outcome == "queue"


def test_hangup_in_the_middle_of_get_data(agi_server, session):
    peer = Asterisk(agi_server, "1700000000.2")
    peer.expect(b"ANSWER\n", b"200 result=0\n")
    peer.expect(b'STREAM FILE hotline/welcome-prompt ""\n', b"200 result=0 endpos=28800\n")
    # As measured: the pending GET DATA still answers result=-1, then the HANGUP line.
    peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=-1\n", b"HANGUP\n")
    record = wait_for_end(session, "1700000000.2")
    peer.file.write(b"")  # nothing more is sent to a dead channel
    peer.sock.settimeout(0.3)
    assert peer.file.readline() == b""
    peer.close()
    assert record.ivr_outcome == "abandoned" and record.ticket_id is None and record.missed
    assert record.ivr_path == [{"node": "welcome"}, {"node": "hours"}]
    assert session.scalars(select(Ticket)).first() is None


def test_hangup_line_between_replies_is_skipped(agi_server, session):
    """Keys pressed, then the caller hangs up: HANGUP arrives before the next reply, SET VARIABLE
    still answers, the next playback reports -1 and the call ends with its ticket made."""
    peer = Asterisk(agi_server, "1700000000.3")
    peer.expect(b"ANSWER\n", b"200 result=0\n")
    peer.expect(b'STREAM FILE hotline/welcome-prompt ""\n', b"200 result=0 endpos=28800\n")
    peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=8\n", b"HANGUP\n")
    peer.expect(re.compile(rb'SET VARIABLE HELPDESK_TICKET "HZ-[\d-]+"\n'), b"200 result=1\n")
    peer.expect(b'STREAM FILE hotline/leave_message-prompt ""\n', b"200 result=-1\n")
    record = wait_for_end(session, "1700000000.3")
    peer.close()
    assert record.ivr_outcome == "message" and record.ticket_id is not None
    assert not record.missed


def test_socket_closed_mid_agi(agi_server, session):
    peer = Asterisk(agi_server, "1700000000.4")
    peer.expect(b"ANSWER\n", b"200 result=0\n")
    peer.expect(b'STREAM FILE hotline/welcome-prompt ""\n', b"200 result=0 endpos=28800\n")
    peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=6\n")
    peer.expect(b"GET DATA hotline/complaint_menu-prompt 5000 1\n")
    peer.close()  # the PBX died or the network broke
    record = wait_for_end(session, "1700000000.4")
    assert record.ivr_outcome == "abandoned" and record.ticket_id is None
    assert record.ivr_path[-1] == {"node": "main_menu", "input": "6"}


def test_unknown_script_hangs_up(agi_server):
    sock = socket.create_connection(agi_server, timeout=5)
    f = sock.makefile("rwb")
    f.write(environment("1700000000.5", script="nope"))
    f.flush()
    assert f.readline() == b"HANGUP\n"
    f.write(b"200 result=1\n")
    f.flush()
    f.close()
    sock.close()


def channel(replies: bytes) -> tuple[AgiChannel, io.BytesIO]:
    out = io.BytesIO()
    return AgiChannel(io.BytesIO(replies), out), out


def test_protocol_reply_parsing():
    assert parse_reply("200 result=2 (timeout)").data == "timeout"
    assert parse_reply("200 result=0 endpos=28800").extra == {"endpos": "28800"}
    assert parse_reply("200 result= (timeout)").result == ""
    agi, out = channel(b"200 result= (timeout)\n")
    assert agi.get_data("beep", 3000, 1) is None
    assert out.getvalue() == b"GET DATA beep 3000 1\n"


def test_protocol_errors():
    agi, _ = channel(b"510 Invalid or unknown command\n")
    with pytest.raises(AgiCommandError) as caught:
        agi.command("FROB")
    assert caught.value.code == 510
    usage = (
        b"520-Invalid command syntax.  Proper usage follows:\n"
        b" Usage: GET DATA <file to be streamed> [timeout] [max digits]\n"
        b"520 End of proper usage.\n"
        b"200 result=1\n"
    )
    agi, _ = channel(usage)
    with pytest.raises(AgiCommandError) as caught:
        agi.command("GET DATA")
    assert caught.value.code == 520 and "Usage: GET DATA" in caught.value.text
    assert agi.command("SET VARIABLE A 1").result == "1"  # the stream is still in step
    dead = b"HANGUP\n511 Command Not Permitted on a dead channel or intercept routine\n"
    agi, _ = channel(dead)
    with pytest.raises(AgiClosed):
        agi.command('STREAM FILE beep ""')
    assert agi.hung_up
    agi, _ = channel(dead)
    agi.hangup()  # 511 to HANGUP on a dead channel is the same outcome, not an error


def test_environment_is_read_to_the_blank_line():
    agi, _ = channel(environment("1.1") + b"200 result=0\n")
    env = agi.read_environment()
    assert list(env) == ENV_NAMES and env["agi_accountcode"] == ""
    agi.answer()


def test_a_prompt_the_pbx_cannot_play_is_an_error_not_an_abandoned_call(
    agi_server, session, caplog
):
    """GET DATA of a missing sound file answers `200 result=-1` with no HANGUP line after it
    (issue 12 item 11): logged as an error, taken as no key pressed, and the call goes on."""
    peer = Asterisk(agi_server, "1700000000.9")
    peer.expect(b"ANSWER\n", b"200 result=0\n")
    peer.expect(b'STREAM FILE hotline/welcome-prompt ""\n', b"200 result=0 endpos=28800\n")
    with caplog.at_level("ERROR", logger="helpdesk.channels.phone.agi"):
        peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=-1\n")
        # the menu goes on as after silence: its no-input prompt, then it asks again
        peer.expect(re.compile(rb"STREAM FILE hotline/main_menu-no_input_prompt .*\n"),
                    b"200 result=0 endpos=100\n")  # fmt: skip
        peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=-1\n", b"HANGUP\n")
    record = wait_for_end(session, "1700000000.9")
    peer.close()
    assert record.ivr_outcome == "abandoned"  # when the caller left, not at the failed prompt
    failed = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(failed) == 1 and "hotline/main_menu-prompt" in failed[0]


def test_a_queued_caller_hears_place_and_wait_again_and_is_put_through(
    agi_server, app, session, make_org, make_user
):
    """Issue 12 item 3: pressing 0 waits in the centre's queue; the caller hears their place
    and the wait (recorded pieces around SAY NUMBER), again every N seconds of waiting
    (HELPDESK_QUEUE_ANNOUNCE_SECONDS, counted in the PBX's one-second Waits), and is put
    through to the agent who accepts the offer on their console."""
    from dataclasses import replace

    from helpdesk.auth.models import Role
    from helpdesk.channels.phone import service
    from helpdesk.channels.phone.config import KEY
    from helpdesk.directory.models import OrgKind

    centre = make_org(OrgKind.SERVICE_CENTRE)
    agent = make_user(Role.AGENT, centre, extension="8001")
    colleague = make_user(Role.AGENT, centre, extension="8002")
    make_user(Role.AGENT, centre, extension="8003")
    session.commit()
    original = app.extensions[KEY]
    app.extensions[KEY] = replace(original, queue_announce_seconds=3, always_open=True)
    try:
        peer = Asterisk(agi_server, "1700000000.20")
        peer.expect(b"ANSWER\n", b"200 result=0\n")
        peer.expect(b'STREAM FILE hotline/welcome-prompt ""\n', b"200 result=0 endpos=1\n")
        peer.expect(b"GET DATA hotline/main_menu-prompt 5000 1\n", b"200 result=0\n")
        peer.expect(b"GET DATA hotline/district_menu-prompt 8000 2\n", b"200 result=00\n")
        while b"queue/place" not in peer.expect(re.compile(rb".*\n"), b"200 result=0\n"):
            pass  # the ticket's variable and the to-agent prompt
        announcement = [
            re.compile(rb'SAY NUMBER 1 ""\n'),
            re.compile(rb'STREAM FILE queue/wait ""\n'),
            re.compile(rb'SAY NUMBER \d+ ""\n'),
            re.compile(rb'STREAM FILE queue/minutes ""\n'),
        ]
        for line in announcement:
            peer.expect(line, b"200 result=0\n")
        for _ in range(3):  # three seconds of waiting, then told again
            peer.expect(b'EXEC Wait "1"\n', b"200 result=0\n")
        peer.expect(b'STREAM FILE queue/place ""\n', b"200 result=0\n")
        for line in announcement:
            peer.expect(line, b"200 result=0\n")
        peer.expect(b'EXEC Wait "1"\n')  # the agent accepts while the caller waits
        record = service.find(session, "1700000000.20")
        service.accept_queued(session, agent, record)
        session.commit()
        peer.file.write(b"200 result=0\n")
        peer.file.flush()
        peer.expect(b'EXEC Dial "PJSIP/8001"\n')
        # Consult (issue 12 item 5, AGI side): the caller stays with the first agent while
        # they talk to the colleague; complete, and when the first agent's leg ends the
        # caller is put through to the colleague, with the ticket.
        service.transfer(session, agent, record, "agent", "8002", "consult", "融资政策")
        session.commit()
        service.finish_consult(session, agent, record, complete=True)
        session.commit()
        peer.file.write(b"200 result=0\n")
        peer.file.flush()
        peer.expect(b'EXEC Dial "PJSIP/8002"\n')
        # the colleague consults a third and cancels: nothing moves, the call ends with them
        service.transfer(session, colleague, record, "agent", "8003", "consult", "再问问")
        session.commit()
        service.finish_consult(session, colleague, record, complete=False)
        session.commit()
        peer.file.write(b"200 result=0\n")
        peer.file.flush()
        assert peer.file.readline() == b""  # no further Dial: the connection closes
        peer.close()
        ended = wait_for_end(session, "1700000000.20")
    finally:
        app.extensions[KEY] = original
    assert ended.answered_by_id == agent.id and ended.ivr_outcome == "queue"
    assert [(t["target"], t["state"]) for t in ended.transfers] == [
        ("8002", "completed"),
        ("8003", "cancelled"),
    ]
