// The member's start page: what is waiting, what needs fixing, where to go next.

import { html, mount } from "../dom.js";
import { formatNumber, t } from "../i18n.js";

export async function render(app) {
  const [households, progress, lessons, counts, conflicts, assigned] = await Promise.all([
    app.store.all("household"),
    app.store.all("lesson_progress"),
    app.store.all("lesson"),
    app.store.counts(),
    app.store.meta("conflicts", []),
    app.store.all("assignment"),
  ]);
  app.watch("household", "lesson_progress", "lesson", "assignment");
  const done = progress.filter((p) => p.data.status === "completed").length;
  mount(
    app.view(),
    html`<section>
      <h1>${t("Hello, %(name)s", { name: app.account.user.name })}</h1>
      <p class="muted">${app.account.user.villages.map((v) => v.name).join(", ")}</p>
      ${counts.rejected
        ? html`<a class="card warn" href="#/fix">${t("%(n)s changes need fixing", { n: counts.rejected })}</a>`
        : ""}
      ${conflicts.length
        ? html`<a class="card note" href="#/fix">${t("%(n)s changes were also made by someone else", { n: conflicts.length })}</a>`
        : ""}
      <div class="actions">
        <a class="button primary big" href="#/households/new">${t("Add a household")}</a>
        <a class="button big" href="#/households">${t("Households (%(n)s)", { n: formatNumber(households.length) })}</a>
        <a class="button big" href="#/assignments">${t("Assigned work (%(n)s)", { n: assigned.filter((a) => !a.data.done_at).length })}</a>
        <a class="button big" href="#/lessons">${t("Lessons: %(done)s of %(total)s done", { done, total: lessons.length })}</a>
      </div>
    </section>`,
  );
}
