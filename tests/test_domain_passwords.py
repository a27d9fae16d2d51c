"""Weak passwords are refused (issue 8, item 5; ASVS 2.1.1, 2.1.7): common and breached ones,
repeated characters, the person's own login and name. The rule is pure (domain/passwords.py)."""
from __future__ import annotations

import pytest

from domain.passwords import common_passwords, password_problem


@pytest.mark.parametrize("password", ["12345678", "password", "aaaaaaaa", "qwerty123", "Password1", "PASSWORD!"])
def test_common_and_breached_passwords_are_refused(password):
    assert "распространён" in password_problem(password) or "слишком прост" in password_problem(password)


def test_the_list_of_common_passwords_is_shipped_with_the_project():
    assert len(common_passwords()) > 19000
    assert "12345678" in common_passwords()


@pytest.mark.parametrize("password", ["ббббббббб", "abababab", "11112222"])
def test_repeated_characters_and_digits_only_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize("password", ["ivanov.ia1", "IVANOV.IA2026", "xx-ivanov.ia-xx"])
def test_the_login_inside_the_password_is_refused(password):
    assert password_problem(password, login="ivanov.ia") == "Пароль не должен содержать ваш логин."


@pytest.mark.parametrize("password", ["Иванов2026!", "мама-Алена-99", "Алёна-2026-лето"])
def test_the_persons_own_name_is_refused(password):
    problem = password_problem(password, login="x.y", names=("Иванов", "Алена", "Иванович"))
    assert problem == "Пароль не должен содержать ваши фамилию, имя или отчество."


def test_short_password_is_refused():
    assert password_problem("Ab-1") == "Пароль должен быть не короче 8 символов."


@pytest.mark.parametrize("password", ["Zvezda-Polyarnaya-7", "кот учёный ходит по цепи", "Mrk7#tLp2qZ"])
def test_good_passwords_pass(password):
    assert password_problem(password, login="ivanov.ia", names=("Иванов", "Иван", "")) is None
