/* xmem: the one allocation wrapper.  Every function aborts the process on
 * out-of-memory or size overflow, so callers never check for NULL.  Results
 * are freed with free().  Safe on any thread.  Part of the pure core's toolbox. */
#ifndef CORRIDOR_XMEM_H
#define CORRIDOR_XMEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array: returns p resized to hold count elements of size bytes. */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
