from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import policy
from blueprints.auth.access import roles_required
from blueprints.journal import bp
from extensions import db
from models import ClassGroup, TeachingAssignment


@bp.get("/")
@roles_required(*(policy.TEACHING_ROLES | policy.JOURNAL_READER_ROLES))
def index():
    """The journals a user may open: their own assignments, or all for the academic office."""
    query = (
        select(TeachingAssignment)
        .join(ClassGroup, ClassGroup.id == TeachingAssignment.class_id)
        .where(TeachingAssignment.school_id == current_user.school_id, TeachingAssignment.is_active.is_(True))
        .options(
            selectinload(TeachingAssignment.class_group),
            selectinload(TeachingAssignment.subject),
            selectinload(TeachingAssignment.subgroup),
            selectinload(TeachingAssignment.teacher),
        )
        .order_by(ClassGroup.grade, ClassGroup.name, TeachingAssignment.id)
    )
    if not policy.can_read_all_journals(current_user):
        query = query.where(TeachingAssignment.teacher_id == current_user.id)
    assignments = db.session.scalars(query).all()
    return render_template("journal/index.html", assignments=assignments)
