"""The briefing's charts, and the briefing as PDF and Excel: every seed figure is in the PDF's
text, the workbook holds numbers (not text) and native charts, a chart's bars are its table's
figures, and the CLI and the HTTP API hand out the files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from silkhub.cli.context import state
from silkhub.cli.main import app as cli_app
from silkhub.core.periods import Month
from silkhub.settings import Settings
from silkhub.stats.briefing import Briefing, briefing, render
from silkhub.stats.briefing_drawing import chart_svg
from silkhub.web.app import create_app
from tests.stats.conftest import DemoHub
from tests.stats.test_briefing import EN_MAY, ZH_JUNE, ZH_MAY

NOW = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)


def _briefing(hub: DemoHub, month: Month, lang: str) -> Briefing:
    return briefing(hub.db, hub.store, month, lang=lang, demo=True, now=NOW)


def _pdf_text(content: bytes, lang: str = "zh") -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Chinese lines break between any two characters, English ones between words.
    return text.replace("\n", "") if lang == "zh" else " ".join(text.split())


def test_three_charts_drawn_from_the_figures_of_their_tables(demo_hub: DemoHub) -> None:
    b = _briefing(demo_hub, Month(2020, 5), "zh")
    monthly, top, shares = b.charts
    assert monthly.kind == "columns" and monthly.categories == ("1月", "2月", "3月", "4月", "5月")
    assert [s.name for s in monthly.series] == ["2019", "2020"]
    # The five months of 2020 add up to the headline (3909亿元, to rounding).
    assert sum(v or 0 for v in monthly.series[1].values) == pytest.approx(3909, abs=0.3)
    assert monthly.table.columns == ("月份", "2019年（亿元）", "2020年（亿元）", "增长（%）")
    # No "-0.0": a growth that rounds to nothing has no sign.
    assert all(not cell.startswith("-0.0") for row in monthly.table.rows for cell in row)

    table_1 = b.sections[2].tables[0]
    assert top.table is table_1
    assert top.categories[0] == "俄罗斯" and len(top.categories) == 10
    assert list(top.series[0].values) == [float(r[2]) for r in table_1.values]  # type: ignore[arg-type]
    assert list(top.series[0].labels) == [r[2] for r in table_1.rows]
    # The province's whole trade (100%) is a row of table 2 but not a bar of figure 3.
    assert "全省进出口" not in shares.categories and "欧盟" in shares.categories


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_svg_chart_is_inline_accessible_and_self_contained(demo_hub: DemoHub, lang: str) -> None:
    chart = _briefing(demo_hub, Month(2020, 5), lang).charts[1]
    svg = chart_svg(chart, lang)
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "<?xml" not in svg and "DOCTYPE" not in svg
    assert "url(" not in svg and "http" not in svg and 'id="' not in svg
    assert chart.categories[0] in svg and chart.series[0].labels[0] in svg


@pytest.mark.parametrize(("lang", "figures"), [("zh", ZH_MAY), ("en", EN_MAY)])
def test_the_pdf_states_every_seed_figure(
    demo_hub: DemoHub, lang: str, figures: tuple[str, ...]
) -> None:
    b = _briefing(demo_hub, Month(2020, 5), lang)
    rendered = render(b, "pdf")
    assert rendered.media_type == "application/pdf"
    assert rendered.filename == f"silkhub-briefing-2020-05-{lang}.pdf"
    assert rendered.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(rendered.content))
    assert reader.metadata is not None and reader.metadata.title == b.title
    assert len(reader.pages) >= 2
    text = _pdf_text(rendered.content, lang)
    for figure in figures:
        assert figure in text, figure
    # The demonstration label is on every page (a printed page can travel alone).
    label = b.demo_label
    assert label is not None
    for page in reader.pages:
        assert label in page.extract_text().replace("\n", "")
    if lang == "zh":
        assert b"STSong-Light" in rendered.content
    # Invariant output: the same briefing, the same bytes.
    assert render(b, "pdf").content == rendered.content


def test_the_june_pdf_states_the_rail_figures(demo_hub: DemoHub) -> None:
    text = _pdf_text(render(_briefing(demo_hub, Month(2020, 6), "zh"), "pdf").content)
    for figure in ZH_JUNE:
        assert figure in text, figure


def test_the_workbook_holds_numbers_and_native_charts(demo_hub: DemoHub) -> None:
    b = _briefing(demo_hub, Month(2020, 5), "zh")
    book = load_workbook(io.BytesIO(render(b, "xlsx").content))
    assert book.sheetnames == ["简报", "图1", "图2", "图3"]
    sheet = book["简报"]
    assert sheet["A1"].value == b.title
    assert sheet["A2"].value == "演示数据（合成），非官方统计"
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    for sentence in b.sections[0].sentences:
        assert sentence in cells
    # Table 2's row for the route countries: 3909.0 (亿元) as a number, shown with 1 decimal.
    route = next(row for row in sheet.iter_rows() if row[0].value == "“一带一路”沿线64国")
    assert route[1].value == pytest.approx(3909.0) and route[1].number_format == "#,##0.0"
    assert route[3].value == pytest.approx(35.2)
    assert b.vintage_note[0] in cells
    for name, chart in zip(["图1", "图2", "图3"], b.charts, strict=True):
        figure = book[name]
        assert figure["A1"].value == chart.caption
        assert len(figure._charts) == 1  # a native Excel chart over the sheet's cells
        firsts = [figure.cell(row=4 + i, column=1).value for i in range(len(chart.categories))]
        assert firsts == list(chart.categories)
        assert figure.cell(row=4, column=2).value == chart.series[0].values[0]
    assert book.properties.creator == "silkhub" and book.properties.title == b.title


def test_english_numbers_in_the_workbook_are_billions(demo_hub: DemoHub) -> None:
    b = _briefing(demo_hub, Month(2020, 5), "en")
    sheet = load_workbook(io.BytesIO(render(b, "xlsx").content))["Briefing"]
    route = next(
        row
        for row in sheet.iter_rows()
        if row[0].value == "The 64 countries along the Belt and Road"
    )
    assert route[1].value == pytest.approx(390.9) and route[1].number_format == "#,##0.00"
    top = b.sections[2].tables[0]
    assert isinstance(top.values[0][2], Decimal)


def test_the_cli_writes_pdf_and_xlsx_files_and_refuses_to_print_them(
    demo_hub: DemoHub, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(demo_hub.data_dir), "stats", "briefing", "--period", "2020-05"]
    try:
        printed = runner.invoke(cli_app, [*base, "--format", "pdf"])
        assert printed.exit_code != 0
        assert "--out" in printed.output
        for fmt, magic in (("pdf", b"%PDF-"), ("xlsx", b"PK")):
            out = tmp_path / f"briefing.{fmt}"
            result = runner.invoke(cli_app, [*base, "--format", fmt, "--out", str(out)])
            assert result.exit_code == 0, result.output
            assert out.read_bytes().startswith(magic)
            assert not list(out.parent.glob(".*.partial"))
        bad = runner.invoke(cli_app, [*base, "--format", "docx"])
        assert bad.exit_code != 0 and "docx" in bad.output
    finally:
        state.reset()


def test_the_api_serves_every_format(demo_hub: DemoHub) -> None:
    settings = Settings(data_dir=demo_hub.data_dir, secret_key="test-secret-key-not-for-production")
    with TestClient(create_app(settings, db=demo_hub.db)) as client:
        pdf = client.get("/api/stats/briefing", params={"period": "2020-05", "format": "pdf"})
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == (
            'attachment; filename="silkhub-briefing-2020-05-zh.pdf"'
        )
        assert "3909亿元" in _pdf_text(pdf.content)
        xlsx = client.get(
            "/api/stats/briefing",
            params={"period": "2020-05", "format": "xlsx"},
            headers={"accept-language": "en"},
        )
        assert xlsx.status_code == 200
        assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Briefing"
        md = client.get(
            "/api/stats/briefing", params={"period": "2020-05", "format": "md", "download": 1}
        )
        assert md.headers["content-disposition"].startswith("attachment;")
        assert md.text.startswith("# 浙江")
        bad = client.get("/api/stats/briefing", params={"period": "2020-05", "format": "docx"})
        assert bad.status_code == 422
        error = bad.json()["error"]
        assert error["code"] == "unknown_format"
        assert error["problems"][0]["location"]["field"] == "format"
