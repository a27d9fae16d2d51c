from flask import render_template
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from blueprints.auth.access import roles_required
from blueprints.diary import bp
from extensions import db
from models import ParentLink, Student


@bp.get("/")
@roles_required("student", "parent")
def index():
    """The children whose diary this user may read: themselves, or their own children."""
    children = db.session.scalars(
        select(Student)
        .outerjoin(ParentLink, ParentLink.student_id == Student.id)
        .where(or_(Student.user_id == current_user.id, ParentLink.parent_id == current_user.id))
        .options(selectinload(Student.current_class))
        .order_by(Student.last_name, Student.first_name)
        .distinct()
    ).all()
    return render_template("diary/index.html", children=children)
