"""Access rules for checking certified printouts (REP-4): staff only; the kept PDF of a
journal page goes to the teacher who printed it and to the academic office."""
from tests.access import OFFICE, STAFF, Rule


def _code(s) -> str:
    """A journal page of maths in 5А printed by its teacher, made once per school."""
    if getattr(s, "printout_code", None) is None:
        from domain.printout_codes import grouped
        from extensions import db
        from utils.printouts import Signer, certificate, record_printout

        cert = certificate(s.school, kind="journal_page", title="Классный журнал: Математика, 5А",
                           period="2 четверть", signers=[Signer("Учитель", "Числова В.")],
                           of={"assignment_id": s.maths_5a.id, "class_id": s.class_5a.id})
        record_printout(b"%PDF-1.4\n% access matrix\n", cert, s.maths_teacher)
        db.session.commit()
        s.printout_code = grouped(cert.code)
    return s.printout_code


RULES = [
    Rule("GET", "/verify", STAFF, lambda s: "/verify"),
    Rule("GET", "/verify/<code>", STAFF, lambda s: f"/verify/{_code(s)}"),
    Rule("POST", "/verify/<code>", STAFF, lambda s: f"/verify/{_code(s)}", note="compares an uploaded PDF"),
    Rule("GET", "/verify/<code>/pdf", frozenset({"maths_teacher"}) | OFFICE, lambda s: f"/verify/{_code(s)}/pdf",
         note="the teacher who printed it and those who read every journal"),
]
