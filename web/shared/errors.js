// Error messages a person reads: the API's stable error `code`s and field error codes, in
// Vietnamese (and English). The API's own `title`/`detail` stay English; clients translate by code.

import { addMessages, has, t } from "./i18n.js";

addMessages({
  vi: {
    "error.network_error": "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.",
    "error.unknown": "Đã có lỗi xảy ra. Vui lòng thử lại.",
    "error.validation_failed": "Một số thông tin chưa hợp lệ. Vui lòng sửa các ô được đánh dấu.",
    "error.already_registered": "Email hoặc số điện thoại này đã được đăng ký cho hội nghị.",
    "error.capacity_reached": "Hội nghị đã đủ chỗ.",
    "error.quota_exceeded": "Đơn vị đã dùng hết số chỗ được mời.",
    "error.session_full": "Phiên này đã đủ chỗ.",
    "error.overlapping_session": "Phiên này trùng giờ với một phiên bạn đã đăng ký.",
    "error.signup_not_required": "Phiên này không cần đăng ký riêng.",
    "error.registration_closed": "Đăng ký này đã bị hủy hoặc từ chối.",
    "error.registration_not_open": "Hội nghị chưa mở hoặc đã đóng đăng ký.",
    "error.registration_not_confirmed": "Đăng ký chưa được xác nhận.",
    "error.invitation_only": "Hội nghị chỉ nhận đại biểu theo giấy mời.",
    "error.invitation_expired": "Giấy mời đã hết hạn hoặc đã bị thu hồi.",
    "error.conference_cancelled": "Hội nghị đã bị hủy.",
    "error.notice_version_not_current": "Thông báo về dữ liệu cá nhân vừa được cập nhật. Vui lòng tải lại trang và đọc lại.",
    "error.invalid_token": "Đường liên kết không hợp lệ hoặc đã hết hiệu lực.",
    "error.missing_token": "Thiếu mã trong đường liên kết. Hãy mở đúng đường liên kết đã được gửi cho bạn.",
    "error.token_expired": "Đường liên kết đã hết hiệu lực.",
    "error.not_found": "Không tìm thấy.",
    "error.erased": "Dữ liệu cá nhân của đăng ký này đã được xóa.",
    "error.illegal_status_transition": "Không thể thực hiện thao tác này ở trạng thái hiện tại.",
    "error.rate_limited": "Bạn thao tác quá nhanh. Vui lòng chờ một chút rồi thử lại.",
    "error.idempotency_key_reused": "Yêu cầu đã được gửi với nội dung khác. Vui lòng tải lại trang.",
    "error.database_unavailable": "Máy chủ đang bận. Vui lòng thử lại sau ít phút.",
    "error.database_timeout": "Máy chủ đang bận. Vui lòng thử lại sau ít phút.",
    "error.database_contention": "Máy chủ đang bận. Vui lòng thử lại.",
    "error.database_read_only": "Hệ thống đang bảo trì. Vui lòng thử lại sau.",
    "error.payload_too_large": "Dữ liệu gửi lên quá lớn.",
    "error.internal_error": "Máy chủ gặp lỗi. Vui lòng thử lại sau.",
    "error.etag_mismatch": "Thông tin vừa được người khác thay đổi. Vui lòng tải lại.",
    "error.concurrent_update": "Thông tin vừa được người khác thay đổi. Vui lòng thử lại.",
    "field.required": "Vui lòng nhập thông tin này.",
    "field.too_long": "Nội dung quá dài.",
    "field.invalid_characters": "Có ký tự không hợp lệ.",
    "field.invalid_format": "Không đúng định dạng.",
    "field.email.invalid_format": "Địa chỉ email không hợp lệ.",
    "field.invalid_phone": "Số điện thoại không hợp lệ.",
    "field.invalid_value": "Giá trị không hợp lệ.",
    "field.invalid_length": "Độ dài không hợp lệ.",
    "field.out_of_range": "Giá trị nằm ngoài khoảng cho phép.",
    "field.contact_required": "Cần ít nhất email hoặc số điện thoại.",
    "field.consent_required": "Vui lòng đọc và đồng ý với thông báo về dữ liệu cá nhân.",
    "field.unknown_unit": "Đơn vị không có trong danh mục.",
    "field.too_many_items": "Quá nhiều mục.",
    "field.non_null": "Vui lòng nhập thông tin này.",
  },
  en: {
    "error.network_error": "Cannot reach the server. Check the network and try again.",
    "error.unknown": "Something went wrong. Please try again.",
    "error.validation_failed": "Some fields are not valid. Please correct the marked fields.",
    "error.already_registered": "This email or phone number is already registered for the conference.",
    "error.capacity_reached": "The conference is full.",
    "error.quota_exceeded": "The unit has used all its invited seats.",
    "error.session_full": "This session is full.",
    "error.overlapping_session": "This session overlaps one you signed up for.",
    "error.signup_not_required": "This session needs no separate sign-up.",
    "error.registration_closed": "This registration was cancelled or rejected.",
    "error.registration_not_open": "Registration is not open.",
    "error.registration_not_confirmed": "The registration is not confirmed yet.",
    "error.invitation_only": "This conference admits invited delegates only.",
    "error.invitation_expired": "The invitation has expired or was revoked.",
    "error.conference_cancelled": "The conference was cancelled.",
    "error.notice_version_not_current": "The privacy notice has just changed. Please reload the page and read it again.",
    "error.invalid_token": "The link is not valid or no longer works.",
    "error.missing_token": "The link has no token. Open the exact link you were sent.",
    "error.token_expired": "The link has expired.",
    "error.not_found": "Not found.",
    "error.erased": "The personal data of this registration was erased.",
    "error.illegal_status_transition": "This cannot be done in the current state.",
    "error.rate_limited": "Too many attempts. Please wait a moment and try again.",
    "error.idempotency_key_reused": "The request was sent with different content. Please reload the page.",
    "error.database_unavailable": "The server is busy. Please try again in a few minutes.",
    "error.database_timeout": "The server is busy. Please try again in a few minutes.",
    "error.database_contention": "The server is busy. Please try again.",
    "error.database_read_only": "The system is under maintenance. Please try again later.",
    "error.payload_too_large": "The data sent is too large.",
    "error.internal_error": "The server had an error. Please try again later.",
    "error.etag_mismatch": "Someone else just changed this. Please reload.",
    "error.concurrent_update": "Someone else just changed this. Please try again.",
    "field.required": "Please fill this in.",
    "field.too_long": "Too long.",
    "field.invalid_characters": "Contains characters that are not allowed.",
    "field.invalid_format": "Not in the right format.",
    "field.email.invalid_format": "Not a valid email address.",
    "field.invalid_phone": "Not a valid phone number.",
    "field.invalid_value": "Not a valid value.",
    "field.invalid_length": "Wrong length.",
    "field.out_of_range": "Out of the allowed range.",
    "field.contact_required": "Give at least an email or a phone number.",
    "field.consent_required": "Please read and accept the privacy notice.",
    "field.unknown_unit": "Not a unit of the directory.",
    "field.too_many_items": "Too many items.",
    "field.non_null": "Please fill this in.",
  },
});

/** The message for an `ApiError` (or any error) as a whole. */
export function errorMessage(error) {
  const key = `error.${error && error.code}`;
  return has(key) ? t(key) : t("error.unknown");
}

/** The message for one field error `{code, message}` of `field` (`delegates[0].email` counts
 * as `email`): a message for that field and code if there is one, else for the code. */
export function fieldMessage(fieldError, field = "") {
  const name = field.split(".").pop();
  for (const key of [`field.${name}.${fieldError.code}`, `field.${fieldError.code}`]) {
    if (has(key)) return t(key);
  }
  return t("field.invalid_value");
}

/**
 * Shows field errors next to their inputs inside `form`: an input whose `name` (or
 * `data-field`) equals the API's field name gets `aria-invalid` and its message in the element
 * named by its `aria-describedby` ending in `-error`. Returns the field errors that matched no
 * input, so the caller can show them with the general message. Focuses the first invalid input.
 */
export function showFieldErrors(form, fields, prefix = "") {
  clearFieldErrors(form);
  const unmatched = {};
  let first = null;
  for (const [field, error] of Object.entries(fields || {})) {
    const input = findInput(form, prefix + field) || findInput(form, field);
    if (!input) {
      unmatched[field] = error;
      continue;
    }
    input.setAttribute("aria-invalid", "true");
    const box = errorBox(input);
    if (box) {
      box.textContent = fieldMessage(error, field);
      box.hidden = false;
    }
    if (!first) first = input;
  }
  if (first) first.focus();
  return unmatched;
}

/** Removes every field error shown in `form`. */
export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const box of form.querySelectorAll(".field-error")) {
    box.textContent = "";
    box.hidden = true;
  }
}

function findInput(form, field) {
  for (const el of form.querySelectorAll("[name], [data-field]")) {
    if ((el.dataset.field || el.name) === field) return el;
  }
  return null;
}

function errorBox(input) {
  const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/);
  const id = ids.find((x) => x.endsWith("-error"));
  return id ? document.getElementById(id) : null;
}
