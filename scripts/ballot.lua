-- POST paper ballots to a Teahouse vote, cycling through the electorate.
-- env: BALLOT_PATH (/c/x/votes/N/paper), COOKIE, TOKEN, VOTERS (comma-separated)
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
function init(args)
  path = os.getenv("BALLOT_PATH")
  voters = {}
  for v in string.gmatch(os.getenv("VOTERS"), "[^,]+") do table.insert(voters, v) end
  hdrs = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = os.getenv("COOKIE")}
  token = os.getenv("TOKEN")
  n = tid * 7919
end
local choices = {"agree", "disagree", "abstain"}
function request()
  n = n + 1
  local body = "voter=" .. voters[(n % #voters) + 1] .. "&choice=" .. choices[(n % 3) + 1] .. "&_csrf=" .. token
  return wrk.format("POST", path, hdrs, body)
end
