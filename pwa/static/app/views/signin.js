// Signing in on the phone (needs a connection once; afterwards the app opens offline).

import { html, mount } from "../dom.js";
import { currentLanguage, t } from "../i18n.js";
import { saveSettings, signIn } from "../session.js";

export async function render(app) {
  const view = app.view();
  mount(
    view,
    html`<section class="signin">
      <h1>${t("Sign in")}</h1>
      <p class="lead">${t("For community digital-technology teams, trainers and coordinators.")}</p>
      <p class="error" role="alert" hidden></p>
      <form class="stack" novalidate>
        <label for="phone">${t("Mobile number")}</label>
        <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="username" required>
        <label for="password">${t("Password")}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit" class="primary">${t("Sign in")}</button>
      </form>
      <p class="muted">${t("Sign in once with a connection; after that the app works without signal.")}</p>
      ${currentLanguage() === "vi"
        ? html`<button type="button" class="switch-language" data-language="en" lang="en">English</button>`
        : html`<button type="button" class="switch-language" data-language="vi" lang="vi">Tiếng Việt</button>`}
    </section>`,
  );
  view.querySelector(".switch-language").addEventListener("click", async (event) => {
    await saveSettings({ language: event.target.dataset.language });
    location.reload();
  });
  const form = view.querySelector("form");
  const error = view.querySelector(".error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!navigator.onLine) {
      error.textContent = t("You are offline. Signing in needs a connection the first time.");
      error.hidden = false;
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const account = await signIn(form.phone.value, form.password.value);
      await app.startSession(account);
      app.go("#/");
    } catch (problem) {
      error.textContent = problem.status
        ? problem.message
        : t("Could not reach the server. Check the connection and try again.");
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}
