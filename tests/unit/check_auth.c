/* Unit tests of auth's pure parts: SHA-256 against the FIPS 180-4 / NIST
 * test vectors, and the parsing of Authorization headers. */
#include "auth.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(sha256_empty)
{
    char hex[65];
    auth_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(sha256_abc)
{
    char hex[65];
    auth_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(sha256_448_bits)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[65];
    auth_sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(sha256_896_bits)
{
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                    "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    char hex[65];
    auth_sha256_hex(m, strlen(m), hex);
    ck_assert_str_eq(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(sha256_million_a)
{
    size_t n = 1000000;
    char *m = malloc(n);
    ck_assert_ptr_nonnull(m);
    memset(m, 'a', n);
    char hex[65];
    auth_sha256_hex(m, n, hex);
    free(m);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the padding boundary (55, 56, 64 bytes) agree with known digests. */
START_TEST(sha256_block_boundaries)
{
    char m[64];
    char hex[65];
    memset(m, 'a', sizeof m);
    auth_sha256_hex(m, 55, hex);
    ck_assert_str_eq(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    auth_sha256_hex(m, 56, hex);
    ck_assert_str_eq(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    auth_sha256_hex(m, 64, hex);
    ck_assert_str_eq(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

#define KEY "csk_0a1b2c3d_00112233445566778899aabbccddeeff"

static enum auth_result parse(const char *h, char *out)
{
    const char *k = NULL;
    size_t len = 0;
    enum auth_result r = auth_parse_bearer(h, &k, &len);
    out[0] = '\0';
    if (r == AUTH_OK) {
        memcpy(out, k, len);
        out[len] = '\0';
    }
    return r;
}

START_TEST(bearer_missing)
{
    char k[128];
    ck_assert_int_eq(parse(NULL, k), AUTH_MISSING);
    ck_assert_int_eq(parse("", k), AUTH_MISSING);
    ck_assert_int_eq(parse("   ", k), AUTH_MISSING);
}
END_TEST

START_TEST(bearer_ok)
{
    char k[128];
    ck_assert_int_eq(parse("Bearer " KEY, k), AUTH_OK);
    ck_assert_str_eq(k, KEY);
    /* the scheme is case-insensitive (RFC 9110 11.1) */
    ck_assert_int_eq(parse("bearer " KEY, k), AUTH_OK);
    ck_assert_str_eq(k, KEY);
}
END_TEST

START_TEST(bearer_extra_spaces)
{
    char k[128];
    ck_assert_int_eq(parse("Bearer    " KEY, k), AUTH_OK);
    ck_assert_str_eq(k, KEY);
    ck_assert_int_eq(parse("  Bearer\t" KEY "  ", k), AUTH_OK);
    ck_assert_str_eq(k, KEY);
    /* two tokens are not one key */
    ck_assert_int_eq(parse("Bearer " KEY " extra", k), AUTH_INVALID);
}
END_TEST

START_TEST(bearer_wrong_scheme)
{
    char k[128];
    ck_assert_int_eq(parse("Basic dXNlcjpwYXNz", k), AUTH_INVALID);
    ck_assert_int_eq(parse("Token " KEY, k), AUTH_INVALID);
    ck_assert_int_eq(parse(KEY, k), AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer" KEY, k), AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer", k), AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer   ", k), AUTH_INVALID);
}
END_TEST

START_TEST(bearer_malformed_key)
{
    char k[128];
    /* upper-case hex, wrong lengths, wrong separators, wrong tag */
    ck_assert_int_eq(parse("Bearer csk_0A1B2C3D_00112233445566778899aabbccddeeff", k),
                     AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer csk_0a1b2c3_00112233445566778899aabbccddeeff0", k),
                     AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer csk_0a1b2c3d_00112233445566778899aabbccddeef", k),
                     AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer csk-0a1b2c3d-00112233445566778899aabbccddeeff", k),
                     AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer abc_0a1b2c3d_00112233445566778899aabbccddeeff", k),
                     AUTH_INVALID);
    ck_assert_int_eq(parse("Bearer csk_0a1b2c3d_0011223344556677889xaabbccddeeff", k),
                     AUTH_INVALID);
}
END_TEST

/* With no key table ever loaded, a well-formed key cannot be judged (503,
 * never accepted); a missing or malformed one is still a plain 401. */
START_TEST(check_without_keys)
{
    struct auth_principal p;
    unsigned retry = 0;
    ck_assert_int_eq(auth_check(NULL, &p, &retry), AUTH_MISSING);
    ck_assert_int_eq(auth_check("Bearer " KEY, &p, &retry), AUTH_UNAVAILABLE);
    ck_assert_int_eq(auth_check("Basic x", &p, &retry), AUTH_INVALID);
    ck_assert_int_eq(auth_check("Bearer csk_nothex", &p, &retry), AUTH_INVALID);
}
END_TEST

START_TEST(role_names)
{
    enum auth_role r;
    ck_assert_int_eq(auth_role_parse("forwarder", &r), 0);
    ck_assert_int_eq(r, AUTH_FORWARDER);
    ck_assert_int_eq(auth_role_parse("carrier", &r), 0);
    ck_assert_int_eq(r, AUTH_CARRIER);
    ck_assert_int_eq(auth_role_parse("operator", &r), 0);
    ck_assert_int_eq(r, AUTH_OPERATOR);
    ck_assert_int_eq(auth_role_parse("admin", &r), -1);
    ck_assert_int_eq(auth_role_parse("Operator", &r), -1);
    ck_assert_str_eq(auth_role_name(AUTH_CARRIER), "carrier");
}
END_TEST

Suite *auth_suite(void);
Suite *auth_suite(void)
{
    Suite *s = suite_create("auth_unit");
    TCase *sha = tcase_create("sha256");
    tcase_add_test(sha, sha256_empty);
    tcase_add_test(sha, sha256_abc);
    tcase_add_test(sha, sha256_448_bits);
    tcase_add_test(sha, sha256_896_bits);
    tcase_add_test(sha, sha256_million_a);
    tcase_add_test(sha, sha256_block_boundaries);
    suite_add_tcase(s, sha);
    TCase *bearer = tcase_create("bearer");
    tcase_add_test(bearer, bearer_missing);
    tcase_add_test(bearer, bearer_ok);
    tcase_add_test(bearer, bearer_extra_spaces);
    tcase_add_test(bearer, bearer_wrong_scheme);
    tcase_add_test(bearer, bearer_malformed_key);
    tcase_add_test(bearer, check_without_keys);
    tcase_add_test(bearer, role_names);
    suite_add_tcase(s, bearer);
    return s;
}
