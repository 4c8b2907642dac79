// Building DOM without innerHTML, so text from the API (names, titles) is never read as markup.

/** `h("p", {class: "muted"}, "text", child…)`: an element with attributes and children.
 * Attributes starting with "on" are event listeners; `null`/`false` children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  for (const child of children.flat()) if (child) el.append(child);
}

/** Shows `message` in the live region `el` (role="alert" or "status"), with a style. */
export function showAlert(el, message, kind = "error") {
  el.className = `alert ${kind}`;
  el.textContent = message;
  el.hidden = !message;
}
