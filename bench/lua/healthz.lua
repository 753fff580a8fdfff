-- (a) Baseline: GET /healthz, the cheapest route (no database, no auth).
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local req = nil

function init(args)
  req = wrk.format("GET", "/healthz")
end

function request()
  return req
end
