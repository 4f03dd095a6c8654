"""The warehouse describes itself: every published table and column carries its description as a database
comment — the dbt YAML's words (models and the sources of the tables planwatch writes itself) — in the working
marts (dbt's persist_docs) and in the published copy a BI tool opens."""

from __future__ import annotations

import json

import duckdb


def test_every_published_table_and_column_is_described(built_home):
    published = built_home / "published" / "planwatch.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute("select schema_name, table_name, comment from duckdb_tables() order by all").fetchall()
        undescribed_columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where not internal and coalesce(comment, '') = '' order by all").fetchall()
        comment = con.execute("select comment from duckdb_columns() where schema_name = 'marts' and "
                              "table_name = 'fct_plan_progress' and column_name = 'completion_rate'").fetchone()[0]
        columns = con.execute("select count(*) from duckdb_columns() where not internal").fetchone()[0]
    assert {s for s, _t, _c in tables} == {"marts", "quality", "review"}
    assert [(s, t) for s, t, c in tables if not c] == []
    assert undescribed_columns == [] and columns > 200
    manifest = json.loads((built_home / "dbt" / "target" / "manifest.json").read_text(encoding="utf-8"))
    node = manifest["nodes"]["model.planwatch.fct_plan_progress.v1"]
    assert comment == " ".join(node["columns"]["completion_rate"]["description"].split())


def test_the_working_marts_are_described_by_dbt(built_home):
    with duckdb.connect(str(built_home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from duckdb_tables() where schema_name = 'marts' and "
                           "coalesce(comment, '') = ''").fetchone()[0] == 0
        # the observation mart is a view of the intermediate store: described like the tables
        assert con.execute("select count(*) from duckdb_views() where schema_name = 'marts' and "
                           "coalesce(comment, '') <> ''").fetchone()[0] == 1
        assert con.execute("select count(*) from duckdb_columns() where schema_name = 'marts' and "
                           "coalesce(comment, '') = ''").fetchone()[0] == 0


def test_the_docs_site_opens_from_a_file(built_home, tmp_path):
    """`planwatch docs` writes the dbt docs site as one file (manifest and catalog inside); opened from disk in
    chromium it shows a model's description — not "This is not currently documented"."""
    import shutil

    from playwright.sync_api import sync_playwright

    from conftest import launch_chromium, planwatch_cli

    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    out = planwatch_cli("docs", home=home).stdout
    site = home / "dbt" / "target" / "static_index.html"
    assert str(site) in out and site.stat().st_size > 1_000_000
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.goto(f"{site.as_uri()}#!/model/model.planwatch.fct_plan_progress.v1")
        page.get_by_text("completion_rate").first.wait_for(state="attached", timeout=60000)
        page.get_by_text("Where each 14th-plan indicator stands against its target").first.wait_for(timeout=60000)
        # Angular draws its placeholder first and the model's words when the page has read them
        page.wait_for_function("!document.body.innerText.includes('not currently documented')", timeout=20000)
        text = page.inner_text("body")
        browser.close()
    assert "not currently documented" not in text and "fct_plan_progress" in text
