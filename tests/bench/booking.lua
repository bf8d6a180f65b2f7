-- wrk script for tests/bench/run.sh: POST /v1/bookings, each request books
-- the next unused quote (a quote can be booked once).
--   BENCH_KEY          forwarder API key (Authorization: Bearer)
--   BENCH_QUOTE_IDS    file with one quote id per line, pre-created by run.sh
--   BENCH_WRK_THREADS  wrk's -t (default 1): thread i takes ids i, i+T, i+2T, ...
--   BENCH_IDEMPOTENCY  1: every request carries an Idempotency-Key (its
--                      quote id), as a careful partner's would
-- When the ids run out, the last one is sent again (409 quote_already_booked,
-- counted as non-2xx) and "ran_out" says how often: the run then needs more ids.
-- done() prints "statuses: 201=n 409=n ... ran_out=n" over all threads.
local threads = {}
local next_tid = 1

function setup(thread)
    thread:set("tid", next_tid)
    next_tid = next_tid + 1
    table.insert(threads, thread)
end

local key = os.getenv("BENCH_KEY")
local ids_file = os.getenv("BENCH_QUOTE_IDS")
local ids = {}
local pos, step = 0, 1
local headers = { ["Content-Type"] = "application/json" }
local keyed = os.getenv("BENCH_IDEMPOTENCY") == "1"
statuses = {}
ran_out = 0

function init(args)
    if not key or not ids_file then
        io.stderr:write("booking.lua: set BENCH_KEY and BENCH_QUOTE_IDS\n")
        os.exit(2)
    end
    headers["Authorization"] = "Bearer " .. key
    for line in io.lines(ids_file) do
        if #line > 0 then ids[#ids + 1] = line end
    end
    step = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
    pos = (tid or 1) - step
end

function request()
    pos = pos + step
    local id = ids[pos]
    if not id then
        ran_out = ran_out + 1
        id = ids[#ids] or "00000000-0000-0000-0000-000000000000"
    end
    if keyed then
        headers["Idempotency-Key"] = "bench-" .. id
    end
    return wrk.format("POST", "/v1/bookings", headers,
                      '{"quote_id":"' .. id .. '","option":1}')
end

function response(status, hdrs, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total, out = {}, 0
    for _, t in ipairs(threads) do
        local s = t:get("statuses") or {}
        for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
        out = out + (t:get("ran_out") or 0)
    end
    local keys = {}
    for k in pairs(total) do keys[#keys + 1] = k end
    table.sort(keys)
    local line = "statuses:"
    for _, k in ipairs(keys) do line = line .. " " .. k .. "=" .. total[k] end
    io.write(line .. " ran_out=" .. out .. "\n")
end
