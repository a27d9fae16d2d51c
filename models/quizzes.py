"""Electronic tests (JRN-10, 001:3.2-3.4): a teacher's test of a teaching assignment, tied to
one of its lessons (the mark lands in that lesson's column), its questions and options, and the
students' attempts with their answers. The correct answers live only here and in the teacher's
pages: the student's pages never receive them (blueprints/quizzes)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.year_closing import belongs_to_year_through


@belongs_to_year_through("TeachingAssignment", "assignment_id", "assignment")
class Quiz(db.Model):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("teaching_assignment.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    work_kind_id: Mapped[int] = mapped_column(ForeignKey("work_kind.id"))
    title: Mapped[str] = mapped_column(String(200))
    time_limit_minutes: Mapped[Optional[int]] = mapped_column(Integer)  # None: no limit
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    counts: Mapped[str] = mapped_column(String(10), default="best")  # "best" or "last" attempt
    # The points-to-mark scale: the least share of the points (per cent) for 5, 4 and 3; else 2.
    pct_5: Mapped[int] = mapped_column(Integer, default=85)
    pct_4: Mapped[int] = mapped_column(Integer, default=65)
    pct_3: Mapped[int] = mapped_column(Integer, default=45)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assignment = relationship("TeachingAssignment")
    lesson = relationship("Lesson")
    work_kind = relationship("WorkKind")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan")


@belongs_to_year_through(Quiz, "quiz_id", "quiz")
class Question(db.Model):
    __tablename__ = "quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))  # single, multiple, number, text (domain/quizzes.py)
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(Integer, default=1)
    number_answer: Mapped[Optional[float]] = mapped_column(Float)
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    accepted: Mapped[str] = mapped_column(Text, default="")  # the accepted text answers, one a line

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan")


@belongs_to_year_through(Question, "question_id", "question")
class Option(db.Model):
    __tablename__ = "quiz_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(String(500))
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="options")


@belongs_to_year_through(Quiz, "quiz_id", "quiz")
class Attempt(db.Model):
    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("quiz_id", "student_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deadline: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))  # started_at + limit
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    score: Mapped[Optional[float]] = mapped_column(Float)
    max_score: Mapped[Optional[float]] = mapped_column(Float)
    mark: Mapped[str] = mapped_column(String(5), default="")
    # Why the mark did not land in the grid (an absence, a closed period): the teacher sees it.
    mark_error: Mapped[str] = mapped_column(String(300), default="")

    quiz: Mapped[Quiz] = relationship()
    student = relationship("Student")
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", cascade="all, delete-orphan")


@belongs_to_year_through(Attempt, "attempt_id", "attempt")
class Answer(db.Model):
    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id"), index=True)
    value: Mapped[str] = mapped_column(String(500), default="")  # option ids "3,5", a number, a text
    points: Mapped[Optional[float]] = mapped_column(Float)  # set when the attempt is scored
    is_correct: Mapped[Optional[bool]] = mapped_column(Boolean)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
