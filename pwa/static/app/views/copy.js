// The household's short copy: what this phone holds about it, to show the household in its yard.
// Works offline, from the phone's own store; the full copy is printed by the coordinator.

import { html, mount } from "../dom.js";
import { formatDateTime, label, t } from "../i18n.js";
import { needsAskingAgain } from "../rules.js";
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
  const schema = app.schema;
  const checklists = (await app.store.all("checklist")).filter((c) => c.data.household_id === id);
  const village = app.account.user.villages.find((v) => v.code === data.village_code)?.name || data.village_code;
  const consent = data.consent || {};
  const given = consent.purposes || [];
  const versions = consent.versions || {};
  mount(
    view,
    html`<section class="household-copy" data-copy>
      <a href="#/households/${id}" class="back">← ${t("Back")}</a>
      <h1>${t("What the team holds about this household")}</h1>
      <p class="muted">${t("Show this screen to the household. Ask the commune coordinator for the full printed copy.")}</p>
      ${data.restricted ? html`<p class="card warn" data-restricted>${t("Restricted by the coordinator: kept, but not used.")}</p>` : ""}
      <h2>${t("The household's details")}</h2>
      <dl class="facts">
        <dt>${t("Head of household")}</dt><dd>${data.head_name}</dd>
        <dt>${t("Village")}</dt><dd>${village}</dd>
        <dt>${t("Address")}</dt><dd>${data.address || t("(empty)")}</dd>
        <dt>${t("Phone")}</dt><dd>${data.phone || t("(empty)")}</dd>
        <dt>${t("People in the household")}</dt><dd>${data.people_count ?? t("(empty)")}</dd>
        <dt>${t("Adults")}</dt><dd>${data.adult_count ?? t("(empty)")}</dd>
        <dt>${t("Notes")}</dt><dd>${data.notes || t("(empty)")}</dd>
        ${schema.indicators.items.map((i) => html`<dt>${label(i.label)}</dt><dd>${valueText(i, (data.indicators || {})[i.key])}</dd>`)}
      </dl>
      <h2>${t("Consent")}</h2>
      <p>${t("Given by %(name)s on %(when)s", { name: consent.given_by || "", when: consent.given_at ? formatDateTime(consent.given_at) : "" })}</p>
      ${needsAskingAgain(schema, consent) ? html`<p class="card warn" data-ask-again>${t("The consent texts have changed: ask this household again.")}</p>` : ""}
      <ul class="cards">
        ${schema.consent_purposes.map((p) => html`<li data-purpose="${p.key}">
          <strong>${label(p.label)}</strong>: ${given.includes(p.key) ? t("Agreed") : t("Not agreed")}
          <br><small>${label(p.help)}</small>
          <br><small class="muted">${versions[p.key] ? t("text of %(version)s", { version: versions[p.key] }) : t("text version not recorded")}</small>
        </li>`)}
      </ul>
      <h2>${t("Checklists")}</h2>
      ${checklists.length ? "" : html`<p class="muted">${t("None.")}</p>`}
      ${checklists.map((c) => checklistBlock(schema, c))}
    </section>`,
  );
}

function valueText(indicator, value) {
  if (value === null || value === undefined || value === "") return t("(empty)");
  if (indicator.type === "bool") return value ? t("Yes") : t("No");
  if (indicator.type === "choice") return label(indicator.choices.find((c) => c.value === value)?.label) || String(value);
  return String(value);
}

function checklistBlock(schema, checklist) {
  const template = templateOf(schema, checklist.data);
  if (!template) return "";
  const items = checklist.data.items || {};
  return html`<h3>${label(template.title)}</h3>
    <ul class="cards">${template.items.map((item) => html`<li>${label(item.label)}: ${items[item.key]?.done ? t("Done") : t("Not done")}</li>`)}</ul>`;
}
