/* Unit tests of config: defaults, the JSON file, environment overrides, and
 * the one-line messages for an unknown key or a bad value.  Each test runs
 * in Check's forked child, so setenv/chdir do not leak between tests. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* A fresh empty working directory (no config/corridord.json) and no
 * CORRIDOR_* variables from the caller's environment. */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/check_config.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chdir(dir), 0);
    const char *vars[] = {
        "CORRIDOR_DATABASE_URL", "CORRIDOR_LISTEN",        "CORRIDOR_WORKERS",
        "CORRIDOR_LOG_LEVEL",    "CORRIDOR_BODY_LIMIT",    "CORRIDOR_CORS_ORIGINS",
        "CORRIDOR_HTTP_THREADS", "CORRIDOR_DATABASE_ROLE", "CORRIDOR_BOOKING_CONCURRENCY",
        "CORRIDOR_BOOKING_BATCH"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

static void teardown(void)
{
    int rc = system("rm -rf config cfg.json");
    (void)rc;
    rc = chdir("/tmp");
    (void)rc;
    rmdir(dir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(defaults_without_file)
{
    struct config c;
    char err[256] = "";
    ck_assert_int_eq(config_load(&c, NULL, err, sizeof err), 0);
    ck_assert_str_eq(c.listen_host, "127.0.0.1");
    ck_assert_uint_eq(c.listen_port, 8080);
    ck_assert_uint_eq(c.workers, 4);
    /* 0 (the default) means one booking change at a time per online CPU */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ck_assert_uint_eq(c.booking_concurrency, cpus > 0 ? (unsigned)cpus : 1u);
    ck_assert_uint_eq(c.booking_batch, 8);
    ck_assert_uint_eq(c.http_threads, 2);
    ck_assert_uint_eq(c.connection_timeout_s, 30);
    ck_assert_uint_eq(c.body_limit, 65536);
    ck_assert_uint_eq(c.quote_ttl_s, 1800);
    ck_assert_uint_eq(c.quote_horizon_days, 30);
    ck_assert_uint_eq(c.hold_ttl_s, 900);
    ck_assert_uint_eq(c.sweep_interval_ms, 1000);
    ck_assert_str_eq(c.log_level, "info");
    ck_assert_str_eq(c.sql_dir, "sql");
    ck_assert_str_eq(c.www_root, "server/www");
    ck_assert_str_eq(c.openapi_path, "server/openapi.json");
    ck_assert_uint_eq(c.n_cors_origins, 2);
    config_free(&c);
}
END_TEST

START_TEST(default_file_is_read)
{
    ck_assert_int_eq(mkdir("config", 0755), 0);
    write_file("config/corridord.json", "{\"listen\": \"0.0.0.0:9090\", \"workers\": 8, "
                                        "\"cors_origins\": [\"*\"], \"log_level\": \"debug\"}");
    struct config c;
    char err[256] = "";
    ck_assert_int_eq(config_load(&c, NULL, err, sizeof err), 0);
    ck_assert_str_eq(c.listen_host, "0.0.0.0");
    ck_assert_uint_eq(c.listen_port, 9090);
    ck_assert_uint_eq(c.workers, 8);
    ck_assert_uint_eq(c.n_cors_origins, 1);
    ck_assert_str_eq(c.cors_origins[0], "*");
    ck_assert_str_eq(c.log_level, "debug");
    ck_assert_uint_eq(c.body_limit, 65536); /* untouched keys keep their defaults */
    config_free(&c);
}
END_TEST

START_TEST(env_overrides_file)
{
    write_file("cfg.json", "{\"listen\": \"127.0.0.1:9090\", \"workers\": 8, "
                           "\"database_url\": \"dbname=fromfile\"}");
    setenv("CORRIDOR_DATABASE_URL", "host=/tmp dbname=fromenv", 1);
    setenv("CORRIDOR_LISTEN", "127.0.0.1:0", 1);
    setenv("CORRIDOR_WORKERS", "3", 1);
    setenv("CORRIDOR_BOOKING_CONCURRENCY", "1", 1);
    setenv("CORRIDOR_BOOKING_BATCH", "3", 1);
    setenv("CORRIDOR_LOG_LEVEL", "warn", 1);
    setenv("CORRIDOR_BODY_LIMIT", "1024", 1);
    setenv("CORRIDOR_CORS_ORIGINS", "http://a.example, http://b.example", 1);
    struct config c;
    char err[256] = "";
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), 0);
    ck_assert_str_eq(c.database_url, "host=/tmp dbname=fromenv");
    ck_assert_uint_eq(c.listen_port, 0);
    ck_assert_uint_eq(c.workers, 3);
    ck_assert_uint_eq(c.booking_concurrency, 1);
    ck_assert_uint_eq(c.booking_batch, 3);
    ck_assert_str_eq(c.log_level, "warn");
    ck_assert_uint_eq(c.body_limit, 1024);
    ck_assert_uint_eq(c.n_cors_origins, 2);
    ck_assert_str_eq(c.cors_origins[1], "http://b.example");
    config_free(&c);
}
END_TEST

START_TEST(unknown_key_named)
{
    write_file("cfg.json", "{\"workers\": 2, \"wrokers\": 4}");
    struct config c;
    char err[256] = "";
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_str_eq(err, "cfg.json: unknown key \"wrokers\"");
}
END_TEST

START_TEST(bad_values_named)
{
    struct config c;
    char err[256] = "";
    write_file("cfg.json", "{\"workers\": \"four\"}");
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_str_eq(err, "cfg.json: workers must be an integer 1..1024, got \"four\"");

    write_file("cfg.json", "{\"http_threads\": 0}");
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_str_eq(err, "cfg.json: http_threads must be an integer 1..64, got 0");

    write_file("cfg.json", "{\"listen\": \"localhost\"}");
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_str_eq(err, "cfg.json: listen must be host:port (port 0..65535), got \"localhost\"");

    write_file("cfg.json", "{\"log_level\": \"loud\"}");
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_str_eq(err,
                     "cfg.json: log_level must be one of debug, info, warn, error, got \"loud\"");

    write_file("cfg.json", "{\"cors_origins\": [\"http://a\", 5]}");
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_str_eq(err, "cfg.json: cors_origins[1] must be a non-empty string, got 5");

    write_file("cfg.json", "{\"workers\": 2,}");
    ck_assert_int_eq(config_load(&c, "cfg.json", err, sizeof err), -1);
    ck_assert_msg(strncmp(err, "cfg.json:1:", 11) == 0, "parse error names the place: %s", err);

    setenv("CORRIDOR_WORKERS", "12x", 1);
    ck_assert_int_eq(config_load(&c, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "CORRIDOR_WORKERS: workers must be an integer 1..1024, got \"12x\"");
}
END_TEST

START_TEST(missing_explicit_file_fails)
{
    struct config c;
    char err[256] = "";
    ck_assert_int_eq(config_load(&c, "nope.json", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "nope.json") != NULL, "%s", err);
}
END_TEST

START_TEST(listen_forms)
{
    char *host = NULL;
    unsigned port = 1;
    ck_assert_int_eq(config_parse_listen("127.0.0.1:8080", &host, &port), 0);
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert_uint_eq(port, 8080);
    free(host);
    ck_assert_int_eq(config_parse_listen("[::1]:0", &host, &port), 0);
    ck_assert_str_eq(host, "::1");
    ck_assert_uint_eq(port, 0);
    free(host);
    ck_assert_int_eq(config_parse_listen(":9000", &host, &port), 0);
    ck_assert_str_eq(host, "0.0.0.0");
    free(host);
    ck_assert_int_eq(config_parse_listen("host:65536", &host, &port), -1);
    ck_assert_int_eq(config_parse_listen("host:", &host, &port), -1);
    ck_assert_int_eq(config_parse_listen("host:-1", &host, &port), -1);
    ck_assert_int_eq(config_parse_listen("8080", &host, &port), -1);
    ck_assert_int_eq(config_parse_listen("", &host, &port), -1);
}
END_TEST

Suite *config_suite(void);
Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_without_file);
    tcase_add_test(tc, default_file_is_read);
    tcase_add_test(tc, env_overrides_file);
    tcase_add_test(tc, unknown_key_named);
    tcase_add_test(tc, bad_values_named);
    tcase_add_test(tc, missing_explicit_file_fails);
    tcase_add_test(tc, listen_forms);
    suite_add_tcase(s, tc);
    return s;
}
