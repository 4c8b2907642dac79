// What the registrations, day and afterwards screens share: their style sheet (loaded with the
// first of them, so the console's first load stays small), labels for the API's enums, small
// table and form helpers.

import { addMessages, lang, t } from "../../shared/i18n.js";
import { h } from "../../shared/dom.js";

addMessages({
  vi: {
    "unit_kind.agency": "Cơ quan, sở, ngành",
    "unit_kind.district": "Huyện, thành phố",
    "unit_kind.commune": "Xã, phường, thị trấn",
    "unit_kind.enterprise": "Doanh nghiệp",
    "unit_kind.other": "Khác",
    "unit_kind.none": "Không thuộc đơn vị",
    "source.self": "Tự đăng ký",
    "source.invitation": "Qua thư mời",
    "source.organizer": "Ban tổ chức nhập",
    "source.import": "Nhập từ tệp",
    "outcome.ok": "Hợp lệ",
    "outcome.already_checked_in": "Đã điểm danh trước đó",
    "outcome.cancelled": "Đăng ký đã hủy",
    "outcome.pending_approval": "Chưa được duyệt",
    "outcome.waitlisted": "Trong danh sách chờ",
    "outcome.unknown_code": "Mã không hợp lệ",
    "outcome.other_conference": "Mã của hội nghị khác",
    "outcome.not_signed_up_for_session": "Chưa đăng ký phiên",
    "outcome.outside_window": "Ngoài giờ điểm danh",
    "direction.in": "Vào",
    "direction.out": "Ra",
    "method.scan": "Quét mã",
    "method.manual": "Thủ công",
    "method.offline": "Ngoại tuyến",
    "method.backfill": "Theo sổ ký tên",
    "day.any": "Tất cả",
    "day.none": "—",
  },
  en: {
    "unit_kind.agency": "Agency, department",
    "unit_kind.district": "District, city",
    "unit_kind.commune": "Commune, ward, town",
    "unit_kind.enterprise": "Enterprise",
    "unit_kind.other": "Other",
    "unit_kind.none": "No unit",
    "source.self": "Self-registered",
    "source.invitation": "Through an invitation",
    "source.organizer": "Entered by the organizers",
    "source.import": "Imported from a file",
    "outcome.ok": "Valid",
    "outcome.already_checked_in": "Already checked in",
    "outcome.cancelled": "Registration cancelled",
    "outcome.pending_approval": "Not approved yet",
    "outcome.waitlisted": "On the waiting list",
    "outcome.unknown_code": "Unknown code",
    "outcome.other_conference": "Another conference's code",
    "outcome.not_signed_up_for_session": "Not signed up for the session",
    "outcome.outside_window": "Outside the check-in hours",
    "direction.in": "In",
    "direction.out": "Out",
    "method.scan": "Scan",
    "method.manual": "Manual",
    "method.offline": "Offline",
    "method.backfill": "From the paper sheet",
    "day.any": "All",
    "day.none": "—",
  },
});

export const STATUSES = ["pending_approval", "confirmed", "waitlisted", "cancelled", "rejected"];
export const SOURCES = ["self", "invitation", "organizer", "import"];
export const UNIT_KINDS = ["agency", "district", "commune", "enterprise", "other"];

/** Loads the style sheet of these screens once (a file, as the CSP allows no inline style). */
export function ensureStyles() {
  if (document.querySelector('link[data-day-css]')) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("../day.css", import.meta.url).href;
  link.dataset.dayCss = "";
  document.head.append(link);
}

/** A label for a message key if there is one, else the raw value (enum values the client does not know yet). */
export function label(prefix, value) {
  if (value === null || value === undefined || value === "") return t("day.none");
  const text = t(`${prefix}.${value}`);
  return text === `${prefix}.${value}` ? String(value) : text;
}

/** A `<select>` with an "all" choice then `values`, labelled by `labelOf`. */
export function select(id, name, values, labelOf, chosen = "", anyKey = "day.any") {
  return h(
    "select",
    { id, name },
    h("option", { value: "" }, t(anyKey)),
    values.map((v) => h("option", { value: v, selected: v === chosen }, labelOf(v))),
  );
}

/** A labelled field: `<div class=field><label/>control<p class=field-error/></div>`. */
export function field(labelText, control, extra = null) {
  const errorId = `${control.id}-error`;
  const described = [control.getAttribute("aria-describedby"), errorId].filter(Boolean).join(" ");
  control.setAttribute("aria-describedby", described);
  return h(
    "div",
    { class: "field" },
    h("label", { for: control.id }, labelText),
    control,
    extra,
    h("p", { id: errorId, class: "field-error", hidden: true }),
  );
}

/** A table with a caption, `<th scope=col>` headings and `rows` (arrays of cells or `<tr>`s). */
export function table(caption, headings, rows, attrs = {}) {
  return h(
    "table",
    { class: "data", ...attrs },
    caption ? h("caption", { class: caption.hidden ? "visually-hidden" : null }, caption.text ?? caption) : null,
    h("thead", {}, h("tr", {}, headings.map((x) => (x instanceof Node ? x : h("th", { scope: "col" }, x))))),
    h(
      "tbody",
      {},
      rows.map((row) => (row instanceof Node ? row : h("tr", {}, row.map((c) => (c instanceof Node && c.tagName === "TD" ? c : h("td", {}, c)))))),
    ),
  );
}

/** A date and time, short, in the conference's time zone. */
export function when(iso, timeZone) {
  if (!iso) return t("day.none");
  return new Intl.DateTimeFormat(lang() === "vi" ? "vi-VN" : "en-GB", {
    dateStyle: "short",
    timeStyle: "medium",
    timeZone: timeZone || "Asia/Ho_Chi_Minh",
  }).format(new Date(iso));
}

/** A number with the current language's grouping. */
export function num(n) {
  return new Intl.NumberFormat(lang() === "vi" ? "vi-VN" : "en-GB").format(n ?? 0);
}

/** The `lang` query parameter for files whose headings follow the console's language. */
export function langParam() {
  return lang() === "en" ? "lang=en" : "lang=vi";
}
