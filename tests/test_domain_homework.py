"""The homework as one line (domain/homework.py): the diary, the weekly report and the printed
journal say it alike, and never «№ № 245»."""
from __future__ import annotations

from types import SimpleNamespace

from domain.homework import homework_text


def hw(text="", pages="", exercises="", is_individual=False):
    return SimpleNamespace(text=text, pages=pages, exercises=exercises, is_individual=is_individual)


def test_pages_and_numbers_are_named_before_bare_numbers():
    assert homework_text(hw("Задачи", "56", "245, 247")) == "Задачи, стр. 56, № 245, 247"


def test_the_teachers_own_page_and_number_signs_are_not_doubled():
    assert homework_text(hw("", "стр. 56", "№ 245")) == "стр. 56, № 245"
    assert "№ №" not in homework_text(hw("Задачи", "", "№ 245"))


def test_an_individual_task_says_so():
    assert homework_text(hw("Доклад", is_individual=True)) == "Индивидуально: Доклад"


def test_blank_parts_are_left_out():
    assert homework_text(hw("  ", " ", "")) == ""
    assert homework_text(hw(None, None, None)) == ""


def test_the_views_translation_is_used():
    calls = []

    def translate(message, **params):
        calls.append(message)
        return message % params

    assert homework_text(hw("Задачи", "56", "245"), translate) == "Задачи, стр. 56, № 245"
    assert calls == ["стр. %(pages)s", "№ %(numbers)s"]


def test_the_printed_journal_says_the_homework_as_the_diary_does(app):
    from blueprints.journal.printing import _homework_text

    with app.test_request_context():
        printed = _homework_text([hw("Задачи", "56", "№ 245"), hw("Доклад", is_individual=True)])
    assert printed == "Задачи, стр. 56, № 245; Индивидуально: Доклад"
