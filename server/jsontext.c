/* jsontext: JSON passed through as text (see include/jsontext.h).  One
 * forward scan each; a string is skipped from its opening quote to the first
 * quote not escaped by a backslash, so whitespace, quotes, braces and keys
 * inside strings are never taken for structure. */
#include "jsontext.h"

#include <limits.h>
#include <string.h>

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t';
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && is_space(s[i]))
        i++;
    return i;
}

/* s[i] is the opening quote of a string: the index just past its closing
 * quote, or 0 when the string does not end within n bytes. */
static size_t string_end(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* s[i] is the first byte of a value: the index just past it, or 0 when it
 * does not end within n bytes. */
static size_t value_end(const char *s, size_t n, size_t i)
{
    if (s[i] == '"')
        return string_end(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        for (; i < n; i++) {
            char ch = s[i];
            if (ch == '"') {
                size_t end = string_end(s, n, i);
                if (!end)
                    return 0;
                i = end - 1;
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if ((ch == '}' || ch == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return 0;
    }
    size_t start = i; /* a number, true, false or null */
    while (i < n && !is_space(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']')
        i++;
    return i > start ? i : 0;
}

size_t jsontext_minify_copy(char *dst, const char *src, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char ch = src[i];
        if (ch == '"') {
            size_t end = string_end(src, n, i);
            if (!end)
                end = n; /* unterminated: copied as it is */
            memmove(dst + o, src + i, end - i);
            o += end - i;
            i = end;
            continue;
        }
        if (!is_space(ch))
            dst[o++] = ch;
        i++;
    }
    dst[o] = '\0';
    return o;
}

size_t jsontext_minify(char *s, size_t n)
{
    return jsontext_minify_copy(s, s, n);
}

bool jsontext_member(const char *s, size_t n, const char *key, const char **val, size_t *vlen)
{
    size_t klen = strlen(key);
    size_t i = skip_space(s, n, 0);
    if (i >= n || s[i] != '{')
        return false;
    i = skip_space(s, n, i + 1);
    if (i < n && s[i] == '}')
        return false; /* {} */
    for (;;) {
        if (i >= n || s[i] != '"')
            return false;
        size_t name_end = string_end(s, n, i);
        if (!name_end)
            return false;
        bool match = name_end - i - 2 == klen && memcmp(s + i + 1, key, klen) == 0;
        i = skip_space(s, n, name_end);
        if (i >= n || s[i] != ':')
            return false;
        i = skip_space(s, n, i + 1);
        if (i >= n)
            return false;
        size_t end = value_end(s, n, i);
        if (!end)
            return false;
        if (match) {
            *val = s + i;
            *vlen = end - i;
            return true;
        }
        i = skip_space(s, n, end);
        if (i >= n || s[i] != ',')
            return false; /* '}': the end of the object, or not an object */
        i = skip_space(s, n, i + 1);
    }
}

bool jsontext_member_int(const char *s, size_t n, const char *key, long long *out)
{
    const char *v;
    size_t len;
    if (!jsontext_member(s, n, key, &v, &len))
        return false;
    size_t i = 0;
    bool negative = len > 0 && v[0] == '-';
    if (negative)
        i++;
    if (i == len)
        return false;
    /* accumulated negative, so that LLONG_MIN fits */
    long long x = 0;
    for (; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        int d = v[i] - '0';
        if (x < (LLONG_MIN + d) / 10)
            return false;
        x = x * 10 - d;
    }
    if (!negative && x == LLONG_MIN)
        return false;
    *out = negative ? x : -x;
    return true;
}

bool jsontext_member_plain_string(const char *s, size_t n, const char *key, char *buf, size_t size)
{
    const char *v;
    size_t len;
    if (!jsontext_member(s, n, key, &v, &len) || len < 2 || v[0] != '"' || len - 2 >= size ||
        memchr(v + 1, '\\', len - 2) != NULL)
        return false;
    memcpy(buf, v + 1, len - 2);
    buf[len - 2] = '\0';
    return true;
}
