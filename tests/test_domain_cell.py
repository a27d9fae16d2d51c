"""Reading what a teacher types into a cell (domain/cell.py), without Flask or a database:
every valid entry of every scale reads back as meant, whatever the notation, and everything
else is refused with a Russian message (JRN-3, JRN-4, 001:3.5)."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from domain.cell import (
    ABSENCE_CODES,
    ATTENDANCE_CODES,
    ILL,
    MAX_CELL_TEXT,
    CellError,
    mark_spellings,
    notation_problems,
    notation_to_code,
    parse_cell,
    render_cell,
)
from domain.grading import SCALES
from domain.settings import DEFAULTS

NOTATIONS = DEFAULTS["notations"]
MARKED_SCALES = [code for code, scale in SCALES.items() if scale.values]
MAX_MARKS = 3
CYRILLIC = re.compile("[А-Яа-яЁё]")
# codes that may stand beside a mark (001:3.5): present, ill, late
CODES_WITH_MARKS = [None, *sorted(set(ATTENDANCE_CODES) - (ABSENCE_CODES - {ILL}))]


def refused_in_russian(text, scale_code, notations=NOTATIONS, max_marks=MAX_MARKS) -> str:
    with pytest.raises(CellError) as refusal:
        parse_cell(text, scale_code, notations, max_marks)
    message = refusal.value.message % refusal.value.params if refusal.value.params else refusal.value.message
    assert CYRILLIC.search(message), message
    return message


def read(text, scale_code, notations=NOTATIONS, max_marks=MAX_MARKS):
    cell = parse_cell(text, scale_code, notations, max_marks)
    return cell.attendance, cell.marks


def random_case(draw, text: str) -> str:
    return "".join(ch.upper() if draw(st.booleans()) else ch for ch in text)


@st.composite
def typed_cells(draw, notations=NOTATIONS, scales=tuple(MARKED_SCALES)):
    """A valid cell typed any way a teacher may type it, with what it must be read as."""
    scale_code = draw(st.sampled_from(scales))
    spellings = mark_spellings(scale_code, notations)
    typed_marks = draw(st.lists(st.sampled_from(sorted(spellings)), max_size=MAX_MARKS))
    if typed_marks:
        code = draw(st.sampled_from(CODES_WITH_MARKS))
    else:
        code = draw(st.sampled_from([None, *ATTENDANCE_CODES]))
    notation = None
    if code is not None:
        # the school's notation, or "н" typed for an absence
        notation = draw(st.sampled_from(sorted({n for n, c in notation_to_code(notations).items() if c == code})))
    separator = draw(st.sampled_from(["/", " ", ",", " / ", ", "]))
    text = separator.join(typed_marks)
    if notation and typed_marks and draw(st.booleans()):
        text = notation + text  # glued: "б5", "бнезач"
    elif notation:
        text = f"{notation} {text}" if typed_marks else notation
    text = draw(st.sampled_from(["", " "])) + random_case(draw, text) + draw(st.sampled_from(["", " "]))
    assume(len(text) <= MAX_CELL_TEXT)
    return text, scale_code, (code, [spellings[m] for m in typed_marks])


@given(typed_cells())
def test_every_valid_cell_of_every_scale_reads_back_as_typed(case):
    text, scale_code, expected = case
    assert read(text, scale_code) == expected


@given(typed_cells())
def test_what_the_grid_shows_reads_back_as_the_same_cell(case):
    text, scale_code, _expected = case
    attendance, marks = read(text, scale_code)
    shown = render_cell(attendance, marks, NOTATIONS)
    assert read(shown, scale_code) == (attendance, marks)


@pytest.mark.parametrize("typed", ["незач", "НЕЗАЧ", "Незач", "незачёт", "НЕЗАЧЁТ", "незачет", " незач "])
def test_a_fail_on_the_pass_fail_scale_is_a_mark_not_an_absence(typed):
    assert read(typed, "pass_fail") == (None, ["незач"])


@pytest.mark.parametrize("typed, expected", [
    ("зач", (None, ["зач"])),
    ("зачёт", (None, ["зач"])),
    ("б незач", ("ill", ["незач"])),
    ("бнезач", ("ill", ["незач"])),
    ("Б/незачёт", ("ill", ["незач"])),
    ("оп зач", ("late", ["зач"])),
    ("ОПнезач", ("late", ["незач"])),
    ("незач/зач", (None, ["незач", "зач"])),
    ("н", ("absent", [])),
    ("нп", ("unexcused", [])),
])
def test_pass_fail_cells(typed, expected):
    assert read(typed, "pass_fail") == expected


@pytest.mark.parametrize("typed, scale_code, expected", [
    ("5", "five", (None, ["5"])),
    ("5/4", "five", (None, ["5", "4"])),
    ("54", "five", (None, ["5", "4"])),
    ("б4", "five", ("ill", ["4"])),
    ("б54", "five", ("ill", ["5", "4"])),
    ("нп", "five", ("unexcused", [])),
    ("оп 3", "five", ("late", ["3"])),
    ("10", "ten", (None, ["10"])),
    ("б10", "ten", ("ill", ["10"])),
    ("0", "hundred", (None, ["0"])),
    ("б100", "hundred", ("ill", ["100"])),
    ("н", "none", ("absent", [])),
    ("", "five", (None, [])),
    ("   ", "pass_fail", (None, [])),
])
def test_marks_and_absence_codes_of_the_other_scales(typed, scale_code, expected):
    assert read(typed, scale_code) == expected


@given(
    st.sampled_from(MARKED_SCALES),
    st.sampled_from(sorted(ABSENCE_CODES - {ILL})),
    st.booleans(),
    st.data(),
)
def test_an_absent_student_gets_no_mark_unless_ill(scale_code, code, glued, data):
    """001:3.5, glued or not, on every scale."""
    mark = data.draw(st.sampled_from(sorted(mark_spellings(scale_code, NOTATIONS))))
    notation = NOTATIONS[code]
    text = notation + mark if glued else f"{notation} {mark}"
    assert "Отсутствующему" in refused_in_russian(text, scale_code)


@pytest.mark.parametrize("typed, scale_code", [
    ("езач", "pass_fail"),
    ("незачзач", "pass_fail"),
    ("5", "pass_fail"),
    ("зач", "five"),
    ("незач", "five"),
    ("6", "five"),
    ("0", "five"),
    ("50", "five"),
    ("11", "ten"),
    ("101", "hundred"),
    ("-1", "hundred"),
    ("5", "none"),
    ("б5", "none"),
    ("зач", "none"),
    ("5 н", "five"),
    ("н б", "five"),
    ("/", "five"),
    (" , ", "pass_fail"),
    ("отл", "five"),
    ("н/а", "five"),
    ("5/4/3/2", "five"),
    ("5" * (MAX_CELL_TEXT + 1), "five"),
])
def test_what_is_not_a_cell_is_refused_in_russian(typed, scale_code):
    refused_in_russian(typed, scale_code)


@settings(max_examples=400)
@given(
    st.sampled_from(list(SCALES)),
    st.text(alphabet=st.sampled_from(list("нНбБупопзачЗАЧеЁё0123456789 /,-.xа")), max_size=14),
    st.integers(min_value=1, max_value=MAX_MARKS),
)
def test_any_text_is_a_cell_of_the_scale_or_refused_in_russian(scale_code, text, max_marks):
    try:
        attendance, marks = read(text, scale_code, max_marks=max_marks)
    except CellError as refusal:
        message = refusal.message % refusal.params if refusal.params else refusal.message
        assert CYRILLIC.search(message)
        return
    assert attendance in (None, *ATTENDANCE_CODES)
    assert all(SCALES[scale_code].is_valid(m) for m in marks) and len(marks) <= max_marks
    assert not (marks and attendance in ABSENCE_CODES - {ILL})
    assert read(render_cell(attendance, marks, NOTATIONS), scale_code, max_marks=max_marks) == (attendance, marks)


def test_too_many_marks_for_the_kinds_of_work_are_refused():
    assert "не больше 2" in refused_in_russian("5/4/3", "five", max_marks=2)
    assert "не больше 1" in refused_in_russian("зач/незач", "pass_fail", max_marks=1)


# --- The school's own notations -------------------------------------------------------------


def test_the_default_notations_are_unambiguous():
    assert notation_problems(NOTATIONS) == []


@pytest.mark.parametrize("changes", [
    {"ill": "зач"},  # a notation that is a mark
    {"late": "не"},  # «не» + «зач» spells the fail mark
    {"fail": "Н"},  # the fail mark spelled as the absence
    {"pass": "б"},
    {"excused": "Б"},  # two codes, one notation
    {"late": "Б5"},  # digits: «Б5» would be ill and 5
    {"late": "о п"},
    {"late": "о/п"},
    {"absent": ""},
])
def test_a_notation_that_makes_a_cell_ambiguous_is_refused(changes):
    problems = notation_problems(NOTATIONS | changes)
    assert problems
    assert all(CYRILLIC.search(str(p)) for p in problems)


def test_the_school_may_spell_pass_and_fail_its_own_way():
    notations = NOTATIONS | {"pass": "З", "fail": "НЕЗ", "absent": "НБ"}
    assert notation_problems(notations) == []
    assert read("нез", "pass_fail", notations) == (None, ["незач"])
    assert read("бнез", "pass_fail", notations) == ("ill", ["незач"])
    assert read("з", "pass_fail", notations) == (None, ["зач"])
    assert read("нб", "pass_fail", notations) == ("absent", [])
    assert read("н", "pass_fail", notations) == ("absent", [])  # the shortcut stays


NOTATION = st.text(alphabet=st.sampled_from(list("нбупоезачНБУПОЗЁёкт")), min_size=1, max_size=3)


@st.composite
def school_notations(draw):
    return NOTATIONS | {code: draw(NOTATION) for code in (*ATTENDANCE_CODES, "pass", "fail")}


@settings(max_examples=150, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(school_notations(), st.data())
def test_with_notations_that_pass_the_check_every_cell_reads_back_as_typed(notations, data):
    """What notation_problems lets through, parse_cell reads unambiguously: the property a
    settings page relies on when it refuses the rest."""
    assume(notation_problems(notations) == [])
    for _ in range(20):
        text, scale_code, expected = data.draw(typed_cells(notations))
        assert read(text, scale_code, notations) == expected
        assert read(render_cell(*expected, notations), scale_code, notations) == expected
