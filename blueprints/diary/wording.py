"""Russian wording of the diary: plural forms and the forecast in words (DIA-2)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.main import labels
from domain.grading import Forecast

# A change of the timetable as families read it (`{{ status|label("diary_change") }}`).
CHANGE_LABELS = labels.register("diary_change", {
    "substitution": _l("Замена"),
    "cancelled": _l("Урок отменён"),
    "moved": _l("Урок перенесён"),
    "extra": _l("Дополнительный урок"),
})


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for n: 1 пятёрка, 2 пятёрки, 5 пятёрок, 11 пятёрок, 21 пятёрка."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def fives_phrase(n: int) -> str:
    return f"{n} " + plural_ru(n, _("пятёрка"), _("пятёрки"), _("пятёрок"))


def top_marks_phrase(n: int, top: str | None) -> str:
    """n top marks of the subject's scale: «2 пятёрки» on the five-point scale, as families say;
    «2 отметки «10»», «1 отметка «100»» on the others."""
    if top == "5":
        return fives_phrase(n)
    return f"{n} " + plural_ru(n, _("отметка «%(mark)s»", mark=top), _("отметки «%(mark)s»", mark=top),
                               _("отметок «%(mark)s»", mark=top))


def lessons_phrase(n: int) -> str:
    return f"{n} " + plural_ru(n, _("урок"), _("урока"), _("уроков"))


def forecast_phrase(fc: Forecast) -> str:
    """The forecast of the period mark in words, in the subject's scale: «Выходит «4»; ещё
    2 пятёрки до «5»», «Выходит «8»; до «9» — ещё 3 отметки «10»»."""
    if fc.suggested is None and fc.top_mark is None:
        # pass/fail has no average, so no forecast: only the minimum number of marks
        return _("Мало отметок для аттестации") if fc.count and not fc.enough_marks else ""
    if fc.suggested is None:
        return _("Отметок пока нет") if fc.count == 0 else ""
    parts = [_("Выходит «%(mark)s»", mark=fc.suggested)]
    if fc.next_mark is not None:
        if fc.reachable is False:
            parts.append(_("«%(mark)s» до конца периода уже не достижима (осталось %(lessons)s)",
                           mark=fc.next_mark, lessons=lessons_phrase(fc.lessons_left or 0)))
        elif fc.top_marks_needed is not None and fc.top_mark == "5":
            parts.append(_("ещё %(marks)s до «%(mark)s»", marks=fives_phrase(fc.top_marks_needed), mark=fc.next_mark))
        elif fc.top_marks_needed is not None:
            # «ещё 2 отметки «10» до «10»» reads as a riddle: the mark aimed at comes first
            parts.append(_("до «%(mark)s» — ещё %(marks)s", mark=fc.next_mark,
                           marks=top_marks_phrase(fc.top_marks_needed, fc.top_mark)))
        else:
            parts.append(_("до «%(mark)s» пока далеко", mark=fc.next_mark))
    if not fc.enough_marks:
        parts.append(_("мало отметок для аттестации"))
    return "; ".join(parts)
