"""TwiML: interpreter actions as Twilio-compatible voice XML, and the request signature check.

A Gather posts its digits back to the same webhook URL; when the caller presses nothing the
call falls through to a Redirect that posts without Digits (the interpreter's "no input").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import quote
from xml.etree import ElementTree as ET

from helpdesk.channels.phone.ivr.actions import Action, Dial, Enqueue, Gather, Hangup, Say, SetVar

VOICE_LANGUAGE = {"zh": "zh-CN", "en": "en-US"}
SIGNATURE_HEADER = "X-Twilio-Signature"


def render(
    actions: Iterable[Action],
    action_url: str,
    prompt_base: str | None = None,
    sip_host: str = "pbx",
) -> str:
    """The <Response> document for one step. `prompt_base` turns prompt files into Play URLs
    (used only for prompts that have no text in the call's language); an extension is dialled
    as sip:<extension>@`sip_host`."""
    response = ET.Element("Response")
    for action in actions:
        if isinstance(action, Say):
            _say(response, action, prompt_base)
        elif isinstance(action, Gather):
            gather = ET.SubElement(
                response,
                "Gather",
                {
                    "input": "dtmf",
                    "numDigits": str(action.max_digits),
                    "timeout": f"{action.timeout:g}",
                    "action": action_url,
                    "method": "POST",
                    "actionOnEmptyResult": "false",
                },
            )
            if action.finish_key:
                gather.set("finishOnKey", action.finish_key)
            else:
                gather.set("finishOnKey", "")
            for prompt in action.prompts:
                _say(gather, prompt, prompt_base)
            redirect = ET.SubElement(response, "Redirect", {"method": "POST"})
            redirect.text = action_url
        elif isinstance(action, Dial):
            dial = ET.SubElement(response, "Dial")
            if action.kind == "extension":
                ET.SubElement(dial, "Sip").text = f"sip:{action.target}@{sip_host}"
            else:
                ET.SubElement(dial, "Number").text = action.target
        elif isinstance(action, Enqueue):
            ET.SubElement(response, "Enqueue").text = action.queue
        elif isinstance(action, Hangup):
            ET.SubElement(response, "Hangup")
        elif isinstance(action, SetVar):
            continue  # channel variables are an AGI notion; TwiML has none
    body = ET.tostring(response, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _say(parent: ET.Element, say: Say, prompt_base: str | None) -> None:
    if not say.text and say.file and prompt_base:
        play = ET.SubElement(parent, "Play")
        play.text = f"{prompt_base.rstrip('/')}/{quote(say.file)}.wav"
        return
    element = ET.SubElement(parent, "Say", {"language": VOICE_LANGUAGE.get(say.lang, "zh-CN")})
    element.text = say.text


def hangup_document() -> str:
    return render([Hangup()], "")


def signature(secret: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's scheme: HMAC-SHA1 of the full URL followed by each POST parameter's name and
    value, sorted by name, base64-encoded."""
    payload = url + "".join(f"{key}{value}" for key, value in sorted(params))
    digest = hmac.new(secret.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_signature(secret: str, url: str, params: Iterable[tuple[str, str]], sent: str) -> bool:
    if not secret or not sent:
        return False
    return hmac.compare_digest(signature(secret, url, params), sent.strip())


def hold(prompts: Iterable[Say], pause_seconds: int, action_url: str) -> str:
    """A caller waiting in the queue: what they are told (their place, the wait), a pause, and
    a Redirect back to the webhook, which tells them again or puts them through."""
    response = ET.Element("Response")
    for prompt in prompts:
        _say(response, prompt, None)
    ET.SubElement(response, "Pause", {"length": str(pause_seconds)})
    ET.SubElement(response, "Redirect", {"method": "POST"}).text = action_url
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(response, encoding="unicode")
