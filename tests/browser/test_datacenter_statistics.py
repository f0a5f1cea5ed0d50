"""The data centre's 统计分析 page in a real browser: the county chart names the counties, the trend
chart is drawn, and the enterprise / major-hazard map is a canvas of real size, drawn from the
records' coordinates without any map tiles or other outside resource."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.browser.test_datacenter_records import KT_USCC, api, word  # noqa: F401 — api is a fixture


def test_the_statistics_page_draws_the_county_chart_and_the_map(page: Page, api):  # noqa: F811
    # A major hazard source with coordinates near 崆峒区, so the map has at least one point.
    r = api.post("/api/v1/major-hazards", json={
        "uscc": KT_USCC, "unit_type": "storage", "unit_name": f"液氨储罐区 {word()}",
        "chemicals": [{"cas": "7664-41-7", "name": "氨", "max_quantity_t": 20}], "population_500m": 0,
        "assessed_on": "2025-05-10", "principal_person": "张主任", "technical_person": "李工程",
        "operation_person": "王班长", "filing_status": "unfiled", "lon": 106.70, "lat": 35.52})
    assert r.status_code == 201, r.text
    hazard = r.json()
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)

    try:
        log_in(page, "city-admin", "/app/datacenter/")
        page.get_by_test_id("nav-statistics").click()
        expect(page.get_by_test_id("dc-statistics")).to_be_visible()

        county = page.get_by_test_id("dc-chart-region")
        for name in ("崆峒区", "泾川县", "华亭市"):
            expect(county.locator("svg text", has_text=name).first).to_be_visible()
        expect(page.get_by_test_id("dc-chart-trend").locator("svg")).to_be_visible()
        expect(page.get_by_test_id("dc-total-enterprises")).to_contain_text(re.compile(r"\d"))

        canvas = page.get_by_test_id("dc-map").locator("canvas").first
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300, box
        expect(page.get_by_test_id("dc-map-note")).to_contain_text(re.compile(r"重大危险源 [1-9]\d* 处已标注坐标"))
        assert outside == []  # everything is drawn locally
    finally:
        api.delete(f"/api/v1/major-hazards/{hazard['id']}", params={"version": hazard["version"]})
