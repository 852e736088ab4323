#!/bin/sh
# Postgres image init hook (runs once, when the data directory is created): the indexer's and the
# pipeline's roles from docker/postgres/roles.sql, with the passwords from the environment.
set -eu
: "${INDEXER_DB_PASSWORD:?set INDEXER_DB_PASSWORD}"
: "${PIPELINE_DB_PASSWORD:?set PIPELINE_DB_PASSWORD}"
psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v ON_ERROR_STOP=1 \
  -v db="$POSTGRES_DB" \
  -v indexer_role=glisk_indexer -v indexer_password="$INDEXER_DB_PASSWORD" \
  -v pipeline_role=glisk_pipeline -v pipeline_password="$PIPELINE_DB_PASSWORD" \
  -v views_schema="${PONDER_VIEWS_SCHEMA:-glisk}" \
  -f /glisk/roles.sql
