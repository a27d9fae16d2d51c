"""Access rules for retention and destruction acts (blueprints/archive/retention.py, ARC-2): the
director and the journal's administrator see the proposals, the acts and the packages; only the
director approves an act (which alone destroys) and puts a package under a legal hold."""

from __future__ import annotations

from tests.access import Rule

A = "/archive"
VIEWERS = frozenset({"admin", "director"})  # director, journal_admin
DIRECTOR = frozenset({"director"})


def _package(s):
    from extensions import db
    from models.archive import ArchivePackage

    if not hasattr(s, "_ret_package"):
        package = ArchivePackage(school_id=s.school.id, year_id=s.year.id, class_id=s.class_5a.id, kind="class_year",
                                 name="matrix-5A", destinations=[], retention_kind="journal",
                                 counted_from=s.year.end_date)
        db.session.add(package)
        db.session.commit()
        s._ret_package = package.id
    return s._ret_package


def _act(s, approved: bool = False):
    """A proposal with no records; approved with its printed act when asked."""
    from extensions import db
    from models.retention import DestructionAct

    key = "_ret_act_done" if approved else "_ret_act"
    if not hasattr(s, key):
        act = DestructionAct(school_id=s.school.id, status="proposed", records=[])
        db.session.add(act)
        db.session.flush()
        if approved:
            from flask import current_app

            from blueprints.archive import retention_operations as ops
            from tests.clock import TODAY

            with current_app.test_request_context():  # the act's PDF renders templates
                ops.approve(act, s.director, "M-1", TODAY, "Смирнова А. П., директор\nЧислова В., учитель\n"
                            "Администраторов А., администратор", True, TODAY)
        db.session.commit()
        setattr(s, key, act.id)
    return getattr(s, key)


RULES = [
    Rule("GET", f"{A}/destruction", VIEWERS, lambda s: f"{A}/destruction"),
    Rule("GET", f"{A}/destruction/<int:act_id>", VIEWERS, lambda s: f"{A}/destruction/{_act(s)}"),
    Rule("POST", f"{A}/destruction/<int:act_id>", DIRECTOR, lambda s: f"{A}/destruction/{_act(s)}", lambda s: {},
         note="without number, date, commission and confirmation: 400 for the director, nothing destroyed"),
    Rule("GET", f"{A}/destruction/<int:act_id>/pdf", VIEWERS, lambda s: f"{A}/destruction/{_act(s, approved=True)}/pdf"),
    Rule("POST", f"{A}/packages/<int:package_id>/hold", DIRECTOR, lambda s: f"{A}/packages/{_package(s)}/hold",
         lambda s: {"hold": "y"}, note="a hold without its ground: 400, nothing changed"),
]
