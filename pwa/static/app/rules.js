// The same validation the server applies, driven by /api/v1/sync/schema (one source of rules).
// Messages use the server's message ids, so both sides say the same thing in the same words.

import { t } from "./i18n.js";

const MOBILE = /^0[35789]\d{8}$/;

export function normalizePhone(raw) {
  let digits = String(raw || "").replace(/[\s.\-()]/g, "");
  if (digits.startsWith("+84")) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith("84") && digits.length === 11) digits = `0${digits.slice(2)}`;
  return MOBILE.test(digits) ? digits : null;
}

function checkRule(rule, value) {
  const empty = value === null || value === undefined || value === "";
  if (empty) return rule.required ? t("This field is required.") : null;
  switch (rule.kind) {
    case "text": {
      if (typeof value !== "string") return t("Enter text.");
      if (rule.required && !value.trim()) return t("This field is required.");
      const max = rule.max_length || 2000;
      return value.trim().length > max ? t("Use at most %(max)s characters.", { max }) : null;
    }
    case "phone":
      return normalizePhone(value) ? null : t("Enter a Vietnamese mobile number, e.g. 0912 345 678.");
    case "int": {
      const low = rule.min ?? -(2 ** 31);
      const high = rule.max ?? 2 ** 31 - 1;
      if (!Number.isInteger(value) || value < low || value > high) {
        return t("Enter a whole number between %(min)s and %(max)s.", { min: low, max: high });
      }
      return null;
    }
    default:
      return null;
  }
}

function checkIndicator(indicator, value) {
  if (value === null || value === undefined) return null;
  if (indicator.type === "bool") return typeof value === "boolean" ? null : t("Choose yes or no.");
  if (indicator.type === "choice") {
    return indicator.choices.some((c) => c.value === value)
      ? null
      : t("Choose one of the listed options.");
  }
  const ok = Number.isInteger(value) && value >= indicator.min && value <= indicator.max;
  return ok
    ? null
    : t("Enter a whole number between %(min)s and %(max)s.", {
        min: indicator.min,
        max: indicator.max,
      });
}

/** Errors by field for a household (the merged record), as the server would report them. */
export function validateHousehold(schema, record) {
  const errors = {};
  const type = schema.types.find((x) => x.name === "household");
  for (const rule of type.fields) {
    if (rule.kind === "map" || rule.kind === "object" || rule.kind === "area") continue;
    const message = checkRule(rule, record[rule.name]);
    if (message) errors[rule.name] = message;
  }
  if (!record.village_code) errors.village_code = t("Choose a village.");
  const consent = record.consent || {};
  const required = schema.consent_purposes.filter((p) => p.required).map((p) => p.key);
  if (!required.every((key) => (consent.purposes || []).includes(key))) {
    errors.consent = t(
      "Without consent to keep the household's records, nothing personal can be saved.",
    );
  } else if (!String(consent.given_by || "").trim()) {
    errors.consent = t("Write the name of the person who gave consent.");
  }
  for (const indicator of schema.indicators.items) {
    const message = checkIndicator(indicator, (record.indicators || {})[indicator.key]);
    if (message) errors[`indicators.${indicator.key}`] = message;
  }
  const { people_count: people, adult_count: adults } = record;
  if (Number.isInteger(people) && Number.isInteger(adults) && adults > people && !errors.adult_count) {
    errors.adult_count = t("There cannot be more adults than people.");
  }
  return errors;
}

/**
 * Whether the household must be asked for consent again: a required purpose it has not agreed
 * to, or a purpose whose text changed since the version it was given against. A consent from
 * before versions were recorded (no `versions`) is not asked again for that alone.
 */
export function needsAskingAgain(schema, consent) {
  if (!consent) return false;
  const given = consent.purposes || [];
  const versions = consent.versions;
  return schema.consent_purposes.some(
    (p) =>
      (p.required && !given.includes(p.key)) ||
      (versions && p.key in versions && versions[p.key] !== p.version),
  );
}

/** The version of each purpose's texts, as the phone shows them now. */
export function consentVersions(schema) {
  return Object.fromEntries(schema.consent_purposes.map((p) => [p.key, p.version]));
}

/** Whether an indicator value counts as met (for filters and progress). */
export function meets(indicator, value) {
  if (value === null || value === undefined) return false;
  if (indicator.type === "bool") return value === true;
  if (indicator.type === "int") return indicator.meets_min !== null && value >= indicator.meets_min;
  return (indicator.meets || []).includes(value);
}
