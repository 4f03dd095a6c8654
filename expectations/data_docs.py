"""The Data Docs with no network: GE's templates load jQuery, bootstrap, bootstrap-table and friends from CDNs
(and a logo from a web host, with the data context's id in the query string), so offline the index table stays
empty and every page asks the internet. After each build the pages are pointed at copies of the same files at
the same versions, installed from the npm registry by `make install` (expectations/data_docs_assets/package.json), and
GE's logo at the copy its own site already holds."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "data_docs_assets" / "node_modules"
VENDOR = Path("static") / "vendor"  # inside the site, beside GE's own static/

# the path of each CDN address in GE 1.24's templates → the same file in the npm package
CDN_PATHS = {
    "/npm/vega@5": "vega/build/vega.min.js",
    "/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
    "/ajax/libs/font-awesome/6.6.0/css/all.min.css": "@fortawesome/fontawesome-free/css/all.min.css",
    "/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/dist/bootstrap-table.min.js",
    "/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/dist/bootstrap-table.min.css",
    "/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
}
# font-awesome's stylesheet finds its fonts at ../webfonts/
EXTRA_FOLDERS = ("@fortawesome/fontawesome-free/webfonts",)
LOGO = "/logo-long.png"  # GE's web-hosted logo; the site ships static/images/logo-long.png

# a src or href to an absolute address, with the rest of its tag (for the integrity and crossorigin attributes)
_TAG = re.compile(r"<(script|link|img)\b[^>]*?\b(src|href)=\"(https?://[^\"/]+)(/[^\"?]*)(\?[^\"]*)?\"[^>]*>")
_SRI = re.compile(r"\s(integrity|crossorigin)=\"[^\"]*\"")


class AssetsMissing(RuntimeError):
    pass


def install_vendor_files(site: Path) -> None:
    """Copy the npm files the pages use into the site (once; a build replaces pages, not static/)."""
    missing = [p for p in CDN_PATHS.values() if not (ASSETS / p).exists()]
    if missing:
        raise AssetsMissing(f"the Data Docs' scripts and styles are not installed ({ASSETS}; missing "
                            f"{missing[0]}): run `make install` (npm ci in expectations/data_docs_assets)")
    for relative in (*CDN_PATHS.values(), *EXTRA_FOLDERS):
        source, target = ASSETS / relative, site / VENDOR / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)


def localise_page(page: Path, site: Path) -> list[str]:
    """Point one page's scripts, styles and images at the site's own copies; returns the absolute addresses
    of resources that remain (none, for GE 1.24's templates)."""
    html = page.read_text(encoding="utf-8")
    up = Path(os.path.relpath(site, page.parent))
    left: list[str] = []

    def local(match: re.Match) -> str:
        tag, _, host, path, query = match.groups()
        if path in CDN_PATHS:
            url = (up / VENDOR / CDN_PATHS[path]).as_posix()
        elif tag == "img" and path.endswith(LOGO):
            url = (up / "static" / "images" / "logo-long.png").as_posix()
        else:
            left.append(host + path)
            return match.group(0)
        return _SRI.sub("", match.group(0).replace(host + path + (query or ""), url))

    localised = _TAG.sub(local, html)
    if localised != html:
        page.write_text(localised, encoding="utf-8")
    return left


def make_offline(site: Path) -> list[str]:
    """Make the whole local site render offline; returns the addresses still pointing outside, if any."""
    install_vendor_files(site)
    left = []
    for page in site.rglob("*.html"):
        if VENDOR.as_posix() in page.as_posix():
            continue
        left += localise_page(page, site)
    return sorted(set(left))
