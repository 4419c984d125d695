-- POSTs to a different pre-made cart on every request, so each request does exactly one add
-- or one checkout. Arguments after `--`: the file of cart ids, `items` or `checkout`, the
-- number of wrk threads, and the JSON body (items) or email (checkout).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local ids, n, i, mode, body = {}, 0, 0, nil, nil

function init(args)
  local file, nthreads = args[1], tonumber(args[3])
  mode, body = args[2], args[4]
  local k = 0
  for line in io.lines(file) do
    if k % nthreads == tid - 1 then
      n = n + 1
      ids[n] = line
    end
    k = k + 1
  end
end

function request()
  i = i + 1
  if i > n then
    error("ran out of carts after " .. n .. " requests: make more")
  end
  local id = ids[i]
  if mode == "items" then
    return wrk.format("POST", "/api/v1/carts/" .. id .. "/items", { ["Content-Type"] = "application/json" }, body)
  end
  return wrk.format("POST", "/api/v1/carts/" .. id .. "/checkout",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = id }, body)
end
