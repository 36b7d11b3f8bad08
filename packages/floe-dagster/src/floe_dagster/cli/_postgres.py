"""One PostgreSQL server for the Dagster instance and the Iceberg catalog (``floe dev --postgres``).

A single URL names the server, e.g. ``postgresql://postgres@/?host=/tmp/pg`` (a Unix socket)
or ``postgresql://floe:${PW}@db.internal:5432/``. floe keeps two databases on it, ``dagster``
(run, event and schedule storage) and ``iceberg`` (the SQL catalog), or the names given as
``?dagster_db=...&iceberg_db=...``, and creates them when they are missing. The URL's own
database, if any, is only where floe connects to create them (default: libpq's, the user's).

Both URLs name the psycopg2 driver: with psycopg 3 installed as well, the bare
``postgresql://`` scheme picks psycopg 3, and Dagster's storage then fails on ``$1``
parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from floe_config import ConfigIssue, FloeError, IssueCode

DRIVER = "postgresql+psycopg2"
SCHEMES = ("postgres", "postgresql", DRIVER)
DATABASE_PARAMS = {"dagster_db": "dagster", "iceberg_db": "iceberg"}


class PostgresError(FloeError):
    """The URL is wrong (``postgres_url_invalid``), or the server cannot be reached
    (``postgres_unreachable``); the text says which and what to do."""

    def __init__(
        self, message: str, hint: str, code: IssueCode = IssueCode.POSTGRES_URL_INVALID
    ) -> None:
        super().__init__([ConfigIssue(code=code, path="", message=message, file=None, hint=hint)])


@dataclass(frozen=True)
class PostgresTarget:
    """The server of a ``--postgres`` URL and the two databases floe keeps on it."""

    server: URL
    """Where floe connects to create the databases (the URL without floe's parameters)."""
    dagster_database: str
    iceberg_database: str

    def url(self, database: str) -> str:
        """``database`` on the server, as a psycopg2 URL (password included: environment only)."""
        rendered: str = self.server.set(database=database).render_as_string(hide_password=False)
        return rendered

    @property
    def dagster_url(self) -> str:
        return self.url(self.dagster_database)

    @property
    def iceberg_url(self) -> str:
        return self.url(self.iceberg_database)

    @property
    def shown(self) -> str:
        """The server URL for messages: the password, if any, as ``***``."""
        shown: str = self.server.render_as_string(hide_password=True)
        return shown


def postgres_target(url: str) -> PostgresTarget:
    """Parse a ``--postgres`` URL; ``PostgresError`` says what is wrong with it."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise PostgresError(
            f"{url!r} is not a database URL",
            "write it as postgresql://USER@HOST[:PORT]/, or postgresql://USER@/?host=SOCKET_DIR "
            "for a local socket (e.g. postgresql://postgres@/?host=/tmp/pg)",
        ) from None
    if parsed.drivername not in SCHEMES:
        raise PostgresError(
            f"--postgres needs a PostgreSQL URL, got scheme {parsed.drivername!r}",
            "use postgresql://USER@HOST[:PORT]/ or postgresql://USER@/?host=SOCKET_DIR",
        )
    query = dict(parsed.query)
    names = {param: str(query.pop(param, default)) for param, default in DATABASE_PARAMS.items()}
    if names["dagster_db"] == names["iceberg_db"]:
        raise PostgresError(
            f"dagster_db and iceberg_db are both {names['dagster_db']!r}",
            "give the Dagster instance and the Iceberg catalog a database each",
        )
    server = parsed.set(drivername=DRIVER, query=query)
    return PostgresTarget(server, names["dagster_db"], names["iceberg_db"])


def ensure_databases(target: PostgresTarget) -> list[str]:
    """Create the missing databases of ``target``; returns the names it created. Two launchers
    doing this at once are fine: a database someone else just created counts as there."""
    engine = create_engine(target.server, isolation_level="AUTOCOMMIT")
    created = []
    try:
        with engine.connect() as connection:
            quote = engine.dialect.identifier_preparer.quote
            for name in (target.dagster_database, target.iceberg_database):
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if exists:
                    continue
                try:
                    connection.execute(text(f"CREATE DATABASE {quote(name)}"))
                    created.append(name)
                except DBAPIError as error:  # created by another launcher meanwhile
                    if not any(m in str(error) for m in ("already exists", "duplicate key")):
                        raise
    except DBAPIError as error:
        first_line = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise PostgresError(
            f"cannot use PostgreSQL at {target.shown}: {first_line}",
            "check that the server runs and that the URL's user may create databases",
            IssueCode.POSTGRES_UNREACHABLE,
        ) from None
    finally:
        engine.dispose()
    return created
