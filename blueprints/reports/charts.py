"""Charts of the statistics drawn on the server with pygal (README: why pygal): SVG without
JavaScript, shown as `<img src="data:image/svg+xml;base64,…">` so that the strict CSP of the app
(`img-src 'self' data:`, no inline script or style on the page) holds — an SVG image runs no
script and keeps its own styles. pygal always writes a small configuration <script> for its
tooltips; it is removed here, so no chart carries a script even when saved and opened alone.

Every chart has the same numbers in an HTML table beside it (templates/reports/parts/chart.html)
for screen readers and for printing."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from decimal import Decimal

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from blueprints.reports.statistics_queries import Dynamics
from domain.grading import format_average

# The app's own colours (static/css/app.css: --primary, --ok, --warn, --danger) and a few more.
COLOURS = ("#1f5fbf", "#1a7f37", "#9a6700", "#b42318", "#6941c6", "#0e7490", "#c4320a", "#475467",
           "#dd2590", "#4e5ba6", "#66c61c", "#155eef", "#93370d", "#099250", "#7a5af8", "#1d2433")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2433",
    foreground_strong="#1d2433",
    foreground_subtle="#5f6b7a",
    colors=COLOURS,
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
    no_data_font_size=22,
    opacity="0.9",
    opacity_hover="0.9",
    transition="0s",
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def decimal_comma(value, unit: str = "") -> str:
    """«87,5 %», «4,25»: the Russian decimal comma."""
    if value is None:
        return "—"
    if unit == "%":
        text = f"{Decimal(str(value)).quantize(Decimal('0.1'))}".replace(".", ",")
        return f"{text} %"
    return format_average(Decimal(str(value)))


@dataclass(frozen=True)
class Chart:
    svg: str  # the SVG text, without <script>
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _config(unit: str, title: str) -> dict:
    config = dict(
        style=STYLE,
        disable_xml_declaration=True,
        js=[],
        tooltips=False,
        interpolate=None,
        width=900,
        height=420,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        print_values=False,
        truncate_label=-1,
        truncate_legend=-1,
        x_label_rotation=0,
        value_formatter=lambda v: decimal_comma(v, unit),
        title=title or None,
        no_data_text=_("Нет данных"),
    )
    if unit == "%":
        config.update(range=(0, 100), y_labels=[0, 20, 40, 60, 80, 100])
    return config


def render(dynamics: Dynamics, alt: str) -> Chart:
    """A line chart (dynamics over weeks) or a bar chart (groups side by side) of `dynamics`."""
    kind = pygal.Line if dynamics.kind == "line" else pygal.Bar
    chart = kind(**_config(dynamics.unit, dynamics.title))
    if dynamics.kind == "line":
        chart.config.show_dots = True
        chart.config.dots_size = 3
        chart.config.allow_interruptions = True
        chart.config.x_label_rotation = 40 if len(dynamics.x_labels) > 10 else 0
    elif len(dynamics.x_labels) > 6 or sum(len(x) for x in dynamics.x_labels) > 80:
        chart.config.x_label_rotation = 25  # long labels («7А · Вероятность и статистика») would overlap
    chart.x_labels = dynamics.x_labels
    for series in dynamics.series:
        chart.add(_(series.label), [None if v is None else float(v) for v in series.values])
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return Chart(svg=svg, alt=alt)


def percent(value) -> str:
    """`{{ value|stat_percent }}`: «87,5 %», «—» when there is nothing to count."""
    return decimal_comma(value, "%")
