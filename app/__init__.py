"""Socle's composition root: settings, database, HTTP app, GraphQL schema, CLI."""

import os

# Piccolo locates its engine through this module path; set it before any table
# class is used so that `tenants` and `schemes` tables bind to `app.db.DB`.
os.environ.setdefault("PICCOLO_CONF", "app.db")
