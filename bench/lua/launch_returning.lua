-- (b-returning) POST /v1/launches cycling through a small fixed set of player ids, so every
-- request (after the warm-up) updates a player that already exists.
-- Args: <number of distinct players, default 100>.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local players, counter = 100, 0
local template = '{"product":"roulette","player":{"id":"returning-%d","nickname":"n",'
  .. '"language":"en","currency":"EUR"}}'

function init(args)
  players = tonumber(args[1] or "100")
  counter = id  -- threads start at different players
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/launches", nil, string.format(template, counter % players))
end
