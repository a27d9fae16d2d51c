"""Build a realistic demo school in an empty database: «МБОУ «СОШ № 7»» in the 2026/2027
academic year with its periods, holidays, scales, kinds of work, subjects, twelve classes and
an additional-education group (teacher, hours, timetable, pupils of several classes), about 25 teachers,
the administration, about 270 students with their parents, the curriculum, teaching
assignments and a clash-free weekly timetable.

Everything is added to the session at once and committed once; one password hash is shared by
every demo account (scrypt is deliberately slow, so hashing 700 passwords would take minutes).
The random generator is seeded, so the same seed gives the same school."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from werkzeug.security import generate_password_hash

from demo.beyond import fill_beyond_the_lesson
from demo.families import record_family_paperwork
from demo.journal import fill_journal
from demo.names import (
    BOYS,
    GIRLS,
    GRANDFATHERS,
    MEN,
    SURNAMES,
    WOMEN,
    patronymic,
    surname_for,
)
from demo.pd_order import demo_order
from demo.profiles import fill_student_profiles
from domain.bells import checked_bells, shortened
from extensions import db
from models import (
    AcademicYear,
    BellSchedule,
    ClassGroup,
    ClassMembership,
    ClubMembership,
    CurriculumItem,
    EnrolmentEvent,
    Holiday,
    MarkingScale,
    ParentLink,
    Room,
    ScheduleSlot,
    School,
    ShortenedDay,
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
from utils.credentials import generate_password, make_login
from utils.timeutil import school_today

YEAR_START = date(2026, 9, 1)
YEAR_END = date(2027, 5, 31)

# The fixed logins described in README.md; every other account gets a generated one.
DEMO_LOGINS: list[tuple[str, str]] = [
    ("director", "director"),
    ("deputy", "deputy director (academic office)"),
    ("methodist", "methodist"),
    ("admin", "journal administrator + technical administrator"),
    ("tech", "technical administrator"),
    ("teacher", "maths teacher of 5А and 5Б, class teacher of 5А"),
    ("parent", "parent of two children: 5А and 2А"),
    ("student", "student of 5А"),
]

QUARTERS = [
    (1, "1 четверть", date(2026, 9, 1), date(2026, 10, 24)),
    (2, "2 четверть", date(2026, 11, 5), date(2026, 12, 28)),
    (3, "3 четверть", date(2027, 1, 12), date(2027, 3, 21)),
    (4, "4 четверть", date(2027, 3, 31), date(2027, 5, 26)),
]
HALF_YEARS = [
    (1, "1 полугодие", date(2026, 9, 1), date(2026, 12, 28)),
    (2, "2 полугодие", date(2027, 1, 12), date(2027, 5, 26)),
]
HOLIDAYS = [
    ("Осенние каникулы", date(2026, 10, 25), date(2026, 11, 4)),
    ("Зимние каникулы", date(2026, 12, 29), date(2027, 1, 11)),
    ("Весенние каникулы", date(2027, 3, 22), date(2027, 3, 30)),
]
BELLS = [
    (1, "08:30", "09:15"),
    (2, "09:25", "10:10"),
    (3, "10:30", "11:15"),
    (4, "11:35", "12:20"),
    (5, "12:30", "13:15"),
    (6, "13:25", "14:10"),
    (7, "14:20", "15:05"),
    (8, "15:15", "16:00"),
]
SHORTENED_DAY = date(2026, 12, 28)
SCALES = [
    ("five", "Пятибалльная"),
    ("pass_fail", "Зачёт/незачёт"),
    ("ten", "Десятибалльная"),
    ("hundred", "Стобалльная"),
    ("none", "Без отметок"),
]
WORK_KINDS = [
    ("test", "Контрольная работа", "2"),
    ("independent", "Самостоятельная работа", "1.5"),
    ("practical", "Практическая работа", "1.5"),
    ("lab", "Лабораторная работа", "1.5"),
    ("oral", "Устный ответ", "1"),
    ("homework", "Домашняя работа", "1"),
    ("dictation", "Диктант", "2"),
    ("quiz", "Тест", "1.5"),
]
# code -> (name, short name)
SUBJECTS: dict[str, tuple[str, str]] = {
    "rus": ("Русский язык", "Рус"),
    "read": ("Литературное чтение", "Лит. чт."),
    "lit": ("Литература", "Лит"),
    "eng": ("Английский язык", "Англ"),
    "math": ("Математика", "Мат"),
    "alg": ("Алгебра", "Алг"),
    "geom": ("Геометрия", "Геом"),
    "prob": ("Вероятность и статистика", "ВиС"),
    "inf": ("Информатика", "Инф"),
    "hist": ("История", "Ист"),
    "soc": ("Обществознание", "Общ"),
    "geo": ("География", "Геогр"),
    "bio": ("Биология", "Биол"),
    "phys": ("Физика", "Физ"),
    "chem": ("Химия", "Хим"),
    "world": ("Окружающий мир", "Окр. мир"),
    "art": ("Изобразительное искусство", "ИЗО"),
    "music": ("Музыка", "Муз"),
    "labour": ("Труд (технология)", "Труд"),
    "pe": ("Физическая культура", "Физ-ра"),
    "obzr": ("Основы безопасности и защиты Родины", "ОБЗР"),
    "project": ("Индивидуальный проект", "Проект"),
    "robot": ("Робототехника", "Робот."),
}
# Hours per week by grade, after the federal curriculum (ФОП НОО/ООО/СОО, five-day week).
_PRIMARY = {"rus": 5, "read": 4, "eng": 2, "math": 4, "world": 2, "art": 1, "music": 1, "labour": 1, "pe": 2}
_SENIOR = {"rus": 2, "lit": 3, "eng": 3, "alg": 4, "geom": 3, "prob": 1, "inf": 1, "hist": 2, "soc": 2,
           "geo": 1, "bio": 1, "phys": 2, "chem": 1, "obzr": 1, "pe": 2}
CURRICULUM: dict[int, dict[str, int]] = {
    1: {k: v for k, v in _PRIMARY.items() if k != "eng"},
    2: _PRIMARY,
    3: _PRIMARY,
    4: {**_PRIMARY, "read": 3},
    5: {"rus": 5, "lit": 3, "eng": 3, "math": 5, "inf": 1, "hist": 2, "geo": 1, "bio": 1, "art": 1, "music": 1,
        "labour": 2, "pe": 2},
    6: {"rus": 6, "lit": 3, "eng": 3, "math": 5, "inf": 1, "hist": 2, "soc": 1, "geo": 1, "bio": 1, "art": 1,
        "music": 1, "labour": 2, "pe": 2},
    7: {"rus": 4, "lit": 2, "eng": 3, "alg": 3, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 1, "geo": 2,
        "bio": 1, "phys": 2, "art": 1, "music": 1, "labour": 2, "pe": 2},
    8: {"rus": 3, "lit": 2, "eng": 3, "alg": 3, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 1, "geo": 2,
        "bio": 2, "phys": 2, "chem": 2, "music": 1, "labour": 1, "obzr": 1, "pe": 2},
    9: {"rus": 3, "lit": 3, "eng": 3, "alg": 3, "geom": 2, "prob": 1, "inf": 1, "hist": 2, "soc": 1, "geo": 2,
        "bio": 2, "phys": 3, "chem": 2, "labour": 1, "obzr": 1, "pe": 2},
    10: {**_SENIOR, "project": 1},
    11: _SENIOR,
}
# Taught in two subgroups from the fifth grade (001:2.5.5).
SPLIT_SUBJECTS = {"eng", "inf"}
MAX_LESSONS_PER_DAY = {1: 4, 2: 5, 3: 5, 4: 5}  # other grades: 7

CLASSES = ["1А", "2А", "3А", "4А", "5А", "5Б", "6А", "7А", "8А", "9А", "10А", "11А"]

# Staff: key -> (gender, roles, room). Teachers' subjects are in _teacher_for().
STAFF: dict[str, tuple[str, tuple[str, ...], str]] = {
    "director": ("f", ("director",), "101"),
    "deputy": ("f", ("deputy",), "102"),
    "methodist": ("f", ("methodist",), "103"),
    "admin": ("m", ("journal_admin", "tech_admin"), "104"),
    "tech": ("m", ("tech_admin",), "104"),
    "prim1": ("f", ("teacher", "class_teacher"), "111"),
    "prim2": ("f", ("teacher", "class_teacher"), "112"),
    "prim3": ("f", ("teacher", "class_teacher"), "113"),
    "prim4": ("f", ("teacher", "class_teacher"), "114"),
    "teacher": ("f", ("teacher", "class_teacher"), "201"),  # maths, 5А–7А; class teacher of 5А
    "maths2": ("m", ("teacher", "class_teacher"), "202"),
    "rus1": ("f", ("teacher", "class_teacher"), "203"),
    "rus2": ("f", ("teacher",), "204"),
    "rus3": ("f", ("teacher", "class_teacher"), "205"),
    "eng1": ("f", ("teacher", "class_teacher"), "206"),
    "eng2": ("f", ("teacher",), "207"),
    "inf": ("m", ("teacher",), "305"),
    "phys": ("m", ("teacher", "class_teacher"), "301"),
    "chem": ("f", ("teacher",), "302"),
    "bio": ("f", ("teacher", "class_teacher"), "303"),
    "geo": ("f", ("teacher",), "304"),
    "hist": ("f", ("teacher", "class_teacher"), "208"),
    "soc": ("m", ("teacher",), "209"),
    "art": ("f", ("teacher",), "115"),
    "music": ("f", ("teacher",), "116"),
    "labour": ("m", ("teacher",), "Мастерская"),
    "pe1": ("m", ("teacher",), "Спортзал 1"),
    "pe2": ("f", ("teacher",), "Спортзал 2"),
    "obzr": ("m", ("teacher",), "306"),
    "extra": ("m", ("extra_teacher",), "307"),
}
# Names of the accounts the README mentions, so that the tour reads the same on every machine.
FIXED_NAMES = {
    "director": ("Кузнецова", "Ольга", "Викторовна"),
    "deputy": ("Лебедева", "Марина", "Сергеевна"),
    "methodist": ("Голубева", "Татьяна", "Николаевна"),
    "admin": ("Орлов", "Дмитрий", "Андреевич"),
    "tech": ("Фёдоров", "Артём", "Игоревич"),
    "teacher": ("Соколова", "Ирина", "Владимировна"),
}
CLASS_TEACHERS = {
    "1А": "prim1", "2А": "prim2", "3А": "prim3", "4А": "prim4", "5А": "teacher", "5Б": "rus1", "6А": "eng1",
    "7А": "hist", "8А": "bio", "9А": "maths2", "10А": "rus3", "11А": "phys",
}
PRIMARY_TEACHER = {"1А": "prim1", "2А": "prim2", "3А": "prim3", "4А": "prim4"}


def _teacher_for(class_name: str, grade: int, subject: str) -> str | tuple[str, str]:
    """Who teaches a subject in a class; a pair (group 1, group 2) when the class is split."""
    if grade <= 4:
        if subject == "music":
            return "music"
        if subject == "pe":
            return "pe1"
        if subject == "eng":
            return "eng2" if grade == 4 else "eng1"
        return PRIMARY_TEACHER[class_name]
    if subject == "eng":
        return ("eng1", "eng2")
    if subject == "inf":
        return ("inf", "phys")  # the physics teacher takes the second informatics group
    if subject in ("rus", "lit"):
        return "rus1" if grade <= 6 else "rus2" if grade <= 9 else "rus3"
    if subject in ("math", "alg", "geom", "prob"):
        return "teacher" if grade <= 7 else "maths2"
    if subject == "pe":
        return "pe1" if grade <= 6 else "pe2"
    if subject == "project":
        return "bio"
    return {"hist": "hist", "soc": "soc", "geo": "geo", "bio": "bio", "phys": "phys", "chem": "chem",
            "art": "art", "music": "music", "labour": "labour", "obzr": "obzr"}[subject]


@dataclass
class _Family:
    surname: str  # masculine form
    father: str  # father's first name: the children's patronymic
    children: list[tuple[str, str, str, date]] = field(default_factory=list)  # class, gender, first name, born
    parents: list[tuple[User, str]] = field(default_factory=list)  # (account, relation)


class _Builder:
    def __init__(self, password_hash: str, seed: int):
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.logins: set[str] = {login for login, _ in DEMO_LOGINS}
        self.rows: list = []
        self.used_surnames: set[str] = {names[0] for names in FIXED_NAMES.values()}

    # --- people -----------------------------------------------------------------------------

    def _login(self, last: str, first: str, middle: str) -> str:
        login = make_login(last, first, middle, self.logins.__contains__)
        self.logins.add(login)
        return login

    def user(self, school: School, roles: tuple[str, ...], last: str, first: str, middle: str,
             login: str | None = None, **extra) -> User:
        user = User(
            school=school,
            login=login or self._login(last, first, middle),
            password_hash=self.password_hash,
            last_name=last,
            first_name=first,
            middle_name=middle,
            **extra,
        )
        user.role_rows = [UserRole(role=role) for role in roles]
        self.rows.append(user)
        return user

    def adult_name(self, gender: str) -> tuple[str, str, str]:
        """A name whose surname no other adult built by this method has (staff, guardians)."""
        while True:
            surname = surname_for(self.rng.choice(SURNAMES), gender)
            if surname not in self.used_surnames:
                self.used_surnames.add(surname)
                first = self.rng.choice(WOMEN if gender == "f" else MEN)
                return surname, first, patronymic(self.rng.choice(GRANDFATHERS), gender)

    def phone(self) -> str:
        r = self.rng
        return f"+7 9{r.randint(0, 99):02d} {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"

    def birth_date(self, grade: int) -> date:
        """Born between 1 September and 31 August so that the child is 6½–8 in the first grade."""
        start = date(2019 - grade, 9, 1)
        return start + timedelta(days=self.rng.randrange(365))


def build_demo_school(password: str | None, seed: int = 2026) -> dict:
    """Add the demo school to the (empty) database and commit once.

    password: the password of every demo account; None generates one random password.
    Returns the password, the fixed logins and counts of what was created."""
    generated = password is None
    if password is None:
        password = generate_password(12)
    b = _Builder(generate_password_hash(password, method="scrypt"), seed)
    rng = b.rng

    school = School(
        name="Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 7»",
        short_name="МБОУ «СОШ № 7»",
        address="394036, Воронежская область, г. Воронеж, ул. Школьная, д. 7",
        inn="3664012784",
        director_name=" ".join(FIXED_NAMES["director"]),
        timezone="Europe/Moscow",
        settings={},
    )
    year = AcademicYear(school=school, name="2026/2027", start_date=YEAR_START, end_date=YEAR_END, is_current=True)
    b.rows += [school, year]
    b.rows += [StudyPeriod(year=year, scheme="quarter", number=n, name=name, start_date=s, end_date=e)
               for n, name, s, e in QUARTERS]
    b.rows += [StudyPeriod(year=year, scheme="half_year", number=n, name=name, start_date=s, end_date=e)
               for n, name, s, e in HALF_YEARS]
    b.rows.append(StudyPeriod(year=year, scheme="year", number=1, name="Год", start_date=YEAR_START, end_date=YEAR_END))
    b.rows += [Holiday(year=year, name=name, start_date=s, end_date=e) for name, s, e in HOLIDAYS]
    b.rows += [BellSchedule(school=school, lesson_number=n, starts=s, ends=e) for n, s, e in BELLS]
    # The shortened day (30-minute lessons) on the last day before the winter holidays.
    b.rows += [BellSchedule(school=school, variant="short", lesson_number=x.lesson_number, starts=x.starts, ends=x.ends)
               for x in shortened(checked_bells(BELLS), 30)]
    b.rows.append(ShortenedDay(school=school, date=SHORTENED_DAY, note="последний день перед зимними каникулами"))
    scales = {code: MarkingScale(school=school, code=code, name=name) for code, name in SCALES}
    b.rows += scales.values()
    b.rows += [WorkKind(school=school, code=code, name=name, weight=Decimal(weight))
               for code, name, weight in WORK_KINDS]
    subjects = {code: Subject(school=school, name=name, short_name=short) for code, (name, short) in SUBJECTS.items()}
    b.rows += subjects.values()

    # Staff.
    staff: dict[str, User] = {}
    for key, (gender, roles, _room) in STAFF.items():
        last, first, middle = FIXED_NAMES.get(key) or b.adult_name(gender)
        fixed = key if key in FIXED_NAMES else None
        staff[key] = b.user(school, roles, last, first, middle, login=fixed)

    # Classes, subgroups, the additional-education group.
    classes: dict[str, ClassGroup] = {}
    subgroups: dict[str, tuple[Subgroup, Subgroup]] = {}
    for name in CLASSES:
        grade = int(name[:-1])
        group = ClassGroup(
            school=school, year=year, name=name, grade=grade, letter=name[-1], kind="class",
            period_scheme="half_year" if grade >= 10 else "quarter",
            attendance_only=grade == 1, class_teacher=staff[CLASS_TEACHERS[name]],
        )
        classes[name] = group
        b.rows.append(group)
        if grade >= 5:
            subgroups[name] = (Subgroup(class_group=group, name="1 группа"),
                               Subgroup(class_group=group, name="2 группа"))
            b.rows += subgroups[name]
    robotics = ClassGroup(
        school=school, year=year, name="Робототехника", grade=5, letter="", kind="extra", period_scheme="year",
        attendance_only=True, class_teacher=staff["extra"],
    )
    b.rows.append(robotics)

    # Curriculum and teaching assignments.
    units: dict[str, list[tuple[list[TeachingAssignment], int]]] = {}  # class -> (assignments taught together, hours)
    rooms = {key: room for key, (_g, _r, room) in STAFF.items()}
    for name, group in classes.items():
        units[name] = []
        for code, hours in CURRICULUM[group.grade].items():
            subject = subjects[code]
            b.rows.append(CurriculumItem(class_group=group, subject=subject, hours_per_week=Decimal(hours)))
            scale = scales["none" if group.attendance_only else "pass_fail" if code == "project" else "five"]
            who = _teacher_for(name, group.grade, code)
            together = []
            if isinstance(who, tuple):
                for key, subgroup in zip(who, subgroups[name], strict=True):
                    together.append(TeachingAssignment(
                        school=school, year=year, teacher=staff[key], class_group=group, subgroup=subgroup,
                        subject=subject, scale=scale,
                    ))
            else:
                together.append(TeachingAssignment(
                    school=school, year=year, teacher=staff[who], class_group=group, subject=subject, scale=scale,
                ))
            b.rows += together
            units[name].append((together, hours))
    b.rows.append(CurriculumItem(class_group=robotics, subject=subjects["robot"], hours_per_week=Decimal(2)))
    robotics_assignment = TeachingAssignment(
        school=school, year=year, teacher=staff["extra"], class_group=robotics, subject=subjects["robot"],
        scale=scales["none"],
    )
    b.rows.append(robotics_assignment)

    b.rows += _timetable(school, units, classes, rooms, staff, rng)
    b.rows += [ScheduleSlot(school=school, assignment=robotics_assignment, weekday=day, lesson_number=8,
                            room=rooms["extra"], valid_from=YEAR_START) for day in (2, 4)]
    # The school's list of rooms (issue 10): one room per name the timetable uses.
    room_rows = {name: Room(school=school, name=name) for name in sorted({r.room for r in b.rows if isinstance(r, ScheduleSlot) and r.room})}
    b.rows += room_rows.values()
    for row in b.rows:
        if isinstance(row, ScheduleSlot) and row.room:
            row.room_record = room_rows[row.room]

    # Students and families.
    students = _students_and_families(b, school, classes, subgroups)
    b.rows += _robotics_members(robotics, students)

    counts = {
        "classes": len(classes),
        "extra_groups": 1,
        "club_members": sum(isinstance(row, ClubMembership) for row in b.rows),
        "staff": len(staff),
        "students": len(students),
        "parents": len({id(link.parent) for s in students for link in s.parent_links}),
        "assignments": sum(len(together) for u in units.values() for together, _hours in u) + 1,
        "timetable_slots": sum(isinstance(row, ScheduleSlot) for row in b.rows),
    }
    db.session.add_all(b.rows)
    db.session.flush()
    school_id = school.id
    # The director's order naming the staff admitted to personal data (PD-3).
    db.session.add(demo_order(school, list(staff.values())))
    db.session.flush()
    # The current quarter's journal up to yesterday, so the journal and the diary show real pages.
    yesterday = school_today(school.timezone) - timedelta(days=1)  # the school's, not the server's
    journal_counts = fill_journal(school_id, QUARTERS[1][2], min(yesterday, QUARTERS[1][3]), seed)
    counts.update(journal_counts)
    counts["reports"] = record_family_paperwork(school_id, seed)
    counts["profiles"] = fill_student_profiles(school_id, seed)
    counts.update(fill_beyond_the_lesson(school_id, seed))
    # Nothing is read after the commit: on SQLite a new transaction would hold the write lock.
    db.session.commit()
    return {
        "school_id": school_id,
        "password": password,
        "password_generated": generated,
        "logins": DEMO_LOGINS,
        "counts": counts,
    }


def _students_and_families(b: _Builder, school: School, classes: dict[str, ClassGroup],
                           subgroups: dict[str, tuple[Subgroup, Subgroup]]) -> list[Student]:
    rng = b.rng
    sizes = {name: rng.randint(18, 22) if group.grade >= 10 else rng.randint(20, 25) for name, group in classes.items()}
    families: list[_Family] = []
    free_places = dict(sizes)

    def child(family: _Family, class_name: str, gender: str | None = None, first: str | None = None) -> None:
        gender = gender or rng.choice("mf")
        taken = {c[2] for c in family.children}
        while first is None or first in taken:
            first = rng.choice(BOYS if gender == "m" else GIRLS)
        family.children.append((class_name, gender, first, b.birth_date(classes[class_name].grade)))
        free_places[class_name] -= 1

    # The documented family: `parent` (the mother) with `student` in 5А and a daughter in 2А.
    demo_family = _Family(surname="Морозов", father="Алексей")
    child(demo_family, "5А", "m", "Кирилл")
    child(demo_family, "2А", "f", "Алиса")
    families.append(demo_family)
    # A dozen more families with two children in classes at least two grades apart.
    names = list(classes)
    while len(families) < 13:
        older, younger = rng.sample(names, 2)
        if abs(classes[older].grade - classes[younger].grade) < 2 or not free_places[older] or not free_places[younger]:
            continue
        family = _Family(surname=rng.choice(SURNAMES), father=rng.choice(MEN))
        child(family, older)
        child(family, younger)
        families.append(family)
    for name in names:
        while free_places[name] > 0:
            family = _Family(surname=rng.choice(SURNAMES), father=rng.choice(MEN))
            child(family, name)
            families.append(family)

    # Parents: usually the mother, often the father too, now and then a guardian instead.
    for family in families:
        if family is demo_family:
            mother = b.user(school, ("parent",), "Морозова", "Елена", "Андреевна", login="parent", phone=b.phone())
            father = b.user(school, ("parent",), "Морозов", "Алексей", patronymic("Сергей", "m"), phone=b.phone())
            family.parents = [(mother, "мать"), (father, "отец")]
            continue
        roll = rng.random()
        if roll < 0.03:
            last, first, middle = b.adult_name("f")
            family.parents = [(b.user(school, ("parent",), last, first, middle, phone=b.phone()), "опекун")]
            continue
        mother_name = rng.choice(WOMEN)
        mother = b.user(school, ("parent",), surname_for(family.surname, "f"), mother_name,
                        patronymic(rng.choice(GRANDFATHERS), "f"), phone=b.phone())
        family.parents.append((mother, "мать"))
        if roll > 0.45:
            father = b.user(school, ("parent",), family.surname, family.father,
                            patronymic(rng.choice(GRANDFATHERS), "m"), phone=b.phone())
            family.parents.append((father, "отец"))

    # Students, ordered for the alphabetical book: older pupils were entered first.
    pupils = [(family, c) for family in families for c in family.children]
    pupils.sort(key=lambda fc: (-classes[fc[1][0]].grade, surname_for(fc[0].surname, fc[1][1]), fc[1][2]))
    book_counter: dict[str, int] = {}
    students: list[Student] = []
    by_class: dict[str, list[Student]] = {name: [] for name in classes}
    order_numbers = {y: f"№ {rng.randint(60, 140)}-у от 31.08.{y}" for y in range(2015, 2027)}
    for family, (class_name, gender, first, born) in pupils:
        group = classes[class_name]
        last = surname_for(family.surname, gender)
        middle = patronymic(family.father, gender)
        login = "student" if family is demo_family and class_name == "5А" else None
        account = b.user(school, ("student",), last, first, middle, login=login)
        letter = last[0].upper()
        book_counter[letter] = book_counter.get(letter, 0) + 1
        student = Student(
            school=school, user=account, last_name=last, first_name=first, middle_name=middle, birth_date=born,
            gender=gender, book_number=f"{letter}-{book_counter[letter]}", current_class=group,
        )
        # Most entered the first grade here; some came from another school later.
        entered_grade = 1 if group.grade == 1 or rng.random() < 0.85 else rng.randint(2, group.grade)
        entered_year = 2026 - (group.grade - entered_grade)
        if entered_grade == 1:
            event = EnrolmentEvent(
                student=student, kind="enrol", date=date(entered_year, 8, 31), order_number=order_numbers[entered_year],
                to_class=group if entered_year == 2026 else None,
                note="" if entered_year == 2026 else "Зачислен(а) в 1 класс",
            )
        else:
            day = date(entered_year, 9, 1) + timedelta(days=rng.randrange(200))
            event = EnrolmentEvent(
                student=student, kind="enrol", date=day,
                order_number=f"№ {rng.randint(141, 260)}-у от {day:%d.%m.%Y}",
                to_class=group if entered_year == 2026 else None,
                note=f"Прибыл(а) из МБОУ «СОШ № {rng.choice((3, 12, 25, 41))}» в {entered_grade} класс",
            )
        b.rows += [
            student,
            ClassMembership(student=student, class_group=group, since=YEAR_START),
            event,
        ]
        b.rows += [ParentLink(parent=parent, student=student, relation=relation) for parent, relation in family.parents]
        students.append(student)
        by_class[class_name].append(student)

    # Subgroups: the class list in alphabetical order, first half and second half.
    for name, pair in subgroups.items():
        roster = sorted(by_class[name], key=lambda s: (s.last_name, s.first_name))
        half = (len(roster) + 1) // 2
        b.rows += [SubgroupMember(subgroup=pair[0 if i < half else 1], student=s) for i, s in enumerate(roster)]
    return students


def _robotics_members(robotics: ClassGroup, students: list[Student]) -> list[ClubMembership]:
    """Robotics takes pupils of the 5th to 7th grades, whatever their class: every sixth pupil
    of each grade in the order of the alphabetical book. Their class stays their class."""
    members = []
    for grade in (5, 6, 7):
        pupils = sorted((s for s in students if s.current_class.grade == grade), key=lambda s: s.book_number)
        members += [ClubMembership(group=robotics, student=s, since=YEAR_START + timedelta(days=7))
                    for s in pupils[::6]]
    return members


def _timetable(school: School, units: dict[str, list[tuple[list[TeachingAssignment], int]]],
               classes: dict[str, ClassGroup], rooms: dict[str, str], staff: dict[str, User],
               rng: random.Random) -> list[ScheduleSlot]:
    """A weekly timetable with no two lessons of a class at once (subgroups of a split subject
    meet at the same time, in different rooms) and no teacher in two places at once."""
    room_of = {id(user): rooms[key] for key, user in staff.items()}
    busy: set[tuple[int, int, int]] = set()  # (id(teacher), weekday, lesson number)
    slots: list[ScheduleSlot] = []
    # Senior classes first: they have the longest days and share the most teachers.
    for name in sorted(classes, key=lambda n: -classes[n].grade):
        limit = MAX_LESSONS_PER_DAY.get(classes[name].grade, 7)
        teachers = [[id(a.teacher) for a in together] for together, _hours in units[name]]
        for attempt in range(200):
            week = _spread_over_days(units[name], teachers, limit, busy, rng)
            placed: dict[int, list[int]] = {}
            for weekday, todays in week.items():
                # A gap in a class's day only when a hundred tries found no day without one.
                numbers = _place_day([teachers[i] for i in todays], weekday, busy, rng, gaps=0 if attempt < 100 else 2)
                if numbers is None:
                    break
                placed[weekday] = numbers
            else:
                break
        else:  # pragma: no cover - the fixed seed never gets here
            raise RuntimeError(f"the demo timetable of {name} could not be placed")
        for weekday, todays in week.items():
            for i, lesson_number in zip(todays, placed[weekday], strict=True):
                for assignment in units[name][i][0]:
                    busy.add((id(assignment.teacher), weekday, lesson_number))
                    slots.append(ScheduleSlot(
                        school=school, assignment=assignment, weekday=weekday, lesson_number=lesson_number,
                        room=room_of[id(assignment.teacher)], valid_from=YEAR_START,
                    ))
    return slots


def _spread_over_days(class_units: list[tuple[list[TeachingAssignment], int]], teachers: list[list[int]],
                      limit: int, busy: set[tuple[int, int, int]], rng: random.Random) -> dict[int, list[int]]:
    """Weekday -> indexes of the units taught that day: a subject at most once a day where the
    hours allow, days of even length, teachers' days not overfull."""
    days: dict[int, list[int]] = {d: [] for d in range(1, 6)}

    def teacher_load(i: int, day: int) -> int:
        return max(sum(1 for (t, d, _n) in busy if t == teacher and d == day) for teacher in teachers[i])

    order = sorted(range(len(class_units)), key=lambda i: (-class_units[i][1], rng.random()))
    for i in order:
        for _hour in range(class_units[i][1]):
            fresh = [d for d in days if i not in days[d] and len(days[d]) < limit] or \
                    [d for d in days if len(days[d]) < limit]
            day = min(fresh, key=lambda d: (len(days[d]), teacher_load(i, d), rng.random()))
            days[day].append(i)
    return days


def _place_day(teachers: list[list[int]], weekday: int, busy: set[tuple[int, int, int]],
               rng: random.Random, gaps: int) -> list[int] | None:
    """Lesson numbers for one class's day with free teachers and at most `gaps` free lessons."""
    n = len(teachers)
    for last in range(n, min(n + gaps, 8) + 1):
        result = _backtrack(teachers, weekday, busy, rng, list(range(1, last + 1)), [])
        if result is not None:
            return result
    return None


def _backtrack(teachers: list[list[int]], weekday: int, busy: set[tuple[int, int, int]], rng: random.Random,
               numbers: list[int], chosen: list[int]) -> list[int] | None:
    k = len(chosen)
    if k == len(teachers):
        return chosen
    options = [m for m in numbers if m not in chosen]
    rng.shuffle(options)
    for number in options:
        if any((t, weekday, number) in busy for t in teachers[k]):
            continue
        found = _backtrack(teachers, weekday, busy, rng, numbers, [*chosen, number])
        if found is not None:
            return found
    return None
