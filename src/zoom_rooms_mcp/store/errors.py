"""Errors the store raises. Every message is safe to log and show: paths and URLs only, passwords masked."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: the store cannot do what was asked."""


class StoreConfigError(StoreError):
    """``ZOOM_ROOMS_STORE`` names something this install cannot open (bad URL, missing extra)."""


class StoreSchemaError(StoreError):
    """The store was written by a newer version of this server, or for another Zoom account; left untouched."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached or cannot take the write now (server down, disk full); retry later."""
