// The device's own store: one IndexedDB database per user, the source of truth on the phone.
// Every edit is written to the record and appended to the outbox in one transaction.

import { uuid } from "./dom.js";
import { openDatabase, request, transact } from "./idb.js";

// What the phone sends of an outbox entry (docs/sync-protocol.md); the rest stays on the phone.
const WIRE_FIELDS = ["id", "type", "record_id", "op", "base_version", "data"];

/** A new local change to a record at `baseVersion`, as the outbox keeps it. */
function mutation({ type, id, op, data, madeAt = new Date().toISOString() }, baseVersion) {
  const envelope = { id: uuid(), type, record_id: id, op, base_version: baseVersion, data };
  return { ...envelope, made_at: madeAt, status: "pending" };
}

/** An outbox entry as the server receives it in a push. */
export function wire(entry) {
  return Object.fromEntries(WIRE_FIELDS.map((name) => [name, entry[name]]));
}

/** For each type, the fields that merge key by key: the `map` fields of the server's schema. */
function mapFields(schema) {
  const types = schema?.types || [];
  return new Map(
    types.map((type) => [
      type.name,
      new Set(type.fields.filter((rule) => rule.kind === "map").map((rule) => rule.name)),
    ]),
  );
}

/** The same data, whatever the order of keys (a pulled echo of the phone's own edit is no change). */
function same(a, b) {
  const canon = (v) =>
    v && typeof v === "object"
      ? Array.isArray(v)
        ? v.map(canon)
        : Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
      : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

/** Apply a patch of changed fields; the `maps` fields merge key by key. */
function mergeData(base, patch, maps) {
  const out = { ...(base || {}) };
  for (const [name, value] of Object.entries(patch || {})) {
    if (maps?.has(name) && value && typeof value === "object") {
      out[name] = { ...(out[name] || {}), ...value };
    } else {
      out[name] = value;
    }
  }
  return out;
}

export class Store {
  constructor(db, userId) {
    this.db = db;
    this.userId = userId;
    // Raised on every write, so screens can keep what they computed until something changes.
    this.revision = 0;
    this._useSchema(null);
  }

  static async open(userId) {
    const db = await openDatabase(`langso-u-${userId}`, 1, (database) => {
      const records = database.createObjectStore("records", { keyPath: ["type", "id"] });
      records.createIndex("type", "type");
      const outbox = database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      outbox.createIndex("record", "record_id");
      database.createObjectStore("drafts", { keyPath: "key" });
      database.createObjectStore("meta", { keyPath: "key" });
    });
    const store = new Store(db, userId);
    store._useSchema(await store.meta("schema"));
    return store;
  }

  /**
   * Keep the server's schema (/api/v1/sync/schema) on the phone: the screens validate with it
   * and the store merges by it, offline and after a restart too.
   */
  async saveSchema(schema) {
    await this.setMeta("schema", schema);
    this._useSchema(schema);
  }

  _useSchema(schema) {
    this.schema = schema ?? null; // null until the first sync
    this._maps = mapFields(schema);
  }

  _merge(type, base, patch) {
    return mergeData(base, patch, this._maps.get(type));
  }

  get(type, id) {
    return transact(this.db, ["records"], "readonly", (s) => request(s.records.get([type, id])));
  }

  async all(type) {
    const rows = await transact(this.db, ["records"], "readonly", (s) =>
      request(s.records.index("type").getAll(type)),
    );
    return rows.filter((row) => !row.deleted);
  }

  /**
   * Record a local edit — `{type, id, op, data}` and optionally `madeAt` — by updating the record
   * and queueing its mutation, atomically; returns the updated record.
   */
  edit(change) {
    this.revision += 1;
    const { type, id, op, data } = change;
    return transact(this.db, ["records", "outbox"], "readwrite", async (s) => {
      const current = await request(s.records.get([type, id]));
      const record = current || { type, id, version: 0, deleted: false, data: {}, pending: 0 };
      const entry = mutation(change, record.version || 0);
      record.data = op === "delete" ? record.data : this._merge(type, record.data, data);
      record.deleted = op === "delete";
      record.pending = (record.pending || 0) + 1;
      record.changed_at = entry.made_at;
      await request(s.records.put(record));
      await request(s.outbox.add(entry));
      return record;
    });
  }

  /**
   * Record a consent withdrawal for a household (docs/member-app.md, "Withdrawing consent"):
   * `{household, purposes, asked_by, channel}` and the `fields` it empties; `erase` when the
   * required purpose is withdrawn. In one transaction: the withdrawal joins the outbox, the
   * household loses the values here and now, and changes still waiting to be sent lose them too.
   * A household the server never had is simply removed with its changes: nothing left the phone.
   */
  withdraw({ household, purposes, asked_by, channel, fields, erase }) {
    this.revision += 1;
    const empty = { head_name: "", address: "", phone: null, notes: "" };
    return transact(this.db, ["records", "outbox"], "readwrite", async (s) => {
      const record = await request(s.records.get(["household", household]));
      if (!record) return;
      const entries = await this._outstanding(s.outbox, household);
      const checklists = (await request(s.records.index("type").getAll("checklist")))
        .filter((c) => c.data.household_id === household);
      const own = [...entries];
      for (const c of checklists) own.push(...(await this._outstanding(s.outbox, c.id)));
      if (erase) {
        // Nothing personal stays on the phone: its unsent changes and its checklists go too.
        for (const e of own) await request(s.outbox.delete(e.seq));
        for (const c of checklists) await request(s.records.delete(["checklist", c.id]));
        if (!record.version) {
          await request(s.records.delete(["household", household]));
          return record;
        }
        record.data = { ...record.data, ...empty, consent: null };
        record.deleted = true;
        record.pending = 0;
        record.rejected = false;
      } else {
        for (const e of entries) {
          const data = { ...e.data };
          for (const name of fields) if (name in data) data[name] = empty[name];
          await request(s.outbox.put({ ...e, data }));
        }
        const consent = record.data.consent;
        for (const name of fields) record.data[name] = empty[name];
        if (consent) {
          record.data.consent = {
            ...consent,
            purposes: (consent.purposes || []).filter((p) => !purposes.includes(p)),
            withdrawn: [...new Set([...(consent.withdrawn || []), ...purposes])].sort(),
          };
        }
      }
      const entry = mutation({
        type: "consent_withdrawal",
        id: uuid(),
        op: "create",
        data: { household_id: household, purposes, asked_by, channel, asked_at: new Date().toISOString() },
      }, 0);
      await request(s.outbox.add(entry));
      record.changed_at = entry.made_at;
      await request(s.records.put(record));
      return record;
    });
  }

  outbox(status = "pending", limit = Infinity) {
    return transact(this.db, ["outbox"], "readonly", async (s) => {
      const all = await request(s.outbox.getAll());
      return all.filter((entry) => entry.status === status).slice(0, limit);
    });
  }

  async counts() {
    const all = await transact(this.db, ["outbox"], "readonly", (s) => request(s.outbox.getAll()));
    return {
      pending: all.filter((e) => e.status === "pending").length,
      rejected: all.filter((e) => e.status === "rejected").length,
    };
  }

  /**
   * The server answered a pushed mutation: settle the outbox entry and the record; true when the
   * record the member sees changed (the server merged in someone else's change).
   */
  settle(entry, receipt) {
    this.revision += 1;
    return transact(this.db, ["records", "outbox"], "readwrite", async (s) => {
      const key = [entry.type, entry.record_id];
      const record = await request(s.records.get(key));
      if (receipt.status === "rejected") {
        entry.status = "rejected";
        entry.errors = receipt.errors || [];
        entry.message = receipt.message || "";
        await request(s.outbox.put(entry));
        if (record) {
          record.rejected = true;
          await request(s.records.put(record));
        }
        return;
      }
      await request(s.outbox.delete(entry.seq));
      if (!record) return;
      record.pending = Math.max(0, (record.pending || 1) - 1);
      record.version = Math.max(record.version || 0, receipt.version || 0);
      let changed = false;
      if (receipt.record) {
        const left = await this._outstanding(s.outbox, entry.record_id);
        const data = left.reduce((d, e) => this._merge(entry.type, d, e.data), receipt.record);
        changed = !same(data, record.data);
        record.data = data;
      }
      await request(s.records.put(record));
      return changed;
    });
  }

  async _outstanding(outbox, recordId) {
    const entries = await request(outbox.index("record").getAll(recordId));
    return entries.sort((a, b) => a.seq - b.seq);
  }

  /**
   * Changes from the server: replace each record, keeping local edits not yet sent on top.
   * Returns the records whose data the member would see differently (`{type, id}`): an echo of
   * the phone's own edit is not among them.
   */
  applyRemote(changes) {
    if (changes.length) this.revision += 1;
    return transact(this.db, ["records", "outbox"], "readwrite", async (s) => {
      const shown = [];
      for (const change of changes) {
        const key = [change.type, change.record_id];
        const current = await request(s.records.get(key));
        const left = current ? await this._outstanding(s.outbox, change.record_id) : [];
        const data = left.reduce((d, e) => this._merge(change.type, d, e.data), change.data);
        const deleted = change.deleted && !left.length;
        if (!current || Boolean(current.deleted) !== deleted || !same(current.data, data)) {
          shown.push({ type: change.type, id: change.record_id });
        }
        await request(
          s.records.put({
            type: change.type,
            id: change.record_id,
            version: change.version,
            deleted,
            // Deleted on the server but kept here for a refused local change: `discard` drops it.
            gone: change.deleted,
            data,
            pending: left.filter((e) => e.status === "pending").length,
            rejected: left.some((e) => e.status === "rejected"),
            changed_at: current?.changed_at,
          }),
        );
      }
      return shown;
    });
  }

  /** Drop a rejected entry the member chose to discard or has replaced with a fix. */
  discard(entry) {
    this.revision += 1;
    return transact(this.db, ["records", "outbox"], "readwrite", async (s) => {
      await request(s.outbox.delete(entry.seq));
      const record = await request(s.records.get([entry.type, entry.record_id]));
      if (!record) return;
      const left = await this._outstanding(s.outbox, entry.record_id);
      record.rejected = left.some((e) => e.status === "rejected");
      if (record.gone && !left.length) record.deleted = true;
      if (!left.length && !record.version) {
        await request(s.records.delete([entry.type, entry.record_id]));
      } else {
        await request(s.records.put(record));
      }
    });
  }

  async meta(key, fallback = null) {
    const row = await transact(this.db, ["meta"], "readonly", (s) => request(s.meta.get(key)));
    return row ? row.value : fallback;
  }

  setMeta(key, value) {
    return transact(this.db, ["meta"], "readwrite", (s) => request(s.meta.put({ key, value })));
  }

  draft(key) {
    return transact(this.db, ["drafts"], "readonly", (s) => request(s.drafts.get(key)));
  }

  saveDraft(key, value) {
    const row = { key, value, saved_at: new Date().toISOString() };
    return transact(this.db, ["drafts"], "readwrite", (s) => request(s.drafts.put(row)));
  }

  dropDraft(key) {
    return transact(this.db, ["drafts"], "readwrite", (s) => request(s.drafts.delete(key)));
  }

  /** Everything not yet accepted by the server, for the last-resort export. */
  async unsynced() {
    const entries = await transact(this.db, ["outbox"], "readonly", (s) =>
      request(s.outbox.getAll()),
    );
    return { user: this.userId, exported_at: new Date().toISOString(), mutations: entries };
  }
}
