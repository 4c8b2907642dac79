// The conference's fields as a form, shared by "create" (conference-new.js) and the setup tab
// (conference-setup.js). Times are typed as wall-clock time in the conference's time zone.

import { addMessages, t } from "../../shared/i18n.js";
import { h } from "../../shared/dom.js";
import { field, fromLocalInput, select, toLocalInput } from "./setup-common.js";

addMessages({
  vi: {
    "cform.title": "Tên hội nghị",
    "cform.code": "Mã hội nghị",
    "cform.code_hint": "Dùng trong đường liên kết đăng ký /r/mã: chữ thường không dấu, số, dấu gạch ngang.",
    "cform.starts_at": "Bắt đầu",
    "cform.ends_at": "Kết thúc",
    "cform.time_zone": "Múi giờ",
    "cform.time_zone_hint": "Giờ bắt đầu, kết thúc và mở/đóng đăng ký được hiểu theo múi giờ này.",
    "cform.venue_name": "Địa điểm",
    "cform.venue_address": "Địa chỉ",
    "cform.capacity": "Sức chứa (số đại biểu tối đa)",
    "cform.capacity_hint": "Để trống nếu không giới hạn.",
    "cform.waitlist_enabled": "Có danh sách chờ khi đủ chỗ",
    "cform.registration_mode": "Cách đăng ký",
    "cform.mode.open": "Mở: ai cũng đăng ký được",
    "cform.mode.invitation_only": "Chỉ theo giấy mời của đơn vị",
    "cform.mode.approval_required": "Ban tổ chức duyệt từng đăng ký",
    "cform.registration_opens_at": "Mở đăng ký từ",
    "cform.registration_closes_at": "Đóng đăng ký lúc",
    "cform.host_organization": "Đơn vị chủ trì",
    "cform.description": "Giới thiệu",
    "cform.when": "Thời gian",
    "cform.where": "Địa điểm và quy mô",
    "cform.registration": "Đăng ký",
  },
  en: {
    "cform.title": "Title",
    "cform.code": "Code",
    "cform.code_hint": "Used in the registration link /r/code: lower-case letters without accents, digits, hyphens.",
    "cform.starts_at": "Starts",
    "cform.ends_at": "Ends",
    "cform.time_zone": "Time zone",
    "cform.time_zone_hint": "Start, end and the registration window are read in this time zone.",
    "cform.venue_name": "Venue",
    "cform.venue_address": "Address",
    "cform.capacity": "Capacity (most delegates)",
    "cform.capacity_hint": "Leave empty for no limit.",
    "cform.waitlist_enabled": "Waiting list when full",
    "cform.registration_mode": "Registration mode",
    "cform.mode.open": "Open: anyone can register",
    "cform.mode.invitation_only": "By unit invitation only",
    "cform.mode.approval_required": "The organizers approve each registration",
    "cform.registration_opens_at": "Registration opens",
    "cform.registration_closes_at": "Registration closes",
    "cform.host_organization": "Host organization",
    "cform.description": "Description",
    "cform.when": "When",
    "cform.where": "Venue and size",
    "cform.registration": "Registration",
  },
});

const TIME_FIELDS = ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"];
const TEXT_FIELDS = ["title", "code", "venue_name", "venue_address", "host_organization", "description"];

/** The form's inputs and fieldsets for `conference` (or defaults for a new one). */
export function conferenceFields(conference = null) {
  const c = conference || {};
  const zone = c.time_zone || "Asia/Ho_Chi_Minh";
  const text = (name, type = "text", attrs = {}) =>
    h("input", { type, id: `cf-${name}`, name, value: c[name] ?? "", ...attrs });
  const time = (name) => h("input", { type: "datetime-local", id: `cf-${name}`, name, value: toLocalInput(c[name], zone) });
  return h(
    "div",
    { class: "conference-fields" },
    field(text("title", "text", { required: true, maxlength: 300 }), t("cform.title")),
    field(text("code", "text", { required: true, maxlength: 64, autocapitalize: "off", spellcheck: "false" }), t("cform.code"), {
      hint: t("cform.code_hint"),
    }),
    h(
      "fieldset",
      {},
      h("legend", {}, t("cform.when")),
      h(
        "div",
        { class: "grid2" },
        field(time("starts_at"), t("cform.starts_at")),
        field(time("ends_at"), t("cform.ends_at")),
      ),
      field(text("time_zone", "text", { value: zone, maxlength: 64 }), t("cform.time_zone"), { hint: t("cform.time_zone_hint") }),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, t("cform.where")),
      h(
        "div",
        { class: "grid2" },
        field(text("venue_name", "text", { maxlength: 300 }), t("cform.venue_name"), { optional: true }),
        field(text("venue_address", "text", { maxlength: 500 }), t("cform.venue_address"), { optional: true }),
      ),
      field(text("capacity", "number", { min: 1, max: 1000000, value: c.capacity ?? "" }), t("cform.capacity"), {
        hint: t("cform.capacity_hint"),
      }),
      field(h("input", { type: "checkbox", id: "cf-waitlist_enabled", name: "waitlist_enabled", checked: !!c.waitlist_enabled }), t("cform.waitlist_enabled")),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, t("cform.registration")),
      field(
        select(
          "cf-registration_mode",
          "registration_mode",
          ["open", "invitation_only", "approval_required"].map((m) => [m, t(`cform.mode.${m}`)]),
          c.registration_mode || "open",
        ),
        t("cform.registration_mode"),
      ),
      h(
        "div",
        { class: "grid2" },
        field(time("registration_opens_at"), t("cform.registration_opens_at"), { optional: true }),
        field(time("registration_closes_at"), t("cform.registration_closes_at"), { optional: true }),
      ),
    ),
    field(text("host_organization", "text", { maxlength: 300 }), t("cform.host_organization"), { optional: true }),
    field(h("textarea", { id: "cf-description", name: "description", rows: 4, maxlength: 10000 }, c.description ?? ""), t("cform.description"), {
      optional: true,
    }),
  );
}

/** The body for POST /conferences or PATCH: empty optional fields are `null`. */
export function readConference(form) {
  const get = (name) => form.elements[name];
  const zone = get("time_zone").value.trim() || "Asia/Ho_Chi_Minh";
  const body = { time_zone: zone };
  for (const name of TEXT_FIELDS) {
    const value = get(name).value.trim();
    body[name] = value === "" ? null : value;
  }
  for (const name of TIME_FIELDS) body[name] = fromLocalInput(get(name).value, zone);
  const capacity = get("capacity").value.trim();
  body.capacity = capacity === "" ? null : Number(capacity);
  body.waitlist_enabled = get("waitlist_enabled").checked;
  body.registration_mode = get("registration_mode").value;
  return body;
}
