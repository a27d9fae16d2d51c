"""Who may do what to which object. Every permission check of the application lives here,
so that a view asks one question and the answer is tested once (ADM-6, STYLE conventions 1-2).

A check takes the user and the object; it never trusts ids from the request on their own."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort
from sqlalchemy import exists, select

from domain import roles as role_rules
from extensions import db
from models import ClassGroup, ParentLink, Student, TeachingAssignment, User

# The administrator opens and closes the year and manages people (ADM-1, ADM-3).
ADMIN_ROLES = frozenset({"director", "journal_admin", "tech_admin"})
# The academic office views every journal without editing and prints its pages (004:3.3). The
# technical administrator is not in it: he keeps the accounts and the system, not the records
# (003 Положение 2.2).
JOURNAL_READER_ROLES = frozenset({"director", "deputy", "methodist", "journal_admin"})
# Substitutions and cancellations: the academic office and the journal administrator, who enters
# the timetable (002:4.1); the methodist only monitors (002:4.2).
SCHEDULE_MANAGER_ROLES = frozenset({"director", "deputy", "journal_admin"})
TEACHING_ROLES = frozenset({"teacher", "class_teacher", "extra_teacher"})
# The school's conventions (rounding, notations, deadlines): the director and the journal
# administrator, who keeps the journal's rules (003 Положение 2.2); not the technical
# administrator, who keeps the system, not the records.
SETTINGS_ROLES = frozenset({"director", "journal_admin"})

T = TypeVar("T")


def can_administer(user: User) -> bool:
    return user.has_role(*ADMIN_ROLES)


def can_edit_school_settings(user: User) -> bool:
    return user.has_role(*SETTINGS_ROLES)


@dataclass(frozen=True)
class May:
    """What the signed-in user may do beyond one object, answered before a page renders (the
    `may` of every template, blueprints/main/views.py): templates read these flags and never
    call a policy check themselves."""

    administer: bool = False
    edit_settings: bool = False
    manage_schedule: bool = False
    close_periods: bool = False
    view_results_list: bool = False  # the summary sheets' list (REP-1)
    verify_printouts: bool = False  # /verify, a paper copy checked against its record (REP-4)
    view_pd_orders: bool = False  # the director's orders on personal data (PD-3)
    manage_destruction: bool = False  # destruction of personal data after a withdrawal (PD-2)


def user_may(user) -> May:
    """The flags of `May` for a user; nothing for a visitor who has not signed in."""
    if not getattr(user, "is_authenticated", False):
        return May()
    return May(
        administer=can_administer(user),
        edit_settings=can_edit_school_settings(user),
        manage_schedule=can_manage_schedule(user),
        close_periods=can_close_periods(user),
        view_results_list=can_view_results_list(user),
        verify_printouts=can_verify_printouts(user),
        view_pd_orders=can_view_pd_orders(user),
        manage_destruction=can_manage_destruction(user),
    )


def can_read_all_journals(user: User) -> bool:
    return user.has_role(*JOURNAL_READER_ROLES)


def can_end_session(user: User, user_session) -> bool:
    """A person ends only their own sessions (the profile's list); an administrator ends all of
    an account's sessions by blocking it or resetting its password."""
    return user_session.user_id == user.id


def _same_school(user: User, school_id: int) -> bool:
    return user.school_id == school_id


def is_class_teacher_of(user: User, class_group: ClassGroup) -> bool:
    return class_group.class_teacher_id == user.id


def can_view_assignment(user: User, assignment: TeachingAssignment) -> bool:
    if not _same_school(user, assignment.school_id):
        return False
    return (
        assignment.teacher_id == user.id
        or can_read_all_journals(user)
        or is_class_teacher_of(user, assignment.class_group)
    )


def can_edit_assignment(user: User, assignment: TeachingAssignment) -> bool:
    """Only the teacher of the assignment records its journal (004:3.6); the academic office
    only reads (004:3.3)."""
    return (
        _same_school(user, assignment.school_id)
        and assignment.is_active
        and assignment.teacher_id == user.id
    )


def can_view_class(user: User, class_group: ClassGroup) -> bool:
    if not _same_school(user, class_group.school_id):
        return False
    return can_read_all_journals(user) or can_administer(user) or works_with_class(user, class_group)


def works_with_class(user: User, class_group: ClassGroup) -> bool:
    """The class teacher of the class or a teacher of one of its subjects."""
    if is_class_teacher_of(user, class_group):
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    TeachingAssignment.class_id == class_group.id,
                    TeachingAssignment.teacher_id == user.id,
                )
            )
        )
    )


def is_parent_of(user: User, student: Student) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(ParentLink.parent_id == user.id, ParentLink.student_id == student.id)
            )
        )
    )


def can_view_student(user: User, student: Student) -> bool:
    """Students see only their own data, parents only their own children's (004:2.11-2.12);
    staff see the students of the classes they work with, the readers of every journal every
    student. The technical administrator manages accounts and reads no diary."""
    if not _same_school(user, student.school_id):
        return False
    if student.user_id is not None and student.user_id == user.id:
        return True
    if user.has_role("parent") and is_parent_of(user, student):
        return True
    if not user.is_staff:
        return False
    if can_read_all_journals(user):
        return True
    return student.current_class is not None and works_with_class(user, student.current_class)


def checked(obj: T | None, allowed: Callable[[User, T], bool] | None, user: User, hide_other_schools: bool = True) -> T:
    """The one gate of every view that takes an object id (STYLE convention 2): 404 when the
    object does not exist or, unless `hide_other_schools` is off, belongs to another school (its
    existence is not revealed); 403 when `allowed` refuses. Views load the object their own way
    (with the eager loading the page needs) and pass it here."""
    if obj is None:
        abort(404)
    school_id = getattr(obj, "school_id", None)
    if hide_other_schools and school_id is not None and school_id != user.school_id:
        abort(404)
    if allowed is not None and not allowed(user, obj):
        abort(403)
    return obj


def load(model: type[T], object_id: int, allowed: Callable[[User, T], bool], user: User) -> T:
    """Load an object by id for the administration pages: 404 if it does not exist, 403 if the
    user may not — another school's object included, which their checks refuse."""
    return checked(db.session.get(model, object_id), allowed, user, hide_other_schools=False)


# --- The journal -----------------------------------------------------------------------------


def is_substitute_for(user: User, lesson) -> bool:
    """A substitute records the lesson they give on that date (001:2.5.4, 003:2.3)."""
    from models import ScheduleChange

    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ScheduleChange.assignment_id == lesson.assignment_id,
                    ScheduleChange.date == lesson.date,
                    ScheduleChange.kind == "substitution",
                    ScheduleChange.substitute_id == user.id,
                )
            )
        )
    )


def can_view_lesson(user: User, lesson) -> bool:
    return can_view_assignment(user, lesson.assignment) or is_substitute_for(user, lesson)


def can_edit_lesson(user: User, lesson) -> bool:
    if not lesson.assignment.is_active or not _same_school(user, lesson.school_id):
        return False
    return can_edit_assignment(user, lesson.assignment) or is_substitute_for(user, lesson)


# --- Lessons and the timetable (blueprints/journal/lessons.py, schedule.py) --------------------


def can_record_lesson(user: User, assignment: TeachingAssignment, day) -> bool:
    """Open (create) a lesson of `day`: the assignment's own teacher, or the substitute named by
    a substitution of that date (001:2.5.4, 003:2.3). The academic office only reads (004:3.3)."""
    if not _same_school(user, assignment.school_id) or not assignment.is_active:
        return False
    if assignment.teacher_id == user.id:
        return True
    from models import ScheduleChange

    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ScheduleChange.assignment_id == assignment.id,
                    ScheduleChange.date == day,
                    ScheduleChange.kind == "substitution",
                    ScheduleChange.substitute_id == user.id,
                )
            )
        )
    )


def can_manage_schedule(user: User) -> bool:
    """Substitutions and cancellations are arranged by the academic office and the journal
    administrator (ADM-9, 002:4.1); not by the methodist nor the technical administrator."""
    return user.has_role(*SCHEDULE_MANAGER_ROLES)


def can_edit_bells(user: User) -> bool:
    """The bells and the shortened days (the schedule regime, ADM-1): the administrators and
    those who enter the timetable (002:4.1)."""
    return can_administer(user) or can_manage_schedule(user)


def can_edit_shortened_day(user: User, shortened_day) -> bool:
    return _same_school(user, shortened_day.school_id) and can_edit_bells(user)


def can_view_teacher_schedule(user: User, teacher: User) -> bool:
    return _same_school(user, teacher.school_id) and (
        user.id == teacher.id or can_read_all_journals(user) or can_administer(user)
    )


def homework_given_to(student: Student, homework) -> bool:
    """The homework is the student's: collective for the class (and the subgroup, if the lesson
    is a subgroup's) the student belonged to on the lesson's date, or individual with the student
    named (004:2.9, ADM-8). A deleted homework is nobody's."""
    from models import ClassMembership, HomeworkStudent, SubgroupMember

    lesson = homework.lesson
    assignment = lesson.assignment
    if homework.is_deleted or lesson.school_id != student.school_id:
        return False
    if homework.is_individual:
        condition = exists().where(HomeworkStudent.homework_id == homework.id, HomeworkStudent.student_id == student.id)
    else:
        condition = exists().where(
            ClassMembership.student_id == student.id,
            ClassMembership.class_id == assignment.class_id,
            ClassMembership.since <= lesson.date,
            (ClassMembership.until.is_(None)) | (ClassMembership.until >= lesson.date),
        )
        if assignment.subgroup_id is not None:
            condition = condition & exists().where(
                SubgroupMember.subgroup_id == assignment.subgroup_id, SubgroupMember.student_id == student.id
            )
    return bool(db.session.scalar(select(condition)))


def can_open_homework_file(user: User, student: Student, homework) -> bool:
    """From the diary: the files of homework given to the student, for whoever reads the
    student's diary — the student, their own parents (004:2.11-2.12) and the staff
    can_view_student allows; never another family's or another class's or group's."""
    return can_view_student(user, student) and homework_given_to(student, homework)


# --- Period marks, deadlines, the class teacher's and the academic office's views -----------


def can_set_period_marks(user: User, assignment: TeachingAssignment) -> bool:
    """Period and year marks are set by the teacher of the subject (001:2.5.6); a class teacher
    who does not teach the subject only reads them (004:3.6)."""
    return can_edit_assignment(user, assignment)


def can_view_class_journal(user: User, class_group: ClassGroup) -> bool:
    """The class page (all subjects of a class): its class teacher and the academic office."""
    return _same_school(user, class_group.school_id) and (
        can_read_all_journals(user) or is_class_teacher_of(user, class_group)
    )


def can_keep_daily_attendance(user: User, class_group: ClassGroup) -> bool:
    """The class teacher keeps the daily record of attendance (JRN-4, 003 Положение 2.3)."""
    return _same_school(user, class_group.school_id) and is_class_teacher_of(user, class_group)


def can_view_journal_control(user: User) -> bool:
    """Journal-keeping control: the deputy, the methodist, the director (REP-3, 002:4.2)."""
    return can_read_all_journals(user)


# --- The diary: absence notes (blueprints/diary, DIA-5) --------------------------------------


def can_submit_absence_note(user: User, student: Student) -> bool:
    """A parent tells the class teacher why their own child was absent (004:3.5)."""
    return _same_school(user, student.school_id) and user.has_role("parent") and is_parent_of(user, student)


def can_view_class_absence_notes(user: User, class_group: ClassGroup) -> bool:
    """The notes of a class: its class teacher decides them; the academic office reads them."""
    return _same_school(user, class_group.school_id) and (
        is_class_teacher_of(user, class_group) or can_read_all_journals(user)
    )


def can_decide_absence_note(user: User, note) -> bool:
    """Only the class teacher of the student's class accepts or rejects a note (004:3.5)."""
    student = note.student
    return (
        _same_school(user, note.school_id)
        and student.current_class is not None
        and is_class_teacher_of(user, student.current_class)
    )


def can_view_absence_note(user: User, note) -> bool:
    """A note and its scanned doctor's note: the parent who wrote it, the class teacher and the
    academic office only — not the other parent of another family, nor the subject teachers."""
    if not _same_school(user, note.school_id):
        return False
    if note.parent_id == user.id or can_read_all_journals(user):
        return True
    student = note.student
    return student.current_class is not None and is_class_teacher_of(user, student.current_class)


# --- Personal data: consent sheets and parents' applications (PD-1, DIA-4) ---------------------


def can_manage_family_records(user: User, student: Student) -> bool:
    """The consent sheet (003 Приложение 2) and the parent's application (Приложение 1) are
    handed in on paper and recorded by the class teacher of the student's class or by an
    administrator of the school."""
    if not _same_school(user, student.school_id):
        return False
    if can_administer(user):
        return True
    return student.current_class is not None and is_class_teacher_of(user, student.current_class)


def can_view_consent_scan(user: User, consent) -> bool:
    """The scanned signed consent sheet: those who record the sheets for the student (class
    teacher, administrators) and the parent who signed it."""
    student = consent.student
    if not _same_school(user, student.school_id):
        return False
    return can_manage_family_records(user, student) or (
        consent.given_by_id is not None and consent.given_by_id == user.id and is_parent_of(user, student)
    )


def can_follow_consents(user: User) -> bool:
    """The list of students without a valid consent (PD-1): the administrators (every class)
    and class teachers (their classes)."""
    return user.is_staff and (can_administer(user) or user.has_role("class_teacher"))


def can_read_report_files(user: User) -> bool:
    """The printed weekly reports hold every child's marks: those who read every journal, not
    the technical administrator, who only runs the job."""
    return can_administer(user) and can_read_all_journals(user)


# --- The school's set-up and its people (blueprints/admin/, ADM-1, ADM-3) -------------------
# An administrator reaches only the objects of their own school. Each check follows the object up
# to the record that carries `school_id`, for `policy.load(Model, id, policy.owns_x, user)`.


def administers_school(user: User, school_id: int) -> bool:
    return can_administer(user) and _same_school(user, school_id)


def in_own_school(user: User, obj) -> bool:
    """For records with their own `school_id`: year, class, subject, kind of work, scale,
    teaching assignment, student, account, administrator's alert."""
    return administers_school(user, obj.school_id)


def owns_year(user: User, year) -> bool:
    return administers_school(user, year.school_id)


def can_close_year(user: User, year) -> bool:
    """Only the director closes a school year, after its checklist (ARC-1)."""
    return user.has_role("director") and _same_school(user, year.school_id)


def owns_period(user: User, period) -> bool:
    return administers_school(user, period.year.school_id)


def owns_holiday(user: User, holiday) -> bool:
    return administers_school(user, holiday.year.school_id)


def owns_class(user: User, class_group: ClassGroup) -> bool:
    return administers_school(user, class_group.school_id)


def owns_subgroup(user: User, subgroup) -> bool:
    return administers_school(user, subgroup.class_group.school_id)


def owns_curriculum_item(user: User, item) -> bool:
    return administers_school(user, item.class_group.school_id)


def owns_club_membership(user: User, membership) -> bool:
    return owns_class(user, membership.group)


def owns_parent_link(user: User, link: ParentLink) -> bool:
    return administers_school(user, link.student.school_id)


def owns_import(user: User, entry) -> bool:
    """The result of a people import (an audit entry) of the administrator's own school."""
    return entry.entity == "import" and administers_school(user, entry.school_id)


# --- Accounts and roles (blueprints/admin/people/, ADM-7) ----------------------------------


def role_change_refusal(actor: User, user: User, new_roles) -> str | None:
    """Why `actor` may not give `user` the roles `new_roles` (domain/roles.py), or None."""
    if not (can_administer(actor) and _same_school(actor, user.school_id)):
        return "not_admin"
    return role_rules.grant_refusal(actor.roles, user.roles, new_roles, is_self=actor.id == user.id)


def can_reset_password(actor: User, user: User) -> bool:
    """A new password lets its issuer log in as the owner: a director's or deputy's, or that of
    someone ranked above the issuer, is issued by the director only (domain/roles.py)."""
    return (
        can_administer(actor)
        and _same_school(actor, user.school_id)
        and actor.id != user.id
        and not role_rules.reset_needs_director(actor.roles, user.roles)
    )


def can_view_job_run(user: User, run) -> bool:
    """Runs of scheduled jobs: the administrators, for runs of their school or of every school."""
    return can_administer(user) and (run.school_id is None or _same_school(user, run.school_id))


# --- Keeping people's records accurate (PD-7, blueprints/admin/people/editing.py) ---------------


def can_edit_student_record(user: User, student: Student) -> bool:
    """A student's record (names, birth date, gender, book number) is corrected by an
    administrator or by the class teacher of the student's class (003 Приложение 2, 004:3.5)."""
    if not _same_school(user, student.school_id):
        return False
    if can_administer(user):
        return True
    return student.current_class is not None and is_class_teacher_of(user, student.current_class)


def can_edit_parent_record(user: User, parent: User) -> bool:
    """A parent's names and contacts: an administrator, or the class teacher of one of the
    parent's children. A parent who also works at the school is the administrator's to edit."""
    if not _same_school(user, parent.school_id) or not parent.has_role("parent"):
        return False
    if can_administer(user):
        return True
    if parent.is_staff or parent.id == user.id:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ParentLink.parent_id == parent.id,
                    ParentLink.student_id == Student.id,
                    Student.current_class_id == ClassGroup.id,
                    ClassGroup.class_teacher_id == user.id,
                )
            )
        )
    )


def can_edit_staff_profile(user: User, person: User) -> bool:
    """A staff member's names and contacts are kept by the administrators (ADM-3)."""
    return can_administer(user) and _same_school(user, person.school_id) and person.is_staff


# --- Closing a period and the academic office's corrections (JRN-8, issue 10) ----------------


def can_close_periods(user: User) -> bool:
    """The academic office closes a period for a class or the school; the journal administrator
    does it on their behalf (domain/closing.py)."""
    from domain import closing

    return user.has_role(*closing.CLOSING_ROLES)


def can_close_period(user: User, period) -> bool:
    return can_close_periods(user) and _same_school(user, period.year.school_id)


def can_reopen_closure(user: User, closure) -> bool:
    """Only the director reopens a closed period, with a reason."""
    from domain import closing

    return _same_school(user, closure.school_id) and user.has_role(*closing.REOPENING_ROLES)


def can_correct_closed_lesson(user: User, lesson) -> bool:
    """In a closed period the deputy or the director corrects a record, with a reason; a
    teacher cannot (JRN-8)."""
    from domain import closing

    return _same_school(user, lesson.school_id) and closing.may_correct_closed(user.roles)


def can_correct_closed_assignment(user: User, assignment: TeachingAssignment) -> bool:
    from domain import closing

    return _same_school(user, assignment.school_id) and closing.may_correct_closed(user.roles)


# --- The weekly timetable (blueprints/admin/timetable/, issue 10) ----------------------------


def can_edit_timetable(user: User) -> bool:
    """The timetable is entered by those who arrange the substitutions (002:4.1) and by the
    administrators of the school's set-up (ADM-1)."""
    return user.has_role(*SCHEDULE_MANAGER_ROLES) or can_administer(user)


def can_view_timetable(user: User) -> bool:
    """Teachers and the academic office look up and print the timetable of any class."""
    return can_edit_timetable(user) or can_read_all_journals(user) or user.has_role(*TEACHING_ROLES)


def can_edit_room(user: User, room) -> bool:
    return _same_school(user, room.school_id) and can_edit_timetable(user)


def can_edit_class_timetable(user: User, class_group: ClassGroup) -> bool:
    return _same_school(user, class_group.school_id) and can_edit_timetable(user)


def can_view_class_timetable(user: User, class_group: ClassGroup) -> bool:
    return _same_school(user, class_group.school_id) and can_view_timetable(user)


def can_print_teacher_timetable(user: User, teacher: User) -> bool:
    return can_view_teacher_schedule(user, teacher) or (
        _same_school(user, teacher.school_id) and can_edit_timetable(user)
    )


# --- Inspections of journal keeping (blueprints/reports/inspections.py, REP-3) ----------------
# The methodist weekly, the deputy monthly and the director quarterly inspect the journals
# (002:5.2); the teacher of the journal corrects the remarks; the inspector confirms them.
INSPECTOR_ROLES = frozenset({"director", "deputy", "methodist"})


def can_inspect_journals(user: User) -> bool:
    return user.has_role(*INSPECTOR_ROLES)


def can_record_inspection(user: User, assignment: TeachingAssignment) -> bool:
    return _same_school(user, assignment.school_id) and can_inspect_journals(user)


def can_view_inspection(user: User, inspection) -> bool:
    """The academic office, and the teacher of the inspected journal."""
    return _same_school(user, inspection.school_id) and (
        can_read_all_journals(user) or inspection.assignment.teacher_id == user.id
    )


def can_correct_remarks_of(user: User, assignment: TeachingAssignment) -> bool:
    """Only the teacher of the journal marks a remark corrected (the journal is theirs, 004:3.6)."""
    return _same_school(user, assignment.school_id) and assignment.teacher_id == user.id


def can_correct_remark(user: User, remark) -> bool:
    return can_correct_remarks_of(user, remark.inspection.assignment)


def can_confirm_remarks_of(user: User, inspection) -> bool:
    """The inspector who made the remarks confirms a correction or returns it; the director,
    who receives the results of every inspection (002:5.4), may do it in their place."""
    return _same_school(user, inspection.school_id) and (
        inspection.inspector_id == user.id or user.has_role("director")
    )


def can_confirm_remark(user: User, remark) -> bool:
    return can_confirm_remarks_of(user, remark.inspection)


# --- Results of study (blueprints/reports, REP-1) ---------------------------------------------

# The summary sheet of any class: the academic office and the director (002 section 5); the
# journal and technical administrators keep the records and the system, not the results.
RESULTS_READER_ROLES = frozenset({"director", "deputy", "methodist"})


def can_view_all_class_results(user: User) -> bool:
    return user.has_role(*RESULTS_READER_ROLES)


def can_view_class_results(user: User, class_group: ClassGroup) -> bool:
    """The summary sheet of a class (REP-1, 004:2.3): its class teacher, the academic office and
    the director of the class's school."""
    return _same_school(user, class_group.school_id) and (
        can_view_all_class_results(user) or is_class_teacher_of(user, class_group)
    )


def can_view_results_list(user: User) -> bool:
    """The list of summary sheets: those who see every class, and class teachers (their own)."""
    return can_view_all_class_results(user) or user.has_role("class_teacher")


# --- The year's end: council decisions and academic debts (REP-5, REP-6) ----------------------
# The pedagogical council's decisions are entered by the director and the deputy (the academic
# office's head), who also record the retakes of academic debts; the class teacher reads their
# own class's decisions and their students' debts.
DECISION_ROLES = frozenset({"director", "deputy"})


def can_enter_decisions(user: User, class_group: ClassGroup) -> bool:
    return _same_school(user, class_group.school_id) and user.has_role(*DECISION_ROLES)


def can_view_decisions(user: User, class_group: ClassGroup) -> bool:
    return _same_school(user, class_group.school_id) and (
        user.has_role(*DECISION_ROLES) or is_class_teacher_of(user, class_group)
    )


def can_view_debts_list(user: User) -> bool:
    return user.has_role(*DECISION_ROLES)


def can_view_student_debts(user: User, student: Student) -> bool:
    return _same_school(user, student.school_id) and (
        user.has_role(*DECISION_ROLES)
        or (student.current_class is not None and is_class_teacher_of(user, student.current_class))
    )


def can_record_retake(user: User, debt) -> bool:
    return _same_school(user, debt.school_id) and user.has_role(*DECISION_ROLES)


# --- Certified printouts (REP-4, blueprints/main/verify.py) ----------------------------------


def can_verify_printouts(user: User) -> bool:
    """A paper copy is checked against its record by staff only: the record names a child, the
    document and who printed it (PD-3: summary forms only to the staff who need them)."""
    return user.is_staff


def can_download_printout(user: User, printout) -> bool:
    """The kept PDF itself goes to whoever may read such a document: the one who printed it,
    those who read every journal and diary (the academic office, the director, the journal
    administrator), and for a weekly report the class teacher of the child's class."""
    if not (_same_school(user, printout.school_id) and user.is_staff):
        return False
    if printout.printed_by_id == user.id or can_read_all_journals(user):
        return True
    class_id = (printout.of or {}).get("class_id")
    if printout.kind == "weekly_report" and class_id:
        class_group = db.session.get(ClassGroup, class_id)
        return class_group is not None and is_class_teacher_of(user, class_group)
    return False


# --- The statistics of study (blueprints/reports/statistics.py, REP-2) -------------------------

# The academic office and the director (002 section 5): the whole school's statistics.
STATISTICS_ROLES = frozenset({"director", "deputy", "methodist"})


def can_view_school_statistics(user: User) -> bool:
    return user.has_role(*STATISTICS_ROLES)


def can_view_class_statistics(user: User, class_group: ClassGroup) -> bool:
    """The office every class; a class teacher their own class only."""
    return _same_school(user, class_group.school_id) and (
        can_view_school_statistics(user) or is_class_teacher_of(user, class_group)
    )


def can_view_student_dynamics(user: User, student: Student) -> bool:
    """A student's dynamics among the statistics: the office, and the class teacher of the student's
    class (the family sees it in the diary, where policy.can_view_student decides)."""
    return _same_school(user, student.school_id) and (
        can_view_school_statistics(user)
        or (student.current_class is not None and is_class_teacher_of(user, student.current_class))
    )


def can_view_teacher_statistics(user: User, teacher: User) -> bool:
    """A teacher's classes side by side: the office only."""
    return _same_school(user, teacher.school_id) and can_view_school_statistics(user)


# --- The register of personal-data processing (PD-3, PD-5, 000:5.3, 001:5.3, 001:5.5.5) ---------
# The director issues the order naming the operators and suspends access on a violation; the
# journal administrator, who keeps the records, reads the orders. Neither page is a personal-data
# page itself: the director reaches them even when no order is in force (no lock-out).


def can_manage_pd_register(user: User) -> bool:
    return user.has_role("director")


def can_view_pd_orders(user: User) -> bool:
    return user.has_role("director", "journal_admin")


# --- The personal-data register and the subjects' requests (PD-4, PD-7) ----------------------

# The register of disclosures is kept by the director and the journal administrator (000:5.5.4).
DISCLOSURE_REGISTER_ROLES = frozenset({"director", "journal_admin"})


def can_keep_disclosure_register(user: User) -> bool:
    """Read, print, export the register of disclosures and enter paper transfers by hand."""
    return user.has_role(*DISCLOSURE_REGISTER_ROLES)


def can_request_about_child(user: User, student: Student) -> bool:
    """A parent sees everything held about their own child and asks to correct it or for an
    extract (152-ФЗ art. 14; 003 Приложение 2)."""
    return _same_school(user, student.school_id) and user.has_role("parent") and is_parent_of(user, student)


def can_handle_corrections(user: User) -> bool:
    """The list of correction requests: administrators and class teachers (their own class's)."""
    return can_administer(user) or user.has_role("class_teacher")


def can_decide_correction(user: User, student: Student) -> bool:
    """Apply or reject a correction of this student's data: who keeps the family records."""
    return can_manage_family_records(user, student)


# --- Protection of personal data (PD-6) ---------------------------------------------------


def can_view_access_log(user: User) -> bool:
    """The personal-data access log (PD-6): the director, who answers for the processing."""
    return user.is_staff and user.has_role("director")


def can_search_by_snils(user: User) -> bool:
    """Finding a student by SNILS: staff; the director's order (5.1) decides the rest (PD-3)."""
    return user.is_staff


# Destruction of personal data after a withdrawal (PD-2) -----------------------------------------

PD_DESTRUCTION_ROLES = frozenset({"director", "journal_admin"})


def can_manage_destruction(user: User) -> bool:
    """The director and the journal's administrator see the destruction tasks, execute them and
    keep the school's corrections of the production calendar the deadlines are counted by."""
    return user.has_role(*PD_DESTRUCTION_ROLES)


def can_execute_destruction(user: User, task) -> bool:
    return _same_school(user, task.school_id) and can_manage_destruction(user)


def can_withdraw_own_consent(user: User, consent) -> bool:
    """A parent withdraws the consent sheet of their own child (PD-2), never another family's."""
    if not user.has_role("parent") or not _same_school(user, consent.school_id):
        return False
    return db.session.scalar(
        select(ParentLink.id).where(ParentLink.parent_id == user.id, ParentLink.student_id == consent.student_id)
    ) is not None


# --- Retention and destruction acts (ARC-2) ------------------------------------------------------

RETENTION_VIEW_ROLES = frozenset({"director", "journal_admin"})


def can_view_retention(user: User) -> bool:
    """The director and the journal's administrator see the proposals, the acts and the holds."""
    return user.has_role(*RETENTION_VIEW_ROLES)


def can_approve_destruction_act(user: User, act=None) -> bool:
    """Only the director approves an act of destruction (and only then are records destroyed)."""
    return (act is None or _same_school(user, act.school_id)) and user.has_role("director")


def can_hold_package(user: User, package=None) -> bool:
    """Only the director puts a package under a legal hold or releases it."""
    return (package is None or _same_school(user, package.school_id)) and user.has_role("director")


# --- State exam results (JRN-11, 001:2.8.3-2.8.4) --------------------------------------------

# The academic office enters the protocols (ОГЭ, ГВЭ, ЕГЭ) and reads the final marks.
EXAM_RESULTS_ROLES = frozenset({"director", "deputy", "journal_admin"})


def can_manage_exam_results(user: User) -> bool:
    return user.has_role(*EXAM_RESULTS_ROLES)


def can_manage_class_exam_results(user: User, class_group: ClassGroup) -> bool:
    return _same_school(user, class_group.school_id) and can_manage_exam_results(user)


# --- The archive (ARC-1, ARC-3, blueprints/archive) --------------------------------------------


ARCHIVE_ROLES = ("director", "deputy", "journal_admin")


def can_manage_archive(user: User) -> bool:
    """The archive's packages, their building and checking, the acceptance act: the director,
    the deputy (the academic office) and the journal administrator."""
    return user.is_authenticated and user.has_role(*ARCHIVE_ROLES)


# --- Distance assignments (JRN-10, blueprints/assignments) -------------------------------------


def can_give_distance_assignment(user: User, assignment: TeachingAssignment) -> bool:
    """The teacher of the journal gives assignments and reviews the work (004:3.6)."""
    return can_edit_assignment(user, assignment)


def can_view_distance_assignment(user: User, distance_assignment) -> bool:
    """The class list with every student's status: the teacher of the journal, the class
    teacher and the academic office (who read the journal)."""
    return not distance_assignment.is_deleted and can_view_assignment(user, distance_assignment.assignment)


def is_given_to(student: Student, distance_assignment) -> bool:
    """The student is in the class (and the group) of the assignment's journal."""
    from models import SubgroupMember

    assignment = distance_assignment.assignment
    if student.school_id != assignment.school_id or student.current_class_id != assignment.class_id:
        return False
    if assignment.subgroup_id is None:
        return True
    return bool(db.session.scalar(select(exists().where(
        SubgroupMember.subgroup_id == assignment.subgroup_id, SubgroupMember.student_id == student.id))))


def _is_own_or_child(user: User, student: Student) -> bool:
    return (student.user_id is not None and student.user_id == user.id) or (
        user.has_role("parent") and is_parent_of(user, student))


def can_view_distance_work(user: User, distance_assignment, student: Student) -> bool:
    """One student's work and its files: the student, their parents (read-only), and the
    staff who see the class list."""
    if distance_assignment.is_deleted or not is_given_to(student, distance_assignment):
        return False
    return _is_own_or_child(user, student) or can_view_distance_assignment(user, distance_assignment)


def can_open_distance_materials(user: User, distance_assignment) -> bool:
    """The teacher's materials: the staff who see the assignment, and the students it is given
    to with their parents."""
    if distance_assignment.is_deleted:
        return False
    if can_view_distance_assignment(user, distance_assignment):
        return True
    return any(is_given_to(s, distance_assignment) for s in family_students(user))


def family_students(user: User) -> list[Student]:
    """The student of a student's login, the children of a parent (one query)."""
    condition = Student.user_id == user.id
    if user.has_role("parent"):
        condition = condition | Student.id.in_(select(ParentLink.student_id).where(ParentLink.parent_id == user.id))
    return list(db.session.scalars(select(Student).where(condition, Student.school_id == user.school_id)
                                   .order_by(Student.last_name, Student.first_name)))


def can_submit_distance_work(user: User, distance_assignment, student: Student) -> bool:
    """Only the student submits their own work (a parent reads it)."""
    return (not distance_assignment.is_deleted and student.user_id is not None and student.user_id == user.id
            and is_given_to(student, distance_assignment))


def can_review_distance_work(user: User, distance_assignment) -> bool:
    return not distance_assignment.is_deleted and can_give_distance_assignment(user, distance_assignment.assignment)
# --- Electronic tests (JRN-10, blueprints/quizzes) ---------------------------------------------


def can_view_quizzes(user: User, assignment: TeachingAssignment) -> bool:
    """The tests of a journal and their results: whoever reads that journal."""
    return can_view_assignment(user, assignment)


def can_edit_quizzes(user: User, assignment: TeachingAssignment) -> bool:
    """Building, opening and closing a test: the journal's own teacher (004:3.6)."""
    return can_edit_assignment(user, assignment)


def can_view_quiz(user: User, quiz) -> bool:
    return can_view_quizzes(user, quiz.assignment)


def can_take_quiz(user: User, quiz) -> bool:
    """A student of the journal's class (or subgroup) on the test's lesson date, and only them."""
    from blueprints.quizzes import operations as quiz_ops

    if not _same_school(user, quiz.school_id) or not user.has_role("student"):
        return False
    student = quiz_ops.student_of(user)
    return student is not None and quiz_ops.may_take(quiz, student)


def owns_attempt(user: User, attempt) -> bool:
    """An attempt is its student's alone: anyone else's id is answered 404 by the view."""
    return attempt.student is not None and attempt.student.user_id == user.id
# --- Polls (COM-2, blueprints/polls) -----------------------------------------------------------

# The administration creates polls for any audience and sees every poll's results.
POLL_ADMIN_ROLES = frozenset({"director", "deputy"})
POLL_TEACHER_ROLES = ("teacher", "class_teacher", "extra_teacher")


def can_administer_polls(user: User) -> bool:
    return user.has_role(*POLL_ADMIN_ROLES)


def poll_classes(user: User) -> list[ClassGroup]:
    """The classes whose parents or students this user may poll: a class teacher their own
    classes (of the current year), the administration every class of the current year."""
    from models import AcademicYear

    query = (select(ClassGroup).join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
             .where(ClassGroup.school_id == user.school_id, AcademicYear.is_current.is_(True))
             .order_by(ClassGroup.grade, ClassGroup.letter))
    if not can_administer_polls(user):
        query = query.where(ClassGroup.class_teacher_id == user.id)
    return list(db.session.scalars(query))


def can_create_polls(user: User) -> bool:
    """The director and the deputy (any audience), a class teacher (their class's families)."""
    return can_administer_polls(user) or (user.has_role("class_teacher") and bool(poll_classes(user)))


@dataclass(frozen=True)
class PollAudienceOf:
    """What places a user in a poll's audience, read once (two queries) for a list of polls:
    their own non-withdrawn children with their classes, and their own class as a student."""

    children: tuple[tuple[int, int | None], ...] = ()
    student_class_id: int | None = None
    is_student: bool = False


def poll_audience_of(user: User) -> PollAudienceOf:
    children: tuple = ()
    if user.has_role("parent"):
        children = tuple(db.session.execute(
            select(Student.id, Student.current_class_id).join(ParentLink, ParentLink.student_id == Student.id)
            .where(ParentLink.parent_id == user.id, Student.school_id == user.school_id,
                   Student.is_withdrawn.is_(False)).order_by(Student.id)).all())
    own = None
    if user.has_role("student"):
        own = db.session.scalar(select(Student).where(Student.user_id == user.id, Student.is_withdrawn.is_(False)))
    return PollAudienceOf(children=tuple((sid, cid) for sid, cid in children),
                          student_class_id=own.current_class_id if own else None, is_student=own is not None)


def poll_family_children(user: User, poll, of: PollAudienceOf | None = None) -> list[int]:
    """The ids of the user's own children who make the user a member of the poll's audience as a
    parent (a child in 5А for «parents of 5А»; any own child for «all parents»): the family a
    vote «per family» covers."""
    if not user.has_role("parent"):
        return []
    of = of or poll_audience_of(user)
    everyone = any(a.kind == "parents" for a in poll.audience)
    class_ids = {a.class_id for a in poll.audience if a.kind == "class_parents"}
    return [sid for sid, class_id in of.children if everyone or class_id in class_ids]


def is_in_poll_audience(user: User, poll, of: PollAudienceOf | None = None) -> bool:
    """Exactly the poll's audience may answer it (and see it at all)."""
    if not user.is_authenticated or not _same_school(user, poll.school_id):
        return False
    kinds = {a.kind for a in poll.audience}
    if "staff" in kinds and user.is_staff:
        return True
    if "teachers" in kinds and user.has_role(*POLL_TEACHER_ROLES):
        return True
    of = of or poll_audience_of(user)
    if of.is_student:
        class_ids = {a.class_id for a in poll.audience if a.kind == "class_students"}
        if "students" in kinds or (of.student_class_id is not None and of.student_class_id in class_ids):
            return True
    return bool(poll_family_children(user, poll, of))


def can_view_poll_results(user: User, poll) -> bool:
    """The poll's author and the administration (director, deputy); respondents do not."""
    return _same_school(user, poll.school_id) and (poll.author_id == user.id or can_administer_polls(user))


def can_see_poll(user: User, poll) -> bool:
    return can_view_poll_results(user, poll) or is_in_poll_audience(user, poll)
# --- Additional-education groups' journal (JRN-9, blueprints/journal/clubs) -------------------


def _is_club(assignment: TeachingAssignment) -> bool:
    return assignment.class_group.kind == "extra"


def can_view_club(user: User, assignment: TeachingAssignment) -> bool:
    """The group's teacher and the administration (the academic office) read its journal."""
    return _is_club(assignment) and _same_school(user, assignment.school_id) and (
        assignment.teacher_id == user.id or can_read_all_journals(user)
    )


def can_edit_club(user: User, assignment: TeachingAssignment) -> bool:
    """Only the group's own teacher keeps its journal: sessions, results, achievements."""
    return _is_club(assignment) and can_edit_assignment(user, assignment)


def can_list_clubs(user: User) -> bool:
    """The list of groups: the additional-education teachers and the journals' readers."""
    return user.has_role("extra_teacher") or can_read_all_journals(user)


# --- Messages and announcements (COM-1) ------------------------------------------------------
# Who may talk to whom: a parent with the teachers of their children and the administration; a
# student with their teachers (classmates only if the school allows it); staff with staff; the
# teachers with the parents and students of the classes they teach. The relation is symmetric.
MESSAGE_ADMIN_ROLES = frozenset({"director", "deputy"})


def _teacher_student_pairs(teacher_id: int | None = None, student_ids=None) -> set[tuple[int, int]]:
    """(teacher, student) of the current classes: the class teacher and the teachers of the
    class's subjects (a subgroup's teacher only for the subgroup's students)."""
    from models import ClassGroup as _Class
    from models import SubgroupMember

    taught = (
        select(TeachingAssignment.teacher_id, Student.id)
        .join(Student, Student.current_class_id == TeachingAssignment.class_id)
        .where(
            TeachingAssignment.is_active.is_(True),
            Student.is_withdrawn.is_(False),
            (TeachingAssignment.subgroup_id.is_(None))
            | exists().where(
                SubgroupMember.subgroup_id == TeachingAssignment.subgroup_id, SubgroupMember.student_id == Student.id
            ),
        )
    )
    led = (
        select(_Class.class_teacher_id, Student.id)
        .join(Student, Student.current_class_id == _Class.id)
        .where(_Class.class_teacher_id.is_not(None), Student.is_withdrawn.is_(False))
    )
    if teacher_id is not None:
        taught = taught.where(TeachingAssignment.teacher_id == teacher_id)
        led = led.where(_Class.class_teacher_id == teacher_id)
    if student_ids is not None:
        ids = list(student_ids)
        taught = taught.where(Student.id.in_(ids))
        led = led.where(Student.id.in_(ids))
    return {(t, s) for t, s in db.session.execute(taught.union(led))}


def _users_with_roles(school_id: int, roles) -> set[int]:
    from models import UserRole

    return set(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school_id, UserRole.role.in_(list(roles)))
    ))


def message_contact_ids(user: User) -> set[int]:
    """The ids of the active users of the user's school this user may write to."""
    from domain.settings import school_settings
    from models import STAFF_ROLES

    ids: set[int] = set()
    if user.is_staff:
        ids |= _users_with_roles(user.school_id, STAFF_ROLES)
        student_ids = {s for _t, s in _teacher_student_pairs(teacher_id=user.id)}
        if user.has_role(*MESSAGE_ADMIN_ROLES):
            ids |= _users_with_roles(user.school_id, {"parent"})
        if student_ids:
            ids |= set(db.session.scalars(select(Student.user_id).where(Student.id.in_(student_ids),
                                                                         Student.user_id.is_not(None))))
            ids |= set(db.session.scalars(select(ParentLink.parent_id).where(ParentLink.student_id.in_(student_ids))))
    if user.has_role("parent"):
        children = set(db.session.scalars(select(ParentLink.student_id).where(ParentLink.parent_id == user.id)))
        ids |= {t for t, _s in _teacher_student_pairs(student_ids=children)} if children else set()
        ids |= _users_with_roles(user.school_id, MESSAGE_ADMIN_ROLES)
    if user.has_role("student"):
        own = db.session.scalars(select(Student).where(Student.user_id == user.id)).all()
        if own:
            ids |= {t for t, _s in _teacher_student_pairs(student_ids=[s.id for s in own])}
            if school_settings(user.school.settings).get("messages_students_to_students"):
                class_ids = [s.current_class_id for s in own if s.current_class_id]
                ids |= set(db.session.scalars(select(Student.user_id).where(
                    Student.current_class_id.in_(class_ids), Student.user_id.is_not(None),
                    Student.is_withdrawn.is_(False))))
    ids.discard(user.id)
    ids.discard(None)
    if not ids:
        return ids
    return set(db.session.scalars(select(User.id).where(
        User.id.in_(ids), User.school_id == user.school_id, User.is_active_account.is_(True),
        User.is_blocked.is_(False))))


def can_write_to(user: User, other: User) -> bool:
    return other.id != user.id and other.id in message_contact_ids(user)


def is_in_conversation(user: User, conversation) -> bool:
    """Nobody reads a conversation they are not in (the administration neither: a reported
    message is read through its report)."""
    from models.messages import Participant

    return conversation.school_id == user.school_id and bool(db.session.scalar(select(exists().where(
        Participant.conversation_id == conversation.id, Participant.user_id == user.id))))


def can_reply(user: User, conversation) -> bool:
    """An announcement is read-only for its recipients: only its sender writes in it."""
    if not is_in_conversation(user, conversation):
        return False
    return not conversation.is_announcement or conversation.created_by_id == user.id


def announcement_classes(user: User) -> list[ClassGroup]:
    """The classes a user may announce to: every class of the current year for the
    administration; their own classes for a class teacher (to the class's parents)."""
    from models import AcademicYear

    query = (select(ClassGroup).join(AcademicYear, AcademicYear.id == ClassGroup.year_id)
             .where(ClassGroup.school_id == user.school_id, AcademicYear.is_current.is_(True))
             .order_by(ClassGroup.grade, ClassGroup.name))
    if not user.has_role(*MESSAGE_ADMIN_ROLES):
        query = query.where(ClassGroup.class_teacher_id == user.id)
    return list(db.session.scalars(query))


def can_send_announcements(user: User) -> bool:
    return user.has_role(*MESSAGE_ADMIN_ROLES) or (user.has_role("class_teacher") and bool(announcement_classes(user)))


def can_handle_message_reports(user: User) -> bool:
    return user.has_role(*MESSAGE_ADMIN_ROLES)


def can_resolve_message_report(user: User, report) -> bool:
    return can_handle_message_reports(user)
