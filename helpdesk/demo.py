"""`helpdesk seed --demo`: a believable platform to click through, created through the service.

Idempotent: a second run finds the service centre and changes nothing.
"""

from __future__ import annotations

import heapq
import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import hash_password
from helpdesk.directory.models import (
    Contact,
    Enterprise,
    EnterpriseSize,
    Organisation,
    OrgKind,
    ProviderType,
    Region,
    ServiceCategory,
)
from helpdesk.directory.reference import CITY, REGIONS
from helpdesk.kb.demo import seed_articles
from helpdesk.search import index as search_index
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Priority, Status, TicketType

DEMO_PASSWORD = "hz12345"
# Notifications left unread per person after the history: the newest few, as on a real
# Monday morning; the rest were read back then (a supervisor met ~630 at first login).
KEEP_UNREAD = 8

# login, name, role, organisation slug (or None), what the README says they are for
DEMO_USERS: list[tuple[str, str, Role, str | None, str]] = [
    ("admin", "系统管理员", Role.ADMIN, "centre", "administrator"),
    ("supervisor", "王敏", Role.SUPERVISOR, "centre", "hotline supervisor (班长)"),
    ("agent1", "李娜", Role.AGENT, "centre", "hotline agent (坐席), ext. 8001"),
    ("agent2", "张伟", Role.AGENT, "centre", "hotline agent (坐席), ext. 8002"),
    ("bank1", "陈静", Role.PROVIDER, "hzbank", "provider staff at a bank"),
    ("law1", "刘洋", Role.PROVIDER, "law-tianhe", "provider staff at a law firm"),
    ("ws-xiaoshan", "赵磊", Role.PROVIDER, "ws-330109", "workstation staff, Xiaoshan"),
    ("ent1", "周杰", Role.ENTERPRISE, None, "owner of the first demo enterprise"),
]

# Desk-phone extensions (the CTI answer event's answeringNumber names the agent by it).
DEMO_EXTENSIONS = {"supervisor": "8000", "agent1": "8001", "agent2": "8002"}

# slug, name, provider type, category subtrees served
PROVIDERS: list[tuple[str, str, ProviderType, list[str]]] = [
    ("hzbank", "杭州银行科技支行", ProviderType.FINANCE, ["finance"]),
    ("zjguarantee", "浙江中小企业融资担保有限公司", ProviderType.FINANCE, ["finance"]),
    ("xh-leasing", "西湖融资租赁有限公司", ProviderType.FINANCE, ["finance"]),
    ("hz-ecom", "杭州云商电子商务服务有限公司", ProviderType.TECHNOLOGY, ["tech"]),
    ("qt-it", "钱塘信息技术咨询有限公司", ProviderType.TECHNOLOGY, ["tech"]),
    ("green-energy", "杭州绿能节能科技有限公司", ProviderType.TECHNOLOGY, ["tech"]),
    ("law-tianhe", "浙江天和律师事务所", ProviderType.LEGAL, ["manage"]),
    ("law-qianjiang", "钱江律师事务所", ProviderType.LEGAL, ["manage"]),
    ("law-aid", "杭州商贸法律援助中心", ProviderType.LEGAL, ["manage"]),
    ("tax-advisors", "之江财税咨询有限公司", ProviderType.INTERMEDIARY, ["manage", "info"]),
    ("expo-agency", "杭州会展服务有限公司", ProviderType.INTERMEDIARY, ["market"]),
    ("brand-studio", "西溪品牌设计工作室", ProviderType.INTERMEDIARY, ["manage", "market"]),
    ("expert-retail", "零售管理专家志愿服务团", ProviderType.EXPERT, ["manage", "info"]),
    ("expert-logistics", "物流配送专家志愿服务团", ProviderType.EXPERT, ["market", "tech"]),
    ("expert-policy", "商贸政策专家服务团", ProviderType.EXPERT, ["info"]),
]

INDUSTRIES = ["零售", "批发", "餐饮", "物流", "住宿", "居民服务", "电子商务", "农产品市场"]
SHOP_WORDS = ["鑫源", "百货", "华联", "老字号", "湖畔", "运河", "新农", "钱潮", "江南", "丝路"]
# The enterprises' contact people (the walk of 2026-12-04 read 联系人：联系人18 on the desk).
CONTACT_NAMES = [
    "王建国",
    "李秀英",
    "张海峰",
    "刘丽华",
    "陈志强",
    "杨晓燕",
    "赵永刚",
    "黄美玲",
    "周国平",
    "吴小红",
    "徐卫东",
    "孙丽萍",
    "胡建华",
    "朱晓明",
    "高玉兰",
    "林志伟",
    "何春燕",
    "郭文斌",
    "马丽娟",
    "罗振宇",
]
SHOP_KINDS = ["商贸有限公司", "超市有限公司", "物流有限公司", "餐饮管理有限公司", "贸易商行"]
SUBJECTS: dict[str, list[str]] = {
    "finance": ["想申请一笔流动资金贷款", "咨询担保贷款办理条件", "需要融资租赁冷链设备"],
    "info": ["咨询最新商贸扶持政策", "想了解行业人才招聘信息", "申请参加政策解读讲座"],
    "market": ["想报名参加年货节展销", "寻找联合采购合作伙伴", "需要区域市场分析报告"],
    "tech": ["想开网店，需要电商辅导", "门店收银系统升级咨询", "冷库节能改造咨询"],
    "manage": ["合同纠纷需要法律咨询", "需要品牌设计服务", "小微企业税务筹划咨询"],
    "complaint": ["服务机构迟迟未联系", "对上次服务结果不满意"],
}

# The demo's titles, per service category, so a ticket's title fits its category (the walk of
# 2026-12-04 found a 典当 ticket titled 需要融资租赁冷链设备): SUBJECTS[platform] is still drawn
# from, in the same order, so the demo keeps its same tickets; the draw's place picks the title.
CATEGORY_SUBJECTS: dict[str, list[str]] = {
    "info/policy": [
        "咨询最新商贸扶持政策",
        "询问社区商业网点补贴申报",
        "了解新出台的零售业管理规定",
    ],
    "info/talent": ["想了解行业人才招聘信息", "需要招聘冷链物流司机", "咨询门店店长培养计划"],
    "info/supply-demand": ["寻找农产品稳定货源", "发布闲置仓储空间信息", "寻找本地食品供应商"],
    "info/targeted": ["订阅餐饮行业动态简报", "希望获得本区商圈客流信息", "需要批发行业价格信息"],
    "info/lectures": ["申请参加政策解读讲座", "报名参加合同法讲座", "咨询经营管理公开课安排"],
    "finance/bank-matchmaking": [
        "想申请一笔流动资金贷款",
        "希望对接银行办理信用贷款",
        "咨询银企对接会报名",
    ],
    "finance/guarantee": ["咨询担保贷款办理条件", "申请融资担保费补贴", "担保贷款到期续保咨询"],
    "finance/pawn": ["咨询库存商品典当融资", "了解典当借款利率和期限", "想用设备办理典当周转"],
    "finance/leasing": ["需要融资租赁冷链设备", "咨询配送车辆融资租赁", "想租赁收银及货架设备"],
    "finance/factoring": ["应收账款保理融资咨询", "咨询供应链保理业务", "了解保理费用和办理流程"],
    "finance/insurance": ["咨询仓库财产保险", "了解货物运输保险", "门店公众责任险咨询"],
    "finance/microloan": ["申请小额贷款用于进货", "咨询小额贷款审批时间", "想了解创业小额贷款贴息"],
    "finance/payment": ["咨询开通聚合收款码", "第三方支付到账延迟", "了解支付手续费优惠"],
    "finance/products": ["了解新的供应链金融产品", "咨询税贷通办理条件", "想了解订单融资产品"],
    "finance/credit": ["咨询企业信用评级办理", "想修复企业信用记录", "查询企业征信报告"],
    "market/exhibition": ["想报名参加年货节展销", "咨询参加进口博览会", "申请展位费补贴"],
    "market/negotiation": ["想参加商贸洽谈会", "寻找外地采购商洽谈", "申请参加产销对接会"],
    "market/promotion": [
        "想报名参加双十二促销活动",
        "咨询消费券活动参与方式",
        "申请参加夜间经济节",
    ],
    "market/matchmaking": ["寻找农商对接合作伙伴", "希望对接文旅企业合作", "寻找本地制造企业供货"],
    "market/joint-purchasing": [
        "寻找联合采购合作伙伴",
        "咨询共同配送服务",
        "想加入社区团购联合采购",
    ],
    "market/analysis": ["需要区域市场分析报告", "咨询行业价格走势预警", "想了解商圈消费数据"],
    "tech/it": ["门店收银系统升级咨询", "需要进销存软件选型建议", "想建设会员管理系统"],
    "tech/process": ["咨询电子发票接入", "希望优化订单处理流程", "想上线线上订货平台"],
    "tech/ecommerce": ["想开网店，需要电商辅导", "咨询直播带货培训", "需要网店推广方案"],
    "tech/energy": ["冷库节能改造咨询", "门店照明节能改造补贴", "咨询空调系统节能改造"],
    "manage/diagnosis": ["申请企业管理诊断", "希望改进门店管理制度", "咨询连锁经营管理方案"],
    "manage/legal": ["合同纠纷需要法律咨询", "遇到商标侵权需要维权", "劳动争议需要律师帮助"],
    "manage/brand": ["需要品牌设计服务", "想重新设计门店形象", "咨询商标注册与品牌推广"],
    "manage/finance-tax": ["小微企业税务筹划咨询", "咨询增值税优惠政策", "需要代理记账服务"],
    "manage/startup": ["咨询开办公司的流程", "申请创业导师辅导", "想了解个体户转企业"],
    "manage/training": ["报名参加店长培训", "咨询员工服务礼仪培训", "希望安排财务人员培训"],
    "complaint/service": ["服务机构迟迟未联系", "对上次服务结果不满意"],
    "complaint/provider": ["服务机构收费不透明", "服务机构承诺未兑现"],
    "complaint/platform": ["热线电话长时间无人接听", "坐席答复不准确"],
}

# A demo ticket's description tells its own subject, in the words of the way it came in.
OPENINGS = {
    Channel.PHONE: "企业来电反映：",
    Channel.CHAT: "企业在线咨询：",
    Channel.PORTAL: "企业在门户提出：",
    Channel.WALK_IN: "企业来访反映：",
}
ASKS = ["请尽快联系。", "希望本周内答复。", "请告知需要准备的材料。"]


def _uscc(rng: random.Random, district: str) -> str:
    body = (
        "91" + district + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body + "0")


def seed_demo(session: Session, tickets: int = 300) -> bool:
    """Create the demo platform; False when it is already there."""
    if session.scalars(select(Organisation).where(Organisation.slug == "centre")).first():
        return False
    rng = random.Random(2013)
    orgs = _organisations(session)
    enterprises = _enterprises(session, rng)
    users = _users(session, orgs, enterprises[0])
    seed_articles(session, users["agent1"], users["supervisor"])
    _tickets(session, rng, tickets, orgs, enterprises, users)
    _settle_history(session)
    return True


def _organisations(session: Session) -> dict[str, Organisation]:
    regions = {r.code: r for r in session.scalars(select(Region))}
    top = {c.code: c for c in session.scalars(select(ServiceCategory)) if c.parent_code is None}
    everything = [c for c in top.values() if c.code != "complaint"]
    orgs: dict[str, Organisation] = {}
    orgs["centre"] = Organisation(
        slug="centre",
        name="杭州市中小商贸流通企业服务中心",
        kind=OrgKind.SERVICE_CENTRE,
        capacity=10_000,
        regions=list(regions.values()),
        categories=list(top.values()),
        phone="+8657187001234",
    )
    for code, zh, _en in REGIONS:
        if code == CITY:
            continue
        orgs[f"ws-{code}"] = Organisation(
            slug=f"ws-{code}",
            name=f"{zh}商务局工作站",
            kind=OrgKind.WORKSTATION,
            capacity=200,
            regions=[regions[code]],
            categories=everything,
        )
    orgs["assoc-retail"] = Organisation(
        slug="assoc-retail",
        name="杭州市零售商业行业协会联系点",
        kind=OrgKind.CONTACT_POINT,
        capacity=80,
        regions=[regions[CITY]],
        categories=[top["info"], top["market"]],
    )
    for slug, name, ptype, cats in PROVIDERS:
        orgs[slug] = Organisation(
            slug=slug,
            name=name,
            kind=OrgKind.PROVIDER,
            provider_type=ptype,
            capacity=60,
            regions=list(regions.values()),
            categories=[top[c] for c in cats],
        )
    session.add_all(orgs.values())
    session.flush()
    return orgs


def _enterprises(session: Session, rng: random.Random) -> list[Enterprise]:
    districts = [code for code, _zh, _en in REGIONS if code != CITY]
    result = []
    for i in range(20):
        district = districts[i % len(districts)]
        name = f"杭州{SHOP_WORDS[i % len(SHOP_WORDS)]}{SHOP_KINDS[i % len(SHOP_KINDS)]}"
        if i >= len(SHOP_WORDS):
            name = name.replace("杭州", f"杭州{REGIONS[1 + i % 13][1][:2]}")
        enterprise = Enterprise(
            name=name,
            uscc=_uscc(rng, district),
            district_code=district,
            industry=INDUSTRIES[i % len(INDUSTRIES)],
            size=list(EnterpriseSize)[i % 3],
            address=f"杭州市某路{100 + i}号",
            tags=["一对一"] if i % 5 == 0 else [],
        )
        enterprise.contacts = [Contact(name=CONTACT_NAMES[i], phone=f"+86138{57100000 + i:08d}")]
        result.append(enterprise)
    session.add_all(result)
    session.flush()
    for enterprise in result:
        search_index.enterprise_changed(session, enterprise)
    return result


def _users(
    session: Session, orgs: dict[str, Organisation], first_enterprise: Enterprise
) -> dict[str, User]:
    users = {}
    for login, name, role, org_slug, _note in DEMO_USERS:
        users[login] = User(
            login=login,
            name=name,
            role=role,
            # hashed for each person: one shared hash would give every demo user the same salt
            password_hash=hash_password(DEMO_PASSWORD),
            organisation_id=orgs[org_slug].id if org_slug else None,
            enterprise_id=first_enterprise.id if role is Role.ENTERPRISE else None,
            extension=DEMO_EXTENSIONS.get(login),
            skills=["finance", "manage"] if login == "agent1" else ["info", "market", "tech"],
        )
    session.add_all(users.values())
    session.flush()
    return users


def _tickets(
    session: Session,
    rng: random.Random,
    count: int,
    orgs: dict[str, Organisation],
    enterprises: list[Enterprise],
    users: dict[str, User],
) -> None:
    """Tickets spread over the last 30 days, walked through the lifecycle by the service."""
    categories = [c for c in session.scalars(select(ServiceCategory)) if c.parent_code]
    real_now = clock.now()
    started = real_now - timedelta(days=30)
    agent, supervisor = users["agent1"], users["supervisor"]
    try:
        for i in range(count):
            clock.freeze(started + timedelta(minutes=i * 30 * 24 * 60 // count))
            category = rng.choice(categories)
            platform = category.parent_code or "info"
            enterprise = rng.choice(enterprises)
            # Drawn in the order the demo always drew them, so its tickets stay the same ones.
            drawn = rng.choice(SUBJECTS[platform])
            titles = CATEGORY_SUBJECTS.get(category.code) or SUBJECTS[platform]
            subject = titles[SUBJECTS[platform].index(drawn) % len(titles)]
            kind = (
                TicketType.COMPLAINT
                if platform == "complaint"
                else rng.choice([TicketType.REQUEST, TicketType.REQUEST, TicketType.INQUIRY])
            )
            channel = rng.choice(list(Channel))
            ask = rng.choice(ASKS[: len(SUBJECTS[platform])])
            ticket = service.create(
                session,
                agent,
                service.NewTicket(
                    subject=subject,
                    category=category.code,
                    type=kind,
                    channel=channel,
                    enterprise_id=enterprise.id,
                    description=f"{OPENINGS[channel]}{subject}，{ask}",
                    priority=rng.choice([Priority.NORMAL] * 6 + [Priority.HIGH, Priority.URGENT]),
                    contact_phone=enterprise.contacts[0].phone,
                    contact_name=enterprise.contacts[0].name,
                ),
            )
            _walk(session, rng, ticket, orgs, enterprise, agent, supervisor, real_now)
    finally:
        clock.unfreeze()


def _walk(session, rng, ticket, orgs, enterprise, agent, supervisor, real_now) -> None:
    """Move a ticket a random distance along its lifecycle, the way people would."""
    steps = rng.choice([0, 1, 2, 3, 3, 4, 5, 5, 6, 6, 7, 7, 7])
    if steps == 0:
        return
    platform = ticket.category_code.split("/")[0]
    providers = [
        o
        for o in orgs.values()
        if o.kind is OrgKind.PROVIDER and any(c.code == platform for c in o.categories)
    ]
    target = (
        rng.choice(providers)
        if providers and rng.random() < 0.6
        else orgs[f"ws-{enterprise.district_code}"]
    )
    if ticket.status is Status.NEW:  # the routing rules left it in the centre's queue
        service.assign(session, agent, ticket, target.id)
    for step, act in enumerate(("accept", "start", "pend", "resume", "resolve", "close"), 2):
        if step > steps:
            break
        step_time = timedelta(hours=rng.randint(1, 20))
        if clock.now() + step_time > real_now:  # the demo's history never runs into the future
            break
        clock.advance(step_time)
        if act == "accept":
            service.accept(session, agent, ticket)
        elif act == "start":
            service.start(session, agent, ticket)
        elif act == "pend":
            service.pend(session, agent, ticket, "等待企业补充材料")
        elif act == "resume":
            service.comment(session, agent, ticket, "企业已补充材料。")
            service.resume(session, agent, ticket)
        elif act == "resolve":
            service.resolve(session, agent, ticket, "已与企业对接，问题已解决。")
        else:
            service.close(session, supervisor, ticket)


def _settle_history(session: Session) -> None:
    """Fire the SLA ladder steps the 30 days of history made due, each at the time it fell
    due, and mark what they told people as read but the newest KEEP_UNREAD per person.
    Otherwise the first worker fires them all at once (catch_up) and the supervisor's bell
    reads ~630 on first login."""
    from sqlalchemy import update

    from helpdesk.notifications.models import Notification
    from helpdesk.sla import escalation
    from helpdesk.sla.timers import next_timers

    real_now = clock.now()
    session.commit()  # fire() commits step by step; the history must be there first
    # In the order they fell due, across tickets: the timeline reads as it would have.
    due = [(at, stage_id) for stage_id, at in next_timers(session) if at <= real_now]
    heapq.heapify(due)
    tried: set[int] = set()
    try:
        while due:
            fire_at, stage_id = heapq.heappop(due)
            if stage_id in tried:  # a stage fire() left pending: once is enough
                continue
            tried.add(stage_id)
            clock.freeze(fire_at)
            outcome = escalation.fire(session, stage_id, wait=False)
            if outcome.ticket_id is not None:  # firing one makes the ticket's next the earliest
                for following, at in next_timers(session, [outcome.ticket_id]):
                    if at <= real_now:
                        heapq.heappush(due, (at, following))
    finally:
        clock.unfreeze()
    for user_id in session.scalars(select(Notification.user_id).distinct()).all():
        keep = select(Notification.id).where(Notification.user_id == user_id)
        keep = keep.order_by(Notification.created_at.desc(), Notification.id.desc())
        session.execute(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.read_at.is_(None),
                Notification.id.not_in(keep.limit(KEEP_UNREAD).scalar_subquery()),
            )
            .values(read_at=Notification.created_at)
        )
