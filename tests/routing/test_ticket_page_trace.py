"""The staff ticket page explains the routing decision; providers and enterprises never see it."""

from __future__ import annotations

import pytest

from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind

RULES = """\
rules:
  - name: finance-banks
    priority: 100
    conditions:
      - {type: category, in: finance/*}
    route: {to: [bank-a]}
  - name: default
    priority: 0
    route: {to: [centre]}
"""


def login_as(client, user):  # type: ignore[no-untyped-def]
    """A session as a real login leaves it (helpdesk.auth.lifetime checks its marks)."""
    from helpdesk import clock
    from helpdesk.auth import lifetime

    now = int(clock.now().timestamp())
    with client.session_transaction() as state:
        state["_user_id"] = str(user.id)
        state["_fresh"] = True
        state.update({lifetime.GENERATION: user.session_generation, "rt_login": "test"})
        state.update({lifetime.STARTED: now, lifetime.SEEN: now})


@pytest.fixture
def routed(make_org, make_user, make_ticket, use_rules):  # type: ignore[no-untyped-def]
    every = ("finance", "manage", "info", "market", "tech", "complaint")
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", categories=every)
    bank = make_org(slug="bank-a")
    use_rules({"rules.yaml": RULES})
    agent = make_user(Role.AGENT, centre)
    banker = make_user(Role.PROVIDER, bank)
    ticket = make_ticket(agent, category="finance/guarantee")
    return ticket, agent, banker


def test_staff_see_which_rules_were_considered_and_why(client, routed):
    ticket, agent, banker = routed
    login_as(client, agent)
    html = client.get(f"/tickets/{ticket.number}?lang=en").get_data(as_text=True)
    section = html[html.index('id="routing"') :]
    # the condition in words, the organisation by its name (issue 12 item 10), not codes
    assert "finance-banks" in section and "category is one of Investment" in section
    assert "matched" in section and banker.organisation.name in section
    assert f"/tickets/{ticket.number}/trace" in html


def test_provider_staff_see_the_ticket_but_not_the_routing_trace(client, routed):
    ticket, _agent, banker = routed
    login_as(client, banker)
    response = client.get(f"/tickets/{ticket.number}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="routing"' not in html and "finance-banks" not in html


def test_the_trace_names_rules_by_their_description(client, routed, use_rules):
    ticket, agent, _banker = routed
    use_rules(
        {
            "rules.yaml": RULES.replace(
                "priority: 100\n", "priority: 100\n    description: 融资需求交银行\n", 1
            )
        }
    )
    login_as(client, agent)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    section = html[html.index('id="routing"') :]
    assert "融资需求交银行" in section  # not the code finance-banks
    assert ">finance-banks<" not in section


def test_the_service_trace_says_the_rule_and_the_internal_note_in_words(
    client, routed, use_rules, session
):  # type: ignore[no-untyped-def]
    """The printable trace (/tickets/<number>/trace) showed the rule's code
    ("分派规则 finance-banks") where the ticket page says its description, and called an
    internal note "回复" (a reply), as if the enterprise had been told."""
    from helpdesk.tickets import service

    ticket, agent, _banker = routed
    use_rules(
        {
            "rules.yaml": RULES.replace(
                "priority: 100\n", "priority: 100\n    description: 融资需求交银行\n", 1
            )
        }
    )
    service.comment(session, agent, ticket, "内部：核对上月申请", internal=True)
    session.commit()
    login_as(client, agent)
    html = client.get(f"/tickets/{ticket.number}/trace").get_data(as_text=True)
    assert "融资需求交银行" in html and "finance-banks" not in html
    assert "内部备注" in html and "回复" not in html


def test_the_candidates_read_as_one_sentence(client, routed, use_rules):  # type: ignore[no-untyped-def]
    """The attempts line read "（候选：选中：进入机构待办队列）" and "(candidate: chosen: least
    loaded: 王敏 has 14 open)": labels stacked on labels. Now each organisation tried is one
    sentence in either language, and still says the organisation, its source and the outcome."""
    ticket, agent, banker = routed
    name = banker.organisation.name
    login_as(client, agent)
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    section = html[html.index('id="routing"') :]
    assert "候选：选中：" not in section
    assert f"选中候选机构 {name}，工单进入机构待办队列" in section
    html = client.get(f"/tickets/{ticket.number}?lang=en").get_data(as_text=True)
    section = html[html.index('id="routing"') :]
    assert "candidate: chosen:" not in section
    assert f"candidate organisation {name} was chosen and the ticket waits in its queue" in section


def test_the_least_loaded_pick_names_the_person_and_the_load(app):  # type: ignore[no-untyped-def]
    from helpdesk.routing import words

    with app.test_request_context("/?lang=en"):
        words.names().people["wangmin"] = "王敏"
        said = words.attempt("nowhere", "candidate", "chosen; least loaded: wangmin has 14 open")
    assert said == (
        "candidate organisation nowhere was chosen and assigned to 王敏, the least loaded (14 open)"
    )


def test_an_organisation_without_members_says_so_in_the_sentence(app):  # type: ignore[no-untyped-def]
    """选中候选机构 X，无人员：进入队列 / "was chosen and no member: into the queue"."""
    from helpdesk.routing import words

    with app.test_request_context("/?lang=en"):
        said = words.attempt("nowhere", "candidate", "chosen; no member: into the queue")
    assert said == (
        "candidate organisation nowhere was chosen and the ticket waits in its queue"
        " (no member to assign it to)"
    )
    with app.test_request_context("/?lang=zh_CN"):
        said = words.attempt("nowhere", "candidate", "chosen; no member: into the queue")
    assert said == "选中候选机构 nowhere，无可分派人员，工单进入机构待办队列"
