// Small DOM helpers: escaped HTML templates and event wiring.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A raw HTML string that `html` will not escape again. */
export class Raw {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

export const raw = (text) => new Raw(text);

/** Tagged template: interpolations are escaped unless they are Raw (or arrays of them). */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += flatten(value) + strings[i + 1];
  });
  return new Raw(out);
}

function flatten(value) {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return value.map(flatten).join("");
  if (value === false || value === null || value === undefined) return "";
  return esc(value);
}

export function mount(element, content) {
  element.innerHTML = content instanceof Raw ? content.text : esc(content);
  // The Content-Security-Policy refuses style attributes: a meter's width is set here instead.
  for (const bar of element.querySelectorAll("[data-width]")) {
    bar.style.width = `${Number(bar.dataset.width) || 0}%`;
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

/** `fn` called once calls stop for `ms`; `.cancel()` drops a call still waiting. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/**
 * Search key: "Nguyễn  Văn Á" → "nguyen van a", the same rule as `fold` in server/search.py.
 * Decompose (NFD), drop nonspacing marks (Mn), đ/Đ → d, lower case, one space between words;
 * tests/fold_vectors.json holds the cases both sides are checked against.
 */
export function fold(text) {
  return String(text ?? "")
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
