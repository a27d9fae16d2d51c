"""Fixtures in the shape of Flask's tutorial (app, client, runner, auth) plus factories that
return callables (as in Indico) and a query counter.

Engine: SQLite in a temporary file by default; PostgreSQL when TEST_DATABASE_URL is set
(`.ci/run` runs the whole suite on both)."""
from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from app import create_app
from config import TestConfig, normalise_database_url
from database import deferred_transactions
from extensions import db, limiter
from models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    MarkingScale,
    ParentLink,
    School,
    Student,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    User,
    UserRole,
    WorkKind,
)
from models.pd_register import ALL_CATEGORIES, OrderOperator, ProcessingOrder
from tests.clock import school_date as moved_date  # also sets the process's clock under FREEZE_NOW
from tests.clock import year_name

# The weekly reports' fixtures (report_week …), registered here so pytest rewrites their asserts
# before any test module imports them.
pytest_plugins = ("tests.weekly_fixtures",)

PASSWORD = "Parol-2026"
# Hashed once, at the test configuration's cost (see TestConfig.PASSWORD_HASH_METHOD).
_PASSWORD_HASH = generate_password_hash(PASSWORD, method=TestConfig.PASSWORD_HASH_METHOD)


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    folder = tempfile.mkdtemp(prefix="school-test-")
    return "sqlite:///" + os.path.join(folder, "test.db")


DATABASE_URL = _database_url()
IS_POSTGRES = DATABASE_URL.startswith("postgresql")


@pytest.fixture(scope="session")
def _schema():
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "SQLALCHEMY_DATABASE_URI": DATABASE_URL})
    with app.app_context():
        if IS_POSTGRES:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        db.engine.dispose()
    yield


def _clean_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    db.session.remove()
    # DELETE, children first: on a few rows it is much faster than TRUNCATE on PostgreSQL.
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())


def _base_config(tmp_path) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=DATABASE_URL,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        REPORTS_FOLDER=str(tmp_path / "reports"),
        MAINTENANCE_FILE=str(tmp_path / "maintenance.json"),  # a restore's marker, not instance/'s
        # Archive packages and their signing key: always under tmp, never instance/.
        BACKUP_DESTINATIONS=[str(tmp_path / "archive-a"), str(tmp_path / "archive-b")],
        ARCHIVE_SIGNING_KEY_PATH=str(tmp_path / "keys" / "archive_signing_key.pem"),
    )
    return config


# Building an app compiles every URL rule (~0.15 s): the test's own app and the client's app
# are built once per session and reused, their configuration restored after each test.
_SHARED_APPS: dict[str, object] = {}


def _shared_app(slot: str, tmp_path):
    config = _base_config(tmp_path)
    application = _SHARED_APPS.get(slot)
    if application is None:
        application = _SHARED_APPS[slot] = create_app(config)
    application.config.update({k: config[k] for k in (
        "UPLOAD_FOLDER", "REPORTS_FOLDER", "MAINTENANCE_FILE", "BACKUP_DESTINATIONS", "ARCHIVE_SIGNING_KEY_PATH")})
    return application


@pytest.fixture
def make_app(_schema, tmp_path):
    """make_app(WTF_CSRF_ENABLED=True): an app on the test database with extra settings."""
    apps = []
    shared = []

    def factory(_slot: str | None = None, **overrides):
        if _slot is not None and not overrides:
            application = _shared_app(_slot, tmp_path)
            shared.append((application, dict(application.config)))
            return application
        config = _base_config(tmp_path)
        config.update(overrides)
        application = create_app(config)
        apps.append(application)
        return application

    yield factory
    # Flask-Limiter keeps RATELIMIT_ENABLED on the one shared extension, set by the last app
    # built: a throttling test's app would otherwise rate-limit the logins of later tests.
    limiter.enabled = TestConfig.RATELIMIT_ENABLED
    cleaned = False
    for application, saved in shared:
        with application.app_context():
            if not cleaned:
                _clean_all_tables()
                cleaned = True
            db.session.remove()
            # New connections next time: a test may have replaced the database file (restore).
            db.engine.dispose()
        application.config.clear()
        application.config.update(saved)
    for application in apps:
        with application.app_context():
            if not cleaned and application.config["SQLALCHEMY_DATABASE_URI"] == DATABASE_URL:
                _clean_all_tables()
                cleaned = True
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    application = make_app("test")
    with application.app_context(), deferred_transactions():
        yield application


class _IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's app context.

    Flask reuses an app context that is already pushed for the same app, and with it `g`
    (where Flask-Login caches the current user) and the database session. The client is
    therefore bound to a second app on the same database, and after each request the test's
    session forgets what it had loaded, so assertions read what the request stored."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()  # what the test prepared is visible to the request
        response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.commit()  # end the test's snapshot: it now reads what the request stored
        return response


def isolated_client(make_app, **overrides):
    client_app = make_app(None if overrides else "client", **overrides)
    client_app.test_client_class = _IsolatedClient
    return client_app.test_client()


@pytest.fixture
def client(app, make_app):
    return isolated_client(make_app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_login, password: str = PASSWORD):
        login = user_or_login if isinstance(user_or_login, str) else user_or_login.login
        return self._client.post("/auth/login", data={"login": login, "password": password})

    def logout(self):
        return self._client.post("/auth/switch")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def create_user(app):
    counter = {"n": 0}

    def factory(
        school, *roles, login=None, last_name="Иванов", first_name="Иван", middle_name="Иванович",
        pd_categories=(ALL_CATEGORIES,), **kwargs
    ):
        """A user with these roles. Staff are named in the school's standing test order on
        personal data for `pd_categories` (PD-3); pass () to leave them out of it."""
        counter["n"] += 1
        user = User(
            school=school,
            login=login or f"user{counter['n']}",
            password_hash=_PASSWORD_HASH,
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name,
            **kwargs,
        )
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
        db.session.flush()
        if pd_categories and set(roles) - {"parent", "student"}:
            order = _standing_order(school)
            db.session.add(OrderOperator(order_id=order.id, user_id=user.id, categories=list(pd_categories)))
            db.session.flush()
        return user

    return factory


def _standing_order(school) -> ProcessingOrder:
    """The order on personal data every test school has from 2000 on, naming its staff."""
    order = db.session.scalars(
        select(ProcessingOrder).where(ProcessingOrder.school_id == school.id, ProcessingOrder.number == "ПД-тест")
    ).first()
    if order is None:
        order = ProcessingOrder(
            school_id=school.id, number="ПД-тест", signed_on=date(2000, 1, 1), valid_from=date(2000, 1, 1)
        )
        db.session.add(order)
        db.session.flush()
    return order


@pytest.fixture
def create_student(app, create_user):
    counter = {"n": 0}

    def factory(school, class_group, last_name="Петров", first_name="Пётр", with_login=True, parents=()):
        counter["n"] += 1
        user = None
        if with_login:
            user = create_user(school, "student", login=f"student{counter['n']}", last_name=last_name, first_name=first_name)
        student = Student(
            school=school,
            user=user,
            last_name=last_name,
            first_name=first_name,
            middle_name="",
            book_number=f"{counter['n']:04d}",
            current_class=class_group,
        )
        db.session.add(student)
        db.session.flush()
        db.session.add(ClassMembership(student=student, class_group=class_group, since=class_group.year.start_date))
        for parent in parents:
            db.session.add(ParentLink(parent_id=parent.id, student_id=student.id, relation="мать"))
        db.session.flush()
        return student

    return factory


@pytest.fixture
def small_school(app, create_user, create_student):
    """A small school: 5А and 5Б with mathematics and Russian, a first grade, two teachers,
    the academic office, an administrator, students, and two families (one with two children)."""

    def build(name="МБОУ «Средняя общеобразовательная школа № 1»", fixed_calendar=False):
        """The year 2026/2027 moved with the clock (tests/clock.py): today is in the second
        quarter, in the week after Friday school_date(2026, 11, 20). fixed_calendar=True keeps
        the dates as written, for tests of the year's structure that never read the clock."""
        school_date = date if fixed_calendar else moved_date
        school = School(name=name, short_name="СОШ № 1", director_name="Смирнова Анна Петровна")
        db.session.add(school)
        year = AcademicYear(school=school, name=year_name(school_date(2026, 9, 1)), start_date=school_date(2026, 9, 1), end_date=school_date(2027, 5, 31), is_current=True)
        db.session.add(year)
        quarters = [
            StudyPeriod(year=year, scheme="quarter", number=1, name="1 четверть", start_date=school_date(2026, 9, 1), end_date=school_date(2026, 10, 24)),
            StudyPeriod(year=year, scheme="quarter", number=2, name="2 четверть", start_date=school_date(2026, 11, 5), end_date=school_date(2026, 12, 28)),
            StudyPeriod(year=year, scheme="quarter", number=3, name="3 четверть", start_date=school_date(2027, 1, 12), end_date=school_date(2027, 3, 21)),
            StudyPeriod(year=year, scheme="quarter", number=4, name="4 четверть", start_date=school_date(2027, 3, 31), end_date=school_date(2027, 5, 26)),
        ]
        db.session.add_all(quarters)
        five = MarkingScale(school=school, code="five", name="Пятибалльная")
        none_scale = MarkingScale(school=school, code="none", name="Без отметок")
        db.session.add_all([five, none_scale])
        db.session.add_all([
            WorkKind(school=school, code="test", name="Контрольная работа", weight=Decimal("2")),
            WorkKind(school=school, code="independent", name="Самостоятельная работа", weight=Decimal("1.5")),
            WorkKind(school=school, code="oral", name="Устный ответ", weight=Decimal("1")),
        ])
        maths = Subject(school=school, name="Математика", short_name="Мат")
        russian = Subject(school=school, name="Русский язык", short_name="Рус")
        english = Subject(school=school, name="Английский язык", short_name="Англ")
        db.session.add_all([maths, russian, english])

        admin = create_user(school, "journal_admin", "tech_admin", login="admin", last_name="Администраторов", first_name="Алексей")
        director = create_user(school, "director", login="director", last_name="Смирнова", first_name="Анна")
        deputy = create_user(school, "deputy", login="deputy", last_name="Завучева", first_name="Зоя")
        methodist = create_user(school, "methodist", login="methodist", last_name="Методова", first_name="Мария")
        maths_teacher = create_user(school, "teacher", "class_teacher", login="maths", last_name="Числова", first_name="Вера")
        russian_teacher = create_user(school, "teacher", login="russian", last_name="Словарёва", first_name="Ольга")
        english_teacher = create_user(school, "teacher", login="english", last_name="Инглишева", first_name="Елена")
        primary_teacher = create_user(school, "teacher", "class_teacher", login="primary", last_name="Началова", first_name="Нина")
        extra_teacher = create_user(school, "extra_teacher", login="extra", last_name="Кружкова", first_name="Дарья")
        tech_admin = create_user(school, "tech_admin", login="tech", last_name="Техников", first_name="Тимур")

        class_5a = ClassGroup(school=school, year=year, name="5А", grade=5, letter="А", class_teacher=maths_teacher)
        class_5b = ClassGroup(school=school, year=year, name="5Б", grade=5, letter="Б")
        class_1a = ClassGroup(school=school, year=year, name="1А", grade=1, letter="А", attendance_only=True, class_teacher=primary_teacher)
        db.session.add_all([class_5a, class_5b, class_1a])
        db.session.flush()
        group_1 = Subgroup(class_group=class_5a, name="1 группа")
        group_2 = Subgroup(class_group=class_5a, name="2 группа")
        db.session.add_all([group_1, group_2])

        def assign(teacher, class_group, subject, scale=five, subgroup=None):
            a = TeachingAssignment(school=school, year=year, teacher=teacher, class_group=class_group, subject=subject, scale=scale, subgroup=subgroup)
            db.session.add(a)
            return a

        maths_5a = assign(maths_teacher, class_5a, maths)
        russian_5a = assign(russian_teacher, class_5a, russian)
        maths_5b = assign(russian_teacher, class_5b, maths)
        english_5a_g1 = assign(english_teacher, class_5a, english, subgroup=group_1)
        english_5a_g2 = assign(maths_teacher, class_5a, english, subgroup=group_2)
        russian_1a = assign(primary_teacher, class_1a, russian, scale=none_scale)
        db.session.flush()

        parent_a = create_user(school, "parent", login="parent_a", last_name="Петрова", first_name="Елена")
        parent_b = create_user(school, "parent", login="parent_b", last_name="Сидорова", first_name="Ирина")
        pupils_5a = [
            create_student(school, class_5a, "Петров", "Пётр", parents=[parent_a]),
            create_student(school, class_5a, "Алексеева", "Анна"),
            create_student(school, class_5a, "Борисов", "Борис"),
            create_student(school, class_5a, "Васильева", "Вера"),
        ]
        pupils_5b = [
            create_student(school, class_5b, "Сидоров", "Семён", parents=[parent_b]),
            create_student(school, class_5b, "Григорьев", "Глеб"),
        ]
        pupil_1a = create_student(school, class_1a, "Петрова", "Полина", parents=[parent_a])
        for i, pupil in enumerate(pupils_5a):
            db.session.add(SubgroupMember(subgroup=group_1 if i % 2 == 0 else group_2, student=pupil))
        db.session.commit()
        return SimpleNamespace(**locals())

    return build


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements."""

    @contextlib.contextmanager
    def counting():
        counter = SimpleNamespace(count=0, statements=[])

        def before(conn, cursor, statement, parameters, context, executemany):
            if statement.strip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                return
            counter.count += 1
            counter.statements.append(statement)

        # On the Engine class: the test client's requests run on an engine of their own.
        event.listen(Engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(Engine, "before_cursor_execute", before)

    return counting
