-- wrk script: POST one-report batches, each with its own idempotency key, so every request
-- is a real insert (a repeated key would be dropped without a write).
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  math.randomseed(os.time() + id)
  prefix = string.format("w%d_%d", id, math.random(1, 1000000000))
  n = 0
end
function request()
  n = n + 1
  local body = string.format(
    '{"session":"%s","items":[{"key":"%s:%d","at":1700000000000,"page":"/cart","report":' ..
    '{"type":"decision","rule":"promo-rage","prompt":"promo_help","kind":"help","outcome":null,' ..
    '"band":"high","signals":["rage_click"]}}]}', prefix, prefix, n)
  return wrk.format("POST", nil, {["Content-Type"] = "text/plain"}, body)
end
