// Who is signed in on this phone, kept on the device so the app opens for days without signal.
// Several members may share a phone: each has an account entry and a database of their own.

import { openDatabase, request, transact } from "./idb.js";
import { uuid } from "./dom.js";

let metaDb = null;

async function meta() {
  if (!metaDb) {
    metaDb = await openDatabase("langso-meta", 1, (db) => {
      db.createObjectStore("kv", { keyPath: "key" });
      db.createObjectStore("accounts", { keyPath: "id" });
    });
  }
  return metaDb;
}

async function getKv(key, fallback = null) {
  const db = await meta();
  const row = await transact(db, ["kv"], "readonly", (s) => request(s.kv.get(key)));
  return row ? row.value : fallback;
}

async function setKv(key, value) {
  const db = await meta();
  await transact(db, ["kv"], "readwrite", (s) => request(s.kv.put({ key, value })));
}

/** A stable id for this phone (per browser profile), sent with every push.
 *
 * Read and, the first time, written in one transaction: the page and the service worker's
 * background sync can ask at once, and two ids for one phone made two rows on sync health. */
export async function deviceId() {
  const db = await meta();
  return transact(db, ["kv"], "readwrite", async (s) => {
    const row = await request(s.kv.get("device_id"));
    if (row) return row.value;
    const id = uuid();
    await request(s.kv.put({ key: "device_id", value: id }));
    return id;
  });
}

export async function settings() {
  return { language: "vi", largeText: false, ...(await getKv("settings", {})) };
}

export async function saveSettings(values) {
  await setKv("settings", { ...(await settings()), ...values });
}

/** The signed-in account ({id, token, user}), or null. */
export async function currentAccount() {
  const id = await getKv("current_user");
  if (!id) return null;
  const db = await meta();
  const account = await transact(db, ["accounts"], "readonly", (s) =>
    request(s.accounts.get(id)),
  );
  return account && account.token ? account : null;
}

export async function knownAccounts() {
  const db = await meta();
  return transact(db, ["accounts"], "readonly", (s) => request(s.accounts.getAll()));
}

/** Sign in online: the server checks the password and returns a token kept on the phone. */
export async function signIn(phone, password) {
  const response = await fetch("/api/v1/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
    body: JSON.stringify({ phone, password }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error?.message || response.statusText);
    error.status = response.status;
    throw error;
  }
  return keep(body);
}

/**
 * Signed in on the server's pages a moment ago (they open `/app?signed-in`): take that sign-in
 * over, so the member types the password once. The page session's CSRF token proves the call
 * comes from this site. Null when offline or no page session: the app's own sign-in shows.
 */
export async function handOver() {
  try {
    const page = await fetch("/api/v1/session/csrf", { credentials: "same-origin" });
    if (!page.ok) return null;
    const { csrf_token: csrf } = await page.json();
    const response = await fetch("/api/v1/session/hand-over", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept-Language": document.documentElement.lang },
    });
    if (!response.ok) return null;
    return keep(await response.json());
  } catch {
    return null; // no signal: sign in in the app as before
  }
}

/** Keep a token the server gave, as this phone's current account. */
async function keep(body) {
  const account = { id: body.user.id, token: body.token, user: body.user };
  const db = await meta();
  await transact(db, ["accounts"], "readwrite", (s) => request(s.accounts.put(account)));
  await setKv("current_user", account.id);
  return account;
}

/** Sign out: forget the token; the member's data and unsent changes stay on the phone. */
export async function signOut(account) {
  try {
    await fetch("/api/v1/session", {
      method: "DELETE",
      headers: { Authorization: `Bearer ${account.token}` },
    });
  } catch {
    // offline: the token is forgotten here; it cannot be used without the phone
  }
  const db = await meta();
  const kept = { ...account, token: null };
  await transact(db, ["accounts"], "readwrite", (s) => request(s.accounts.put(kept)));
  await setKv("current_user", null);
}

/** The token stopped working (password changed elsewhere): keep the data, ask to sign in. */
export async function expire(account) {
  const db = await meta();
  const kept = { ...account, token: null };
  await transact(db, ["accounts"], "readwrite", (s) => request(s.accounts.put(kept)));
}
