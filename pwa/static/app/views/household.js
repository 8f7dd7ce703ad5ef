// One household: its details, indicators and checklists.

import { html, mount, uuid } from "../dom.js";
import { formatDateTime, label, t } from "../i18n.js";
import { meets, needsAskingAgain } from "../rules.js";
import { templateOf } from "./checklist.js";

export async function render(app, id) {
  const record = await app.store.get("household", id);
  const view = app.view();
  if (!record || record.deleted) {
    mount(view, html`<p>${t("This household is not on this phone.")}</p><a href="#/households">${t("Back")}</a>`);
    return;
  }
  app.watch(`household:${id}`, "checklist");
  const data = record.data;
  const checklists = (await app.store.all("checklist")).filter((c) => c.data.household_id === id);
  const templates = app.schema.checklists;
  const started = new Set(checklists.map((c) => c.data.template_key));
  mount(
    view,
    html`<section>
      <a href="#/households" class="back">← ${t("Households")}</a>
      <h1>${data.head_name}</h1>
      ${data.restricted ? html`<p class="card warn" data-restricted role="status">${t("Restricted by the coordinator: keep it as it is, no new work, until the restriction is lifted.")}</p>` : ""}
      ${needsAskingAgain(app.schema, data.consent) ? html`<a class="card warn" data-ask-again href="#/households/${id}/edit">${t("The consent texts have changed: ask this household again. Tap to do it now.")}</a>` : ""}
      ${record.rejected ? html`<a class="card warn" href="#/fix">${t("The server refused a change to this household. Tap to fix it.")}</a>` : ""}
      <dl class="facts">
        <dt>${t("Village")}</dt><dd>${villageName(app, data.village_code)}</dd>
        ${data.address ? html`<dt>${t("Address")}</dt><dd>${data.address}</dd>` : ""}
        ${data.phone ? html`<dt>${t("Phone")}</dt><dd><a href="tel:${data.phone}">${data.phone}</a></dd>` : ""}
        <dt>${t("People / adults")}</dt><dd>${data.people_count ?? "?"} / ${data.adult_count ?? "?"}</dd>
        <dt>${t("Consent")}</dt><dd>${consentText(app, data.consent)}</dd>
      </dl>
      <div class="row"><a class="button" href="#/households/${id}/edit">${t("Edit")}</a>
        <a class="button" href="#/households/${id}/copy">${t("Show the household what we hold")}</a></div>
      ${data.consent?.purposes?.length ? html`<a class="button" id="withdraw-consent" href="#/households/${id}/withdraw">${t("Withdraw consent")}</a>` : ""}
      <h2>${t("Digital readiness")}</h2>
      <ul class="indicators">
        ${app.schema.indicators.items.map((i) => indicatorRow(i, (data.indicators || {})[i.key]))}
      </ul>
      <h2>${t("Checklists")}</h2>
      <ul class="list">
        ${checklists.map((c) => checklistRow(id, c, templates, app.schema.checklist_versions))}
      </ul>
      ${templates.filter((tpl) => !started.has(tpl.key)).length
        ? html`<label for="start">${t("Start a checklist")}</label>
          <div class="row"><select id="start">
            ${templates.filter((tpl) => !started.has(tpl.key)).map((tpl) => html`<option value="${tpl.key}">${label(tpl.title)}</option>`)}
          </select><button type="button" id="start-button" class="primary">${t("Start")}</button></div>`
        : ""}
    </section>`,
  );
  view.querySelector("#start-button")?.addEventListener("click", async () => {
    const template = templates.find((tpl) => tpl.key === view.querySelector("#start").value);
    const checklistId = uuid();
    await app.store.edit({
      type: "checklist",
      id: checklistId,
      op: "create",
      data: { household_id: id, template_key: template.key, template_version: template.version },
    });
    await app.saved();
    app.go(`#/households/${id}/checklists/${checklistId}`);
  });
}

function villageName(app, code) {
  return app.account.user.villages.find((v) => v.code === code)?.name || code;
}

function consentText(app, consent) {
  if (!consent) return t("No consent recorded");
  const purposes = app.schema.consent_purposes
    .filter((p) => (consent.purposes || []).includes(p.key))
    .map((p) => label(p.label));
  return `${consent.given_by}, ${formatDateTime(consent.given_at)}: ${purposes.join("; ")}`;
}

function indicatorRow(indicator, value) {
  let shown = t("Not recorded");
  if (indicator.type === "bool" && value !== null && value !== undefined) shown = value ? t("Yes") : t("No");
  if (indicator.type === "int" && value !== null && value !== undefined) shown = String(value);
  if (indicator.type === "choice" && value) {
    shown = label(indicator.choices.find((c) => c.value === value)?.label) || value;
  }
  const ok = meets(indicator, value);
  return html`<li class="${ok ? "met" : "unmet"}"><span aria-hidden="true">${ok ? "✓" : "○"}</span>
    <span>${label(indicator.label)}</span><strong>${shown}</strong></li>`;
}

function checklistRow(householdId, checklist, templates, versions) {
  const template = templateOf({ checklists: templates, checklist_versions: versions }, checklist.data);
  if (!template) return "";
  const items = checklist.data.items || {};
  const done = template.items.filter((item) => items[item.key]?.done).length;
  const share = Math.round((done / template.items.length) * 100);
  return html`<li><a href="#/households/${householdId}/checklists/${checklist.id}">
    <strong>${label(template.title)}</strong>
    <span class="muted">${t("%(done)s of %(total)s steps", { done, total: template.items.length })}</span>
    <span class="meter" role="progressbar" aria-valuenow="${share}" aria-valuemin="0" aria-valuemax="100">
      <span data-width="${share}"></span></span>
  </a></li>`;
}
