"""A briefing as Markdown or as one standalone, printable HTML document.

The HTML has inline CSS and inline SVG charts, loads nothing from elsewhere, runs no script and
escapes every text. Markdown cannot draw, so each chart appears there as its table of figures
(unless that table is already printed in its section).
"""

from __future__ import annotations

import html

from silkhub.stats.briefing_drawing import chart_svg
from silkhub.stats.briefing_model import Briefing, Chart, Section, Table

__all__ = ["to_html", "to_markdown"]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    lines = [f"**{_md_cell(table.caption)}**", ""]
    if not table.rows:
        return [*lines, table.empty, ""]
    lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
    aligns = [":---" if i <= table.row_header else "---:" for i in range(len(table.columns))]
    lines.append("| " + " | ".join(aligns) + " |")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    lines.append("")
    for note in table.notes:
        lines += [f"*{_md_cell(note)}*", ""]
    return lines


def to_markdown(b: Briefing) -> str:
    """The briefing as Markdown: title, label, sections, tables, vintage note, footer."""
    lines = [f"# {b.title}", ""]
    if b.demo_label:
        lines += [f"> **{b.demo_label}**", ""]
    for section in b.sections:
        lines += [f"## {section.heading}", ""]
        for s in section.sentences:
            lines += [s, ""]
        for table in section.tables:
            lines += _md_table(table)
        for chart in _charts_with_own_table(section):
            lines += [f"*{_md_cell(chart.caption)}*", "", *_md_table(chart.table)]
    if b.vintage_note:
        lines += ["## " + ("Data versions" if b.lang == "en" else "数据说明"), ""]
        lines += [f"- {n}" for n in b.vintage_note] + [""]
    lines += ["---", "", b.footer, ""]
    return "\n".join(lines)


_CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
"PingFang SC",Arial,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;line-height:1.7}
h1{font-size:1.5rem;margin-bottom:.25rem}
h2{font-size:1.15rem;border-bottom:1px solid #999;margin-top:2rem}
.demo{display:inline-block;border:2px solid #b00;color:#b00;font-weight:bold;
padding:.1rem .5rem;margin:.25rem 0 1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.95rem}
figure{margin:1.25rem 0}
figcaption{font-weight:bold;padding:.25rem 0}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
"PingFang SC",Arial,sans-serif !important}
details{margin:.25rem 0 1rem}
summary{cursor:pointer;color:#1f5fa8}
caption{caption-side:top;text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #bbb;padding:.25rem .5rem}
thead th{background:#eee}
td{text-align:right;font-variant-numeric:tabular-nums}
th[scope=row]{text-align:left;font-weight:normal}
.note{font-size:.9rem;color:#333}
footer{margin-top:2rem;border-top:1px solid #999;font-size:.85rem;color:#555}
@media print{body{margin:0;max-width:none}.demo{border-color:#000;color:#000}
table,figure{page-break-inside:avoid}a{color:inherit}
details>summary{display:none}}
""".strip()


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(table: Table) -> list[str]:
    if not table.rows:
        caption = f"<strong>{_h(table.caption)}</strong>"
        return [f'<p class="note">{caption}<br>{_h(table.empty)}</p>']
    out = ["<table>", f"<caption>{_h(table.caption)}</caption>", "<thead><tr>"]
    out += [f'<th scope="col">{_h(c)}</th>' for c in table.columns]
    out += ["</tr></thead>", "<tbody>"]
    for row in table.rows:
        cells = [
            f'<th scope="row">{_h(c)}</th>' if i == table.row_header else f"<td>{_h(c)}</td>"
            for i, c in enumerate(row)
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    out += [f'<p class="note">{_h(n)}</p>' for n in table.notes]
    return out


def _html_chart(chart: Chart, lang: str, *, own_table: bool) -> list[str]:
    # The figures behind a chart are one click away (and printed), unless the section's
    # table already shows them.
    out = ["<figure>", f"<figcaption>{_h(chart.caption)}</figcaption>", chart_svg(chart, lang)]
    if own_table:
        summary = "The figures" if lang == "en" else "图中数据"
        out += ["<details open>", f"<summary>{_h(summary)}</summary>"]
        out += _html_table(chart.table)
        out.append("</details>")
    out.append("</figure>")
    return out


def _charts_with_own_table(section: Section) -> list[Chart]:
    return [c for c in section.charts if c.table not in section.tables]


def to_html(b: Briefing) -> str:
    """The briefing as one standalone, printable HTML document (inline CSS, no scripts)."""
    lang = "en" if b.lang == "en" else "zh-CN"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(b.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_h(b.title)}</h1>",
    ]
    if b.demo_label:
        out.append(f'<p class="demo">{_h(b.demo_label)}</p>')
    out += ["</header>", "<main>"]
    for section in b.sections:
        out += ["<section>", f"<h2>{_h(section.heading)}</h2>"]
        out += [f"<p>{_h(s)}</p>" for s in section.sentences]
        for table in section.tables:
            out += _html_table(table)
        for chart in section.charts:
            out += _html_chart(chart, b.lang, own_table=chart.table not in section.tables)
        out.append("</section>")
    if b.vintage_note:
        out += [
            '<section class="note">',
            f"<h2>{_h('Data versions' if b.lang == 'en' else '数据说明')}</h2>",
            "<ul>",
        ]
        out += [f"<li>{_h(n)}</li>" for n in b.vintage_note]
        out += ["</ul>", "</section>"]
    out += ["</main>", f"<footer><p>{_h(b.footer)}</p></footer>", "</body>", "</html>", ""]
    return "\n".join(out)
