"""
``rows_insert``: new rows in bulk for the import paths (``article_create_many``,
``comment_bulk_create``, the WordPress importer's records), as
``bulk_create`` writes them but without its per-value SQL compiler.

An import of 100,000 posts writes about 25 rows and 220 values per post;
``bulk_create`` spends some 30 µs of Python on each value (an expression
compiled per value, whatever the field), most of an import's time. Here each
value is prepared by its own field (``pre_save``, then ``get_db_prep_save``:
the same conversion, ``auto_now_add`` included) and each chunk of rows is one
plain ``INSERT … VALUES … RETURNING id``. Only new rows of plain models:
no ``pk`` given, no multi-table inheritance, no database defaults; anything
else goes to ``bulk_create``.
"""

from collections.abc import Sequence

from django.db import connections, router, transaction
from django.db.models import AutoField, Model


def _plain(model) -> bool:
    opts = model._meta
    return not opts.parents and not any(
        field.generated or field.has_db_default() for field in opts.concrete_fields
    )


# (model, database vendor) -> what rows_insert writes for it (``_shape``).
_shapes: dict[tuple, tuple | None] = {}


def _shape(model, connection) -> tuple | None:
    """The model's fields, its foreign keys, the statement's start and its
    ``RETURNING``, or None for a model that is not plain: worked out once per
    process (they follow from the code alone), not on every post's two rows."""
    key = (model, connection.vendor)
    if key not in _shapes:
        opts, quote = model._meta, connection.ops.quote_name
        fields = [f for f in opts.concrete_fields if not isinstance(f, AutoField)]
        columns = ", ".join(quote(field.column) for field in fields)
        _shapes[key] = (
            (
                fields,
                [f for f in fields if f.is_relation and f.many_to_one],
                f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ",
                connection.ops.return_insert_columns([opts.pk])[0],
            )
            if _plain(model)
            else None
        )
    return _shapes[key]


def rows_insert(
    model: type[Model], objs: Sequence[Model], *, keep_given: Sequence[str] = ()
) -> list[Model]:
    """Insert the unsaved ``objs`` of ``model``; each gets its id, as with
    ``bulk_create`` (which takes over for what this does not handle).
    ``keep_given``: fields (``auto_now_add`` dates) whose value is kept when
    the object has one, for rows that arrive with their history."""
    objs = list(objs)
    alias = router.db_for_write(model)
    connection = connections[alias]
    shape = _shape(model, connection)
    if (
        not objs
        or shape is None
        or not connection.features.can_return_rows_from_bulk_insert
        or any(obj.pk is not None for obj in objs)
    ):
        return _bulk_create(model, objs, keep_given)
    fields, relations, insert, returning = shape
    size = max(1, connection.ops.bulk_batch_size(fields, objs))
    with transaction.atomic(using=alias, savepoint=False):
        with connection.cursor() as cursor:
            for start in range(0, len(objs), size):
                chunk = objs[start : start + size]
                params = []
                for obj in chunk:
                    _link_parents(obj, relations)
                    params.extend(_prepared(obj, fields, connection, keep_given))
                row = "(" + ", ".join(["%s"] * len(fields)) + ")"
                cursor.execute(
                    f"{insert}{', '.join([row] * len(chunk))} {returning}", params
                )
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
                    obj._state.adding = False
                    obj._state.db = alias
    return objs


def _link_parents(obj, relations) -> None:
    """Foreign keys to parents saved since they were set take their ids; an
    unsaved parent is refused, as ``save()`` refuses it."""
    for field in relations:
        if getattr(obj, field.attname) is None and field.is_cached(obj):
            parent = getattr(obj, field.name)
            if parent is not None and parent.pk is None:
                raise ValueError(f"{type(obj).__name__}.{field.name} is not saved yet.")
            if parent is not None:
                setattr(obj, field.attname, parent.pk)


def _prepared(obj, fields, connection, keep_given=()) -> list:
    """``obj``'s values for ``fields``, as its fields prepare them for the
    database (``auto_now_add`` filled unless the value is kept)."""
    return [
        field.get_db_prep_save(
            getattr(obj, field.attname)
            if field.name in keep_given and getattr(obj, field.attname) is not None
            else field.pre_save(obj, True),
            connection,
        )
        for field in fields
    ]


def row_values(obj: Model, connection) -> list[tuple[str, object]]:
    """(quoted column, prepared value) of each column of a new row for the
    unsaved ``obj`` of a plain model, as ``rows_insert`` writes it: for a
    statement that writes it beside other rows (a ``WITH`` on PostgreSQL)."""
    model = type(obj)
    shape = _shape(model, connection)
    if shape is None or obj.pk is not None:
        raise ValueError(f"{model.__name__}: only new rows of plain models.")
    fields, relations, _insert, _returning = shape
    _link_parents(obj, relations)
    quote = connection.ops.quote_name
    values = _prepared(obj, fields, connection)
    return [(quote(f.column), v) for f, v in zip(fields, values, strict=True)]


def _bulk_create(model, objs, keep_given):
    """The fallback: ``bulk_create``, then the dates given put back."""
    given = [{name: getattr(obj, name) for name in keep_given} for obj in objs]
    model._default_manager.bulk_create(objs)
    kept = []
    for obj, values in zip(objs, given, strict=True):
        values = {name: value for name, value in values.items() if value is not None}
        if values:
            for name, value in values.items():
                setattr(obj, name, value)
            kept.append(obj)
    if kept:
        model._default_manager.bulk_update(kept, list(keep_given))
    return objs
