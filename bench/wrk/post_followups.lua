-- POST /kiv/v1/followUps, one action and period pair per request (a file of `actionId,period`
-- lines, split between the threads), so that every request creates a follow-up. Once a thread's
-- pairs run out it starts over and gets 409s, which wrk counts as non-2xx.
-- Usage: wrk ... -s post_followups.lua <url> -- <pairs file> <threads>
local next_tid = 0
local pairs_ = {}
local i = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
end

function init(args)
   local threads = tonumber(args[2])
   local n = 0
   for line in io.lines(args[1]) do
      if n % threads == tid then
         pairs_[#pairs_ + 1] = line
      end
      n = n + 1
   end
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   i = i + 1
   local line = pairs_[(i - 1) % #pairs_ + 1]
   local action, period = line:match("([^,]+),([^,]+)")
   local body = string.format(
      '{"actionId":"%s","period":"%s","status":"onTrack","progress":%d,"narrative":{"nl":"Benchmark"}}',
      action, period, i % 100)
   return wrk.format("POST", "/kiv/v1/followUps", nil, body)
end
