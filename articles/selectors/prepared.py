"""
A hot query compiled once per process and, on PostgreSQL, prepared once per
connection: the article page's (``articles.selectors.pages.public_article``).

Each public article page asked the same query with other values (the
address's slug, the time now). Django built and compiled it anew every time
(about 0.45 ms of a worker's CPU), and PostgreSQL planned its five subqueries
anew every time (about 0.6 ms of the server's, more than running it). Here
the queryset is compiled once, with placeholder values whose places in the
parameters are noted, and run with the request's own values in those places.

On PostgreSQL the text is also ``PREPARE``d on each connection the first time
it runs there, and ``EXECUTE``d after: the server plans it once per
connection. Only outside a transaction (autocommit, as a reader's request
runs): if the statement is gone (``DISCARD ALL`` or ``DEALLOCATE`` on the
connection, a pooler handing over another server connection) or its plan no
longer fits the tables (a migration), the error has aborted nothing, so it is
prepared again and run once more. Inside a transaction (tests, an editor's
request) the same text runs unprepared. A new connection (``CONN_MAX_AGE``,
a reconnect) is a new object here and prepares again. Preparing is set-up
of the connection, as Django's own ``SET`` statements are: sent on the
driver's cursor, it is not one of the page's queries.

A ``values_list()`` queryset gives plain rows (``values``): the list
pages' (``articles.selectors.listed``). ``paged`` appends ``LIMIT %s OFFSET
%s`` as parameters, so every page of a list is one statement, not one per
page number as Django's literal limits would make it.

``NEWSROOM_PREPARED_STATEMENTS`` (``DB_PREPARED_STATEMENTS``) turns
preparing off, for a pooler that gives a client another server connection
for each transaction (PgBouncer's transaction or statement pooling).
"""

import hashlib
import re
import weakref
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

# SQLSTATE of a statement the connection does not have (26000), and of a
# prepared plan whose result no longer fits the table (0A000).
GONE = {"26000", "0A000"}
_PLACEHOLDER = re.compile(r"%s|%%")


def enabled() -> bool:
    return getattr(settings, "NEWSROOM_PREPARED_STATEMENTS", True)


class CompiledQuery:
    """``queryset`` (given by ``build`` with ``placeholders``, a name each)
    compiled once; ``rows(**values)`` runs it with the request's values in
    their places and returns its model instances, as iterating the queryset
    would (columns left out with ``only()``, ``select_related`` objects and
    annotations included). ``prepare`` (a name, letters and underscores)
    prepares it on PostgreSQL. With ``paged``, ``rows`` and ``values`` also
    take ``limit`` and ``offset``."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        placeholders: dict[str, tuple[Any, Callable[[Any], Any]]],
        *,
        prepare: str = "",
        paged: bool = False,
    ):
        # placeholders: name -> (the value to compile with, turning a value
        # into its parameter as Django would); each value must be unique.
        queryset = build(**{name: value for name, (value, _) in placeholders.items()})
        self.model = queryset.model
        self.alias = queryset.db
        compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.places = {}
        for name, (value, adapt) in placeholders.items():
            found = [i for i, param in enumerate(self.params) if param == adapt(value)]
            if len(found) != 1:
                raise ValueError(f"{name!r} is {len(found)} parameters, not one.")
            self.places[name] = (found[0], adapt)
        if paged:  # the same syntax Django writes, with parameters
            self.sql += " LIMIT %s OFFSET %s"
            self.places["limit"] = (len(self.params), int)
            self.places["offset"] = (len(self.params) + 1, int)
            self.params += [None, None]
        self.paged = paged
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.fields = None  # a values_list() query: plain rows
        if queryset._iterable_class is ModelIterable:
            own = compiler.klass_info["select_fields"]  # the model's own columns
            self.fields = (own[0], own[-1] + 1)
            self.names = [
                column[0].target.attname
                for column in compiler.select[slice(*self.fields)]
            ]
            self.populators = get_related_populators(
                compiler.klass_info, compiler.select, self.alias
            )
        self.annotations = dict(compiler.annotation_col_map or {})
        self.statement = ""
        if prepare and connection.vendor == "postgresql":
            digest = hashlib.sha256(self.sql.encode()).hexdigest()[:12]
            self.statement = f"{prepare}_{digest}"
            numbers = iter(range(1, len(self.params) + 1))
            self.prepare_sql = f"PREPARE {self.statement} AS " + _PLACEHOLDER.sub(
                lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", self.sql
            )
            self.execute_sql = (
                f"EXECUTE {self.statement}({', '.join(['%s'] * len(self.params))})"
            )
        # The connections (psycopg2's own objects) that hold the statement.
        self.prepared_on = weakref.WeakSet()

    def rows(self, **values) -> list[Model]:
        """Model instances, for a query of them."""
        return [self._instance(row) for row in self._converted(self._run(values))]

    def values(self, **values) -> list:
        """The rows of a ``values_list()`` query, converted as Django would."""
        if self.fields is not None:
            raise TypeError("A query of model instances: use rows().")
        return self._converted(self._run(values))

    def _run(self, values: dict) -> list[tuple]:
        if self.paged and not {"limit", "offset"} <= values.keys():
            raise TypeError("A paged query needs its limit and offset.")
        params = list(self.params)
        for name, value in values.items():
            place, adapt = self.places[name]
            params[place] = adapt(value)
        with connection.cursor() as cursor:
            if self.statement and enabled() and not connection.in_atomic_block:
                return self._execute(cursor, params)
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def _execute(self, cursor, params) -> list[tuple]:
        if connection.connection not in self.prepared_on:
            self._prepare()
        try:
            cursor.execute(self.execute_sql, params)
        except DatabaseError as error:
            if getattr(error.__cause__, "pgcode", None) not in GONE:
                raise
            # Not in a transaction: nothing was aborted. Prepare it again.
            self._prepare(again=True)
            cursor.execute(self.execute_sql, params)
        return cursor.fetchall()

    def _prepare(self, *, again: bool = False) -> None:
        """Prepare the statement on this connection; ``again``: drop it
        first if the connection still has it (a plan that no longer fits).
        Like Django's own setting up of a connection, on the driver's cursor:
        not one of the page's queries (which the query budgets count)."""
        self.prepared_on.discard(connection.connection)
        with connection.wrap_database_errors, connection.connection.cursor() as raw:
            if again:
                raw.execute(
                    "SELECT 1 FROM pg_prepared_statements WHERE name = %s",
                    [self.statement],
                )
                if raw.fetchone():
                    raw.execute(f"DEALLOCATE {self.statement}")
            raw.execute(self.prepare_sql)
        self.prepared_on.add(connection.connection)

    def _converted(self, rows: list[tuple]):
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in self.converters.items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted

    def _instance(self, row) -> Model:
        """As Django's ``ModelIterable`` makes one."""
        start, end = self.fields
        instance = self.model.from_db(self.alias, self.names, row[start:end])
        for populator in self.populators:
            populator.populate(row, instance)
        for name, position in self.annotations.items():
            setattr(instance, name, row[position])
        return instance
