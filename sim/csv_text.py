"""The CSV text of a chunk of table rows, built a column at a time with numpy.

The bytes are those of formatting each row in Python: a float with three decimals (`{:.3f}`: correctly
rounded, halves to even, `-0.000` for a small negative), an integer as it is, any other value as `{}` writes it,
and a name with a comma, double quote or line break in double quotes with its own quotes doubled (RFC 4180). A
NaN float (a time not reached) and, in an `exam_id` column, -1 (no exam) are empty fields. A column may also be
`Coded`: codes into a tuple of names, -1 for an empty field.

Formatting a year's tables value by value took seconds, most of them turning floats into text. Here each
column's cells are laid right-aligned in a slot of fixed width, padded with a byte that UTF-8 text never
contains (digits worked out with integer arithmetic, names looked up once per distinct value); the rows are
the slots side by side with the padding taken out. A float whose thousandths lie within rounding error of a
half (or that is infinite or huge) is formatted by Python itself, so no value is rounded differently.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

COMMA, NEWLINE, MINUS, POINT, ZERO = (ord(c) for c in ",\n-.0")
PAD = 0xFF  # never a byte of UTF-8 text
EXACT_BELOW = 2.0 ** 52  # thousandths past this are whole numbers only approximately: left to Python


class Coded(NamedTuple):
    """A column of names as codes into `names` (-1: an empty field), as the tables keep them: each name's text is
    worked out once, not once per row."""

    codes: np.ndarray
    names: Sequence[str]


def csv_rows(chunk: dict) -> bytes:
    """The chunk's rows (numpy arrays or `Coded` columns of equal length) as UTF-8 CSV text, no header."""
    slots = [_slots(name, column) for name, column in chunk.items()]
    if not slots:
        return b""
    text = np.empty((len(slots[0]), sum(s.shape[1] + 1 for s in slots)), np.uint8)
    at = 0
    for s in slots:
        text[:, at:at + s.shape[1]] = s
        at += s.shape[1]
        text[:, at] = COMMA
        at += 1
    text[:, -1] = NEWLINE
    return text[text != PAD].tobytes()


def _slots(name: str, column) -> np.ndarray:
    """Each cell's bytes right-aligned in its row, padded on the left."""
    if isinstance(column, Coded):
        return _name_slots(tuple(column.names))[column.codes]  # code -1: the empty last row
    column = np.asarray(column)
    if column.dtype.kind == "f":
        return _float_slots(column.astype(np.float64))
    if column.dtype.kind in "iu":
        values = column.astype(np.int64)
        return _integer_slots(values, values < 0 if name == "exam_id" else np.zeros(len(values), bool))
    return _named_slots(column.tolist())


def _digits(whole: np.ndarray, suffix: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Decimal digits of non-negative integers right-aligned in slots with room on the left for a sign and
    `suffix` columns free on the right, and how many digits each has."""
    count = np.ones(len(whole), np.int64)
    largest, power, width = (int(whole.max()) if len(whole) else 0), 10, 1
    while power <= largest:
        count += whole >= power
        power *= 10
        width += 1
    slots = np.empty((len(whole), width + 1 + suffix), np.uint8)
    rest = whole.copy()
    for k in range(width, 0, -1):
        rest, digit = np.divmod(rest, 10)
        slots[:, k] = digit.astype(np.uint8) + ZERO
    slots[:, :width + 1][np.arange(width + 1) < (width + 1 - count)[:, None]] = PAD  # no leading zeros
    return slots, count


def _put_sign(slots: np.ndarray, count: np.ndarray, negative: np.ndarray, suffix: int) -> None:
    """A minus just before the digits of the negative cells."""
    rows = np.flatnonzero(negative)
    slots[rows, slots.shape[1] - suffix - count[rows] - 1] = MINUS


def _integer_slots(values: np.ndarray, blank: np.ndarray) -> np.ndarray:
    slots, count = _digits(np.where(blank, 0, np.abs(values)))
    _put_sign(slots, count, (values < 0) & ~blank, 0)
    slots[blank] = PAD
    return slots


def _float_slots(values: np.ndarray) -> np.ndarray:
    blank = np.isnan(values)
    # Rounding the product is rounding the exact value unless the product is within its own rounding error
    # of a half (or not a plain number at all): Python formats those few.
    with np.errstate(invalid="ignore", over="ignore"):
        thousandths = np.abs(values) * 1000.0
        off_half = np.abs(thousandths - np.floor(thousandths) - 0.5)
        by_python = ~blank & ~((thousandths < EXACT_BELOW) & (off_half > 2 * np.spacing(thousandths)))
    units, fraction = np.divmod(np.where(blank | by_python, 0.0, np.rint(thousandths)).astype(np.int64), 1000)
    slots, count = _digits(units, suffix=4)
    slots[:, -4] = POINT
    for k, scale in ((-3, 100), (-2, 10), (-1, 1)):
        slots[:, k] = (fraction // scale % 10).astype(np.uint8) + ZERO
    _put_sign(slots, count, np.signbit(values) & ~blank & ~by_python, 4)
    slots[blank] = PAD
    rows = np.flatnonzero(by_python)
    if len(rows):
        slots = _overwrite(slots, rows, ["{:.3f}".format(v).encode() for v in values[rows].tolist()])
    return slots


def _overwrite(slots: np.ndarray, rows: np.ndarray, texts: list[bytes]) -> np.ndarray:
    """These rows' cells replaced by the given bytes (the slots widened where one does not fit)."""
    widest = max(len(t) for t in texts)
    if widest > slots.shape[1]:
        slots = np.concatenate([np.full((len(slots), widest - slots.shape[1]), PAD, np.uint8), slots], axis=1)
    for row, t in zip(rows.tolist(), texts):
        slots[row] = PAD
        slots[row, slots.shape[1] - len(t):] = np.frombuffer(t, np.uint8)
    return slots


def _named_slots(values: list) -> np.ndarray:
    """Names and other values: each distinct one turned into text once, then looked up."""
    try:
        distinct = list(dict.fromkeys(values))
    except TypeError:  # unhashable values: each is its own
        distinct, codes = values, np.arange(len(values))
    else:
        index = {value: code for code, value in enumerate(distinct)}
        codes = np.fromiter(map(index.__getitem__, values), np.int64, len(values))
    return _slots_of(distinct)[codes]


@lru_cache(maxsize=32)
def _name_slots(names: tuple) -> np.ndarray:
    """The slots of a table's names (kept: each chunk of a long table names the same staff, scanners and times)."""
    return _slots_of(names)


def _slots_of(values) -> np.ndarray:
    """Each value's field right-aligned in a row of its own, and an empty last row (for code -1)."""
    texts = [_field(value).encode("utf-8") for value in values] + [b""]
    width = max(len(t) for t in texts)
    slots = np.full((len(texts), width), PAD, np.uint8)
    for k, t in enumerate(texts):
        slots[k, width - len(t):] = np.frombuffer(t, np.uint8)
    return slots


def _field(value) -> str:
    """A value's CSV field: as `{}` writes it, quoted where it is text holding a comma, quote or line break."""
    if isinstance(value, str) and any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return "{}".format(value)
