/* store_snapshot: loads the pricing snapshot (snapshot.h) from PostgreSQL.
 * One read-only REPEATABLE READ transaction reads data_version, currencies,
 * nodes, links, departures and port windows from yesterday (UTC) on, the
 * tariffs, surcharges and discounts still valid yesterday or later, and
 * every FX rate; the rows fill a snapshot_builder, and the finished snapshot
 * is published as the process-wide current one.  refdata calls this at start
 * and on every NOTIFY corridor_changed. */
#ifndef CORRIDOR_STORE_SNAPSHOT_H
#define CORRIDOR_STORE_SNAPSHOT_H

struct db_conn;

/* Loads and publishes a snapshot.  When the database's data_version equals
 * the current snapshot's, nothing is rebuilt (bookings never change it).
 * Returns 0 on success; -1 on failure (logged with the builder's or
 * PostgreSQL's message), and the current snapshot stays.  Any pool thread
 * holding c. */
int store_snapshot_load(struct db_conn *c);

#endif
