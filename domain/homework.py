"""The homework as one line of text, the same in the diary, the weekly report and the printed
journal: "Задачи, стр. 56, № 245, 247"; an individual task "Индивидуально: …"."""
from __future__ import annotations

from collections.abc import Callable

from domain.messages import N_


def _untranslated(message: str, **params) -> str:
    return message % params if params else message


def homework_text(hw, translate: Callable[..., str] = _untranslated) -> str:
    """`hw` has text, pages, exercises and is_individual (models.Homework); `translate` is the
    view's gettext. «стр.» and «№» go only before bare numbers: teachers often type them
    themselves, and «№ № 245» is what the printed journal used to say."""
    parts = [hw.text.strip()] if hw.text and hw.text.strip() else []
    pages = (hw.pages or "").strip()
    if pages:
        parts.append(translate(N_("стр. %(pages)s"), pages=pages) if pages[:1].isdigit() else pages)
    numbers = (hw.exercises or "").strip()
    if numbers:
        parts.append(translate(N_("№ %(numbers)s"), numbers=numbers) if numbers[:1].isdigit() else numbers)
    text = ", ".join(parts)
    if hw.is_individual:  # marked even when only files were given
        text = translate(N_("Индивидуально: %(text)s"), text=text)
    return text
