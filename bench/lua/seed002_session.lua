-- (d-002) Seed 002: POST …/cammer/generate-session, a new customer (cellphone) each time.
-- Args: <first number offset>. Numbers are Spanish mobiles +34 600 xxx xxx; the offset keeps
-- the warm-up's customers apart from the timed run's.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local offset, counter = 0, 0
local template = '{"name":"Abraham","cellphone":"+34600%06d",'
  .. '"ticket":{"title":"Oferta","description":"20%% de descuento"}}'

function init(args)
  offset = tonumber(args[1] or "0") + id * 200000
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Requested-With"] = "XMLHttpRequest"
end

function request()
  counter = counter + 1
  local body = string.format(template, offset + counter)
  return wrk.format("POST", "/api/v1/access/external/cammer/generate-session", nil, body)
end
