"""Check-ins as CSV files: strict reading with messages that name the line, and safe writing.

The import page (preview, then an all-or-nothing write) and the batch CLI both read through
`load_checkins_csv`, so a file is rejected for the same reasons, in the same words, everywhere.
Every problem of a file is reported at once, so a coach can fix them in one pass.
No Streamlit in here.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from logic.checkins import CheckinValidationError, ParsedCheckins, Problem, parse_checkins
from logic.knowledge import CheckinSchema, KnowledgeBase, knowledge_base

# A megabyte as the browser's file uploader counts it (Streamlit's server allows 1024 * 1024,
# and so does its uploader on Windows): the stricter count, so every door agrees.
MB = 1000 * 1000
UTF8_BOM = b"\xef\xbb\xbf"
# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Guarded on writing: a risky cell, and (so reading back is exact) a cell of quotes before one.
_RISKY = r"'*[=+\-@\t\r]"
_NEUTRALISED = r"'+[=+\-@\t\r]"  # what a guarded cell looks like; reading drops one quote
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")  # one physical line, like newline=""

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes] | IO[str]


class CsvError(ValueError):
    """A CSV file that cannot be imported; `problems` holds one human-readable line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the CSV file:\n- " + "\n- ".join(self.problems)
        )


@dataclass(frozen=True, eq=False)
class CsvCheckins:
    """A CSV file that passed every check.

    `raw` holds the cells as read (strings, missing where the cell was empty), in the file's
    column order: the import page previews it. `parsed` is what scoring and storage take;
    `frame` is the canonical, typed check-in table to write.
    """

    raw: pd.DataFrame
    parsed: ParsedCheckins

    @property
    def columns(self) -> list[str]:
        """The file's columns, in the file's order."""
        return [str(c) for c in self.raw.columns]

    @property
    def frame(self) -> pd.DataFrame:
        return self.parsed.frame


def load_checkins_csv(
    source: Source,
    *,
    max_bytes: int | None = None,
    kb: KnowledgeBase | None = None,
    extra_columns: Literal["error", "allow"] = "error",
) -> CsvCheckins:
    """Read and validate a CSV of check-ins; raise CsvError listing every problem.

    `source` is the file's bytes, a path, a file object (a Streamlit upload; read from its
    start), or the CSV text itself as `str` (a `str` is never taken as a path: pass a `Path`).
    The first non-blank line must be the header. Empty cells are missing values; blank lines
    are skipped; every row must have as many cells as the header. `extra_columns="allow"`
    accepts columns outside the schema (e.g. a scored file read back). Nothing is returned
    unless the whole file is valid, so a caller can preview `.frame` and then write all of it.
    """
    kb = kb or knowledge_base()
    schema = kb.checkin
    data = read_capped(source, max_bytes)
    text = _decode(data)
    if not text or text.isspace():
        raise CsvError(
            [f"the file is empty; expected a header line with the columns {_names(schema)}"]
        )
    header, header_line = _header(text)
    names = [_unneutralise_name(h.strip()) for h in header]
    _check_header(names, header_line, schema, extra_columns)

    invalid_rows: list[int | None] = []

    def skip_invalid(row: Any) -> str:
        invalid_rows.append(row.number)  # the line is worked out below, from the text
        return "skip"

    frame: pd.DataFrame | None = None
    arrow_error: str | None = None
    try:
        # pyarrow, not pandas' C parser: it reports a row with more or fewer cells than the
        # header instead of silently dropping or padding cells, and it is the faster of the two.
        table = pacsv.read_csv(
            pa.BufferReader(data),  # pyarrow skips a UTF-8 BOM itself
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=skip_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header},
                null_values=[""],  # only an empty cell is missing: "NA" may be a runner
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        arrow_error = str(exc)
    else:
        if table.column_names == header:
            frame = table.to_pandas().astype("str")
            frame.columns = pd.Index(names)
            frame = _unneutralise(frame)
        else:  # cannot happen when both parsers agree on the header; never guess
            arrow_error = "the header could not be read consistently"

    if frame is not None and not invalid_rows:
        if len(frame) == 0:
            raise CsvError([_no_checkins(header_line)])
        try:
            parsed = parse_checkins(frame, kb=kb, extra_columns=extra_columns)
        except CheckinValidationError as exc:
            raise CsvError(_located(text, header_line, len(header), frame, exc.problems)) from None
        return CsvCheckins(raw=frame, parsed=parsed)

    # Something is wrong with the rows: find every problem, with its line, before giving up.
    if frame is None:
        layout = _scan(text, len(header))
        problems = layout.ragged_messages()
        if not problems:
            problems = (
                [f"the file could not be read as CSV: {arrow_error}"]
                if layout.data_lines
                else [_no_checkins(header_line)]
            )
        raise CsvError(problems)
    cell_problems: list[Problem] = []
    if len(frame):
        try:
            parse_checkins(frame, kb=kb, extra_columns=extra_columns)
        except CheckinValidationError as exc:
            cell_problems = exc.problems
    raise CsvError(_located(text, header_line, len(header), frame, cell_problems, invalid_rows))


def read_checkins_csv(
    source: Source,
    *,
    max_bytes: int | None = None,
    kb: KnowledgeBase | None = None,
) -> pd.DataFrame:
    """The canonical check-in table of a CSV file (see load_checkins_csv); raises CsvError."""
    return load_checkins_csv(source, max_bytes=max_bytes, kb=kb).frame


def checkins_to_csv(frame: pd.DataFrame, *, kb: KnowledgeBase | None = None) -> str:
    """Check-ins as CSV text that a spreadsheet can open safely.

    Check-in columns come first in schema order, then any other columns (scores) in the
    frame's order. Dates are written YYYY-MM-DD, missing values as empty cells, set columns as
    the ";"-strings they hold, booleans as true/false. Every text cell (and header) that starts
    with = + - @ tab or CR gets a leading ' so a spreadsheet shows it instead of running it as
    a formula (OWASP); load_checkins_csv removes that ' again, so a file round-trips. Numbers
    are left alone. Built column-wise with pyarrow compute: pandas' to_csv is ~10x slower.
    """
    kb = kb or knowledge_base()
    columns = kb.checkin.columns
    order = [c for c in columns if c in frame.columns]
    order += [c for c in frame.columns if c not in columns]
    header = [_quote_cell(_neutralise_name(str(name))) for name in order]
    cells: list[pa.Array | pa.ChunkedArray] = []
    for name in order:
        s = frame[name]
        spec = columns.get(str(name))
        if spec is not None and spec.type == "date" and _is_datetime(s):
            s = _iso_dates(s)
        elif spec is not None and spec.type == "set" and s.dtype == object:
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind not in ("string", "empty"):
                raise TypeError(
                    f"column {name!r} must hold ;-strings, not {kind} values "
                    "(logic.checkins.checkin_frame joins lists)"
                )
        text = _arrow_text(s)
        lone = len(order) == 1
        if not _is_number(s):
            cells.append(_quoted(_neutralise(text), lone=lone))
        else:  # digits, '.', 'e', '-', 'inf', 'true', 'false': never quoted, never guarded
            cells.append(_quoted(text, lone=True) if lone else text)
    lines = ",".join(header) + "\n"
    if not cells or len(frame) == 0:
        return lines
    rows = pc.binary_join_element_wise(*cells, _text(","))
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    one_list = pa.LargeListArray.from_arrays(pa.array([0, len(rows)], pa.int64()), rows)
    return lines + pc.binary_join(one_list, _text("\n"))[0].as_py() + "\n"


# --- reading: bytes and text ---------------------------------------------------------------


def _too_big(size: int | None, limit: int) -> str:
    what = f"the file is {size_text(size, limit)}" if size is not None else "the file is too large"
    return f"{what}; the limit is {size_text(limit)}"


def read_capped(
    source: Source, max_bytes: int | None, too_big: Callable[[int | None, int], str] = _too_big
) -> bytes:
    """The file's bytes; a file over `max_bytes` is refused without reading all of it.

    `too_big(size, limit)` words the refusal (size None: a stream that does not say its size,
    read only up to the limit); the default is the CLI's wording. Raises CsvError.
    """
    size: int | None = None
    if isinstance(source, str):
        try:
            data = source.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CsvError([f"the text is not valid Unicode at character {exc.start}"]) from None
        size = len(data)
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        size = len(data)
    elif isinstance(source, os.PathLike):
        try:
            size = os.stat(source).st_size
            if max_bytes is not None and size > max_bytes:
                raise CsvError([too_big(size, max_bytes)])
            with open(source, "rb") as fh:
                data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
        except OSError as exc:
            raise CsvError([f"cannot read the file: {exc.strerror or exc}"]) from None
    else:
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)  # a Streamlit upload is read again on every rerun
        size = getattr(source, "size", None)  # Streamlit's UploadedFile knows its size
        raw = source.read() if max_bytes is None else source.read(max_bytes + 1)
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)  # text mode: str
    if max_bytes is not None and len(data) > max_bytes:
        known = size if isinstance(size, int) and size > max_bytes else None
        raise CsvError([too_big(known, max_bytes)])
    return data


def size_text(n: int, limit: int | None = None) -> str:
    """A file size for a message; in bytes where MB would read the same as the limit."""
    text = f"{n / MB:,.1f} MB" if n >= MB // 10 else f"{n:,} bytes"
    if limit is not None and n > limit and text == size_text(limit):  # not "5.0 MB > 5.0 MB"
        text = f"{n:,} bytes"
    return text


def _decode(data: bytes) -> str:
    """The text of a UTF-8 file (BOM dropped); names the line and byte of a bad byte."""
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        text = str(memoryview(data)[start:], "utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        hint = ""
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = " (this file is UTF-16)"
        raise CsvError(
            [
                f"line {_line_at(data[:offset])} (byte offset {offset}): byte "
                f"0x{data[offset]:02X} is not valid UTF-8{hint}; the file must be saved as "
                "UTF-8 (in Excel: Save As 'CSV UTF-8')"
            ]
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise CsvError(
            [
                f"line {_line_at(text[:nul])}: the file contains NUL characters (is it saved "
                "as UTF-16?); the file must be saved as UTF-8 text"
            ]
        )
    return text


def _line_at(before: bytes | str) -> int:
    """1-based line of the position just after `before` (CRLF, CR and LF end a line)."""
    if isinstance(before, bytes):
        return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


# csv's default 131,072-character cell limit would stop the exact line pass at a huge cell,
# and the error would lose its line. Sizes are bounded by the upload limit instead.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


def line_reader(text: str) -> Any:
    """csv.reader over physical lines (split only at CR/LF), so line_num counts real lines.

    (str.splitlines would also split at form feeds and Unicode separators inside a cell.)
    """
    return csv.reader(m.group() for m in _LINE.finditer(text))


class Record(NamedTuple):
    """One non-blank CSV record: the lines it starts and ends on (1-based) and its cells."""

    line: int
    end: int
    cells: list[str]


class UnreadableRecord(CsvError):
    """The csv module gave up at the record starting on `line` (e.g. a cell without end)."""

    def __init__(self, line: int, exc: csv.Error):
        self.line = line
        super().__init__(
            [
                f"line {line}: the file cannot be read from here on ({exc}); "
                "is a closing quote missing?"
            ]
        )


def records(text: str) -> Iterator[Record]:
    """Every non-blank record of `text` with the lines it spans, header first.

    Python's csv module, exact about lines (blank lines and quoted cells over several lines
    count) but not fast: used for headers and on error paths. Raises UnreadableRecord where the
    csv module stops.
    """
    reader = line_reader(text)
    before = 0
    try:
        for cells in reader:
            end = reader.line_num
            if cells:
                yield Record(before + 1, end, cells)
            before = end
    except csv.Error as exc:
        raise UnreadableRecord(before + 1, exc) from None


def _header(text: str) -> tuple[list[str], int]:
    """The first non-blank record and the line it starts on."""
    for record in records(text):
        return record.cells, record.line
    raise AssertionError("unreachable: the text is not blank")  # pragma: no cover


def _names(schema: CheckinSchema) -> str:
    return ", ".join(schema.columns)


def _check_header(
    names: list[str],
    line: int,
    schema: CheckinSchema,
    extra_columns: Literal["error", "allow"],
) -> None:
    where = f"line {line} (header)"
    allowed = _names(schema)
    if any("\n" in n or "\r" in n for n in names):
        raise CsvError(
            [
                f"{where}: a quoted column name runs on over the next lines; "
                "is a closing quote missing?"
            ]
        )
    if len(names) == 1 and any(sep in names[0] for sep in (";", "\t")):
        sep = "';'" if ";" in names[0] else "tabs"
        raise CsvError(
            [
                f"{where}: found a single column {names[0][:60]!r}; cells must be separated by "
                f"commas, this file seems to use {sep}. Expected the columns {allowed}"
            ]
        )
    problems: list[str] = []
    for i, name in enumerate(names, start=1):
        if not name:
            problems.append(f"{where}: column {i} has no name; allowed: {allowed}")
    counts = Counter(n for n in names if n)
    for name, k in counts.items():
        if k > 1:
            at = ", ".join(str(i) for i, n in enumerate(names, start=1) if n == name)
            problems.append(
                f"{where}, column {_column_name(name)}: appears {k} times (columns {at}); "
                "allowed: each column once"
            )
    if extra_columns == "error":
        for name in counts:
            if name not in schema.columns:
                close = difflib.get_close_matches(name[:100].lower(), list(schema.columns), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    f"{where}, column {_column_name(name)}: not a check-in column{hint}; "
                    f"allowed: {allowed}"
                )
    for name in schema.required_columns:
        if name not in counts:
            spec = schema.columns[name]
            problems.append(
                f"{where}, column {name!r}: missing; this column is required: {spec.allowed()}"
            )
    if problems:
        raise CsvError(problems)


def _column_name(name: str) -> str:
    """A column name for a message: quoted, and cut at 60 characters (a header may be a
    megabyte long)."""
    return repr(name if len(name) <= 60 else name[:60] + "…")


def _no_checkins(header_line: int) -> str:
    return (
        f"line {header_line} (header): no check-ins in the file; "
        "expected one check-in per line after the header"
    )


def _unneutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo checkins_to_csv's formula guard ("'=x" -> "=x"), so exported files round-trip."""
    out = frame
    for name in frame.columns:
        s = frame[name]
        if not s.str.startswith("'", na=False).any():  # cheap test first: rarely true
            continue
        hit = s.str.match(_NEUTRALISED, na=False)
        if hit.any():
            out = out.copy(deep=False) if out is frame else out
            out[name] = s.mask(hit, s.str.slice(1))
    return out


# --- reading: where each record starts --------------------------------------------------------


@dataclass
class _Layout:
    """Where the records of a file start, from Python's csv module (exact, but slow)."""

    width: int
    data_lines: list[int]  # first line of each non-blank data record, in file order
    cells: list[int]  # its number of cells
    spans: list[int]  # its last line
    complete: bool  # False when the scan stopped early
    broken: tuple[int, str] | None = None  # the csv module gave up here (e.g. an endless cell)

    def good_lines(self) -> list[int]:
        return [ln for ln, c in zip(self.data_lines, self.cells, strict=True) if c == self.width]

    def ragged(self) -> list[tuple[int, str]]:
        out = []
        for ln, c, end in zip(self.data_lines, self.cells, self.spans, strict=True):
            if c == self.width:
                continue
            more = "more" if c > self.width else "fewer"
            msg = f"line {ln}: {c} cell(s), {more} than the {self.width} columns of the header"
            if end > ln:
                msg += (
                    f" (a quoted cell runs from line {ln} to line {end}: is a closing quote "
                    "missing?)"
                )
            elif c > self.width:
                msg += " (a comma inside a cell needs the cell in double quotes)"
            out.append((ln, msg))
        if self.broken is not None:
            out.append(self.broken)
        return out

    def ragged_messages(self) -> list[str]:
        return [m for _, m in self.ragged()]


def _scan(text: str, width: int, stop_after_good: int | None = None) -> _Layout:
    """Record layout; with stop_after_good, stops once that many full records are seen."""
    layout = _Layout(width, [], [], [], True)
    good = 0
    try:
        for i, (line, end, cells) in enumerate(records(text)):
            if i == 0:  # the header
                continue
            layout.data_lines.append(line)
            layout.cells.append(len(cells))
            layout.spans.append(end)
            good += len(cells) == width
            if stop_after_good is not None and good >= stop_after_good:
                layout.complete = False
                break
    except UnreadableRecord as exc:  # strict=False leaves one: a cell over field_size_limit()
        layout.broken = (exc.line, exc.problems[0])
    return layout


def _located(
    text: str,
    header_line: int,
    width: int,
    frame: pd.DataFrame,
    problems: list[Problem],
    invalid_rows: list[int | None] | None = None,
) -> list[str]:
    """Messages for bad cells and for rows of the wrong width, each naming its file line.

    Row i of the frame is the i-th record with as many cells as the header; its line is where
    that record starts, counting blank lines and the lines inside quoted multi-line cells (so
    it is not simply i + 2). The fast parser does not report lines, so a second, exact pass
    with the csv module finds them; it runs only on this error path, and when every row has
    the right width it stops after the last bad row.
    """
    rows = [p.row for p in problems if p.row is not None]
    if not invalid_rows and not rows:
        layout = _Layout(width, [], [], [], complete=True)
    else:
        stop = None if invalid_rows else max(rows) + 1
        layout = _scan(text, width, stop)
    good = layout.good_lines()
    ragged = layout.ragged()
    if invalid_rows:
        agrees = bool(ragged) and len(good) == len(frame)
    else:
        agrees = not ragged and (len(good) == len(frame) if layout.complete else True)
    located: list[tuple[int, str]] = []
    for p in problems:
        if p.row is None:
            line, where = header_line, f"line {header_line} (header), column {p.column!r}"
        elif agrees:
            line, where = good[p.row], f"line {good[p.row]}, column {p.column!r}"
        else:  # the two parsers disagree about the records: name the check-in, not a line
            line, where = header_line + 1 + p.row, f"check-in {p.row + 1}, column {p.column!r}"
        got = got_cell(p.value)
        if isinstance(p.value, str) and ("\n" in p.value or "\r" in p.value):
            got += " (a cell over several lines: is a closing quote missing?)"
        located.append((line, f"{where}: {got}; allowed: {p.allowed}"))
    if invalid_rows and ragged:
        located.extend(ragged)
    elif invalid_rows:
        known = sorted(n for n in invalid_rows if n is not None)
        which = f" (rows {', '.join(map(str, known[:20]))})" if known else ""
        located.append(
            (
                header_line,
                f"{len(invalid_rows)} row(s){which} do not have the {width} cells of the header",
            )
        )
    located.sort(key=lambda item: item[0])  # stable: the cells of a line keep column order
    return [m for _, m in located]


def got_cell(value: Any) -> str:
    """'got <cell>' for a problem message: empty said as such, long cells cut at 60."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "got an empty cell"
    text = str(value)
    if len(text) > 60:
        text = text[:60] + "…"
    return f"got {text!r}"


# --- writing ---------------------------------------------------------------------------------


def _is_datetime(s: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return True
    return s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("date", "datetime")


def _is_number(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype)


def _iso_dates(s: pd.Series) -> pd.Series:
    """YYYY-MM-DD strings (missing stays missing) for datetime-like values."""
    return pd.Series(pd.to_datetime(s).dt.strftime("%Y-%m-%d"), index=s.index, dtype="str")


def _arrow_text(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A column as large_string cells, missing as "".

    Numbers, booleans and categories are formatted once per distinct value and spread by
    index: scores and distances hold few distinct values, and formatting is the slow part.
    """
    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # an object column of mixed Python values
        arr = pa.array(s.astype("str"), from_pandas=True)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        text = pc.cast(arr, pa.large_string())
    else:
        if not pa.types.is_dictionary(arr.type):
            arr = pc.dictionary_encode(arr)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        text = pc.take(pc.cast(arr.dictionary, pa.large_string()), arr.indices)
    return pc.fill_null(text, _text(""))


def _neutralise(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Prefix ' to cells a spreadsheet would run as formulas; vectorised, one column at a time.

    Cells that already are quotes followed by such a character get one more quote, so that
    reading (which drops one quote) gives back exactly what was written.
    """
    risky = pc.match_substring_regex(text, "^" + _RISKY)
    if not pc.any(risky).as_py():
        return text
    guarded = pc.binary_join_element_wise(_text("'"), text, _text(""))
    return pc.if_else(risky, guarded, text)


def _text(value: str) -> pa.Scalar:
    """A large_string scalar: pyarrow kernels want every argument of one string type."""
    return pa.scalar(value, pa.large_string())


def _quoted(text: pa.Array | pa.ChunkedArray, *, lone: bool) -> pa.Array | pa.ChunkedArray:
    """CSV cells by csv.QUOTE_MINIMAL rules: quoted when holding , " CR or LF.

    A lone column also quotes empty cells, as the csv module does, or the row would be a
    blank line.
    """
    needs = pc.match_substring_regex(text, r'[",\r\n]')
    if lone:
        needs = pc.or_(needs, pc.equal(text, _text("")))
    if not pc.any(needs).as_py():
        return text
    quote = _text('"')
    quoted = pc.binary_join_element_wise(
        quote, pc.replace_substring(text, '"', '""'), quote, _text("")
    )
    return pc.if_else(needs, quoted, text)


def _quote_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if re.search(r'[",\r\n]', text) else text


def _neutralise_name(name: str) -> str:
    return "'" + name if re.match(_RISKY, name) else name


def _unneutralise_name(name: str) -> str:
    return name[1:] if re.match(_NEUTRALISED, name) else name
