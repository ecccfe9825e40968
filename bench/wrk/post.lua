-- Comment writers: one per wrk thread (run with -t N -c N), each a reader with
-- its own CSRF cookie and token, fetched the way the page's script does
-- (bench/posting.py). Every post is a new reader (own email, own address in
-- X-Forwarded-For, new text), so the rate limits and the duplicate rule see
-- what they would in a busy comment section, and nothing is refused for
-- being the same reader twice.
--
-- Arguments after "--": path, run id, origin, then token and cookie per writer.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  path, run, origin = args[1], args[2], args[3]
  token, cookie = args[2 + id * 2], args[3 + id * 2]
  counter = 0
  accepted, confirm, forbidden, duplicate, limited, failed, other = 0, 0, 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local n = id * 1048576 + counter
  local ip = string.format("127.%d.%d.%d",
    math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local who = id .. "-" .. counter .. "-" .. run
  local body = "name=Reader+" .. who ..
    "&email=w" .. who .. "%40writers.bench.invalid" ..
    "&body=Comment+" .. who .. "+on+the+security+pact%2C+from+the+benchmark." ..
    "&parent=&website=&js=1&csrfmiddlewaretoken=" .. token
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie,
    ["Origin"] = origin,
    ["Sec-Fetch-Site"] = "same-origin",
    ["X-Forwarded-For"] = ip,
  }, body)
end

function response(status, headers, body)
  if status == 303 then accepted = accepted + 1
  elseif status == 200 then confirm = confirm + 1  -- not verified: "confirm" page
  elseif status == 403 then forbidden = forbidden + 1
  elseif status == 409 then duplicate = duplicate + 1
  elseif status == 429 then limited = limited + 1
  elseif status >= 500 then failed = failed + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local totals = {accepted = 0, confirm = 0, forbidden = 0, duplicate = 0,
                  limited = 0, failed = 0, other = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"connect_errors": %.0f, "read_errors": %.0f, "write_errors": %.0f, ' ..
    '"status_errors": %.0f, "timeouts": %.0f, "p50_us": %.0f, ' ..
    '"p90_us": %.0f, "p99_us": %.0f, "max_us": %.0f, "accepted": %.0f, ' ..
    '"confirm": %.0f, "forbidden": %.0f, "duplicate": %.0f, "limited": %.0f, ' ..
    '"failed": %.0f, "other": %.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, totals.accepted, totals.confirm, totals.forbidden,
    totals.duplicate, totals.limited, totals.failed, totals.other))
end
