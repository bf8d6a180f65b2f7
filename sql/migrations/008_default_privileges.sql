-- 008_default_privileges: tables that later migrations add to schema corridor
-- are readable by operators without each migration having to remember it
-- (006 granted SELECT on the tables that existed then).  Applies to objects
-- created by the role that runs `corridord migrate`.
ALTER DEFAULT PRIVILEGES IN SCHEMA corridor GRANT SELECT ON TABLES TO corridor_operator;
