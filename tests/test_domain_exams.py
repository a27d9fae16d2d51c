"""The rules of state exam results (JRN-11, 001:2.8.3), without a database."""
import pytest

from domain import exams
from domain.messages import Refusal


@pytest.mark.parametrize(
    ("year", "exam", "final"),
    [("4", "5", "5"), ("3", "4", "4"), ("5", "3", "4"), ("4", "4", "4"), ("2", "3", "3"), ("5", "2", "4")],
)
def test_final_mark_is_the_mean_of_year_and_exam_rounded_by_the_rules_of_mathematics(year, exam, final):
    assert exams.final_mark(year, exam) == final
    assert exams.final_mark(year, exam, "average_round_half_up") == final


def test_a_half_goes_to_the_exam_mark_when_the_school_lets_the_exam_decide():
    assert exams.final_mark("4", "5", "average_exam_decides") == "5"
    assert exams.final_mark("5", "4", "average_exam_decides") == "4"
    assert exams.final_mark("3", "5", "average_exam_decides") == "4"


def test_exam_only_rule_takes_the_exam_mark():
    assert exams.final_mark("5", "3", "exam_only") == "3"


def test_subject_without_exam_keeps_its_year_mark_and_unknown_rule_is_the_default():
    assert exams.final_mark("4", None) == "4"
    assert exams.final_mark("н/а", "4") is None
    assert exams.final_mark(None, "4") is None
    assert exams.final_mark("3", "4", "nonsense") == "4"


def test_grade_nine_sits_oge_or_gve_and_grade_eleven_ege_or_gve():
    assert exams.read_kind("ОГЭ", 9) == "oge"
    assert exams.read_kind("ГВЭ", 9) == "gve9"
    assert exams.read_kind("ГВЭ", 11) == "gve11"
    assert exams.read_kind("егэ", 11) == "ege"
    with pytest.raises(Refusal):
        exams.read_kind("ЕГЭ", 9)
    with pytest.raises(Refusal):
        exams.read_kind("ОГЭ", 5)


def test_scores_are_whole_numbers_up_to_a_hundred_and_marks_two_to_five():
    assert exams.read_score(" 31 ", "Первичный балл") == 31
    assert exams.read_score("", "Первичный балл") is None
    for bad in ("101", "-1", "3,5", "abc"):
        with pytest.raises(Refusal):
            exams.read_score(bad, "Тестовый балл")
    assert exams.read_mark("5") == "5"
    with pytest.raises(Refusal):
        exams.read_mark("6")


def test_ege_needs_a_test_score_and_no_mark_while_oge_needs_a_mark():
    exams.check_result("ege", 20, 70, None)
    exams.check_result("oge", 20, None, "4")
    with pytest.raises(Refusal):
        exams.check_result("ege", 20, None, None)
    with pytest.raises(Refusal):
        exams.check_result("ege", 20, 70, "5")
    with pytest.raises(Refusal):
        exams.check_result("gve9", None, None, None)


def test_ege_is_passed_from_the_subjects_minimum():
    assert exams.ege_minimum("Русский язык") == 24
    assert exams.ege_passed(24, 24) is True
    assert exams.ege_passed(23, 24) is False
    assert exams.ege_passed(50, None) is None
