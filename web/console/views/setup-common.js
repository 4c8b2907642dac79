// What the setup screens share (conference form, agenda, units, invitations, accounts):
// labelled fields with an error box for `showFieldErrors`, reads that keep the `ETag` for
// `If-Match`, times typed in the conference's time zone, the 412 message, copying a link.

import { addMessages, t } from "../../shared/i18n.js";
import { h, showAlert } from "../../shared/dom.js";
import { ApiError } from "../../shared/api.js";
import { errorMessage, showFieldErrors, clearFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";

addMessages({
  vi: {
    "setup.conflict": "Người khác vừa thay đổi mục này trong lúc bạn đang sửa. Thay đổi của bạn chưa được lưu. Hãy tải lại để xem bản mới nhất rồi sửa lại.",
    "setup.reload": "Tải lại",
    "setup.saved": "Đã lưu.",
    "setup.copy": "Sao chép",
    "setup.copied": "Đã sao chép.",
    "setup.copy_failed": "Không sao chép được; hãy chọn và sao chép đường liên kết.",
    "setup.confirm": "Xác nhận",
    "setup.back": "Quay lại",
    "setup.optional": "(không bắt buộc)",
    "setup.none": "—",
    "setup.yes": "Có",
    "setup.no": "Không",
    "setup.more": "Xem thêm",
    "field.must_be_after_start": "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
    "field.must_be_after_open": "Thời điểm đóng đăng ký phải sau thời điểm mở.",
    "field.outside_conference": "Phiên phải nằm trong thời gian diễn ra hội nghị.",
    "field.sessions_outside": "Có phiên nằm ngoài thời gian mới của hội nghị.",
    "field.requires_capacity": "Danh sách chờ cần có sức chứa.",
    "field.below_confirmed": "Ít hơn số đại biểu đã xác nhận.",
    "field.below_signups": "Ít hơn số người đã đăng ký phiên.",
    "field.unknown_time_zone": "Múi giờ không hợp lệ (ví dụ Asia/Ho_Chi_Minh).",
    "field.in_the_past": "Thời điểm này đã qua.",
    "field.unknown_kind": "Loại đơn vị không hợp lệ.",
    "field.ambiguous_unit": "Có nhiều đơn vị cùng tên này.",
    "field.unit_name_taken": "Đã có đơn vị cùng tên dưới cùng đơn vị cấp trên.",
    "field.admin_code_taken": "Mã hành chính đã được dùng cho đơn vị khác.",
    "field.commune_needs_district": "Xã, phường phải thuộc một huyện, thành phố.",
    "field.cycle": "Không thể đặt đơn vị dưới chính đơn vị con của nó.",
    "field.duplicate": "Bị trùng.",
    "field.invalid_csv": "Dòng này không đọc được.",
    "field.code.invalid_format": "Chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ sxsh-vinh-phuc-2018).",
    "error.code_taken": "Mã hội nghị này đã được dùng.",
    "error.already_invited": "Đơn vị này đã được mời.",
    "error.unit_name_taken": "Đã có đơn vị cùng tên dưới cùng đơn vị cấp trên.",
    "error.admin_code_taken": "Mã hành chính đã được dùng cho đơn vị khác.",
    "error.email_taken": "Email này đã có tài khoản.",
    "error.invalid_csv": "Tệp không đọc được (cần CSV UTF-8 có dòng tiêu đề, hoặc XLSX).",
    "error.invalid_xlsx": "Tệp XLSX không đọc được.",
    "error.unsupported_media_type": "Loại tệp không được hỗ trợ (chỉ CSV hoặc XLSX).",
    "error.forbidden": "Bạn không có quyền làm việc này.",
    "error.cannot_disable_self": "Không thể khóa tài khoản của chính mình.",
    "error.last_admin": "Phải còn ít nhất một quản trị viên.",
    "error.last_organizer": "Hội nghị phải còn ít nhất một người tổ chức.",
    "error.precondition_required": "Thiếu phiên bản của bản ghi. Hãy tải lại trang.",
  },
  en: {
    "setup.conflict": "Someone else changed this while you were editing. Your changes were not saved. Reload to see the latest version, then make your changes again.",
    "setup.reload": "Reload",
    "setup.saved": "Saved.",
    "setup.copy": "Copy",
    "setup.copied": "Copied.",
    "setup.copy_failed": "Could not copy; select the link and copy it.",
    "setup.confirm": "Confirm",
    "setup.back": "Back",
    "setup.optional": "(optional)",
    "setup.none": "—",
    "setup.yes": "Yes",
    "setup.no": "No",
    "setup.more": "Show more",
    "field.must_be_after_start": "The end must be after the start.",
    "field.must_be_after_open": "Registration must close after it opens.",
    "field.outside_conference": "The session must fall within the conference's dates.",
    "field.sessions_outside": "Some sessions fall outside the new dates.",
    "field.requires_capacity": "A waiting list needs a capacity.",
    "field.below_confirmed": "Fewer than the delegates already confirmed.",
    "field.below_signups": "Fewer than the delegates already signed up.",
    "field.unknown_time_zone": "Not a known time zone (e.g. Asia/Ho_Chi_Minh).",
    "field.in_the_past": "This time has passed.",
    "field.unknown_kind": "Not a known unit kind.",
    "field.ambiguous_unit": "Several units have this name.",
    "field.unit_name_taken": "A unit with this name exists under the same parent.",
    "field.admin_code_taken": "Another unit has this administrative code.",
    "field.commune_needs_district": "A commune must belong to a district.",
    "field.cycle": "A unit cannot be placed under one of its own sub-units.",
    "field.duplicate": "Duplicate.",
    "field.invalid_csv": "This row cannot be read.",
    "field.code.invalid_format": "Lower-case letters without accents, digits and hyphens only (e.g. sxsh-vinh-phuc-2018).",
    "error.code_taken": "This conference code is taken.",
    "error.already_invited": "This unit is already invited.",
    "error.unit_name_taken": "A unit with this name exists under the same parent.",
    "error.admin_code_taken": "Another unit has this administrative code.",
    "error.email_taken": "This email already has an account.",
    "error.invalid_csv": "The file cannot be read (a UTF-8 CSV with a header row, or XLSX).",
    "error.invalid_xlsx": "The XLSX file cannot be read.",
    "error.unsupported_media_type": "This file type is not supported (CSV or XLSX only).",
    "error.forbidden": "You may not do this.",
    "error.cannot_disable_self": "You cannot disable your own account.",
    "error.last_admin": "At least one administrator must remain.",
    "error.last_organizer": "The conference must keep at least one organizer.",
    "error.precondition_required": "The record's version is missing. Please reload the page.",
  },
});

/**
 * A labelled field: `<div class="field"><label>…</label>[hint]<input>…<p class="field-error"></div>`.
 * `input` must have an `id`; its `aria-describedby` names the hint and the error box.
 */
export function field(input, labelText, { hint = null, optional = false } = {}) {
  const id = input.id;
  const errorId = `${id}-error`;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  input.setAttribute("aria-describedby", [hintEl ? `${id}-hint` : null, errorId].filter(Boolean).join(" "));
  const isCheck = input.type === "checkbox";
  const label = h("label", { for: id }, labelText, optional ? h("span", { class: "muted opt" }, " ", t("setup.optional")) : null);
  if (isCheck) {
    return h(
      "div",
      { class: "field" },
      h("div", { class: "check" }, input, label),
      hintEl,
      h("p", { class: "field-error", id: errorId, hidden: true }),
    );
  }
  return h("div", { class: "field" }, label, hintEl, input, h("p", { class: "field-error", id: errorId, hidden: true }));
}

/** A `<select>` with `options` = [[value, text], …], `chosen` selected. */
export function select(id, name, options, chosen) {
  return h(
    "select",
    { id, name },
    options.map(([value, text]) => h("option", { value, selected: value === chosen }, text)),
  );
}

/** A GET that also returns the `ETag`: `{data, etag}`. */
export async function getVersioned(path) {
  const response = await session.fetchWithToken(path, { headers: { Accept: "application/json" } });
  return { data: await response.json(), etag: response.headers.get("ETag") };
}

/** A JSON write (PATCH by default) with `If-Match: etag`, returning `{data, etag}`. */
export async function sendVersioned(path, body, etag, method = "PATCH") {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (etag) headers["If-Match"] = etag;
  const response = await session.fetchWithToken(path, { method, headers, body: JSON.stringify(body) });
  return { data: response.status === 204 ? null : await response.json(), etag: response.headers.get("ETag") };
}

/**
 * Shows an API error from a form's submission: a 412 as the "someone else changed this"
 * message with a reload button (calling `onReload`), field errors next to their inputs, the
 * rest in `alertEl`.
 */
export function showFormError(form, alertEl, error, { onReload = null, prefix = "" } = {}) {
  clearFieldErrors(form);
  if (error instanceof ApiError && error.status === 412) {
    alertEl.replaceChildren();
    alertEl.className = "alert warn";
    alertEl.hidden = false;
    alertEl.append(h("span", { class: "conflict-text" }, t("setup.conflict")));
    if (onReload) {
      alertEl.append(" ", h("button", { type: "button", class: "secondary", onclick: onReload }, t("setup.reload")));
    }
    alertEl.focus?.();
    return;
  }
  const unmatched = error && error.fields ? showFieldErrors(form, error.fields, prefix) : {};
  const extra = Object.keys(unmatched).length ? ` (${Object.keys(unmatched).join(", ")})` : "";
  showAlert(alertEl, errorMessage(error) + extra, "error");
}

/** The wall-clock parts of the instant `date` in `timeZone`. */
function zoneParts(date, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(date);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { y: get("year"), mo: get("month"), d: get("day"), h: get("hour") % 24, mi: get("minute"), s: get("second") };
}

function validZone(timeZone) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    return "Asia/Ho_Chi_Minh";
  }
}

/** An instant as the value of a `datetime-local` input, in `timeZone` ("2018-07-19T08:00"). */
export function toLocalInput(iso, timeZone) {
  if (!iso) return "";
  const p = zoneParts(new Date(iso), validZone(timeZone));
  const pad = (n) => String(n).padStart(2, "0");
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}`;
}

/** A `datetime-local` value read as wall-clock time in `timeZone`, as an RFC 3339 instant
 * (null when empty). */
export function fromLocalInput(value, timeZone) {
  if (!value) return null;
  const [date, time] = value.split("T");
  const [y, mo, d] = date.split("-").map(Number);
  const [hh, mi] = time.split(":").map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mi);
  const zone = validZone(timeZone);
  // The zone's offset at that wall time: guess, then correct once (enough across DST changes).
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = zoneParts(new Date(guess), zone);
    const shown = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
    guess = wall - (shown - guess);
  }
  return new Date(guess).toISOString();
}

/** A date and time shown compactly in `timeZone` ("19/07/2018 08:00"). */
export function shortDateTime(iso, timeZone) {
  if (!iso) return t("setup.none");
  const local = toLocalInput(iso, timeZone);
  const [date, time] = local.split("T");
  const [y, mo, d] = date.split("-");
  return `${d}/${mo}/${y} ${time}`;
}

/** A read-only link with a copy button; `status` announces the result. */
export function copyableLink(url, id) {
  const status = h("span", { class: "muted copy-status", role: "status" });
  const box = h("p", { class: "link-box", id }, url);
  const button = h(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(url);
          status.textContent = t("setup.copied");
        } catch {
          const range = document.createRange();
          range.selectNodeContents(box);
          const selection = getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          status.textContent = t("setup.copy_failed");
        }
      },
    },
    t("setup.copy"),
  );
  return h("div", { class: "copyable" }, box, h("div", { class: "actions" }, button, status));
}

/**
 * An inline confirmation: `ask(question, confirmText, action, kind)` shows the question in
 * `region` with confirm and back buttons; confirm runs `action`.
 */
export function confirmer(region) {
  return (question, confirmText, action, kind = "primary") => {
    region.replaceChildren(
      h(
        "div",
        { class: "panel confirm", role: "group", "aria-label": question },
        h("p", {}, h("strong", {}, question)),
        h(
          "div",
          { class: "actions" },
          h(
            "button",
            {
              type: "button",
              class: kind === "danger" ? "danger" : "",
              onclick: async (event) => {
                event.currentTarget.disabled = true;
                region.replaceChildren();
                await action();
              },
            },
            confirmText,
          ),
          h("button", { type: "button", class: "secondary", onclick: () => region.replaceChildren() }, t("setup.back")),
        ),
      ),
    );
    region.querySelector("button").focus();
  };
}

/** Every page of a list endpoint (`items`, `next_cursor`), up to `max` items. */
export async function listAll(path, max = 5000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await session.call(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
