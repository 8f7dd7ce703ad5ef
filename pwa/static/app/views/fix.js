// Changes the server refused (to fix) and changes someone else also made (for information).

import { html, mount } from "../dom.js";
import { formatDateTime, formatNumber, label, t } from "../i18n.js";

export async function render(app) {
  const view = app.view();
  const rejected = await app.store.outbox("rejected");
  const conflicts = await app.store.meta("conflicts", []);
  const names = new Map((await app.store.all("household")).map((h) => [h.id, h.data.head_name]));
  const links = await fixLinks(app, rejected);
  mount(
    view,
    html`<section>
      <h1>${t("Needs attention")}</h1>
      <h2>${t("Refused by the server")}</h2>
      ${rejected.length ? "" : html`<p class="muted">${t("Nothing to fix.")}</p>`}
      <ul class="list">
        ${rejected.map((entry) => html`<li class="card warn">
          <strong>${nameOf(entry, names)}</strong>
          <ul>${(entry.errors || []).map((e) => html`<li>${e.message}</li>`)}</ul>
          ${stuck(entry) && entry.type === "assignment"
            ? html`<p>${t("This work was withdrawn or is no longer yours: sending it again will not help. Discard this change.")}</p>` : ""}
          ${stuck(entry) && entry.type !== "assignment"
            ? html`<p>${t("Sending this again will not help. If the household was refused too, fix it first and start the checklist again; otherwise ask your team leader. Then discard this change.")}</p>` : ""}
          <div class="row">
            ${links.has(entry.seq) && !stuck(entry) ? html`<a class="button primary" href="${links.get(entry.seq)}">${t("Fix")}</a>` : ""}
            <button type="button" data-discard="${entry.seq}">${t("Discard this change")}</button>
          </div></li>`)}
      </ul>
      <h2>${t("Changed in two places at once")}</h2>
      ${conflicts.length ? "" : html`<p class="muted">${t("No conflicts.")}</p>`}
      <ul class="list">
        ${conflicts.map((c) => html`<li class="card note">
          <strong>${nameOf(c, names)}</strong> · ${formatDateTime(c.at)}
          <p>${c.message}</p>
          <ul>${c.conflicts.map((x) => html`<li>${conflictLine(app.schema, c.type, x)}</li>`)}</ul>
        </li>`)}
      </ul>
      ${conflicts.length ? html`<button type="button" id="clear-conflicts">${t("Clear this list")}</button>` : ""}
    </section>`,
  );
  for (const button of view.querySelectorAll("[data-discard]")) {
    button.addEventListener("click", async () => {
      if (!confirm(t("Discard this change? It will not be sent."))) return;
      const entry = rejected.find((e) => String(e.seq) === button.dataset.discard);
      await app.store.discard(entry);
      await app.saved();
      render(app);
    });
  }
  view.querySelector("#clear-conflicts")?.addEventListener("click", async () => {
    await app.store.setMeta("conflicts", []);
    render(app);
  });
}

/** One conflict in words: the field's label, both values as entered, whose change was kept. */
function conflictLine(schema, type, conflict) {
  const who = conflict.kept_by?.you
    ? t("your other phone")
    : conflict.kept_by?.name || t("someone else");
  return t("%(field)s: kept “%(kept)s” (from %(who)s); you entered “%(yours)s”.", {
    field: fieldLabel(schema, type, conflict.field),
    kept: valueText(schema, conflict.field, conflict.kept),
    who,
    yours: valueText(schema, conflict.field, conflict.yours),
  });
}

/** A field path such as `address`, `indicators.vneid` or `items.install_app`, as its label. */
function fieldLabel(schema, type, path) {
  const [name, key] = path.split(".", 2);
  if (name === "indicators" && key) {
    const indicator = schema?.indicators.items.find((i) => i.key === key);
    if (indicator) return label(indicator.label);
  }
  if (name === "items" && key) {
    const templates = [...(schema?.checklists || []), ...(schema?.checklist_versions || [])];
    const item = templates.flatMap((tpl) => tpl.items).find((i) => i.key === key);
    if (item) return label(item.label);
  }
  const rules = schema?.types.find((x) => x.name === type)?.fields || [];
  const rule = rules.find((x) => x.name === name);
  return rule?.label ? label(rule.label) : path;
}

/** A value as the member entered it: choice labels, Yes/No, done or not, numbers, text. */
function valueText(schema, path, value) {
  if (value === null || value === undefined || value === "") return t("(empty)");
  const [name, key] = path.split(".", 2);
  const indicator = name === "indicators" && schema?.indicators.items.find((i) => i.key === key);
  const choice = indicator && (indicator.choices || []).find((c) => c.value === value);
  if (choice) return label(choice.label);
  if (typeof value === "boolean") return value ? t("Yes") : t("No");
  if (typeof value === "number") return formatNumber(value);
  if (name === "items" && typeof value === "object" && "done" in value) {
    return value.done ? t("Done") : t("Not done");
  }
  if (name === "consent" && typeof value === "object") {
    return t("Given by %(name)s", { name: value.given_by || "" });
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

// Errors about the record itself (gone, out of area, role): no edit of the values can fix them.
/** What a change is about, in words: the household's name, else the kind of record. */
function nameOf(change, names) {
  if (names.has(change.record_id)) return names.get(change.record_id);
  if (change.type === "checklist") return t("A household's checklist");
  if (change.type === "lesson_progress") return t("Your result in a lesson");
  if (change.type === "assignment") return t("Assigned work");
  if (change.type === "consent_withdrawal") return t("A withdrawal of consent");
  return t("A record");
}

const RECORD_FIELDS = new Set(["type", "record_id", "household_id", "template_key", "village_code"]);

/** A refused change no new value can fix (lesson progress is simply started again). */
function stuck(entry) {
  const errors = entry.errors || [];
  if (entry.type === "assignment") return errors.some((e) => e.field !== "done_at");
  if (entry.type === "consent_withdrawal") return true; // recorded once: never edited
  return entry.type === "checklist" && errors.some((e) => RECORD_FIELDS.has(e.field));
}

/** Where each refused change can be corrected: the household form, the checklist, the lesson. */
async function fixLinks(app, rejected) {
  const links = new Map();
  for (const entry of rejected) {
    if (entry.type === "household") {
      links.set(entry.seq, `#/households/${entry.record_id}/edit`);
    } else if (entry.type === "checklist") {
      const checklist = await app.store.get("checklist", entry.record_id);
      if (checklist) links.set(entry.seq, `#/households/${checklist.data.household_id}/checklists/${entry.record_id}`);
    } else if (entry.type === "assignment") {
      links.set(entry.seq, "#/assignments");
    } else if (entry.type === "lesson_progress") {
      const progress = await app.store.get("lesson_progress", entry.record_id);
      if (progress) links.set(entry.seq, `#/lessons/${progress.data.lesson_slug}`);
    }
  }
  return links;
}
