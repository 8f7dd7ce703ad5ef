// Background Sync from the service worker when no page of the app is open.

import { currentAccount, deviceId, settings } from "./session.js";
import { Store } from "./store.js";
import { SyncEngine } from "./sync.js";

export async function backgroundSync(appVersion) {
  const account = await currentAccount();
  if (!account) return;
  const engine = new SyncEngine({
    store: await Store.open(account.id),
    account,
    deviceId: await deviceId(),
    appVersion,
    language: (await settings()).language,
  });
  await engine.once();
}
