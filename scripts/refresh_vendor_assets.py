"""Refresh, or check, the third-party browser assets vendored into the silkhub package.

The web portal works offline: every script and map shape it uses ships inside the Python
package, under ``silkhub/web/static/vendor/``. Nothing on PyPI ships them, so they come from
npm packages, pinned in ``PACKAGES`` below, and are kept byte for byte as published, next to
their licence files. ``manifest.json`` in that folder records, for every package, its version,
licence and source, and the sha256 and size of every file.

    python scripts/refresh_vendor_assets.py          # fetch the pinned packages with `npm pack`
    python scripts/refresh_vendor_assets.py --check  # verify the files against the manifest

The default mode needs ``npm`` on PATH (installing silkhub does not: the files are committed).
``--check`` needs no network and no Node.js; it exits 1 when anything differs. Standard
library only, so it runs before silkhub's dependencies are installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import posixpath
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO_ROOT / "silkhub" / "web" / "static" / "vendor"
MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA = 1


@dataclass(frozen=True)
class VendorFile:
    """One file taken from a package: where it is in the npm tarball, where it goes."""

    source: str  # path inside the tarball, below its top-level ``package/`` folder
    target: str  # path below ``vendor/<package dir>/``
    role: str  # "asset", "licence", "notice" or "readme"


@dataclass(frozen=True)
class VendorPackage:
    directory: str  # folder below vendor/, also the package's name in the manifest
    npm_name: str
    version: str  # an exact version, never a range
    licence: str  # SPDX expression, as the package's own package.json declares it
    files: tuple[VendorFile, ...]
    # Set when nothing of this package is served on its own, because its code is built into
    # another pinned package's file; its licence still has to ship. The refresh checks that
    # the other package depends on exactly this version.
    bundled_in: str | None = None


# The pins. Change a version here, run this script, review the diff, commit.
PACKAGES: tuple[VendorPackage, ...] = (
    VendorPackage(
        directory="echarts",
        npm_name="echarts",
        version="6.1.0",
        licence="Apache-2.0",
        files=(
            VendorFile("dist/echarts.min.js", "echarts.min.js", "asset"),
            VendorFile("LICENSE", "LICENSE", "licence"),
            VendorFile("NOTICE", "NOTICE", "notice"),
            # LICENSE points at licenses/LICENSE-d3 for the d3 code built into the bundle.
            VendorFile("licenses/LICENSE-d3", "licenses/LICENSE-d3", "licence"),
        ),
    ),
    VendorPackage(
        # ZRender, ECharts' renderer, is built into echarts.min.js without its BSD notice,
        # which a redistribution must reproduce: its LICENSE ships here.
        directory="zrender",
        npm_name="zrender",
        version="6.1.0",
        licence="BSD-3-Clause",
        files=(VendorFile("LICENSE", "LICENSE", "licence"),),
        bundled_in="echarts",
    ),
    VendorPackage(
        directory="world-geo-json-zh",
        npm_name="@surbowl/world-geo-json-zh",
        version="2.1.5",
        licence="Unlicense",
        files=(
            # The production GeoJSON (the package's "main"); world.zh.jsonc beside it is an
            # annotated copy that its author marks as reference only.
            VendorFile("world.zh.json", "world.zh.json", "asset"),
            VendorFile("LICENSE", "LICENSE", "licence"),
            # The README states the licence and the data's sources (Natural Earth, adjustments).
            VendorFile("README.md", "README.md", "readme"),
        ),
    ),
)


class VendorError(Exception):
    """A package could not be fetched or did not look as pinned."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_member_name(name: str) -> str:
    """The member's path, normalised; raises on absolute paths and ``..`` components."""
    if not name or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise VendorError(f"refusing tar member with an absolute path: {name!r}")
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        raise VendorError(f"refusing tar member with '..' in its path: {name!r}")
    return posixpath.normpath(name.replace("\\", "/"))


def safe_target(base: Path, relative: str) -> Path:
    """``base / relative``, refusing anything that would land outside ``base``."""
    if relative.startswith("/") or ".." in relative.split("/"):
        raise VendorError(f"refusing target path {relative!r}")
    target = (base / relative).resolve()
    if not target.is_relative_to(base.resolve()):
        raise VendorError(f"refusing target path {relative!r}")
    return target


def read_tarball(path: Path) -> dict[str, bytes]:
    """Every regular file of an npm tarball, keyed by its path below ``package/``.

    The whole archive is refused if any member has an absolute path or a ``..`` component;
    links, devices and other special members are skipped, never followed. Nothing is written
    to disk here, so a hostile archive cannot place a file anywhere.
    """
    contents: dict[str, bytes] = {}
    with tarfile.open(path, mode="r:gz") as archive:
        for member in archive.getmembers():
            name = safe_member_name(member.name)
            if not member.isfile():
                continue
            top, _, rest = name.partition("/")
            if top != "package" or not rest:
                raise VendorError(f"{path.name}: unexpected member outside package/: {name!r}")
            handle = archive.extractfile(member)
            if handle is None:
                raise VendorError(f"{path.name}: cannot read {name!r}")
            contents[rest] = handle.read()
    return contents


def npm_pack(package: VendorPackage, destination: Path) -> tuple[Path, str]:
    """Download the pinned tarball with ``npm pack``; returns its path and npm's integrity."""
    spec = f"{package.npm_name}@{package.version}"
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not on PATH; it is needed to refresh (not to --check)")
    result = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(destination), "--json", "--ignore-scripts"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise VendorError(f"npm pack {spec} failed:\n{result.stderr.strip()}")
    try:
        (info,) = json.loads(result.stdout)
        filename = Path(info["filename"]).name
        integrity = str(info["integrity"])
    except (ValueError, KeyError, TypeError) as exc:
        raise VendorError(f"npm pack {spec}: unexpected output: {result.stdout[:500]!r}") from exc
    tarball = destination / filename
    if not tarball.is_file():
        raise VendorError(f"npm pack {spec}: {tarball} was not written")
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise VendorError(f"npm pack {spec}: unexpected integrity {integrity!r}")
    actual = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise VendorError(f"npm pack {spec}: tarball does not match its integrity {integrity}")
    return tarball, integrity


def check_package_json(package: VendorPackage, contents: dict[str, bytes]) -> dict[str, object]:
    """The package's package.json, once its name, version and licence match the pin."""
    try:
        meta = json.loads(contents["package.json"])
    except (KeyError, ValueError) as exc:
        raise VendorError(f"{package.npm_name}: no readable package.json") from exc
    if not isinstance(meta, dict):
        raise VendorError(f"{package.npm_name}: package.json is not an object")
    found = (meta.get("name"), meta.get("version"), meta.get("license"))
    wanted = (package.npm_name, package.version, package.licence)
    if found != wanted:
        raise VendorError(
            f"{package.npm_name}: package.json says name/version/license {found}, pinned {wanted}"
        )
    return meta


def check_bundled_versions(metas: dict[str, dict[str, object]]) -> None:
    """A bundled package's pin must be exactly the version its host package depends on."""
    for package in PACKAGES:
        if package.bundled_in is None:
            continue
        host = metas.get(package.bundled_in, {})
        dependencies = host.get("dependencies")
        wanted = dependencies.get(package.npm_name) if isinstance(dependencies, dict) else None
        if wanted != package.version:
            raise VendorError(
                f"{package.bundled_in} depends on {package.npm_name} {wanted!r}, but "
                f"{package.version!r} is pinned: update the pin to match"
            )


def refresh(vendor_dir: Path) -> dict[str, object]:
    """Fetch every pinned package, replace its folder below vendor_dir, write the manifest."""
    entries: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="silkhub-vendor-") as tmp:
        tmpdir = Path(tmp)
        staged: list[tuple[VendorPackage, Path]] = []
        metas: dict[str, dict[str, object]] = {}
        for package in PACKAGES:
            print(f"fetching {package.npm_name}@{package.version}")
            download = tmpdir / "download" / package.directory
            download.mkdir(parents=True)
            tarball, integrity = npm_pack(package, download)
            contents = read_tarball(tarball)
            metas[package.directory] = check_package_json(package, contents)
            stage = tmpdir / "stage" / package.directory
            stage.mkdir(parents=True)
            files: list[dict[str, object]] = []
            for item in package.files:
                data = contents.get(item.source)
                if data is None:
                    raise VendorError(f"{package.npm_name}: no {item.source!r} in the package")
                target = safe_target(stage, item.target)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                files.append(
                    {
                        "path": f"{package.directory}/{item.target}",
                        "from": item.source,
                        "role": item.role,
                        "sha256": sha256_of(data),
                        "size": len(data),
                    }
                )
            entry: dict[str, object] = {
                "name": package.directory,
                "version": package.version,
                "licence": package.licence,
                "source": {
                    "ecosystem": "npm",
                    "package": package.npm_name,
                    "version": package.version,
                    "integrity": integrity,
                },
                "files": files,
            }
            if package.bundled_in is not None:
                entry["bundled_in"] = package.bundled_in
            entries.append(entry)
            staged.append((package, stage))
        check_bundled_versions(metas)
        # Only now that every package was fetched and checked is anything on disk replaced.
        vendor_dir.mkdir(parents=True, exist_ok=True)
        for package, stage in staged:
            final = safe_target(vendor_dir, package.directory)
            if final.exists():
                shutil.rmtree(final)
            shutil.copytree(stage, final)
    manifest: dict[str, object] = {
        "schema": MANIFEST_SCHEMA,
        "generated_by": "scripts/refresh_vendor_assets.py",
        "note": "Files below are kept exactly as published. Do not edit them; run the script.",
        "packages": entries,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (vendor_dir / MANIFEST_NAME).write_text(text, encoding="utf-8")
    return manifest


def check(vendor_dir: Path) -> list[str]:
    """Every difference between vendor_dir, its manifest and the pins; empty when all agree."""
    problems: list[str] = []
    manifest_path = vendor_dir / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = {entry["name"]: entry for entry in manifest["packages"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{manifest_path}: cannot read the manifest ({exc})"]

    listed: set[str] = set()
    for package in PACKAGES:
        entry = entries.pop(package.directory, None)
        if entry is None:
            problems.append(f"{package.directory}: pinned but missing from the manifest")
            continue
        source = entry.get("source")
        if not isinstance(source, dict):
            source = {}
        if (entry.get("version"), source.get("package"), source.get("version")) != (
            package.version,
            package.npm_name,
            package.version,
        ):
            problems.append(
                f"{package.directory}: manifest has {source.get('package')}@{entry.get('version')}"
                f", pinned {package.npm_name}@{package.version} (run the script to refresh)"
            )
        if entry.get("licence") != package.licence:
            problems.append(
                f"{package.directory}: manifest licence {entry.get('licence')!r}, "
                f"pinned {package.licence!r}"
            )
        wanted_paths = {f"{package.directory}/{item.target}" for item in package.files}
        manifest_paths = {str(record.get("path")) for record in entry.get("files", [])}
        if wanted_paths != manifest_paths:
            problems.append(
                f"{package.directory}: manifest lists {sorted(manifest_paths)}, "
                f"pins want {sorted(wanted_paths)}"
            )
        for record in entry.get("files", []):
            relative = str(record.get("path"))
            listed.add(relative)
            try:
                path = safe_target(vendor_dir, relative)
            except VendorError as exc:
                problems.append(str(exc))
                continue
            if not path.is_file():
                problems.append(f"{relative}: missing")
                continue
            data = path.read_bytes()
            if len(data) != record.get("size"):
                problems.append(
                    f"{relative}: {len(data)} bytes, manifest says {record.get('size')}"
                )
            if sha256_of(data) != record.get("sha256"):
                problems.append(f"{relative}: sha256 differs from the manifest (edited by hand?)")
    for name in sorted(entries):
        problems.append(f"{name}: in the manifest but not pinned in the script")

    for path in sorted(vendor_dir.rglob("*")):
        relative = path.relative_to(vendor_dir).as_posix()
        if path.is_file() and relative != MANIFEST_NAME and relative not in listed:
            problems.append(f"{relative}: not listed in the manifest")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="verify the vendored files against the manifest and the pins (no network)",
    )
    parser.add_argument(
        "--vendor-dir",
        type=Path,
        default=VENDOR_DIR,
        help="the vendor folder (default: silkhub/web/static/vendor)",
    )
    args = parser.parse_args(argv)
    vendor_dir: Path = args.vendor_dir
    if not args.check:
        try:
            refresh(vendor_dir)
        except VendorError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {vendor_dir / MANIFEST_NAME}")
    problems = check(vendor_dir)
    for problem in problems:
        print(f"MISMATCH {problem}", file=sys.stderr)
    if problems:
        return 1
    count = sum(len(package.files) for package in PACKAGES)
    print(f"ok: {count} vendored files of {len(PACKAGES)} packages match {MANIFEST_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
