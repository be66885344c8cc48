"""The statistics of the demonstration hub: synthetic but realistic 2018-2020 data for every
dataset, imported through the real ingest path.

``build`` (called by ``silkhub.demo.builder.build_demo``) writes the files an analyst would be
sent (customs' GBK CSV, the port authority's .xlsx, the departments' UTF-8 CSV) into
``<data_dir>/demo-sources/<dataset>/``, then imports each with ``service.import_file`` as a
vintage published when such a file would have been: the 10th to the 25th of the following
month, Beijing time. March 2020's trade is published twice (the revision comes with April's
figures), so the vintages show a revision.

Every file says it is synthetic: "演示数据（合成）" and "synthetic-demo" in its name (which
the import record keeps as its source), "演示数据（合成）/ synthetic demonstration data" on
its title line and a note under the table; every invented organisation and enterprise is
named "演示·…". The generator is seeded: one number drawn from ``rng`` seeds an independent
numpy stream per dataset, and the same seed writes byte-identical files.

The figures the seed article quotes come out of silkhub's own measures exactly, at the
precision the article prints them; the calibrated totals are listed in the generator modules:
``demo_trade`` (trade), ``demo_odi``, ``demo_fdi``, ``demo_transport`` (port, rail, air) and
``demo_ecommerce``.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC
from pathlib import Path

from silkhub.core.errors import InvalidInput, Message
from silkhub.settings import Settings
from silkhub.stats import registers, registers_footprint, service
from silkhub.stats.datasets import DATASETS
from silkhub.stats.demo_common import LABEL, SourceFile
from silkhub.stats.demo_ecommerce import ecommerce_sources
from silkhub.stats.demo_fdi import fdi_sources
from silkhub.stats.demo_odi import odi_sources
from silkhub.stats.demo_trade import trade_sources
from silkhub.stats.demo_transport import transport_sources
from silkhub.stats.registers_common import data_file
from silkhub.stores.analytical import AnalyticalStore
from silkhub.stores.audit import Actor
from silkhub.stores.database import Database

__all__ = ["LABEL", "SOURCES_FOLDER", "build", "write_sources"]

#: Where, under the data directory, the generated source files are kept.
SOURCES_FOLDER = "demo-sources"
ACTOR_LABEL = "demo"
_ORDER = list(DATASETS)


def write_sources(folder: Path, rng: random.Random) -> list[SourceFile]:
    """Write every source file of the statistics demo into ``folder``; the files in the order
    they are published (and imported)."""
    seed = rng.getrandbits(63)
    files = [
        *trade_sources(folder, seed),
        *odi_sources(folder, seed),
        *fdi_sources(folder, seed),
        *transport_sources(folder, seed),
        *ecommerce_sources(folder, seed),
    ]
    return sorted(files, key=lambda f: (f.published_at, _ORDER.index(f.dataset), f.path.name))


def build(*, db: Database, settings: Settings, rng: random.Random) -> None:
    """Generate the demo's statistics and import them, file by file, as vintages."""
    folder = settings.data_dir / SOURCES_FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    sources = write_sources(folder, rng)
    actor = Actor.system(ACTOR_LABEL)
    with AnalyticalStore(settings.resolved_analytical_dir) as store:
        for source in sources:
            outcome = service.import_file(
                db,
                store,
                source.path,
                dataset_name=source.dataset,
                data_dir=settings.data_dir,
                actor=actor,
                max_bytes=settings.import_max_bytes,
                mapping_path=source.mapping,
                published_at=source.published_at.astimezone(UTC),
            )
            if outcome.status != "imported":
                # A generated file the ingest refuses is a bug of the generator: say which.
                raise InvalidInput(
                    Message(
                        f"演示数据文件 {source.path.name} 未能导入（{outcome.status}）。",
                        f"The demo file {source.path.name} was not imported ({outcome.status}).",
                    ),
                    problems=outcome.report.problems,
                    code="demo_import_failed",
                )
    # The registers: the article's flagship projects and the real footprint items, plus the
    # placeholders that only a demonstration may show (marked synthetic in their file).
    with db.transaction(actor) as session:
        registers.load_register(session)
        registers_footprint.load_footprint(session)
        registers_footprint.load_footprint(session, data_file("footprint_demo.toml"))
