"""Directory reads: regions, the catalogue tree, organisations."""

from __future__ import annotations

from helpdesk.directory.models import OrgKind, ProviderType

from .support import World, error_of


def test_regions_are_hangzhous_districts(api_as, world: World) -> None:
    items = api_as(world.provider_a).get("/regions").get_json()["items"]
    assert len(items) == 14
    assert {"code": "330106", "name_zh": "西湖区", "name_en": "Xihu"} in items


def test_categories_form_a_tree(api_as, world: World) -> None:
    roots = api_as(world.ent_user_1).get("/categories").get_json()["items"]
    codes = [r["code"] for r in roots]
    assert "finance" in codes and "complaint" in codes
    finance = next(r for r in roots if r["code"] == "finance")
    assert {"code", "name_zh", "name_en", "children"} == set(finance)
    assert "finance/guarantee" in [c["code"] for c in finance["children"]]
    assert all(c["children"] == [] for c in finance["children"])


def test_organisations_with_filters(api_as, world: World, make_org) -> None:
    lawyer = make_org(
        provider_type=ProviderType.LEGAL, categories=("manage/legal",), districts=("330106",)
    )
    api = api_as(world.agent)
    everyone = api.get("/organisations").get_json()["items"]
    assert {o["slug"] for o in everyone} == {"provider-a", "provider-b", "centre", lawyer.slug}
    legal = api.get("/organisations", provider_type="legal").get_json()["items"]
    assert [o["id"] for o in legal] == [lawyer.id]
    assert legal[0]["categories"] == ["manage/legal"] and legal[0]["districts"] == ["330106"]
    assert [o["id"] for o in api.get("/organisations", district="330106").get_json()["items"]] == [
        lawyer.id
    ]
    centres = api.get("/organisations", kind=OrgKind.SERVICE_CENTRE.value).get_json()["items"]
    assert [o["slug"] for o in centres] == ["centre"]
    assert error_of(api.get("/organisations", kind="bank"), 422)["field"] == "kind"


def test_one_organisation(api_as, world: World) -> None:
    api = api_as(world.ent_user_1)
    one = api.get(f"/organisations/{world.org_a.id}").get_json()
    assert one["slug"] == "provider-a" and one["kind"] == "provider"
    assert error_of(api.get("/organisations/999999"), 404)["field"] == "organisation_id"


def test_enterprise_pages_and_search(api_as, world: World, make_enterprise) -> None:
    for _ in range(3):
        make_enterprise()
    api = api_as(world.supervisor)
    first = api.get("/enterprises", limit=2).get_json()
    second = api.get("/enterprises", limit=2, before=first["next_before"]).get_json()
    third = api.get("/enterprises", limit=2, before=second["next_before"]).get_json()
    ids = [e["id"] for page in (first, second, third) for e in page["items"]]
    assert len(ids) == len(set(ids)) == 5 and third["next_before"] is None
    found = api.get("/enterprises", uscc=world.enterprise_2.uscc.lower()).get_json()["items"]
    assert [e["id"] for e in found] == [world.enterprise_2.id]
    assert error_of(api.get("/enterprises", uscc="123"), 422)["field"] == "uscc"
    named = api.get("/enterprises", q=world.enterprise_1.name).get_json()["items"]
    assert [e["id"] for e in named] == [world.enterprise_1.id]
