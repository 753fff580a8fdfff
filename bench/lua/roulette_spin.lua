-- (f) POST /play/api/roulette/spins: a round of three 1-euro bets (red, straight 17, second
-- dozen), spread over the play sessions of many players. Args as slot_spin.lua: <file with
-- one play-session token per line> <number of wrk threads> <label for round ids>.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local bets = '[{"type":"red","amount":100},{"type":"straight","numbers":[17],"amount":100},'
  .. '{"type":"dozen","target":2,"amount":100}]'

play_api("/play/api/roulette/spins", function(label, thread, counter)
  return string.format('{"round_id":"%s-%d-%d","bets":%s}', label, thread, counter, bets)
end)
