-- wrk script: the mixed workload of a city using Halo, by request share
--   70 % GET  /api/v1/predictions/hotspots  the map's hexagon layer: a viewport and an hour, as halo-map.js asks for it
--                                           (box padded by half the view and snapped to the resolution's grid, GeoJSON, limit 1000)
--   20 % GET  /api/v1/incidents             the map's incident layer for the same kind of viewport (MapPage.razor: the last
--                                           7 days, limit 500; or a chosen month of the bundled 2024 sample)
--    8 % POST /api/v1/reports/submit        a citizen report (as bench/reports/submit.lua: unique Idempotency-Key and device id)
--    2 % POST /api/v1/classify              the report form's category suggestion
-- Viewports fall on Stockholm, Gothenburg, Malmö and Uppsala (most traffic) or anywhere in Sweden, at three zoom bands:
-- street (res 8), district (res 7) and region (res 6).
-- Status counting: wrk gives no per-request type in response(), so answers are counted by status only; 409 (same key
-- in flight) and 429 (rate limited) are counted apart from other non-2xx, which are errors.
local cities = { { 59.33, 18.07 }, { 57.71, 11.97 }, { 55.60, 13.00 }, { 59.86, 17.64 } }
local categories = { "violence", "weapons", "robbery", "burglary", "theft", "vehicle_crime", "vandalism", "drugs",
  "fire", "traffic", "disturbance", "sexual_offence", "fraud", "suspicious_activity", "other" }
local texts = {
  "En bil har kört av vägen och voltat på E4, föraren skadad",
  "Det brinner i ett flerfamiljshus, kraftig rökutveckling",
  "Min cykel blev stulen utanför skolan",
  "En man misshandlades utanför krogen med kniv",
  "Någon har gjort inbrott i vår lägenhet medan vi var bortresta",
  "Ungdomar sålde narkotika vid tunnelbanan",
  "Klotter på väggen vid skolan och krossade fönster",
  "Bråk och skrik i trapphuset sent på natten",
}
-- zoom band: resolution, grid step of halo-map.js, padded box size in degrees (lon, lat)
local bands = { { 8, 0.05, 0.35, 0.20 }, { 7, 0.2, 1.4, 0.8 }, { 6, 0.5, 5.0, 3.0 } }
local months = { "07", "08", "09", "10", "11", "12" }

local threads = {}
counter = 0
ok2xx, s409, s429, other = 0, 0, 0, 0
sent_hot, sent_inc, sent_rep, sent_cls = 0, 0, 0, 0
first_errors = ""

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

local function point()
  if math.random() < 0.8 then
    local c = cities[math.random(#cities)]
    return c[1] + (math.random() - 0.5) * 0.2, c[2] + (math.random() - 0.5) * 0.4
  end
  return 55.4 + math.random() * 13.5, 11.2 + math.random() * 12.5
end

local function snapped_box(lat, lon, step, w, h)
  local function down(v) return math.floor(v / step) * step end
  local function up(v) return math.ceil(v / step) * step end
  return string.format("%.5f,%.5f,%.5f,%.5f", down(lon - w / 2), down(lat - h / 2), up(lon + w / 2), up(lat + h / 2))
end

local function band()
  local r = math.random()
  if r < 0.6 then return bands[1] elseif r < 0.9 then return bands[2] end
  return bands[3]
end

local function iso(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

request = function()
  counter = counter + 1
  local r = math.random()
  if r < 0.70 then
    sent_hot = sent_hot + 1
    local lat, lon = point()
    local b = band()
    return wrk.format("GET", string.format("/api/v1/predictions/hotspots?bbox=%s&hours_ahead=%d&resolution=%d&format=geojson&limit=1000",
      snapped_box(lat, lon, b[2], b[3], b[4]), math.random(0, 23), b[1]), { Accept = "application/geo+json, application/json" })
  elseif r < 0.90 then
    sent_inc = sent_inc + 1
    local lat, lon = point()
    local b = bands[math.random() < 0.7 and 1 or 2]
    local window
    if math.random() < 0.7 then window = "rolling_days=7"
    else
      local m = months[math.random(#months)]
      window = string.format("from=2024-%s-01T00:00:00Z&to=2024-%s-28T00:00:00Z", m, m)
    end
    return wrk.format("GET", string.format("/api/v1/incidents?bbox=%s&limit=500&%s", snapped_box(lat, lon, b[2], b[3], b[4]), window))
  elseif r < 0.98 then
    sent_rep = sent_rep + 1
    local now = os.time()
    local lat, lon = point()
    local cat = categories[math.random(#categories)]
    local id = string.format("%d-%d-%d-%d", tid or 0, counter, now, math.random(1, 1000000000))
    local body = string.format('{"category":"%s","latitude":%.6f,"longitude":%.6f,"accuracy_m":15,"occurred_at":"%s","description":"load report %s","device_id":"load-device-%s","media_ids":[],"ai_suggestion":{"category":"%s","confidence":0.71,"model_version":"bench"}}',
      cat, lat, lon, iso(now - math.random(0, 7 * 24 * 3600)), id, id, cat)
    return wrk.format("POST", "/api/v1/reports/submit",
      { ["Content-Type"] = "application/json", ["Idempotency-Key"] = "load-" .. id, ["X-Device-Id"] = "load-device-" .. id }, body)
  end
  sent_cls = sent_cls + 1
  local lat, lon = point()
  return wrk.format("POST", "/api/v1/classify", { ["Content-Type"] = "application/json" },
    string.format('{"description":"%s","latitude":%.5f,"longitude":%.5f,"top_k":3}', texts[math.random(#texts)], lat, lon))
end

response = function(status, headers, body)
  if status >= 200 and status < 300 then ok2xx = ok2xx + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status == 429 then s429 = s429 + 1
  else
    other = other + 1
    if other <= 3 then first_errors = first_errors .. string.format("  %d %s\n", status, string.sub(body or "", 1, 160)) end
  end
end

done = function(summary, latency, requests)
  local t = { ok = 0, c409 = 0, c429 = 0, other = 0, hot = 0, inc = 0, rep = 0, cls = 0 }
  local samples = ""
  for _, th in ipairs(threads) do
    t.ok = t.ok + th:get("ok2xx"); t.c409 = t.c409 + th:get("s409"); t.c429 = t.c429 + th:get("s429"); t.other = t.other + th:get("other")
    t.hot = t.hot + th:get("sent_hot"); t.inc = t.inc + th:get("sent_inc"); t.rep = t.rep + th:get("sent_rep"); t.cls = t.cls + th:get("sent_cls")
    samples = samples .. th:get("first_errors")
  end
  -- One machine-readable line for bench/load/soak.sh, then the human one.
  io.write(string.format("MIXED requests=%d ok2xx=%d s409=%d s429=%d other=%d socket_connect=%d socket_read=%d socket_write=%d socket_timeout=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f sent_hotspots=%d sent_incidents=%d sent_reports=%d sent_classify=%d\n",
    summary.requests, t.ok, t.c409, t.c429, t.other, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, t.hot, t.inc, t.rep, t.cls))
  if samples ~= "" then io.write("first error answers:\n" .. samples) end
end
