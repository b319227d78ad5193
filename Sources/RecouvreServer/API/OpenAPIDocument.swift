import Hummingbird

/// The API's OpenAPI 3.1 description, served at `/api/v1/openapi.yaml`. A test checks that its
/// paths are exactly the routes of `API.routes`, that every example validates against its schema,
/// and that the server's real answers do too.
enum OpenAPIDocument {
    static var response: Response {
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
                 body: .init(byteBuffer: .init(string: yaml)))
    }

    static let yaml = #"""
    openapi: 3.1.0
    info:
      title: Recouvre API
      version: "1.0"
      description: |
        The agency's cases, actions, creditors, claim imports and documents, as JSON.
        Authenticate with a bearer token created on the account page (`Authorization: Bearer rcv_…`).
        A creditor's user sees only its creditor's cases and documents; an agent sees its team's cases.
        Lists are paged by cursor: pass a response's `next_cursor` back as `cursor`, unchanged; it is
        null on the last page. Amounts are decimal strings in the case's currency ("1234.56").
        Errors are `application/problem+json` documents whose `code` is stable.
    servers:
      - url: /api/v1
    security:
      - bearer: []
    paths:
      /openapi.yaml:
        get:
          summary: This document
          security: []
          responses:
            "200":
              description: The OpenAPI document
              content:
                application/yaml: {}
      /cases:
        get:
          summary: Cases the caller may see, filtered, sorted and paged
          parameters:
            - {name: status, in: query, schema: {$ref: "#/components/schemas/CaseStatus"}}
            - {name: creditor, in: query, description: "creditor id", schema: {type: integer}}
            - {name: agent, in: query, description: "an agent's user id, or `none` for unassigned cases", schema: {type: string}}
            - {name: balance, in: query, schema: {type: string, enum: [under500, from500to2000, from2000to10000, from10000to50000, over50000]}}
            - {name: age, in: query, description: "days since the oldest claim fell due", schema: {type: string, enum: [upTo30, from31to90, from91to180, from181to365, over365]}}
            - {name: due, in: query, description: "1: only cases whose next action is due", schema: {type: string, enum: ["1", "true"]}}
            - {name: q, in: query, description: "debtor name, invoice reference or case reference", schema: {type: string}}
            - {name: sort, in: query, schema: {type: string, enum: [newest, balance, oldestDue], default: newest}}
            - {$ref: "#/components/parameters/cursor"}
            - {$ref: "#/components/parameters/limit"}
          responses:
            "200":
              description: One page of cases
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/CaseList"}
                  example:
                    cases:
                      - {id: 1042, reference: RC-0001042, creditor: Fournitures Acme SAS, debtor: Garage Martin, debtor_kind: company, status: amicable,
                         claimed: "1250.00", paid: "0.00", balance: "1250.00", currency: EUR, claim_count: 2, oldest_due_on: "2026-03-03",
                         opened_on: "2026-07-26", agent_id: 3, next_action_on: null}
                    next_cursor: "balance.125000.1042"
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
      /cases/{id}:
        get:
          summary: A case with its claims and history
          parameters:
            - {$ref: "#/components/parameters/caseId"}
          responses:
            "200":
              description: The case
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/CaseDetail"}
                  example:
                    case: {id: 1042, reference: RC-0001042, creditor: Fournitures Acme SAS, debtor: Garage Martin, debtor_kind: company, status: amicable,
                           claimed: "1250.00", paid: "0.00", balance: "1250.00", currency: EUR, claim_count: 1, oldest_due_on: "2026-03-03",
                           opened_on: "2026-07-26", agent_id: null, next_action_on: null}
                    owed: {as_of: "2026-06-30", principal: "1250.00", interest: "41.26", accessories: "40.00", total: "1331.26"}
                    claims:
                      - {invoice_ref: F-2026-001, issued_on: "2026-02-01", due_on: "2026-03-03", amount: "1041.67", vat_amount: "208.33", interest_rate: null,
                         interest: {as_of: "2026-06-30", total: "41.26", assumed_from: null, fixed_indemnity: "40.00",
                                    lines: [{from: "2026-03-04", to: "2026-06-30", days: 119, rate: "12.15", amount: "41.26", source: "BCE 2,15 % + 10 points (L441-10)", assumed: false}]},
                         interest_problem: null}
                    events:
                      - {at: "2026-08-02T09:30:00.000Z", actor: "user:agent.martin", kind: action, text: "Appel · promesse de paiement — Promet 500 € le 15/12", from: null, to: null}
                      - {at: "2026-07-27T08:00:00.000Z", actor: "user:agent.martin", kind: transition, text: "Phase amiable", from: intake, to: amicable}
                    allowed_transitions: [decision_pending, suspended]
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "404": {$ref: "#/components/responses/NotFound"}
      /cases/{id}/actions:
        post:
          summary: Record an action (call, letter, visit, email, text, note) with its outcome and report
          description: A browser session must send its CSRF token in `X-CSRF-Token`; a bearer token need not.
          parameters:
            - {$ref: "#/components/parameters/caseId"}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/ActionRequest"}
                example: {channel: call, outcome: promise, report: "Promet 500 € le 15/12 par virement"}
          responses:
            "201":
              description: The action, as the case history now shows it
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/ActionCreated"}
                  example: {case: RC-0001042, at: "2026-11-24T10:12:00.000Z", actor: "user:agent.martin", kind: action,
                            text: "Appel · promesse de paiement — Promet 500 € le 15/12 par virement", channel: call, outcome: promise,
                            report: "Promet 500 € le 15/12 par virement"}
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "404": {$ref: "#/components/responses/NotFound"}
            "409": {$ref: "#/components/responses/ContactRule"}
            "422": {$ref: "#/components/responses/Unprocessable"}
      /cases/{id}/payments:
        get:
          summary: The case's payments, newest first, each with its allocation and receipt
          parameters:
            - {$ref: "#/components/parameters/caseId"}
          responses:
            "200":
              description: The payments
              content:
                application/json:
                  schema:
                    type: object
                    required: [payments]
                    properties:
                      payments: {type: array, items: {$ref: "#/components/schemas/Payment"}}
                  example:
                    payments:
                      - {id: 12, received_on: "2025-06-30", amount: "500.00", currency: EUR, method: transfer, received_by: agency, payer: GARAGE MARTIN,
                         reference: RC-0001042, receipt_number: Q-2025-000012, receipt_document_id: 88, unallocated: "0.00",
                         allocation: [{invoice_ref: F-2025-001, part: interest, amount: "5.40"}, {invoice_ref: F-2025-001, part: accessories, amount: "40.00"},
                                      {invoice_ref: F-2025-001, part: principal, amount: "454.60"}]}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "404": {$ref: "#/components/responses/NotFound"}
        post:
          summary: Book a payment received on the case
          description: |
            The payment is allocated by law (interest and accessories, then principal; the invoices the debtor named, else the
            oldest matured first), numbered for its receipt (R124-6) and reported to the creditor in the case's history (R124-5).
            A case that owes nothing more moves to paid. A creditor's user reports only what the creditor received itself.
            A browser session must send its CSRF token in `X-CSRF-Token`.
          parameters:
            - {$ref: "#/components/parameters/caseId"}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/PaymentRequest"}
                example: {amount_cents: 50000, received_on: "2026-11-27", method: transfer, payer: GARAGE MARTIN, reference: RC-0001042}
          responses:
            "201":
              description: The payment as booked
              content:
                application/json:
                  schema:
                    type: object
                    required: [payment, owed, settled]
                    properties:
                      payment: {$ref: "#/components/schemas/Payment"}
                      owed: {$ref: "#/components/schemas/Amount"}
                      settled: {type: boolean, description: "the case owes nothing more and moved to paid"}
                  example:
                    payment: {id: 13, received_on: "2026-11-27", amount: "500.00", currency: EUR, method: transfer, received_by: agency, payer: GARAGE MARTIN,
                              reference: RC-0001042, receipt_number: Q-2026-000001, receipt_document_id: null, unallocated: "0.00",
                              allocation: [{invoice_ref: F-2026-001, part: principal, amount: "500.00"}]}
                    owed: "750.00"
                    settled: false
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "404": {$ref: "#/components/responses/NotFound"}
            "409":
              description: The bank entry is already booked; nothing changed
              content:
                application/problem+json:
                  schema: {$ref: "#/components/schemas/Problem"}
                  example: {type: "https://recouvre.example/problems/already_booked", title: Conflict, status: 409, code: already_booked,
                            detail: "conflict: bank entry 2026112700042 is already booked"}
            "422": {$ref: "#/components/responses/Unprocessable"}
      /creditors:
        get:
          summary: The agency's creditors and their mandates (agency staff)
          parameters:
            - {$ref: "#/components/parameters/cursor"}
            - {$ref: "#/components/parameters/limit"}
          responses:
            "200":
              description: One page of creditors
              content:
                application/json:
                  schema:
                    type: object
                    required: [creditors, next_cursor]
                    properties:
                      creditors: {type: array, items: {$ref: "#/components/schemas/Creditor"}}
                      next_cursor: {type: [string, "null"]}
                  example:
                    creditors:
                      - id: 1
                        code: ACME
                        name: Fournitures Acme SAS
                        siren: "552100554"
                        address: [12 rue des Entrepreneurs, 75015 Paris]
                        mandate: {reference: MAN-ACME-2026, signed_on: "2026-05-07", claims_covered: Factures impayées de clients professionnels,
                                  guarantee: Le créancier garantit détenir les créances confiées., commission_rate: "12", remittance_method: sepaTransfer,
                                  remittance_within_days: 30, max_plan_months: 12, notify_every_payment: true}
                    next_cursor: null
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
      /creditors/{id}:
        get:
          summary: A creditor with its cases per status and its totals per currency
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
          responses:
            "200":
              description: The creditor
              content:
                application/json:
                  schema:
                    type: object
                    required: [creditor, cases_by_status, totals]
                    properties:
                      creditor: {$ref: "#/components/schemas/Creditor"}
                      cases_by_status: {type: object, additionalProperties: {type: integer}}
                      totals:
                        type: array
                        items:
                          type: object
                          required: [currency, claimed, paid, balance]
                          properties:
                            currency: {type: string}
                            claimed: {$ref: "#/components/schemas/Amount"}
                            paid: {$ref: "#/components/schemas/Amount"}
                            balance: {$ref: "#/components/schemas/Amount"}
                  example:
                    creditor:
                      id: 1
                      code: ACME
                      name: Fournitures Acme SAS
                      siren: null
                      address: [12 rue des Entrepreneurs, 75015 Paris]
                      mandate: {reference: MAN-ACME-2026, signed_on: "2026-05-07", claims_covered: Factures impayées, guarantee: Garantie.,
                                commission_rate: "12", remittance_method: sepaTransfer, remittance_within_days: 30, max_plan_months: 12,
                                notify_every_payment: true}
                    cases_by_status: {amicable: 120, paid: 35}
                    totals: [{currency: EUR, claimed: "412000.00", paid: "96000.50", balance: "315999.50"}]
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "404": {$ref: "#/components/responses/NotFound"}
      /claims/import:
        post:
          summary: Import a creditor's claims (the same rules and idempotency as `recouvre import`)
          description: |
            A claim file as `text/csv` (columns found by name, `;` or `,`), the part `file` of a
            `multipart/form-data` body, or a JSON batch whose claims use the file's column names.
            The import is one transaction: a refused file imports nothing; a bad row is reported with
            its line (and, for a JSON batch, its index in `claims`) while the good rows land.
            Importing the same claims again creates nothing more.
          parameters:
            - {name: creditor, in: query, description: "the creditor's code (or `creditor` in the JSON batch or form)", schema: {type: string}}
            - {name: file_name, in: query, description: "the name recorded for the import", schema: {type: string}}
          requestBody:
            required: true
            content:
              text/csv:
                schema: {type: string}
                example: |
                  invoice_ref;debtor_name;siren;address_line1;postcode;city;issued_on;due_on;amount
                  F-2026-001;Garage Martin;443061841;3 rue Pasteur;69003;Lyon;01/02/2026;03/03/2026;1250,00
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, contentMediaType: text/csv}
                    creditor: {type: string}
              application/json:
                schema: {$ref: "#/components/schemas/ClaimBatch"}
                example:
                  creditor: ACME
                  claims:
                    - {invoice_ref: F-2026-001, debtor_name: Garage Martin, siren: "443061841", address_line1: 3 rue Pasteur, postcode: "69003",
                       city: Lyon, issued_on: "2026-02-01", due_on: "2026-03-03", amount: "1250.00"}
          responses:
            "201":
              description: What the import did
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/ImportResult"}
                  example:
                    import_id: 12
                    file_name: api-batch.json
                    rows_read: 2
                    rows_rejected: 1
                    claims_created: 1
                    claims_updated: 0
                    claims_unchanged: 0
                    debtors_created: 1
                    cases_opened: 1
                    rejects: [{line: 3, index: 1, column: due_on, reason: "not a date: 31/02/2026"}]
                    updated: []
                    rejects_document: /api/v1/documents/7
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "415": {$ref: "#/components/responses/Unsupported"}
            "422": {$ref: "#/components/responses/Unprocessable"}
      /documents:
        get:
          summary: Documents the caller may see (import rejects; letters and receipts later), newest first
          parameters:
            - {name: case, in: query, description: "a case reference or id", schema: {type: string}}
            - {name: creditor, in: query, description: "creditor id", schema: {type: integer}}
            - {$ref: "#/components/parameters/cursor"}
            - {$ref: "#/components/parameters/limit"}
          responses:
            "200":
              description: One page of documents
              content:
                application/json:
                  schema:
                    type: object
                    required: [documents, next_cursor]
                    properties:
                      documents: {type: array, items: {$ref: "#/components/schemas/Document"}}
                      next_cursor: {type: [string, "null"]}
                  example:
                    documents:
                      - {id: 7, kind: import_rejects, name: rejets-12-relances.csv, content_type: text/csv; charset=utf-8, bytes: 164,
                         created_at: "2026-11-24T10:00:00.000Z", created_by: "user:superviseur", creditor_id: 1, case_reference: null,
                         import_id: 12, href: /api/v1/documents/7}
                    next_cursor: null
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
      /documents/{id}:
        get:
          summary: A document's content
          parameters:
            - {name: id, in: path, required: true, schema: {type: integer}}
          responses:
            "200":
              description: The file, with its own content type
              content:
                text/csv: {}
            "401": {$ref: "#/components/responses/Unauthenticated"}
            "403": {$ref: "#/components/responses/Forbidden"}
            "404": {$ref: "#/components/responses/NotFound"}
    components:
      securitySchemes:
        bearer: {type: http, scheme: bearer, description: "A token from the account page: rcv_…"}
      parameters:
        cursor: {name: cursor, in: query, description: "a previous page's next_cursor, unchanged", schema: {type: string}}
        limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
        caseId: {name: id, in: path, required: true, description: "a case reference (RC-0001042) or id", schema: {type: string}}
      responses:
        BadRequest:
          description: A parameter or body cannot be read
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/invalid_status", title: Bad Request, status: 400, code: invalid_status,
                        detail: "unknown status 'nope'; one of intake, amicable, ..."}
        Unauthenticated:
          description: No valid token or session
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/unauthenticated", title: Unauthorized, status: 401, code: unauthenticated,
                        detail: "send a bearer token (Authorization: Bearer …)"}
        Forbidden:
          description: The caller's role lacks the right, or a session sent no CSRF token
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/forbidden", title: Forbidden, status: 403, code: forbidden,
                        detail: "your role (creditorUser) does not have the right workCases"}
        NotFound:
          description: Nothing of that id within the caller's scope
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/case_not_found", title: Not Found, status: 404, code: case_not_found, detail: no such case}
        Unprocessable:
          description: Understood but refused by a rule; nothing changed
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/invalid_action", title: Unprocessable Content, status: 422, code: invalid_action,
                        detail: the outcome sent does not apply to call}
        ContactRule:
          description: The action breaks the agency's contact rules; nothing was recorded
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/contact_rule", title: Conflict, status: 409, code: contact_rule,
                        detail: "hors des heures d'appel (il est 21 h 30, heure de Paris) (override_contact_rules: true to record it anyway)"}
        Unsupported:
          description: A body of a type the route does not read
          content:
            application/problem+json:
              schema: {$ref: "#/components/schemas/Problem"}
              example: {type: "https://recouvre.example/problems/unsupported_media_type", title: Unsupported Media Type, status: 415,
                        code: unsupported_media_type, detail: "send text/csv, multipart/form-data or application/json"}
      schemas:
        Amount: {type: string, pattern: "^-?[0-9]+\\.[0-9]{2,3}$|^-?[0-9]+$"}
        Day: {type: string, format: date, pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
        CaseStatus:
          type: string
          enum: [intake, investigation, amicable, decision_pending, paid, partially_paid, payment_plan, litigation, irrecoverable, suspended, closed, returned_to_creditor]
        Problem:
          type: object
          required: [type, title, status, code, detail]
          properties:
            type: {type: string}
            title: {type: string}
            status: {type: integer}
            code: {type: string}
            detail: {type: string}
        Case:
          type: object
          required: [id, reference, creditor, debtor, debtor_kind, status, claimed, paid, balance, currency, claim_count, opened_on]
          properties:
            id: {type: integer}
            reference: {type: string, pattern: "^RC-[0-9]{7,}$"}
            creditor: {type: string}
            debtor: {type: string}
            debtor_kind: {type: string, enum: [company, consumer]}
            status: {$ref: "#/components/schemas/CaseStatus"}
            claimed: {$ref: "#/components/schemas/Amount"}
            paid: {$ref: "#/components/schemas/Amount"}
            balance: {$ref: "#/components/schemas/Amount"}
            currency: {type: string, pattern: "^[A-Z]{3}$"}
            claim_count: {type: integer, minimum: 0}
            oldest_due_on: {oneOf: [{$ref: "#/components/schemas/Day"}, {type: "null"}]}
            opened_on: {$ref: "#/components/schemas/Day"}
            agent_id: {type: [integer, "null"]}
            next_action_on: {oneOf: [{$ref: "#/components/schemas/Day"}, {type: "null"}]}
        CaseList:
          type: object
          required: [cases, next_cursor]
          properties:
            cases: {type: array, items: {$ref: "#/components/schemas/Case"}}
            next_cursor: {type: [string, "null"]}
        CaseDetail:
          type: object
          required: [case, claims, events, allowed_transitions]
          properties:
            case: {$ref: "#/components/schemas/Case"}
            owed:
              description: "What the case owes as of as_of, every payment applied (null when a rate is missing)"
              oneOf:
                - {type: "null"}
                - type: object
                  required: [as_of, principal, interest, accessories, total]
                  properties:
                    as_of: {$ref: "#/components/schemas/Day"}
                    principal: {$ref: "#/components/schemas/Amount"}
                    interest: {$ref: "#/components/schemas/Amount"}
                    accessories: {$ref: "#/components/schemas/Amount"}
                    total: {$ref: "#/components/schemas/Amount"}
            claims:
              type: array
              items:
                type: object
                required: [invoice_ref, issued_on, due_on, amount, vat_amount]
                properties:
                  invoice_ref: {type: string}
                  issued_on: {$ref: "#/components/schemas/Day"}
                  due_on: {$ref: "#/components/schemas/Day"}
                  amount: {$ref: "#/components/schemas/Amount"}
                  vat_amount: {$ref: "#/components/schemas/Amount"}
                  interest_rate: {type: [string, "null"], description: "the contractual annual rate in percent; null for the statutory rate"}
                  interest:
                    description: "Interest through as_of, period by period (L441-10 for a trader from the day after the due date, the legal rate for a consumer from the formal demand); null when none runs. The total is rounded once; a period past the published tables carries the last rate and says so (assumed)."
                    oneOf:
                      - {type: "null"}
                      - type: object
                        required: [as_of, total, assumed_from, lines, fixed_indemnity]
                        properties:
                          as_of: {$ref: "#/components/schemas/Day"}
                          total: {$ref: "#/components/schemas/Amount"}
                          assumed_from: {oneOf: [{type: "null"}, {$ref: "#/components/schemas/Day"}]}
                          fixed_indemnity: {$ref: "#/components/schemas/Amount"}
                          lines:
                            type: array
                            items:
                              type: object
                              required: [from, to, days, rate, amount, source, assumed]
                              properties:
                                from: {$ref: "#/components/schemas/Day"}
                                to: {$ref: "#/components/schemas/Day"}
                                days: {type: integer}
                                rate: {type: string}
                                amount: {$ref: "#/components/schemas/Amount"}
                                source: {type: string}
                                assumed: {type: boolean}
                  interest_problem: {type: [string, "null"], description: "why interest cannot be computed (a contractual rate below the floor, a missing rate)"}
            events:
              type: array
              items:
                type: object
                required: [at, actor, kind, text]
                properties:
                  at: {type: string, format: date-time}
                  actor: {type: string}
                  kind: {type: string, enum: [opened, claims_imported, transition, investigation_updated, note, action, assigned, mail, payment]}
                  text: {type: string}
                  from: {oneOf: [{$ref: "#/components/schemas/CaseStatus"}, {type: "null"}]}
                  to: {oneOf: [{$ref: "#/components/schemas/CaseStatus"}, {type: "null"}]}
            allowed_transitions: {type: array, items: {$ref: "#/components/schemas/CaseStatus"}}
        ActionRequest:
          type: object
          required: [channel, outcome, report]
          properties:
            channel: {type: string, enum: [call, letter, registered_letter, email, sms, visit, note]}
            outcome: {type: string, enum: [reached, no_answer, left_message, wrong_number, promise, refusal, dispute, sent, returned, none]}
            report: {type: string, minLength: 1, maxLength: 4000}
            promise_amount_cents: {type: integer, minimum: 1, description: "With the outcome promise: the amount promised, in cents"}
            promise_due_on: {type: string, format: date, description: "With the outcome promise: the day it is promised by; reminders wait until then"}
            contact: {type: string, description: "The phone number or email used; marked invalid on wrong_number or returned"}
            refuses_channel: {type: boolean, description: "The debtor refuses this channel from now on; the strategies skip it"}
            override_contact_rules: {type: boolean, description: "Record it even though it breaks the contact rules (hours, days, weekly cap, letter gap)"}
            disputed_invoices: {type: array, items: {type: string}, description: "With the outcome dispute: the invoices contested, when not all of the case's; they stop being collected until the creditor answers"}
        ActionCreated:
          type: object
          required: [case, at, actor, kind, text, channel, outcome, report]
          properties:
            case: {type: string}
            at: {type: string, format: date-time}
            actor: {type: string}
            kind: {type: string, const: action}
            text: {type: string}
            channel: {type: string}
            outcome: {type: string}
            report: {type: string}
        Payment:
          type: object
          required: [id, received_on, amount, currency, method, received_by, payer, reference, receipt_number, receipt_document_id, unallocated, allocation]
          properties:
            id: {type: integer}
            received_on: {$ref: "#/components/schemas/Day"}
            amount: {$ref: "#/components/schemas/Amount"}
            currency: {type: string}
            method: {type: string, enum: [transfer, card, cheque, cash, direct_debit]}
            received_by: {type: string, enum: [agency, creditor]}
            payer: {type: string}
            reference: {type: string}
            receipt_number: {type: string, description: "Q-YEAR-RANK, without gaps within a year"}
            receipt_document_id: {type: [integer, "null"], description: "the receipt's PDF (GET /documents/{id}), once rendered"}
            unallocated: {$ref: "#/components/schemas/Amount"}
            allocation:
              type: array
              items:
                type: object
                required: [invoice_ref, part, amount]
                properties:
                  invoice_ref: {type: string}
                  part: {type: string, enum: [interest, accessories, principal]}
                  amount: {$ref: "#/components/schemas/Amount"}
        PaymentRequest:
          type: object
          required: [amount_cents, received_on, method]
          properties:
            amount_cents: {type: integer, minimum: 1}
            received_on: {type: string, format: date}
            method: {type: string, enum: [transfer, card, cheque, cash, direct_debit]}
            received_by: {type: string, enum: [agency, creditor], default: agency}
            payer: {type: string}
            reference: {type: string, description: "what the payer wrote: remittance information, a cheque's number"}
            invoices: {type: array, items: {type: string}, description: "the invoices the debtor says it pays, in order (Code civil 1342-10)"}
            bank_entry_ref: {type: string, description: "a bank statement entry's reference: booked once"}
        Creditor:
          type: object
          required: [id, code, name, address, mandate]
          properties:
            id: {type: integer}
            code: {type: string}
            name: {type: string}
            siren: {type: [string, "null"], pattern: "^[0-9]{9}$"}
            address: {type: array, items: {type: string}}
            mandate:
              type: object
              required: [reference, signed_on, claims_covered, guarantee, commission_rate, remittance_method, remittance_within_days, max_plan_months, notify_every_payment]
              properties:
                reference: {type: string}
                signed_on: {$ref: "#/components/schemas/Day"}
                claims_covered: {type: string}
                guarantee: {type: string}
                commission_rate: {type: string, description: "percent of what is collected"}
                remittance_method: {type: string, enum: [sepaTransfer, cheque]}
                remittance_within_days: {type: integer}
                max_plan_months: {type: integer}
                notify_every_payment: {type: boolean}
        ClaimBatch:
          type: object
          required: [claims]
          properties:
            creditor: {type: string}
            claims:
              type: array
              items:
                type: object
                additionalProperties: false
                required: [invoice_ref, debtor_name, issued_on, due_on, amount]
                properties:
                  invoice_ref: {type: string}
                  debtor_name: {type: string}
                  debtor_kind: {type: string}
                  siren: {type: string}
                  siret: {type: string}
                  vat_number: {type: string}
                  address_line1: {type: string}
                  address_line2: {type: string}
                  postcode: {type: string}
                  city: {type: string}
                  country: {type: string}
                  email: {type: string}
                  phone: {type: string}
                  issued_on: {type: string}
                  due_on: {type: string}
                  amount: {type: [string, number]}
                  vat_amount: {type: [string, number]}
                  currency: {type: string}
                  interest_rate: {type: [string, number]}
        ImportResult:
          type: object
          required: [import_id, file_name, rows_read, rows_rejected, claims_created, claims_updated, claims_unchanged, debtors_created, cases_opened, rejects, updated]
          properties:
            import_id: {type: integer}
            file_name: {type: string}
            rows_read: {type: integer}
            rows_rejected: {type: integer}
            claims_created: {type: integer}
            claims_updated: {type: integer}
            claims_unchanged: {type: integer}
            debtors_created: {type: integer}
            cases_opened: {type: integer}
            rejects:
              type: array
              description: the first 1,000 rejections; all of them are in the rejects document
              items:
                type: object
                required: [line, column, reason]
                properties:
                  line: {type: integer}
                  index: {type: [integer, "null"], description: "for a JSON batch, the claim's index in claims"}
                  column: {type: string}
                  reason: {type: string}
            updated:
              type: array
              items:
                type: object
                required: [line, invoice_ref, changes]
                properties:
                  line: {type: integer}
                  invoice_ref: {type: string}
                  changes: {type: array, items: {type: string}}
            rejects_document: {type: [string, "null"]}
        Document:
          type: object
          required: [id, kind, name, content_type, bytes, created_at, created_by, creditor_id, href]
          properties:
            id: {type: integer}
            kind: {type: string, enum: [import_rejects, letter, email, sms, receipt, payment_plan]}
            name: {type: string}
            content_type: {type: string}
            bytes: {type: integer}
            created_at: {type: string, format: date-time}
            created_by: {type: string}
            creditor_id: {type: integer}
            case_reference: {type: [string, "null"]}
            import_id: {type: [integer, "null"]}
            href: {type: string}
    """#
}
