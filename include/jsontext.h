/* jsontext: JSON passed through as text.  PostgreSQL renders a booking as
 * JSON text; the server sends those bytes on after taking out the whitespace
 * between tokens, and reads the one or two members it needs (version,
 * reference) from the text instead of parsing it into a tree.
 *
 * Input is JSON text that is valid (PostgreSQL's or jansson's); nothing here
 * validates it, but no function reads outside [s, s + n) whatever the bytes.
 * Pure: any thread, no allocation. */
#ifndef CORRIDOR_JSONTEXT_H
#define CORRIDOR_JSONTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Copies the n bytes of src to dst without the whitespace (space, \t, \n,
 * \r) outside strings, NUL-terminates dst and returns its new length.  dst
 * needs n + 1 bytes and may be src itself (in place). */
size_t jsontext_minify_copy(char *dst, const char *src, size_t n);
/* The same in place: s has n bytes and room for a NUL after them. */
size_t jsontext_minify(char *s, size_t n);

/* For the text of a JSON object (s, n bytes, minified or not): the value of
 * its top-level member key as it is written, in *val (pointing into s) and
 * *vlen: "\"NSC-AB12CD34\"" with its quotes, "3", "{...}".  Members of
 * nested objects and text inside strings never match.  The key is compared
 * with the member's name as written (a name written with escapes does not
 * match).  The first such member wins.  Returns false when absent or when s
 * is not an object. */
bool jsontext_member(const char *s, size_t n, const char *key, const char **val, size_t *vlen);
/* The member as an integer: an optional '-' and decimal digits that fit in
 * a long long.  False when absent or anything else (3.0, "3", null). */
bool jsontext_member_int(const char *s, size_t n, const char *key, long long *out);
/* The member as a string without escapes (no backslash in it), copied
 * without its quotes into buf (size bytes, NUL-terminated).  False when
 * absent, not a string, escaped, or too long for buf. */
bool jsontext_member_plain_string(const char *s, size_t n, const char *key, char *buf, size_t size);

#endif
