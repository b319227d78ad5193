import Hummingbird
import RecouvreCore

/// The pages' templates (`PageTemplate`, Mustache's syntax), compiled once at start. Kept in Swift strings so the executable
/// carries them wherever it is copied.
struct Views: Sendable {
    /// One library per language, each template's labels (`{{t.cases_title}}`) written in once at
    /// start: looked up at every render, they were most of the template engine's work (perf, the
    /// case page on 1,000,000 cases: 433 labels, a third of the page's time).
    let libraries: [Language: TemplateLibrary]

    init() throws {
        var libraries: [Language: TemplateLibrary] = [:]
        for language in Language.allCases {
            let labels = Strings(language: language).all
            var templates: [String: PageTemplate] = [:]
            for (name, text) in Templates.all {
                do { templates[name] = try PageTemplate(try Templates.withLabels(text, labels, template: name)) } catch let e as PageTemplate.ParseError {
                    throw Templates.Problem(template: name, reason: e.description)
                }
            }
            libraries[language] = try TemplateLibrary(templates)
        }
        self.libraries = libraries
    }

    /// The 404 page, in the layout of the others: an unknown id, or one outside the viewer's scope.
    func notFound(_ request: Request, _ context: AppContext, _ t: Strings) -> Response {
        page("notfound", pageContext(request, context, t, title: t["notfound.title"]), status: .notFound)
    }

    /// Renders `template` in the language `context["lang"]` names (`pageContext` sets it).
    func page(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let language = (context["lang"] as? String).flatMap(Language.init(rawValue:)) ?? .fr
        let body = libraries[language]!.render(context, template: template).map { ByteBuffer(bytes: $0.bytes) }
            ?? ByteBuffer(string: "template \(template) missing")
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: body))
    }
}

enum Templates {
    struct Problem: Error, CustomStringConvertible {
        let template: String, reason: String
        var description: String { "template \(template): \(reason)" }
    }

    struct UnknownLabel: Error, CustomStringConvertible {
        let template: String, label: String
        var description: String { "template \(template) names the unknown label t.\(label)" }
    }

    /// `text` with each `{{t.key}}` replaced by the label, escaped as `{{…}}` would escape it. An
    /// unknown label stops the start rather than rendering as nothing.
    static func withLabels(_ text: String, _ labels: [String: String], template: String) throws -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let open = rest.range(of: "{{t.") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let key = String(rest[open.upperBound..<close.lowerBound])
            guard let label = labels[key] else { throw UnknownLabel(template: template, label: key) }
            out += rest[..<open.lowerBound]
            out += HTML.escape(label)
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }

    static let all: [String: String] = ["layout_head": head, "layout_foot": foot, "cases": cases, "case": casePage, "notfound": notFound, "login": login, "account": account,
                                          "case_rows": caseRows, "debtor_card": debtorCardPartial, "debtor": debtorPage, "creditor": creditorPage, "users": usersPage,
                                          "imports": importsPage, "queue": queuePage, "collection_settings": settingsPage,
                                          "strategy_report": strategyReportPage, "objectives": objectivesPage,
                                          "letters": lettersPage, "letter_settings": letterSettingsPage, "bank": bankPage]

    static let head = """
    <!doctype html>
    <html lang="{{lang}}">
    <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · Recouvre</title><link rel="stylesheet" href="/static/app.css"></head>
    <body>
    <header class="top"><a class="brand" href="/cases">Recouvre</a><span class="tagline">{{t.app_tagline}}</span>
    <nav>{{#user}}<a href="/cases">{{t.nav_cases}}</a> {{#worker}}<a href="/queue">{{t.nav_queue}}</a> <a href="/objectives">{{t.nav_objectives}}</a> {{/worker}}{{#strategist}}<a href="/settings/collection">{{t.nav_strategies}}</a> {{/strategist}}{{#mailroom}}<a href="/letters">{{t.nav_letters}}</a> {{/mailroom}}{{#importer}}<a href="/imports">{{t.nav_imports}}</a> {{/importer}}{{#reconciler}}<a href="/bank">{{t.nav_bank}}</a> {{/reconciler}}{{#admin}}<a href="/admin/users">{{t.nav_users}}</a> {{/admin}}{{/user}}<a href="?{{switchQuery}}" hreflang="{{otherLang}}">{{t.lang_switch}}</a>
    {{#user}}<a class="who" href="/account">{{name}} <small>{{role}}</small></a>
    <form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.nav_logout}}</button></form>{{/user}}</nav></header>
    <main>
    """

    static let foot = """
    </main>
    </body></html>
    """

    static let cases = """
    {{> layout_head}}
    <h1>{{t.cases_title}}</h1>
    <form class="filters" method="get" action="/cases">
      <label>{{t.col_creditor}} <select name="creditor"><option value="">{{t.cases_allCreditors}}</option>
      {{{creditorOptions}}}</select></label>
      <label>{{t.col_status}} <select name="status"><option value="">{{t.cases_all}}</option>
      {{{statusOptions}}}</select></label>
      {{#agents}}<label>{{t.cases_agent}} <select name="agent"><option value="">{{t.cases_allAgents}}</option>
      <option value="none"{{#unassigned}} selected{{/unassigned}}>{{t.cases_unassigned}}</option>
      {{{list}}}</select></label>{{/agents}}
      <label>{{t.cases_balance}} <select name="balance"><option value="">{{t.cases_all}}</option>
      {{{balanceOptions}}}</select></label>
      <label>{{t.cases_age}} <select name="age"><option value="">{{t.cases_all}}</option>
      {{{ageOptions}}}</select></label>
      <label class="check"><input type="checkbox" name="due" value="1"{{#actionDue}} checked{{/actionDue}}> {{t.cases_due}}</label>
      <label class="grow">{{t.cases_search}} <input type="search" name="q" value="{{q}}"></label>
      <label>{{t.cases_sort}} <select name="sort">{{{sortOptions}}}</select></label>
      <button type="submit">{{t.cases_filter}}</button>
    </form>
    {{#namesCut}}<p class="notice" role="status">{{namesCut}}</p>{{/namesCut}}
    {{> case_rows}}
    <p class="pager">{{#firstQuery}}<a href="/cases?{{firstQuery}}">{{t.cases_first}}</a>{{/firstQuery}} {{#nextQuery}}<a rel="next" href="/cases?{{nextQuery}}">{{t.cases_next}} →</a>{{/nextQuery}}</p>
    {{> layout_foot}}
    """

    static let casePage = """
    {{> layout_head}}
    <p class="crumbs"><a href="/cases">{{t.cases_title}}</a> › {{reference}}</p>
    <h1>{{reference}} — {{debtor.name}} <span class="status s-{{statusCode}}">{{status}}</span></h1>
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    {{#suspension}}<p class="notice">{{.}}</p>{{/suspension}}
    <section class="cards">
      <div class="card"><h2>{{t.case_balance}}</h2><p class="big">{{balance}}</p>
        <p>{{t.case_claimed}} : {{claimed}}<br>{{t.case_paid}} : {{paid}}</p>
        {{#staff}}<p>{{t.case_agent}} : {{agentName}}</p>{{/staff}}
        {{#canAssign}}<form method="post" action="/cases/{{id}}/assign"><input type="hidden" name="csrf" value="{{csrf}}">
        <select name="agent" aria-label="{{t.case_agent}}"><option value="">{{t.case_nobody}}</option>{{{workerOptions}}}</select>
        <button type="submit">{{t.case_assign}}</button></form>{{/canAssign}}</div>
    {{> debtor_card}}
      <div class="card"><h2>{{t.case_creditor}}</h2><p><strong>{{#creditorLink}}<a href="{{creditorLink}}">{{/creditorLink}}{{creditor.name}}{{#creditorLink}}</a>{{/creditorLink}}</strong><br>{{#creditor.address}}{{.}}<br>{{/creditor.address}}</p>
        <p>{{t.case_mandate}} {{creditor.mandate}} · {{t.case_commission}} {{creditor.commission}} %</p></div>
    </section>
    <section><h2>{{t.case_claims}}</h2>
    <table class="list"><thead><tr><th>{{t.col_invoice}}</th><th>{{t.col_issued}}</th><th>{{t.col_due}}</th><th class="num">{{t.col_amount}}</th><th class="num">{{t.col_vat}}</th><th>{{t.col_interest}}</th></tr></thead>
    <tbody>{{#claims}}<tr><td>{{invoice}}{{#state}} <span class="task t-cancelled">{{.}}</span>{{/state}}</td><td>{{issued}}</td><td>{{due}}</td><td class="num">{{amount}}</td><td class="num">{{vat}}</td><td>{{interest}}</td></tr>{{/claims}}</tbody>
    <tfoot><tr><th colspan="3">{{t.case_claimed}}</th><th class="num">{{claimed}}</th><th></th><th></th></tr></tfoot></table>
    {{#hasInterest}}<h3 id="interest">{{t.interest_title}} {{interestAsOf}}</h3>
    <table class="list"><thead><tr><th>{{t.col_invoice}}</th><th>{{t.interest_period}}</th><th class="num">{{t.interest_base}}</th><th class="num">{{t.interest_days}}</th><th class="num">{{t.interest_rate}}</th><th class="num">{{t.col_amount}}</th><th>{{t.interest_source}}</th></tr></thead>
    <tbody>{{#interestRows}}{{#lines}}<tr><td>{{invoice}}</td><td>{{from}} – {{to}}</td><td class="num">{{base}}</td><td class="num">{{days}}</td><td class="num">{{rate}}</td><td class="num">{{amount}}</td><td>{{source}}</td></tr>{{/lines}}
    <tr><th colspan="5">{{invoice}} — {{t.interest_rounded}}</th><th class="num">{{total}}</th><th></th></tr>{{/interestRows}}</tbody>
    <tfoot><tr><th colspan="5">{{t.interest_total}}</th><th class="num">{{interestTotal}}</th><th></th></tr>
    {{#indemnities}}<tr><th colspan="5">{{t.interest_indemnity}}</th><th class="num">{{.}}</th><th></th></tr>{{/indemnities}}</tfoot></table>
    {{#interestNotes}}<p class="hint">{{.}}</p>{{/interestNotes}}{{/hasInterest}}
    {{#owed}}<h3 id="owed">{{t.owed_title}} {{interestAsOf}}</h3>
    <dl class="figures"><dt>{{t.owed_principal}}</dt><dd>{{principal}}</dd><dt>{{t.owed_interest}}</dt><dd>{{interest}}</dd>
    <dt>{{t.owed_accessories}}</dt><dd>{{accessories}}</dd><dt><strong>{{t.owed_total}}</strong></dt><dd><strong>{{total}}</strong></dd></dl>{{/owed}}
    </section>
    <section id="payments"><h2>{{t.payments_title}}</h2>
    {{^hasPayments}}<p class="empty">{{t.payments_none}}</p>{{/hasPayments}}
    {{#hasPayments}}<table class="list"><thead><tr><th>{{t.payments_day}}</th><th class="num">{{t.col_amount}}</th><th>{{t.payments_method}}</th><th>{{t.payments_payer}}</th><th>{{t.payments_allocation}}</th><th>{{t.payments_receipt}}</th></tr></thead>
    <tbody>{{#payments}}<tr><td>{{day}}</td><td class="num">{{amount}}</td><td>{{method}} ({{by}})</td><td>{{payer}}{{#reference}} — {{.}}{{/reference}}</td><td>{{allocation}}</td>
    <td>{{receipt}}{{#document}} <a href="/documents/{{.}}">PDF</a>{{/document}}</td></tr>{{/payments}}</tbody></table>{{/hasPayments}}
    </section>
    {{#canPay}}<section class="cards forms">
      <form class="card" method="post" action="/cases/{{id}}/payment" id="payment-form"><h2>{{t.payments_record}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.col_amount}} <input name="amount" required inputmode="decimal" placeholder="1 234,56"></label>
        <label>{{t.payments_day}} <input type="date" name="received_on" value="{{payToday}}" required></label>
        <label>{{t.payments_method}} <select name="method">{{{methodOptions}}}</select></label>
        <label>{{t.payments_by}} <select name="received_by">{{{receiverOptions}}}</select></label>
        <label>{{t.payments_payer}} <input name="payer"></label>
        <label>{{t.payments_reference}} <input name="reference"></label>
        {{#payable}}<label class="check"><input type="checkbox" name="pay_claim_{{id}}" value="1"> {{invoice}}</label>{{/payable}}
        <p class="hint">{{t.payments_choiceHint}}</p>
        <button type="submit">{{t.payments_save}}</button></form>
      {{#canSettle}}<form class="card" method="post" action="/cases/{{id}}/settlement" id="settlement"><h2>{{t.settlement_title}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <p class="hint">{{t.settlement_hint}}</p>
        <label>{{t.settlement_reason}} <textarea name="reason" required rows="2"></textarea></label>
        <button type="submit">{{t.settlement_save}}</button></form>{{/canSettle}}
    </section>{{/canPay}}
    <section id="payment-plan"><h2>{{t.payplan_title}}</h2>
    {{#payPlan}}<p><strong>{{status}}</strong> — {{summary}}{{#frozen}} · {{.}}{{/frozen}}</p>
    {{#reasons}}<p class="notice">{{t.payplan_needsApproval}} {{.}}</p>{{/reasons}}{{#decision}}<p>{{t.payplan_decision}} {{.}}</p>{{/decision}}
    <table class="list"><thead><tr><th>{{t.payplan_number}}</th><th>{{t.payplan_due}}</th><th class="num">{{t.col_amount}}</th><th>{{t.payplan_state}}</th></tr></thead>
    <tbody>{{#instalments}}<tr><td>{{number}}</td><td>{{due}}</td><td class="num">{{amount}}</td><td>{{state}}</td></tr>{{/instalments}}</tbody></table>
    {{#canDecide}}<form class="card" method="post" action="/cases/{{id}}/plan-decision" id="plan-decision"><input type="hidden" name="csrf" value="{{csrf}}">
      <input type="hidden" name="plan" value="{{planID}}"><label>{{t.payplan_note}} <input name="note" maxlength="500"></label>
      <button type="submit" name="decision" value="approve">{{t.payplan_approve}}</button> <button type="submit" name="decision" value="refuse">{{t.payplan_refuse}}</button></form>{{/canDecide}}
    {{/payPlan}}{{^payPlan}}<p class="empty">{{t.payplan_none}}</p>{{/payPlan}}
    {{#canPropose}}<form class="card" method="post" action="/cases/{{id}}/plan" id="plan-form"><h3>{{t.payplan_propose}}</h3><input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t.payplan_count}} <input name="count" type="number" min="1" max="60" value="6" required></label>
      <label>{{t.payplan_frequency}} <select name="frequency">{{{frequencyOptions}}}</select></label>
      <label>{{t.payplan_first}} <input type="date" name="first_on" value="{{planFirst}}" required></label>
      <label>{{t.payplan_firstAmount}} <input name="first_amount" inputmode="decimal" placeholder="{{t.payplan_equal}}"></label>
      <p class="hint">{{planLimits}}</p>
      <button type="submit">{{t.payplan_save}}</button></form>{{/canPropose}}
    {{#mandate}}<p>{{t.payplan_mandate}} {{reference}} · IBAN {{iban}} · {{t.payplan_signed}} {{signed}}</p>{{/mandate}}
    {{#canMandate}}<form class="card" method="post" action="/cases/{{id}}/mandate" id="mandate-form"><h3>{{t.payplan_mandateNew}}</h3><input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t.payplan_umr}} <input name="reference" required maxlength="35"></label>
      <label>IBAN <input name="iban" required></label>
      <label>BIC <input name="bic"></label>
      <label>{{t.payplan_signed}} <input type="date" name="signed_on" value="{{mandateToday}}" required></label>
      <p class="hint">{{t.payplan_mandateHint}}</p>
      <button type="submit">{{t.payplan_mandateSave}}</button></form>{{/canMandate}}
    </section>
    <section class="cards">
      <div class="card"><h2>{{t.case_investigation}}</h2>
      {{#investigation}}<dl><dt>{{t.case_reason}}</dt><dd>{{reason}} {{reasonNotes}}</dd><dt>{{t.case_solvency}}</dt><dd>{{solvency}} {{solvencyNotes}}</dd>
      <dt>{{t.case_sources}}</dt><dd>{{sources}}</dd></dl>{{/investigation}}
      {{^investigation}}<p class="empty">{{t.case_noInvestigation}}</p>{{/investigation}}
      </div>
      <div class="card"><h2>{{t.case_history}}</h2>
      {{#repeatDefaulter}}<p class="notice">{{t.case_repeat}}</p>{{/repeatDefaulter}}
      {{#hasHistory}}<ul>{{#history}}<li><a href="/cases/{{id}}">{{reference}}</a> {{creditor}} — {{status}} — {{claimed}}</li>{{/history}}</ul>{{/hasHistory}}
      {{^hasHistory}}<p class="empty">{{t.case_noHistory}}</p>{{/hasHistory}}
      </div>
      <div class="card"><h2>{{t.case_next}}</h2><ul>{{#nextSteps}}<li>{{.}}</li>{{/nextSteps}}</ul></div>
    </section>
    {{#plan}}<section id="plan"><h2>{{t.plan_title}}</h2><p>{{plan}}</p>{{/plan}}
    {{^plan}}{{#hasTasks}}<section id="plan"><h2>{{t.plan_title}}</h2>{{/hasTasks}}{{/plan}}
    {{#contactFacts}}<p class="hint">{{.}}</p>{{/contactFacts}}
    {{#hasTasks}}<table class="list"><thead><tr><th>{{t.plan_due}}</th><th>{{t.act_channel}}</th><th>{{t.plan_status}}</th><th>{{t.plan_reason}}</th></tr></thead>
    <tbody>{{#tasks}}<tr><td>{{due}}</td><td>{{channel}}</td><td><span class="task t-{{statusCode}}">{{status}}</span></td><td>{{reason}}</td></tr>{{/tasks}}</tbody></table>{{/hasTasks}}
    {{#plan}}</section>{{/plan}}{{^plan}}{{#hasTasks}}</section>{{/hasTasks}}{{/plan}}
    {{#addressInvalid}}<p class="error" role="alert">{{t.address_invalid}}</p>{{/addressInvalid}}
    {{#hasLetters}}<section class="card" id="letters"><h2>{{t.nav_letters}}</h2><table class="list"><thead><tr><th>{{t.letters_reference}}</th><th>{{t.letters_kind}}</th><th>{{t.letters_day}}</th>
    <th class="num">{{t.letters_pages}}</th><th>{{t.letters_status}}</th><th>PDF</th></tr></thead><tbody>{{/hasLetters}}
    {{#letters}}<tr><td>{{reference}}</td><td>{{kind}}{{#number}} n° {{.}}{{/number}}{{#needsNumber}}<form class="inline" method="post" action="/cases/{{id}}/registered"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="reference" value="{{reference}}"><input name="number" placeholder="{{t.letters_number}}" size="16" required> <button type="submit">{{t.letters_saveNumber}}</button></form>{{/needsNumber}}</td><td>{{day}}</td><td class="num">{{pages}}</td><td>{{status}}</td><td><a href="/documents/{{document}}">PDF</a></td></tr>{{/letters}}
    {{#hasLetters}}</tbody></table></section>{{/hasLetters}}
    {{#canAnswerDispute}}<form class="card" method="post" action="/cases/{{id}}/dispute" id="dispute"><h2>{{t.dispute_title}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
      <label class="check"><input type="radio" name="decision" value="resume" required> {{t.dispute_resume}}</label>
      <label class="check"><input type="radio" name="decision" value="withdraw"> {{t.dispute_withdraw}}</label>
      <label>{{t.dispute_text}} <textarea name="text" rows="3" required></textarea></label>
      <button type="submit">{{t.dispute_submit}}</button></form>{{/canAnswerDispute}}
    {{#canWork}}
    <section class="cards forms">
      <form class="card" method="post" action="/cases/{{id}}/actions"><h2>{{t.act_title}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.act_channel}} <select name="channel">{{{channelOptions}}}</select></label>
        <label>{{t.act_outcome}} <select name="outcome">{{{outcomeOptions}}}</select></label>
        <label>{{t.act_report}} <textarea name="report" rows="4" maxlength="4000" required>{{typed.report}}</textarea></label>
        <fieldset><legend>{{t.act_disputed}}</legend>
        {{#contestable}}<label class="check"><input type="checkbox" name="dispute_claim_{{id}}" value="1"> {{invoice}}</label>{{/contestable}}</fieldset>
        <fieldset><legend>{{t.act_promise}}</legend>
        <label>{{t.act_promiseAmount}} <input name="promise_amount" inputmode="decimal" value="{{typed.promiseAmount}}"></label>
        <label>{{t.act_promiseDate}} <input type="date" name="promise_date" value="{{typed.promiseDate}}"></label></fieldset>
        <label>{{t.act_contact}} <select name="contact"><option value=""></option>{{{contactOptions}}}</select></label>
        <label class="check"><input type="checkbox" name="refuses" value="1"{{#typed.refuses}} checked{{/typed.refuses}}> {{t.act_refuses}}</label>
        {{#needsConfirm}}<label class="check warn"><input type="checkbox" name="confirm" value="1"> {{t.act_confirm}}</label>{{/needsConfirm}}
        <button type="submit">{{t.act_submit}}</button></form>
      <form class="card" method="post" action="/cases/{{id}}/phase"><h2>{{t.phase_title}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.phase_to}} <select name="status">{{{targetOptions}}}</select></label>
        <label>{{t.phase_suspension}} <select name="suspension"><option value=""></option>{{{suspensionOptions}}}</select></label>
        <label>{{t.phase_reason}} <input name="reason" required></label>
        <button type="submit">{{t.phase_submit}}</button></form>
      <form class="card" method="post" action="/cases/{{id}}/investigation"><h2>{{t.case_investigation}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.case_reason}} <select name="reason"><option value=""></option>{{{reasonOptions}}}</select></label>
        <label>{{t.inv_notes}} <input name="reasonNotes" value="{{form.reasonNotes}}"></label>
        <label>{{t.case_solvency}} <select name="solvency"><option value=""></option>{{{solvencyOptions}}}</select></label>
        <label>{{t.inv_notes}} <input name="solvencyNotes" value="{{form.solvencyNotes}}"></label>
        <label>{{t.case_sources}} <input name="sources" value="{{form.sources}}"></label>
        <button type="submit">{{t.inv_submit}}</button></form>
      <form class="card" method="post" action="/cases/{{id}}/address" id="address"><h2>{{t.address_title}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.address_line1}} <input name="line1" required></label>
        <label>{{t.address_line2}} <input name="line2"></label>
        <label>{{t.address_postcode}} <input name="postcode" required size="8"></label>
        <label>{{t.address_city}} <input name="city" required></label>
        <label>{{t.address_country}} <input name="country" value="FR" size="3"></label>
        <label>{{t.address_source}} <input name="source" required></label>
        <button type="submit">{{t.address_submit}}</button></form>
    </section>
    {{/canWork}}
    <section id="timeline"><h2>{{t.case_timeline}}</h2>
    <ol class="timeline">{{#events}}<li><time datetime="{{at}}">{{when}}</time> <span class="kind">{{kind}}</span> {{#change}}<span class="change">{{change}}</span>{{/change}}<p>{{text}}</p><small>{{actor}}</small></li>{{/events}}</ol>
    </section>
    {{> layout_foot}}
    """

    static let login = """
    {{> layout_head}}
    <h1>{{t.login_title}}</h1>
    {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
    <form class="login" method="post" action="/login">
      <input type="hidden" name="formToken" value="{{formToken}}"><input type="hidden" name="next" value="{{next}}">
      <label>{{t.login_login}} <input name="login" value="{{login}}" autocomplete="username" required autofocus></label>
      <label>{{t.login_password}} <input type="password" name="password" autocomplete="current-password" required></label>
      <button type="submit">{{t.login_submit}}</button>
    </form>
    {{> layout_foot}}
    """

    static let account = """
    {{> layout_head}}
    <h1>{{t.account_title}}</h1>
    <p>{{login}} · {{role}}</p>
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    {{#newToken}}<p class="notice">{{t.account_newToken}} <code>{{newToken}}</code></p>{{/newToken}}
    <section class="cards forms">
      <form class="card" method="post" action="/account/password"><h2>{{t.account_password}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.account_current}} <input type="password" name="current" autocomplete="current-password" required></label>
        <label>{{t.account_new}} <input type="password" name="new" autocomplete="new-password" minlength="12" required></label>
        <label>{{t.account_confirm}} <input type="password" name="confirm" autocomplete="new-password" minlength="12" required></label>
        <button type="submit">{{t.account_change}}</button></form>
      <div class="card"><h2>{{t.account_tokens}}</h2>
        <ul>{{#tokens}}<li>{{name}} <small>{{created}}</small> {{#revoked}}<small>({{t.account_revoked}} {{revoked}})</small>{{/revoked}}
        {{^revoked}}<form class="inline" method="post" action="/account/tokens/{{id}}/revoke"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.account_revoke}}</button></form>{{/revoked}}</li>{{/tokens}}</ul>
        <form method="post" action="/account/tokens"><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.account_tokenName}} <input name="name" maxlength="80" required></label> <button type="submit">{{t.account_create}}</button></form>
      </div>
      {{#digest}}<form class="card" method="post" action="/account/digest" id="digest"><h2>{{t.account_digest}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <p class="hint">{{t.account_digestHint}}</p>
        <label>{{t.account_email}} <input type="email" name="email" value="{{email}}" autocomplete="email"></label>
        <label class="check"><input type="checkbox" name="daily" value="1"{{#daily}} checked{{/daily}}> {{t.account_daily}}</label>
        <button type="submit">{{t.account_saveDigest}}</button></form>{{/digest}}
    </section>
    {{> layout_foot}}
    """

    /// A table of cases (the list, a debtor's, a creditor's): `rows`, `hasRows`.
    static let caseRows = """
    {{#hasRows}}
    <table class="list">
    <thead><tr><th>{{t.col_reference}}</th><th>{{t.col_debtor}}</th><th>{{t.col_creditor}}</th><th>{{t.col_status}}</th>
    <th class="num">{{t.col_claims}}</th><th class="num">{{t.col_balance}}</th><th>{{t.col_oldestDue}}</th><th>{{t.col_opened}}</th></tr></thead>
    <tbody>
    {{{rowsHTML}}}
    </tbody></table>
    {{/hasRows}}
    {{^hasRows}}<p class="empty">{{t.cases_none}}</p>{{/hasRows}}
    """

    /// A debtor's identity and contacts: `debtor`, `contacts`, `hasContacts`, `debtorLink`.
    static let debtorCardPartial = """
      <div class="card"><h2>{{t.case_debtor}}</h2><p><strong>{{#debtorLink}}<a href="{{debtorLink}}">{{/debtorLink}}{{debtor.name}}{{#debtorLink}}</a>{{/debtorLink}}</strong> <small>{{debtor.kind}}</small><br>
        {{#debtor.siren}}SIREN {{debtor.siren}}<br>{{/debtor.siren}}{{#debtor.vat}}TVA {{debtor.vat}}<br>{{/debtor.vat}}
        {{#debtor.address}}{{.}}<br>{{/debtor.address}}</p>
        {{#hasContacts}}<h3>{{t.case_contacts}}</h3><ul class="contacts">{{#contacts}}<li>{{#isPhone}}<a href="tel:{{value}}">{{value}}</a>{{/isPhone}}{{#isEmail}}<a href="mailto:{{value}}">{{value}}</a>{{/isEmail}}{{#isAddress}}{{value}}{{/isAddress}} <small>{{source}} · {{status}}</small></li>{{/contacts}}</ul>{{/hasContacts}}
      </div>
    """

    static let debtorPage = """
    {{> layout_head}}
    <p class="crumbs"><a href="/cases">{{t.cases_title}}</a> › {{debtor.name}}</p>
    <h1>{{debtor.name}}</h1>
    <section class="cards">{{> debtor_card}}</section>
    <section><h2>{{t.debtor_cases}}</h2>{{> case_rows}}</section>
    {{> layout_foot}}
    """

    static let creditorPage = """
    {{> layout_head}}
    <p class="crumbs"><a href="/cases">{{t.cases_title}}</a> › {{creditor.name}}</p>
    <h1>{{creditor.name}} <small>{{creditor.code}}</small></h1>
    <section class="cards">
      <div class="card"><h2>{{t.case_creditor}}</h2><p>{{#creditor.siren}}SIREN {{creditor.siren}}<br>{{/creditor.siren}}{{#creditor.address}}{{.}}<br>{{/creditor.address}}</p></div>
      <div class="card"><h2>{{t.case_mandate}} {{mandate.reference}}</h2><dl>
        <dt>{{t.creditor_signed}}</dt><dd>{{mandate.signed}}</dd><dt>{{t.creditor_covered}}</dt><dd>{{mandate.covered}}</dd>
        <dt>{{t.creditor_guarantee}}</dt><dd>{{mandate.guarantee}}</dd><dt>{{t.case_commission}}</dt><dd>{{mandate.commission}} %</dd>
        <dt>{{t.creditor_remittance}}</dt><dd>{{mandate.remittance}}</dd></dl></div>
      <div class="card"><h2>{{t.creditor_figures}}</h2>
        <ul>{{#totals}}<li>{{t.case_claimed}} : {{claimed}} · {{t.case_paid}} : {{paid}}</li>{{/totals}}</ul>
        <ul>{{#statuses}}<li><a href="/cases?creditor={{creditorID}}&amp;status={{value}}">{{label}}</a> : {{count}}</li>{{/statuses}}</ul></div>
    </section>
    <section><h2>{{t.creditor_latest}}</h2>{{> case_rows}}<p><a href="/cases?creditor={{creditorID}}">{{t.creditor_allCases}} →</a></p></section>
    {{> layout_foot}}
    """

    static let usersPage = """
    {{> layout_head}}
    <h1>{{t.users_title}}</h1>
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    <table class="list"><thead><tr><th>{{t.login_login}}</th><th>{{t.users_name}}</th><th>{{t.users_role}}</th><th>{{t.col_creditor}}</th><th>{{t.users_team}}</th><th></th></tr></thead>
    <tbody>{{#users}}<tr><td>{{login}}</td><td>{{name}}</td><td>{{role}}</td><td>{{creditor}}</td><td>{{team}}</td>
    <td>{{#disabled}}{{t.users_disabled}}{{/disabled}}{{#canDisable}}<form class="inline" method="post" action="/admin/users/{{id}}/disable"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.users_disable}}</button></form>{{/canDisable}}
    {{^disabled}}<form class="inline" method="post" action="/admin/users/{{id}}/password"><input type="hidden" name="csrf" value="{{csrf}}"><input type="password" name="password" minlength="12" autocomplete="new-password" required aria-label="{{t.users_newPassword}}" placeholder="{{t.users_newPassword}}"><button type="submit">{{t.users_reset}}</button></form>{{/disabled}}</td></tr>{{/users}}</tbody></table>
    <section class="cards forms">
      <form class="card" method="post" action="/admin/users"><h2>{{t.users_new}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.login_login}} <input name="login" required maxlength="64"></label>
        <label>{{t.users_name}} <input name="name" required></label>
        <label>{{t.users_role}} <select name="role">{{#roles}}<option value="{{value}}">{{label}}</option>{{/roles}}</select></label>
        <label>{{t.col_creditor}} <select name="creditor"><option value=""></option>{{#creditors}}<option value="{{id}}">{{name}}</option>{{/creditors}}</select></label>
        <label>{{t.users_team}} <input name="team"></label>
        <label>{{t.users_password}} <input type="password" name="password" minlength="12" autocomplete="new-password" required></label>
        <button type="submit">{{t.users_create}}</button></form>
    </section>
    {{> layout_foot}}
    """

    static let importsPage = """
    {{> layout_head}}
    <h1>{{t.imports_title}}</h1>
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    {{#result}}<section class="card" id="result"><h2>{{t.imports_done}} #{{id}} — {{file}} ({{creditor}})</h2>
    <dl class="figures"><dt>{{t.imports_read}}</dt><dd>{{read}}</dd><dt>{{t.imports_rejected}}</dt><dd>{{rejected}}</dd>
    <dt>{{t.imports_created}}</dt><dd>{{created}}</dd><dt>{{t.imports_updated}}</dt><dd>{{updated}}</dd><dt>{{t.imports_unchanged}}</dt><dd>{{unchanged}}</dd>
    <dt>{{t.imports_debtors}}</dt><dd>{{debtors}}</dd><dt>{{t.imports_cases}}</dt><dd>{{cases}}</dd></dl>
    {{#windows1252}}<p class="notice">{{t.imports_windows}} {{.}}</p>{{/windows1252}}
    {{#rejectsLink}}<p><a href="{{rejectsLink}}" download>{{t.imports_download}}</a></p>{{/rejectsLink}}
    {{#hasRejects}}<table class="list"><thead><tr><th>{{t.imports_line}}</th><th>{{t.imports_column}}</th><th>{{t.imports_reason}}</th></tr></thead>
    <tbody>{{#firstRejects}}<tr><td>{{line}}</td><td>{{column}}</td><td>{{reason}}</td></tr>{{/firstRejects}}</tbody></table>{{/hasRejects}}
    <p><a href="{{casesLink}}">{{t.imports_seeCases}}</a></p></section>{{/result}}
    <form class="card" method="post" action="/imports" enctype="multipart/form-data"><h2>{{t.imports_new}}</h2>
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t.col_creditor}} <select name="creditor" required><option value=""></option>{{#creditors}}<option value="{{id}}">{{name}}</option>{{/creditors}}</select></label>
      <label>{{t.imports_file}} <input type="file" name="file" accept=".csv,text/csv" required></label>
      <p class="hint">{{t.imports_hint}}</p>
      <button type="submit">{{t.imports_submit}}</button></form>
    <section><h2>{{t.imports_latest}}</h2>
    <table class="list"><thead><tr><th>#</th><th>{{t.imports_when}}</th><th>{{t.col_creditor}}</th><th>{{t.imports_file}}</th><th class="num">{{t.imports_read}}</th>
    <th class="num">{{t.imports_rejected}}</th><th class="num">{{t.imports_created}}</th><th class="num">{{t.imports_updated}}</th><th class="num">{{t.imports_cases}}</th><th></th></tr></thead>
    <tbody>{{#imports}}<tr><td>{{id}}</td><td>{{when}}</td><td>{{creditor}}</td><td>{{file}}</td><td class="num">{{read}}</td><td class="num">{{rejected}}</td>
    <td class="num">{{created}}</td><td class="num">{{updated}}</td><td class="num">{{cases}}</td><td>{{#rejects}}<a href="{{rejects}}">{{t.imports_rejectsFile}}</a>{{/rejects}}</td></tr>{{/imports}}</tbody></table>
    </section>
    {{> layout_foot}}
    """

    static let bankPage = """
    {{> layout_head}}
    <h1>{{t.bank_title}}</h1>
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    {{#result}}<section class="card" id="result"><h2>{{t.bank_done}} — {{file}}</h2>
    <dl class="figures"><dt>{{t.bank_credits}}</dt><dd>{{credits}}</dd><dt>{{t.bank_booked}}</dt><dd>{{booked}}</dd><dt>{{t.bank_queued}}</dt><dd>{{queued}}</dd>
    <dt>{{t.bank_known}}</dt><dd>{{known}}</dd><dt>{{t.bank_debits}}</dt><dd>{{debits}}</dd><dt>{{t.bank_pending}}</dt><dd>{{pending}}</dd><dt>{{t.bank_returns}}</dt><dd>{{returns}}</dd></dl>
    {{#hasProblems}}<table class="list"><thead><tr><th>{{t.imports_line}}</th><th>{{t.imports_reason}}</th></tr></thead>
    <tbody>{{#problems}}<tr><td>{{line}}</td><td>{{reason}}</td></tr>{{/problems}}</tbody></table>{{/hasProblems}}</section>{{/result}}
    <form class="card" method="post" action="/bank/statements" enctype="multipart/form-data"><h2>{{t.bank_import}}</h2>
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t.bank_file}} <input type="file" name="file" accept=".xml,application/xml,text/xml" required></label>
      <p class="hint">{{t.bank_hint}} {{account}}</p>
      <button type="submit">{{t.imports_submit}}</button></form>
    <section id="queue"><h2>{{t.bank_queue}} ({{queuedCount}})</h2>
    {{^hasQueue}}<p class="empty">{{t.bank_queueEmpty}}</p>{{/hasQueue}}
    {{#hasQueue}}<table class="list"><thead><tr><th>{{t.bank_date}}</th><th class="num">{{t.bank_amount}}</th><th>{{t.bank_payer}}</th><th>{{t.bank_remittance}}</th>
    <th>{{t.bank_why}}</th><th>{{t.bank_action}}</th></tr></thead>
    <tbody>{{#queue}}<tr><td>{{date}}</td><td class="num">{{amount}}</td><td>{{payer}}{{#iban}}<br><small>{{.}}</small>{{/iban}}</td><td>{{remittance}}<br><small>{{statement}}, {{t.imports_line}} {{line}}</small></td>
    <td>{{reason}}{{#hasSuggestions}}<ul>{{#suggestions}}<li><a href="/cases/{{caseID}}">{{reference}}</a> {{debtor}} · {{balance}}</li>{{/suggestions}}</ul>{{/hasSuggestions}}</td>
    <td><form method="post" action="/bank/credits/{{id}}/assign" class="inline-form"><input type="hidden" name="csrf" value="{{csrf}}">
      <input name="case" required value="{{firstSuggestion}}" placeholder="RC-0000000" aria-label="{{t.bank_case}}" size="11"><button type="submit">{{t.bank_assign}}</button></form>
      <form method="post" action="/bank/credits/{{id}}/set-aside" class="inline-form"><input type="hidden" name="csrf" value="{{csrf}}">
      <input name="reason" required maxlength="500" placeholder="{{t.bank_setAsideWhy}}" aria-label="{{t.bank_setAsideWhy}}"><button type="submit">{{t.bank_setAside}}</button></form></td></tr>{{/queue}}</tbody></table>{{/hasQueue}}
    </section>
    <section id="debits"><h2>{{t.bank_directDebits}}</h2>
    <form class="card" method="post" action="/bank/debits"><input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t.bank_debitsDay}} <input type="date" name="day" value="{{debitDay}}" required></label>
      <p class="hint">{{t.bank_debitsHint}}</p><button type="submit">{{t.bank_debitsPrepare}}</button></form>
    <table class="list"><tbody>{{#debitFiles}}<tr><td>{{day}}</td><td class="num">{{debits}}</td><td class="num">{{total}}</td><td>{{when}}</td>
    <td><a href="/bank/debits/{{id}}">pain.008</a></td></tr>{{/debitFiles}}</tbody></table></section>
    <section><h2>{{t.bank_latest}}</h2>
    <table class="list"><thead><tr><th>#</th><th>{{t.imports_when}}</th><th>{{t.bank_statement}}</th><th>{{t.imports_file}}</th><th class="num">{{t.bank_credits}}</th>
    <th class="num">{{t.bank_booked}}</th><th class="num">{{t.bank_queued}}</th><th class="num">{{t.bank_known}}</th></tr></thead>
    <tbody>{{#statements}}<tr><td>{{id}}</td><td>{{when}}</td><td>{{statement}}</td><td>{{file}}</td><td class="num">{{credits}}</td><td class="num">{{booked}}</td>
    <td class="num">{{queued}}</td><td class="num">{{known}}</td></tr>{{/statements}}</tbody></table></section>
    {{> layout_foot}}
    """

    static let queuePage = """
    {{> layout_head}}
    <h1>{{t.queue_title}} — {{today}}</h1>
    {{#supervisor}}<form class="filters" method="get" action="/queue"><label>{{t.cases_agent}} <select name="agent"><option value="">{{t.queue_team}}</option>{{{agentOptions}}}</select></label>
    <button type="submit">{{t.cases_filter}}</button></form>{{/supervisor}}
    {{^hasItems}}<p class="empty">{{t.queue_empty}}</p>{{/hasItems}}
    {{#hasItems}}<ol class="queue">{{#items}}<li class="card">
      <p><strong><a href="/cases/{{caseID}}">{{reference}}</a> {{debtor}}</strong> · {{creditor}} · {{balance}} · <span class="kind">{{channel}}</span> · {{t.plan_due}} {{due}} · {{t.queue_priority}} {{priority}}{{#agent}} · {{.}}{{/agent}}</p>
      <p>{{reason}}</p>
      <p>{{#phones}}<a class="tel" href="tel:{{.}}">{{.}}</a> {{/phones}}{{^phones}}{{#isCall}}<span class="notice">{{t.queue_noPhone}}</span>{{/isCall}}{{/phones}}{{#hours}} <small>{{t.queue_hours}} {{.}}</small>{{/hours}}</p>
      {{#form}}<form method="post" action="/cases/{{caseID}}/actions" class="inline-form"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="channel" value="{{channel}}"><input type="hidden" name="back" value="queue">
        <select name="outcome" aria-label="{{t.act_outcome}}">{{{outcomeOptions}}}</select>
        {{#hasPhones}}<select name="contact" aria-label="{{t.act_contact}}">{{{phoneOptions}}}</select>{{/hasPhones}}
        <input name="report" required maxlength="4000" placeholder="{{t.act_report}}" aria-label="{{t.act_report}}">
        {{#promise}}<input name="promise_amount" inputmode="decimal" placeholder="{{t.act_promiseAmount}}" aria-label="{{t.act_promiseAmount}}">
        <input type="date" name="promise_date" aria-label="{{t.act_promiseDate}}">{{/promise}}
        <button type="submit">{{t.act_submit}}</button></form>{{/form}}
    </li>{{/items}}</ol>{{/hasItems}}
    {{> layout_foot}}
    """

    static let settingsPage = """
    {{> layout_head}}
    <h1>{{t.settings_title}}</h1>
    {{#saved}}<p class="notice">{{t.settings_saved}}</p>{{/saved}}
    <p>{{t.settings_version}} {{version}} · <a href="/reports/strategies">{{t.report_title}}</a></p>
    <table class="list"><thead><tr><th>{{t.settings_code}}</th><th>{{t.settings_name}}</th><th>{{t.settings_tier}}</th><th>{{t.settings_steps}}</th><th>{{t.settings_end}}</th><th>{{t.settings_challenger}}</th></tr></thead>
    <tbody>{{#strategies}}<tr><td>{{code}}</td><td>{{name}}</td><td>{{tier}}</td><td>{{steps}}</td><td>{{escalation}}</td><td>{{challenger}}</td></tr>{{/strategies}}</tbody></table>
    <p>{{t.settings_rules}} {{rules}}</p>
    {{#hasProblems}}<div class="error" role="alert"><p>{{t.settings_refused}}</p><ul>{{#problems}}<li>{{.}}</li>{{/problems}}</ul></div>{{/hasProblems}}
    <form class="card" method="post" action="/settings/collection"><h2>{{t.settings_edit}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
      <p class="hint">{{t.settings_hint}}</p>
      <textarea name="document" rows="30" class="code" spellcheck="false">{{document}}</textarea>
      <button type="submit">{{t.settings_submit}}</button></form>
    {{> layout_foot}}
    """

    static let lettersPage = """
    {{> layout_head}}
    <h1>{{t.letters_title}}</h1>
    {{#letterEditor}}<p><a href="/settings/letters">{{t.lettersettings_title}}</a></p>{{/letterEditor}}
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    {{#hasPrinted}}<div class="notice" role="status"><ul>{{#printed}}<li>{{kind}} : {{#already}}{{t.letters_already}}{{/already}}{{^already}}{{letters}} {{t.letters_printedCount}}{{/already}}{{#problems}} · {{.}} {{t.letters_notWritten}}{{/problems}}</li>{{/printed}}
    {{#sent}}<li>{{t.letters_emails}} : {{emails}} · {{t.letters_texts}} : {{texts}}{{#held}} ({{t.letters_textsHeld}}){{/held}} · {{t.letters_bounced}} : {{bounced}}{{#retry}} · {{t.letters_retry}} {{.}}{{/retry}}</li>{{/sent}}</ul></div>{{/hasPrinted}}
    <form class="card" method="post" action="/letters/print"><h2>{{t.letters_print}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
      <p class="hint">{{t.letters_printHint}}</p>
      <label>{{t.letters_day}} <input type="date" name="day" value="{{today}}"></label> <button type="submit">{{t.letters_printButton}}</button></form>
    <h2>{{t.letters_batches}}</h2>
    {{^batches}}<p class="empty">{{t.letters_noBatch}}</p>{{/batches}}
    {{#hasBatches}}<table class="list"><thead><tr><th>{{t.letters_day}}</th><th>{{t.letters_kind}}</th><th class="num">{{t.letters_letters}}</th><th class="num">{{t.letters_pages}}</th>
    <th class="num">{{t.letters_postage}}</th><th class="num">{{t.letters_failed}}</th><th>{{t.letters_files}}</th></tr></thead><tbody>{{/hasBatches}}
    {{#batches}}<tr><td>{{day}}</td><td>{{kind}}</td><td class="num">{{letters}}</td><td class="num">{{pages}}</td><td class="num">{{postage}}</td><td class="num">{{failed}}</td>
    <td>{{#deposited}}<a href="/letters/batches/{{id}}/batch.pdf">PDF</a> · <a href="/letters/batches/{{id}}/manifest.csv">{{t.letters_manifest}}</a> <small title="SHA-256">{{sha}}…</small>{{/deposited}}{{^deposited}}{{t.letters_open}}{{/deposited}}</td></tr>{{/batches}}
    {{#hasBatches}}</tbody></table>{{/hasBatches}}
    <h2>{{t.letters_problems}}</h2>
    {{^problems}}<p class="empty">{{t.letters_noProblem}}</p>{{/problems}}
    {{#hasMailProblems}}<table class="list"><thead><tr><th>{{t.col_reference}}</th><th>{{t.letters_kind}}</th><th>{{t.letters_due}}</th><th>{{t.letters_problem}}</th></tr></thead><tbody>{{/hasMailProblems}}
    {{#problems}}<tr><td><a href="/cases/{{caseID}}">{{reference}}</a></td><td>{{kind}}</td><td>{{due}}</td><td>{{problem}}</td></tr>{{/problems}}
    {{#hasMailProblems}}</tbody></table>{{/hasMailProblems}}
    <form class="card" method="post" action="/letters/post" enctype="multipart/form-data"><h2>{{t.letters_post}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
      <p class="hint">{{t.letters_postHint}}</p>
      <label><input type="radio" name="kind" value="numbers" checked> {{t.letters_numbers}}</label>
      <label><input type="radio" name="kind" value="receipts"> {{t.letters_receipts}}</label>
      <input type="file" name="file" accept=".csv,text/csv" required> <button type="submit">{{t.letters_import}}</button></form>
    {{#tracking}}<div class="card" role="status"><h2>{{file}}</h2><p>{{applied}} {{t.letters_applied}} · {{unchanged}} {{t.letters_unchanged}} · {{rejectedCount}} {{t.letters_rejected}}</p>
    {{#hasRejected}}<ul>{{/hasRejected}}{{#rejected}}<li>{{t.letters_line}} {{line}} : {{reason}}</li>{{/rejected}}{{#hasRejected}}</ul>{{/hasRejected}}</div>{{/tracking}}
    {{> layout_foot}}
    """

    static let letterSettingsPage = """
    {{> layout_head}}
    <h1>{{t.lettersettings_title}}</h1>
    {{#saved}}<p class="notice">{{t.lettersettings_saved}}</p>{{/saved}}
    <p>{{t.settings_version}} {{version}}</p>
    <table class="list"><thead><tr><th>{{t.settings_code}}</th><th>{{t.letters_kind}}</th><th>{{t.lettersettings_language}}</th><th>{{t.lettersettings_use}}</th><th>{{t.lettersettings_subject}}</th></tr></thead>
    <tbody>{{#templates}}<tr><td>{{code}}</td><td>{{kind}}</td><td>{{language}}</td><td>{{use}}</td><td>{{subject}}</td></tr>{{/templates}}</tbody></table>
    <h2>{{t.lettersettings_mentions}}</h2>
    <p class="hint">{{t.lettersettings_mentionsHint}}</p>
    <ul>{{#mentions}}<li>{{mention}} — <code>{{needs}}</code></li>{{/mentions}}</ul>
    {{#hasProblems}}<div class="error" role="alert"><p>{{t.settings_refused}}</p><ul>{{#problems}}<li>{{.}}</li>{{/problems}}</ul></div>{{/hasProblems}}
    <form class="card" method="post" action="/settings/letters"><h2>{{t.settings_edit}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
      <textarea name="document" rows="30" class="code" spellcheck="false">{{document}}</textarea>
      <button type="submit">{{t.settings_submit}}</button></form>
    <h2>{{t.lettersettings_variables}}</h2>
    <table class="list"><tbody>{{#variables}}<tr><td><code>{{name}}</code></td><td>{{meaning}}</td></tr>{{/variables}}</tbody></table>
    {{> layout_foot}}
    """

    static let strategyReportPage = """
    {{> layout_head}}
    <p class="crumbs"><a href="/settings/collection">{{t.settings_title}}</a> › {{t.report_title}}</p>
    <h1>{{t.report_title}}</h1>
    <p class="hint">{{t.report_hint}}</p>
    {{^hasRows}}<p class="empty">{{t.report_empty}}</p>{{/hasRows}}
    {{#hasRows}}<table class="list"><thead><tr><th>{{t.settings_name}}</th><th>{{t.report_variant}}</th><th class="num">{{t.report_cases}}</th><th class="num">{{t.case_claimed}}</th>
    <th class="num">{{t.report_paid}}</th><th class="num">{{t.report_recovered}}</th><th class="num">{{t.report_reached}}</th><th class="num">{{t.report_promises}}</th>
    <th class="num">{{t.report_paying}}</th><th class="num">{{t.report_firstPayment}}</th><th class="num">{{t.report_escalated}}</th><th>{{t.report_work}}</th></tr></thead>
    <tbody>{{#rows}}<tr{{#challenger}} class="challenger"{{/challenger}}><td>{{strategy}} <small>{{code}}</small></td><td>{{variant}}</td><td class="num">{{cases}}</td><td class="num">{{claimed}}</td>
    <td class="num">{{paid}}</td><td class="num">{{recovered}}</td><td class="num">{{reached}}</td><td class="num">{{promises}}</td><td class="num">{{paying}}</td><td class="num">{{firstPayment}}</td>
    <td class="num">{{escalated}}</td><td>{{work}}</td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{> layout_foot}}
    """

    static let objectivesPage = """
    {{> layout_head}}
    <h1>{{t.objectives_title}} — {{today}}</h1>
    {{#formError}}<p class="error" role="alert">{{formError}}</p>{{/formError}}
    <table class="list"><thead><tr><th>{{t.cases_agent}}</th><th>{{t.objectives_teamCol}}</th><th class="num">{{t.objectives_callsToday}}</th><th class="num">{{t.objectives_callsWeek}}</th>
    <th class="num">{{t.objectives_reminders}}</th><th class="num">{{t.objectives_recovered}}</th><th>{{t.objectives_source}}</th></tr></thead>
    <tbody>{{#rows}}<tr><td>{{name}}</td><td>{{team}}</td><td class="num{{#callsBehind}} behind{{/callsBehind}}">{{callsToday}}{{#callsTarget}} / {{.}}{{/callsTarget}}</td><td class="num">{{callsWeek}}</td>
    <td class="num{{#remindersBehind}} behind{{/remindersBehind}}">{{reminders}}{{#remindersTarget}} / {{.}}{{/remindersTarget}}</td>
    <td class="num{{#recoveredBehind}} behind{{/recoveredBehind}}">{{recovered}}{{#recoveredTarget}} / {{.}}{{/recoveredTarget}}</td><td>{{source}}</td></tr>{{/rows}}</tbody></table>
    {{#hasTeams}}<h2>{{t.objectives_teams}}</h2>{{/hasTeams}}
    {{#teams}}<p><strong>{{name}}</strong> ({{agents}}) : {{t.objectives_callsToday}} {{calls}}{{#callsTarget}} / {{.}}{{/callsTarget}} · {{t.objectives_reminders}} {{reminders}}{{#remindersTarget}} / {{.}}{{/remindersTarget}}
    · {{t.objectives_recovered}} {{recovered}}{{#recoveredTarget}} / {{.}}{{/recoveredTarget}}</p>{{/teams}}
    {{#canSet}}<form class="card" method="post" action="/objectives"><h2>{{t.objectives_set}}</h2><input type="hidden" name="csrf" value="{{csrf}}">
      <label>{{t.objectives_for}} <select name="target" required><option value=""></option>{{{targetOptions}}}</select></label>
      <label>{{t.objectives_callsPerDay}} <input name="calls" type="number" min="0" max="1000" required></label>
      <label>{{t.objectives_remindersPerWeek}} <input name="reminders" type="number" min="0" max="10000" required></label>
      <label>{{t.objectives_recoveredPerMonth}} <input name="recovered" inputmode="decimal" placeholder="0,00"></label>
      <button type="submit">{{t.objectives_submit}}</button></form>{{/canSet}}
    {{> layout_foot}}
    """

    static let notFound = """
    {{> layout_head}}
    <h1>{{t.notfound_title}}</h1><p>{{t.notfound_text}}</p><p><a href="/cases">{{t.nav_cases}}</a></p>
    {{> layout_foot}}
    """
}

enum Stylesheet {
    static let css = """
    :root{--ink:#1d2433;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--accent:#1f4e9c;--warn:#9c5a1f}
    .who{margin-left:1em;color:var(--ink);text-decoration:none}form.inline{display:inline;margin-left:.5em}
    ol.queue{list-style:none;padding:0}ol.queue li{margin-bottom:.8em}.inline-form{display:flex;flex-wrap:wrap;gap:.4em}a.tel{font-weight:600;margin-right:.6em}
    textarea.code{width:100%;font-family:monospace;font-size:.85em}.task.t-queued,.task.t-outbox{font-weight:600}.task.t-superseded,.task.t-cancelled{color:var(--muted)}
    label.warn{color:var(--warn)}td.behind{color:var(--warn);font-weight:600}fieldset{border:1px solid var(--line);border-radius:4px}
    .error{color:#8a1f1f;background:#fbeaea;border:1px solid #e7b9b9;padding:.5em .8em;border-radius:4px}
    form.login{display:grid;gap:.8em;max-width:22em}form.login input{width:100%}
    .forms form{display:grid;gap:.5em;align-content:start}.forms textarea,.forms input,.forms select{width:100%}
    *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
    a{color:var(--accent)}header.top{display:flex;gap:1rem;align-items:baseline;padding:.7rem 1.5rem;background:#fff;border-bottom:1px solid var(--line)}
    .brand{font-weight:700;font-size:1.2rem;text-decoration:none}.tagline{color:var(--muted)}header nav{margin-left:auto;display:flex;gap:1rem}
    main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem 3rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:.2rem 0 .6rem}
    .filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:end;background:#fff;padding:.8rem;border:1px solid var(--line);border-radius:6px;margin-bottom:1rem}
    .filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}.filters .grow{flex:1;min-width:14rem}
    .filters label.check{flex-direction:row;align-items:center;gap:.3rem}.hint{color:var(--muted);font-size:.85rem}
    dl.figures{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dl.figures dd{margin:0;font-variant-numeric:tabular-nums}
    input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:4px;background:#fff}button{background:var(--accent);color:#fff;border:0;cursor:pointer}
    table.list{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}table.list th,table.list td{padding:.45rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
    table.list th{font-size:.85rem;color:var(--muted);font-weight:600}.num,table.list .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    .status{display:inline-block;padding:.05rem .45rem;border-radius:999px;font-size:.8rem;background:#e8ecf4}.s-paid,.s-closed{background:#dff1e3}.s-litigation,.s-irrecoverable{background:#f6e0e0}.s-suspended{background:#f7ecd9}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem;margin:1rem 0}.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem}
    .big{font-size:1.6rem;font-weight:700;margin:.2rem 0}.notice{background:#fff6e5;border-left:4px solid var(--warn);padding:.4rem .7rem}.empty{color:var(--muted)}
    .timeline{list-style:none;padding:0}.timeline li{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.5rem .8rem;margin-bottom:.5rem}.timeline p{margin:.2rem 0}
    .kind{font-weight:600}.change{color:var(--muted)}small{color:var(--muted)}.crumbs{color:var(--muted);margin:.2rem 0}.pager{display:flex;gap:1rem;justify-content:flex-end}
    dl{margin:0}dt{font-size:.85rem;color:var(--muted)}dd{margin:0 0 .4rem}ul.contacts{padding-left:1rem}
    """
}
