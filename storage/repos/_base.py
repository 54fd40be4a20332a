"""What every repository shares: the session, dialect-specific INSERT and region scoping.

Repositories talk to a :class:`DbSession`: the small async surface of SQLAlchemy's
``AsyncSession`` they use (``execute``, ``scalar``, ``scalars``, ``flush``, and ``get`` / ``add`` /
``delete`` for ORM objects). Three sessions provide it:

- ``AsyncSession`` itself, in :meth:`storage.db.Database.unit_of_work`;
- :class:`SyncCoreSession`, for :meth:`storage.db.Database.run` on SQLite (in the event
  loop's thread or on the database thread): synchronous SQLAlchemy Core on one connection,
  whose awaits never suspend;
- :class:`AsyncCoreSession`, for :meth:`storage.db.Database.run` on PostgreSQL: Core on an
  ``AsyncConnection``.

Both Core sessions are one implementation (``_CoreSession``: which statement goes where, the
ORM session beside it, the results); the two subclasses only say how to run a statement on
their kind of connection and whether to await what the ORM returns.

The Core sessions skip the ORM layer (about half of the cost of a statement through an
``AsyncSession``) for everything the ORM would run exactly as Core does: column selects, DML,
text. Statements whose meaning differs under the ORM (a select of mapped entities, a bulk
statement with a list of parameter sets, loader options) go to an ORM session bound to the same
connection and transaction, so results are the same whichever session runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    ClauseElement,
    ColumnElement,
    Delete,
    FromClause,
    Insert,
    Select,
    Update,
    bindparam,
    insert,
    or_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Result, ScalarResult
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.exc import DBAPIError, InvalidRequestError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.dml import UpdateBase

from flows.regions import ancestors_of, is_region_code

__all__ = [
    "AsyncCoreSession",
    "DbSession",
    "Repository",
    "SyncCoreSession",
    "changed",
    "in_region",
    "in_region_bound",
    "insert_id",
    "prepared",
    "region_params",
    "require_aware",
]

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
S = TypeVar("S")


class DbSession(Protocol):
    """The part of ``AsyncSession`` that repositories may use."""

    async def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = ...,
        bind_arguments: Any = None,
    ) -> Result[Any]: ...

    async def scalar(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = ...,
        bind_arguments: Any = None,
    ) -> Any: ...

    async def scalars(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = ...,
        bind_arguments: Any = None,
    ) -> ScalarResult[Any]: ...

    async def flush(self, objects: Sequence[Any] | None = None) -> None: ...

    async def get(self, entity: Any, ident: Any) -> Any: ...

    def add(self, instance: object, _warn: bool = True) -> None: ...

    def add_all(self, instances: Iterable[object]) -> None: ...

    async def delete(self, instance: object) -> None: ...


class Repository:
    def __init__(self, session: DbSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def _upsert_insert(self, model: type[Any]) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that supports ``on_conflict_do_nothing`` / ``_do_update`` on this backend."""
        if self._dialect == "postgresql":
            return postgresql.insert(model)
        return sqlite.insert(model)


def region_params(prefix: str) -> dict[str, str]:
    """The values that make ``prefix`` itself or a region below it match (see :func:`in_region`):
    ``region`` and ``region_below``, the bind parameters of :func:`in_region_bound`."""
    if not is_region_code(prefix):
        raise ValueError(f"not a region code: {prefix!r}")
    # A region code holds only digits and dots, so LIKE needs no escaping.
    return {"region": prefix, "region_below": prefix + ".%"}


def in_region(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """``column`` is ``prefix`` itself or a region below it ("18.04" matches "18.04.19.2006")."""
    values = region_params(prefix)
    return or_(column == values["region"], column.like(values["region_below"]))


def in_region_bound(column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """:func:`in_region` for a statement built once: its values come from :func:`region_params`."""
    return or_(column == bindparam("region"), column.like(bindparam("region_below")))


def overlaps(column: Any, region_code: str) -> ColumnElement[bool]:
    """``column`` names ``region_code``, a region inside it, or a region containing it."""
    return or_(in_region(column, region_code), column.in_(ancestors_of(region_code)))


def require_aware(now: dt.datetime | None) -> dt.datetime:
    """``now`` must be passed in, timezone-aware (storage never reads the clock)."""
    if now is None:
        raise TypeError("now is required (storage never reads the clock)")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware: {now!r}")
    return now


_SYNC_OFF = {"synchronize_session": False}


async def changed(
    session: DbSession, statement: Any, params: Mapping[str, Any] | None = None
) -> int:
    """Run an UPDATE/DELETE built with ``.returning(<pk>)`` (with ``params`` for its bind
    parameters); the number of rows it touched."""
    result = await session.execute(statement, params, execution_options=_SYNC_OFF)
    return len(result.all())


_INSERT_RETURNING_ID: dict[type[Any], Any] = {}


async def insert_id(session: DbSession, model: type[Any], **values: Any) -> int:
    """INSERT one row of ``model`` and return its generated integer ``id``."""
    if any(isinstance(value, ClauseElement) for value in values.values()):
        statement = insert(model).values(**values).returning(model.id)
        return int((await session.execute(statement)).scalar_one())
    # Plain values: one statement per model, values as parameters (SQLAlchemy then reuses its
    # compiled form instead of building and compiling the statement again).
    cached = _INSERT_RETURNING_ID.get(model)
    if cached is None:
        cached = _INSERT_RETURNING_ID[model] = insert(model).returning(model.id)
    return int((await session.execute(cached, values)).scalar_one())


# ---- Core sessions -------------------------------------------------------------------------

_NO_OPTIONS: Mapping[str, Any] = {}
_ORM_ONLY_OPTIONS = frozenset({"synchronize_session", "populate_existing", "autoflush"})


def needs_orm(statement: Any, params: Params) -> bool:
    """True when the ORM would run ``statement`` differently from Core: a select of mapped
    entities (ORM objects come back), loader options, or a bulk INSERT/UPDATE/DELETE of an ORM
    entity with a list of parameter sets (keyed by attribute, by primary key)."""
    attrs = getattr(statement, "_propagate_attrs", None)
    if not attrs or attrs.get("compile_state_plugin") != "orm":
        return False  # plain Core: tables, columns, text()
    if isinstance(statement, Select):
        if statement._with_options:
            return True
        return any(isinstance(column, FromClause) for column in statement._raw_columns)
    return isinstance(statement, Insert | Update | Delete) and isinstance(params, list)


def _core_options(options: Any) -> Mapping[str, Any]:
    if not options:
        return _NO_OPTIONS
    return {k: v for k, v in options.items() if k not in _ORM_ONLY_OPTIONS}


# ---- prepared statements (SQLite) ----------------------------------------------------------

_PREPARED: dict[int, Any] = {}


def prepared(statement: S) -> S:
    """Mark ``statement`` (built once, at import) as run on most updates.

    :class:`SyncCoreSession` runs it straight on the sqlite3 cursor: its SQL, parameter order,
    bind and result processors are worked out once, from SQLAlchemy's own compiled form, and
    each execution skips SQLAlchemy's execution machinery (about 20-30 us of the 25-55 us a
    statement took). Other sessions run it as any statement. Only statements without IN lists
    or other parameters rendered at execution qualify; others fall back to Core."""
    _PREPARED[id(statement)] = statement
    return statement


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]  # bind parameters with a value of their own (literals, LIMIT)
    bind_processors: tuple[Callable[[Any], Any] | None, ...]
    metadata: SimpleResultMetaData | None  # None: take the keys from the cursor (text)


_PLANS: dict[tuple[int, str], _Plan | None] = {}


def _plan(statement: Any, dialect: Dialect) -> _Plan | None:
    key = (id(statement), dialect.name)
    if key in _PLANS:
        return _PLANS[key]
    compiled = statement.compile(dialect=dialect)
    plan: _Plan | None = None
    if (
        compiled.positiontup is not None
        # each name once: with numbered binds ($1, $2: asyncpg) position i is bind i + 1
        and len(set(compiled.positiontup)) == len(compiled.positiontup)
        and not compiled.literal_execute_params
        and not compiled.post_compile_params
    ):
        names = tuple(compiled.positiontup)
        binds = compiled.binds
        processors = compiled._bind_processors
        metadata = None
        if compiled._result_columns:
            columns = compiled._result_columns
            keys = [c.keyname for c in columns]
            result_processors = [c.type._cached_result_processor(dialect, None) for c in columns]
            ambiguous = frozenset(k for k in keys if keys.count(k) > 1)
            metadata = SimpleResultMetaData(
                keys, _processors=result_processors, _ambiguous_keys=ambiguous or None
            )
        plan = _Plan(
            sql=compiled.string,
            names=names,
            defaults={n: binds[n].effective_value for n in names if not binds[n].required},
            bind_processors=tuple(processors.get(n) for n in names),
            metadata=metadata,
        )
    _PLANS[key] = plan
    return plan


def _arguments(plan: _Plan, params: Mapping[str, Any] | None) -> list[Any]:
    given = params or _NO_OPTIONS
    args = []
    for name, process in zip(plan.names, plan.bind_processors, strict=True):
        if name in given:
            value = given[name]
        elif name in plan.defaults:
            value = plan.defaults[name]
        else:
            raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
        args.append(process(value) if process is not None else value)
    return args


def _result(plan: _Plan, rows: Sequence[Any], keys: Sequence[str]) -> Result[Any]:
    metadata = plan.metadata if plan.metadata is not None else SimpleResultMetaData(keys)
    result: Result[Any] = IteratorResult(metadata, iter(rows))
    return result


def _driver_error(
    plan: _Plan, args: list[Any], error: Exception, dialect: Dialect
) -> StatementError:
    """The error SQLAlchemy would raise for ``error`` (an integrity error stays one)."""
    dbapi = getattr(dialect, "loaded_dbapi", None)
    kind = dbapi.Error if dbapi is not None and dialect.driver != "asyncpg" else Exception
    return DBAPIError.instance(plan.sql, args, error, kind, dialect=dialect)


# ---- the Core sessions -----------------------------------------------------------------------

C = TypeVar("C", Connection, AsyncConnection)
O = TypeVar("O", Session, AsyncSession)  # noqa: E741 (the ORM session's type)


class _CoreSession(Generic[C, O]):
    """A :class:`DbSession` over a connection already in a transaction: everything both Core
    sessions share (where a statement goes, and the ORM session on the same connection).

    A subclass says how to run a prepared plan, how to run a Core statement, which ORM session
    to open and how to call it (:meth:`_call`). :meth:`finish` must run
    before the transaction commits; :meth:`close` after it, whatever happened."""

    def __init__(self, connection: C) -> None:
        self._connection: C = connection
        self._orm: O | None = None
        self._plans_ready = False  # prepared statements may run on the driver now

    def orm(self) -> O:
        """The ORM session sharing this connection and transaction (created when first needed)."""
        if self._orm is None:
            self._orm = self._new_orm()
        return self._orm

    async def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = None,
        bind_arguments: Any = None,
    ) -> Result[Any]:
        if (
            self._plans_ready
            and _PREPARED.get(id(statement)) is statement
            and not isinstance(params, list)
        ):
            plan = _plan(statement, self._connection.dialect)
            if plan is not None:
                return await self._run_plan(plan, params)
        if needs_orm(statement, params):
            result: Result[Any] = await self._call(
                self.orm().execute,
                statement,
                params,
                execution_options=execution_options or _NO_OPTIONS,
                bind_arguments=bind_arguments,
            )
            return result
        return await self._run_core(statement, params, _core_options(execution_options))

    async def scalar(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = None,
        bind_arguments: Any = None,
    ) -> Any:
        result = await self.execute(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        )
        return result.scalar()

    async def scalars(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Any = None,
        bind_arguments: Any = None,
    ) -> ScalarResult[Any]:
        result = await self.execute(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        )
        return result.scalars()

    async def flush(self, objects: Sequence[Any] | None = None) -> None:
        if self._orm is not None:
            await self._call(self._orm.flush, objects)

    async def get(self, entity: Any, ident: Any) -> Any:
        return await self._call(self.orm().get, entity, ident)

    def add(self, instance: object, _warn: bool = True) -> None:
        self.orm().add(instance, _warn)

    def add_all(self, instances: Iterable[object]) -> None:
        self.orm().add_all(instances)

    async def delete(self, instance: object) -> None:
        await self._call(self.orm().delete, instance)

    async def finish(self) -> None:
        """Flush what the ORM session holds (as a commit would) and let it go."""
        if self._orm is not None:
            orm, self._orm = self._orm, None
            try:
                await self._call(orm.flush)
            finally:
                await self._call(orm.close)

    async def close(self) -> None:
        if self._orm is not None:
            orm, self._orm = self._orm, None
            await self._call(orm.close)

    # -- what differs between a synchronous and an asynchronous connection --

    def _new_orm(self) -> O:
        raise NotImplementedError

    async def _call(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Call a method of the ORM session: its value (sync), or what awaiting it gives."""
        raise NotImplementedError

    async def _run_plan(self, plan: _Plan, params: Mapping[str, Any] | None) -> Result[Any]:
        raise NotImplementedError

    async def _run_core(
        self, statement: Any, params: Any, options: Mapping[str, Any]
    ) -> Result[Any]:
        raise NotImplementedError


class SyncCoreSession(_CoreSession[Connection, Session]):
    """Over a synchronous ``Connection`` (SQLite, :meth:`storage.db.Database.run`): every
    method completes before returning, so awaiting it never suspends the coroutine."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._plans_ready = True

    def _new_orm(self) -> Session:
        return Session(bind=self._connection, autoflush=False, expire_on_commit=False)

    async def _call(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    async def _run_plan(self, plan: _Plan, params: Mapping[str, Any] | None) -> Result[Any]:
        args = _arguments(plan, params)
        dbapi = self._connection.connection.driver_connection
        if dbapi is None:
            raise InvalidRequestError("the connection is closed")
        cursor = dbapi.cursor()
        try:
            cursor.execute(plan.sql, args)
            description = cursor.description
            rows = cursor.fetchall() if description is not None else []
        except Exception as error:
            raise _driver_error(plan, args, error, self._connection.dialect) from error
        finally:
            cursor.close()
        return _result(plan, rows, [d[0] for d in description or ()])

    async def _run_core(
        self, statement: Any, params: Any, options: Mapping[str, Any]
    ) -> Result[Any]:
        result = self._connection.execute(statement, params, execution_options=options)
        # SQLite cannot COMMIT while an INSERT/UPDATE ... RETURNING still has rows to step
        # through: fetch them now, as AsyncSession does for every result.
        if result.returns_rows and isinstance(statement, UpdateBase):
            return result.freeze()()
        return result


class AsyncCoreSession(_CoreSession[AsyncConnection, AsyncSession]):
    """Over an ``AsyncConnection`` (PostgreSQL, :meth:`storage.db.Database.run`).

    Statements marked :func:`prepared` run on asyncpg itself (its own prepared statements,
    parsed once per connection: a third of the CPU of going through SQLAlchemy and its
    greenlet) once :meth:`start` found the transaction open (``storage.db`` sends BEGIN when
    the transaction begins; otherwise the first statement through SQLAlchemy opens it)."""

    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection)
        self._driver: Any = None  # the asyncpg connection, once the transaction is open

    async def start(self) -> None:
        """Run prepared statements on asyncpg from the first one when BEGIN was sent."""
        if self._connection.dialect.driver != "asyncpg":
            return
        raw = await self._connection.get_raw_connection()
        if getattr(raw.dbapi_connection, "_started", False):
            self._driver = raw.driver_connection
            self._plans_ready = True

    def _new_orm(self) -> AsyncSession:
        return AsyncSession(bind=self._connection, autoflush=False, expire_on_commit=False)

    async def _call(self, method: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return await method(*args, **kwargs)

    async def _run_plan(self, plan: _Plan, params: Mapping[str, Any] | None) -> Result[Any]:
        args = _arguments(plan, params)
        try:
            records = await self._driver.fetch(plan.sql, *args)
        except Exception as error:
            raise _driver_error(plan, args, error, self._connection.dialect) from error
        return _result(plan, records, list(records[0].keys()) if records else [])

    async def _run_core(
        self, statement: Any, params: Any, options: Mapping[str, Any]
    ) -> Result[Any]:
        result = await self._connection.execute(statement, params, execution_options=options)
        if self._driver is None and self._connection.dialect.driver == "asyncpg":
            raw = await self._connection.get_raw_connection()
            self._driver = raw.driver_connection
            self._plans_ready = True
        return result
