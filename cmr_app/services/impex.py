"""Import and export (issue 13, item 7): the address book from and to CSV and XLSX, the
document list to CSV and XLSX with the list's filters.

Import reads the whole (at most 4 MB, 10,000-row) file, checks every row with the same
schema as the API's create endpoint, matches an existing entry by tax id, else by name
(case-insensitive), and saves the valid rows in one transaction (a dry run saves
nothing). Export streams: rows are read in keyset pages of plain columns (no ORM
objects pile up in the session) and written as they come; XLSX through openpyxl's
write-only workbook into a temporary file, then sent in chunks."""
from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock, inputs
from ..errors import ValidationFailed
from ..extensions import db
from ..models import Document, Product
from ..schemas import dump, parse
from . import accounts
from .addressbook import KINDS, PRODUCT_ADR, Kind
from .search import matching

MAX_ROWS = 10_000
PREVIEW_CHANGES = 500  # rows a preview lists one by one; the counts cover every row
MAX_XLSX_UNPACKED = 100 * 1024 * 1024  # a zip bomb is refused before openpyxl opens it
PAGE = 200  # rows per keyset page of an export
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PRODUCT_NUMBERS = ("packages", "gross_weight_kg", "volume_m3")
FORMATS = ("csv", "xlsx")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# Columns -----------------------------------------------------------------------------

PRODUCT_COLUMNS = {"name": "name", "nature": "nature", "marks": "marks", "packages": "packages",
                   "packing": "packing", "statistical_number": "statistical_number",
                   "gross_weight_kg": "gross_weight_kg", "volume_m3": "volume_m3",
                   **{f"adr.{key}": attribute for key, attribute in PRODUCT_ADR.items()}}


def columns(kind: Kind) -> dict[str, str]:
    """Column name (as in the API, dotted for nested) → the model's attribute."""
    if kind.model is Product:
        return PRODUCT_COLUMNS
    return {name: name for name in kind.schema.model_fields}


def check_format(value: str | None) -> str:
    value = (value or "csv").strip().lower()
    if value not in FORMATS:
        raise ValidationFailed({"format": [_("Choose csv or xlsx.")]}, _("Choose csv or xlsx."))
    return value


# Export --------------------------------------------------------------------------------

def escape_cell(value):
    """A text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _unescape(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r" else value


def _keyset(query, id_column, descending: bool = True):
    """Rows of `query` (plain columns, the id first) page by page: never all at once."""
    last = None
    while True:
        q = query
        if last is not None:
            q = q.where(id_column < last if descending else id_column > last)
        rows = db.session.execute(q.order_by(id_column.desc() if descending else id_column.asc())
                                  .limit(PAGE)).all()
        count, last = len(rows), rows[-1][0] if rows else None
        yield from rows
        del rows  # this page goes before the next is read
        if count < PAGE:
            return


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def entry_rows(kind: Kind, company_id: int, q: str = ""):
    """The header, then one list of values per entry matching the list's search `q`
    (the same words as the list and the API's `?q=`), oldest first."""
    cols = columns(kind)
    yield list(cols)
    attrs = [getattr(kind.model, a) for a in cols.values()]
    query = select(kind.model.id, *attrs).where(kind.model.company_id == company_id)
    for condition in matching(kind.model, q or ""):
        query = query.where(condition)
    for row in _keyset(query, kind.model.id, descending=False):
        yield [_number(v) for v in row[1:]]


DOCUMENT_COLUMNS = ("number", "status", "issued_on", "sender.name", "sender.city", "sender.country",
                    "consignee.name", "consignee.city", "consignee.country", "taking_over.city",
                    "taking_over.country", "taking_over.date", "place_of_delivery.city",
                    "place_of_delivery.country", "carrier.name", "carrier.vehicle_registration",
                    "goods", "packages", "gross_weight_kg", "version", "created_at", "cancelled_at",
                    "withdrawn_at")


def _sum(values) -> str | None:
    total, seen = Decimal(0), False
    for value in values:
        if value in (None, ""):
            continue
        try:
            total += Decimal(str(value))
            seen = True
        except InvalidOperation:
            continue
    return _number(total) if seen else None


def _document_row(row) -> list:
    _id, number, status, issued_on, data, version, created_at, cancelled_at, withdrawn_at = row
    data = data or {}

    def part(section, key):
        value = (data.get(section) or {}).get(key)
        return "" if value is None else value
    goods = [line for line in data.get("goods") or () if isinstance(line, dict)]
    return [number, status, issued_on.isoformat() if issued_on else "",
            part("sender", "name"), part("sender", "city"), part("sender", "country"),
            part("consignee", "name"), part("consignee", "city"), part("consignee", "country"),
            part("taking_over", "city"), part("taking_over", "country"), part("taking_over", "date"),
            part("place_of_delivery", "city"), part("place_of_delivery", "country"),
            part("carrier", "name"), part("carrier", "vehicle_registration"),
            "; ".join(str(line.get("nature") or "") for line in goods if line.get("nature")),
            _sum(line.get("packages") for line in goods), _sum(line.get("gross_weight_kg") for line in goods),
            version, created_at.isoformat() if created_at else "",
            cancelled_at.isoformat() if cancelled_at else "", withdrawn_at.isoformat() if withdrawn_at else ""]


def document_rows(company_id: int, **filters):
    """The header, then one row per document matching the list's filters, newest first.
    The filters are checked here, before the first byte is sent."""
    from .documents import filtered_documents
    query = filtered_documents(company_id, **filters).with_only_columns(
        Document.id, Document.number, Document.status, Document.issued_on, Document.data, Document.version,
        Document.created_at, Document.cancelled_at, Document.withdrawn_at)

    def rows():
        yield list(DOCUMENT_COLUMNS)
        for row in _keyset(query, Document.id):
            yield _document_row(row)
    return rows()


NUMERIC_COLUMNS = {"packages", "gross_weight_kg", "volume_m3", "version"}


def csv_stream(rows):
    """UTF-8 with a BOM (Excel then reads it as UTF-8), comma separated, a chunk per page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    for count, row in enumerate(rows, 1):
        writer.writerow(["" if v is None else escape_cell(v if isinstance(v, str) else str(v)) for v in row])
        if count % PAGE == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_stream(rows, title: str):
    """openpyxl's write-only workbook keeps its rows in a temporary file, not in memory;
    the finished file is sent in chunks and deleted."""
    from openpyxl import Workbook
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    header = None
    for row in rows:
        if header is None:
            header = row
            sheet.append(row)
            continue
        cells = []
        for name, value in zip(header, row):
            if value is None or value == "":
                cells.append(None)
            elif name in NUMERIC_COLUMNS:
                number = Decimal(str(value))
                cells.append(int(number) if number == number.to_integral_value() else float(number))
            else:
                cells.append(escape_cell(value if isinstance(value, str) else str(value)))
        sheet.append(cells)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def stream(rows, fmt: str, title: str):
    return csv_stream(rows) if fmt == "csv" else xlsx_stream(rows, title)


def filename(what: str, fmt: str) -> str:
    return f"{what}-{clock.now().date().isoformat()}.{fmt}"


# The example file offered beside the import form: the columns, one row that imports cleanly.
EXAMPLES = {
    "clients": {"name": "Meble Kowalski Sp. z o.o.", "address": "ul. Głogowska 12", "postal_code": "60-101",
                "city": "Poznań", "country": "PL", "tax_id": "7010847517", "email": "biuro@kowalski.example",
                "phone": "61 850 00 00"},
    "carriers": {"name": "Trans-Pol Sp.j.", "address": "ul. Słowackiego 3", "postal_code": "62-300",
                 "city": "Września", "country": "PL", "tax_id": "1234563218", "email": "biuro@transpol.example",
                 "phone": "61 436 00 00", "vehicle_registration": "PWR 12345 / PWR 6789A"},
    "products": {"name": "Farba akrylowa", "nature": "Paint", "marks": "FA-1", "packages": "4",
                 "packing": "drum", "statistical_number": "3208", "gross_weight_kg": "800",
                 "volume_m3": "1.2", "adr.un_number": "1263", "adr.proper_shipping_name": "PAINT",
                 "adr.class": "3", "adr.packing_group": "II", "adr.tunnel_code": "D/E",
                 "adr.environmentally_hazardous": "no"},
}


def example_rows(name: str) -> list[list[str]]:
    cols = list(columns(KINDS[name]))
    return [cols, [EXAMPLES[name].get(column, "") for column in cols]]


# Import: reading the file --------------------------------------------------------------

def _refuse(message: str):
    raise ValidationFailed({"file": [message]}, message)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _xlsx_rows(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                _refuse(_("The XLSX file unpacks to more than 100 MB."))
    except zipfile.BadZipFile:
        _refuse(_("The file is neither a CSV file nor an XLSX workbook."))
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        workbook.close()
    except ValidationFailed:
        raise
    except Exception:  # openpyxl's many ways of saying "not a workbook"
        _refuse(_("The file is neither a CSV file nor an XLSX workbook."))
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1250")  # what Polish Excel saves as "CSV"
        except UnicodeDecodeError:
            _refuse(_("The file is neither a CSV file nor an XLSX workbook."))
    if "\x00" in text:
        _refuse(_("The file is neither a CSV file nor an XLSX workbook."))
    return text


def _csv_rows(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)  # Polish Excel separates with ";"
    rows = []
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error:
        _refuse(_("The file is neither a CSV file nor an XLSX workbook."))
    return rows


def read_table(data: bytes) -> list[list[str]]:
    if not data:
        _refuse(_("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(_("Old Excel files (.xls) cannot be read: save the sheet as XLSX or CSV."))
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    if len(rows) > MAX_ROWS + 1:
        _refuse(_("The file has more than %(max)s rows; split it into smaller files.", max=f"{MAX_ROWS:,}"))
    return rows


# Import: the rows ---------------------------------------------------------------------

def _row_data(kind: Kind, header: list[str | None], values: list[str]) -> dict:
    inputs.accept_decimal_comma()
    data: dict = {}
    for name, value in zip(header, values):
        if name is None:
            continue
        value = _unescape(value.strip())
        if kind.model is Product and name in PRODUCT_NUMBERS:
            if value == "":
                value = None
            elif re.fullmatch(r"\d+,\d+", value):
                value = value.replace(",", ".")  # the Polish decimal comma
        head, _dot, tail = name.partition(".")
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[name] = value
    return data


def _canon(kind: Kind, values: dict) -> dict:
    """What is stored of an entry, comparable between to_dict() and a parsed row."""
    out = {}
    for column in columns(kind):
        head, _dot, tail = column.partition(".")
        value = (values.get(head) or {}).get(tail, "") if tail else values.get(head)
        if column in ("gross_weight_kg", "volume_m3") and value not in (None, ""):
            value = Decimal(str(value)).normalize()
        out[column] = value if value is not None else ""
    return out


def import_file(kind: Kind, user, data: bytes, *, dry_run: bool, details: bool = False) -> dict:
    """{created, updated, unchanged, errors: [{row, field, message}], dry_run, rows}; with
    `details` also `changes`: what each row would create or change (the first
    PREVIEW_CHANGES of them, `changes_more` counting the rest), for the web's preview."""
    accounts.require_editor(user)
    rows = read_table(data)
    if not rows:
        _refuse(_("The file is empty."))
    known = columns(kind)
    header = [(h or "").strip().lstrip("\ufeff").lower() for h in rows[0]]
    header = [h if h in known else None for h in header]
    if "name" not in header:
        _refuse(_("The first row must name the columns; “name” is required. Columns: %(columns)s.",
                  columns=", ".join(known)))

    index_tax, index_name, pending = _indexes(kind, user.company_id)
    result = {"created": 0, "updated": 0, "unchanged": 0, "errors": [], "dry_run": dry_run, "rows": 0}
    changes: list[dict] = []
    more = 0

    def note(change: dict) -> None:
        nonlocal more
        if len(changes) < PREVIEW_CHANGES:
            changes.append(change)
        else:
            more += 1
    for number, values in enumerate(rows[1:], 2):  # row numbers as the spreadsheet shows them
        if not any((v or "").strip() for v in values):
            continue
        result["rows"] += 1
        row = _row_data(kind, header, values)
        try:
            parsed = dump(parse(kind.schema, row))
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    result["errors"].append({"row": number, "field": field, "message": message})
            continue
        key = _match(parsed, index_tax, index_name, pending)
        if key is None:
            result["created"] += 1
            if details:
                note({"row": number, "action": "create", "name": parsed.get("name") or "",
                      "fields": [(column, "", _number(value)) for column, value in _canon(kind, parsed).items()
                                 if column != "name" and value not in ("", None)]})
            entry = {"obj": None, "base": parsed}
            if not dry_run:
                obj = kind.model(company_id=user.company_id)
                kind._apply(obj, dict(parsed))
                db.session.add(obj)
                entry["obj"] = obj
            pending.append(entry)
            _remember(parsed, len(pending) - 1, index_tax, index_name)
            continue
        entry = pending[key]
        if entry["base"] is None:
            entry["obj"] = db.session.get(kind.model, entry["id"])
            entry["base"] = {k: v for k, v in kind.to_dict(entry["obj"]).items() if k != "id"}
        merged = dump(parse(kind.schema, row, partial_base=entry["base"]))
        before, after = _canon(kind, entry["base"]), _canon(kind, merged)
        if after == before:
            result["unchanged"] += 1
            continue
        result["updated"] += 1
        if details:
            note({"row": number, "action": "update", "name": entry["base"].get("name") or "",
                  "fields": [(column, _number(before[column]), _number(after[column])) for column in after
                             if after[column] != before[column]]})
        entry["base"] = merged
        if not dry_run:
            kind._apply(entry["obj"], dict(merged))
        _remember(merged, key, index_tax, index_name)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if details:
        result["changes"], result["changes_more"] = changes, more
    return result


def _indexes(kind: Kind, company_id: int):
    """tax id → entry and folded name → entry, for the company's whole book (two short
    columns per entry); entries are loaded only when a row matches them."""
    index_tax: dict[str, int] = {}
    index_name: dict[str, int] = {}
    pending: list[dict] = []
    has_tax = hasattr(kind.model, "tax_id")
    cols = (kind.model.id, kind.model.name) + ((kind.model.tax_id,) if has_tax else ())
    for row in db.session.execute(select(*cols).where(kind.model.company_id == company_id)
                                  .order_by(kind.model.id)):
        pending.append({"id": row[0], "obj": None, "base": None, "tax_id": row[2] if has_tax else ""})
        position = len(pending) - 1
        if has_tax and row[2]:
            index_tax.setdefault(row[2], position)
        index_name.setdefault(row[1].casefold(), position)
    return index_tax, index_name, pending


def _match(values: dict, index_tax: dict, index_name: dict, pending: list[dict]):
    """By tax id; else by name, unless both carry different tax ids (another firm of
    the same name)."""
    tax_id = values.get("tax_id") or ""
    if tax_id and tax_id in index_tax:
        return index_tax[tax_id]
    position = index_name.get((values.get("name") or "").casefold())
    if position is not None and tax_id:
        entry = pending[position]
        theirs = (entry["base"] or {}).get("tax_id", "") if entry["base"] is not None else entry["tax_id"]
        if theirs and theirs != tax_id:
            return None
    return position


def _remember(values: dict, position: int, index_tax: dict, index_name: dict) -> None:
    if values.get("tax_id"):
        index_tax.setdefault(values["tax_id"], position)
    index_name.setdefault((values.get("name") or "").casefold(), position)


def kind_of(name: str) -> Kind:
    return KINDS[name]
