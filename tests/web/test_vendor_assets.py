"""The vendored browser assets: intact, licensed, as pinned; and the portal loads nothing remote.

``silkhub/web/static/vendor/`` holds third-party files exactly as their npm packages publish
them (see docs/vendor-assets.md). These tests fail when one was edited by hand, when a licence
is missing, or when a template, stylesheet or script starts loading something from the network.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import sys
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = REPO_ROOT / "silkhub" / "web"
VENDOR_DIR = WEB_DIR / "static" / "vendor"
SCRIPT = REPO_ROOT / "scripts" / "refresh_vendor_assets.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_vendor_assets", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


refresh = _load_script()
MANIFEST: dict[str, Any] = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
PACKAGES: dict[str, dict[str, Any]] = {entry["name"]: entry for entry in MANIFEST["packages"]}
FILES: list[dict[str, Any]] = [
    record for entry in MANIFEST["packages"] for record in entry["files"]
]


def _asset(package: str, suffix: str) -> Path:
    (record,) = [
        r for r in PACKAGES[package]["files"] if r["role"] == "asset" and r["path"].endswith(suffix)
    ]
    return VENDOR_DIR / record["path"]


# --- the manifest and the files --------------------------------------------------------------


def test_manifest_matches_the_pins_in_the_script() -> None:
    pinned = {p.directory: (p.npm_name, p.version, p.licence) for p in refresh.PACKAGES}
    recorded = {
        name: (e["source"]["package"], e["version"], e["licence"]) for name, e in PACKAGES.items()
    }
    assert recorded == pinned
    assert {"echarts", "world-geo-json-zh"} <= set(recorded)
    for entry in PACKAGES.values():
        assert entry["source"]["ecosystem"] == "npm"
        assert entry["source"]["version"] == entry["version"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", entry["version"]), "pins are exact versions"


def test_manifest_names_no_host_or_url() -> None:
    text = (VENDOR_DIR / "manifest.json").read_text(encoding="utf-8")
    assert "://" not in text
    assert not re.search(r"registry|npmjs|\.org\b|\.com\b", text, re.IGNORECASE)


@pytest.mark.parametrize("record", FILES, ids=[r["path"] for r in FILES])
def test_vendored_file_matches_manifest_checksum(record: dict[str, Any]) -> None:
    path = VENDOR_DIR / record["path"]
    assert path.is_file(), f"{record['path']} is listed in manifest.json but missing"
    data = path.read_bytes()
    assert len(data) == record["size"]
    assert refresh.sha256_of(data) == record["sha256"], (
        f"{record['path']} differs from what was vendored: do not edit vendored files, "
        "run scripts/refresh_vendor_assets.py instead"
    )


def test_check_mode_finds_nothing_to_report() -> None:
    assert refresh.check(VENDOR_DIR) == []
    assert refresh.main(["--check"]) == 0


def test_check_mode_catches_a_hand_edit_and_a_stray_file(tmp_path: Path) -> None:
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, copy)
    edited = copy / "echarts" / "echarts.min.js"
    edited.write_bytes(edited.read_bytes().replace(b"use strict", b"use sloppy", 1))
    (copy / "echarts" / "extra.js").write_text("alert(1)\n", encoding="utf-8")
    (copy / "world-geo-json-zh" / "LICENSE").unlink()

    problems = refresh.check(copy)

    assert any(p.startswith("echarts/echarts.min.js: sha256 differs") for p in problems)
    assert "echarts/extra.js: not listed in the manifest" in problems
    assert "world-geo-json-zh/LICENSE: missing" in problems
    assert refresh.main(["--check", "--vendor-dir", str(copy)]) == 1


# --- licences --------------------------------------------------------------------------------

LICENCE_WORDING = {
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "Redistributions in binary form must reproduce the above copyright notice",
    "Unlicense": "This is free and unencumbered software released into the public domain.",
}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_every_package_ships_its_licence(name: str) -> None:
    entry = PACKAGES[name]
    licences = [VENDOR_DIR / r["path"] for r in entry["files"] if r["role"] == "licence"]
    assert licences, f"{name} ships no licence file"
    texts = [path.read_text(encoding="utf-8") for path in licences]
    assert LICENCE_WORDING[entry["licence"]] in texts[0]


def test_echarts_ships_its_notice_and_the_licences_of_bundled_code() -> None:
    assert "Apache ECharts" in (VENDOR_DIR / "echarts" / "NOTICE").read_text(encoding="utf-8")
    licence = (VENDOR_DIR / "echarts" / "LICENSE").read_text(encoding="utf-8")
    assert "/licenses/LICENSE-d3" in licence
    assert "Mike Bostock" in (VENDOR_DIR / "echarts" / "licenses" / "LICENSE-d3").read_text(
        encoding="utf-8"
    )
    # ZRender is built into echarts.min.js; its BSD licence ships beside it.
    assert PACKAGES["zrender"]["bundled_in"] == "echarts"
    assert PACKAGES["zrender"]["version"] == PACKAGES["echarts"]["version"]


# --- the files are what they claim to be -----------------------------------------------------


def test_echarts_version_banner_matches_manifest() -> None:
    text = _asset("echarts", "echarts.min.js").read_text(encoding="utf-8")
    assert text.lstrip().startswith("/*\n* Licensed to the Apache Software Foundation (ASF)")
    # The UMD bundle exports `echarts.version = "x.y.z"` exactly once.
    versions = re.findall(r'\.version="([^"]+)"', text)
    assert versions == [PACKAGES["echarts"]["version"]]


def _world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        _asset("world-geo-json-zh", ".json").read_text(encoding="utf-8")
    )
    return data


def test_world_geojson_has_features_with_iso_codes() -> None:
    world = _world()
    assert world["type"] == "FeatureCollection"
    features = world["features"]
    assert len(features) >= 200
    coded = 0
    for feature in features:
        props = feature["properties"]
        assert set(props) >= {"name", "full_name", "iso_a2", "iso_a3", "iso_n3"}
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert props["name"]
        if props["iso_a2"] == "-99":  # no ISO code: Northern Cyprus, Somaliland, Siachen
            continue
        coded += 1
        assert re.fullmatch(r"[A-Z]{2}", props["iso_a2"])
        assert re.fullmatch(r"[A-Z]{3}", props["iso_a3"])
        assert re.fullmatch(r"\d{3}", props["iso_n3"])
    assert coded >= len(features) - 5
    by_code = {f["properties"]["iso_a3"]: f["properties"] for f in features}
    assert by_code["CHN"]["name"] == "中国"
    assert by_code["CHN"]["iso_n3"] == "156"
    assert by_code["SGP"]["iso_a2"] == "SG"


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_taiwan_hong_kong_and_macao_are_drawn_within_china() -> None:
    """The file has no feature of its own for TW, HK or MO: all three are inside 中国 (CN).

    The portal relies on this (docs/vendor-assets.md): figures for them cannot be shaded
    separately on the map, and their names come from silkhub, never from this file. A
    refresh that changes it must revisit that.
    """
    features = _world()["features"]
    codes = {f["properties"]["iso_a2"] for f in features}
    assert not codes & {"TW", "HK", "MO"}
    (china,) = [f for f in features if f["properties"]["iso_a2"] == "CN"]
    assert china["geometry"]["type"] == "MultiPolygon"
    outer_rings = [polygon[0] for polygon in china["geometry"]["coordinates"]]
    for place, point in {"Taiwan": (120.9, 23.7), "Hong Kong": (114.15, 22.42)}.items():
        assert any(_inside(point, ring) for ring in outer_rings), f"{place} not within CN"


# --- the refresh extracts safely -------------------------------------------------------------


def _tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("evil", ["package/../../evil.js", "/etc/evil.js", "../evil.js"])
def test_refresh_refuses_tarball_members_escaping_the_package(tmp_path: Path, evil: str) -> None:
    tarball = _tarball(tmp_path / "evil.tgz", {"package/ok.js": b"1", evil: b"2"})
    with pytest.raises(refresh.VendorError, match="refusing tar member"):
        refresh.read_tarball(tarball)


def test_refresh_reads_regular_files_and_skips_links(tmp_path: Path) -> None:
    tarball = tmp_path / "good.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        info = tarfile.TarInfo("package/dist/a.js")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"abc"))
        link = tarfile.TarInfo("package/LICENSE")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    assert refresh.read_tarball(tarball) == {"dist/a.js": b"abc"}


# --- the portal loads nothing from outside ---------------------------------------------------

_REMOTE = r"""["']?\s*(?:https?:)?//"""
EXTERNAL_LOADS = re.compile(
    "|".join(
        (
            rf"<script\b[^>]*?\bsrc\s*=\s*{_REMOTE}",
            rf"<link\b[^>]*?\bhref\s*=\s*{_REMOTE}",
            rf"@import\s+(?:url\(\s*)?{_REMOTE}",
            rf"\burl\(\s*{_REMOTE}",
            rf"""\bimport\b[^;'"]*?{_REMOTE}""",  # JS modules: import … from / import()
        )
    ),
    re.IGNORECASE,
)
SCANNED_SUFFIXES = {".html", ".htm", ".jinja", ".jinja2", ".j2", ".svg", ".css", ".js", ".mjs"}
SCANNED_SUFFIXES |= {".py", ".xml", ".txt"}


def external_loads(text: str) -> list[str]:
    return [match.group(0) for match in EXTERNAL_LOADS.finditer(text)]


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.example/echarts.min.js"></script>',
        "<script defer\n  src='http://cdn.example/x.js'></script>",
        '<script type="module" src="//cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example/css?family=Noto">',
        '<link\n  href="https://cdn.example/x.css" rel="stylesheet">',
        "@font-face { src: url(https://fonts.example/noto.woff2) format('woff2'); }",
        "body { background: url( 'http://img.example/bg.png'); }",
        '@import url("https://fonts.example/css");',
        "@import 'https://cdn.example/base.css';",
        'import * as echarts from "https://cdn.example/echarts.esm.js";',
        'const m = await import("https://cdn.example/mod.js");',
    ],
)
def test_external_load_detector_flags(snippet: str) -> None:
    assert external_loads(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{{ url_for('static', path='vendor/echarts/echarts.min.js') }}\"></script>",
        '<script src="/static/vendor/echarts/echarts.min.js"></script>',
        '<link rel="stylesheet" href="/static/css/portal.css">',
        '<a href="https://www.apache.org/licenses/LICENSE-2.0">Apache-2.0</a>',
        "@font-face { src: url(/static/fonts/noto.woff2); }",
        "body { background: url('../img/bg.png'); }",
        'import { chart } from "./chart.js";',
        "// see https://echarts.apache.org for the options",
    ],
)
def test_external_load_detector_passes(snippet: str) -> None:
    assert external_loads(snippet) == []


def test_portal_loads_no_script_style_or_font_from_outside() -> None:
    scanned: list[Path] = []
    offenders: list[str] = []
    for path in sorted(WEB_DIR.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in SCANNED_SUFFIXES:
            continue
        if path.is_relative_to(VENDOR_DIR):
            continue  # third-party files as published; checked by checksum above
        scanned.append(path)
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in EXTERNAL_LOADS.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(REPO_ROOT)}:{line}: {match.group(0)!r}")
    assert (WEB_DIR / "__init__.py") in scanned
    assert offenders == [], "the portal must load everything from its own static files"
