"""What makes SQLite and PostgreSQL answer the same: the order of text and of NULLs, and text
that only one of them would store.

**Text order.** SQLite compares text byte by byte (``BINARY``: UTF-8 bytes sort as code points);
PostgreSQL by the database's locale (``en_US.UTF-8`` puts "acme" beside "Acme", ignores
punctuation, ...), so one roster sorted by company read differently on a team server.
:func:`text_order` asks PostgreSQL for the ``"C"`` collation, which is code-point order: the same
as SQLite. :func:`folded_order` is the case-insensitive form for names people read in a list: both
fold ASCII letters only (SQLite's ``lower`` does; PostgreSQL's ``lower`` under ``"C"`` does too), so
"émile" sorts after "Zed" on both rather than on one only.

**NULL order.** SQLite puts NULL first when ascending, PostgreSQL last. Every ORDER BY over a
nullable column says where NULL goes (``.nulls_first()`` / ``.nulls_last()``, or a
``col.is_(None)`` key before it). A list a person sorts by clicking a header (the roster) puts
the rows without a value last in both directions, as a spreadsheet does: :func:`sort_key`.
SQLite 3.30+ still walks the column's index for either place.

**Text PostgreSQL refuses.** A NUL character (``\\x00``, from a pasted binary or a damaged CSV)
is stored by SQLite and refused by PostgreSQL ("A string literal cannot contain NUL (0x00)
characters"), which would turn a note into a failed save on a server only. It never means
anything a person typed, so it is dropped, on both databases, in two places:

* at the service boundary, :func:`without_nul` on the arguments of every writing service (the
  ``reports`` decorator in ``services/changes.py`` that each of them wears): the service's own
  checks then see the text as it will be stored ("\\x00 " is no reason to let a customer go, a
  name of NULs is no name, a note is trimmed after the NUL is gone);
* at the cursor, :func:`strip_nul_parameters` on every text parameter of every statement: the
  guarantee, whatever the path (Core inserts, raw ``text()`` SQL, a search word in a WHERE, a
  column or a service added later). One ``in`` test per text value (about 30 ns).

An import file holding a NUL byte is refused before either, naming its line (importers/scan.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, SQLColumnExpression, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import String

NUL = "\x00"


class text_order(GenericFunction[str]):  # noqa: N801 - reads as a function in a query
    """``expr`` compared in code-point order on both databases (ORDER BY, DISTINCT lists)."""

    type = String()
    inherit_cache = True


class folded_order(GenericFunction[str]):  # noqa: N801
    """``expr`` with ASCII letters lowered, in code-point order: case-insensitive, same on both."""

    type = String()
    inherit_cache = True


@compiles(text_order)
def _text_order(element: text_order, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(text_order, "postgresql")
def _text_order_pg(element: text_order, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)} COLLATE "C")'


@compiles(folded_order)
def _folded_order(element: folded_order, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded_order, "postgresql")
def _folded_order_pg(element: folded_order, compiler: Any, **kw: Any) -> str:
    return f'lower({compiler.process(element.clauses, **kw)} COLLATE "C")'


def sort_key(key: SQLColumnExpression[Any], descending: bool) -> UnaryExpression[Any]:
    """``key`` ascending or descending, text in code-point order, rows without a value last.
    A column declared NOT NULL gets no NULLS clause (PostgreSQL's index serves it as is)."""
    nullable = bool(getattr(getattr(key, "expression", key), "nullable", True))
    expr: ColumnElement[Any] = key.__clause_element__()  # type: ignore[attr-defined]  # its column
    if isinstance(expr.type, String):
        expr = text_order(expr)
    ordered = expr.desc() if descending else expr.asc()
    return ordered.nulls_last() if nullable else ordered


def without_nul(value: Any) -> Any:
    """``value`` with NUL characters dropped from its text, in lists, tuples, sets and dicts too
    (other objects pass as they are)."""
    if type(value) is str:
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(without_nul(v) for v in value)
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    return value


def _clean(value: Any) -> Any:
    return value.replace(NUL, "") if type(value) is str and NUL in value else value


def _clean_set(params: Any) -> Any:
    if isinstance(params, dict):
        if any(type(v) is str and NUL in v for v in params.values()):
            return {k: _clean(v) for k, v in params.items()}
        return params
    if isinstance(params, (list, tuple)):
        if any(type(v) is str and NUL in v for v in params):
            return type(params)(_clean(v) for v in params)
        return params
    return params


def strip_nul_parameters(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    """before_cursor_execute: every text parameter without NUL characters (see the module)."""
    if executemany and isinstance(parameters, (list, tuple)):
        parameters = type(parameters)(_clean_set(p) for p in parameters)
    else:
        parameters = _clean_set(parameters)
    return statement, parameters


def install(engine: Engine) -> None:
    """Hook :func:`strip_nul_parameters` into ``engine`` (both dialects)."""
    event.listen(engine, "before_cursor_execute", strip_nul_parameters, retval=True)
