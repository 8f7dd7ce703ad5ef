// Client-side strings from the same Babel catalogues as the server (/app/i18n/<lang>.json).

let language = "vi";
let messages = {};

export async function loadLanguage(lang) {
  const response = await fetch(`/app/i18n/${lang}.json`);
  const body = await response.json();
  messages = body.messages || {};
  language = lang;
  document.documentElement.lang = lang;
}

export function currentLanguage() {
  return language;
}

/** Translate a message id (English source text) and fill %(name)s parameters. */
export function t(message, params) {
  let text = (language === "en" ? null : messages[message]) || message;
  if (params) {
    text = text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
  }
  return text;
}

/** Pick the user's language from a {vi, en} label object. */
export function label(value) {
  if (!value || typeof value !== "object") return String(value ?? "");
  return value[language] || value.vi || value.en || "";
}

export function formatNumber(value) {
  return new Intl.NumberFormat(language === "vi" ? "vi-VN" : "en-GB").format(value);
}

export function formatDateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(language === "vi" ? "vi-VN" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Ho_Chi_Minh",
  }).format(new Date(iso));
}

/** "5 minutes ago" in the user's language. */
export function ago(iso) {
  if (!iso) return t("never");
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(language === "vi" ? "vi-VN" : "en-GB", {
    numeric: "auto",
  });
  if (seconds < 60) return format.format(0, "second");
  if (seconds < 3600) return format.format(-Math.round(seconds / 60), "minute");
  if (seconds < 86400) return format.format(-Math.round(seconds / 3600), "hour");
  return format.format(-Math.round(seconds / 86400), "day");
}
