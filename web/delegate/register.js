// The self-registration page, /r/{conference-code}: the conference, its agenda and how many
// seats are left; the form (the API's rules: errors come back per field and are shown beside
// their inputs); then the result with status, QR code and the delegate's private link.

import { api, newIdempotencyKey } from "/app/shared/api.js";
import { clearFieldErrors, errorMessage, showFieldErrors } from "/app/shared/errors.js";
import { addMessages, formatDateTime, formatTime, lang, languageSwitch, onLangChange, t, translatePage } from "/app/shared/i18n.js";
import { fillCategories, statusLabel } from "/app/shared/labels.js";
import { personFromForm } from "/app/shared/person.js";
import { delegateLink, showDelegateQr } from "/app/shared/qr.js";
import { h, replace, showAlert } from "/app/shared/dom.js";
import "./common.js";

addMessages({
  vi: {
    "reg.page_title": "Đăng ký tham dự hội nghị",
    "reg.when": "Thời gian:",
    "reg.where": "Địa điểm:",
    "reg.agenda": "Chương trình",
    "reg.no_agenda": "Chương trình sẽ được cập nhật.",
    "reg.form_title": "Đăng ký tham dự",
    "reg.required_note": "Các ô có dấu * là bắt buộc. Cần ít nhất email hoặc số điện thoại.",
    "reg.email_hint": "Đường liên kết và mã QR sẽ được gửi tới email này.",
    "reg.privacy": "Dữ liệu cá nhân",
    "reg.consent": "Tôi đã đọc và đồng ý với thông báo về dữ liệu cá nhân ở trên.",
    "reg.submit": "Đăng ký",
    "reg.done_title": "Đã nhận đăng ký",
    "reg.link_title": "Đường liên kết riêng của bạn",
    "reg.link_explain": "Dùng đường liên kết này để xem lại đăng ký, mã QR, chọn phiên hoặc hủy. Đừng chia sẻ nó.",
    "reg.open_link": "Mở trang của tôi",
    "reg.copy_link": "Sao chép đường liên kết",
    "reg.copied": "Đã sao chép.",
    "reg.emailed": "Đường liên kết và mã QR cũng sẽ được gửi qua email tới {email}.",
    "reg.explain.confirmed": "Bạn đã có chỗ tại hội nghị.",
    "reg.explain.waitlisted": "Hội nghị đã đủ chỗ; bạn ở trong danh sách chờ và sẽ được báo khi có chỗ.",
    "reg.explain.pending_approval": "Ban tổ chức sẽ xem xét và báo cho bạn kết quả.",
    "reg.capacity.open": "Còn {left} trên {capacity} chỗ.",
    "reg.capacity.unlimited": "Đang nhận đăng ký.",
    "reg.capacity.waitlist": "Đã đủ {capacity} chỗ; đăng ký mới vào danh sách chờ.",
    "reg.capacity.full": "Đã đủ {capacity} chỗ.",
    "reg.closed.not_open": "Hội nghị chưa mở đăng ký (mở lúc {when}).",
    "reg.closed.closed": "Hội nghị đã đóng đăng ký.",
    "reg.closed.invitation_only": "Hội nghị chỉ nhận đại biểu theo giấy mời của ban tổ chức.",
    "reg.closed.cancelled": "Hội nghị đã bị hủy.",
    "reg.not_found": "Không tìm thấy hội nghị có mã này. Hãy kiểm tra lại đường liên kết.",
    "reg.approval_note": "Đăng ký cần được ban tổ chức duyệt.",
  },
  en: {
    "reg.page_title": "Register for the conference",
    "reg.when": "When:",
    "reg.where": "Where:",
    "reg.agenda": "Agenda",
    "reg.no_agenda": "The agenda will be published soon.",
    "reg.form_title": "Register",
    "reg.required_note": "Fields marked * are required. Give at least an email or a phone number.",
    "reg.email_hint": "Your link and QR code will be sent to this address.",
    "reg.privacy": "Personal data",
    "reg.consent": "I have read and accept the privacy notice above.",
    "reg.submit": "Register",
    "reg.done_title": "Registration received",
    "reg.link_title": "Your private link",
    "reg.link_explain": "Use this link to see your registration and QR code, choose sessions or cancel. Do not share it.",
    "reg.open_link": "Open my page",
    "reg.copy_link": "Copy the link",
    "reg.copied": "Copied.",
    "reg.emailed": "The link and QR code will also be emailed to {email}.",
    "reg.explain.confirmed": "You have a seat at the conference.",
    "reg.explain.waitlisted": "The conference is full; you are on the waiting list and will be told when a seat frees up.",
    "reg.explain.pending_approval": "The organizers will review your registration and let you know.",
    "reg.capacity.open": "{left} of {capacity} seats left.",
    "reg.capacity.unlimited": "Registration is open.",
    "reg.capacity.waitlist": "All {capacity} seats are taken; new registrations join the waiting list.",
    "reg.capacity.full": "All {capacity} seats are taken.",
    "reg.closed.not_open": "Registration opens at {when}.",
    "reg.closed.closed": "Registration is closed.",
    "reg.closed.invitation_only": "This conference admits delegates invited by the organizers only.",
    "reg.closed.cancelled": "The conference was cancelled.",
    "reg.not_found": "No conference has this code. Check the link.",
    "reg.approval_note": "Registrations are reviewed by the organizers.",
  },
});

const $ = (id) => document.getElementById(id);
const code = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const form = $("register-form");
let conference = null;
let sessions = [];
let notice = null;
let result = null;
// One key per filled-in form: a retry after a lost response replays instead of registering twice.
let idempotencyKey = newIdempotencyKey();

translatePage();
languageSwitch($("lang-switch"));
fillCategories($("category"), "enterprise");
onLangChange(() => {
  fillCategories($("category"));
  render();
});
form.addEventListener("input", () => {
  idempotencyKey = newIdempotencyKey();
});
form.addEventListener("submit", submit);
$("copy-link").addEventListener("click", copyLink);
load();

async function load() {
  try {
    const page = await api(`/conferences?code=${encodeURIComponent(code)}&limit=1`);
    conference = page.items[0];
    if (!conference) throw Object.assign(new Error("not found"), { code: "conference_not_found" });
    [sessions, notice] = await Promise.all([
      api(`/conferences/${conference.id}/sessions?limit=500`).then((p) => p.items),
      api(`/conferences/${conference.id}/privacy-notice`).catch(() => null),
    ]);
    $("loading").hidden = true;
    $("conference").hidden = false;
    $("form-section").hidden = false;
    render();
  } catch (error) {
    $("loading").hidden = true;
    showAlert($("load-error"), error.code === "conference_not_found" ? t("reg.not_found") : errorMessage(error));
  }
}

/** Why the form cannot be sent now, or null. */
function closedReason() {
  const now = Date.now();
  if (conference.status === "cancelled") return t("reg.closed.cancelled");
  if (conference.registration_mode === "invitation_only") return t("reg.closed.invitation_only");
  if (conference.status !== "published") return t("reg.closed.closed");
  if (conference.registration_opens_at && Date.parse(conference.registration_opens_at) > now) {
    return t("reg.closed.not_open", { when: formatDateTime(conference.registration_opens_at, conference.time_zone) });
  }
  const closes = conference.registration_closes_at || conference.ends_at;
  if (Date.parse(closes) < now) return t("reg.closed.closed");
  if (isFull() && !conference.waitlist_enabled) return t("reg.capacity.full", { capacity: conference.capacity });
  return null;
}

function isFull() {
  return conference.capacity !== null && conference.confirmed_count >= conference.capacity;
}

function render() {
  if (!conference) return;
  document.title = `${conference.title} – ${t("reg.page_title")}`;
  $("conf-title").textContent = conference.title;
  $("conf-host").textContent = [conference.host_organization, ...(conference.co_host_organizations || [])]
    .filter(Boolean)
    .join(" · ");
  $("conf-when").textContent = `${formatDateTime(conference.starts_at, conference.time_zone)} – ${formatTime(conference.ends_at, conference.time_zone)}`;
  $("conf-where").textContent = [conference.venue_name, conference.venue_address].filter(Boolean).join(", ");
  $("conf-where-line").hidden = !conference.venue_name && !conference.venue_address;
  $("conf-description").textContent = conference.description || "";
  $("capacity").textContent = capacityText();
  replace(
    $("agenda"),
    sessions.length === 0
      ? [h("li", {}, t("reg.no_agenda"))]
      : sessions.map((s) =>
          h(
            "li",
            {},
            h("span", { class: "time" }, `${formatTime(s.starts_at, conference.time_zone)}–${formatTime(s.ends_at, conference.time_zone)}`),
            " ",
            s.title,
            s.speakers && s.speakers.length ? h("div", { class: "muted" }, s.speakers.join(", ")) : null,
          ),
        ),
  );
  $("notice-text").textContent = notice ? (lang() === "en" && notice.text_en) || notice.text_vi : "";
  const reason = closedReason();
  showAlert($("closed-note"), reason || "", "warn");
  for (const el of form.elements) el.disabled = Boolean(reason);
  if (result) renderResult();
}

function capacityText() {
  if (conference.capacity === null) return t("reg.capacity.unlimited");
  if (!isFull()) {
    return t("reg.capacity.open", { left: conference.capacity - conference.confirmed_count, capacity: conference.capacity });
  }
  return t(conference.waitlist_enabled ? "reg.capacity.waitlist" : "reg.capacity.full", { capacity: conference.capacity });
}

async function submit(event) {
  event.preventDefault();
  clearFieldErrors(form);
  showAlert($("form-error"), "");
  const person = personFromForm(form);
  const body = {
    ...person,
    language: lang(),
    consent: { notice_version: notice ? notice.version : 1, accepted: $("consent").checked },
  };
  const button = $("submit");
  button.disabled = true;
  button.textContent = t("common.saving");
  try {
    result = await api(`/conferences/${conference.id}/self-registrations`, { body, idempotencyKey });
    $("conference").hidden = true;
    $("form-section").hidden = true;
    $("result").hidden = false;
    renderResult();
    $("result").focus();
    await showDelegateQr($("result-qr"), result.delegate_token);
  } catch (error) {
    if (error.fields) {
      // The consent error names `consent`; a field error inside it (`consent.accepted`) too.
      const fields = Object.fromEntries(Object.entries(error.fields).map(([f, e]) => [f.startsWith("consent") ? "consent" : f, e]));
      // The API checks the person before the consent: say both at once.
      if (!$("consent").checked && !fields.consent) fields.consent = { code: "consent_required" };
      showFieldErrors(form, fields);
    }
    showAlert($("form-error"), errorMessage(error));
  } finally {
    button.disabled = false;
    button.textContent = t("reg.submit");
  }
}

function renderResult() {
  const { registration, delegate_token: token } = result;
  const status = $("result-status");
  status.textContent = statusLabel(registration.status);
  status.className = `status ${registration.status}`;
  $("result-explain").textContent = t(`reg.explain.${registration.status}`);
  $("result-reference").textContent = registration.reference;
  const link = delegateLink(token);
  $("result-link").textContent = link;
  $("result-open").href = link;
  showAlert($("result-emailed"), registration.email ? t("reg.emailed", { email: registration.email }) : "", "ok");
}

async function copyLink() {
  try {
    await navigator.clipboard.writeText($("result-link").textContent);
    $("copy-link").textContent = t("reg.copied");
  } catch {
    // No clipboard (plain http): the link is on screen to copy by hand.
    getSelection().selectAllChildren($("result-link"));
  }
}
