// A household's checklist: tick steps offline; a step can set one of the household's indicators.

import { html, mount } from "../dom.js";
import { label, t } from "../i18n.js";

export async function render(app, householdId, checklistId) {
  const view = app.view();
  const [household, checklist] = await Promise.all([
    app.store.get("household", householdId),
    app.store.get("checklist", checklistId),
  ]);
  const template = checklist && templateOf(app.schema, checklist.data);
  if (!household || !checklist || !template) {
    mount(view, html`<p>${t("This checklist is not on this phone.")}</p>`);
    return;
  }
  app.watch(`checklist:${checklistId}`, `household:${householdId}`);
  let refused = await refusedSteps(app, checklistId);
  const here = location.hash;
  const draw = (items) => {
    // A step saved after the member went to another screen must not draw over that screen.
    if (location.hash !== here) return;
    const done = template.items.filter((item) => items[item.key]?.done).length;
    const share = Math.round((done / template.items.length) * 100);
    mount(
      view,
      html`<section>
        <a href="#/households/${householdId}" class="back">← ${household.data.head_name}</a>
        <h1>${label(template.title)}</h1>
        <p class="muted">${label(template.description)}</p>
        ${refused.size ? html`<p class="card warn">${t("The server refused a change to a step. Its message is shown under the step.")}</p>` : ""}
        <p>${t("%(done)s of %(total)s steps", { done, total: template.items.length })}</p>
        <div class="meter big" role="progressbar" aria-valuenow="${share}" aria-valuemin="0" aria-valuemax="100">
          <span data-width="${share}"></span></div>
        <ol class="steps">
          ${template.items.map((item) => html`<li>
            <label class="check step">
              <input type="checkbox" data-item="${item.key}" ${items[item.key]?.done ? "checked" : ""}>
              <span><strong>${label(item.label)}</strong><br><small>${label(item.help)}</small></span>
            </label>
            ${refused.has(item.key) ? html`<div class="card warn" data-refused="${item.key}">
              <ul>${refused.get(item.key).map((message) => html`<li>${message}</li>`)}</ul>
              <p>${t("Tick or untick this step again, or send it again as it is.")}</p>
              <button type="button" data-resend="${item.key}">${t("Send again")}</button>
            </div>` : ""}</li>`)}
        </ol>
      </section>`,
    );
    for (const box of view.querySelectorAll("input[data-item]")) {
      box.addEventListener("change", () => tick(box.dataset.item, box.checked));
    }
    for (const button of view.querySelectorAll("[data-resend]")) {
      const key = button.dataset.resend;
      button.addEventListener("click", () => tick(key, Boolean(items[key]?.done)));
    }
  };

  const tick = async (key, done) => {
    const madeAt = new Date().toISOString();
    const entry = { done, at: madeAt };
    const replaced = (await app.store.outbox("rejected")).filter(
      (e) => e.type === "checklist" && e.record_id === checklistId && e.op === "update" &&
        Object.keys(e.data).every((f) => f === "items") &&
        Object.keys(e.data.items || {}).every((k) => k === key) &&
        (e.errors || []).every((x) => String(x.field).startsWith("items.")),
    );
    const updated = await app.store.edit({
      type: "checklist",
      id: checklistId,
      op: "update",
      data: { items: { [key]: entry } },
      madeAt,
    });
    const effects = indicatorEffects(template, updated.data.items || {});
    const current = (await app.store.get("household", householdId)).data.indicators || {};
    const changed = Object.fromEntries(
      Object.entries(effects).filter(([k, v]) => raises(app.schema, k, current[k], v)),
    );
    if (Object.keys(changed).length) {
      await app.store.edit({
        type: "household",
        id: householdId,
        op: "update",
        data: { indicators: changed },
        madeAt,
      });
      app.toast(t("The household's readiness was updated."));
    }
    for (const entry of replaced) await app.store.discard(entry);
    refused = await refusedSteps(app, checklistId);
    await app.saved();
    draw(updated.data.items || {});
  };
  draw(checklist.data.items || {});
}

/** The server's messages for this checklist's refused step changes, by step. */
async function refusedSteps(app, checklistId) {
  const byStep = new Map();
  const entries = (await app.store.outbox("rejected")).filter(
    (e) => e.type === "checklist" && e.record_id === checklistId,
  );
  for (const entry of entries) {
    // Errors about the record itself are explained under "Needs attention": no step fixes them.
    if ((entry.errors || []).some((e) => !String(e.field).startsWith("items."))) continue;
    for (const key of Object.keys(entry.data.items || {})) {
      const messages = (entry.errors || [])
        .filter((e) => e.field === `items.${key}`)
        .map((e) => e.message);
      byStep.set(key, [...(byStep.get(key) || []), ...messages]);
    }
  }
  return byStep;
}

/** Indicator values the ticked steps set; a later step in the list wins (level 2 over level 1). */
export function indicatorEffects(template, items) {
  const effects = {};
  for (const item of template.items) {
    if (item.sets_indicator && items[item.key]?.done) {
      const [key, value] = item.sets_indicator;
      effects[key] = value;
    }
  }
  return effects;
}

/** The template version a checklist was started on (older versions stay in the schema). */
export function templateOf(schema, data) {
  const all = [...schema.checklists, ...(schema.checklist_versions || [])];
  return (
    all.find((tpl) => tpl.key === data.template_key && tpl.version === data.template_version) ||
    schema.checklists.find((tpl) => tpl.key === data.template_key)
  );
}

/** A ticked step only ever moves an indicator forward (level 1 never replaces level 2). */
export function raises(schema, key, before, after) {
  if (before === null || before === undefined) return true;
  const indicator = schema.indicators.items.find((i) => i.key === key);
  if (!indicator || before === after) return false;
  if (indicator.type === "bool") return after === true && before !== true;
  if (indicator.type === "int") return Number(after) > Number(before);
  const rank = (value) => indicator.choices.findIndex((c) => c.value === value);
  return rank(after) > rank(before);
}
