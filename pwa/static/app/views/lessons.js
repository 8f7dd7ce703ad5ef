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
  const seed = await attemptSeed(app, slug);
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
          ${shuffled(q.choices.length, seed, q.id).map((i) => html`<label class="check"><input type="radio" name="${q.id}" value="${i}"><span>${q.choices[i]}</span></label>`)}
          <p class="feedback" aria-live="polite"></p>
        </fieldset>`)}
        <button type="submit" class="primary big">${t("Check my answers")}</button>
        <p class="score" role="status"></p>
      </form>` : ""}
    </article>`,
  );
  explainWords(view);
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
    await app.store.setMeta(attemptKey(slug), { seed, finished: true });
    const current = (await app.store.all("lesson_progress")).find((p) => p.data.lesson_slug === slug);
    await save(app, current, lesson, { status: "completed", score, answers });
  });
}

// Choices are shown in an order of their own for each attempt at the quiz, so that the place of
// the right answer teaches nothing. An attempt keeps its order until its answers are checked
// (reopening the lesson shows the same order); the next opening starts a new attempt. The value
// of each radio button stays the choice's index in the lesson, which is what is saved and graded.
const attemptKey = (slug) => `quiz_attempt:${slug}`;

async function attemptSeed(app, slug) {
  const attempt = await app.store.meta(attemptKey(slug));
  if (attempt && (!attempt.finished || app.redrawing)) return attempt.seed;
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  await app.store.setMeta(attemptKey(slug), { seed, finished: false });
  return seed;
}

// A word linked to the glossary opens its definition in a box over the lesson (the definitions
// travel inside the lesson's HTML, so this works offline); the hash route never changes.
function explainWords(view) {
  const text = view.querySelector(".lesson-text");
  if (!text) return;
  text.addEventListener("click", (event) => {
    const link = event.target.closest("a.term[data-term]");
    if (!link) return;
    event.preventDefault();
    const word = text.querySelector(`dt#term-${CSS.escape(link.dataset.term)}`);
    if (!word) return;
    view.querySelector(".term-box")?.remove();
    const box = document.createElement("div");
    box.className = "term-box";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", "term-box-title");
    mount(box, html`<h2 id="term-box-title">${word.textContent}</h2>
      <p>${word.nextElementSibling?.textContent || ""}</p>
      <button type="button" class="primary">${t("Close")}</button>`);
    const close = () => {
      box.remove();
      link.focus();
    };
    box.querySelector("button").addEventListener("click", close);
    box.addEventListener("keydown", (key) => { if (key.key === "Escape") close(); });
    view.querySelector("article.lesson").append(box);
    box.querySelector("button").focus();
  });
}

/** The indexes 0..count-1 in the order this attempt shows them (seeded Fisher–Yates). */
function shuffled(count, seed, questionId) {
  let state = seed >>> 0;
  for (const char of questionId) state = Math.imul(state ^ char.charCodeAt(0), 0x9e3779b1) >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const order = [...Array(count).keys()];
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
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
