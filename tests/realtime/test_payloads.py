"""Socket payloads read through pydantic models: never raise, wrong types count as absent."""

from __future__ import annotations

from helpdesk.realtime import payloads


def test_a_payload_that_is_not_an_object_is_empty() -> None:
    assert payloads.VisitorIn.read("not a dict") == payloads.VisitorIn()
    assert payloads.RoomIn.read(None).room == ""


def test_wrong_types_count_as_absent_so_the_service_names_the_field() -> None:
    sent = payloads.MessageIn.read({"body": 5, "client_id": ["x"], "attachment": 12})
    assert (sent.body, sent.client_id, sent.attachment) == (None, None, "12")
    assert payloads.ResumeIn.read({"after": -3}).after == 0
    assert payloads.ResumeIn.read({"after": True}).after == 0
    assert payloads.EndIn.read({"file": "yes"}).file is False


def test_a_transfer_to_an_id_that_is_not_a_number_finds_nobody() -> None:
    assert payloads.TransferIn.read({"to_agent_id": "7"}).to_agent_id == 0  # "no such agent"
    assert payloads.TransferIn.read({}).to_agent_id is None  # to the queue, as before
    assert payloads.TransferIn.read({"to_organisation_id": "3"}).to_organisation_id is None
