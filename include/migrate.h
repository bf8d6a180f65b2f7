/* migrate: `corridord migrate` and `corridord seed`.  Both connect to
 * database_url as given (the schema owner), take one advisory lock so that
 * several instances starting at once never race, and apply SQL files of
 * sql_dir in name order, each in its own transaction, logging one line per
 * file.  Relative paths are relative to the working directory. */
#ifndef CORRIDOR_MIGRATE_H
#define CORRIDOR_MIGRATE_H

/* Applies every <sql_dir>/migrations/NNN_name.sql not yet recorded in
 * corridor.schema_migration, recording each.  Stops at the first failure
 * (rolled back; one line names the file and PostgreSQL's message).
 * Returns 0 or -1.  Main thread, before the server starts. */
int migrate_run(const char *database_url, const char *sql_dir);

/* Runs every <sql_dir>/seed/NN_name.sql (seeds are idempotent and rerun every
 * time).  Returns 0 or -1.  Main thread. */
int seed_run(const char *database_url, const char *sql_dir);

#endif
