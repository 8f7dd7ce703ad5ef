// Notifications on this phone: ask permission, subscribe with the server's key, tell the server.
// The service worker (sw.js) shows what arrives. See docs/notifications.md.

import { t } from "./i18n.js";

const SUBSCRIBE_TIMEOUT_MS = 30000;

/** "unsupported", "denied" (blocked in the browser), "on" or "off". */
export async function pushState() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  if (Notification.permission === "denied") return "denied";
  // getRegistration, not ready: Settings must open even if the worker never installed.
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = registration ? await registration.pushManager.getSubscription() : null;
  return subscription && Notification.permission === "granted" ? "on" : "off";
}

/** Turn notifications on; throws an Error whose message is for the member. */
export async function turnOn(account) {
  if (!navigator.onLine) throw new Error(t("Connect to the internet to turn notifications on."));
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    throw new Error(t("Notifications are blocked for this app. Allow them in the browser's site settings."));
  }
  const { key } = await call(account, "GET", "/api/v1/push/key");
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && bytesOf(subscription.options.applicationServerKey) !== bytesOf(decode(key))) {
    await subscription.unsubscribe(); // made with an older server key: it would never work
    subscription = null;
  }
  try {
    // Without a way to its push service (no signal, or no Google services) Chromium's
    // subscribe() can wait for ever: give up after a while and say so.
    subscription ||= await Promise.race([
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: decode(key) }),
      new Promise((_, fail) => setTimeout(() => fail(new Error("timeout")), SUBSCRIBE_TIMEOUT_MS)),
    ]);
  } catch (error) {
    console.warn("pushManager.subscribe failed", error);
    throw new Error(t("This phone's browser could not turn notifications on. Try again later."));
  }
  await call(account, "POST", "/api/v1/push/subscriptions", subscription.toJSON());
}

/** Turn notifications off on this phone (the server forgets it now, or at its next push). */
export async function turnOff(account) {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  // Offline, the server keeps it until the push service answers 410 for it and it is removed.
  await call(account, "DELETE", "/api/v1/push/subscriptions", { endpoint }).catch(() => {});
}

async function call(account, method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${account.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error(t("Connect to the internet to turn notifications on."));
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error?.message || t("Something went wrong. Please try again."));
  return data;
}

function decode(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function bytesOf(buffer) {
  return buffer ? Array.from(new Uint8Array(buffer)).join(",") : "";
}
