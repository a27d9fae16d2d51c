"""All model families, imported here so that Alembic and create_all() see every table."""
from models import (  # noqa: F401  (tables of later areas)
    archive,
    debts,
    diary,
    exams,
    jobs,
    messages,
    pd_destruction,
    pd_protection,
    pd_register,
    pd_requests,
    personal_data,
    personal_files,
    quizzes,
    retention,
    year_closing,
)
from models.assignments import DistanceAssignment, DistanceAssignmentFile, DistanceSubmission  # noqa: F401  (JRN-10)
from models.audit import AdminAlert, AuditEntry, LoginEvent
from models.bells import ShortenedDay
from models.closing import PeriodClosure
from models.club_results import ClubAchievement, ClubResult, ClubResultForm
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
from models.polls import Poll, PollAnswer, PollAudience, PollOption, PollVote  # noqa: F401  (COM-2)
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
from models.year_archive import ArchiveBuildRequest, StateExamProtocolFile  # noqa: F401  (archive, issue 14)

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
    "ClubAchievement",
    "ClubMembership",
    "ClubResult",
    "ClubResultForm",
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
