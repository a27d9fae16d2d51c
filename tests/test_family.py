"""A parent's children are read in one place (utils/family.py) for the main page, the
administration's account and contacts pages and the parent's personal-data page."""
from __future__ import annotations

from pathlib import Path

from extensions import db
from models import ParentLink, School, Student
from utils.family import children_of

ROOT = Path(__file__).resolve().parent.parent


def test_a_parent_s_children_are_the_linked_students_by_name_with_their_class(small_school):
    s = small_school()
    children = children_of(s.parent_a)
    assert [c.last_name for c in children] == sorted(c.last_name for c in children)
    assert {c.id for c in children} == {s.pupils_5a[0].id, s.pupil_1a.id}
    assert all("current_class" in c.__dict__ for c in children)  # read with the children
    assert children_of(s.maths_teacher) == []


def test_a_link_to_another_school_s_student_is_not_a_child_here(small_school):
    s = small_school()
    other = School(name="Другая школа", short_name="СОШ № 2", director_name="Петрова")
    stranger = Student(school=other, last_name="Чужой", first_name="Иван", book_number="X-1")
    db.session.add_all([other, stranger])
    db.session.flush()
    db.session.add(ParentLink(parent_id=s.parent_a.id, student_id=stranger.id))
    db.session.flush()
    assert stranger.id not in {c.id for c in children_of(s.parent_a)}


def test_no_page_reads_the_children_by_a_query_of_its_own():
    copies = [str(p.relative_to(ROOT)) for folder in ("blueprints", "utils") for p in (ROOT / folder).rglob("*.py")
              if "join(ParentLink, ParentLink.student_id == Student.id)" in p.read_text(encoding="utf-8")]
    assert copies == ["utils/family.py"]
