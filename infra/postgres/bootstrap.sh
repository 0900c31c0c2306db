#!/bin/sh
# Creates the schema owner and the database; `socle migrate`, run as that
# owner, creates the tables, the row-level security policies and the
# application role named in SOCLE_DATABASE_URL.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
  -v owner_password="$SOCLE_OWNER_PASSWORD" <<'SQL'
CREATE ROLE socle_owner LOGIN CREATEROLE PASSWORD :'owner_password';
CREATE DATABASE socle OWNER socle_owner;
\connect socle
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
SQL
