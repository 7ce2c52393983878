-- POST one single-SQL job per request; `-- <think_ms> [<API key>]` paces each connection (0 = flat out)
-- and, when a key is given, sends it as the bearer (the authenticated path).
-- done() prints one JSON line (prefixed BENCH) that bench/ingest_load.py parses.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"sql_content": "select a, b from t where x = 1\\n", "file_name": "one.sql", "dialect": "ansi"}'

local think_ms = 0

function init(args)
  think_ms = tonumber(args[1] or "0") or 0
  if args[2] ~= nil and args[2] ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. args[2]
  end
end

function delay()
  return think_ms
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
