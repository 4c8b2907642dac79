// Labels shared by every form about a person (the delegate pages and the check-in app).

import { addMessages } from "./i18n.js";

addMessages({
  vi: {
    "common.loading": "Đang tải…",
    "common.saving": "Đang gửi…",
    "person.full_name": "Họ và tên",
    "person.position": "Chức vụ",
    "person.organization": "Cơ quan, đơn vị",
    "person.category": "Thành phần",
    "person.email": "Email",
    "person.phone": "Số điện thoại",
  },
  en: {
    "common.loading": "Loading…",
    "common.saving": "Sending…",
    "person.full_name": "Full name",
    "person.position": "Position",
    "person.organization": "Organization",
    "person.category": "Delegate group",
    "person.email": "Email",
    "person.phone": "Phone number",
  },
});

/** The person fields of a form as the API takes them: blank optional fields are left out. */
export function personFromForm(form, prefix = "") {
  const value = (name) => {
    const el = form.querySelector(`[name="${prefix}${name}"]`);
    return el ? el.value.trim() : "";
  };
  const person = { full_name: value("full_name"), category: value("category") };
  for (const name of ["position", "organization", "email", "phone"]) {
    if (value(name)) person[name] = value(name);
  }
  return person;
}

let fieldsetCounter = 0;

/**
 * A fieldset of person inputs named `${prefix}full_name`, `${prefix}phone`… (the API's field
 * names, so `showFieldErrors` finds them), each with its label and error box. `values` fills them.
 */
export function personFieldset({ prefix = "", legend, values = {}, h, fillCategories, t }) {
  fieldsetCounter += 1;
  const n = fieldsetCounter;
  const field = (name, type, { required = false, max, autocomplete } = {}) => {
    const id = `p${n}-${name}`;
    const label = h("label", { for: id }, t(`person.${name}`), required ? " *" : "");
    const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    let input;
    if (name === "category") {
      input = h("select", { id, name: prefix + name, "aria-describedby": `${id}-error` });
      fillCategories(input, values.category || "district");
    } else {
      input = h("input", {
        type,
        id,
        name: prefix + name,
        maxlength: max,
        autocomplete,
        required,
        "aria-describedby": `${id}-error`,
      });
      input.value = values[name] || "";
    }
    return h("div", { class: "field" }, label, input, error);
  };
  return h(
    "fieldset",
    {},
    legend ? h("legend", {}, legend) : null,
    field("full_name", "text", { required: true, max: 200, autocomplete: "off" }),
    field("position", "text", { max: 200, autocomplete: "off" }),
    field("category", "select"),
    field("email", "email", { max: 254, autocomplete: "off" }),
    field("phone", "tel", { max: 32, autocomplete: "off" }),
  );
}
