-- (d-001) Seed 001: POST /api/session?MEMB_ID=…&HASH=…, a new uuid and player each time.
-- Args: <partner id> <token> <run number, 0-255>. The uuid is the request's idempotency key,
-- so this is the transactional path.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local path, run, counter = nil, 0, 0
local template = '{"uuid":"%08x-0000-4000-8000-%012x","gametype":"table","gameid":"roulette",'
  .. '"player":{"id":"lm-%d-%d-%d","nickname":"n","language":"en","currency":"EUR",'
  .. '"session":{"id":"s","ip":"203.0.113.7"}}}'

function init(args)
  path = "/api/session?MEMB_ID=" .. args[1] .. "&HASH=" .. args[2]
  run = tonumber(args[3] or "0")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(template, run * 256 + id, counter, run, id, counter)
  return wrk.format("POST", path, nil, body)
end
