-- wrk script for tests/bench/run.sh: the "MHD POST + jansson" ceiling, the
-- same body as ../shared/bench/ceiling-http.sh posts to mhd_hello's /book.
wrk.method = "POST"
wrk.body = '{"ref":"BK-000000123","customer":"ACME Ltd","legs":[{"slot":12,"teu":2},{"slot":455,"teu":2},{"slot":1710,"teu":2}]}'
wrk.headers["Content-Type"] = "application/json"
