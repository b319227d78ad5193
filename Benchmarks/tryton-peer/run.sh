#!/usr/bin/env bash
# Issue 4's peer benchmark: the same claims through Tryton 8.0's "Create Dunnings" wizard and
# through Recouvre's daily run, both on SQLite, at each size given (default 10000 and 100000).
#   [TRYTON_ORM_CLAIMS=n] Benchmarks/tryton-peer/run.sh [claims ...]
# TRYTON_ORM_CLAIMS books only the first n claims through Tryton's ORM and copies the rest in SQL
# from them (see tryton_dunning.py): the ORM books about twenty claims a second.
# Tryton (trytond, trytond_account_dunning, proteus from PyPI) is installed into a temporary
# virtual environment, removed at the end with everything else this script writes. Python runs
# with -O, as a production server would: trytond checks every id of a batch in an assert each
# time it builds one of the batch's records, which made booking (and dunning) quadratic. Booking the
# claims in Tryton is set-up and is not timed; so is Recouvre's
# import. Prints each side's time and rate and their ratio.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DAY=2026-11-23

python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q "trytond==8.0.*" "trytond_account_dunning==8.0.*" "proteus==8.0.*"
swift build -c release --product recouvre --scratch-path "$ROOT/.build-release" > /dev/null
RECOUVRE="$ROOT/.build-release/release/recouvre"

for N in "${@:-10000 100000}"; do
  CSV="$WORK/claims-$N.csv"
  # One company per claim, due dates over the first ten months of 2026.
  python3 - "$N" "$CSV" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8") as f:
    f.write("invoice_ref;debtor_name;debtor_kind;address_line1;postcode;city;phone;issued_on;due_on;amount\n")
    for i in range(n):
        f.write(f"F{i:07d};Client {i:07d} SARL;entreprise;{i} rue du Test;75001;Paris;01 23 45 {i % 100:02d} {i // 100 % 100:02d};"
                f"01/01/2026;{1 + i % 28:02d}/{1 + i % 10:02d}/2026;{50 + i * 7919 % 20000},{i % 100:02d}\n")
PY

  mkdir -p "$WORK/tryton-$N"
  TRYTON=$(TRYTOND_DATABASE_URI=sqlite:// TRYTOND_DATABASE__PATH="$WORK/tryton-$N" DB_NAME=bench \
    "$WORK/venv/bin/python" -O "$ROOT/Benchmarks/tryton-peer/tryton_dunning.py" "$CSV" "$DAY" \
    2> >(grep --line-buffered '^progress:' >&2) | grep '^tryton:')
  echo "$TRYTON"
  TRYTON_SECONDS=$(echo "$TRYTON" | sed -E 's/.*create dunnings: ([0-9.]+) s.*/\1/')

  DB="sqlite:$WORK/recouvre-$N.sqlite"
  "$RECOUVRE" creditor add --database "$DB" --code PEER --name "Peer SA" --mandate M-1 --signed-on 02/01/2026 \
    --claims-covered "Factures" --commission 12 > /dev/null
  "$RECOUVRE" import --database "$DB" "$CSV" --creditor PEER > /dev/null
  # Imported cases start in intake; the amicable phase is what the daily run works.
  sqlite3 "$WORK/recouvre-$N.sqlite" "UPDATE cases SET status = 'amicable'"
  RUN=$("$RECOUVRE" run --database "$DB" --date "$DAY")
  echo "recouvre: $RUN"
  RUN_SECONDS=$(echo "$RUN" | sed -E 's/.* in ([0-9.]+) s:.*/\1/')
  python3 -c "t, r, n = $TRYTON_SECONDS, $RUN_SECONDS, $N; print(f'{n} claims: Tryton create dunnings {n / t:.0f} lines/s, Recouvre daily run {n / r:.0f} cases/s: {t / r:.0f} times faster')"
done
