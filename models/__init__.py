"""All model families, imported here so that Alembic and create_all() see every table."""
from models import archive, debts, diary, jobs, pd_destruction, pd_protection, pd_register, pd_requests, personal_data  # noqa: F401  (tables of later areas)
from models.audit import AdminAlert, AuditEntry, LoginEvent
from models.bells import ShortenedDay
from models.closing import PeriodClosure
from models.clubs import ClubMembership
from models.inspections import Inspection, InspectionRemark
from models.jobs import JobRun
from models.journal import (
    Attendance,
    CellWrite,
    Homework,
    HomeworkFile,
    HomeworkStudent,
    JournalChange,
    Lesson,
    LessonWork,
    Mark,
    PeriodMark,
    PlanCorrection,
    PlanItem,
    PlannedAbsence,
    ScheduleChange,
)
from models.people import (
    ROLES,
    STAFF_ROLES,
    ClassMembership,
    EnrolmentEvent,
    ParentLink,
    Student,
    User,
    UserRole,
)
from models.printouts import Printout
from models.school import (
    AcademicYear,
    BellSchedule,
    ClassGroup,
    CurriculumItem,
    Holiday,
    MarkingScale,
    ScheduleSlot,
    School,
    StudyPeriod,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    WorkKind,
)
from models.sessions import UserSession
from models.timetable import Room

__all__ = [
    "Attendance",
    "CellWrite",
    "Homework",
    "HomeworkFile",
    "HomeworkStudent",
    "Inspection",
    "InspectionRemark",
    "JobRun",
    "JournalChange",
    "Lesson",
    "LessonWork",
    "Mark",
    "PeriodClosure",
    "PeriodMark",
    "PlanCorrection",
    "PlanItem",
    "PlannedAbsence",
    "Printout",
    "Room",
    "ScheduleChange",
    "ROLES",
    "STAFF_ROLES",
    "AcademicYear",
    "AdminAlert",
    "AuditEntry",
    "BellSchedule",
    "ClassGroup",
    "ClassMembership",
    "ClubMembership",
    "CurriculumItem",
    "EnrolmentEvent",
    "Holiday",
    "LoginEvent",
    "MarkingScale",
    "ParentLink",
    "ScheduleSlot",
    "School",
    "ShortenedDay",
    "Student",
    "StudyPeriod",
    "Subgroup",
    "SubgroupMember",
    "Subject",
    "TeachingAssignment",
    "User",
    "UserRole",
    "UserSession",
    "WorkKind",
]
