// Lessons on the phone: the list, a reader, and the quiz with feedback; progress saved offline.

import { html, mount, raw, uuid } from "../dom.js";
import { t } from "../i18n.js";

// The answers the member chose, and whether they were checked, by lesson: a sync redrawing the
// lesson shows them (and the result) again.
const chosen = new Map();

export async function render(app) {
  app.watch("lesson", "lesson_progress");
  const [lessons, progress] = await Promise.all([
    app.store.all("lesson"),
    app.store.all("lesson_progress"),
  ]);
  const bySlug = new Map(progress.map((p) => [p.data.lesson_slug, p]));
  lessons.sort((a, b) => a.data.order - b.data.order);
  mount(
    app.view(),
    html`<section>
      <h1>${t("Lessons")}</h1>
      <ul class="list">
        ${lessons.map((lesson) => {
          const p = bySlug.get(lesson.data.slug);
          const state = p?.data.status === "completed"
            ? t("Done: %(score)s points of 100", { score: p.data.score ?? 0 })
            : p ? t("Started") : t("Not started");
          return html`<li><a href="#/lessons/${lesson.data.slug}">
            <strong>${lesson.data.order}. ${lesson.data.title}</strong>
            <span class="muted">${lesson.data.summary}</span>
            <span class="tag ${p?.data.status === "completed" ? "ok" : ""}">${state}</span></a></li>`;
        })}
      </ul>
    </section>`,
  );
}

export async function renderLesson(app, slug) {
  const lesson = (await app.store.all("lesson")).find((l) => l.data.slug === slug);
  const view = app.view();
  if (!lesson) {
    mount(view, html`<p>${t("This lesson is not on this phone yet.")}</p>`);
    return;
  }
  const progress = (await app.store.all("lesson_progress")).find((p) => p.data.lesson_slug === slug);
  const quiz = lesson.data.quiz || [];
  app.watch(`lesson:${lesson.id}`, "lesson_progress");
  mount(
    view,
    html`<article class="lesson" lang="${lesson.data.language}">
      <a href="#/lessons" class="back">← ${t("Lessons")}</a>
      <h1>${lesson.data.title}</h1>
      <div class="lesson-text">${raw(lesson.data.html)}</div>
      ${quiz.length ? html`<form class="quiz" novalidate>
        <h2>${t("Quiz")}</h2>
        ${quiz.map((q, n) => html`<fieldset data-question="${q.id}">
          <legend>${n + 1}. ${q.prompt}</legend>
          ${q.choices.map((choice, i) => html`<label class="check"><input type="radio" name="${q.id}" value="${i}"><span>${choice}</span></label>`)}
          <p class="feedback" aria-live="polite"></p>
        </fieldset>`)}
        <button type="submit" class="primary big">${t("Check my answers")}</button>
        <p class="score" role="status"></p>
      </form>` : ""}
    </article>`,
  );
  if (!progress) await save(app, null, lesson, { status: "started" });
  const form = view.querySelector("form.quiz");
  if (!form) return;
  if (!app.redrawing) chosen.delete(slug);
  const shown = chosen.get(slug);
  for (const [id, value] of Object.entries(shown?.answers || {})) {
    const box = form.querySelector(`input[name="${CSS.escape(id)}"][value="${value}"]`);
    if (box) box.checked = true;
  }
  if (shown?.graded) grade(form, quiz);
  form.addEventListener("change", () => {
    chosen.set(slug, { answers: choices(form, quiz), graded: chosen.get(slug)?.graded });
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { right, answers } = grade(form, quiz);
    chosen.set(slug, { answers, graded: true });
    if (Object.keys(answers).length < quiz.length) return;
    const score = Math.round((right / quiz.length) * 100);
    const current = (await app.store.all("lesson_progress")).find((p) => p.data.lesson_slug === slug);
    await save(app, current, lesson, { status: "completed", score, answers });
  });
}

/** The answer chosen for each question (index of the choice); unanswered ones left out. */
function choices(form, quiz) {
  const out = {};
  for (const q of quiz) {
    const box = form.querySelector(`input[name="${CSS.escape(q.id)}"]:checked`);
    if (box) out[q.id] = Number(box.value);
  }
  return out;
}

/** Mark each answer right or not, with its explanation, and the score once all are answered. */
function grade(form, quiz) {
  let right = 0;
  const answers = choices(form, quiz);
  for (const q of quiz) {
    const box = form.querySelector(`[data-question="${CSS.escape(q.id)}"] .feedback`);
    if (!(q.id in answers)) {
      box.textContent = t("Choose an answer.");
      box.className = "feedback bad";
      continue;
    }
    const correct = answers[q.id] === q.answer;
    right += correct ? 1 : 0;
    box.textContent = `${correct ? t("Right.") : t("Not quite.")} ${q.explanation}`;
    box.className = `feedback ${correct ? "ok" : "bad"}`;
  }
  if (Object.keys(answers).length === quiz.length) {
    form.querySelector(".score").textContent = t("You got %(right)s of %(total)s right.", {
      right,
      total: quiz.length,
    });
  }
  return { right, answers };
}

async function save(app, current, lesson, values) {
  // Taking the quiz again replaces a refused change; if the server never had the record, start it anew.
  const refused = current
    ? (await app.store.outbox("rejected")).filter((e) => e.record_id === current.id)
    : [];
  for (const entry of refused) await app.store.discard(entry);
  if (refused.length) current = await app.store.get("lesson_progress", current.id);
  const data = current
    ? values
    : { lesson_slug: lesson.data.slug, lesson_version: lesson.data.number, ...values };
  await app.store.edit({
    type: "lesson_progress",
    id: current?.id || uuid(),
    op: current ? "update" : "create",
    data,
  });
  await app.saved();
}
