-- (b-new) POST /v1/launches for a player never seen before on every request.
-- Args: <player id prefix, unique per run>. The partner token comes from -H Authorization.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local prefix, counter = nil, 0
local template = '{"product":"roulette","player":{"id":"%s%d","nickname":"n",'
  .. '"language":"en","currency":"EUR"}}'

function init(args)
  prefix = (args[1] or "new") .. "-t" .. id .. "-"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/launches", nil, string.format(template, prefix, counter))
end
