import SQLKit

/// The schema's history: numbered migrations, never edited once shipped, applied in order in one
/// transaction each. The same text builds SQLite and PostgreSQL; `{ID}`, `{APPEND_ONLY …}`,
/// `{POSTGRES} …` and `{SQLITE} …` (a statement for one database only) are the only dialect
/// differences.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let statements: [String]
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "foundation", statements: [
            """
            CREATE TABLE creditors (
                id {ID},
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                siren TEXT,
                address_line1 TEXT NOT NULL DEFAULT '',
                address_line2 TEXT NOT NULL DEFAULT '',
                postcode TEXT NOT NULL DEFAULT '',
                city TEXT NOT NULL DEFAULT '',
                country TEXT NOT NULL DEFAULT 'FR',
                iban TEXT,
                mandate_reference TEXT NOT NULL,
                mandate_signed_on TEXT NOT NULL,
                mandate_claims_covered TEXT NOT NULL,
                mandate_guarantee TEXT NOT NULL,
                commission_rate_micro BIGINT NOT NULL,
                commission_fixed_minor BIGINT,
                commission_minimum_minor BIGINT,
                remittance_method TEXT NOT NULL,
                remittance_within_days INTEGER NOT NULL,
                max_plan_months INTEGER NOT NULL,
                notify_every_payment INTEGER NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE users (
                id {ID},
                login TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                role TEXT NOT NULL,
                creditor_id BIGINT REFERENCES creditors(id),
                team TEXT,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE debtors (
                id {ID},
                match_key TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                siren TEXT,
                siret TEXT,
                vat_number TEXT,
                address_line1 TEXT NOT NULL DEFAULT '',
                address_line2 TEXT NOT NULL DEFAULT '',
                postcode TEXT NOT NULL DEFAULT '',
                city TEXT NOT NULL DEFAULT '',
                country TEXT NOT NULL DEFAULT 'FR',
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX debtors_siren ON debtors (siren)",
            """
            CREATE TABLE debtor_contacts (
                id {ID},
                debtor_id BIGINT NOT NULL REFERENCES debtors(id),
                kind TEXT NOT NULL,
                value TEXT NOT NULL,
                source TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'unverified',
                valid_from TEXT,
                valid_until TEXT,
                created_at TEXT NOT NULL,
                UNIQUE (debtor_id, kind, value)
            )
            """,
            """
            CREATE TABLE imports (
                id {ID},
                creditor_id BIGINT NOT NULL REFERENCES creditors(id),
                file_name TEXT NOT NULL,
                file_bytes BIGINT NOT NULL,
                separator TEXT NOT NULL,
                actor TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                rows_read BIGINT NOT NULL DEFAULT 0,
                rows_rejected BIGINT NOT NULL DEFAULT 0,
                claims_created BIGINT NOT NULL DEFAULT 0,
                claims_updated BIGINT NOT NULL DEFAULT 0,
                claims_unchanged BIGINT NOT NULL DEFAULT 0,
                debtors_created BIGINT NOT NULL DEFAULT 0,
                cases_opened BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE cases (
                id {ID},
                creditor_id BIGINT NOT NULL REFERENCES creditors(id),
                debtor_id BIGINT NOT NULL REFERENCES debtors(id),
                status TEXT NOT NULL,
                suspension_reason TEXT,
                resume_to TEXT,
                open_slot INTEGER,
                agent_id BIGINT REFERENCES users(id),
                currency TEXT NOT NULL,
                claimed_minor BIGINT NOT NULL DEFAULT 0,
                paid_minor BIGINT NOT NULL DEFAULT 0,
                claim_count INTEGER NOT NULL DEFAULT 0,
                oldest_due_on TEXT,
                opened_on TEXT NOT NULL,
                opened_import_id BIGINT,
                updated_at TEXT NOT NULL,
                UNIQUE (creditor_id, debtor_id, open_slot)
            )
            """,
            "CREATE INDEX cases_debtor ON cases (debtor_id)",
            "CREATE INDEX cases_status ON cases (status, id)",
            "CREATE INDEX cases_creditor_status ON cases (creditor_id, status, id)",
            "CREATE INDEX cases_opened_import ON cases (opened_import_id)",
            """
            CREATE TABLE claims (
                id {ID},
                creditor_id BIGINT NOT NULL,
                case_id BIGINT NOT NULL REFERENCES cases(id),
                invoice_ref TEXT NOT NULL,
                issued_on TEXT NOT NULL,
                due_on TEXT NOT NULL,
                principal_minor BIGINT NOT NULL CHECK (principal_minor > 0),
                vat_minor BIGINT NOT NULL CHECK (vat_minor >= 0),
                currency TEXT NOT NULL,
                interest_rate_micro BIGINT,
                created_import_id BIGINT,
                changed_import_id BIGINT,
                last_import_id BIGINT,
                import_line BIGINT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (creditor_id, invoice_ref)
            )
            """,
            "CREATE INDEX claims_case ON claims (case_id)",
            "CREATE INDEX claims_last_import ON claims (last_import_id)",
            """
            CREATE TABLE case_events (
                id {ID},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                occurred_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                kind TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT,
                text TEXT NOT NULL,
                data TEXT
            )
            """,
            "CREATE INDEX case_events_case ON case_events (case_id, id)",
            "{APPEND_ONLY case_events}",
            """
            CREATE TABLE investigations (
                case_id BIGINT PRIMARY KEY REFERENCES cases(id),
                reason TEXT,
                reason_notes TEXT NOT NULL DEFAULT '',
                solvency TEXT,
                solvency_notes TEXT NOT NULL DEFAULT '',
                sources TEXT NOT NULL DEFAULT '',
                updated_at TEXT NOT NULL,
                updated_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE column_mappings (
                creditor_id BIGINT PRIMARY KEY REFERENCES creditors(id),
                mapping TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "intake keys and indexes", statements: [
            // Natural keys compare byte for byte on PostgreSQL too: a database created with a
            // libc locale (even C.UTF-8) otherwise sends every key comparison through strcoll,
            // which halved the speed of each index insert on a million-claim import. SQLite
            // already compares text as bytes.
            "{POSTGRES} ALTER TABLE debtors ALTER COLUMN match_key TYPE TEXT COLLATE \"C\"",
            "{POSTGRES} ALTER TABLE claims ALTER COLUMN invoice_ref TYPE TEXT COLLATE \"C\"",
            "{POSTGRES} ALTER TABLE debtor_contacts ALTER COLUMN kind TYPE TEXT COLLATE \"C\"",
            "{POSTGRES} ALTER TABLE debtor_contacts ALTER COLUMN value TYPE TEXT COLLATE \"C\"",
            // A case's totals change after its row is written (every import, every payment), and
            // an import updates every case it opened inside the transaction that wrote it, where
            // old versions cannot be pruned yet: half of each page free lets PostgreSQL update in
            // place without touching the six indexes (21 µs per case instead of 40).
            "{POSTGRES} ALTER TABLE cases SET (fillfactor = 50)",
            // Nothing reads claims by the last import that listed them; the end of an import
            // reads them by the import that changed them.
            "DROP INDEX claims_last_import",
            "CREATE INDEX claims_changed_import ON claims (changed_import_id)",
        ]),
        Migration(version: 3, name: "logins and sessions", statements: [
            // bcrypt; empty until a password is set (nobody can log in with it).
            "ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE users ADD COLUMN disabled_at TEXT",
            // A session is found by the SHA-256 of its cookie: a copy of the table logs nobody in.
            """
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users(id),
                csrf_token TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            """
            CREATE TABLE login_failures (
                id {ID},
                login TEXT NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX login_failures_login ON login_failures (login, at)",
        ]),
        Migration(version: 4, name: "case actions", statements: [
            // What agents did on a case and what came of it; the case history has the same as
            // an event, this table keeps it by channel and outcome for queues and objectives.
            """
            CREATE TABLE case_actions (
                id {ID},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                channel TEXT NOT NULL,
                outcome TEXT NOT NULL,
                report TEXT NOT NULL,
                actor TEXT NOT NULL,
                occurred_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX case_actions_case ON case_actions (case_id, id)",
            "CREATE INDEX case_actions_actor ON case_actions (actor, occurred_at)",
            "{APPEND_ONLY case_actions}",
        ]),
        Migration(version: 5, name: "audit trail", statements: [
            // Every change: who, when, what, before → after. Each entry's hash covers the previous
            // entry's hash, so editing or deleting a past entry breaks the chain (`AuditTrail.verify`).
            """
            CREATE TABLE audit_log (
                id {ID},
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                entity TEXT NOT NULL,
                entity_id TEXT NOT NULL,
                before_state TEXT,
                after_state TEXT,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE
            )
            """,
            "CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id)",
            "{APPEND_ONLY audit_log}",
        ]),
        Migration(version: 6, name: "api tokens", statements: [
            // A user's tokens for the API, found by their SHA-256 (the token is shown once).
            """
            CREATE TABLE api_tokens (
                id {ID},
                user_id BIGINT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
            "CREATE INDEX api_tokens_user ON api_tokens (user_id, id)",
        ]),
        Migration(version: 7, name: "case list orders, documents", statements: [
            // When the case's next planned action falls (set by the amicable engine); the list
            // filters on it.
            "ALTER TABLE cases ADD COLUMN next_action_on TEXT",
            // One index per order of the case list, so a page is an index walk that stops at 51
            // rows whatever the size of the portfolio (the expressions are those of CaseStore.list).
            "CREATE INDEX cases_balance ON cases ((claimed_minor - paid_minor), id)",
            "CREATE INDEX cases_oldest_due ON cases ((COALESCE(oldest_due_on, '9999-12-31')), id)",
            "CREATE INDEX cases_agent ON cases (agent_id, id)",
            "CREATE INDEX cases_next_action ON cases (next_action_on)",
            "CREATE INDEX users_team ON users (team)",
            // Files the agency keeps for a creditor or a case: import rejects now, letters and
            // receipts later. The body is stored with its row, so a backup has everything.
            """
            CREATE TABLE documents (
                id {ID},
                creditor_id BIGINT NOT NULL REFERENCES creditors(id),
                case_id BIGINT REFERENCES cases(id),
                import_id BIGINT REFERENCES imports(id),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                content_type TEXT NOT NULL,
                byte_count BIGINT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                body {BLOB} NOT NULL
            )
            """,
            "CREATE INDEX documents_creditor ON documents (creditor_id, id)",
            "CREATE INDEX documents_case ON documents (case_id, id)",
        ]),
        Migration(version: 8, name: "case list orders within a phase", statements: [
            // The list's usual question is one phase in one order ("amicable, largest balance
            // first"): each order within a phase is an index walk too.
            "CREATE INDEX cases_status_balance ON cases (status, (claimed_minor - paid_minor), id)",
            "CREATE INDEX cases_status_oldest_due ON cases (status, (COALESCE(oldest_due_on, '9999-12-31')), id)",
        ]),
        Migration(version: 9, name: "amicable engine", statements: [
            // The daily run rewrites next_action_on for every case it acts on. Indexed, it kept
            // PostgreSQL from updating the row in place (HOT) and made it rewrite an entry in each
            // of the case's twelve indexes: the first run over 200,000 cases took 16.5 s with the
            // index, 10.2 s without. The list's "next action due" filter walks the order's index
            // and tests the day on each row instead.
            "DROP INDEX cases_next_action",
            // Where a case stands in its strategy (PlanState), advanced by the daily run.
            "ALTER TABLE cases ADD COLUMN strategy_code TEXT",
            "ALTER TABLE cases ADD COLUMN strategy_variant TEXT",
            "ALTER TABLE cases ADD COLUMN strategy_step INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE cases ADD COLUMN strategy_step_on TEXT",
            "ALTER TABLE cases ADD COLUMN strategy_step_channel TEXT",
            // What the agency knows of its contacts with the debtor of a case (ContactState); a
            // row only once something was recorded.
            """
            CREATE TABLE contact_states (
                case_id BIGINT PRIMARY KEY REFERENCES cases(id),
                last_contact_on TEXT,
                last_letter_on TEXT,
                call_attempts TEXT NOT NULL DEFAULT '',
                refused_channels TEXT NOT NULL DEFAULT '',
                promise_cents BIGINT,
                promise_due_on TEXT,
                promise_paid_before_cents BIGINT,
                updated_at TEXT NOT NULL
            )
            """,
            // What the daily run decided: letters, emails and texts for the outbox, calls, visits
            // and reviews for a person's queue. One row per case and task key (strategy step,
            // escalation, promise follow-up), so a rerun creates nothing twice.
            """
            CREATE TABLE collection_tasks (
                id {ID},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                task_key TEXT NOT NULL,
                channel TEXT NOT NULL,
                strategy_code TEXT,
                variant TEXT,
                step_index INTEGER,
                due_on TEXT NOT NULL,
                reason TEXT NOT NULL,
                priority BIGINT NOT NULL DEFAULT 0,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                done_at TEXT,
                done_by TEXT,
                UNIQUE (case_id, task_key)
            )
            """,
            // The queues read queued tasks by priority; letters (most tasks) never enter this index.
            "CREATE INDEX collection_tasks_queue ON collection_tasks (priority, id) WHERE status = 'queued'",
            // The agency's collection settings (strategies, contact rules, queue order), one row per
            // version; the newest is in force.
            """
            CREATE TABLE collection_settings (
                id {ID},
                document TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            // Agents' objectives: a team's apply to its agents unless an agent has their own.
            """
            CREATE TABLE objectives (
                id {ID},
                agent_id BIGINT UNIQUE REFERENCES users(id),
                team TEXT UNIQUE,
                calls_per_day INTEGER NOT NULL,
                reminders_per_week INTEGER NOT NULL,
                updated_at TEXT NOT NULL,
                updated_by TEXT NOT NULL,
                CHECK ((agent_id IS NULL) <> (team IS NULL))
            )
            """,
            // A user's email and whether they want the daily digest of their cases' reports.
            "ALTER TABLE users ADD COLUMN email TEXT",
            "ALTER TABLE users ADD COLUMN daily_digest INTEGER NOT NULL DEFAULT 0",
            // One digest per user and day, so a rerun sends nothing twice.
            """
            CREATE TABLE digests_sent (
                user_id BIGINT NOT NULL REFERENCES users(id),
                day TEXT NOT NULL,
                entries INTEGER NOT NULL,
                sent_at TEXT NOT NULL,
                PRIMARY KEY (user_id, day)
            )
            """,
            // One row per day run: how far it got (resumable) and what it did.
            """
            CREATE TABLE daily_runs (
                run_on TEXT PRIMARY KEY,
                settings_id BIGINT,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                last_case_id BIGINT NOT NULL DEFAULT 0,
                cases_seen BIGINT NOT NULL DEFAULT 0,
                tasks_created BIGINT NOT NULL DEFAULT 0,
                escalations BIGINT NOT NULL DEFAULT 0,
                promises_judged BIGINT NOT NULL DEFAULT 0
            )
            """,
        ]),
        Migration(version: 10, name: "letters and print batches", statements: [
            // The agency's letter settings (identity, templates, postage), one row per version.
            """
            CREATE TABLE letter_settings (
                id {ID},
                document TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            // Every document sent is kept once: its SHA-256 finds it.
            "ALTER TABLE documents ADD COLUMN sha256 TEXT",
            "CREATE INDEX documents_sha256 ON documents (sha256)",
            // The language letters are written in, and whether the postal address still holds
            // (a letter returned "unknown at this address" marks it invalid).
            "ALTER TABLE debtors ADD COLUMN language TEXT NOT NULL DEFAULT 'fr'",
            "ALTER TABLE debtors ADD COLUMN address_status TEXT NOT NULL DEFAULT 'unverified'",
            // One paper letter: which task asked for it, its reference (case reference / sequence),
            // the archived PDF, its print batch, its postage and what the post says of it.
            """
            CREATE TABLE letters (
                id {ID},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                task_id BIGINT UNIQUE REFERENCES collection_tasks(id),
                sequence INTEGER NOT NULL,
                reference TEXT NOT NULL UNIQUE,
                channel TEXT NOT NULL,
                template_code TEXT NOT NULL,
                language TEXT NOT NULL,
                letter_on TEXT NOT NULL,
                first_letter_id BIGINT,
                addressee TEXT NOT NULL,
                address_lines TEXT NOT NULL,
                postcode TEXT NOT NULL,
                pages INTEGER NOT NULL,
                grams INTEGER NOT NULL,
                weight_class INTEGER NOT NULL,
                postage_cents BIGINT NOT NULL,
                amount_due_cents BIGINT NOT NULL,
                document_id BIGINT NOT NULL REFERENCES documents(id),
                batch_id BIGINT,
                status TEXT NOT NULL,
                registered_number TEXT UNIQUE,
                status_on TEXT,
                created_at TEXT NOT NULL,
                UNIQUE (case_id, sequence)
            )
            """,
            "CREATE INDEX letters_batch ON letters (batch_id, postcode, id)",
            // A day's letters of one kind, deposited with the post as one merged PDF and a manifest.
            """
            CREATE TABLE print_batches (
                id {ID},
                batch_on TEXT NOT NULL,
                channel TEXT NOT NULL,
                status TEXT NOT NULL,
                letters INTEGER NOT NULL DEFAULT 0,
                pages INTEGER NOT NULL DEFAULT 0,
                postage_cents BIGINT NOT NULL DEFAULT 0,
                failed INTEGER NOT NULL DEFAULT 0,
                pdf_path TEXT,
                pdf_sha256 TEXT,
                manifest_path TEXT,
                created_at TEXT NOT NULL,
                deposited_at TEXT,
                UNIQUE (batch_on, channel)
            )
            """,
            // Why the outbox could not write a letter (no address, a missing mention): shown to
            // agents, who mend the case; the task stays until then.
            "ALTER TABLE collection_tasks ADD COLUMN problem TEXT",
        ]),
        Migration(version: 11, name: "disputes on some claims", statements: [
            // A debtor may contest some claims of a case only: those stop being collected until the
            // creditor answers (resume, or withdraw them); the rest goes on.
            "ALTER TABLE claims ADD COLUMN disputed_on TEXT",
            "ALTER TABLE claims ADD COLUMN withdrawn_on TEXT",
            // The principal of the case's contested claims, kept out of what the engine and the
            // letters ask for.
            "ALTER TABLE cases ADD COLUMN disputed_minor BIGINT NOT NULL DEFAULT 0",
        ]),
        Migration(version: 12, name: "rate tables", statements: [
            // The published interest rates, one row per version (a new half-year is a new version);
            // until one is saved, the tables Recouvre ships are in force.
            """
            CREATE TABLE rate_settings (
                id {ID},
                document TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
        ]),
        Migration(version: 13, name: "payments and receipts", statements: [
            // Every payment received on a case, by the agency's client-funds account or reported by
            // the creditor. A bank statement entry is booked once (its reference is unique); each
            // payment has its receipt's number (R124-6) and, once rendered, its document.
            """
            CREATE TABLE payments (
                id {ID},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                received_on TEXT NOT NULL,
                amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
                currency TEXT NOT NULL,
                method TEXT NOT NULL,
                received_by TEXT NOT NULL,
                payer TEXT NOT NULL DEFAULT '',
                reference TEXT NOT NULL DEFAULT '',
                debtor_choice TEXT NOT NULL DEFAULT '',
                bank_entry_ref TEXT UNIQUE,
                unallocated_minor BIGINT NOT NULL DEFAULT 0,
                receipt_number TEXT NOT NULL UNIQUE,
                receipt_status TEXT NOT NULL DEFAULT 'pending',
                receipt_document_id BIGINT REFERENCES documents(id),
                recorded_by TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX payments_case ON payments (case_id, id)",
            "CREATE INDEX payments_receipt_pending ON payments (id) WHERE receipt_status = 'pending'",
            // How the ledger put each payment on the claims (Code civil 1342-10, 1343-1); rewritten
            // for the whole case when a payment is booked, since an earlier-dated payment recorded
            // late changes what the later ones found owed.
            """
            CREATE TABLE payment_allocations (
                payment_id BIGINT NOT NULL REFERENCES payments(id),
                claim_id BIGINT NOT NULL REFERENCES claims(id),
                part TEXT NOT NULL,
                amount_minor BIGINT NOT NULL,
                PRIMARY KEY (payment_id, claim_id, part)
            )
            """,
            // The last receipt number given each year: taken in the payment's transaction, so a
            // payment that fails leaves no gap.
            "CREATE TABLE receipt_numbers (year INTEGER PRIMARY KEY, last_rank BIGINT NOT NULL)",
            // Everything received on the case (paid_minor stays the principal paid, so the list's
            // balance indexes keep their meaning); promises are judged on it.
            "ALTER TABLE cases ADD COLUMN received_minor BIGINT NOT NULL DEFAULT 0",
            // What the creditor gave up when it accepted a partial payment as settlement.
            "ALTER TABLE cases ADD COLUMN written_off_minor BIGINT NOT NULL DEFAULT 0",
        ]),
        Migration(version: 14, name: "bank statements", statements: [
            // Each camt.053 statement of the client-funds account imported (the same file imported
            // again finds its row by message and statement id), with what its import did.
            """
            CREATE TABLE bank_statements (
                id {ID},
                message_id TEXT NOT NULL,
                statement_id TEXT NOT NULL,
                account_iban TEXT NOT NULL DEFAULT '',
                file_name TEXT NOT NULL DEFAULT '',
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL,
                credits INTEGER NOT NULL DEFAULT 0,
                booked INTEGER NOT NULL DEFAULT 0,
                queued INTEGER NOT NULL DEFAULT 0,
                already_known INTEGER NOT NULL DEFAULT 0,
                problems TEXT NOT NULL DEFAULT '',
                UNIQUE (message_id, statement_id)
            )
            """,
            // Every credit read, once (its bank entry reference is unique): booked on a case, queued
            // for the accountant with the reason and the cases worth a look, or set aside by them.
            """
            CREATE TABLE bank_credits (
                id {ID},
                statement_id BIGINT NOT NULL REFERENCES bank_statements(id),
                entry_ref TEXT NOT NULL UNIQUE,
                booked_on TEXT NOT NULL,
                amount_minor BIGINT NOT NULL,
                payer TEXT NOT NULL DEFAULT '',
                payer_iban TEXT,
                remittance TEXT NOT NULL DEFAULT '',
                line INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                suggestions TEXT NOT NULL DEFAULT '',
                case_id BIGINT REFERENCES cases(id),
                payment_id BIGINT REFERENCES payments(id),
                resolved_by TEXT,
                resolved_at TEXT
            )
            """,
            "CREATE INDEX bank_credits_queued ON bank_credits (id) WHERE status = 'queued'",
            // The accounts debtors were seen paying from: the next credit from one finds its case
            // even without a reference.
            """
            CREATE TABLE debtor_accounts (
                iban TEXT NOT NULL,
                debtor_id BIGINT NOT NULL REFERENCES debtors(id),
                learned_at TEXT NOT NULL,
                PRIMARY KEY (iban, debtor_id)
            )
            """,
        ]),
        Migration(version: 15, name: "payment plans", statements: [
            // What the mandate says of plans beyond their longest duration (max_plan_months).
            "ALTER TABLE creditors ADD COLUMN plan_min_first_percent INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE creditors ADD COLUMN plan_interest_runs INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE creditors ADD COLUMN plan_grace_days INTEGER NOT NULL DEFAULT 10",
            "ALTER TABLE creditors ADD COLUMN plan_break_to TEXT NOT NULL DEFAULT 'amicable'",
            // A plan proposed on a case: waiting for the creditor's approval, active, completed,
            // broken or refused; the day it started and, when the mandate stops interest while it
            // is kept, that day again (the last day bearing interest, for active and completed plans
            // only: a broken plan's waiver falls); the schedule's letter once sent.
            """
            CREATE TABLE payment_plans (
                id {ID},
                case_id BIGINT NOT NULL REFERENCES cases(id),
                status TEXT NOT NULL,
                balance_minor BIGINT NOT NULL,
                frequency TEXT NOT NULL,
                approval_reasons TEXT NOT NULL DEFAULT '',
                proposed_by TEXT NOT NULL,
                proposed_at TEXT NOT NULL,
                decided_by TEXT,
                decided_at TEXT,
                decision_note TEXT,
                started_on TEXT,
                interest_frozen_from TEXT,
                ended_on TEXT,
                letter_document_id BIGINT REFERENCES documents(id)
            )
            """,
            "CREATE INDEX payment_plans_case ON payment_plans (case_id, id)",
            "CREATE UNIQUE INDEX payment_plans_open ON payment_plans (case_id) WHERE status IN ('awaiting_approval', 'active')",
            "CREATE INDEX payment_plans_active ON payment_plans (id) WHERE status = 'active'",
            // Plans whose schedule has not been sent to the debtor yet (ReceiptRun sends them).
            "CREATE INDEX payment_plans_letter ON payment_plans (id) WHERE status = 'active' AND letter_document_id IS NULL",
            """
            CREATE TABLE plan_instalments (
                plan_id BIGINT NOT NULL REFERENCES payment_plans(id),
                number INTEGER NOT NULL,
                due_on TEXT NOT NULL,
                amount_minor BIGINT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',
                paid_on TEXT,
                PRIMARY KEY (plan_id, number)
            )
            """,
        ]),
        Migration(version: 16, name: "SEPA direct debits", statements: [
            // A payment the bank took back (a direct debit returned): out of the ledger, its receipt kept.
            "ALTER TABLE payments ADD COLUMN reversed_on TEXT",
            // Debtors' SEPA mandates (UMR, signature day, account); a new one replaces the old.
            """
            CREATE TABLE sepa_mandates (
                id {ID},
                debtor_id BIGINT NOT NULL REFERENCES debtors(id),
                reference TEXT NOT NULL UNIQUE,
                debtor_name TEXT NOT NULL,
                iban TEXT NOT NULL,
                bic TEXT,
                signed_on TEXT NOT NULL,
                status TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX sepa_mandates_debtor ON sepa_mandates (debtor_id, id)",
            // Each pain.008 file handed to the bank, and each instalment it presents: submitted,
            // collected (its payment booked from the statement) or returned (with the reason).
            """
            CREATE TABLE debit_files (
                id {ID},
                message_id TEXT NOT NULL UNIQUE,
                collect_on TEXT NOT NULL,
                debits INTEGER NOT NULL,
                total_minor BIGINT NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE direct_debits (
                id {ID},
                file_id BIGINT NOT NULL REFERENCES debit_files(id),
                mandate_id BIGINT NOT NULL REFERENCES sepa_mandates(id),
                case_id BIGINT NOT NULL REFERENCES cases(id),
                plan_id BIGINT NOT NULL REFERENCES payment_plans(id),
                instalment_number INTEGER NOT NULL,
                end_to_end_id TEXT NOT NULL UNIQUE,
                amount_minor BIGINT NOT NULL,
                collect_on TEXT NOT NULL,
                sequence TEXT NOT NULL,
                status TEXT NOT NULL,
                payment_id BIGINT REFERENCES payments(id),
                return_reason TEXT,
                created_at TEXT NOT NULL
            )
            """,
            // An instalment is presented once, unless it came back.
            "CREATE UNIQUE INDEX direct_debits_instalment ON direct_debits (plan_id, instalment_number) WHERE status <> 'returned'",
        ]),
        Migration(version: 17, name: "amount recovered per month", statements: [
            // The qualitative objective: what an agent's cases should bring in each month (EUR
            // cents; 0 = none set).
            "ALTER TABLE objectives ADD COLUMN recovered_per_month_minor BIGINT NOT NULL DEFAULT 0",
            // The month's payments, read by day for the objectives page.
            "CREATE INDEX payments_received_on ON payments (received_on)",
        ]),
        Migration(version: 18, name: "the agent's case list filtered by age on its index", statements: [
            // A filter's column in the index the list walks is tested there, before the case's
            // row is read ("one agent, 91-180 days overdue" at a million cases: 1.5 to 1.0 ms
            // of CPU a page). The oldest due day changes only when claims are imported.
            // next_action_on is kept out of the indexes: the daily run rewrites it for every case
            // it plans, and in cases_oldest_due it made rewriting a million of them take 4.3 s
            // instead of 2.1 s.
            "DROP INDEX cases_agent",
            "CREATE INDEX cases_agent ON cases (agent_id, id, oldest_due_on)",
        ]),
        Migration(version: 19, name: "debtor names searched by trigram on PostgreSQL", statements: [
            // A search for part of a name read every debtor's row: 400 ms a list page at a million
            // cases. pg_trgm's index finds the names holding the text's trigrams, whatever its
            // case. pg_trgm ships with PostgreSQL and a database's owner may add it; where it
            // cannot be added, the search reads the names as before.
            """
            {POSTGRES} DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm;
            EXCEPTION WHEN insufficient_privilege OR undefined_file THEN RAISE NOTICE 'pg_trgm unavailable: debtor names are searched without an index'; END $$
            """,
            """
            {POSTGRES} DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
            CREATE INDEX debtors_name_trigrams ON debtors USING gin (name gin_trgm_ops); END IF; END $$
            """,
        ]),
        Migration(version: 20, name: "debtor names searched by trigram on SQLite", statements: [
            // The same on SQLite with FTS5's trigram index (compiled into sqlite-nio's SQLite), kept
            // by triggers: a search for a rare name read every debtor's row (165-240 ms at a million
            // debtors) and now reads the index (0.3-2 ms, the more common its trigrams the longer);
            // "fontaine" (37,000 debtors) 4 ms to 0.4 ms.
            // Writing a debtor costs more: an import of 200,000 new debtors took about 15 % longer.
            // The table holds only the index; the names stay in debtors.
            "{SQLITE} CREATE VIRTUAL TABLE debtor_names USING fts5(name, content='debtors', content_rowid='id', tokenize='trigram')",
            "{SQLITE} CREATE TRIGGER debtor_names_insert AFTER INSERT ON debtors BEGIN INSERT INTO debtor_names (rowid, name) VALUES (new.id, new.name); END",
            """
            {SQLITE} CREATE TRIGGER debtor_names_delete AFTER DELETE ON debtors BEGIN
            INSERT INTO debtor_names (debtor_names, rowid, name) VALUES ('delete', old.id, old.name); END
            """,
            """
            {SQLITE} CREATE TRIGGER debtor_names_update AFTER UPDATE OF name ON debtors BEGIN
            INSERT INTO debtor_names (debtor_names, rowid, name) VALUES ('delete', old.id, old.name);
            INSERT INTO debtor_names (rowid, name) VALUES (new.id, new.name); END
            """,
            "{SQLITE} INSERT INTO debtor_names (debtor_names) VALUES ('rebuild')",
        ]),
        Migration(version: 21, name: "debtor names searched by word on PostgreSQL", statements: [
            // The trigram index cannot stop early: it gathers every name holding the text's
            // trigrams before the first is read. "fontaine" (37,413 debtors at a million) cost
            // 14 ms of the database's time a search, "rin SAS 77735" 11.6. A list of each name's
            // words (lower case, cut at spaces), kept in word order, gives the first debtors of
            // a word at once (0.3 ms for "fontaine"); a text within a word is looked up in the
            // distinct words first, where the trigram index is small. `CaseStore.debtorsNamed`
            // picks the rarest of a text's words and checks the whole text on those debtors'
            // names; the trigram index of whole names stays for texts whose words are all common.
            // Writing a debtor costs more: 8.4 s more for 200,000 new debtors with a word of
            // their own each (the bench's numbered names), an import of 500,000 claims 3-14 %.
            // Byte order ("C") so that a word's beginning is a range of the index.
            #"{POSTGRES} CREATE TABLE name_words (word TEXT COLLATE "C" PRIMARY KEY)"#,
            #"{POSTGRES} CREATE TABLE debtor_name_words (word TEXT COLLATE "C" NOT NULL, debtor_id BIGINT NOT NULL, PRIMARY KEY (word, debtor_id))"#,
            // lower() in the names' own collation, as ILIKE folds them. A word twice in a name is
            // written once (ON CONFLICT DO NOTHING where words are written).
            """
            {POSTGRES} CREATE FUNCTION name_words_of(name TEXT) RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
            SELECT w FROM string_to_table(lower(name), ' ') AS w WHERE w <> '' $$
            """,
            // Kept by statement triggers, which write an import's words in one statement. Words
            // no name uses any more stay in name_words: they find no debtor. New words are
            // written in word order: two imports writing the same new words wait for each other
            // in the same order instead of locking each other out (a deadlock).
            """
            {POSTGRES} CREATE FUNCTION debtor_names_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO debtor_name_words (word, debtor_id) SELECT w, n.id FROM new_debtors n, name_words_of(n.name) AS w ON CONFLICT DO NOTHING;
            INSERT INTO name_words (word) SELECT DISTINCT w FROM new_debtors n, name_words_of(n.name) AS w ORDER BY w ON CONFLICT DO NOTHING;
            RETURN NULL; END $$
            """,
            """
            {POSTGRES} CREATE FUNCTION debtor_names_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            DELETE FROM debtor_name_words x USING old_debtors o, new_debtors n, name_words_of(o.name) AS w
            WHERE n.id = o.id AND n.name IS DISTINCT FROM o.name AND x.word = w AND x.debtor_id = o.id;
            INSERT INTO debtor_name_words (word, debtor_id) SELECT w, n.id FROM old_debtors o, new_debtors n, name_words_of(n.name) AS w
            WHERE n.id = o.id AND n.name IS DISTINCT FROM o.name ON CONFLICT DO NOTHING;
            INSERT INTO name_words (word) SELECT DISTINCT w FROM old_debtors o, new_debtors n, name_words_of(n.name) AS w
            WHERE n.id = o.id AND n.name IS DISTINCT FROM o.name ORDER BY w ON CONFLICT DO NOTHING;
            RETURN NULL; END $$
            """,
            """
            {POSTGRES} CREATE FUNCTION debtor_names_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            DELETE FROM debtor_name_words x USING old_debtors o, name_words_of(o.name) AS w WHERE x.word = w AND x.debtor_id = o.id;
            RETURN NULL; END $$
            """,
            "{POSTGRES} CREATE TRIGGER debtor_names_added AFTER INSERT ON debtors REFERENCING NEW TABLE AS new_debtors FOR EACH STATEMENT EXECUTE FUNCTION debtor_names_added()",
            "{POSTGRES} CREATE TRIGGER debtor_names_changed AFTER UPDATE ON debtors REFERENCING OLD TABLE AS old_debtors NEW TABLE AS new_debtors FOR EACH STATEMENT EXECUTE FUNCTION debtor_names_changed()",
            "{POSTGRES} CREATE TRIGGER debtor_names_removed AFTER DELETE ON debtors REFERENCING OLD TABLE AS old_debtors FOR EACH STATEMENT EXECUTE FUNCTION debtor_names_removed()",
            "{POSTGRES} INSERT INTO debtor_name_words (word, debtor_id) SELECT DISTINCT w, d.id FROM debtors d, name_words_of(d.name) AS w",
            "{POSTGRES} INSERT INTO name_words (word) SELECT DISTINCT word FROM debtor_name_words",
            """
            {POSTGRES} DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
            CREATE INDEX name_words_trigrams ON name_words USING gin (word gin_trgm_ops); END IF; END $$
            """,
            "{POSTGRES} ANALYZE name_words, debtor_name_words",
        ]),
        Migration(version: 22, name: "the debtor's name and kind kept on its cases", statements: [
            // A list page read each row's debtor through its key: on PostgreSQL 51 probes of
            // debtors_pkey, most of the statement (pgbench, the amicable list at a million cases:
            // 4,800 runs a second joined, 8,700 with the name on the case). Copies kept by the
            // database itself, so that no writer can forget them: on a new case and on a renamed
            // debtor. Debtors are renamed rarely (the intake keeps the name first imported). A new
            // case costs more to write: 200,000 inserted in one statement at a million cases took
            // 15.8 s instead of 12.4 on PostgreSQL (16 µs a case), 4.2 instead of 3.2 on SQLite (5 µs).
            "ALTER TABLE cases ADD COLUMN debtor_name TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE cases ADD COLUMN debtor_kind TEXT NOT NULL DEFAULT ''",
            "{SQLITE} UPDATE cases SET (debtor_name, debtor_kind) = (SELECT name, kind FROM debtors WHERE id = cases.debtor_id)",
            "{POSTGRES} UPDATE cases c SET debtor_name = d.name, debtor_kind = d.kind FROM debtors d WHERE d.id = c.debtor_id",
            // SQLite cannot change the row being inserted: the trigger writes it just after.
            """
            {SQLITE} CREATE TRIGGER cases_debtor_insert AFTER INSERT ON cases BEGIN
            UPDATE cases SET (debtor_name, debtor_kind) = (SELECT name, kind FROM debtors WHERE id = new.debtor_id) WHERE id = new.id; END
            """,
            """
            {SQLITE} CREATE TRIGGER cases_debtor_change AFTER UPDATE OF debtor_id ON cases BEGIN
            UPDATE cases SET (debtor_name, debtor_kind) = (SELECT name, kind FROM debtors WHERE id = new.debtor_id) WHERE id = new.id; END
            """,
            """
            {SQLITE} CREATE TRIGGER debtors_rename AFTER UPDATE OF name, kind ON debtors
            WHEN new.name IS NOT old.name OR new.kind IS NOT old.kind BEGIN
            UPDATE cases SET debtor_name = new.name, debtor_kind = new.kind WHERE debtor_id = new.id; END
            """,
            """
            {POSTGRES} CREATE FUNCTION cases_debtor_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            SELECT name, kind INTO NEW.debtor_name, NEW.debtor_kind FROM debtors WHERE id = NEW.debtor_id;
            RETURN NEW; END $$
            """,
            "{POSTGRES} CREATE TRIGGER cases_debtor_copy BEFORE INSERT OR UPDATE OF debtor_id ON cases FOR EACH ROW EXECUTE FUNCTION cases_debtor_copy()",
            """
            {POSTGRES} CREATE FUNCTION debtors_rename() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            UPDATE cases SET debtor_name = NEW.name, debtor_kind = NEW.kind WHERE debtor_id = NEW.id;
            RETURN NULL; END $$
            """,
            """
            {POSTGRES} CREATE TRIGGER debtors_rename AFTER UPDATE OF name, kind ON debtors FOR EACH ROW
            WHEN (NEW.name IS DISTINCT FROM OLD.name OR NEW.kind IS DISTINCT FROM OLD.kind) EXECUTE FUNCTION debtors_rename()
            """,
        ]),
        Migration(version: 23, name: "debtor names searched by word on SQLite", statements: [
            // FTS5's phrase reads every trigram of the text: "rin SAS 77735" cost 0.76 ms of the
            // server's CPU a search at a million debtors, over half of its page, because "sas",
            // " sa" and "as " are in a quarter of the names. The names' words (lower case, cut at
            // spaces, as migration 21 on PostgreSQL) in a B-tree count a piece cheaply and give
            // the rarest one's debtors: counting "sas" and "77735…" and checking the 11 names
            // took 0.11 ms. Filling it from a million debtors: 16.5 s.
            "{SQLITE} CREATE TABLE debtor_name_words (word TEXT NOT NULL, debtor_id INTEGER NOT NULL, PRIMARY KEY (word, debtor_id)) WITHOUT ROWID",
            // A bulk writer (the intake) puts a row here inside its transaction, where no other
            // connection sees it, and writes its new debtors' words itself, sorted, a batch at a
            // time (`NameWords.sqliteWords`): written a debtor at a time by the trigger, 200,000
            // new debtors' words took 85 µs each (random places in a B-tree of millions).
            "{SQLITE} CREATE TABLE debtor_name_words_deferred (writer TEXT NOT NULL)",
            """
            {SQLITE} CREATE TRIGGER debtor_name_words_insert AFTER INSERT ON debtors WHEN NOT EXISTS (SELECT 1 FROM debtor_name_words_deferred) BEGIN
            INSERT OR IGNORE INTO debtor_name_words (word, debtor_id) SELECT w, new.id FROM (\(sqliteWords("new.name"))) WHERE w <> ''; END
            """,
            """
            {SQLITE} CREATE TRIGGER debtor_name_words_update AFTER UPDATE OF name ON debtors BEGIN
            DELETE FROM debtor_name_words WHERE debtor_id = old.id AND word IN (SELECT w FROM (\(sqliteWords("old.name"))));
            INSERT OR IGNORE INTO debtor_name_words (word, debtor_id) SELECT w, new.id FROM (\(sqliteWords("new.name"))) WHERE w <> ''; END
            """,
            """
            {SQLITE} CREATE TRIGGER debtor_name_words_delete AFTER DELETE ON debtors BEGIN
            DELETE FROM debtor_name_words WHERE debtor_id = old.id AND word IN (SELECT w FROM (\(sqliteWords("old.name")))); END
            """,
            """
            {SQLITE} WITH RECURSIVE s(id, w, rest) AS (SELECT id, '', lower(name) || ' ' FROM debtors UNION ALL
            SELECT id, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1) FROM s WHERE rest <> '')
            INSERT OR IGNORE INTO debtor_name_words (word, debtor_id) SELECT w, id FROM s WHERE w <> '' ORDER BY w, id
            """,
        ]),
    ]

    /// The words of the name `column` (a trigger's `new.name`), as rows `w`: lower case, cut at
    /// spaces; an empty `w` for the start and for each extra space. A recursive WITH inside a
    /// subquery: SQLite refuses one at the top of a trigger's statement.
    static func sqliteWords(_ column: String) -> String {
        """
        WITH RECURSIVE s(w, rest) AS (SELECT '', lower(\(column)) || ' ' UNION ALL
        SELECT substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1) FROM s WHERE rest <> '') SELECT w FROM s
        """
    }

    /// The statements of `migration` in `dialect`.
    static func render(_ statement: String, dialect: Dialect) -> [String] {
        for (tag, only) in [("{POSTGRES} ", Dialect.postgres), ("{SQLITE} ", .sqlite)] where statement.hasPrefix(tag) {
            return dialect == only ? [String(statement.dropFirst(tag.count))] : []
        }
        if statement.hasPrefix("{APPEND_ONLY ") {
            let table = String(statement.dropFirst("{APPEND_ONLY ".count).dropLast())
            switch dialect {
            case .sqlite:
                return ["UPDATE", "DELETE"].map { op in
                    "CREATE TRIGGER \(table)_no_\(op.lowercased()) BEFORE \(op) ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END"
                }
            case .postgres:
                return [
                    """
                    CREATE FUNCTION \(table)_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION '\(table) is append-only'; END $$
                    """,
                    "CREATE TRIGGER \(table)_no_change BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION \(table)_append_only()",
                ]
            }
        }
        let id = dialect == .sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        let blob = dialect == .sqlite ? "BLOB" : "BYTEA"
        return [statement.replacingOccurrences(of: "{ID}", with: id).replacingOccurrences(of: "{BLOB}", with: blob)]
    }

    /// Applies what is missing (up to `last`: tests write data under an earlier schema); returns
    /// the versions applied now.
    @discardableResult
    public static func migrate(_ database: Database, upTo last: Int = .max) async throws -> [Int] {
        try await database.withConnection { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)").run()
        }
        var applied: [Int] = []
        for migration in all where migration.version <= last {
            let done = try await database.transaction { db in
                let rows = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").all()
                if !rows.isEmpty { return false }
                for statement in migration.statements {
                    for sql in render(statement, dialect: database.dialect) { try await db.raw(SQLQueryString(sql)).run() }
                }
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: SystemClock.now().description))").run()
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }
}
