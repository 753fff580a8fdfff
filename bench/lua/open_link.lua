-- (c) GET /launch/<token> on links created beforehand, each token exactly once.
-- Args: <file with one token per line> <number of wrk threads>. Thread i takes lines
-- i, i+n, i+2n, ... so the slices are disjoint. When a thread runs out it repeats its last
-- token (answered 409/410, counted as a failure) and counts the shortfall in `exhausted`.
dofile(debug.getinfo(1, "S").source:sub(2):match("^(.*/)") .. "common.lua")

local tokens, position = {}, 0

function init(args)
  tokens = thread_slice(args[1], tonumber(args[2]))
end

function request()
  position = position + 1
  local token = tokens[position]
  if token == nil then
    exhausted = exhausted + 1
    token = tokens[#tokens] or "missing"
  end
  return wrk.format("GET", "/launch/" .. token)
end
