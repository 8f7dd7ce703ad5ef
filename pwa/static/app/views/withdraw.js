// Withdraw a household's consent, purpose by purpose: saved on the phone, sent with the rest.

import { html, mount } from "../dom.js";
import { label, t } from "../i18n.js";

export async function render(app, id) {
  const record = await app.store.get("household", id);
  const view = app.view();
  if (!record || record.deleted) {
    mount(view, html`<p>${t("This household is not on this phone.")}</p><a href="#/households">${t("Back")}</a>`);
    return;
  }
  const given = record.data.consent?.purposes || [];
  const purposes = app.schema.consent_purposes.filter((p) => given.includes(p.key));
  mount(
    view,
    html`<section>
      <a href="#/households/${id}" class="back">← ${record.data.head_name}</a>
      <h1>${t("Withdraw consent")}</h1>
      <form id="withdraw" novalidate>
        <fieldset>
          <legend>${t("What does the household withdraw its consent for?")}</legend>
          ${purposes.map((p) => html`<label class="check"><input type="checkbox" name="purpose" value="${p.key}">
            <span>${label(p.label)}${p.required ? html` — <strong>${t("all its data will be erased")}</strong>` : ""}</span></label>`)}
        </fieldset>
        <label for="asked_by">${t("Who asked")}</label>
        <input id="asked_by" name="asked_by" maxlength="120" autocomplete="off">
        <fieldset>
          <legend>${t("How")}</legend>
          <label class="check"><input type="radio" name="channel" value="in_person" checked> <span>${t("In person")}</span></label>
          <label class="check"><input type="radio" name="channel" value="phone"> <span>${t("By phone")}</span></label>
          <label class="check"><input type="radio" name="channel" value="writing"> <span>${t("In writing")}</span></label>
        </fieldset>
        <p class="error" role="alert" id="withdraw-error" hidden></p>
        <button type="submit" class="primary">${t("Withdraw consent")}</button>
      </form>
    </section>`,
  );
  const form = view.querySelector("#withdraw");
  form.addEventListener("input", () => { app.dirty = true; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = Array.from(form.querySelectorAll('input[name="purpose"]:checked')).map((i) => i.value);
    const askedBy = form.asked_by.value.trim();
    const problem = !chosen.length
      ? t("Choose what the household withdraws its consent for.")
      : !askedBy ? t("Write the name of the person who asked.") : "";
    const error = view.querySelector("#withdraw-error");
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      return;
    }
    const withdrawn = app.schema.consent_purposes.filter((p) => chosen.includes(p.key));
    const erase = withdrawn.some((p) => p.required);
    if (erase && !confirm(t("All of this household's data will be erased, on this phone and everywhere. Continue?"))) return;
    await app.store.withdraw({
      household: id,
      purposes: chosen,
      asked_by: askedBy,
      channel: form.querySelector('input[name="channel"]:checked').value,
      fields: [...new Set(withdrawn.flatMap((p) => p.fields || []))],
      erase,
    });
    await app.saved();
    app.toast(erase ? t("The household's data is erased.") : t("Consent withdrawn. Saved on this phone."));
    app.go(erase ? "#/households" : `#/households/${id}`);
  });
}
