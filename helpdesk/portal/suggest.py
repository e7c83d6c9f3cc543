"""A category suggested from what the enterprise typed: plain words for the five platforms.

Pure: a keyword table and a count, no database. The enterprise can always pick another one.
"""

from __future__ import annotations

KEYWORDS: dict[str, tuple[str, ...]] = {
    "finance/guarantee": ("担保", "guarantee"),
    "finance/bank-matchmaking": ("贷款", "银行", "融资", "资金", "loan", "bank", "financing"),
    "finance/microloan": ("小额贷款", "小贷", "micro-loan", "microloan"),
    "finance/leasing": ("租赁", "leasing"),
    "finance/factoring": ("保理", "应收账款", "factoring"),
    "finance/insurance": ("保险", "insurance"),
    "finance/credit": ("征信", "信用", "credit"),
    "finance/payment": ("支付", "收款", "payment"),
    "info/policy": ("政策", "补贴", "法规", "申报", "policy", "subsidy", "regulation"),
    "info/talent": ("招聘", "人才", "用工", "recruit", "talent", "staff"),
    "info/supply-demand": ("供需", "货源", "供应商", "supplier", "supply"),
    "info/lectures": ("讲座", "培训班", "lecture", "seminar"),
    "market/exhibition": ("展会", "展销", "博览会", "exhibition", "trade fair", "expo"),
    "market/negotiation": ("洽谈", "订单", "negotiation"),
    "market/promotion": ("促销", "节庆", "promotion"),
    "market/joint-purchasing": ("采购", "配送", "物流", "purchasing", "logistics", "delivery"),
    "market/analysis": ("市场分析", "行情", "预警", "market analysis", "forecast"),
    "tech/ecommerce": ("电商", "网店", "直播", "网络营销", "e-commerce", "online shop"),
    "tech/it": ("信息化", "软件", "系统", "数字化", "software", "digital"),
    "tech/energy": ("节能", "能耗", "energy"),
    "manage/legal": (
        "法律",
        "维权",
        "合同",
        "纠纷",
        "律师",
        "lawyer",
        "legal",
        "contract",
        "dispute",
    ),
    "manage/finance-tax": ("税", "财务", "发票", "记账", "tax", "invoice", "accounting"),
    "manage/brand": ("品牌", "商标", "设计", "brand", "trademark"),
    "manage/startup": ("创业", "注册公司", "开店", "start-up", "startup"),
    "manage/training": ("培训", "training"),
    "manage/diagnosis": ("管理咨询", "诊断", "consulting", "management"),
}


def suggest(text: str) -> str | None:
    """The sub-service whose words appear most often (longer words weigh more); None if none."""
    lowered = (text or "").lower()
    if not lowered.strip():
        return None
    best, best_score = None, 0
    for code, words in KEYWORDS.items():
        score = sum(len(word) for word in words if word in lowered)
        if score > best_score:
            best, best_score = code, score
    return best
