// Onboarding and editing a household. Consent comes first; without it nothing personal is
// saved, not even as a draft. Drafts are kept as the member types, so nothing typed is lost.

import { debounce, html, mount, uuid } from "../dom.js";
import { label, t } from "../i18n.js";
import { consentVersions, needsAskingAgain, normalizePhone, validateHousehold } from "../rules.js";

const TEXT_FIELDS = ["head_name", "phone", "address", "notes"];
const INT_FIELDS = ["people_count", "adult_count"];

export async function render(app, id) {
  const isNew = !id;
  const record = isNew ? null : await app.store.get("household", id);
  const view = app.view();
  if (!isNew && !record) {
    mount(view, html`<p>${t("This household is not on this phone.")}</p>`);
    return;
  }
  const draftKey = `household:${id || "new"}`;
  const draft = await app.store.draft(draftKey);
  const recordId = id || draft?.value?.id || uuid();
  const rejected = isNew ? [] : (await app.store.outbox("rejected")).filter((e) => e.record_id === id);
  const start = draft?.value?.values || record?.data || { village_code: onlyVillage(app) };
  const schema = app.schema;
  const villages = app.account.user.villages;
  const required = schema.consent_purposes.filter((p) => p.required).map((p) => p.key);
  // The purposes' texts changed since the household agreed: it is asked again, from blank ticks.
  const askAgain = !isNew && needsAskingAgain(schema, record?.data?.consent);

  mount(
    view,
    html`<section>
      <a href="${isNew ? "#/households" : `#/households/${id}`}" class="back">← ${t("Back")}</a>
      <h1>${isNew ? t("Add a household") : t("Edit household")}</h1>
      ${draft ? html`<p class="card note" role="status">${t("Restored what you typed earlier.")}
        <button type="button" id="drop-draft">${t("Discard draft")}</button></p>` : ""}
      ${rejected.length ? html`<div class="card warn" role="alert"><p>${t("The server refused this change:")}</p>
        <ul>${rejected.flatMap((e) => e.errors || []).map((e) => html`<li>${e.message}</li>`)}</ul>
        <p>${t("Correct it below and save again.")}</p></div>` : ""}
      <form class="stack household-form" novalidate>
        <fieldset class="consent">
          <legend>${t("1. Consent")}</legend>
          ${askAgain ? html`<p class="card warn" data-ask-again role="status">${t("The consent texts have changed since this household agreed. Read each purpose again and tick only what they agree to now.")}</p>` : ""}
          <p>${t("Read each purpose to the household. Tick only what they agree to.")}</p>
          ${schema.consent_purposes.map((p) => html`<label class="check">
            <input type="checkbox" name="purpose" value="${p.key}">
            <span><strong>${label(p.label)}</strong>${p.required ? html` <em>(${t("needed to save")})</em>` : ""}
            <br><small>${label(p.help)}</small></span></label>`)}
          <label for="given_by">${t("Name of the person who agreed")}</label>
          <input id="given_by" name="given_by" autocomplete="off">
          <p class="field-error" data-error="consent" role="alert"></p>
        </fieldset>
        <fieldset class="personal">
          <legend>${t("2. Household")}</legend>
          <p class="muted needs-consent">${t("Record consent first; then these fields open.")}</p>
          <label for="head_name">${t("Head of household")}</label>
          <input id="head_name" name="head_name" autocomplete="off" required>
          <p class="field-error" data-error="head_name"></p>
          <label for="village_code">${t("Village")}</label>
          <select id="village_code" name="village_code">
            ${villages.map((v) => html`<option value="${v.code}">${v.name}</option>`)}
          </select>
          <p class="field-error" data-error="village_code"></p>
          <label for="address">${t("Address")}</label>
          <input id="address" name="address" autocomplete="off">
          <p class="field-error" data-error="address"></p>
          <label for="phone">${t("Phone")}</label>
          <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="off">
          <p class="field-error" data-error="phone"></p>
          <div class="two">
            <div><label for="people_count">${t("People")}</label>
              <input id="people_count" name="people_count" type="number" inputmode="numeric" min="1" max="50">
              <p class="field-error" data-error="people_count"></p></div>
            <div><label for="adult_count">${t("Adults")}</label>
              <input id="adult_count" name="adult_count" type="number" inputmode="numeric" min="0" max="50">
              <p class="field-error" data-error="adult_count"></p></div>
          </div>
          <h2>${t("3. Digital readiness")}</h2>
          ${schema.indicators.items.map(indicatorInput)}
          <label for="notes">${t("Notes")}</label>
          <textarea id="notes" name="notes" rows="3"></textarea>
          <p class="field-error" data-error="notes"></p>
        </fieldset>
        <button type="submit" class="primary big">${t("Save on this phone")}</button>
      </form>
    </section>`,
  );
  const form = view.querySelector("form");
  fill(form, start, schema);
  if (askAgain && !draft) {
    for (const box of form.querySelectorAll("input[name=purpose]")) box.checked = false;
  }
  const personal = form.querySelector("fieldset.personal");
  const consented = () => required.every((key) => checkedPurposes(form).includes(key));
  const gate = () => {
    personal.disabled = !consented();
    form.querySelector(".needs-consent").hidden = consented();
  };
  gate();
  showErrors(form, Object.fromEntries(rejected.flatMap((e) => e.errors || []).map((e) => [e.field, e.message])));

  let submitted = false;
  const saveDraft = debounce(async () => {
    if (submitted) return;
    // Without consent only the consent choices are kept, never names or numbers.
    const values = consented() ? collect(form, schema, start) : { consent: collect(form, schema, start).consent };
    await app.store.saveDraft(draftKey, { id: recordId, values });
  }, 300);
  form.addEventListener("input", () => {
    app.dirty = true;
    gate();
    saveDraft();
  });
  form.addEventListener("change", gate);
  view.querySelector("#drop-draft")?.addEventListener("click", async () => {
    await app.store.dropDraft(draftKey);
    app.route();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submitted) return;
    const values = collect(form, schema, start);
    const merged = { ...(record?.data || {}), ...values };
    const errors = validateHousehold(schema, merged);
    showErrors(form, errors);
    if (Object.keys(errors).length) {
      form.querySelector(".field-error:not(:empty)")?.scrollIntoView({ block: "center" });
      return;
    }
    // From here on the form is saved: a draft written now would bring this record back.
    submitted = true;
    saveDraft.cancel();
    for (const entry of rejected) await app.store.discard(entry);
    const fresh = isNew || !record.version;
    const data = fresh || rejected.length ? values : changes(record.data, values);
    if (Object.keys(data).length) {
      await app.store.edit({
        type: "household",
        id: recordId,
        op: fresh ? "create" : "update",
        data,
      });
    }
    await app.store.dropDraft(draftKey);
    await app.saved();
    app.toast(t("Saved on this phone."));
    app.go(`#/households/${recordId}`);
  });
}

function onlyVillage(app) {
  return app.account.user.villages[0]?.code || "";
}

function indicatorInput(indicator) {
  const name = `ind-${indicator.key}`;
  if (indicator.type === "int") {
    return html`<label for="${name}">${label(indicator.label)}</label>
      <input id="${name}" name="${name}" type="number" inputmode="numeric" min="${indicator.min}" max="${indicator.max}">
      <p class="field-error" data-error="indicators.${indicator.key}"></p>`;
  }
  const options = indicator.type === "bool"
    ? [{ value: "true", label: t("Yes") }, { value: "false", label: t("Not yet") }]
    : indicator.choices.map((c) => ({ value: c.value, label: label(c.label) }));
  return html`<fieldset class="choice"><legend>${label(indicator.label)}</legend>
    <small class="muted">${label(indicator.help)}</small>
    ${options.map((o) => html`<label class="check"><input type="radio" name="${name}" value="${o.value}"><span>${o.label}</span></label>`)}
    <label class="check"><input type="radio" name="${name}" value=""><span>${t("Don't know yet")}</span></label>
    <p class="field-error" data-error="indicators.${indicator.key}"></p></fieldset>`;
}

function checkedPurposes(form) {
  return Array.from(form.querySelectorAll("input[name=purpose]:checked"), (box) => box.value);
}

function fill(form, values, schema) {
  const consent = values.consent || {};
  for (const box of form.querySelectorAll("input[name=purpose]")) {
    box.checked = (consent.purposes || []).includes(box.value);
  }
  form.given_by.value = consent.given_by || "";
  for (const name of [...TEXT_FIELDS, ...INT_FIELDS, "village_code"]) {
    if (values[name] !== undefined && values[name] !== null) form.elements[name].value = values[name];
  }
  const indicators = values.indicators || {};
  for (const indicator of schema.indicators.items) {
    const value = indicators[indicator.key];
    const field = form.elements[`ind-${indicator.key}`];
    if (!field) continue;
    if (indicator.type === "int") field.value = value ?? "";
    else field.value = value === null || value === undefined ? "" : String(value);
  }
}

function collect(form, schema, start) {
  const purposes = checkedPurposes(form);
  const before = start.consent || {};
  const samePurposes = JSON.stringify([...(before.purposes || [])].sort()) === JSON.stringify([...purposes].sort());
  // Kept as given unless the household is asked again: then the texts shown now are recorded.
  const same = samePurposes && before.given_at && !needsAskingAgain(schema, before);
  const values = {
    consent: {
      given_by: form.given_by.value.trim(),
      purposes,
      given_at: same ? before.given_at : new Date().toISOString(),
    },
    village_code: form.village_code.value,
  };
  // A consent given before versions were recorded keeps none: nobody knows which texts it saw.
  if (!same) values.consent.versions = consentVersions(schema);
  else if (before.versions) values.consent.versions = before.versions;
  for (const name of TEXT_FIELDS) values[name] = form.elements[name].value.trim();
  values.phone = values.phone ? normalizePhone(values.phone) || values.phone : null;
  for (const name of INT_FIELDS) {
    const raw = form.elements[name].value;
    values[name] = raw === "" ? null : Number(raw);
  }
  values.indicators = {};
  for (const indicator of schema.indicators.items) {
    const raw = form.elements[`ind-${indicator.key}`]?.value ?? "";
    let value = raw === "" ? null : raw;
    if (value !== null && indicator.type === "bool") value = raw === "true";
    if (value !== null && indicator.type === "int") value = Number(raw);
    values.indicators[indicator.key] = value;
  }
  return values;
}

/** Only what changed: top-level fields compared whole, indicators key by key. */
function changes(before, after) {
  const out = {};
  for (const [name, value] of Object.entries(after)) {
    if (name === "indicators") {
      const diff = {};
      for (const [key, v] of Object.entries(value)) {
        if ((before.indicators || {})[key] !== v && !(v === null && (before.indicators || {})[key] === undefined)) diff[key] = v;
      }
      if (Object.keys(diff).length) out.indicators = diff;
    } else if (JSON.stringify(before[name] ?? null) !== JSON.stringify(value ?? null)) {
      out[name] = value;
    }
  }
  return out;
}

function showErrors(form, errors) {
  for (const slot of form.querySelectorAll("[data-error]")) {
    slot.textContent = errors[slot.dataset.error] || "";
  }
}
