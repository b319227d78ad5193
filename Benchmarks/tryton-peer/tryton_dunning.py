"""Tryton 8.0's dunning on the same claims as Recouvre's daily run (issue 4's peer benchmark).

Reads the claim CSV (invoice_ref;debtor_name;...;due_on;amount), books each claim as a customer
receivable line in a Tryton database on SQLite (set-up, not timed: Tryton's ORM, in batches),
then times the "Create Dunnings" wizard (account.dunning.create) driven through proteus, as a user
would run it. Prints one line: claims, seconds, lines/s, dunnings created.

Run by Benchmarks/tryton-peer/run.sh, which installs trytond in a temporary virtual environment.
"""
import csv
import datetime
import os
import sys
import time
from decimal import Decimal

path, run_date = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])

from proteus import Model, Wizard  # noqa: E402
from trytond.modules.account.tests.tools import create_chart, create_fiscalyear, get_accounts  # noqa: E402
from trytond.modules.company.tests.tools import create_company  # noqa: E402
from trytond.tests.tools import activate_modules  # noqa: E402

config = activate_modules('account_dunning', create_company, create_chart)
claims = []
with open(path, newline='', encoding='utf-8') as f:
    for row in csv.DictReader(f, delimiter=';'):
        day, month, year = (int(x) for x in row['due_on'].split('/'))
        claims.append((row['invoice_ref'], row['debtor_name'], datetime.date(year, month, day),
                       Decimal(row['amount'].replace(' ', '').replace(',', '.'))))

# TRYTON_ORM_CLAIMS: how many claims go through the ORM (all by default); see `replicate`.
booked = claims[:int(os.environ.get('TRYTON_ORM_CLAIMS', len(claims)))]

fiscalyears = {}
for year in sorted({c[2].year for c in claims} | {run_date.year}):
    fy = create_fiscalyear(today=datetime.date(year, 6, 1))
    fy.click('create_period')
    fiscalyears[year] = fy
accounts = get_accounts()
Procedure = Model.get('account.dunning.procedure')
procedure = Procedure(name='Relances')
for sequence, days in ((1, 0), (2, 15), (3, 30)):
    level = procedure.levels.new()
    level.sequence = sequence
    level.overdue = datetime.timedelta(days)
procedure.save()

# Set-up (not timed): parties and moves created through Tryton's own ORM on the server side, a
# thousand per call (proteus saves records one call at a time: 150 s per thousand claims).
from trytond.pool import Pool  # noqa: E402
from trytond.transaction import Transaction, TransactionError  # noqa: E402

started = time.perf_counter()
context = Model.get('res.user').get_preferences(True, {})


def book(extras):
    with Transaction().start(config.database_name, config.user, context=context, **extras) as transaction:
        pool = Pool()
        Party, Move, Journal, Period = pool.get('party.party'), pool.get('account.move'), pool.get('account.journal'), pool.get('account.period')
        journal, = Journal.search([('code', '=', 'REV')])
        names = sorted({c[1] for c in booked})
        parties = {}
        for start in range(0, len(names), 1000):
            for party in Party.create([{'name': n, 'dunning_procedure': procedure.id} for n in names[start:start + 1000]]):
                parties[party.name] = party.id
        periods = {}
        for start in range(0, len(booked), 1000):
            values = []
            for ref, name, due, amount in booked[start:start + 1000]:
                key = (due.year, due.month)
                if key not in periods:
                    periods[key] = Period.find(context['company'], date=due)
                values.append({'journal': journal.id, 'period': periods[key], 'date': due, 'description': ref, 'lines': [('create', [
                    {'account': accounts['revenue'].id, 'credit': amount, 'debit': Decimal(0)},
                    {'account': accounts['receivable'].id, 'debit': amount, 'credit': Decimal(0), 'party': parties[name], 'maturity_date': due},
                ])]})
            Move.create(values)
        replicate(transaction, parties)
        transaction.commit()


def replicate(transaction, parties):
    """The claims past TRYTON_ORM_CLAIMS as receivable lines copied in SQL from those the ORM
    booked (same account, journal entry and columns), each with its own due date and amount from
    the CSV and one of the booked parties in turn: Tryton's ORM books about twenty claims a
    second, so a hundred thousand would take over an hour of set-up. Dunning reads move lines,
    whatever wrote them."""
    rest = claims[len(booked):]
    if not rest:
        return
    cursor = transaction.connection.cursor()
    cursor.execute('SELECT * FROM account_move_line WHERE party IS NOT NULL ORDER BY id')
    columns = [d[0] for d in cursor.description]
    templates = cursor.fetchall()
    party_ids = sorted(parties.values())
    copy = [c for c in columns if c not in ('id', 'party', 'maturity_date', 'debit', 'credit')]
    sql = (f'INSERT INTO account_move_line ({", ".join(copy)}, party, maturity_date, debit, credit) '
           f'VALUES ({", ".join("?" * (len(copy) + 4))})')
    rows = []
    for k, (ref, name, due, amount) in enumerate(rest):
        template = dict(zip(columns, templates[k % len(templates)]))
        rows.append([template[c] for c in copy] + [party_ids[k % len(party_ids)], due, amount, Decimal(0)])
    cursor.executemany(sql, rows)


# As Tryton's dispatcher does: a transaction that needs a table lock is restarted holding it.
extras = {}
while True:
    try:
        book(extras)
        break
    except TransactionError as error:
        error.fix(extras)
setup = time.perf_counter() - started
# On standard error, so that whoever runs the benchmark knows when the timed part begins.
print(f"progress: {len(claims)} claims ({len(booked)} through the ORM) booked in {setup:.1f} s; timing create dunnings now", file=sys.stderr, flush=True)

Dunning = Model.get('account.dunning')
started = time.perf_counter()
create = Wizard('account.dunning.create')
create.form.date = run_date
create.execute('create_')
seconds = time.perf_counter() - started
dunnings = len(Dunning.find([]))
print(f"tryton: {len(claims)} claims ({len(booked)} through the ORM, {len(claims) - len(booked)} copied in SQL) booked in {setup:.1f} s (not timed); create dunnings: {seconds:.2f} s = {len(claims) / seconds:.0f} lines/s, {dunnings} dunnings")
