// The household list: search without diacritics, filters by indicator, quick to scroll.

import { debounce, fold, html, mount } from "../dom.js";
import { formatNumber, label, t } from "../i18n.js";
import { meets, needsAskingAgain } from "../rules.js";

const PAGE = 40;
// The search and filter are kept while the app is open (not across restarts).
const remembered = { q: "", filter: "", shown: 0 };
// Rows with their search keys, kept until the store changes (opening the list stays quick).
let cached = { store: null, revision: -1, rows: [] };

async function loadRows(app, indicators) {
  if (cached.store === app.store && cached.revision === app.store.revision) return cached.rows;
  const revision = app.store.revision;
  const rows = (await app.store.all("household"))
    .map((record) => ({
      record,
      key: fold(`${record.data.head_name} ${record.data.address} ${record.data.phone || ""}`),
      met: indicators.filter((i) => meets(i, (record.data.indicators || {})[i.key])).length,
      askAgain: needsAskingAgain(app.schema, record.data.consent),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  cached = { store: app.store, revision, rows };
  return rows;
}

export async function render(app) {
  const view = app.view();
  const indicators = app.schema.indicators.items;
  app.watch("household");
  const rows = await loadRows(app, indicators);
  const saved = remembered;
  mount(
    view,
    html`<section>
      <div class="row">
        <h1>${t("Households")}</h1>
        <a class="button primary" href="#/households/new">${t("Add")}</a>
      </div>
      <label for="search">${t("Search by name, address or phone")}</label>
      <input id="search" type="search" placeholder="${t("Name, address, phone")}"
        autocomplete="off" value="${saved.q || ""}">
      <label for="filter">${t("Show")}</label>
      <select id="filter">
        <option value="">${t("All households")}</option>
        <option value="incomplete">${t("Not fully recorded yet")}</option>
        <option value="unsynced">${t("Changes not yet sent")}</option>
        <option value="askagain">${t("Consent to ask again")}</option>
        ${indicators
          .filter((i) => i.type !== "int" || i.meets_min !== null)
          .map((i) => html`<option value="not:${i.key}">${t("Not yet: %(what)s", { what: label(i.label) })}</option>`)}
      </select>
      <p class="muted" id="count" aria-live="polite"></p>
      <ul class="list" id="households"></ul>
      <button type="button" id="more" hidden>${t("Show more")}</button>
    </section>`,
  );
  const search = view.querySelector("#search");
  const filter = view.querySelector("#filter");
  filter.value = saved.filter || "";
  // A sync redrawing the list keeps as many rows as the member had opened.
  let shown = app.redrawing ? Math.max(PAGE, remembered.shown) : PAGE;
  const list = view.querySelector("#households");

  const matches = () => {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    const choice = filter.value;
    const indicator = choice.startsWith("not:")
      ? indicators.find((i) => `not:${i.key}` === choice)
      : null;
    return rows.filter(({ record, key, askAgain }) => {
      if (words.some((w) => !key.includes(w))) return false;
      const values = record.data.indicators || {};
      if (choice === "incomplete") return indicators.some((i) => values[i.key] == null);
      if (choice === "unsynced") return record.pending > 0 || record.rejected;
      if (choice === "askagain") return askAgain;
      if (indicator) {
        const value = values[indicator.key];
        return !meets(indicator, value) && !(indicator.not_applicable || []).includes(value);
      }
      return true;
    });
  };

  const draw = () => {
    const found = matches();
    remembered.q = search.value;
    remembered.filter = filter.value;
    remembered.shown = shown;
    view.querySelector("#count").textContent = t("%(n)s households", {
      n: formatNumber(found.length),
    });
    mount(
      view.querySelector("#households"),
      html`${found.slice(0, shown).map(({ record, met, askAgain }) => row(record, met, indicators.length, askAgain))}`,
    );
    view.querySelector("#more").hidden = found.length <= shown;
    list.dataset.drawn = String(Number(list.dataset.drawn || 0) + 1);
  };
  search.addEventListener("input", debounce(() => {
    shown = PAGE;
    draw();
  }, 120));
  filter.addEventListener("change", () => {
    shown = PAGE;
    draw();
  });
  view.querySelector("#more").addEventListener("click", () => {
    shown += PAGE;
    draw();
  });
  draw();
}

function row(record, met, total, askAgain) {
  return html`<li><a href="#/households/${record.id}">
    <strong>${record.data.head_name}</strong>
    <span class="muted">${record.data.address || ""}</span>
    <span class="meter-label">${t("%(met)s of %(total)s indicators met", { met, total })}</span>
    <span class="meter" aria-hidden="true"><span data-width="${Math.round((met / total) * 100)}"></span></span>
    ${record.pending ? html`<span class="tag">${t("not sent")}</span>` : ""}
    ${record.rejected ? html`<span class="tag bad">${t("needs fixing")}</span>` : ""}
    ${askAgain ? html`<span class="tag warn" data-ask-again>${t("ask consent again")}</span>` : ""}
    ${record.data.restricted ? html`<span class="tag bad" data-restricted>${t("restricted")}</span>` : ""}
  </a></li>`;
}
