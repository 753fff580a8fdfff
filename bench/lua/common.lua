-- Shared by the scenario scripts (loaded with dofile): numbers the threads, counts response
-- statuses per thread and prints one machine-readable summary line when wrk is done.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

statuses = {}
exhausted = 0

-- The non-empty lines of `path` that fall to this thread: lines i, i+n, i+2n, ... of n threads.
function thread_slice(path, nthreads)
  local mine, line_number = {}, 0
  for line in io.lines(path) do
    if line ~= "" then
      if line_number % nthreads == id then
        mine[#mine + 1] = line
      end
      line_number = line_number + 1
    end
  end
  return mine
end

-- A play-API script: POSTs to `path` over the play sessions in the file args[1], each wrk
-- thread of args[2] walking its own slice, with the body `body(label, thread, counter)`
-- (label: args[3], so that warm-up and timed runs use different round ids).
function play_api(path, body)
  local sessions, counter, label = {}, 0, "run"
  function init(args)
    sessions = thread_slice(args[1], tonumber(args[2]))
    label = args[3] or "run"
    wrk.headers["Content-Type"] = "application/json"
  end
  function request()
    counter = counter + 1
    wrk.headers["Authorization"] = "Bearer " .. sessions[counter % #sessions + 1]
    return wrk.format("POST", path, nil, body(label, id, counter))
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_object(map)
  local parts = {}
  for key, value in pairs(map) do
    parts[#parts + 1] = string.format('"%s":%d', tostring(key), value)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local counts, ran_out = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + n
    end
    ran_out = ran_out + (thread:get("exhausted") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},'
      .. '"statuses":%s,"exhausted":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, json_object(counts), ran_out))
end
