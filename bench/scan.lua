-- wrk script used by bench/scans.py: every request scans the next target of this thread's share
-- of a targets file (lines "<QR payload>\t<session id or empty>"), each with a fresh nonce.
-- Arguments after `--`: targets file, device token, request path, thread count, expected outcome.
-- A thread stops when its share runs out, so no target is scanned twice in one run; throughput
-- is counted from scan responses only.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, token, thread_count = args[1], args[2], tonumber(args[4])
  path, expected = args[3], args[5]
  targets = {}
  local line_number = 0
  for line in io.lines(file) do
    if line_number % thread_count == id - 1 then
      table.insert(targets, line)
    end
    line_number = line_number + 1
  end
  -- args[6] (optional): a salt, so that two wrk processes started in the same second send
  -- different nonces (bench/replicas.py).
  math.randomseed(os.time() * 1000 + id + (tonumber(args[6]) or 0) * 7919)
  position, acknowledged, unexpected = 0, 0, 0
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

local function uuid4()
  local hex = {}
  for i = 1, 32 do
    hex[i] = string.format("%x", math.random(0, 15))
  end
  hex[13] = "4"
  hex[17] = string.format("%x", 8 + math.random(0, 3))
  local s = table.concat(hex)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20) .. "-" .. s:sub(21, 32)
end

function request()
  position = position + 1
  if position > #targets then
    -- Share done: stop, and until the thread ends send requests that are not counted.
    pcall(function() wrk.thread:stop() end)
    return wrk.format("GET", "/healthz")
  end
  local code, session = targets[position]:match("^([^\t]*)\t?(.*)$")
  local body = '{"code":"' .. code .. '","direction":"in","nonce":"' .. uuid4() ..
      '","occurred_at":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '"'
  if session ~= "" then
    body = body .. ',"session_id":"' .. session .. '"'
  end
  return wrk.format("POST", path, headers, body .. "}")
end

function response(status, _, body)
  if status == 200 and body:find('"outcome":"' .. expected .. '"', 1, true) then
    acknowledged = acknowledged + 1
  elseif status == 200 and not body:find('"outcome"', 1, true) then
    return -- a /healthz filler after this thread's share ran out
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, _)
  local acknowledged_total, unexpected_total = 0, 0
  for _, thread in ipairs(threads) do
    acknowledged_total = acknowledged_total + thread:get("acknowledged")
    unexpected_total = unexpected_total + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50":%.2f,"p90":%.2f,"p99":%.2f,"max":%.2f,' ..
    '"acknowledged":%d,"unexpected":%d,"socket_errors":%d}\n',
    acknowledged_total + unexpected_total, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, acknowledged_total, unexpected_total,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout))
end
