-- One wrk script for every scenario, configured through environment variables:
--   BENCH_PATHS   file of request paths, one a line: each request picks one at random
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    login | article: a JSON body, made unique per request where it must be
--   BENCH_COOKIE, BENCH_CSRF, BENCH_EMAIL, BENCH_PASSWORD
-- No response() callback: wrk would parse every response's headers into a Lua table, which
-- slows the load generator on the fast scenarios. Status >= 400 is counted by wrk itself.
local paths_file = os.getenv('BENCH_PATHS')
local body_kind = os.getenv('BENCH_BODY')
local cookie = os.getenv('BENCH_COOKIE')
local csrf = os.getenv('BENCH_CSRF')

wrk.method = os.getenv('BENCH_METHOD') or 'GET'
if cookie then wrk.headers['Cookie'] = cookie end
if csrf then wrk.headers['x-csrf-token'] = csrf end
if body_kind then wrk.headers['Content-Type'] = 'application/json' end

local paths = {}
if paths_file then
  for line in io.lines(paths_file) do
    if line ~= '' then paths[#paths + 1] = line end
  end
end

-- Globals: setup() runs in the main Lua state and sets thread_id in each thread's own state.
thread_id = 0
local threads_made = 0
local counter = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set('thread_id', threads_made)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

if #paths > 0 or body_kind then
  function request()
    counter = counter + 1
    local path = #paths > 0 and paths[math.random(#paths)] or wrk.path
    local body = nil
    -- wrk.format takes a whole header table in place of wrk.headers: pass a copy of it.
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    if body_kind == 'login' then
      -- A different client address per login: the site rate-limits logins per address
      -- (the trusted proxy on loopback passes it on), and this measures the login itself.
      headers['X-Forwarded-For'] = string.format('198.18.%d.%d', math.random(0, 255), math.random(1, 254))
      body = '{"email":' .. json_string(os.getenv('BENCH_EMAIL') or '') ..
        ',"password":' .. json_string(os.getenv('BENCH_PASSWORD') or '') .. '}'
    elseif body_kind == 'article' then
      local tag = string.format('%d-%d-%d', thread_id, counter, math.random(1, 1000000000))
      body = '{"title":"Bench new article ' .. tag .. '","body":"Written by the benchmark, run ' .. tag ..
        '.\\n\\nA second paragraph with *some* Markdown.","status":"published"}'
    end
    return wrk.format(nil, path, headers, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,' ..
    '"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,' ..
    '"meanUs":%.1f,"maxUs":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
