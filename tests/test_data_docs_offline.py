"""The stewards' quality report (GE Data Docs) renders with the machine cut off from any network: served on
127.0.0.1 to Debian's chromium, every request elsewhere (and to file://) refused, every validation of the run is
listed and opens with its results and the failing rows' examples."""

from __future__ import annotations

import functools
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from conftest import launch_chromium
from expectations.suites import build_checks


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_data_docs_render_with_no_network(built_home):
    from playwright.sync_api import sync_playwright

    site = built_home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site"
    gate = json.loads((built_home / "quality" / "last_run.json").read_text(encoding="utf-8"))
    assert not gate["docs_offline"], gate["docs_offline"]
    results = sorted((built_home / "quality" / "gx" / "uncommitted" / "validations").rglob("*.json"))
    pages = sorted(p for p in (site / "validations").rglob("*.html") if f"/{gate['run_id']}/" in p.as_posix())
    tables = {r["table_name"] for r in gate["results"]}
    assert len(pages) == len(tables)  # one page per validated table of the run
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    refused: list[str] = []

    def only_local(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    shots = built_home / "screenshots" / "data_docs"
    shots.mkdir(parents=True, exist_ok=True)
    descriptions = {c.name: (c.expectation.description or "") for c in build_checks()}
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.route("**/*", only_local)
            page = context.new_page()
            page.goto(base + "index.html")
            # bootstrap-table draws the index from its data: without its script the table stays empty
            page.locator("table tbody tr").first.wait_for(timeout=30000)
            assert page.get_by_text(f"of {len(results)} rows").count() == 1
            page.screenshot(path=str(shots / "index.png"))
            for html in pages:
                page.goto(base + html.relative_to(site).as_posix())
                page.get_by_text("Expectation Validation Result").first.wait_for(timeout=30000)
                body = page.inner_text("body")
                table = next(t for t in tables if html.name.endswith(f"-{t}.html"))
                for result in (r for r in gate["results"] if r["table_name"] == table):
                    assert descriptions[result["check_name"]] in body, (table, result["check_name"])
                    if not result["success"] and "rows:" in (result["observed"] or ""):
                        # the failing rows' examples are drawn, not only their count
                        assert "Failing rows" in body
                        example = re.search(r"': '([^']+)'", result["observed"]).group(1)  # its first text value
                        assert example in body, (table, example)
                page.screenshot(path=str(shots / f"{table}.png"), full_page=True)
            # every stylesheet arrived (bootstrap, bootstrap-table, font-awesome …), every script ran (jQuery)
            assert page.evaluate("() => [...document.querySelectorAll('link[rel=stylesheet]')]"
                                 ".every(l => l.sheet && l.sheet.cssRules.length > 0)")
            assert page.evaluate("() => typeof window.jQuery === 'function' && typeof window.vegaEmbed === 'function'")
            browser.close()
    finally:
        server.shutdown()
    assert refused == []  # nothing asked outside 127.0.0.1
    assert any(not r["success"] for r in gate["results"])  # the built run has failing warnings to show
    assert (shots / "index.png").stat().st_size > 10_000
