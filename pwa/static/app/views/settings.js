// Settings: language, larger text, storage, the last-resort export, and signing out safely.

import { html, mount } from "../dom.js";
import { formatNumber, loadLanguage, t } from "../i18n.js";
import { pushState, turnOff, turnOn } from "../push.js";
import { saveSettings, signOut } from "../session.js";

const PUSH_NOTES = {
  on: () => t("This phone is told when a new lesson arrives."),
  off: () => t("Turn this on to be told when a new lesson arrives."),
  denied: () => t("Notifications are blocked for this app. Allow them in the browser's site settings."),
  unsupported: () => t("This browser cannot show notifications."),
};

export async function render(app) {
  app.watch(); // nothing a sync brings is shown here
  const view = app.view();
  const counts = await app.store.counts();
  const estimate = (await navigator.storage?.estimate?.()) || {};
  const persisted = (await navigator.storage?.persisted?.()) || false;
  const push = await pushState();
  const megabytes = (bytes) => formatNumber(Math.round(((bytes || 0) / 1048576) * 10) / 10);
  mount(
    view,
    html`<section>
      <h1>${t("Settings")}</h1>
      <p>${t("Signed in as %(name)s (%(phone)s)", { name: app.account.user.name, phone: app.account.user.phone })}</p>
      <h2>${t("Language")}</h2>
      <div class="row">
        <button type="button" data-language="vi" lang="vi" ${app.settings.language === "vi" ? "aria-pressed=true" : ""}>Tiếng Việt</button>
        <button type="button" data-language="en" lang="en" ${app.settings.language === "en" ? "aria-pressed=true" : ""}>English</button>
      </div>
      <h2>${t("Text size")}</h2>
      <label class="check"><input type="checkbox" id="large-text" ${app.settings.largeText ? "checked" : ""}>
        <span>${t("Larger text")}</span></label>
      <h2>${t("Notifications")}</h2>
      <label class="check"><input type="checkbox" role="switch" id="push-toggle"
        ${push === "on" ? "checked" : ""} ${push === "denied" || push === "unsupported" ? "disabled" : ""}>
        <span>${t("Get notifications")}</span></label>
      <p id="push-note" data-state="${push}">${PUSH_NOTES[push]()}</p>
      <h2>${t("Storage on this phone")}</h2>
      <p>${t("Using %(used)s MB of %(quota)s MB.", { used: megabytes(estimate.usage), quota: megabytes(estimate.quota) })}
        ${persisted ? t("The phone will keep this data.") : t("The phone may clear this data if it runs out of space.")}</p>
      <p>${t("%(n)s changes waiting to sync", { n: counts.pending })}${counts.rejected ? ` · ${t("%(n)s changes need fixing", { n: counts.rejected })}` : ""}</p>
      <button type="button" id="export">${t("Save unsent changes to a file")}</button>
      <h2>${t("Account")}</h2>
      <button type="button" id="sync-now">${t("Sync now")}</button>
      <button type="button" id="sign-out" class="danger">${t("Sign out")}</button>
    </section>`,
  );
  for (const button of view.querySelectorAll("[data-language]")) {
    button.addEventListener("click", async () => {
      await saveSettings({ language: button.dataset.language });
      app.settings.language = button.dataset.language;
      app.engine.language = button.dataset.language;
      await loadLanguage(button.dataset.language);
      location.reload();
    });
  }
  view.querySelector("#large-text").addEventListener("change", async (event) => {
    app.settings.largeText = event.target.checked;
    await saveSettings({ largeText: event.target.checked });
    document.documentElement.classList.toggle("large-text", event.target.checked);
  });
  view.querySelector("#push-toggle").addEventListener("change", async (event) => {
    const toggle = event.target;
    toggle.disabled = true;
    try {
      if (toggle.checked) {
        await turnOn(app.account);
        app.toast(t("Notifications are on."));
      } else {
        await turnOff(app.account);
        app.toast(t("Notifications are off."));
      }
    } catch (error) {
      app.toast(error.message);
    }
    render(app);
  });
  view.querySelector("#export").addEventListener("click", async () => {
    const blob = new Blob([JSON.stringify(await app.store.unsynced(), null, 2)], {
      type: "application/json",
    });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `langso-chua-gui-${new Date().toISOString().slice(0, 10)}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });
  view.querySelector("#sync-now").addEventListener("click", async () => {
    await app.engine.run();
    app.toast(app.engine.status.state === "idle" ? t("Synced.") : t("Could not sync now; the app will try again."));
    render(app);
  });
  view.querySelector("#sign-out").addEventListener("click", async () => {
    const waiting = (await app.store.counts()).pending;
    if (waiting && !confirm(t("%(n)s changes have not been sent yet. They stay on this phone and are sent when you sign in again. Sign out?", { n: waiting }))) {
      return;
    }
    await app.engine.run();
    app.engine.stop();
    if (push === "on") await turnOff(app.account).catch(() => {}); // not the next person's pushes
    await signOut(app.account);
    location.hash = "#/";
    location.reload();
  });
}
