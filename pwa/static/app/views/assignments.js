// Work the coordinator gave this member (read-only, synced): soonest due first.

import { html, mount } from "../dom.js";
import { currentLanguage, label, t } from "../i18n.js";

export async function render(app) {
  const assignments = await app.store.all("assignment");
  assignments.sort((a, b) => a.data.due_date.localeCompare(b.data.due_date));
  const today = new Date().toISOString().slice(0, 10);
  mount(
    app.view(),
    html`<section>
      <h1>${t("Assigned work")}</h1>
      ${assignments.length ? "" : html`<p>${t("Nothing assigned to you right now.")}</p>`}
      <ul class="list assignments">
        ${assignments.map((a) => {
          const template = app.schema.checklists.find((tpl) => tpl.key === a.data.template_key);
          const what = [a.data.household_name, template ? label(template.title) : ""]
            .filter(Boolean)
            .join(" · ");
          const due = t("Due %(date)s", { date: formatDate(a.data.due_date) });
          const body = html`<strong>${what}</strong>
            <span class="muted">${due}</span>
            ${a.data.due_date < today ? html`<span class="tag bad">${t("Overdue")}</span>` : ""}
            ${a.data.note ? html`<span>${a.data.note}</span>` : ""}`;
          return a.data.household_id
            ? html`<li><a href="#/households/${a.data.household_id}">${body}</a></li>`
            : html`<li class="card">${body}</li>`;
        })}
      </ul>
    </section>`,
  );
}

function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat(currentLanguage() === "vi" ? "vi-VN" : "en-GB", {
    dateStyle: "medium",
  }).format(new Date(year, month - 1, day));
}
