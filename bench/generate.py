"""Realistic data for the benchmark: one school (default 1,000 students in 40 classes, 70
teachers, 15 subjects) or a district of several, with the weekly timetable and a whole year of
lessons, topics, homework, marks with kinds of work, absences and period marks.

Fast by construction: rows are built as tuples with ids computed here (no ORM objects, no
round trip per row) and written in chunks — PostgreSQL through COPY, SQLite through the
DB-API's executemany on one connection with synchronous writes off — and one scrypt hash is
shared by every account. Usable on its own:

    python -m bench generate --students 1000 --schools 1 --database-url sqlite:///x.sqlite
"""
from __future__ import annotations

import json
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, create_engine, func, inspect, select, text
from sqlalchemy.engine import Engine
from werkzeug.security import generate_password_hash

from config import normalise_database_url
from demo.names import BOYS, GIRLS, GRANDFATHERS, MEN, SURNAMES, WOMEN, patronymic, surname_for
from demo.school import BELLS, CURRICULUM, HALF_YEARS, HOLIDAYS, QUARTERS, SUBJECTS, WORK_KINDS, YEAR_END, YEAR_START
from extensions import db

BENCH_PASSWORD = "bench-2026"
SUBJECT_CODES = ["rus", "read", "lit", "eng", "math", "alg", "geom", "inf", "hist", "soc", "geo", "bio", "phys",
                 "chem", "pe"]  # 15 subjects
SPLIT_SUBJECTS = {"eng", "inf"}  # two subgroups from the fifth grade
PRIMARY_CLASS_TEACHER_SUBJECTS = {"rus", "read", "math"}
# Classes per grade for 40 classes: four parallels at the bottom, three at the top.
GRADE_WEIGHTS = [4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3]
LETTERS = "АБВГДЕЖИКЛМН"
STUDENTS_PER_CLASS = 25
TEACHERS_PER_1000 = 70
# Kinds of work by subject: (code, relative frequency). Codes are those of demo.school.WORK_KINDS.
KINDS_DEFAULT = [("oral", 40), ("homework", 22), ("independent", 14), ("quiz", 10), ("test", 6), ("practical", 8)]
KINDS_BY_SUBJECT = {
    "rus": [("oral", 30), ("homework", 22), ("dictation", 10), ("independent", 16), ("test", 8), ("quiz", 14)],
    "phys": [("oral", 30), ("homework", 20), ("lab", 16), ("independent", 14), ("test", 8), ("quiz", 12)],
    "chem": [("oral", 30), ("homework", 20), ("lab", 16), ("independent", 14), ("test", 8), ("quiz", 12)],
    "bio": [("oral", 34), ("homework", 20), ("lab", 12), ("independent", 12), ("test", 8), ("quiz", 14)],
    "pe": [("practical", 80), ("oral", 20)],
}
TOPIC_WORDS = ["Введение", "Повторение", "Основные понятия", "Решение задач", "Практикум", "Обобщение",
               "Контроль знаний", "Работа над ошибками", "Правила и примеры", "Закрепление"]
ABSENCE_CODES = [("ill", 45), ("excused", 22), ("absent", 15), ("unexcused", 18)]
ILL_SPELL_DAYS = 3.5  # mean length of an absence spell
SUBSTITUTION_RATE = 0.015  # lessons given by a substitute (with the timetable change recorded)


@dataclass
class Options:
    students: int = 1000
    schools: int = 1
    seed: int = 2026
    until: date = YEAR_END  # lessons from 1 September up to this day (default: the whole year)
    marks_per_lesson: float = 1.0  # marks per present student per lesson, on average
    absence_rate: float = 0.08
    teachers: int | None = None  # default: 70 per 1,000 students
    history: bool = False  # a JournalChange row per generated mark (doubles the volume)
    chunk: int = 20000
    today: date = field(default_factory=date.today)


# --- Writing rows fast ---------------------------------------------------------------------------


class Loader:
    """Buffered bulk writer: ids from max(id)+1, rows as tuples, flushed in dependency order."""

    def __init__(self, engine: Engine, chunk: int = 20000):
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.chunk = chunk
        self.raw = engine.raw_connection()
        self.tables = db.metadata.tables
        self.order = [t.name for t in db.metadata.sorted_tables]
        self.buffers: dict[str, list[tuple]] = {}
        self.columns: dict[str, list[str]] = {}
        self.constants: dict[str, tuple] = {}
        self.ids: dict[str, int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.pending = 0
        self.started = datetime.now(timezone.utc)
        cur = self.raw.cursor()
        if self.pg:
            cur.execute("SET synchronous_commit = off")
        else:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -200000")
        for name in self.order:
            if "id" not in self.tables[name].columns:
                continue  # a table keyed otherwise (the access log's head and checks)
            cur.execute(f"SELECT max(id) FROM {self._q(name)}")
            self.ids[name] = (cur.fetchone()[0] or 0)
        cur.close()
        self._converters: dict[str, list] = {}

    def _q(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def declare(self, table: str, columns: list[str]) -> None:
        """The columns the generator gives for `table`; the others take their default."""
        t = self.tables[table]
        missing = [c for c in t.columns if c.name not in columns]
        constants = []
        for c in missing:
            value = None
            if c.default is not None and getattr(c.default, "is_scalar", False):
                value = c.default.arg
            elif c.default is not None and getattr(c.default, "is_callable", False):
                value = c.default.arg(None)
            elif not c.nullable:
                raise ValueError(f"{table}.{c.name} needs a value")
            constants.append(value)
        self.columns[table] = columns + [c.name for c in missing]
        self.constants[table] = tuple(constants)
        self.buffers[table] = []
        self._converters[table] = [self._converter(t.columns[name]) for name in self.columns[table]]

    def _converter(self, column):
        if isinstance(column.type, JSON):
            return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        if self.pg:
            return None  # psycopg adapts Python values in COPY itself
        if isinstance(column.type, Boolean):
            return lambda v: None if v is None else int(v)
        processor = column.type.bind_processor(self.engine.dialect)
        if processor is None:
            return None
        cache: dict = {}

        def convert(v):  # dates repeat a lot: convert each value once
            try:
                return cache[v]
            except KeyError:
                cache[v] = out = processor(v)
                return out
            except TypeError:
                return processor(v)

        return convert

    def new_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, row: tuple) -> None:
        self.buffers[table].append(row)
        self.pending += 1
        if self.pending >= self.chunk:
            self.flush()

    def flush(self) -> None:
        cur = self.raw.cursor()
        for name in self.order:
            rows = self.buffers.get(name)
            if not rows:
                continue
            constants = self.constants[name]
            converters = self._converters[name]
            full = [row + constants for row in rows]
            if any(converters):
                full = [tuple(c(v) if c is not None else v for c, v in zip(converters, row, strict=True))
                        for row in full]
            cols = ", ".join(self._q(c) for c in self.columns[name])
            if self.pg:
                with cur.copy(f"COPY {self._q(name)} ({cols}) FROM STDIN") as copy:
                    for row in full:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(self.columns[name]))
                cur.executemany(f"INSERT INTO {self._q(name)} ({cols}) VALUES ({marks})", full)
            self.counts[name] += len(rows)
            rows.clear()
        cur.close()
        self.pending = 0

    def commit(self) -> None:
        self.flush()
        self.raw.commit()

    def finish(self) -> None:
        self.commit()
        if self.pg:  # ids were given explicitly: move the sequences past them
            cur = self.raw.cursor()
            for name in self.order:
                id_column = self.tables[name].columns.get("id")
                # integer ids only: a table keyed by a string (poll_answer) has no sequence
                if id_column is not None and _is_integer(id_column):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{self._q(name)}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {self._q(name)}), 0) + 1, false)"
                    )
            cur.execute("ANALYZE")
            cur.close()
            self.raw.commit()
        else:
            cur = self.raw.cursor()
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("ANALYZE")
            cur.close()
            self.raw.commit()
        self.raw.close()


# --- One school ----------------------------------------------------------------------------------


def _school_days(start: date, end: date, holidays: list[tuple[date, date]]) -> list[date]:
    days = []
    day = start
    while day <= end:
        if day.isoweekday() <= 5 and not any(a <= day <= b for a, b in holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


def _split(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of `total` by `weights`."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([o for o, _w in options], [w for _o, w in options])[0]


def _period_value(avg: Decimal) -> str:
    for value, threshold in (("5", Decimal("4.65")), ("4", Decimal("3.65")), ("3", Decimal("2.65"))):
        if avg >= threshold:
            return value
    return "2"


class SchoolBuilder:
    def __init__(self, loader: Loader, opts: Options, number: int, password_hash: str):
        self.L = loader
        self.o = opts
        self.number = number
        self.rng = random.Random(opts.seed * 1000 + number)
        self.password_hash = password_hash
        self.now = loader.started
        self.summary: dict[str, Any] = {}

    # helpers -------------------------------------------------------------------------------------

    def user(self, login: str, last: str, first: str, middle: str, roles: tuple[str, ...], phone: str = "") -> int:
        uid = self.L.new_id("user")
        self.L.add("user", (uid, self.school_id, login, self.password_hash, last, first, middle, phone))
        for role in roles:
            self.L.add("user_role", (self.L.new_id("user_role"), uid, role))
        return uid

    def adult(self, gender: str) -> tuple[str, str, str]:
        r = self.rng
        return (surname_for(r.choice(SURNAMES), gender), r.choice(WOMEN if gender == "f" else MEN),
                patronymic(r.choice(GRANDFATHERS), gender))

    # the build -----------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        t0 = time.perf_counter()
        L, r, o = self.L, self.rng, self.o
        self.school_id = sid = L.new_id("school")
        L.add("school", (sid, f"МБОУ «Средняя общеобразовательная школа № {sid}» (бенчмарк)", f"СОШ № {sid}",
                         f"г. Воронеж, ул. Школьная, д. {sid}", "", "", "Europe/Moscow", {}, self.now))
        year_id = L.new_id("academic_year")
        L.add("academic_year", (year_id, sid, "2026/2027", YEAR_START, YEAR_END, True, False, self.now))
        periods: list[tuple[int, str, date, date]] = []  # (id, scheme, start, end)
        for scheme, rows in (("quarter", QUARTERS), ("half_year", HALF_YEARS),
                             ("year", [(1, "Год", YEAR_START, YEAR_END)])):
            for n, name, s, e in rows:
                pid = L.new_id("study_period")
                L.add("study_period", (pid, year_id, scheme, n, name, s, e, e < o.today))
                periods.append((pid, scheme, s, e))
        holidays = [(s, e) for _n, s, e in HOLIDAYS]
        for name, s, e in HOLIDAYS:
            L.add("holiday", (L.new_id("holiday"), year_id, name, s, e))
        for n, s, e in BELLS:
            L.add("bell_schedule", (L.new_id("bell_schedule"), sid, n, s, e))
        scales = {}
        for code, name in (("five", "Пятибалльная"), ("none", "Без отметок"), ("pass_fail", "Зачёт/незачёт")):
            scales[code] = L.new_id("marking_scale")
            L.add("marking_scale", (scales[code], sid, code, name))
        kinds: dict[str, tuple[int, Decimal]] = {}
        for code, name, weight in WORK_KINDS:
            kid = L.new_id("work_kind")
            kinds[code] = (kid, Decimal(weight))
            L.add("work_kind", (kid, sid, code, name, Decimal(weight), True))
        subjects = {}
        for code in SUBJECT_CODES:
            subjects[code] = L.new_id("subject")
            L.add("subject", (subjects[code], sid, SUBJECTS[code][0], SUBJECTS[code][1], True))

        # staff
        admin_logins, office = {}, []
        for key, roles, gender in (("director", ("director",), "f"), ("deputy", ("deputy",), "f"),
                                   ("methodist", ("methodist",), "f"), ("admin", ("journal_admin", "tech_admin"), "m")):
            admin_logins[key] = f"s{sid}.{key}"
            office.append(self.user(admin_logins[key], *self.adult(gender), roles))
        # the director's order on personal data naming the office for every category (PD-3), as
        # the demo school has it: the summary sheets and the personal-data pages need it
        order_id = L.new_id("processing_order")
        L.add("processing_order", (order_id, sid, "01-08/ПД", date(2026, 8, 28), date(2026, 8, 28),
                                   "О допуске работников к обработке персональных данных", self.now))
        for uid in office:
            L.add("order_operator", (L.new_id("order_operator"), order_id, uid, ["*"], "в полном объёме"))

        # classes
        n_classes = max(1, round(o.students / STUDENTS_PER_CLASS))
        per_grade = _split(n_classes, GRADE_WEIGHTS)
        classes: list[dict] = []
        for grade, count in enumerate(per_grade, start=1):
            for i in range(count):
                classes.append({"grade": grade, "name": f"{grade}{LETTERS[i]}", "letter": LETTERS[i]})
        sizes = _split(o.students, [1] * len(classes))
        for c, size in zip(classes, sizes, strict=True):
            c["size"] = size

        # curriculum units: (class, subject code, hours, split?)
        units = []
        for c in classes:
            for code, hours in CURRICULUM[c["grade"]].items():
                if code in SUBJECTS and code in subjects:
                    units.append({"class": c, "code": code, "hours": hours,
                                  "split": code in SPLIT_SUBJECTS and c["grade"] >= 5})

        # teachers: one per primary class (its Russian, reading and maths), the rest by subject load
        n_teachers = o.teachers or max(len(SUBJECT_CODES), round(TEACHERS_PER_1000 * o.students / 1000))
        primary = [c for c in classes if c["grade"] <= 4]
        load_by_subject: dict[str, int] = defaultdict(int)
        for u in units:
            if not (u["class"]["grade"] <= 4 and u["code"] in PRIMARY_CLASS_TEACHER_SUBJECTS):
                load_by_subject[u["code"]] += u["hours"] * (2 if u["split"] else 1)
        n_subject_teachers = max(len(load_by_subject), n_teachers - len(primary))
        pool_sizes = {code: 1 for code in load_by_subject}
        extra = n_subject_teachers - len(pool_sizes)
        if extra > 0:
            codes = sorted(load_by_subject)
            for code, k in zip(codes, _split(extra, [load_by_subject[c] for c in codes]), strict=True):
                pool_sizes[code] += k
        teachers: list[dict] = []

        def new_teacher(subject_code: str | None) -> dict:
            gender = "f" if r.random() < 0.8 else "m"
            n = len(teachers) + 1
            t = {"login": f"s{sid}.teacher{n}", "names": self.adult(gender), "load": 0, "subject": subject_code,
                 "class_teacher": False}
            teachers.append(t)
            return t

        for c in primary:
            c["teacher"] = new_teacher(None)
        pools = {code: [new_teacher(code) for _ in range(k)] for code, k in pool_sizes.items()}
        # class teachers of grades 5-11: subject teachers, one class each
        candidates = [t for t in teachers if t["subject"] is not None]
        r.shuffle(candidates)
        for c in classes:
            if c["grade"] <= 4:
                c["teacher"]["class_teacher"] = True
            else:
                t = candidates.pop() if candidates else r.choice(teachers)
                t["class_teacher"] = True
                c["teacher"] = t
        for t in teachers:
            roles = ("teacher", "class_teacher") if t["class_teacher"] else ("teacher",)
            t["id"] = self.user(t["login"], *t["names"], roles)

        # classes, subgroups, curriculum, assignments
        for c in classes:
            c["id"] = L.new_id("class_group")
            L.add("class_group", (c["id"], sid, year_id, c["name"], c["grade"], c["letter"], "class",
                                  "half_year" if c["grade"] >= 10 else "quarter", c["grade"] == 1,
                                  c["teacher"]["id"], self.now))
            c["subgroups"] = []
            if c["grade"] >= 5:
                for name in ("1 группа", "2 группа"):
                    gid = L.new_id("subgroup")
                    L.add("subgroup", (gid, c["id"], name))
                    c["subgroups"].append(gid)
        assignments: list[dict] = []
        for u in units:
            c = u["class"]
            L.add("curriculum_item", (L.new_id("curriculum_item"), c["id"], subjects[u["code"]], Decimal(u["hours"])))
            scale = scales["none" if c["grade"] == 1 else "five"]
            if c["grade"] <= 4 and u["code"] in PRIMARY_CLASS_TEACHER_SUBJECTS:
                who = [c["teacher"]]
            else:
                pool = sorted(pools[u["code"]], key=lambda t: (t["load"], r.random()))
                who = pool[:2] if u["split"] and len(pool) >= 2 else ([pool[0], pool[0]] if u["split"] else pool[:1])
            together = []
            for i, t in enumerate(who):
                t["load"] += u["hours"]
                aid = L.new_id("teaching_assignment")
                a = {"id": aid, "class": c, "code": u["code"], "subject_id": subjects[u["code"]], "teacher": t,
                     "subgroup": c["subgroups"][i] if u["split"] else None, "scale": scale, "hours": u["hours"]}
                L.add("teaching_assignment", (aid, sid, year_id, t["id"], c["id"], a["subgroup"], a["subject_id"],
                                              scale, True, self.now))
                assignments.append(a)
                together.append(a)
            u["together"] = together

        # timetable: per class, hours spread over five days, lesson numbers without teacher clashes
        busy: set[tuple[int, int, int]] = set()
        clashes = 0
        slots_by_class: dict[int, dict[int, list[tuple[int, list[dict]]]]] = {}
        class_units: dict[int, list[dict]] = defaultdict(list)
        for u in units:
            class_units[u["class"]["id"]].append(u)
        for c in sorted(classes, key=lambda c: -c["grade"]):
            days: dict[int, list[dict]] = {d: [] for d in range(1, 6)}
            for u in sorted(class_units[c["id"]], key=lambda u: (-u["hours"], r.random())):
                for _h in range(u["hours"]):
                    fresh = [d for d in days if u not in days[d]] or list(days)
                    day = min(fresh, key=lambda d: (len(days[d]), r.random()))
                    days[day].append(u)
            week = {}
            for weekday, todays in days.items():
                best, best_clash = None, None
                for _try in range(60):
                    order = todays[:]
                    r.shuffle(order)
                    clash = sum(1 for n, u in enumerate(order, start=1) for a in u["together"]
                                if (a["teacher"]["id"], weekday, n) in busy)
                    if best is None or clash < best_clash:
                        best, best_clash = order, clash
                    if clash == 0:
                        break
                clashes += best_clash
                week[weekday] = [(n, u["together"]) for n, u in enumerate(best, start=1)]
                for n, u in enumerate(best, start=1):
                    for a in u["together"]:
                        busy.add((a["teacher"]["id"], weekday, n))
                        L.add("schedule_slot", (L.new_id("schedule_slot"), sid, a["id"], weekday, n, "", YEAR_START))
            slots_by_class[c["id"]] = week

        # students, parents, memberships, subgroups
        rosters: dict[int, list[int]] = {}
        subgroup_rosters: dict[int, list[int]] = {}
        ability: dict[int, float] = {}
        n_student = n_parent = 0
        all_parents: list[int] = []
        for c in classes:
            pupils = []
            for _i in range(c["size"]):
                gender = r.choice("mf")
                family = r.choice(SURNAMES)
                father = r.choice(list(GRANDFATHERS))
                last, first = surname_for(family, gender), r.choice(BOYS if gender == "m" else GIRLS)
                middle = patronymic(father, gender)
                n_student += 1
                uid = self.user(f"s{sid}.student{n_student}", last, first, middle, ("student",))
                stid = L.new_id("student")
                born = date(2019 - c["grade"], 9, 1) + timedelta(days=r.randrange(365))
                L.add("student", (stid, sid, uid, last, first, middle, born, gender, f"{last[0]}-{n_student}",
                                  c["id"], False, self.now))
                L.add("class_membership", (L.new_id("class_membership"), stid, c["id"], YEAR_START))
                L.add("enrolment_event", (L.new_id("enrolment_event"), stid, "enrol", date(2026 - c["grade"] + 1, 8, 31),
                                          f"№ {r.randint(60, 140)}-у", c["id"], self.now))
                if all_parents and r.random() < 0.1:  # a brother or sister already at the school
                    parents = [r.choice(all_parents)]
                else:
                    parents = []
                    for pg in ("f", "m") if r.random() < 0.55 else ("f",):
                        n_parent += 1
                        plast = surname_for(family, pg)
                        pfirst = r.choice(WOMEN if pg == "f" else MEN)
                        parents.append(self.user(f"s{sid}.parent{n_parent}", plast, pfirst,
                                                 patronymic(r.choice(GRANDFATHERS), pg), ("parent",),
                                                 phone=f"+7 9{r.randint(10, 99)} {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"))
                    all_parents.extend(parents)
                for p in parents:
                    L.add("parent_link", (L.new_id("parent_link"), p, stid, "мать"))
                pupils.append((last, first, stid))
                ability[stid] = min(4.9, max(2.6, r.gauss(3.9, 0.5)))
            pupils.sort()
            ids = [p[2] for p in pupils]
            rosters[c["id"]] = ids
            if c["subgroups"]:
                half = (len(ids) + 1) // 2
                for gid, members in zip(c["subgroups"], (ids[:half], ids[half:]), strict=True):
                    subgroup_rosters[gid] = members
                    for stid in members:
                        L.add("subgroup_member", (L.new_id("subgroup_member"), gid, stid))
        L.commit()
        t_people = time.perf_counter()

        # the year: lessons, works, homework, attendance, marks
        days = _school_days(YEAR_START, o.until, holidays)
        quarter_ends = [e for _n, _name, _s, e in QUARTERS] + [e for _n, _name, _s, e in HALF_YEARS]
        last_week = {d for d in days if any(timedelta(0) <= e - d < timedelta(days=7) for e in quarter_ends)}
        all_students = [s for ids in rosters.values() for s in ids]
        spell_start = o.absence_rate * 0.9 / ILL_SPELL_DAYS  # whole days away (illness spells)
        single = o.absence_rate * 0.2  # one lesson missed
        absent_day: dict[int, str] = {}  # student -> code, for the current day
        spell_left: dict[int, int] = defaultdict(int)
        kinds_by_subject = {code: KINDS_BY_SUBJECT.get(code, KINDS_DEFAULT) for code in SUBJECT_CODES}
        topic_no: dict[int, int] = defaultdict(int)
        # (student, assignment id, period id) -> [Σ value×weight, Σ weight]
        sums: dict[tuple[int, int, int], list] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        period_of_day: dict[date, list[int]] = {}
        for d in days:
            period_of_day[d] = [pid for pid, _scheme, s, e in periods if s <= d <= e]
        scheme_of = {pid: scheme for pid, scheme, _s, _e in periods}
        rnd, choice = r.random, r.choice
        stats = defaultdict(int)
        values5 = ["2", "3", "4", "5"]
        utc = timezone.utc
        for d in days:
            absent_day.clear()
            for stid in all_students:
                if spell_left[stid] > 0:
                    spell_left[stid] -= 1
                    absent_day[stid] = "ill"
                elif rnd() < spell_start:
                    spell_left[stid] = max(0, round(r.expovariate(1 / ILL_SPELL_DAYS))) - 1
                    absent_day[stid] = _weighted(r, ABSENCE_CODES)
            entered = datetime(d.year, d.month, d.day, 12, 0, tzinfo=utc)
            past = d <= o.today
            end_of_period = d in last_week
            weekday = d.isoweekday()
            pids = period_of_day[d]
            for c in classes:
                for number, together in slots_by_class[c["id"]].get(weekday, []):
                    for a in together:
                        lid = L.new_id("lesson")
                        topic_no[a["id"]] += 1
                        tn = topic_no[a["id"]]
                        given_by = a["teacher"]["id"]
                        if rnd() < SUBSTITUTION_RATE:  # a colleague of the subject (or anyone) stands in
                            pool = [x for x in pools.get(a["code"], []) if x is not a["teacher"]] or teachers
                            given_by = choice(pool)["id"]
                            L.add("schedule_change", (L.new_id("schedule_change"), sid, d, a["id"], "substitution",
                                                      number, given_by, self.now))
                            stats["substitutions"] += 1
                        L.add("lesson", (lid, sid, a["id"], d, number, f"{tn}. {choice(TOPIC_WORDS)}",
                                         given_by, given_by != a["teacher"]["id"], entered, past))
                        stats["lessons"] += 1
                        works = 2 if rnd() < (0.5 if end_of_period else 0.25) else 1
                        if end_of_period and rnd() < 0.5:
                            chosen = ["test"] + ([_weighted(r, kinds_by_subject[a["code"]])] if works == 2 else [])
                        else:
                            chosen = [_weighted(r, kinds_by_subject[a["code"]]) for _ in range(works)]
                        chosen = list(dict.fromkeys(chosen))
                        work_ids = []
                        for pos, kcode in enumerate(chosen):
                            kid, weight = kinds[kcode]
                            L.add("lesson_work", (L.new_id("lesson_work"), lid, kid, pos))
                            work_ids.append((kid, weight, kcode in ("test", "dictation")))
                        if c["grade"] >= 2 and rnd() < 0.85:
                            L.add("homework", (L.new_id("homework"), lid, f"Параграф {tn}, упражнения",
                                               f"с. {tn * 3}-{tn * 3 + 2}", f"№ {r.randint(1, 300)}",
                                               entered, a["teacher"]["id"]))
                        roster = subgroup_rosters[a["subgroup"]] if a["subgroup"] else rosters[c["id"]]
                        gives_marks = c["grade"] > 1  # the first grade: attendance only
                        # probability of a mark for one kind of work, so that a lesson averages
                        # `marks_per_lesson` marks per present student (more before a period ends)
                        p = o.marks_per_lesson / len(work_ids) * (1.5 if end_of_period else 1.0)
                        teacher_id = given_by
                        for stid in roster:
                            code = absent_day.get(stid)
                            if code is None and rnd() < single:
                                code = "late" if rnd() < 0.25 else _weighted(r, ABSENCE_CODES)
                            if code is not None:
                                L.add("attendance", (L.new_id("attendance"), sid, lid, stid, code, entered,
                                                     teacher_id, entered, teacher_id))
                                stats["attendance"] += 1
                                if code != "late":
                                    stats["absent"] += 1
                                    continue
                            stats["present"] += 1
                            if not gives_marks:
                                continue
                            skill = ability[stid]
                            for kid, weight, everyone in work_ids:
                                if everyone or rnd() < p:
                                    v = int(skill + rnd() * 1.6 - 0.8 + 0.5)
                                    v = 2 if v < 2 else 5 if v > 5 else v
                                    mid = L.new_id("mark")
                                    L.add("mark", (mid, sid, lid, stid, kid, values5[v - 2], entered, teacher_id,
                                                   entered, teacher_id))
                                    if o.history:
                                        L.add("journal_change", (L.new_id("journal_change"), sid, entered, teacher_id,
                                                                 "mark", mid, "create", lid, stid,
                                                                 {"value": values5[v - 2], "work_kind_id": kid}))
                                    stats["marks"] += 1
                                    for pid in pids:
                                        acc = sums[(stid, a["id"], pid)]
                                        acc[0] += v * weight
                                        acc[1] += weight
        L.commit()
        t_year = time.perf_counter()

        # period and year marks for every period that has ended by `until`
        class_scheme = {c["id"]: ("half_year" if c["grade"] >= 10 else "quarter") for c in classes}
        ended = {pid for pid, _scheme, _s, e in periods if e <= o.until}
        n_pm = 0
        by_id = {x["id"]: x for x in assignments}
        period_end = {pid: e for pid, _scheme, _s, e in periods}
        for (stid, aid, pid), (total, weights) in sums.items():
            a = by_id[aid]
            scheme = scheme_of[pid]
            if pid not in ended or (scheme != "year" and scheme != class_scheme[a["class"]["id"]]) or not weights:
                continue
            avg = (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            value = _period_value(avg)
            L.add("period_mark", (L.new_id("period_mark"), sid, stid, a["subject_id"], pid, aid, value, avg, value,
                                  a["teacher"]["id"], datetime.combine(period_end[pid], datetime.min.time(), tzinfo=utc)))
            n_pm += 1
        L.commit()
        t_end = time.perf_counter()
        present = stats["present"] or 1
        self.summary = {
            "school_id": sid,
            "classes": len(classes),
            "teachers": len(teachers),
            "students": o.students,
            "parents": n_parent,
            "assignments": len(assignments),
            "timetable_clashes": clashes,
            "school_days": len(days),
            "lessons": stats["lessons"],
            "marks": stats["marks"],
            "substitutions": stats["substitutions"],
            "marks_per_present_student_lesson": round(stats["marks"] / present, 2),
            "attendance_rows": stats["attendance"],
            "absence_rate": round(stats["absent"] / (present + stats["absent"]), 3),
            "period_marks": n_pm,
            "seconds": {"people": round(t_people - t0, 1), "year": round(t_year - t_people, 1),
                        "period_marks": round(t_end - t_year, 1)},
            "logins": admin_logins,
        }
        return self.summary


# --- Entry points --------------------------------------------------------------------------------


def make_engine(url: str) -> Engine:
    return create_engine(normalise_database_url(url))


def database_has_data(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names())
    if "school" not in names:
        return False
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(db.metadata.tables["school"])))


def create_schema(engine: Engine, url: str, migrate: bool = False, reset: bool = False) -> None:
    import models  # noqa: F401  (every table in the metadata)

    if reset:
        if engine.dialect.name == "postgresql":
            if "bench" not in (engine.url.database or ""):
                raise SystemExit(f"refusing to reset database {engine.url.database!r}: its name has no 'bench'")
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.metadata.drop_all(engine)
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    if migrate:
        import os

        from flask_migrate import upgrade

        from app import create_app

        os.environ["DATABASE_URL"] = url
        app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)})
        with app.app_context():
            upgrade()
    else:
        db.metadata.create_all(engine)


def generate(url: str, opts: Options, *, migrate: bool = False, reset: bool = False, log=print) -> dict[str, Any]:
    import models  # noqa: F401

    engine = make_engine(url)
    t0 = time.perf_counter()
    create_schema(engine, url, migrate=migrate, reset=reset)
    if database_has_data(engine):
        raise SystemExit("the database already holds schools: use --reuse to benchmark it or --reset to rebuild it")
    password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
    loader = Loader(engine, opts.chunk)
    _declare_tables(loader)
    schools = []
    for number in range(1, opts.schools + 1):
        ts = time.perf_counter()
        summary = SchoolBuilder(loader, opts, number, password_hash).build()
        summary["seconds"]["total"] = round(time.perf_counter() - ts, 1)
        log(f"school {number}/{opts.schools}: {summary['students']} students, {summary['lessons']} lessons, "
            f"{summary['marks']} marks in {summary['seconds']['total']} s")
        schools.append(summary)
    loader.finish()
    engine.dispose()
    total = time.perf_counter() - t0
    rows = sum(loader.counts.values())
    return {"seconds": round(total, 1), "rows": rows, "rows_per_table": dict(loader.counts), "schools": schools,
            "options": {"students": opts.students, "schools": opts.schools, "seed": opts.seed,
                        "until": opts.until.isoformat(), "marks_per_lesson": opts.marks_per_lesson,
                        "absence_rate": opts.absence_rate, "history": opts.history},
            "password": BENCH_PASSWORD}


def _declare_tables(L: Loader) -> None:
    L.declare("school", ["id", "name", "short_name", "address", "inn", "director_name", "timezone", "settings",
                         "created_at"])
    L.declare("academic_year", ["id", "school_id", "name", "start_date", "end_date", "is_current", "is_closed",
                                "created_at"])
    L.declare("study_period", ["id", "year_id", "scheme", "number", "name", "start_date", "end_date", "is_closed"])
    L.declare("holiday", ["id", "year_id", "name", "start_date", "end_date"])
    L.declare("bell_schedule", ["id", "school_id", "lesson_number", "starts", "ends"])
    L.declare("marking_scale", ["id", "school_id", "code", "name"])
    L.declare("work_kind", ["id", "school_id", "code", "name", "weight", "is_active"])
    L.declare("subject", ["id", "school_id", "name", "short_name", "is_active"])
    L.declare("user", ["id", "school_id", "login", "password_hash", "last_name", "first_name", "middle_name", "phone"])
    L.declare("user_role", ["id", "user_id", "role"])
    L.declare("processing_order", ["id", "school_id", "number", "signed_on", "valid_from", "note", "created_at"])
    L.declare("order_operator", ["id", "order_id", "user_id", "categories", "duties"])
    L.declare("class_group", ["id", "school_id", "year_id", "name", "grade", "letter", "kind", "period_scheme",
                              "attendance_only", "class_teacher_id", "created_at"])
    L.declare("subgroup", ["id", "class_id", "name"])
    L.declare("curriculum_item", ["id", "class_id", "subject_id", "hours_per_week"])
    L.declare("teaching_assignment", ["id", "school_id", "year_id", "teacher_id", "class_id", "subgroup_id",
                                      "subject_id", "scale_id", "is_active", "created_at"])
    L.declare("schedule_slot", ["id", "school_id", "assignment_id", "weekday", "lesson_number", "room", "valid_from"])
    L.declare("student", ["id", "school_id", "user_id", "last_name", "first_name", "middle_name", "birth_date",
                          "gender", "book_number", "current_class_id", "is_withdrawn", "created_at"])
    L.declare("class_membership", ["id", "student_id", "class_id", "since"])
    L.declare("enrolment_event", ["id", "student_id", "kind", "date", "order_number", "to_class_id", "created_at"])
    L.declare("parent_link", ["id", "parent_id", "student_id", "relation"])
    L.declare("subgroup_member", ["id", "subgroup_id", "student_id"])
    L.declare("schedule_change", ["id", "school_id", "date", "assignment_id", "kind", "lesson_number",
                                  "substitute_id", "created_at"])
    L.declare("lesson", ["id", "school_id", "assignment_id", "date", "lesson_number", "topic", "given_by_id",
                         "is_substitution", "entered_at", "attendance_taken"])
    L.declare("lesson_work", ["id", "lesson_id", "work_kind_id", "position"])
    L.declare("homework", ["id", "lesson_id", "text", "pages", "exercises", "created_at", "created_by_id"])
    L.declare("attendance", ["id", "school_id", "lesson_id", "student_id", "code", "created_at", "created_by_id",
                             "updated_at", "updated_by_id"])
    L.declare("mark", ["id", "school_id", "lesson_id", "student_id", "work_kind_id", "value", "created_at",
                       "created_by_id", "updated_at", "updated_by_id"])
    L.declare("journal_change", ["id", "school_id", "at", "user_id", "entity", "entity_id", "action", "lesson_id",
                                 "student_id", "after"])
    L.declare("period_mark", ["id", "school_id", "student_id", "subject_id", "period_id", "assignment_id", "value",
                              "average", "suggested", "set_by_id", "set_at"])


def default_sqlite_url(stamp: str) -> str:
    import os

    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(folder, exist_ok=True)
    return "sqlite:///" + os.path.join(folder, f"bench-{stamp}.sqlite")


def ceil_div(a: int, b: int) -> int:
    return math.ceil(a / b)


def _is_integer(column) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False
