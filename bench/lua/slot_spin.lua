-- (e) POST /play/api/slots/spins: 20-cent spins of monaco-nights, spread over the play sessions
-- of many players. Args: <file with one play-session token per line> <label for spin ids>.
-- Every request has a new spin id (label-thread-counter), so none is a replay.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local sessions, counter, label = {}, 0, "run"

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      sessions[#sessions + 1] = line
    end
  end
  label = args[2] or "run"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  -- Threads start at different sessions and walk through all of them.
  local session = sessions[(counter + id * 17) % #sessions + 1]
  wrk.headers["Authorization"] = "Bearer " .. session
  local body = string.format('{"spin_id":"%s-%d-%d","bet":20}', label, id, counter)
  return wrk.format("POST", "/play/api/slots/spins", nil, body)
end
