#!/bin/bash
# The second official run of issue 15, once each: the candidates now include hawkes_etas (developed on the
# development windows only). The first run's files (official-runs-issue15.sh) stay as they were.
# Run from a Release build of the commit that makes hawkes_etas a candidate, copied to /tmp/pred-eval2.
cd /tmp/pred-eval2
export ASPNETCORE_ENVIRONMENT=Development
D=/work/shared/data
O=/work/main/bench/predictions
run() { name=$1; shift; echo "== $name start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; /usr/bin/time -f "$name wall %e s, max RSS %M KB" nice -n 10 dotnet Halo.Api.dll eval "$@" > /tmp/pred-eval2/$name.log 2>&1; echo "== $name end $(date -u +%T) rc $? load $(cut -d' ' -f1-3 /proc/loadavg)"; tail -1 /tmp/pred-eval2/$name.log; }
run stlouis-aa-2019 csv $D/crime/stlouis_crimes_2015_2019.csv.gz --id-col complaint --time-col occurred_at --time-zone America/Chicago --lat-col latitude --lon-col longitude --category-col category --raw-category aggravated_assault --default-category violence --start 2019-01-01 --end 2020-01-01 --horizon 1d --resolution 9 --out $O/run2-stlouis-aa-2019.json
run cincinnati-2018 csv $D/crime/cincinnati_burglary.csv.gz --time-col offense_date --lat-col latitude --lon-col longitude --category-col offense --default-category burglary --start 2018-01-01 --end 2019-01-01 --horizon 1d --resolution 9 --out $O/run2-cincinnati-2018.json
run stlouis-all-2019 csv $D/crime/stlouis_crimes_2015_2019.csv.gz --id-col complaint --time-col occurred_at --time-zone America/Chicago --lat-col latitude --lon-col longitude --category-col category --default-category other --start 2019-01-01 --end 2020-01-01 --horizon 1d --resolution 9 --out $O/run2-stlouis-all-2019.json
run polisen-2024h2 polisen $D/polisen/events-2022-2024.json.gz --start 2024-07-01 --end 2025-01-01 --horizon 1d --resolution 8 --out $O/run2-polisen-2024h2.json
echo ALL DONE $(date -u +%T)
