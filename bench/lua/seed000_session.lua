-- (d-000) Seed 000: POST /1.0/request/session with form parameters, a new user each time.
-- Args: <token> <client id> <user id prefix>. Every answer is HTTP 200, so only bodies with
-- "status":"OK" count as 200; error bodies are counted under the pseudo-status 599.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local form, counter = nil, 0

function init(args)
  form = "TokenId=" .. args[1] .. "&ClientId=" .. args[2] .. "&UserName=n"
    .. "&UserEmail=n%40example.com&UserId=" .. args[3] .. "-t" .. id .. "-"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/1.0/request/session", nil, form .. counter)
end

function response(status, headers, body)
  if status == 200 and not body:find('"status":"OK"', 1, true) then
    status = 599
  end
  statuses[status] = (statuses[status] or 0) + 1
end
