"""Electronic tests (JRN-10).

- The teacher of a journal builds a test tied to one of its lessons and a kind of work:
  questions of four kinds (single choice, multiple choice — right only with exactly the correct
  options —, a number with a tolerance, a short text with accepted variants, compared without
  case, ё/е and extra spaces), points per question, a time limit, a number of attempts and the
  points-to-mark scale (the least share of the points for 5, 4 and 3; else 2). Questions and
  settings are read-only once a student has started.
- The student sees no question before starting; each answer is saved as it changes (htmx,
  idempotent; static/js/quizzes.js re-sends answers that failed for lack of connection). The
  server keeps the deadline (started_at + limit): a later answer is refused (409); an attempt
  past its deadline is scored on the next visit or by «Завершить тест», from the answers saved
  in time. The student sees the score and which questions were right, never the right answers.
- Which attempt counts — the best (the earlier on a tie) or the last finished — is the teacher's
  choice per test; its mark goes into the lesson's column through
  blueprints.journal.operations.set_work_mark (via="test"). If the cell refuses (an absence,
  a closed period) the attempt keeps its score and the reason, shown on the results page.
"""
from flask import Blueprint

bp = Blueprint("quizzes", __name__, url_prefix="/tests")

from domain.quizzes import format_points  # noqa: E402

bp.add_app_template_filter(format_points, "points")  # «4», «2,5»

from blueprints.quizzes import views  # noqa: E402,F401
