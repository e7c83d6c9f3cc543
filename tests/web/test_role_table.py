"""Who may do what, in one table: every page route and every OpenAPI operation, walked as each
role on the demo platform (issue 16 item 5). A route or operation without a row fails here, so a
new endpoint cannot arrive without someone deciding who may use it.

"Refused" is what a person outside the rule sees: 401, 403, 404 (a ticket out of scope is told
like one that does not exist), or a page that sends them to log in or to their own home page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse

from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import new_token
from helpdesk.channels.chat.models import Conversation
from helpdesk.channels.phone.models import CallRecord
from helpdesk.demo import DEMO_PASSWORD, seed_demo
from helpdesk.extensions import db
from helpdesk.kb import service as kb_service
from helpdesk.kb.models import Article, Audience
from helpdesk.portal import files
from helpdesk.tickets import service
from helpdesk.webhooks.models import Webhook, WebhookDelivery

AGENT, SUPERVISOR, ADMIN = "agent", "supervisor", "admin"
PROVIDER, ENTERPRISE, ANONYMOUS = "provider", "enterprise", "anonymous"
ROLES = (AGENT, SUPERVISOR, ADMIN, PROVIDER, ENTERPRISE, ANONYMOUS)
LOGINS = {AGENT: "agent1", SUPERVISOR: "supervisor", ADMIN: "admin", PROVIDER: "bank1",
          ENTERPRISE: "ent1"}  # fmt: skip

STAFF = frozenset({AGENT, SUPERVISOR, ADMIN})
SUPERVISORS = frozenset({SUPERVISOR, ADMIN})
ADMINS = frozenset({ADMIN})
DESK = STAFF | {PROVIDER}  # staff pages that provider staff see for their organisation
LOGGED_IN = DESK | {ENTERPRISE}
EVERYONE = LOGGED_IN | {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()  # a secret in the path or a signature, never a role


def _only(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# (method, URL rule) -> who may. Ticket actions follow helpdesk.auth.permissions.ACTION_ROLES.
RULES: dict[tuple[str, str], frozenset[str]] = {
    # staff login, home, own password
    ("GET", "/"): EVERYONE,  # sends each to their home (SENDS_ON)
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/account/password"): LOGGED_IN,
    ("POST", "/account/password"): LOGGED_IN,
    # people and the operations log
    ("GET", "/admin/changes"): ADMINS,
    ("GET", "/admin/people"): ADMINS,
    ("GET", "/admin/people/new"): ADMINS,
    ("POST", "/admin/people/new"): ADMINS,
    ("GET", "/admin/people/<id:user_id>"): ADMINS,
    ("POST", "/admin/people/<id:user_id>"): ADMINS,
    ("POST", "/admin/people/<id:user_id>/<any(disable, enable):action>"): ADMINS,
    ("POST", "/admin/people/<id:user_id>/password"): ADMINS,
    ("POST", "/admin/people/<id:user_id>/sessions"): ADMINS,
    ("GET", "/admin/rules"): SUPERVISORS,
    # routing rules published from the browser (issue 13 item 5): supervisors read
    ("GET", "/admin/rules/edit/<rule_file>"): ADMINS,
    ("POST", "/admin/rules/edit/<rule_file>"): ADMINS,
    ("GET", "/admin/rules/versions/<id:number>"): SUPERVISORS,
    ("POST", "/admin/rules/versions/<id:number>/rollback"): ADMINS,
    # IVR scripts published from the browser (issue 13 item 7): supervisors read
    ("GET", "/admin/ivr"): SUPERVISORS,
    ("GET", "/admin/ivr/<script_file>"): SUPERVISORS,
    ("POST", "/admin/ivr/<script_file>"): ADMINS,
    ("POST", "/admin/ivr/<script_file>/simulate"): ADMINS,
    ("GET", "/admin/ivr/versions/<id:number>"): SUPERVISORS,
    ("POST", "/admin/ivr/versions/<id:number>/rollback"): ADMINS,
    # organisations (issue 13 item 2)
    ("GET", "/admin/orgs"): ADMINS,
    ("GET", "/admin/orgs/new"): ADMINS,
    ("POST", "/admin/orgs/new"): ADMINS,
    ("GET", "/admin/orgs/<id:org_id>"): ADMINS,
    ("POST", "/admin/orgs/<id:org_id>"): ADMINS,
    ("POST", "/admin/orgs/<id:org_id>/<any(suspend, reinstate):action>"): ADMINS,
    ("POST", "/admin/orgs/<id:org_id>/reroute"): ADMINS,
    # business calendar and SLA policies (issue 13 item 6)
    ("GET", "/admin/calendar"): ADMINS,
    ("POST", "/admin/calendar/<int:year>/days"): ADMINS,
    ("POST", "/admin/calendar/<int:year>/remove"): ADMINS,
    ("GET", "/admin/sla"): SUPERVISORS,  # supervisors read; admins edit
    ("POST", "/admin/sla"): ADMINS,
    ("GET", "/admin/sla/versions/<id:number>"): SUPERVISORS,
    ("POST", "/admin/sla/versions/<id:number>/rollback"): ADMINS,
    # enterprises (issue 13 item 3)
    ("GET", "/admin/enterprises"): ADMINS,
    ("GET", "/admin/enterprises/<id:enterprise_id>"): ADMINS,
    ("POST", "/admin/enterprises/<id:enterprise_id>"): ADMINS,
    ("POST", "/admin/enterprises/<id:enterprise_id>/merge"): ADMINS,
    ("GET", "/admin/system"): ADMINS,
    ("POST", "/admin/system/failed/<queue>/<job_id>/retry"): ADMINS,
    # service catalogue (issue 13 item 4)
    ("GET", "/admin/catalogue"): ADMINS,
    ("POST", "/admin/catalogue/new"): ADMINS,
    ("GET", "/admin/catalogue/<path:code>"): ADMINS,
    ("POST", "/admin/catalogue/<path:code>"): ADMINS,
    ("POST", "/admin/catalogue/<path:code>/<any(retire, restore):action>"): ADMINS,
    # integrations: API tokens and blocked numbers
    ("GET", "/admin/tokens"): ADMINS,
    ("POST", "/admin/tokens"): ADMINS,
    ("POST", "/admin/tokens/<id:token_id>/revoke"): ADMINS,
    ("POST", "/admin/tokens/rotate-cti"): ADMINS,
    ("GET", "/admin/blocked-numbers"): ADMINS,
    ("POST", "/admin/blocked-numbers"): ADMINS,
    ("POST", "/admin/blocked-numbers/remove"): ADMINS,
    ("GET", "/admin/webhooks"): ADMINS,
    ("POST", "/admin/webhooks"): ADMINS,
    ("POST", "/admin/webhooks/<id:webhook_id>/rotate"): ADMINS,
    ("POST", "/admin/webhooks/<id:webhook_id>/remove"): ADMINS,
    ("POST", "/admin/webhooks/deliveries/<id:delivery_id>/redeliver"): ADMINS,
    # tickets (pages)
    ("GET", "/tickets"): DESK,
    ("GET", "/tickets/new"): STAFF,
    ("POST", "/tickets/new"): STAFF,
    ("GET", "/tickets/<number>"): DESK,
    ("POST", "/tickets/<number>/action/<action>"): DESK,  # `accept`: staff and providers
    ("POST", "/tickets/<number>/comments"): DESK,
    ("GET", "/tickets/<number>/trace"): DESK,
    # kept alerts: each person's own (enterprises get none)
    ("GET", "/notifications"): DESK,
    ("POST", "/notifications/read"): DESK,
    # consoles
    ("GET", "/console"): STAFF,
    ("GET", "/provider"): _only(PROVIDER),
    ("GET", "/wallboard"): SUPERVISORS,
    ("GET", "/chat/agent"): STAFF,
    ("GET", "/phone/console"): STAFF,
    ("GET", "/phone/simulator"): STAFF,
    ("GET", "/phone/calls/<call_id>/status"): STAFF,
    ("POST", "/phone/calls/<call_id>/answer"): STAFF,
    ("POST", "/phone/calls/<call_id>/hangup"): STAFF,
    ("POST", "/phone/calls/<call_id>/transfer"): STAFF,
    ("POST", "/phone/calls/<call_id>/called-back"): STAFF,
    ("GET", "/phone/calls/<call_id>"): STAFF,
    ("GET", "/phone/queue"): STAFF,
    ("POST", "/phone/calls/<call_id>/accept"): STAFF,
    ("POST", "/phone/calls/<call_id>/consult/<choice>"): STAFF,
    ("POST", "/phone/calls/<call_id>/hand"): SUPERVISORS,
    # search and statistics
    ("GET", "/search"): LOGGED_IN,
    ("GET", "/search/similar"): STAFF,
    ("GET", "/api/v1/search"): LOGGED_IN,
    ("GET", "/api/v1/articles"): LOGGED_IN,
    ("GET", "/api/v1/articles/<id:article_id>"): LOGGED_IN,
    ("POST", "/api/v1/articles"): STAFF,
    ("POST", "/api/v1/articles/<id:article_id>/versions"): STAFF,
    ("GET", "/stats"): SUPERVISORS,
    ("GET", "/stats/export/<name>.<fmt>"): SUPERVISORS,
    # the knowledge base (服务导航): guides for everyone, internal ones and drafts for staff
    ("GET", "/kb"): EVERYONE,
    ("GET", "/portal/guide"): EVERYONE,
    ("GET", "/kb/<id:article_id>"): EVERYONE,  # a public, published guide
    ("GET", "/kb/new"): STAFF,
    ("POST", "/kb/new"): STAFF,
    ("GET", "/kb/<id:article_id>/edit"): STAFF,
    ("POST", "/kb/<id:article_id>/edit"): STAFF,
    ("POST", "/kb/<id:article_id>/submit"): STAFF,
    ("POST", "/kb/<id:article_id>/publish"): SUPERVISORS,
    ("POST", "/kb/<id:article_id>/send-back"): SUPERVISORS,
    ("GET", "/kb/suggest"): EVERYONE,
    ("POST", "/kb/deflection"): EVERYONE,
    ("GET", "/kb/pick"): DESK,
    ("POST", "/kb/<id:article_id>/files"): STAFF,
    ("POST", "/kb/<id:article_id>/files/<file_key>/remove"): STAFF,
    ("GET", "/kb/files/<file_key>"): EVERYONE,  # a public, published guide's file
    # closing the loop (issue 14): 回访, scorecards (a provider's own), the watch, agents
    ("GET", "/followups"): STAFF,
    ("POST", "/followups/<id:task_id>/answer"): STAFF,
    ("POST", "/followups/<id:task_id>/no-answer"): STAFF,
    ("POST", "/followups/<id:task_id>/complaint"): STAFF,
    ("POST", "/followups/<id:task_id>/finish"): SUPERVISORS,
    ("POST", "/complaints/<number>/finding"): SUPERVISORS,
    ("GET", "/scorecards"): STAFF,  # provider staff are sent on to their own scorecard
    ("GET", "/scorecards/export.<fmt>"): STAFF,
    ("GET", "/scorecards/<id:organisation_id>"): DESK,  # the bank's own, for bank1
    ("POST", "/scorecards/evaluate"): SUPERVISORS,
    ("POST", "/watches/<id:watch_id>/suspend"): SUPERVISORS,
    ("POST", "/watches/<id:watch_id>/lift"): SUPERVISORS,
    ("GET", "/assessment"): SUPERVISORS,
    ("GET", "/assessment/export.<fmt>"): SUPERVISORS,
    ("GET", "/reports/monthly"): SUPERVISORS,
    ("GET", "/archive"): SUPERVISORS,  # 登记备案留档: archives and the retention policy
    ("GET", "/archive/export.zip"): SUPERVISORS,
    ("POST", "/ivr/voice/<script_name>"): STAFF,  # or the carrier's signature
    # chat for visitors (the upload is authorised by the chat's own key, not a login)
    ("GET", "/chat/"): EVERYONE,
    ("POST", "/chat/files"): EVERYONE,
    # portal
    ("GET", "/portal/"): EVERYONE,
    ("GET", "/portal/login"): EVERYONE,
    ("POST", "/portal/login"): EVERYONE,
    ("GET", "/portal/register"): EVERYONE,
    ("POST", "/portal/register"): EVERYONE,
    ("GET", "/portal/suggest"): EVERYONE,
    ("GET", "/portal/needs/new"): _only(ENTERPRISE),
    ("POST", "/portal/needs/new"): _only(ENTERPRISE),
    ("GET", "/portal/tickets/<number>"): _only(ENTERPRISE),
    ("POST", "/portal/tickets/<number>/reply"): _only(ENTERPRISE),
    ("POST", "/portal/tickets/<number>/confirm"): _only(ENTERPRISE),
    ("POST", "/portal/tickets/<number>/reopen"): _only(ENTERPRISE),
    ("POST", "/portal/tickets/<number>/rate"): _only(ENTERPRISE),
    ("POST", "/portal/tickets/<number>/complain"): _only(ENTERPRISE),
    ("GET", "/portal/files/<key>"): LOGGED_IN,  # whoever may read the ticket
    ("GET", "/portal/registrations"): STAFF,
    ("POST", "/portal/registrations/<id:enterprise_id>/<decision>"): STAFF,
    # API
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("POST", "/api/v1/cti/<token>"): NOBODY,
    ("GET", "/api/v1/regions"): LOGGED_IN,
    ("GET", "/api/v1/categories"): LOGGED_IN,
    ("GET", "/api/v1/organisations"): LOGGED_IN,
    ("GET", "/api/v1/organisations/<id:organisation_id>"): LOGGED_IN,
    ("GET", "/api/v1/enterprises"): STAFF,
    ("GET", "/api/v1/enterprises/<id:enterprise_id>"): STAFF | {ENTERPRISE},  # its own
    ("POST", "/api/v1/tickets"): LOGGED_IN,
    ("GET", "/api/v1/tickets"): LOGGED_IN,
    ("GET", "/api/v1/tickets/count"): LOGGED_IN,
    ("GET", "/api/v1/tickets/<number>"): LOGGED_IN,
    ("GET", "/api/v1/tickets/<number>/comments"): LOGGED_IN,
    ("POST", "/api/v1/tickets/<number>/comments"): LOGGED_IN,
    ("GET", "/api/v1/tickets/<number>/events"): LOGGED_IN,
    ("POST", "/api/v1/tickets/<number>/reveal-phone"): DESK,
    ("POST", "/api/v1/tickets/<number>/assign"): STAFF,
    ("POST", "/api/v1/tickets/<number>/accept"): DESK,
    ("POST", "/api/v1/tickets/<number>/start"): DESK,
    ("POST", "/api/v1/tickets/<number>/pend"): DESK,
    ("POST", "/api/v1/tickets/<number>/resume"): DESK,
    ("POST", "/api/v1/tickets/<number>/resolve"): DESK,
    ("POST", "/api/v1/tickets/<number>/close"): LOGGED_IN,
    ("POST", "/api/v1/tickets/<number>/reopen"): STAFF | {ENTERPRISE},
    ("POST", "/api/v1/tickets/<number>/decline"): _only(PROVIDER),
    ("POST", "/api/v1/tickets/<number>/transfer"): STAFF,
    ("POST", "/api/v1/tickets/<number>/cancel"): SUPERVISORS,
    ("POST", "/api/v1/tickets/<number>/merge"): SUPERVISORS,
    ("GET", "/api/v1/calls"): LOGGED_IN,  # each sees the calls of their scope
    ("GET", "/api/v1/calls/<call_id>"): STAFF,  # the example call is no enterprise's
    ("POST", "/api/v1/calls/<call_id>/transfer"): STAFF,
    ("GET", "/api/v1/desk/tickets"): DESK,
    ("GET", "/api/v1/desk/changes"): DESK,
    ("GET", "/api/v1/wallboard"): SUPERVISORS,
    ("POST", "/api/v1/wallboard/chats/<id:conversation_id>/reassign"): SUPERVISORS,
}
# Routes whose answer is to send people on: a redirect is their service, not a refusal.
SENDS_ON = {("GET", "/"), ("GET", "/login"), ("POST", "/logout")}
NOT_ROUTES = {"static", "api.unknown"}  # files, and the API's own 404 for unknown paths


@dataclass
class Demo:
    number: str  # a ticket of ent1's enterprise, held by bank1's organisation
    file_key: str
    other_user_id: int
    call_id: str
    conversation_id: int
    enterprise_id: int
    organisation_id: int
    article_id: int  # a public, published guide of the demo
    guide_file_key: str  # a file on that guide's published version
    token_id: int  # an integration's token, for the revoke button
    webhook_id: int
    delivery_id: int


ONE_RULE = "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"


@pytest.fixture
def demo(app: Flask, use_rules: Callable[..., object]) -> Demo:
    """Set up in an app context of its own, left before any request: requests made inside one
    would share its `g`, and with it the first caller's login. A rule folder of its own: the
    real rules, compiled against the demo's organisations, would outlive this test's rows."""
    use_rules({"rules.yaml": ONE_RULE})
    with app.app_context():
        made = _demo(db.session)
        db.session.remove()
    return made


def _demo(session: Session) -> Demo:
    seed_demo(session, tickets=12)
    session.commit()
    users = {u.login: u for u in session.scalars(select(User))}
    agent, bank, owner = users["agent1"], users["bank1"], users["ent1"]
    assert bank.organisation_id is not None and owner.enterprise_id is not None
    ticket = service.create(
        session,
        agent,
        service.NewTicket(
            subject="申请担保贷款",
            category="finance/guarantee",
            district=None,
            enterprise_id=owner.enterprise_id,
            organisation_id=bank.organisation_id,
        ),
    )
    upload = FileStorage(io.BytesIO(b"%PDF"), "营业执照.pdf")
    attachment = files.store(session, upload, ticket.id, 1024, agent.id)
    call = CallRecord(call_id="CA-role", source="twiml", direction="in", status="ringing")
    session.add(call)
    spare = ApiToken(user_id=agent.id, name="spare", token_hash=new_token()[1])
    session.add(spare)
    # a documentation address (private to the SSRF check): a redelivery is refused at once
    hook = Webhook(url="https://192.0.2.1/hook", events=["ticket.created"], secret="0" * 64)
    session.add(hook)
    session.flush()
    delivery = WebhookDelivery(webhook_id=hook.id, event_key="ticket:0:v1",
                               event="ticket.created", payload={})  # fmt: skip
    session.add(delivery)
    session.commit()
    conversation = session.scalars(select(Conversation.id)).first()
    guide = session.scalars(
        select(Article.id).where(
            Article.audience == Audience.PUBLIC, Article.published_version == 1
        )
    ).first()
    assert guide is not None
    article = session.get(Article, guide)
    assert article is not None
    supervisor = users["supervisor"]
    upload = kb_service.Upload("申请表.pdf", "application/pdf", b"%PDF")
    guide_file = kb_service.attach(session, agent, article, upload)
    kb_service.submit(session, agent, article)
    kb_service.publish(session, supervisor, article)
    session.commit()
    return Demo(
        number=ticket.number,
        file_key=attachment.key,
        other_user_id=users["agent2"].id,
        call_id=call.call_id,
        conversation_id=conversation or 1,
        enterprise_id=owner.enterprise_id,
        organisation_id=bank.organisation_id,
        article_id=guide,
        guide_file_key=guide_file.key,
        token_id=spare.id,
        webhook_id=hook.id,
        delivery_id=delivery.id,
    )


@pytest.fixture
def callers(app: Flask, demo: Demo) -> dict[str, FlaskClient]:
    """One browser per role, logged in at its own login page, that also carries an API token."""
    clients: dict[str, FlaskClient] = {ANONYMOUS: app.test_client()}
    for role, login in LOGINS.items():
        client = app.test_client()
        path = "/portal/login" if role == ENTERPRISE else "/login"
        reply = client.post(path, data={"login": login, "password": DEMO_PASSWORD})
        assert reply.status_code in (302, 303), (role, reply.get_data(as_text=True)[:300])
        with app.app_context():
            user = db.session.scalars(select(User).where(User.login == login)).one()
            raw, digest = new_token()
            db.session.add(ApiToken(user_id=user.id, name="roles", token_hash=digest))
            db.session.commit()
            db.session.remove()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        clients[role] = client
    return clients


def _url(rule: str, demo: Demo) -> str:
    values = {
        "<number>": demo.number,
        "<action>": "accept",
        "<id:user_id>": str(demo.other_user_id),
        "<id:token_id>": str(demo.token_id),
        "<id:webhook_id>": str(demo.webhook_id),
        "<id:delivery_id>": str(demo.delivery_id),
        "<any(disable, enable):action>": "enable",
        "<id:org_id>": str(demo.organisation_id),
        "<any(suspend, reinstate):action>": "reinstate",
        "<int:year>": "2027",
        "<path:code>": "finance/guarantee",
        "<any(retire, restore):action>": "restore",
        "<call_id>": demo.call_id,
        "<queue>": "default",
        "<job_id>": "no-such-job",  # none: admins are told so, others refused
        "<script_name>": "hotline",
        "<key>": demo.file_key,
        "<id:enterprise_id>": str(demo.enterprise_id),
        "<decision>": "approve",
        "<token>": "not-the-token",
        "<id:organisation_id>": str(demo.organisation_id),
        "<id:conversation_id>": str(demo.conversation_id),
        "<choice>": "cancel",
        "<name>": "district",
        "<rule_file>": "rules.yaml",
        "<script_file>": "hotline.yaml",
        "<id:number>": "1",
        "<fmt>": "csv",
        "<id:article_id>": str(demo.article_id),
        "<file_key>": demo.guide_file_key,
        "<id:task_id>": "999999",  # none: staff are told so on the list, others refused
        "<id:watch_id>": "999999",
    }
    for placeholder, value in values.items():
        rule = rule.replace(placeholder, value)
    assert "<" not in rule, f"no example value for {rule}"
    return rule


def _refused(response: TestResponse, method: str, rule: str) -> bool:
    """401, 403, 404; a page that sends the person to log in; a page not served but replaced
    by another (an enterprise sent from a staff page to the portal)."""
    status = response.status_code
    if status in (401, 403, 404):
        return True
    if not 300 <= status < 400 or (method, rule) in SENDS_ON:
        return False
    path = re.sub(r"^https?://[^/]+", "", response.headers.get("Location", ""))
    return method == "GET" or path.startswith(("/login", "/portal/login"))


def _csrf(client: FlaskClient) -> str:
    html = client.get("/portal/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else ""


def _served_rules(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in NOT_ROUTES
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    }


def test_every_route_and_operation_has_a_rule(app: Flask) -> None:
    served = _served_rules(app)
    assert sorted(served - RULES.keys()) == [], "routes without a rule in RULES"
    assert sorted(RULES.keys() - served) == [], "rules for routes that are not served"
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, methods in document["paths"].items():
        rule = "/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/api/v1"))
        for method in methods:
            matches = [k for k in RULES if k[0] == method.upper() and _same(k[1], rule)]
            assert matches, f"OpenAPI {method.upper()} {path} has no rule"


def _same(rule: str, path: str) -> bool:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", r"<\1>", rule) == path


def test_each_role_may_do_what_the_table_says_and_nothing_more(
    app: Flask, demo: Demo, callers: dict[str, FlaskClient]
) -> None:
    tokens = {role: _csrf(client) for role, client in callers.items()}
    wrong = []
    # GETs first, then writes, the logout last: a write must not change what a later read sees.
    order = sorted(RULES, key=lambda k: (k[1] == "/logout", k[0] != "GET", k[1]))
    for method, rule in order:
        url = _url(rule, demo)
        for role in ROLES:
            headers = {"Content-Type": "application/json"} if "/api/v1/" in url else {}
            headers["X-CSRFToken"] = tokens[role]  # the simulator's header, checked by the IVR
            body = b"{}" if method == "POST" and headers else None
            response = callers[role].open(url, method=method, data=body, headers=headers)
            assert response.status_code < 500, (method, url, role, response.status_code)
            may = role in RULES[(method, rule)]
            if may == _refused(response, method, rule):
                got = response.status_code, response.headers.get("Location", "")
                wrong.append(f"{method} {url} as {role}: {'refused' if may else 'served'} {got}")
    assert wrong == [], "\n".join(wrong)
