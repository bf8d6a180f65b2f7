-- wrk script for tests/bench/run.sh: POST /v1/quotes where no two requests
-- are alike, so that no quote can reuse an offer priced moments before
-- (quote_cache.h): every one is searched, priced, rendered and its 22 KB of
-- options stored.  The request is the fixed one of quote.lua with
-- cargo.commodity made unique by a counter (commodity does not change the
-- price, only the request).
--   BENCH_KEY         forwarder API key (Authorization: Bearer)
--   BENCH_QUOTE_BODY  the JSON request body; must contain "cargo":{
local key = os.getenv("BENCH_KEY")
local body = os.getenv("BENCH_QUOTE_BODY")
if not key or not body or not body:find('"cargo":{', 1, true) then
    io.stderr:write("quote_distinct.lua: set BENCH_KEY and BENCH_QUOTE_BODY (with \"cargo\":{)\n")
    os.exit(2)
end
local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
}
local n = 0
local prefix = tostring(math.random(1, 1000000000))

function request()
    n = n + 1
    local b = body:gsub('"cargo":{', '"cargo":{"commodity":"bench ' .. prefix .. '-' .. n .. '",', 1)
    return wrk.format("POST", nil, headers, b)
end
