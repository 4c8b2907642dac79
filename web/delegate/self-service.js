// The delegate's own page (`/delegate#token=…`, the link of the confirmation email): the
// registration and a large QR code for the door, sign-up for sessions that need it, cancel.

import { api, tokenFromFragment } from "/app/shared/api.js";
import { errorMessage } from "/app/shared/errors.js";
import { addMessages, formatTime, languageSwitch, onLangChange, t, translatePage } from "/app/shared/i18n.js";
import { categoryLabel, statusLabel } from "/app/shared/labels.js";
import { showDelegateQr } from "/app/shared/qr.js";
import { h, replace, showAlert } from "/app/shared/dom.js";
import "./common.js";

addMessages({
  vi: {
    "me.page_title": "Đăng ký của tôi",
    "me.sessions": "Các phiên",
    "me.sessions_hint": "Một số phiên cần đăng ký riêng vì số chỗ có hạn.",
    "me.open_to_all": "Dành cho mọi đại biểu",
    "me.signed_up": "Đã đăng ký phiên này",
    "me.seats": "{count}/{capacity} chỗ",
    "me.sign_up": "Đăng ký phiên",
    "me.leave": "Rút khỏi phiên",
    "me.signed_up_done": "Đã đăng ký phiên “{title}”.",
    "me.left_done": "Đã rút khỏi phiên “{title}”.",
    "me.confirm_first": "Phiên cần đăng ký riêng sẽ mở khi đăng ký của bạn được xác nhận.",
    "me.cancel_title": "Không thể tham dự?",
    "me.cancel_explain": "Hủy đăng ký để nhường chỗ cho người khác. Không thể hoàn tác.",
    "me.cancel": "Hủy đăng ký",
    "me.cancel_question": "Bạn chắc chắn muốn hủy đăng ký?",
    "me.cancel_yes": "Có, hủy đăng ký",
    "me.cancel_no": "Không, giữ đăng ký",
    "me.cancelled_done": "Đăng ký của bạn đã được hủy.",
    "me.no_token": "Đường liên kết thiếu mã. Hãy mở đúng đường liên kết trong email xác nhận.",
  },
  en: {
    "me.page_title": "My registration",
    "me.sessions": "Sessions",
    "me.sessions_hint": "Some sessions need a separate sign-up because seats are limited.",
    "me.open_to_all": "Open to every delegate",
    "me.signed_up": "You are signed up",
    "me.seats": "{count}/{capacity} seats",
    "me.sign_up": "Sign up",
    "me.leave": "Leave the session",
    "me.signed_up_done": "Signed up for “{title}”.",
    "me.left_done": "You left “{title}”.",
    "me.confirm_first": "Sessions that need a sign-up open once your registration is confirmed.",
    "me.cancel_title": "Cannot come?",
    "me.cancel_explain": "Cancel to give your seat to someone else. This cannot be undone.",
    "me.cancel": "Cancel my registration",
    "me.cancel_question": "Do you really want to cancel your registration?",
    "me.cancel_yes": "Yes, cancel it",
    "me.cancel_no": "No, keep it",
    "me.cancelled_done": "Your registration was cancelled.",
    "me.no_token": "The link has no token. Open the exact link of your confirmation email.",
  },
});

const $ = (id) => document.getElementById(id);
const token = tokenFromFragment();
const headers = { "X-Delegate-Token": token };
let registration = null;
let conference = null;
let sessions = [];
let mine = new Set();

translatePage();
languageSwitch($("lang-switch"));
onLangChange(render);
$("cancel").addEventListener("click", () => {
  $("cancel-confirm").hidden = false;
  $("cancel-no").focus();
});
$("cancel-no").addEventListener("click", () => {
  $("cancel-confirm").hidden = true;
  $("cancel").focus();
});
$("cancel-yes").addEventListener("click", cancel);
load();

async function load() {
  if (!token) {
    $("loading").hidden = true;
    showAlert($("load-error"), t("me.no_token"));
    return;
  }
  try {
    registration = await api("/delegate/registration", { headers });
    [conference, sessions, mine] = await Promise.all([
      api(`/conferences/${registration.conference_id}`),
      api(`/conferences/${registration.conference_id}/sessions?limit=500`).then((p) => p.items),
      api("/delegate/registration/sessions", { headers }).then((ids) => new Set(ids)),
    ]);
    $("loading").hidden = true;
    $("registration").hidden = false;
    render();
    if (isLive()) await showDelegateQr($("me-qr"), token);
  } catch (error) {
    $("loading").hidden = true;
    showAlert($("load-error"), errorMessage(error));
  }
}

function isLive() {
  return ["confirmed", "waitlisted", "pending_approval"].includes(registration.status);
}

function render() {
  if (!registration) return;
  document.title = `${registration.full_name} – ${t("me.page_title")}`;
  $("conf-title").textContent = conference.title;
  $("me-title").textContent = registration.full_name;
  $("me-details").textContent = [
    registration.position,
    registration.unit_name || registration.organization,
    categoryLabel(registration.category),
  ]
    .filter(Boolean)
    .join(" · ");
  const status = $("me-status");
  status.textContent = statusLabel(registration.status);
  status.className = `status ${registration.status}`;
  $("me-reference").textContent = registration.reference;
  $("qr-block").hidden = !isLive();
  $("cancel-section").hidden = !isLive();
  renderSessions();
}

function renderSessions() {
  const tz = conference.time_zone;
  const confirmed = registration.status === "confirmed";
  $("sessions-hint").textContent = confirmed ? t("me.sessions_hint") : t("me.confirm_first");
  replace(
    $("sessions"),
    sessions.map((s) => {
      const signedUp = mine.has(s.id);
      const titleId = `session-${s.id}`;
      let control = null;
      if (s.signup_required && confirmed && isLive()) {
        control = h(
          "button",
          {
            type: "button",
            class: signedUp ? "secondary" : "",
            "aria-describedby": titleId,
            onclick: () => toggle(s, !signedUp),
          },
          signedUp ? t("me.leave") : t("me.sign_up"),
        );
      }
      const state = !s.signup_required
        ? t("me.open_to_all")
        : [signedUp ? t("me.signed_up") : null, s.capacity !== null ? t("me.seats", { count: s.signup_count, capacity: s.capacity }) : null]
            .filter(Boolean)
            .join(" · ");
      return h(
        "li",
        {},
        h("span", { class: "time" }, `${formatTime(s.starts_at, tz)}–${formatTime(s.ends_at, tz)}`),
        " ",
        h("span", { id: titleId }, s.title),
        h("div", { class: "muted" }, state),
        control ? h("div", { class: "actions" }, control) : null,
      );
    }),
  );
}

async function toggle(session, signUp) {
  showAlert($("action-message"), "");
  try {
    await api(`/delegate/registration/sessions/${session.id}`, { method: signUp ? "PUT" : "DELETE", headers });
    [sessions, mine] = await Promise.all([
      api(`/conferences/${registration.conference_id}/sessions?limit=500`).then((p) => p.items),
      api("/delegate/registration/sessions", { headers }).then((ids) => new Set(ids)),
    ]);
    renderSessions();
    showAlert($("action-message"), t(signUp ? "me.signed_up_done" : "me.left_done", { title: session.title }), "ok");
  } catch (error) {
    showAlert($("action-message"), errorMessage(error));
  }
}

async function cancel() {
  try {
    registration = await api("/delegate/registration/cancel", { method: "POST", headers });
    $("cancel-confirm").hidden = true;
    render();
    showAlert($("action-message"), t("me.cancelled_done"), "ok");
  } catch (error) {
    showAlert($("action-message"), errorMessage(error));
  }
}
