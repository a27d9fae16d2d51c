"""domain/polls.py without a database: texts, options, dates, ballots."""
from __future__ import annotations

from datetime import date

import pytest

from domain import polls as rules
from domain.messages import Refusal

D = date(2026, 11, 25)


@pytest.mark.parametrize("text", ["<script>x</script>", "a <b>b</b>", "<!-- x -->", "</p>", "&#60;script", "javascript:alert(1)",
                                  "bell\x07", "Я" * 201])
def test_bad_texts_refused(text):
    with pytest.raises(Refusal):
        rules.clean_text(text, 200, "Название")


def test_plain_texts_kept():
    assert rules.clean_text("  1 < 2 и 3 > 2, «ёлка» & Ко ", 200, "Название") == "1 < 2 и 3 > 2, «ёлка» & Ко"
    assert rules.clean_text("", 200, "Вопрос", required=False) == ""
    with pytest.raises(Refusal):
        rules.clean_text("   ", 200, "Название")


def test_options():
    assert rules.clean_options(["Да", "", " Нет "]) == ["Да", "Нет"]
    for lines in (["Да"], ["Да", "да"], [str(n) for n in range(21)]):
        with pytest.raises(Refusal):
            rules.clean_options(lines)


def test_open_dates_inclusive():
    rules.check_open(D, D, D)
    with pytest.raises(Refusal) as early:
        rules.check_open(date(2026, 11, 26), date(2026, 11, 30), D)
    assert early.value.status == 409 and "26.11.2026" in str(early.value)
    with pytest.raises(Refusal) as late:
        rules.check_open(date(2026, 11, 1), date(2026, 11, 24), D)
    assert "24.11.2026" in str(late.value)
    with pytest.raises(Refusal):
        rules.check_dates(date(2026, 11, 30), date(2026, 11, 29), D)
    with pytest.raises(Refusal):
        rules.check_dates(None, D, D)


def test_ballots():
    assert rules.check_ballot("single", ["3"], "", {3, 4}).option_ids == (3,)
    assert rules.check_ballot("multiple", ["3", "4", "3"], "", {3, 4}).option_ids == (3, 4)
    assert rules.check_ballot("text", [], " Спасибо ", set()).text == "Спасибо"
    for kind, ids in (("single", ["3", "4"]), ("single", ["5"]), ("multiple", []), ("single", ["x"])):
        with pytest.raises(Refusal):
            rules.check_ballot(kind, ids, "", {3, 4})
