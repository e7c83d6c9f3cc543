"""Behind a TLS proxy (issue 16 item 3): the client's address, https URLs, the Twilio signature
over the public URL, secure cookies; and the SIP host of a TwiML transfer is a setting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk import create_app
from helpdesk.auth.models import User
from helpdesk.channels.phone import service as phone_service
from helpdesk.channels.phone import twiml
from helpdesk.channels.phone.config import KEY, from_env
from helpdesk.channels.phone.ivr.actions import Dial
from helpdesk.config import Settings, load_settings
from web.helpers import password

PROXY = "10.0.0.5"  # the TLS proxy's own address, as the app sees it
PUBLIC = "https://hd.example.cn"
SECRET = "s3cret"


@pytest.fixture
def proxied(app: Flask, settings: Settings) -> Iterator[Flask]:
    """The same database, an app told its proxy is at 10.0.0.0/8 and its public URL."""
    behind = create_app(
        settings.with_(trusted_proxies="10.0.0.0/8", public_url=PUBLIC, secure_cookies=True)
    )
    behind.config["WTF_CSRF_ENABLED"] = False
    config = behind.extensions[KEY]
    behind.extensions[KEY] = type(config)(**{**config.__dict__, "ivr_secret": SECRET})
    yield behind


def _via_proxy(client_ip: str) -> dict[str, object]:
    return {
        "environ_base": {"REMOTE_ADDR": PROXY},
        "headers": {
            "X-Forwarded-For": client_ip,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "hd.example.cn",
        },
    }


def _miss(client: FlaskClient, login: str, client_ip: str, secret: str = "guess") -> int:
    form = {"login": login, "password": secret}
    return client.post("/login", data=form, **_via_proxy(client_ip)).status_code  # type: ignore[arg-type]


def test_a_guesser_behind_the_proxy_is_locked_not_everyone_behind_it(
    proxied: Flask, agent: User
) -> None:
    client = proxied.test_client()
    for n in range(30):
        _miss(client, f"nobody{n}", "203.0.113.7")
    assert _miss(client, agent.login, "203.0.113.7", password()) == 429
    # Another person reaching the same proxy logs in: the lock is on the guesser's address.
    assert _miss(client, agent.login, "198.51.100.20", password()) in (302, 303)


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app: Flask, agent: User) -> None:
    client = app.test_client()
    for n in range(30):
        _miss(client, f"nobody{n}", f"203.0.113.{n}")  # one address, whatever it claims
    assert _miss(client, agent.login, "198.51.100.20", password()) == 429


def test_a_client_that_is_no_proxy_cannot_claim_an_address(proxied: Flask, agent: User) -> None:
    client = proxied.test_client()
    for n in range(30):
        form = {"login": f"nobody{n}", "password": "guess"}
        client.post(
            "/login",
            data=form,
            environ_base={"REMOTE_ADDR": "192.0.2.9"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
    refused = client.post(
        "/login",
        data={"login": agent.login, "password": password()},
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert refused.status_code == 429


def test_the_signed_public_url_is_accepted_and_gathers_post_back_to_it(
    proxied: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phone_service, "business_hours", lambda moment: True)
    url = f"{PUBLIC}/ivr/voice/hotline"
    data = {"CallSid": "CA1", "From": "057187001234", "To": "+8657100000000"}
    signed = twiml.signature(SECRET, url, data.items())
    client = proxied.test_client()
    via = _via_proxy("54.172.60.1")
    headers = {**via["headers"], twiml.SIGNATURE_HEADER: signed}  # type: ignore[dict-item]
    reply = client.post(
        "/ivr/voice/hotline", data=data, headers=headers, environ_base=via["environ_base"]
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    gather = ET.fromstring(reply.get_data()).find("Gather")
    assert gather is not None and gather.get("action") == url
    # Straight to the app, not through the proxy, the same signature does not hold.
    straight = proxied.test_client().post(
        "/ivr/voice/hotline", data=data, headers={twiml.SIGNATURE_HEADER: signed}
    )
    assert straight.status_code == 403


def test_cookies_are_secure_when_the_public_url_is_https(proxied: Flask, agent: User) -> None:
    client = proxied.test_client()
    form = {"login": agent.login, "password": password()}
    reply = client.post("/login", data=form, **_via_proxy("198.51.100.20"))  # type: ignore[arg-type]
    assert reply.headers["Location"].startswith(("/", PUBLIC))
    cookie = reply.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_secure_cookies_follow_the_public_url_unless_set(tmp_path: Path) -> None:
    def loaded(**env: str) -> bool:
        base = {"HELPDESK_SECRET_KEY": "k", "HELPDESK_INSTANCE_PATH": str(tmp_path)}
        return load_settings({**base, **env}).secure_cookies

    assert loaded(HELPDESK_PUBLIC_URL="https://hd.example.cn") is True
    assert loaded(HELPDESK_PUBLIC_URL="http://10.1.1.1:5000") is False
    assert loaded() is False
    assert loaded(HELPDESK_PUBLIC_URL=PUBLIC, HELPDESK_SECURE_COOKIES="0") is False
    with pytest.raises(ValueError, match="HELPDESK_TRUSTED_PROXIES"):
        loaded(HELPDESK_TRUSTED_PROXIES="the proxy")


def test_a_transfer_dials_the_configured_sip_host(tmp_path: Path) -> None:
    config = from_env(tmp_path, {"HELPDESK_CTI_TOKEN": "t", "HELPDESK_SIP_HOST": "pbx.hz.cn"})
    body = twiml.render([Dial("8001", "extension")], "", None, config.sip_host)
    assert ET.fromstring(body).find("Dial/Sip").text == "sip:8001@pbx.hz.cn"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="HELPDESK_SIP_HOST"):
        from_env(tmp_path, {"HELPDESK_CTI_TOKEN": "t", "HELPDESK_SIP_HOST": "a b@c"})
