// Work the coordinator gave this member (synced): open ones soonest due first, then done ones.
// Marking one done (or not done yet) is an ordinary offline edit of its one writable field.

import { html, mount } from "../dom.js";
import { currentLanguage, formatDateTime, label, t } from "../i18n.js";

export async function render(app) {
  app.watch("assignment", "household");
  const view = app.view();
  const all = await app.store.all("assignment");
  const open = all.filter((a) => !a.data.done_at);
  const done = all.filter((a) => a.data.done_at);
  open.sort((a, b) => a.data.due_date.localeCompare(b.data.due_date));
  done.sort((a, b) => new Date(b.data.done_at) - new Date(a.data.done_at));
  const today = new Date().toISOString().slice(0, 10);
  mount(
    view,
    html`<section>
      <h1>${t("Assigned work")}</h1>
      ${all.length ? "" : html`<p>${t("Nothing assigned to you right now.")}</p>`}
      <ul class="list assignments">
        ${[...open, ...done].map((a) => item(app, a, today))}
      </ul>
    </section>`,
  );
  for (const button of view.querySelectorAll("[data-done]")) {
    button.addEventListener("click", async () => {
      const madeAt = new Date().toISOString();
      const id = button.dataset.done;
      const markDone = button.dataset.mark === "done";
      // A refused earlier mark of this assignment is replaced by this one.
      const refused = (await app.store.outbox("rejected")).filter(
        (e) => e.type === "assignment" && e.record_id === id,
      );
      await app.store.edit({
        type: "assignment",
        id,
        op: "update",
        data: { done_at: markDone ? madeAt : null },
        madeAt,
      });
      for (const entry of refused) await app.store.discard(entry);
      await app.saved();
      await render(app);
    });
  }
}

function item(app, a, today) {
  const template = app.schema.checklists.find((tpl) => tpl.key === a.data.template_key);
  const what = [a.data.household_name, template ? label(template.title) : ""]
    .filter(Boolean)
    .join(" · ");
  const isDone = Boolean(a.data.done_at);
  const body = html`<strong>${what}</strong>
    <span class="muted">${t("Due %(date)s", { date: formatDate(a.data.due_date) })}</span>
    ${isDone ? html`<span class="tag ok">${t("Done")} · ${formatDateTime(a.data.done_at)}</span>` : ""}
    ${!isDone && a.data.due_date < today ? html`<span class="tag bad">${t("Overdue")}</span>` : ""}
    ${a.pending ? html`<span class="tag">${t("not sent")}</span>` : ""}
    ${a.rejected ? html`<span class="tag bad">${t("needs fixing")}</span>` : ""}
    ${a.data.note ? html`<span>${a.data.note}</span>` : ""}`;
  return html`<li class="${isDone ? "done" : "open"}" data-id="${a.id}">
    ${a.data.household_id ? html`<a href="#/households/${a.data.household_id}">${body}</a>` : html`<div class="card">${body}</div>`}
    <button type="button" class="${isDone ? "" : "primary"}" data-done="${a.id}" data-mark="${isDone ? "open" : "done"}">${isDone ? t("Not done yet") : t("Mark done")}</button>
  </li>`;
}

function formatDate(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat(currentLanguage() === "vi" ? "vi-VN" : "en-GB", {
    dateStyle: "medium",
  }).format(new Date(year, month - 1, day));
}
