-- wrk script for bench/ingest.mjs: POST the file named by $BENCH_BODY as application/json.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
