-- (e) POST /play/api/slots/spins: 20-cent spins of monaco-nights, spread over the play sessions
-- of many players. Args: <file with one play-session token per line> <number of wrk threads>
-- <label for spin ids>. Thread i takes lines i, i+n, ... and walks its own slice, so no two
-- threads spin for one player at once (a player's rounds wait for each other on the wallet).
-- Every request has a new spin id (label-thread-counter), so none is a replay.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

play_api("/play/api/slots/spins", function(label, thread, counter)
  return string.format('{"spin_id":"%s-%d-%d","bet":20}', label, thread, counter)
end)
