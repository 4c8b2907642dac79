// i18n: Vietnamese by default, English on request. The choice is remembered in localStorage;
// `?lang=en` (or `?lang=vi`) in the address sets it too, as the API's own `lang` parameter does.

const STORAGE_KEY = "hoithao.lang";
const LANGS = ["vi", "en"];
const catalog = { vi: {}, en: {} };

function initialLang() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (LANGS.includes(fromUrl)) {
    remember(fromUrl);
    return fromUrl;
  }
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    // Storage may be disabled (private mode): the default language still works.
  }
  return "vi";
}

function remember(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but the page still switches.
  }
}

let current = initialLang();
const listeners = [];

/** The current language: "vi" or "en". */
export function lang() {
  return current;
}

/** Adds messages: `{vi: {key: "…"}, en: {key: "…"}}`. Later additions win. */
export function addMessages(messages) {
  for (const l of LANGS) Object.assign(catalog[l], messages[l] || {});
}

/** The message for `key` in the current language, `{name}` placeholders filled from `params`;
 * falls back to Vietnamese, then to the key itself. */
export function t(key, params = {}) {
  const template = catalog[current][key] ?? catalog.vi[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Whether a message exists for `key`. */
export function has(key) {
  return key in catalog[current] || key in catalog.vi;
}

/** Switches language, remembers it, re-translates the page and tells the listeners. */
export function setLang(next) {
  if (!LANGS.includes(next) || next === current) return;
  current = next;
  remember(next);
  translatePage();
  for (const listener of listeners) listener(next);
}

/** Calls `listener(lang)` after every switch (pages re-render what they built in script). */
export function onLangChange(listener) {
  listeners.push(listener);
}

/** Fills every `[data-i18n]` element's text, and `[data-i18n-attr="attr:key;…"]` attributes. */
export function translatePage(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  const title = document.querySelector("title[data-i18n]");
  if (title) document.title = t(title.dataset.i18n);
}

/** Wires a button that switches to the other language; its label names that language. */
export function languageSwitch(button) {
  const render = () => {
    const other = current === "vi" ? "en" : "vi";
    button.textContent = other === "en" ? "English" : "Tiếng Việt";
    button.lang = other;
    button.setAttribute("aria-label", other === "en" ? "Switch to English" : "Chuyển sang tiếng Việt");
  };
  button.addEventListener("click", () => setLang(current === "vi" ? "en" : "vi"));
  onLangChange(render);
  render();
}

/** A date and time in the conference's time zone, in the current language. */
export function formatDateTime(iso, timeZone = "Asia/Ho_Chi_Minh") {
  return new Intl.DateTimeFormat(current === "vi" ? "vi-VN" : "en-GB", {
    dateStyle: "full",
    timeStyle: "short",
    timeZone,
  }).format(new Date(iso));
}

/** A time of day in the conference's time zone. */
export function formatTime(iso, timeZone = "Asia/Ho_Chi_Minh") {
  return new Intl.DateTimeFormat(current === "vi" ? "vi-VN" : "en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
  }).format(new Date(iso));
}
