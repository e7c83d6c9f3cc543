"""Reference data every installation has: Hangzhou's districts and the service catalogue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Region, ServiceCategory

CITY = "330100"

# GB/T 2260 codes
REGIONS: list[tuple[str, str, str]] = [
    ("330100", "杭州市", "Hangzhou (city-wide)"),
    ("330102", "上城区", "Shangcheng"),
    ("330105", "拱墅区", "Gongshu"),
    ("330106", "西湖区", "Xihu"),
    ("330108", "滨江区", "Binjiang"),
    ("330109", "萧山区", "Xiaoshan"),
    ("330110", "余杭区", "Yuhang"),
    ("330111", "富阳区", "Fuyang"),
    ("330112", "临安区", "Lin'an"),
    ("330113", "临平区", "Linping"),
    ("330114", "钱塘区", "Qiantang"),
    ("330122", "桐庐县", "Tonglu"),
    ("330127", "淳安县", "Chun'an"),
    ("330182", "建德市", "Jiande"),
]

# The five service platforms of the seed (任务四), their sub-services, and complaints.
CATALOGUE: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "info",
        "信息咨询",
        "Information & consulting",
        [
            ("policy", "商贸政策法规", "Trade policy and regulations"),
            ("talent", "人才信息", "Talent information"),
            ("supply-demand", "服务供需信息", "Supply and demand information"),
            ("targeted", "定向信息服务", "Targeted information for a trade or district"),
            ("lectures", "法律政策经济管理讲座", "Lectures on law, policy, economics, management"),
        ],
    ),
    (
        "finance",
        "投资融资",
        "Investment & financing",
        [
            ("bank-matchmaking", "银企对接", "Bank-enterprise matchmaking"),
            ("guarantee", "担保", "Guarantee"),
            ("pawn", "典当", "Pawn"),
            ("leasing", "融资租赁", "Financial leasing"),
            ("factoring", "商业保理", "Commercial factoring"),
            ("insurance", "保险", "Insurance"),
            ("microloan", "小额贷款", "Micro-loans"),
            ("payment", "第三方支付", "Third-party payment"),
            ("products", "融资新产品", "New financing products"),
            ("credit", "征信与信用评级", "Credit collection and rating"),
        ],
    ),
    (
        "market",
        "市场开拓",
        "Market development",
        [
            ("exhibition", "展览展销", "Exhibitions and trade fairs"),
            ("negotiation", "贸易洽谈", "Trade negotiations"),
            ("promotion", "节庆促销", "Festival promotions"),
            ("matchmaking", "跨产业对接", "Cross-industry matchmaking"),
            ("joint-purchasing", "联合采购与共同配送", "Joint purchasing and common distribution"),
            ("analysis", "市场分析与预警", "Market analysis, forecasts and early warnings"),
        ],
    ),
    (
        "tech",
        "科技应用",
        "Technology application",
        [
            ("it", "信息化建设", "IT adoption"),
            ("process", "业务流程与交易方式优化", "Process and transaction digitalisation"),
            ("ecommerce", "电子商务与网络营销", "E-commerce and online marketing"),
            ("energy", "节能增效改造", "Energy-saving and efficiency retrofits"),
        ],
    ),
    (
        "manage",
        "管理创优",
        "Management excellence",
        [
            ("diagnosis", "管理诊断与咨询", "Management diagnosis and consulting"),
            ("legal", "法律与维权", "Legal help and rights protection"),
            ("brand", "品牌设计与传播", "Brand design and communication"),
            ("finance-tax", "财务管理与税务", "Finance and tax"),
            ("startup", "创业辅导与代理", "Start-up coaching and agency"),
            ("training", "经营管理培训", "Professional training"),
        ],
    ),
    (
        "complaint",
        "投诉",
        "Complaints",
        [
            ("service", "服务质量投诉", "Service quality"),
            ("provider", "服务机构投诉", "A service provider"),
            ("platform", "平台与坐席投诉", "The platform or an agent"),
        ],
    ),
]


def ensure_reference_data(session: Session) -> None:
    """Insert or update districts; insert the catalogue entries that are missing. Safe to run
    on every upgrade. An existing catalogue entry is left as it is: its names, order and
    retirement are edited in the operations console (/admin/catalogue) and must survive."""
    for code, zh, en in REGIONS:
        session.merge(Region(code=code, name_zh=zh, name_en=en))
    existing = {code for (code,) in session.execute(select(ServiceCategory.code))}
    for position, (code, zh, en, children) in enumerate(CATALOGUE):
        if code not in existing:
            session.add(
                ServiceCategory(
                    code=code, parent_code=None, name_zh=zh, name_en=en, position=position
                )
            )
            session.flush()
        for child_position, (child, czh, cen) in enumerate(children):
            if f"{code}/{child}" in existing:
                continue
            session.add(
                ServiceCategory(
                    code=f"{code}/{child}",
                    parent_code=code,
                    name_zh=czh,
                    name_en=cen,
                    position=child_position,
                )
            )
    session.flush()
