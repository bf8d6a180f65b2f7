/* log: one JSON line per event on stderr ({"ts","level","event",...}).
 * Any thread; lines are written whole with one write(2). */
#ifndef CORRIDOR_LOG_H
#define CORRIDOR_LOG_H

enum log_level { LOGL_DEBUG = 0, LOGL_INFO, LOGL_WARN, LOGL_ERROR };

/* Parses "debug"/"info"/"warn"/"error"; returns 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);

/* Logs an event: msg is printf-formatted into the "msg" field. */
void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs one finished HTTP request. */
void log_request(const char *request_id, const char *method, const char *path, const char *route,
                 unsigned status, double seconds, const char *org);

#endif
