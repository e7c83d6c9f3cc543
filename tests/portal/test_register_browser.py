"""The registration form in a real browser: the credit code picks the district."""

from __future__ import annotations

import pytest
from chromium import PHONE, SHOTS, launched
from realtime.live import Web, rt_redis, web  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_typing_the_credit_code_preselects_its_district(web: Web) -> None:  # noqa: F811
    """The district stayed at 上城区 whatever code was typed; 91330106... is 西湖区. A district
    the enterprise picked itself is kept."""
    with launched() as browser:
        page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
        page.goto(f"{web.base}/portal/register?lang=zh_CN")
        district = "[name=district]"
        assert page.eval_on_selector(district, "e => e.value") == ""
        page.fill("[name=uscc]", "91330106MA2ABCDE0")
        assert page.eval_on_selector(district, "e => e.selectedOptions[0].text") == "西湖区"
        page.screenshot(path=str(SHOTS / "register-district-from-code.png"))
        page.fill("[name=uscc]", "91110105MA2ABCDE0")  # Beijing: not served here
        assert page.eval_on_selector(district, "e => e.value") == ""
        page.select_option(district, "330102")
        page.fill("[name=uscc]", "91330108MA2ABCDE0")
        assert page.eval_on_selector(district, "e => e.value") == "330102"
