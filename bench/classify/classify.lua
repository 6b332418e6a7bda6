-- wrk script: POST varied Swedish report texts to /api/v1/classify.
local bodies = {
  '{"description":"En bil har kört av vägen och voltat på E4, föraren skadad"}',
  '{"description":"Det brinner i ett flerfamiljshus, kraftig rökutveckling","hour":3}',
  '{"description":"Min cykel blev stulen utanför skolan","top_k":5}',
  '{"description":"En man misshandlades utanför krogen med kniv","sensors":{"peak_g":5.2,"impact_detected":true,"audio_peak_dbfs":-2}}',
  '{"description":"Någon har gjort inbrott i vår lägenhet medan vi var bortresta"}',
  '{"description":"Ungdomar sålde narkotika vid tunnelbanan","latitude":59.33,"longitude":18.07}',
  '{"description":"asdf qwer zxcv"}',
  '{"description":"Klotter på väggen vid skolan och krossade fönster"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[(i % #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors (non-2xx/3xx) %d, timeouts %d\n", summary.requests, summary.errors.status, summary.errors.timeout))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
