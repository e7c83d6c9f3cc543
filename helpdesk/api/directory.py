"""Directory reads: regions, the service catalogue tree, organisations and enterprises."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.api import bodies, present
from helpdesk.api import schemas as out
from helpdesk.api.registry import db_session, route
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import (
    Enterprise,
    Organisation,
    Region,
    ServiceCategory,
    organisation_category,
    organisation_region,
)
from helpdesk.directory.validation import validate_uscc
from helpdesk.errors import Forbidden, NotFound

TAG = "directory"


@route("/regions", summary="Hangzhou's districts and counties", tag=TAG, response=out.RegionList)
def regions(user: User) -> out.RegionList:
    rows = db_session().scalars(select(Region).order_by(Region.code))
    return out.RegionList(
        items=[out.CodeName(code=r.code, name_zh=r.name_zh, name_en=r.name_en) for r in rows]
    )


@route("/categories", summary="The service catalogue as a tree", tag=TAG, response=out.CategoryTree)
def categories(user: User) -> out.CategoryTree:
    rows = db_session().scalars(
        select(ServiceCategory).order_by(ServiceCategory.position, ServiceCategory.code)
    )
    nodes: dict[str, out.CategoryNode] = {}
    roots: list[out.CategoryNode] = []
    pending = list(rows)
    for row in pending:
        nodes[row.code] = out.CategoryNode(
            code=row.code, name_zh=row.name_zh, name_en=row.name_en, children=[]
        )
    for row in pending:
        parent = nodes.get(row.parent_code) if row.parent_code else None
        (parent.children if parent else roots).append(nodes[row.code])
    return out.CategoryTree(items=roots)


@route(
    "/organisations",
    summary="Service centre, workstations, contact points and providers",
    tag=TAG,
    query=bodies.OrganisationQuery,
    response=out.OrganisationList,
)
def organisations(user: User, query: bodies.OrganisationQuery) -> out.OrganisationList:
    stmt = select(Organisation).order_by(Organisation.id)
    if query.kind:
        stmt = stmt.where(Organisation.kind == query.kind)
    if query.provider_type:
        stmt = stmt.where(Organisation.provider_type == query.provider_type)
    if query.district:
        served = select(organisation_region.c.organisation_id).where(
            organisation_region.c.region_code == query.district
        )
        stmt = stmt.where(Organisation.id.in_(served))
    if query.category:
        served = select(organisation_category.c.organisation_id).where(
            organisation_category.c.category_code == query.category
        )
        stmt = stmt.where(Organisation.id.in_(served))
    rows = db_session().scalars(stmt)
    return out.OrganisationList(items=[present.organisation(o) for o in rows])


@route(
    "/organisations/<id:organisation_id>",
    summary="One organisation",
    tag=TAG,
    response=out.OrganisationOut,
    errors=(404,),
)
def organisation(user: User, organisation_id: int) -> out.OrganisationOut:
    row = db_session().get(Organisation, organisation_id)
    if row is None:
        raise NotFound(f"organisation {organisation_id} not found", field="organisation_id")
    return present.organisation(row)


@route(
    "/enterprises",
    summary="Enterprises, newest first, one keyset page at a time (staff only)",
    tag=TAG,
    query=bodies.EnterpriseQuery,
    response=out.EnterprisePage,
    allowed=permissions.can_list_enterprises,
)
def enterprises(user: User, query: bodies.EnterpriseQuery) -> out.EnterprisePage:
    if not permissions.can_list_enterprises(user):
        raise Forbidden(f"a {user.role.value} may not list enterprises")
    stmt = select(Enterprise).order_by(Enterprise.id.desc()).limit(query.limit + 1)
    if query.q:
        stmt = stmt.where(Enterprise.name.contains(query.q, autoescape=True))
    if query.uscc:
        stmt = stmt.where(Enterprise.uscc == validate_uscc(query.uscc))
    if query.district:
        stmt = stmt.where(Enterprise.district_code == query.district)
    if query.before:
        stmt = stmt.where(Enterprise.id < query.before)
    rows = list(db_session().scalars(stmt).unique())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return out.EnterprisePage(
        items=[present.enterprise(user, e) for e in rows],
        next_before=rows[-1].id if more and rows else None,
    )


@route(
    "/enterprises/<id:enterprise_id>",
    summary="One enterprise with its contacts (staff, or the enterprise's own users)",
    tag=TAG,
    response=out.EnterpriseOut,
    errors=(404,),
)
def enterprise(user: User, enterprise_id: int) -> out.EnterpriseOut:
    row = db_session().get(Enterprise, enterprise_id)
    return present.enterprise(user, permissions.ensure_enterprise_visible(user, row, enterprise_id))
