"""The summary sheet as an XLSX file for the district's reports (REP-1): the same `Sheet` as the
page and the PDF, with a title row, frozen header rows and name columns, numbers as numbers
(counts as integers, shares as per cent with one decimal)."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from blueprints.reports.summary_sheet_queries import Sheet

THIN = Side(style="thin", color="666666")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EEEEEE")
PERCENT = "0.0"


def count_columns(sheet: Sheet) -> list[tuple[str, str]]:
    """(key of Row.counts, header) of the per-student counts, in the sheet's order."""
    columns = [("5", "«5»"), ("4", "«4»"), ("3", "«3»"), ("2", "«2»")]
    if sheet.other_scales:
        columns += [("good", _("хор.")), ("satisfactory", _("удовл.")), ("failed", _("неуд."))]
    return columns + [("зач", "«зач»"), ("н/а", "«н/а»")]


def title(sheet: Sheet) -> str:
    if sheet.period_key == "year":
        return _("Сводная ведомость учёта успеваемости обучающихся %(c)s класса за %(y)s учебный год",
                 c=sheet.class_name, y=sheet.year_name)
    return _("Сводная ведомость учёта успеваемости обучающихся %(c)s класса за %(p)s %(y)s учебного года",
             c=sheet.class_name, p=sheet.title_period, y=sheet.year_name)


def workbook_bytes(sheet: Sheet) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet.class_name[:31] or "sheet"
    per_subject = len(sheet.mark_headers)
    counts = count_columns(sheet)
    last_column = 2 + per_subject * len(sheet.columns) + len(counts) + 2
    ws.cell(row=1, column=1, value=sheet.school_name).font = Font(bold=True)
    ws.cell(row=2, column=1, value=title(sheet)).font = Font(bold=True, size=12)
    ws.cell(row=3, column=1, value=_("%(a)s – %(b)s", a=sheet.start.strftime("%d.%m.%Y"), b=sheet.end.strftime("%d.%m.%Y")))
    head, sub = 5, 6
    ws.cell(row=head, column=1, value="№")
    ws.cell(row=head, column=2, value=_("Фамилия, имя, отчество"))
    ws.merge_cells(start_row=head, start_column=1, end_row=sub, end_column=1)
    ws.merge_cells(start_row=head, start_column=2, end_row=sub, end_column=2)
    col = 3
    for column in sheet.columns:
        ws.cell(row=head, column=col, value=column.name)
        if per_subject > 1:
            ws.merge_cells(start_row=head, start_column=col, end_row=head, end_column=col + per_subject - 1)
        for i, header in enumerate(sheet.mark_headers):
            ws.cell(row=sub, column=col + i, value=_(header))
        col += per_subject
    first_count = col
    for _key, header in counts:
        ws.cell(row=head, column=col, value=_("Количество"))
        ws.cell(row=sub, column=col, value=header)
        col += 1
    ws.merge_cells(start_row=head, start_column=first_count, end_row=head, end_column=col - 1)
    ws.cell(row=head, column=col, value=_("Пропущено уроков"))
    ws.merge_cells(start_row=head, start_column=col, end_row=head, end_column=col + 1)
    ws.cell(row=sub, column=col, value=_("всего"))
    ws.cell(row=sub, column=col + 1, value=_("по болезни"))
    r = sub + 1
    for row in sheet.rows:
        ws.cell(row=r, column=1, value=row.number)
        name = row.name + (_(" (выбыл(а) %(d)s)", d=row.left_on.strftime("%d.%m.%Y")) if row.left_on else "")
        ws.cell(row=r, column=2, value=name)
        col = 3
        for column in sheet.columns:
            for value in row.marks[column.subject_id]:
                ws.cell(row=r, column=col, value=int(value) if value.isdigit() else (value or None))
                col += 1
        for key, _header in counts:
            ws.cell(row=r, column=col, value=row.counts.get(key, 0))
            col += 1
        ws.cell(row=r, column=col, value=row.missed)
        ws.cell(row=r, column=col + 1, value=row.missed_ill)
        r += 1
    for label, attr in ((_("Успеваемость, %"), "performance"), (_("Качество, %"), "quality")):
        ws.cell(row=r, column=2, value=label).font = Font(bold=True)
        col = 3
        for column in sheet.columns:
            value = getattr(column.shares, attr)
            cell = ws.cell(row=r, column=col + per_subject - 1, value=float(value) if value is not None else None)
            cell.number_format = PERCENT
            col += per_subject
        overall = getattr(sheet.overall, attr)
        cell = ws.cell(row=r, column=first_count, value=float(overall) if overall is not None else None)
        cell.number_format = PERCENT
        ws.cell(row=r, column=first_count + 1, value=_("по классу"))
        r += 1
    for note in sheet.exempt_notes:
        ws.cell(row=r, column=2, value=_("Освобождён(а) («осв», не учитывается): %(n)s", n=note))
        r += 1
    for row_cells in ws.iter_rows(min_row=head, max_row=r - 1 - len(sheet.exempt_notes), max_col=last_column):
        for cell in row_cells:
            cell.border = BOX
            if cell.row in (head, sub):
                cell.font = Font(bold=True)
                cell.fill = HEAD_FILL
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif cell.column > 2:
                cell.alignment = Alignment(horizontal="center")
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 34
    for index in range(3, last_column + 1):
        ws.column_dimensions[get_column_letter(index)].width = 7
    ws.freeze_panes = ws.cell(row=sub + 1, column=3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = f"{head}:{sub}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
