// The member app: start-up, routing, the sync status bar and the service worker.

import { $, html, mount } from "./dom.js";
import { ago, formatNumber, loadLanguage, t } from "./i18n.js";
import { currentAccount, deviceId, expire, handOver, settings } from "./session.js";
import { Store } from "./store.js";
import { SyncEngine } from "./sync.js";
import * as assignments from "./views/assignments.js";
import * as fix from "./views/fix.js";
import * as checklist from "./views/checklist.js";
import * as copy from "./views/copy.js";
import * as home from "./views/home.js";
import * as household from "./views/household.js";
import * as householdForm from "./views/household_form.js";
import * as withdraw from "./views/withdraw.js";
import * as households from "./views/households.js";
import * as lessons from "./views/lessons.js";
import * as settingsView from "./views/settings.js";
import * as signin from "./views/signin.js";

const ROUTES = [
  [/^#\/households\/new$/, householdForm.render],
  [/^#\/households\/([\w-]+)\/edit$/, householdForm.render],
  [/^#\/households\/([\w-]+)\/withdraw$/, withdraw.render],
  [/^#\/households\/([\w-]+)\/copy$/, copy.render],
  [/^#\/households\/([\w-]+)\/checklists\/([\w-]+)$/, checklist.render],
  [/^#\/households\/([\w-]+)$/, household.render],
  [/^#\/households$/, households.render],
  [/^#\/lessons\/([\w-]+)$/, lessons.renderLesson],
  [/^#\/lessons$/, lessons.render],
  [/^#\/settings$/, settingsView.render],
  [/^#\/fix$/, fix.render],
  [/^#\/assignments$/, assignments.render],
  [/^#\/?$/, home.render],
];

/** Everything a view needs; one object for the app's lifetime. */
export const app = {
  account: null,
  store: null,
  engine: null,
  // The schema the phone keeps (null before the first sync): views and store read the same one.
  get schema() {
    return app.store?.schema ?? null;
  },
  settings: null,
  dirty: false,
  appVersion: document.body.dataset.appVersion,
  view: () => $("#view"),
  // The records the open screen shows ("type" or "type:id"), declared by the view while drawing;
  // null shows everything. A sync redraws the screen only when one of these changed.
  watching: null,
  redrawing: false, // true while a sync redraws the open screen in place
  watch(...keys) {
    app.watching = keys;
  },
  go(path) {
    if (location.hash === path) route();
    else location.hash = path;
  },
  toast(message) {
    const box = $("#toast");
    box.textContent = message;
    box.classList.add("show");
    clearTimeout(app._toastTimer);
    app._toastTimer = setTimeout(() => box.classList.remove("show"), 2500);
  },
  async saved() {
    app.dirty = false;
    await app.engine.nudge();
  },
  startSession,
  route,
};

async function boot() {
  app.settings = await settings();
  await loadLanguage(app.settings.language);
  document.documentElement.classList.toggle("large-text", Boolean(app.settings.largeText));
  registerServiceWorker();
  window.addEventListener("hashchange", () => {
    redrawWanted = false; // the new screen is drawn from the store as it is now
    route();
  });
  app.account = (await takeOverPageSignIn()) ?? (await currentAccount());
  if (app.account) await startSession(app.account);
  await route();
  window.langso.resolveReady();
}

/** Opened from the server's pages right after signing in there: that account, signed in. */
async function takeOverPageSignIn() {
  const url = new URL(location.href);
  if (!url.searchParams.has("signed-in")) return null;
  url.searchParams.delete("signed-in");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
  return handOver();
}

async function startSession(account) {
  app.account = account;
  app.store = await Store.open(account.id);
  app.engine = new SyncEngine({
    store: app.store,
    account,
    deviceId: await deviceId(),
    appVersion: app.appVersion,
    language: app.settings.language,
    onExpired: async () => {
      await expire(account);
      app.toast(t("Your sign-in has expired. Sign in again to send your changes."));
    },
  });
  app.engine.addEventListener("status", (event) => showStatus(event.detail));
  app.engine.addEventListener("changed", showWhatSyncBrought);
  let firstSync = !app.schema;
  app.engine.addEventListener("status", (event) => {
    if (firstSync && event.detail.state === "idle" && app.schema) {
      firstSync = false;
      route();
    }
  });
  renderTabs();
  await app.engine.start();
  navigator.storage?.persist?.();
}

// Screens are drawn one after the other, and only the latest: a slow screen finishing late must
// never cover the one the member asked for next.
let routing = Promise.resolve();
let routeTicket = 0;

/** Draw the screen of the address; `{ keep: true }` redraws it where the member is (a sync). */
function route(options = {}) {
  const ticket = ++routeTicket;
  routing = routing
    .then(() => (ticket === routeTicket ? draw(options) : null))
    .catch((error) => console.error(error));
  return routing;
}

async function draw({ keep = false } = {}) {
  const view = app.view();
  if (!app.account) return signin.render(app);
  if (!app.schema) {
    mount(view, html`<section class="first-sync"><h1>${t("Getting your village's data")}</h1>
      <p>${navigator.onLine ? t("Please wait, this happens once.") : t("Connect to the internet once to download your village's data.")}</p></section>`);
    return;
  }
  const hash = location.hash;
  for (const [pattern, render] of ROUTES) {
    const match = hash.match(pattern);
    if (match) {
      const place = keep ? { y: window.scrollY, focus: focusKey(document.activeElement) } : null;
      app.dirty = false;
      app.watching = null;
      app.redrawing = keep;
      await render(app, ...match.slice(1));
      view.dataset.drawn = hash; // which screen is showing (the browser tests wait for it)
      const focused = place?.focus?.();
      if (focused) focused.focus({ preventScroll: true });
      else if (!place) view.focus({ preventScroll: true });
      window.scrollTo(0, place ? place.y : 0);
      markTab();
      return;
    }
  }
  app.go("#/");
}

/** How to find the focused control again after a redraw: by id, step, name and value, or place. */
function focusKey(element) {
  const view = app.view();
  if (!element || element === view || !view.contains(element)) return null;
  if (element.id) return () => view.querySelector(`#${CSS.escape(element.id)}`);
  for (const name of ["item", "resend", "discard"]) {
    const value = element.dataset?.[name];
    if (value) return () => view.querySelector(`[data-${name}="${CSS.escape(value)}"]`);
  }
  if (element.name) {
    const value = element.value ? `[value="${CSS.escape(element.value)}"]` : "";
    return () => view.querySelector(`[name="${CSS.escape(element.name)}"]${value}`);
  }
  const tag = element.tagName.toLowerCase(); // e.g. "Check my answers": the same nth button
  const index = Array.from(view.querySelectorAll(tag)).indexOf(element);
  return () => view.querySelectorAll(tag)[index];
}

/** Whether the open screen shows one of the records a sync changed. */
function showsAny(records) {
  const keys = app.watching;
  if (!keys) return true;
  return records.some(({ type, id }) => keys.includes(type) || keys.includes(`${type}:${id}`));
}

// The last time the member touched the screen: a sync never redraws it under their finger.
let lastTouch = 0;
let redrawTimer = null;
let redrawWanted = false;
for (const type of ["pointerdown", "keydown", "input", "change"]) {
  document.addEventListener(type, () => {
    lastTouch = Date.now();
  }, true);
}

/**
 * Show what the sync brought where the member is — only if the open screen shows a record that
 * changed, never in a form, while a field has focus or within 3 s of the last touch.
 */
function showWhatSyncBrought(event) {
  if (event?.detail && showsAny(event.detail.records || [])) redrawWanted = true;
  clearTimeout(redrawTimer);
  if (!redrawWanted) return;
  const editing = /\/(new|edit|withdraw)$/.test(location.hash) || app.dirty;
  const typing = 'input:not([type="checkbox"]):not([type="radio"]), textarea, select';
  if (editing) return;
  if (document.activeElement?.matches(typing)) {
    redrawTimer = setTimeout(showWhatSyncBrought, 3000); // look again once the field is left
    return;
  }
  const quiet = Date.now() - lastTouch;
  if (quiet < 3000) {
    redrawTimer = setTimeout(showWhatSyncBrought, 3000 - quiet);
    return;
  }
  redrawWanted = false;
  route({ keep: true });
}

function renderTabs() {
  const tabs = $("#tabs");
  tabs.hidden = false;
  mount(
    tabs,
    html`<a href="#/households" data-tab="households">${t("Households")}</a>
      <a href="#/lessons" data-tab="lessons">${t("Lessons")}</a>
      <a href="#/settings" data-tab="settings">${t("Settings")}</a>`,
  );
}

function markTab() {
  for (const link of document.querySelectorAll("#tabs a")) {
    const active = location.hash.startsWith(`#/${link.dataset.tab}`);
    link.toggleAttribute("aria-current", active);
  }
}

function showStatus(status) {
  const button = $(".sync-status");
  button.hidden = false;
  button.dataset.state = status.state;
  let text;
  const sending = status.state === "syncing" && status.phase === "push" && status.total > 0;
  if (sending) {
    text = t("Sending %(done)s of %(total)s changes…", { done: status.done, total: status.total });
  } else if (status.state === "syncing" && status.received > 0) {
    text = t("Receiving updates: %(n)s so far…", { n: formatNumber(status.received) });
  } else if (status.state === "syncing") {
    text = t("Syncing…");
  } else if (status.state === "expired") {
    text = t("Sign in again to sync");
  } else if (status.state === "error") {
    // The server did not answer (or answered with an error): calm words, and when it last worked.
    const failed = status.pending > 0 ? t("Not sent yet — will try again.") : t("Could not sync — will try again.");
    const last = status.lastSync ? t("Last sync: %(when)s", { when: ago(status.lastSync) }) : t("Not synced yet");
    text = `${failed} ${last}`;
  } else if (status.pending > 0) {
    text = t("%(n)s changes waiting to sync", { n: status.pending });
  } else if (status.lastSync) {
    text = t("Synced %(when)s", { when: ago(status.lastSync) });
  } else {
    text = t("Not synced yet");
  }
  if (status.state === "offline") text = `${t("Offline")} · ${text}`;
  $(".sync-text", button).textContent = text;
  $(".pending-badge", button).textContent = String(status.pending);
  $(".pending-badge", button).hidden = status.pending === 0;
  // While sending, the bar shows how much has gone; while receiving (no total known) it moves.
  const bar = $("#sync-progress");
  bar.hidden = status.state !== "syncing";
  bar.classList.toggle("busy", !sending);
  const share = sending ? Math.min(1, status.done / status.total) : 0;
  bar.firstElementChild.style.width = sending ? `${Math.round(share * 100)}%` : "";
  bar.setAttribute("aria-label", text);
  if (sending) bar.setAttribute("aria-valuenow", String(Math.round(share * 100)));
  else bar.removeAttribute("aria-valuenow");
  button.onclick = () => app.engine.fresh();
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", {
    type: "module",
    scope: "/",
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data === "sync") app.engine?.run();
    if (event.data?.type === "open") location.hash = new URL(event.data.url).hash || "#/"; // a tapped notification
  });
  let updateRequested = false;
  const offerUpdate = (worker) => {
    const banner = $("#update-banner");
    mount(banner, html`<span>${t("A new version of the app is ready.")}</span>
      <button type="button">${t("Update now")}</button>`);
    banner.hidden = false;
    banner.querySelector("button").onclick = () => {
      if (app.dirty && !confirm(t("Your form is saved as a draft. Update now?"))) return;
      updateRequested = true;
      worker.postMessage("skip-waiting");
    };
  };
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // The first install takes control without a reload; an update reloads only when asked.
    if (updateRequested) location.reload();
  });
  await navigator.serviceWorker.ready;
  if (navigator.serviceWorker.controller || registration.active) {
    const first = !localStorage.getItem("langso-offline-ready");
    document.documentElement.dataset.offlineReady = "true";
    if (first) {
      localStorage.setItem("langso-offline-ready", "1");
      app.toast(t("Ready to work offline"));
    }
  }
}

let resolveReady;
window.langso = {
  app,
  ready: new Promise((resolve) => {
    resolveReady = resolve;
  }),
  resolveReady: () => resolveReady(),
  sync: () => app.engine?.fresh(),
};

boot().catch((error) => {
  console.error(error);
  mount(app.view(), html`<p class="error">${t("The app could not start.")} ${error.message}</p>`);
});
