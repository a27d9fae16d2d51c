"""Who grants which role and who resets whose password (issue 8 item 6, ADM-7, domain/roles.py):
nobody grants a role to themselves, a role above one's own only the director grants, the
technical administrator manages accounts but reads no diary or journal and cannot hand himself
the director's password; the owner of a reset password is told."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

import policy
from domain import roles
from extensions import db
from models import AdminAlert, ParentLink, User, UserRole
from tests.conftest import PASSWORD, isolated_client


def _roles(user_id: int) -> frozenset[str]:
    db.session.expire_all()
    return db.session.get(User, user_id).roles


def _post_roles(client, user, *new_roles):
    return client.post(f"/admin/people/users/{user.id}/roles", data={"roles": list(new_roles)})


# The rules, without a database -----------------------------------------------------------------


def test_rank_is_that_of_the_highest_role():
    assert roles.rank({"journal_admin", "tech_admin"}) == roles.RANKS["journal_admin"]
    assert roles.rank({"tech_admin"}) < roles.rank({"methodist"}) < roles.rank({"deputy"}) < roles.rank({"director"})
    assert roles.rank(set()) == -1


@pytest.mark.parametrize(
    "actor, before, after, is_self, expected",
    [
        ({"tech_admin"}, {"tech_admin"}, {"tech_admin", "director"}, True, "self"),
        ({"director"}, {"director"}, {"director", "teacher"}, True, "self"),
        ({"tech_admin"}, {"teacher"}, {"teacher", "journal_admin"}, False, "above"),
        ({"journal_admin"}, {"teacher"}, {"deputy"}, False, "above"),
        ({"tech_admin"}, {"deputy"}, {"teacher"}, False, "senior"),
        ({"tech_admin"}, {"teacher"}, {"teacher", "class_teacher"}, False, None),
        ({"tech_admin"}, {"teacher"}, {"tech_admin"}, False, None),
        ({"director"}, {"teacher"}, {"deputy"}, False, None),
        ({"director"}, {"deputy"}, {"director"}, False, None),
        ({"journal_admin", "tech_admin"}, {"journal_admin", "tech_admin"}, {"journal_admin"}, True, None),
    ],
)
def test_grant_refusal(actor, before, after, is_self, expected):
    assert roles.grant_refusal(actor, before, after, is_self) == expected


def test_director_and_deputy_passwords_need_the_director():
    assert roles.reset_needs_director({"tech_admin"}, {"director"})
    assert roles.reset_needs_director({"journal_admin", "tech_admin"}, {"deputy"})
    assert roles.reset_needs_director({"tech_admin"}, {"methodist"})  # ranked above him
    assert roles.reset_needs_director({"tech_admin"}, {"teacher", "parent", "deputy"})
    assert not roles.reset_needs_director({"tech_admin"}, {"teacher", "class_teacher"})
    assert not roles.reset_needs_director({"director"}, {"deputy"})


# Roles ---------------------------------------------------------------------------------------


def test_technical_administrator_cannot_make_himself_director(client, auth, small_school):
    s = small_school()
    auth.login(s.tech_admin)
    response = _post_roles(client, s.tech_admin, "tech_admin", "director")
    assert response.status_code == 403
    assert "Нельзя назначить роль самому себе" in response.get_data(as_text=True)
    assert _roles(s.tech_admin.id) == {"tech_admin"}
    assert client.get(f"/journal/assignments/{s.maths_5a.id}").status_code == 403


def test_nobody_adds_a_role_to_themselves_not_even_the_director(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    response = _post_roles(client, s.director, "director", "teacher")
    assert response.status_code == 403
    assert _roles(s.director.id) == {"director"}


def test_a_role_above_ones_own_is_refused(client, auth, small_school):
    s = small_school()
    auth.login(s.tech_admin)
    for role in ("director", "deputy", "methodist", "journal_admin"):
        response = _post_roles(client, s.russian_teacher, "teacher", role)
        assert response.status_code == 403, role
        assert "только директор" in response.get_data(as_text=True)
    assert _roles(s.russian_teacher.id) == {"teacher"}
    client.post("/auth/switch")
    auth.login(s.admin)  # journal administrator: methodist is his own rank, deputy is above
    assert _post_roles(client, s.russian_teacher, "teacher", "deputy").status_code == 403
    assert _post_roles(client, s.russian_teacher, "teacher", "methodist").status_code == 302
    assert _roles(s.russian_teacher.id) == {"teacher", "methodist"}


def test_roles_of_someone_ranked_above_are_changed_only_by_the_director(client, auth, small_school):
    s = small_school()
    auth.login(s.tech_admin)
    assert _post_roles(client, s.deputy, "teacher").status_code == 403
    assert _post_roles(client, s.director, "parent").status_code == 403
    assert _roles(s.deputy.id) == {"deputy"} and _roles(s.director.id) == {"director"}


def test_technical_administrator_grants_roles_up_to_his_own(client, auth, small_school):
    s = small_school()
    auth.login(s.tech_admin)
    assert _post_roles(client, s.english_teacher, "teacher", "class_teacher").status_code == 302
    assert _post_roles(client, s.extra_teacher, "extra_teacher", "tech_admin").status_code == 302
    assert _roles(s.english_teacher.id) == {"teacher", "class_teacher"}
    assert _roles(s.extra_teacher.id) == {"extra_teacher", "tech_admin"}


def test_director_grants_the_management_roles(client, auth, small_school):
    s = small_school()
    auth.login(s.director)
    assert _post_roles(client, s.russian_teacher, "teacher", "deputy").status_code == 302
    assert _post_roles(client, s.tech_admin, "tech_admin", "journal_admin").status_code == 302
    assert _roles(s.russian_teacher.id) == {"teacher", "deputy"}
    assert _roles(s.tech_admin.id) == {"tech_admin", "journal_admin"}


def test_user_page_offers_no_reset_the_actor_may_not_do(client, auth, small_school):
    s = small_school()
    auth.login(s.tech_admin)
    page = client.get(f"/admin/people/users/{s.director.id}").get_data(as_text=True)
    assert "сбрасывает только директор" in page
    assert f"/admin/people/users/{s.director.id}/password" not in page
    page = client.get(f"/admin/people/users/{s.maths_teacher.id}").get_data(as_text=True)
    assert f"/admin/people/users/{s.maths_teacher.id}/password" in page


# Passwords -----------------------------------------------------------------------------------


def _slip_password(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    return re.search(r"Пароль (\S+)", text).group(1)


@pytest.mark.parametrize("target", ["director", "deputy"])
def test_technical_administrator_cannot_reset_the_directors_or_deputys_password(client, auth, small_school, target):
    s = small_school()
    owner = getattr(s, target)
    auth.login(s.tech_admin)
    response = client.post(f"/admin/people/users/{owner.id}/password", data={"reason": "забыл"})
    assert response.status_code == 403 and response.mimetype == "text/html"
    assert "сбрасывает только директор" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, owner.id).check_password(PASSWORD)
    assert db.session.scalar(select(AdminAlert).where(AdminAlert.user_id == owner.id)) is None


def test_journal_administrator_cannot_reset_the_deputys_password_either(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    assert client.post(f"/admin/people/users/{s.deputy.id}/password").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, s.deputy.id).check_password(PASSWORD)


def test_director_resets_the_deputys_password_and_the_owner_is_alerted(client, auth, make_app, small_school):
    s = small_school()
    auth.login(s.director)
    response = client.post(f"/admin/people/users/{s.deputy.id}/password", data={"reason": "забыла"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    password = _slip_password(response)
    alert = db.session.scalar(select(AdminAlert).where(AdminAlert.user_id == s.deputy.id))
    assert alert.kind == AdminAlert.PASSWORD_RESET and not alert.is_resolved
    assert "Смирнова Анна" in alert.message  # who reset it
    assert "Завучева" in client.get("/admin/people/alerts").get_data(as_text=True)

    owner = isolated_client(make_app)
    assert owner.post("/auth/login", data={"login": "deputy", "password": password}).status_code == 302
    changed = owner.post(
        "/auth/password",
        data={"current_password": password, "new_password": "Зелёный-чайник-42", "confirm": "Зелёный-чайник-42"},
    )
    assert changed.status_code == 302
    for page in ("/", "/profile"):
        text = owner.get(page).get_data(as_text=True)
        assert "Ваш пароль сбрасывал администратор" in text, page
        assert "/auth/compromised" in text


def test_other_people_do_not_see_the_owners_reset(client, auth, small_school):
    s = small_school()
    auth.login(s.admin)
    assert client.post(f"/admin/people/users/{s.maths_teacher.id}/password").mimetype == "application/pdf"
    client.post("/auth/switch")
    auth.login(s.russian_teacher)
    assert "Ваш пароль сбрасывал администратор" not in client.get("/").get_data(as_text=True)


def test_class_slips_skip_a_parent_whose_password_needs_the_director(client, auth, small_school):
    """The deputy is also a mother in 5Б: the class's slips must not hand her password to the
    technical administrator."""
    s = small_school()
    deputy = db.session.get(User, s.deputy.id)
    deputy.role_rows.append(UserRole(role="parent"))
    db.session.add(ParentLink(parent_id=deputy.id, student_id=s.pupils_5b[1].id, relation="мать"))
    db.session.commit()
    auth.login(s.tech_admin)
    response = client.post(f"/admin/people/classes/{s.class_5b.id}/slips", data={"students": "y", "parents": "y"})
    assert response.mimetype == "application/pdf"
    db.session.expire_all()
    assert db.session.get(User, s.deputy.id).check_password(PASSWORD)
    assert not db.session.get(User, s.parent_b.id).check_password(PASSWORD)


# What the technical administrator reads -------------------------------------------------------


def test_technical_administrator_reads_no_diary_and_no_journal(client, auth, small_school):
    s = small_school()
    pupil = s.pupils_5a[0]
    assert not policy.can_view_student(s.tech_admin, pupil)
    assert policy.can_view_student(s.admin, pupil)  # also journal administrator
    auth.login(s.tech_admin)
    for url in (
        f"/diary/students/{pupil.id}/week",
        f"/diary/students/{pupil.id}/marks",
        f"/diary/students/{pupil.id}/weekly-report",
        f"/journal/assignments/{s.maths_5a.id}",
        f"/journal/classes/{s.class_5a.id}",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/admin/people/users/{s.maths_teacher.id}").status_code == 200  # accounts: yes


@pytest.mark.parametrize("who", ["tech_admin", "methodist"])
def test_substitutions_are_not_managed_by_the_technical_administrator_nor_the_methodist(client, auth, small_school, who):
    s = small_school()
    assert not policy.can_manage_schedule(getattr(s, who))
    auth.login(getattr(s, who))
    assert client.get("/journal/schedule/changes").status_code == 403


@pytest.mark.parametrize("who", ["director", "deputy", "admin"])
def test_substitutions_are_managed_by_the_office_and_the_journal_administrator(client, auth, small_school, who):
    s = small_school()
    auth.login(getattr(s, who))
    assert client.get("/journal/schedule/changes").status_code == 200


def test_reprinted_class_slips_alert_the_owners_but_a_first_password_does_not(client, auth, small_school):
    """Reprinting a class's slips replaces working passwords: each owner is told, as after a
    single reset; a first password (none issued before) is no reset."""
    s = small_school()
    first, reissued = s.pupils_5b[0].user, s.pupils_5b[1].user
    db.session.get(User, first.id).set_unusable_password()
    db.session.commit()
    auth.login(s.tech_admin)
    response = client.post(f"/admin/people/classes/{s.class_5b.id}/slips", data={"students": "y"})
    assert response.mimetype == "application/pdf"
    alerted = set(db.session.scalars(select(AdminAlert.user_id).where(AdminAlert.kind == AdminAlert.PASSWORD_RESET)))
    assert reissued.id in alerted and first.id not in alerted
    assert "Техников Тимур" in db.session.scalar(select(AdminAlert.message).where(AdminAlert.user_id == reissued.id))
