-- GET <prefix><id> for the ids of a file (one a line), round robin; each thread starts at its own
-- place. Usage: wrk ... -s get_ids.lua <url> -- <path prefix> <ids file>
local ids = {}
local i = 0
local prefix

function init(args)
   prefix = args[1]
   for line in io.lines(args[2]) do
      ids[#ids + 1] = line
   end
   i = math.random(#ids)
end

function request()
   i = i % #ids + 1
   return wrk.format("GET", prefix .. ids[i])
end
