-- (f) POST /play/api/roulette/spins: a round of three 1-euro bets (red, straight 17, second
-- dozen), spread over the play sessions of many players. Args as slot_spin.lua: <file with
-- one play-session token per line> <number of wrk threads> <label for round ids>.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local sessions, counter, label = {}, 0, "run"
local bets = '[{"type":"red","amount":100},{"type":"straight","numbers":[17],"amount":100},'
  .. '{"type":"dozen","target":2,"amount":100}]'

function init(args)
  sessions = thread_slice(args[1], tonumber(args[2]))
  label = args[3] or "run"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  wrk.headers["Authorization"] = "Bearer " .. sessions[counter % #sessions + 1]
  local body = string.format('{"round_id":"%s-%d-%d","bets":%s}', label, id, counter, bets)
  return wrk.format("POST", "/play/api/roulette/spins", nil, body)
end
