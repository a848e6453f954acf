"""Alembic environment for the archive.

Run through :func:`storage.db.upgrade` (which passes an open connection in
``config.attributes["connection"]``) or the ``alembic`` CLI (alembic.ini at the repo root,
storage/alembic.ini in the package) on ``-x url=…``, else ``$NIANBAO_DATABASE_URL``, else
the ini's ``sqlalchemy.url``.
"""
from __future__ import annotations

import logging
import os

import sqlalchemy as sa
from alembic import context

from storage.db import lock_migrations, make_engine
from storage.models import Base

logger = logging.getLogger(__name__)

config = context.config
target_metadata = Base.metadata

if config.attributes.get("connection") is None and not logging.getLogger().handlers:
    # the alembic CLI: say what it runs (nianbao's own logging is left alone)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _url() -> str:
    return (context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("NIANBAO_DATABASE_URL")
            or config.get_main_option("sqlalchemy.url"))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            lock_migrations(conn)
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
