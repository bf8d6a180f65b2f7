-- wrk script for tests/bench/run.sh: POST /v1/quotes with one fixed request.
--   BENCH_KEY         forwarder API key (Authorization: Bearer)
--   BENCH_QUOTE_BODY  the JSON request body
-- No response() callback: wrk then does not hand every answer to Lua, so
-- the load generator costs what it costs for the ceiling run beside it.
-- Non-2xx answers are counted by wrk itself ("Non-2xx or 3xx responses").
local key = os.getenv("BENCH_KEY")
local body = os.getenv("BENCH_QUOTE_BODY")
if not key or not body then
    io.stderr:write("quote.lua: set BENCH_KEY and BENCH_QUOTE_BODY\n")
    os.exit(2)
end
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key
