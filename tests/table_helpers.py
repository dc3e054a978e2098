"""CSV and XLSX files made and read by the import and export tests (API and web)."""
import csv
import io

from openpyxl import Workbook, load_workbook

# A client list with one good row and one error in each of four columns (rows 3-6).
CLIENT_ROWS_WITH_ERRORS = [["name", "country", "tax_id", "email"],
                           ["Alpha Sp. z o.o.", "PL", "7010847517", ""],
                           ["Beta GmbH", "XX", "", ""],
                           ["", "PL", "", ""],
                           ["Gamma", "PL", "", "not-an-address"],
                           ["Delta", "PL", "1234567890", ""]]


def csv_file(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_rows(response) -> list[dict]:
    """An exported CSV (UTF-8 with a BOM, for Excel) as dictionaries by column."""
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
