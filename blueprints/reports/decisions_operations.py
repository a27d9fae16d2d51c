"""Use cases of the year's end (REP-5, REP-6): enter the pedagogical council's decisions of a
class (with the subjects of each conditional promotion's debt) and record a retake of a debt.
Each writes its history (utils/audit.py) in the same transaction and only flushes; the view
commits. Rules are domain/year_end.py; a broken rule is a `Refusal`, whatever was flushed
before it is rolled back by the view (utils/refusals.undo)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import year_end as rules
from domain.messages import N_, Refusal
from extensions import db
from models import ClassGroup, User
from models.archive import CouncilDecision
from models.base import utcnow
from models.debts import AcademicDebt, DebtAttempt
from models.year_closing import closed_year_changes_allowed
from utils import audit


@dataclass
class Entry:
    """One student's line of the decisions form."""

    student_id: int
    decision: str  # "" when the user left it empty: nothing is saved for the student
    debt_subjects: list[int]
    note: str = ""


def _check_open_year(class_group: ClassGroup) -> None:
    if class_group.year.is_closed:
        raise Refusal(N_("Учебный год закрыт: решения педсовета и задолженности этого года только для чтения."),
                      status=409)


def _state(decision: CouncilDecision | None, debts: list[AcademicDebt]) -> dict | None:
    if decision is None:
        return None
    return {
        "decision": decision.decision, "protocol_number": decision.protocol_number,
        "protocol_date": decision.protocol_date.isoformat() if decision.protocol_date else None,
        "debt_subjects": sorted(d.subject_id for d in debts), "note": decision.note,
    }


def save_decisions(class_group: ClassGroup, user: User, *, protocol_number: str, protocol_date: date | None,
                   entries: list[Entry], year_marks: dict[int, dict[int, str]], allowed_subjects: set[int],
                   existing: dict[int, CouncilDecision], debts: dict[int, list[AcademicDebt]],
                   today: date, due_on: date | None = None) -> int:
    """Save the decisions the user submitted; return how many changed. `existing` and `debts`
    are the class's decisions and their debts by student, loaded by the view."""
    _check_open_year(class_group)
    chosen = [e for e in entries if e.decision]
    if not chosen:
        raise Refusal(N_("Не выбрано ни одного решения."))
    protocol_number = protocol_number.strip()[:40]
    rules.check_protocol(protocol_number, protocol_date, today)
    if due_on is not None and protocol_date is not None and due_on < protocol_date:
        raise Refusal(N_("Срок пересдачи не может быть раньше педсовета."))
    changed = 0
    for entry in chosen:
        subjects = sorted(set(entry.debt_subjects))
        if any(s not in allowed_subjects for s in subjects):
            raise Refusal(N_("Предмет задолженности не из учебного плана класса."))
        rules.check_decision(entry.decision, class_group.grade or 0, subjects)
        decision = existing.get(entry.student_id)
        own_debts = debts.get(entry.student_id, [])
        before = _state(decision, own_debts)
        if decision is None:
            decision = CouncilDecision(school_id=class_group.school_id, year_id=class_group.year_id,
                                       student_id=entry.student_id, class_id=class_group.id)
            db.session.add(decision)
        decision.decision = entry.decision
        decision.protocol_number = protocol_number
        decision.protocol_date = protocol_date
        decision.note = entry.note.strip()
        decision.decided_by_id = user.id
        db.session.flush()
        kept = []
        for debt in own_debts:
            if debt.subject_id in subjects:
                kept.append(debt)
            elif debt.attempts:
                raise Refusal(N_("По задолженности уже записана пересдача: её предмет нельзя убрать из решения."),
                              status=409)
            else:
                db.session.delete(debt)
        have = {d.subject_id for d in kept}
        marks = year_marks.get(entry.student_id, {})
        for subject_id in subjects:
            if subject_id not in have:
                kept.append(AcademicDebt(
                    school_id=class_group.school_id, year_id=class_group.year_id, student_id=entry.student_id,
                    subject_id=subject_id, decision_id=decision.id, original_mark=marks.get(subject_id, ""),
                    status=rules.OPEN, due_on=due_on))
                db.session.add(kept[-1])
            elif due_on is not None:
                next(d for d in kept if d.subject_id == subject_id).due_on = due_on
        after = _state(decision, kept)
        if after != before:
            decision.updated_at = utcnow() if before is not None else None
            audit.record("council_decision", decision.id, "create" if before is None else "update",
                         before=before, after=after | {"student_id": entry.student_id, "class_id": class_group.id},
                         school_id=class_group.school_id, user_id=user.id)
            changed += 1
    db.session.flush()
    return changed


def record_retake(debt: AcademicDebt, user: User, *, day: date | None, result: str, commission: list[str],
                  protocol_number: str, today: date, next_due: date | None = None) -> DebtAttempt:
    """Record a retake; a positive result clears the debt and, when it was the decision's last
    open debt, turns «переведён условно» into «переведён» with the retake's protocol in the history."""
    # A retake is the closed year's own follow-up (REP-5): its result and the decision it clears
    # are written even after the year was closed (models/year_closing.py names this exception).
    with closed_year_changes_allowed():
        return _record_retake(debt, user, day=day, result=result, commission=commission,
                              protocol_number=protocol_number, today=today, next_due=next_due)


def _record_retake(debt: AcademicDebt, user: User, *, day: date | None, result: str, commission: list[str],
                   protocol_number: str, today: date, next_due: date | None) -> DebtAttempt:
    done = [rules.Attempt(a.number, a.day, a.result) for a in debt.attempts]
    number = rules.check_attempt(done, day=day, result=result, commission=commission, today=today)
    protocol_number = protocol_number.strip()[:40]
    if not protocol_number:
        raise Refusal(N_("Укажите номер протокола пересдачи."))
    attempt = DebtAttempt(debt=debt, number=number, day=day, result=result,
                          commission=[m.strip()[:200] for m in commission if m.strip()],
                          protocol_number=protocol_number, recorded_by_id=user.id)
    db.session.add(attempt)
    before = {"status": debt.status}
    debt.status = rules.debt_state(done + [rules.Attempt(number, day, result)])
    if debt.status == rules.CLEARED:
        debt.cleared_on = day
        debt.due_on = None
    elif debt.status == rules.OPEN:
        debt.due_on = next_due
    else:
        debt.due_on = None
    db.session.flush()
    audit.record("academic_debt", debt.id, "retake", before=before,
                 after={"status": debt.status, "attempt": number, "date": day.isoformat(), "result": result,
                        "commission": attempt.commission, "protocol_number": protocol_number,
                        "original_mark": debt.original_mark, "subject_id": debt.subject_id},
                 school_id=debt.school_id, user_id=user.id)
    decision = debt.decision
    if debt.status == rules.CLEARED and decision.decision == rules.CONDITIONAL:
        others = db.session.scalars(db.select(AcademicDebt).where(
            AcademicDebt.decision_id == decision.id, AcademicDebt.id != debt.id)).all()
        if all(d.status == rules.CLEARED for d in others):
            old = decision.decision
            decision.decision = rules.PROMOTED
            decision.updated_at = utcnow()
            audit.record("council_decision", decision.id, "update",
                         before={"decision": old},
                         after={"decision": rules.PROMOTED, "reason": "debts_cleared",
                                "retake_protocol": protocol_number, "retake_date": day.isoformat(),
                                "student_id": decision.student_id},
                         reason=N_("Академическая задолженность ликвидирована"),
                         school_id=debt.school_id, user_id=user.id)
    db.session.flush()
    return attempt
