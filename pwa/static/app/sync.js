// The sync engine: push the outbox, then pull changes, in the background, with backoff.
// Started on app start, on `online`, after each save, every few minutes, and by Background Sync.

import { wire } from "./store.js";

const BATCH = 100;
const PULL_LIMIT = 500;
const PERIOD_MS = 3 * 60 * 1000;
const MAX_BACKOFF_MS = 5 * 60 * 1000;

export class SyncEngine extends EventTarget {
  constructor({ store, account, deviceId, appVersion, language, onExpired }) {
    super();
    this.language = language || "vi";
    this.store = store;
    this.account = account;
    this.deviceId = deviceId;
    this.appVersion = appVersion;
    this.onExpired = onExpired;
    this.running = null;
    this.following = null;
    this.failures = 0;
    this.timer = null;
    this.status = {
      state: "idle",
      phase: null,
      pending: 0,
      rejected: 0,
      lastSync: null,
      done: 0,
      total: 0,
      received: 0,
    };
  }

  async start() {
    this.status.lastSync = await this.store.meta("last_sync");
    await this._counts();
    window.addEventListener("online", () => this.run());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.run();
    });
    this.run();
  }

  stop() {
    clearTimeout(this.timer);
    this.stopped = true;
  }

  /** Sync now (or join the sync already running). */
  run() {
    if (this.stopped) return Promise.resolve(this.status);
    if (!this.running) {
      this.running = this.once().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * Sync for something that happened just now (a tap on "sync", a save): a sync already running
   * may have read the outbox or pulled before it, so one more sync follows that one.
   */
  fresh() {
    if (this.stopped) return Promise.resolve(this.status);
    if (!this.running) return this.run();
    this.following ??= this.running
      .catch(() => {})
      .then(() => {
        this.following = null;
        return this.run();
      });
    return this.following;
  }

  /** Called after each local save: sync soon, and ask for Background Sync if the tab closes. */
  async nudge() {
    await this._counts();
    try {
      const registration = await navigator.serviceWorker?.getRegistration();
      await registration?.sync?.register("langso-sync");
    } catch {
      // Background Sync is not available everywhere
    }
    setTimeout(() => this.fresh(), 300);
  }

  /** One full sync (push, then pull); usable in a page or in the service worker. */
  async once() {
    clearTimeout(this.timer);
    if (!navigator.onLine) {
      this._set({ state: "offline" });
      this._schedule(PERIOD_MS);
      return this.status;
    }
    try {
      const total = (await this.store.counts()).pending;
      this._set({ state: "syncing", phase: "push", done: 0, total, received: 0 });
      this.changed = []; // the records the member would now see differently: {type, id}
      await this._push();
      await this._pull();
      await this.store.saveSchema(await this._fetch("/api/v1/sync/schema"));
      const now = new Date().toISOString();
      await this.store.setMeta("last_sync", now);
      this.failures = 0;
      this._set({ state: "idle", lastSync: now });
      if (this.changed.length) {
        this.dispatchEvent(new CustomEvent("changed", { detail: { records: this.changed } }));
      }
      this._schedule(PERIOD_MS);
    } catch (error) {
      if (error.status === 401) {
        this._set({ state: "expired" });
        this.onExpired?.();
        return this.status;
      }
      // Exponential backoff with jitter: 2 s, 4 s, 8 s … at most 5 minutes, each ±50 %.
      this.failures += 1;
      const delay = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** (this.failures - 1));
      this._set({ state: navigator.onLine ? "error" : "offline", error: String(error.message) });
      this._schedule(delay * (0.5 + Math.random()));
    }
    await this._counts();
    return this.status;
  }

  async _push() {
    for (let round = 0; round < 10000; round += 1) {
      const entries = await this.store.outbox("pending", BATCH);
      if (!entries.length) return;
      const counts = await this.store.counts();
      const body = await this._fetch("/api/v1/sync/push", {
        method: "POST",
        body: JSON.stringify({
          device_id: this.deviceId,
          app_version: this.appVersion,
          pending_changes: counts.pending,
          mutations: entries.map(wire),
        }),
      });
      const byId = new Map(body.results.map((receipt) => [receipt.id, receipt]));
      for (const entry of entries) {
        const receipt = byId.get(entry.id);
        if (!receipt) continue;
        if (await this.store.settle(entry, receipt)) {
          this.changed.push({ type: entry.type, id: entry.record_id });
        }
        if (receipt.status === "conflict") await this._noteConflict(entry, receipt);
        this.status.done += 1;
      }
      this._emit();
    }
  }

  async _pull() {
    let cursor = await this.store.meta("cursor", "");
    this._set({ phase: "pull" });
    for (let page = 0; page < 10000; page += 1) {
      const query = new URLSearchParams({
        cursor,
        limit: String(PULL_LIMIT),
        device_id: this.deviceId,
        app_version: this.appVersion,
        pending_changes: String((await this.store.counts()).pending),
      });
      const body = await this._fetch(`/api/v1/sync/pull?${query}`);
      this.changed.push(...(await this.store.applyRemote(body.changes)));
      this._set({ received: this.status.received + body.changes.length });
      cursor = body.cursor;
      await this.store.setMeta("cursor", cursor);
      if (!body.more) break;
    }
    await this._cacheLessonImages();
  }

  async _noteConflict(entry, receipt) {
    const notes = await this.store.meta("conflicts", []);
    notes.unshift({
      type: entry.type,
      record_id: entry.record_id,
      conflicts: receipt.conflicts || [],
      message: receipt.message || "",
      at: new Date().toISOString(),
    });
    await this.store.setMeta("conflicts", notes.slice(0, 50));
  }

  /** Every lesson's images into the media cache; one missed by a dropped line is fetched later. */
  async _cacheLessonImages() {
    if (!("caches" in globalThis)) return;
    const lessons = await this.store.all("lesson");
    const urls = [...new Set(lessons.flatMap((lesson) => lesson.data.images || []))];
    if (!urls.length) return;
    const cache = await caches.open("langso-media");
    const missing = async (url) => !(await cache.match(url));
    await Promise.all(
      urls.map(async (url) => (await missing(url)) && cache.add(url).catch(() => null)),
    );
  }

  async _fetch(url, options = {}) {
    const { body, encoding } = await packed(options.body);
    const response = await fetch(url, {
      ...options,
      body,
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${this.account.token}`,
        "Accept-Language": this.language,
        ...encoding,
      },
    });
    if (!response.ok) {
      const error = new Error(`HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  async _counts() {
    const counts = await this.store.counts();
    this._set({ pending: counts.pending, rejected: counts.rejected });
  }

  _schedule(ms) {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.run(), ms);
  }

  _set(values) {
    Object.assign(this.status, values);
    this._emit();
  }

  _emit() {
    this.dispatchEvent(new CustomEvent("status", { detail: { ...this.status } }));
  }
}

// A body over this many characters is sent gzipped: a push of 100 changes shrinks to about a
// sixth; smaller bodies gain less than the work costs. The server inflates it under the same
// limit as a plain body.
const GZIP_FROM = 1024;

async function packed(body) {
  if (typeof body !== "string" || body.length < GZIP_FROM || typeof CompressionStream !== "function") {
    return { body, encoding: {} };
  }
  const stream = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
  return { body: await new Response(stream).arrayBuffer(), encoding: { "Content-Encoding": "gzip" } };
}
