"""Cells to values: text, dates and money as spreadsheets and CRMs write them.

Dates and amounts are decided per column, over all of its distinct values at once: whether a
column is day-first or month-first, and whether "1.234" means a thousand or one point two, is a
property of the export, not of one cell. A column whose every date reads both ways is asked about
(:class:`AmbiguousDatesError`), never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from winback_desktop.files import restore
from winback_desktop.importers.errors import AmbiguousDatesError

DMY, MDY = "dmy", "mdy"
DATE_ORDERS = (DMY, MDY)
ORDER_WORDS = {DMY: "day-first", MDY: "month-first"}
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_VALUE_CHARS = 64  # no date or amount is longer; longer cells are refused before any regex
MAX_CENTS = 10**14  # Numeric(14, 2): twelve digits before the point

# ---------------------------------------------------------------------------------------- text


# Characters that show nothing, so that "ACME" and "AC\u200bME" would look like one customer
# and be two: the zero-width space, the word joiner, a byte-order mark inside the text, the soft
# hyphen, the Mongolian vowel separator and the invisible operators. Ids also lose the joiners
# and the marks that steer right-to-left text; names keep a joiner between two letters of a
# script that needs it (Persian, the Indic scripts), since it changes how the name is written.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e\u2061-\u2064]")
_JOINER = re.compile("[\u200c\u200d]")
_INVISIBLE_IN_IDS = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069\u061c]"
)
# What a cell needs cleaning for (any of them anywhere in a column sends it the slow way).
NEEDS_CLEANING = re.compile(
    "['\r\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069\u061c]"
)


def _joined_letters(m: re.Match[str]) -> str:
    """Keep a joiner between two letters (or marks) of a script beyond Latin; drop it elsewhere."""
    text, i = m.string, m.start()
    before, after = text[i - 1 : i], text[i + 1 : i + 2]
    for ch in (before, after):
        if not ch or ord(ch) < 0x250 or unicodedata.category(ch)[0] not in "LM":
            return ""
    return m.group()


def clean_text(cell: str) -> str:
    """A text cell as stored: invisible characters dropped (see _INVISIBLE), surrounding
    whitespace stripped, line ends as ``\\n``.

    The apostrophes our own (and other careful) exports put before a formula character, at the
    cell's start or after a separator inside it, so that spreadsheets show text, are dropped
    (:func:`files.restore`), giving back what was written. Formula-looking text is otherwise
    kept literally; exports neutralize it again.
    """
    s = cell
    if not s.isascii():
        s = _JOINER.sub(_joined_letters, _INVISIBLE.sub("", s))
    s = s.strip()
    if "'" in s:
        s = restore(s).strip()
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    return s


def clean_id(cell: str) -> str:
    """An id (a customer id, an order id) as stored and matched: :func:`clean_text`, without any
    invisible character, and in Unicode's composed form (NFC), so that an "é" typed as "e" plus
    an accent is the same id as one typed as "é"."""
    s = clean_text(_INVISIBLE_IN_IDS.sub("", cell)) if not cell.isascii() else clean_text(cell)
    return s if s.isascii() else unicodedata.normalize("NFC", s)


def id_key(stored: str) -> str:
    """The key a stored id is matched under (ids stored before invisibles were dropped match too)."""
    return stored if stored.isascii() else clean_id(stored)


_SCIENTIFIC = re.compile(r"[+-]?\d(?:[.,]\d+)?[eE]\+?\d{1,3}\Z")


def excel_number_problem(value: str) -> str | None:
    """A problem when ``value`` looks like an id or phone number Excel turned into 4.91701E+11."""
    if _SCIENTIFIC.match(value):
        return (
            "looks like a number Excel shortened to scientific notation; format the column as "
            "text in the spreadsheet and export again"
        )
    return None


# --------------------------------------------------------------------------------------- dates

_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?"
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:T|\s+)" + _TIME + r")?\Z")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})\Z")
_PARTS = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\.?(?:,?\s+" + _TIME + r")?\Z")
_DAY_MONTH = re.compile(r"(\d{1,2})\.?[\s-]*([A-Za-z]{3,9})\.?[\s,-]*(\d{4}|\d{2})\Z")
_MONTH_DAY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\Z")
MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
NOT_A_DATE = "not a date (use e.g. 2024-01-31, 31/01/2024 or 01/31/2024)"


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:  # as strptime's %y: 69-99 are 1900s, 00-68 are 2000s
        y += 1900 if y >= 69 else 2000
    return y


def _make(y: int, m: int, d: int) -> dt.date | str:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return f"the year {y} is out of range ({MIN_YEAR}-{MAX_YEAR})"
    try:
        return dt.date(y, m, d)
    except ValueError:
        return f"no such date ({y:04d}-{m:02d}-{d:02d} does not exist)" if 1 <= m <= 12 else NOT_A_DATE


def read_date(text: str) -> dt.date | str | tuple[int, int, int]:
    """A date; a problem (str); or ``(first, second, year)`` when the day/month order decides."""
    s = text.strip()
    if len(s) > MAX_VALUE_CHARS:
        return NOT_A_DATE
    if m := _ISO.match(s):
        return _make(int(m[1]), int(m[3]), int(m[4]))
    if m := _COMPACT.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _PARTS.match(s):
        a, b, y = int(m[1]), int(m[3]), _year(m[4])
        if a == b:  # 05/05/2024 reads the same both ways
            return _make(y, a, b)
        if a > 12 or b > 12:  # only one order can be meant; the column must agree with it
            made = _make(y, b, a) if a > 12 else _make(y, a, b)
            if isinstance(made, str):
                return NOT_A_DATE if a > 12 and b > 12 or a == 0 or b == 0 else made
        elif a == 0 or b == 0:
            return NOT_A_DATE
        return (a, b, y)
    if (m := _DAY_MONTH.match(s)) and m[2].lower() in MONTHS:
        return _make(_year(m[3]), MONTHS[m[2].lower()], int(m[1]))
    if (m := _MONTH_DAY.match(s)) and m[1].lower() in MONTHS:
        return _make(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    return NOT_A_DATE


def _evidence(a: int, b: int, _y: int) -> str | None:
    """The order a value shows: a part over 12 is the day."""
    if a > 12:
        return DMY
    if b > 12:
        return MDY
    return None


def parse_dates(
    first_lines: Mapping[str, int], *, date_order: str | None, field: str, column: str
) -> tuple[dict[str, dt.date], dict[str, str]]:
    """Read each distinct value of a date column (``value -> first line``, in file order).

    Returns ``(dates, problems)``: every value lands in exactly one. The day/month order is the
    caller's ``date_order``, else what the column shows (a first part over 12 is a day, a second
    part over 12 is a day); a column showing both gets a problem on each value that contradicts
    the first evidence; a column that never shows raises AmbiguousDatesError.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {DATE_ORDERS}, not {date_order!r}")
    dates: dict[str, dt.date] = {}
    problems: dict[str, str] = {}
    pending: dict[str, tuple[int, int, int]] = {}
    first_seen: dict[str, tuple[str, int]] = {}  # order -> (value, line) where the column showed it
    for value, line in first_lines.items():
        reading = read_date(value)
        if isinstance(reading, dt.date):
            dates[value] = reading
        elif isinstance(reading, str):
            problems[value] = reading
        else:
            pending[value] = reading
            shown = _evidence(*reading)
            if shown and shown not in first_seen:
                first_seen[shown] = (value, line)
    if not pending:
        return dates, problems
    order = date_order
    if order is None:
        if not first_seen:
            examples = sorted(pending, key=first_lines.__getitem__)[:5]
            raise AmbiguousDatesError(field, column, examples, problems)
        order = min(first_seen, key=lambda o: first_seen[o][1])
    other = MDY if order == DMY else DMY
    for value, (a, b, y) in pending.items():
        day, month = (a, b) if order == DMY else (b, a)
        if month > 12:
            if date_order is not None:
                problems[value] = (
                    f"a {ORDER_WORDS[other]} date, but the dates were said to be {ORDER_WORDS[order]}"
                )
            else:
                seen, seen_line = first_seen[order]
                problems[value] = (
                    f"a {ORDER_WORDS[other]} date, but line {seen_line} ({seen}) is "
                    f"{ORDER_WORDS[order]}: the column mixes both orders"
                )
            continue
        made = _make(y, month, day)
        if isinstance(made, str):
            problems[value] = made
        else:
            dates[value] = made
    return dates, problems


# ------------------------------------------------------------------------------------- amounts

_PLAIN = re.compile(r"(-?)(\d{1,12})(?:\.(\d{1,2}))?\Z")  # the fast path: 1234.5, -12.50
_SIMPLE = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?\Z")
_SIMPLE_LINES = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?(?:\n-?\d{1,12}(?:\.\d{1,2})?)*")
_CURRENCY = re.compile(
    r"\A(?:[€$£¥₹₽₩₺]|EUR|USD|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|PLN|CZK|HUF|INR|ZAR|Fr\.|kr\.?|zł|Kč)"
    r"|(?:[€$£¥₹₽₩₺]|EUR|USD|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|PLN|CZK|HUF|INR|ZAR|Fr\.|kr\.?|zł|Kč)\Z",
    re.IGNORECASE,
)
_MINUS = "-−–"  # hyphen-minus, the minus sign, and the en dash some exports use
_GROUPING_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'’")
_NUMBER = re.compile(r"[\d.,]+\Z")  # and at least one digit (checked apart: no backtracking)
_DIGIT = re.compile(r"\d")
NOT_AN_AMOUNT = "not an amount (use e.g. 1234.56, 1,234.56 or 1.234,56)"
# A number in scientific notation, as programs write float noise (1.776357e-15, -2.1e-14) and
# big values (4.5E+3): read as the number it is, rounded to cents.
_EXPONENT = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)[eE]([+-]?\d{1,3})\Z")


def _scientific(s: str) -> int | str | None:
    """The cents of a number in scientific notation (None when ``s`` is not one)."""
    m = _EXPONENT.match(s)
    if m is None:
        return None
    value = Decimal(f"{m[2]}e{m[3]}")
    if value >= Decimal(MAX_CENTS) / 100:
        return "too large for an amount"
    cents = int(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    return -cents if m[1] == "-" and cents else cents


def _cents(negative: bool, whole: str, fraction: str) -> int | str:
    if len(fraction) <= 2:
        cents = int(whole or "0") * 100 + int(fraction.ljust(2, "0"))
    else:  # more than cents: round half up, as accounting does
        q = Decimal(f"{whole or '0'}.{fraction}").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        cents = int(q * 100)
    if cents >= MAX_CENTS:
        return "too large for an amount"
    return -cents if negative else cents


def _grouped(digits: str, sep: str) -> str | None:
    """``digits`` without its thousands separators, or None when they are not in threes."""
    groups = digits.split(sep)
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)


def read_amount(text: str) -> tuple[int, str | None] | tuple[str, int, int] | str:
    """``(cents, decimal mark shown or None)``; a problem (str); or ``(mark, cents if it groups
    thousands, cents if it is the decimal mark)`` for a lone ``1,234`` / ``1.234``."""
    s = text.strip()
    if not s:
        return "is empty"
    if len(s) > MAX_VALUE_CHARS:
        return NOT_AN_AMOUNT
    if m := _PLAIN.match(s):
        cents = _cents(m[1] == "-", m[2], m[3] or "")
        return (cents, "." if m[3] else None) if isinstance(cents, int) else cents
    if (exponent := _scientific(s)) is not None:
        return (exponent, None) if isinstance(exponent, int) else exponent
    if s[:1] == "'":
        s = s[1:].strip()
    negative = False
    if s[:1] == "(" and s[-1:] == ")":  # accounting style
        negative, s = True, s[1:-1].strip()
    for _ in range(4):  # signs and currency, in either order, at either end
        before = s
        if not s:
            break
        if s[:1] in _MINUS or s[-1:] in _MINUS and len(s) > 1:  # "12.50-" as SAP writes credits
            if negative:
                return NOT_AN_AMOUNT
            negative = True
            s = s[1:] if s[:1] in _MINUS else s[:-1]
        elif s[:1] == "+":
            s = s[1:]
        s = _CURRENCY.sub("", s).strip()
        if s == before:
            break
    s = s.translate(_GROUPING_SPACES)
    if not _NUMBER.match(s) or not _DIGIT.search(s):
        return NOT_AN_AMOUNT
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        mark = "." if s.rfind(".") > s.rfind(",") else ","
        grouping = "," if mark == "." else "."
        before, _, fraction = s.rpartition(mark)
        whole = _grouped(before, grouping) if before else before
        if whole is None or mark in whole:
            return NOT_AN_AMOUNT
        cents = _cents(negative, whole, fraction)
        return (cents, mark) if isinstance(cents, int) else cents
    if dots > 1 or commas > 1:
        grouping = "." if dots else ","
        digits = _grouped(s, grouping)
        if digits is None:
            return NOT_AN_AMOUNT
        cents = _cents(negative, digits, "")
        return (cents, "," if grouping == "." else ".") if isinstance(cents, int) else cents
    if dots or commas:
        mark = "." if dots else ","
        whole, _, fraction = s.partition(mark)
        as_decimal = _cents(negative, whole, fraction)
        if isinstance(as_decimal, str):
            return as_decimal
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole != "0":
            as_grouped = _cents(negative, whole + fraction, "")
            if isinstance(as_grouped, str):
                return as_grouped
            return (mark, as_grouped, as_decimal)
        return (as_decimal, mark)
    cents = _cents(negative, s, "")
    return (cents, None) if isinstance(cents, int) else cents


def parse_amounts(values: Iterable[str], *, allow_negative: bool) -> tuple[dict[str, int], dict[str, str]]:
    """Read each distinct value of an amount column to cents: ``(amounts, problems)``.

    A lone separator before exactly three digits (``1,234``) is the decimal mark when the rest of
    the column uses that mark as one (``12,50``), otherwise it groups thousands.
    """
    amounts: dict[str, int] = {}
    problems: dict[str, str] = {}
    pending: dict[str, tuple[str, int, int]] = {}
    marks = {".": 0, ",": 0}
    values = list(values)
    # The common case, a whole column of plain numbers (1234.56, -12.5, 80), checked with one
    # regex over all of them and converted with built-ins. Exact: twelve digits and two decimals
    # are well within a double's precision, so rounding the scaled double gives the cents.
    joined = "\n".join(values)
    if values and joined.count("\n") == len(values) - 1 and _SIMPLE_LINES.fullmatch(joined):
        amounts = dict(zip(values, [round(x * 100) for x in map(float, values)], strict=True))
        marks["."] += "." in joined
        values = []
    plain = _SIMPLE.match
    dot = False
    for value in values:
        if plain(value) is not None:  # the same, one by one in a column with other forms too
            amounts[value] = round(float(value) * 100)
            if not dot and "." in value:
                dot = True
            continue
        reading = read_amount(value)
        if isinstance(reading, str):
            problems[value] = reading
        elif len(reading) == 3:
            pending[value] = reading
        else:
            cents, mark = reading
            if mark:
                marks[mark] += 1
            amounts[value] = cents
    marks["."] += dot
    for value, (mark, as_grouped, as_decimal) in pending.items():
        other = "," if mark == "." else "."
        if marks[mark] and marks[other]:
            problems[value] = (
                f"unclear: is {mark!r} a thousands separator or the decimal mark? The column "
                "uses both . and , as the decimal mark"
            )
        else:
            amounts[value] = as_decimal if marks[mark] else as_grouped
    if not allow_negative:
        for value in [v for v, c in amounts.items() if c < 0]:
            del amounts[value]
            problems[value] = "must not be negative"
    return amounts, problems


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
