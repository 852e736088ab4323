-- The two database roles of GLISK, neither a superuser (docs/security.md):
-- * the indexer's role owns Ponder's schemas (it creates them: CREATE on the database) and has no
--   privilege on schema `pipeline`, where author prompts live;
-- * the pipeline's role owns schema `pipeline` and may only read the indexer's views schema.
-- Run once, as an administrator, on an empty database:
--   psql "postgres://admin@host:5432/glisk" -v ON_ERROR_STOP=1 -v db=glisk \
--     -v indexer_role=glisk_indexer -v indexer_password='…' \
--     -v pipeline_role=glisk_pipeline -v pipeline_password='…' \
--     -v views_schema=glisk -f docker/postgres/roles.sql
-- Docker Compose runs it from docker/postgres/init-roles.sh when the database is first created.

CREATE ROLE :"indexer_role" LOGIN PASSWORD :'indexer_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE ROLE :"pipeline_role" LOGIN PASSWORD :'pipeline_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;

REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
-- Ponder runs CREATE SCHEMA IF NOT EXISTS at every start, and PostgreSQL checks the privilege first.
GRANT CONNECT, TEMP, CREATE ON DATABASE :"db" TO :"indexer_role";
GRANT CONNECT ON DATABASE :"db" TO :"pipeline_role";

CREATE SCHEMA pipeline AUTHORIZATION :"pipeline_role";
REVOKE ALL ON SCHEMA pipeline FROM PUBLIC;

-- Ponder drops and recreates its views at every start: the pipeline reads them through default privileges.
CREATE SCHEMA :"views_schema" AUTHORIZATION :"indexer_role";
GRANT USAGE ON SCHEMA :"views_schema" TO :"pipeline_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"indexer_role" IN SCHEMA :"views_schema" GRANT SELECT ON TABLES TO :"pipeline_role";
