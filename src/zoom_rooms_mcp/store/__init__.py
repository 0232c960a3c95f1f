"""The fleet store (DESIGN §9, §11): ``open_store`` gives a ``Store`` (see ``api``) on memory, SQLite or PostgreSQL."""

from zoom_rooms_mcp.store.errors import StoreConfigError, StoreError, StoreSchemaError, StoreUnavailableError
from zoom_rooms_mcp.store.factory import default_sqlite_path, open_store
from zoom_rooms_mcp.store.sql import SqlStore

__all__ = [
    "SqlStore",
    "StoreConfigError",
    "StoreError",
    "StoreSchemaError",
    "StoreUnavailableError",
    "default_sqlite_path",
    "open_store",
]
