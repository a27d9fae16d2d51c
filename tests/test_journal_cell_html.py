"""The grid's cells are built in Python (blueprints/journal/cell_html.py, issue 16: the macro per
cell was a third of the page's time): the same markup the grid's script and htmx rely on, with
everything a user or a setting can type escaped."""
from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

from blueprints.journal.cell_html import grid_cell, grid_row_cells
from blueprints.journal.operations import CellState

NOTATIONS = {"absent": "Н", "ill": "Б"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(str(html))
    return parser


def _student(sid=7, last="О'Нил", first="Анна", middle="<b>"):
    return SimpleNamespace(id=sid, last_name=last, first_name=first, middle_name=middle,
                           short_name=f"{last} {first[0]}.{middle[0]}.")


def _lesson(lid=3):
    from datetime import date

    return SimpleNamespace(id=lid, date=date(2026, 11, 20))


def _mark(value, kind=1):
    return SimpleNamespace(value=value, work_kind_id=kind)


def test_an_editable_cell_carries_what_the_grid_script_and_htmx_need(app):
    state = CellState(None, [_mark("5"), _mark("2", 2)], "five")
    with app.test_request_context():
        html = grid_cell(_lesson(), _student(), state, NOTATIONS, True, "/journal/lessons/")
    (td, td_attrs), (tag, attrs) = parse(html).tags
    assert (td, tag) == ("td", "input")
    assert td_attrs == {"id": "c-3-7", "class": "cell mark-low"}
    assert attrs["value"] == attrs["data-saved"] == "5/2"
    assert attrs["aria-label"] == "О'Нил А.<., 20.11"  # the name escaped in the markup, read back as typed
    assert attrs["hx-put"] == "/journal/lessons/3/cells/7"
    assert attrs["hx-vals"] == f'{{"base": "{state.token}"}}'
    assert attrs["hx-target"] == "closest td" and attrs["hx-swap"] == "outerHTML"
    assert "<b>" not in str(html)


def test_a_refused_cell_shows_the_message_escaped(app):
    state = CellState(SimpleNamespace(code="ill"), [], "five")
    with app.test_request_context():
        html = grid_cell(_lesson(), _student(), state, NOTATIONS, True, "/journal/lessons/", message='Не "так" <нельзя>')
    td_attrs = parse(html).tags[0][1]
    assert td_attrs["class"] == "cell att-ill cell-error"
    assert td_attrs["data-message"] == 'Не "так" <нельзя>'
    assert parse(html).tags[1][1]["value"] == "Б"


def test_a_row_for_reading_and_for_a_correction(app):
    grid = SimpleNamespace(
        assignment=SimpleNamespace(marks_scale="five"),
        lessons=[_lesson(3), _lesson(4)],
        marks={(3, 7): [_mark("4")]},
        attendance={(4, 7): SimpleNamespace(code="absent")},
    )
    days = {3: "20.11", 4: "21.11"}
    with app.test_request_context():
        reading = parse(grid_row_cells(grid, _student(), days, NOTATIONS, False, "/journal/lessons/"))
        correcting = parse(grid_row_cells(grid, _student(), days, NOTATIONS, False, "/journal/lessons/", True))
    assert [t for t, _a in reading.tags] == ["td", "span", "td", "span"]
    assert reading.text == ["4", "Н"]
    links = [a for t, a in correcting.tags if t == "a"]
    assert [a["href"] for a in links] == ["/journal/lessons/3/cells/7/history", "/journal/lessons/4/cells/7/history"]
    assert all(a["title"] == "Исправить с причиной (закрытый период)" for a in links)
