-- (b-new) POST /v1/launches for a player never seen before on every request.
-- Args: <player id prefix, unique per run> [keyed]. With "keyed", every request also carries
-- its own Idempotency-Key (the transactional path). The token comes from -H Authorization.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local prefix, counter, keyed = nil, 0, false
local template = '{"product":"roulette","player":{"id":"%s%d","nickname":"n",'
  .. '"language":"en","currency":"EUR"}}'

function init(args)
  prefix = (args[1] or "new") .. "-t" .. id .. "-"
  keyed = args[2] == "keyed"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local headers = nil
  if keyed then -- wrk.format uses these instead of wrk.headers: copy them, then add the key
    headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["Idempotency-Key"] = prefix .. counter
  end
  return wrk.format("POST", "/v1/launches", headers, string.format(template, prefix, counter))
end
