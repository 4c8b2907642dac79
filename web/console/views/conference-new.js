// Create a conference (a draft; the organizer becomes its first organizer), then its setup tab.

import { addMessages, t } from "../../shared/i18n.js";
import { h } from "../../shared/dom.js";
import { showFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";
import { conferenceFields, readConference } from "./conference-form.js";
import { showFormError } from "./setup-common.js";

addMessages({
  vi: {
    "cnew.heading": "Tạo hội nghị",
    "cnew.submit": "Tạo hội nghị (bản nháp)",
  },
  en: {
    "cnew.heading": "New conference",
    "cnew.submit": "Create the conference (draft)",
  },
});

/** Field errors for the fields the API requires that are empty, or null when none are. */
export function missing(body, names) {
  const fields = {};
  for (const name of names) if (body[name] === null || body[name] === undefined) fields[name] = { code: "required" };
  return Object.keys(fields).length ? fields : null;
}

export async function render(container, _params, ctx) {
  const alert = h("div", { id: "cnew-alert", role: "alert", class: "alert", hidden: true, tabindex: "-1" });
  const button = h("button", { type: "submit" }, t("cnew.submit"));
  const form = h("form", { novalidate: true, id: "conference-form" }, conferenceFields(null), h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    const body = readConference(form);
    const empty = missing(body, ["title", "code", "starts_at", "ends_at"]);
    if (empty) {
      showFieldErrors(form, empty);
      return;
    }
    for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
    button.disabled = true;
    try {
      const created = await session.call("/conferences", { body });
      ctx.navigate(`#/conferences/${created.id}?created=1`);
    } catch (error) {
      showFormError(form, alert, error);
    } finally {
      button.disabled = false;
    }
  });
  container.append(
    h("p", { class: "muted" }, h("a", { href: "#/conferences" }, t("nav.conferences")), " › ", t("cnew.heading")),
    h("h1", {}, t("cnew.heading")),
    alert,
    form,
  );
  form.elements.title.focus();
}
