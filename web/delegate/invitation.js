// The unit's invitation page (`/invitation#token=…`, the link of the invitation email): the
// unit's seats, its delegates, registering several people at once, editing one, substituting one.

import { api, newIdempotencyKey, tokenFromFragment } from "/app/shared/api.js";
import { clearFieldErrors, errorMessage, showFieldErrors } from "/app/shared/errors.js";
import { addMessages, formatDateTime, formatTime, languageSwitch, onLangChange, t, translatePage } from "/app/shared/i18n.js";
import { categoryLabel, fillCategories, statusLabel } from "/app/shared/labels.js";
import { personFieldset, personFromForm } from "/app/shared/person.js";
import { delegateLink } from "/app/shared/qr.js";
import { h, replace, showAlert } from "/app/shared/dom.js";
import "./common.js";

addMessages({
  vi: {
    "inv.page_title": "Giấy mời của đơn vị",
    "inv.invited": "Giấy mời tham dự",
    "inv.seats": "Đã đăng ký {registered}/{seats} chỗ (đã xác nhận {confirmed}).",
    "inv.expires": "Hạn đăng ký: {when}.",
    "inv.revoked": "Giấy mời đã bị thu hồi.",
    "inv.delegates": "Đại biểu của đơn vị",
    "inv.none_yet": "Chưa có đại biểu nào.",
    "inv.add_title": "Đăng ký đại biểu",
    "inv.add_hint": "Các ô có dấu * là bắt buộc. Mỗi người cần ít nhất email hoặc số điện thoại.",
    "inv.person": "Người thứ {n}",
    "inv.add_person": "Thêm người",
    "inv.remove_person": "Bỏ người này",
    "inv.submit": "Đăng ký",
    "inv.full": "Đơn vị đã dùng hết số chỗ được mời.",
    "inv.registered_done": "Đã đăng ký {count} người.",
    "inv.links_title": "Đường liên kết riêng của từng đại biểu",
    "inv.links_explain": "Gửi cho mỗi người đường liên kết của họ: ở đó có mã QR để điểm danh.",
    "inv.edit": "Sửa",
    "inv.substitute": "Cử người khác",
    "inv.cancel": "Hủy",
    "inv.edit_title": "Sửa thông tin: {name}",
    "inv.substitute_title": "Cử người thay cho {name}",
    "inv.substitute_hint": "Người mới nhận chỗ, mã QR và đường liên kết mới; mã QR cũ không còn dùng được.",
    "inv.save": "Lưu",
    "inv.close": "Đóng",
    "inv.saved": "Đã lưu thông tin của {name}.",
    "inv.substituted": "{name} sẽ tham dự thay.",
    "inv.cancel_question": "Hủy đăng ký của {name}?",
    "inv.cancel_yes": "Có, hủy",
    "inv.keep": "Không, giữ lại",
    "inv.cancelled": "Đã hủy đăng ký của {name}.",
    "inv.no_token": "Đường liên kết thiếu mã. Hãy mở đúng đường liên kết trong giấy mời.",
    "inv.contact": "Liên hệ",
  },
  en: {
    "inv.page_title": "The unit's invitation",
    "inv.invited": "Invitation",
    "inv.seats": "{registered} of {seats} seats registered ({confirmed} confirmed).",
    "inv.expires": "Register by {when}.",
    "inv.revoked": "The invitation was revoked.",
    "inv.delegates": "The unit's delegates",
    "inv.none_yet": "No delegate yet.",
    "inv.add_title": "Register delegates",
    "inv.add_hint": "Fields marked * are required. Each person needs an email or a phone number.",
    "inv.person": "Person {n}",
    "inv.add_person": "Add a person",
    "inv.remove_person": "Remove this person",
    "inv.submit": "Register",
    "inv.full": "The unit has used all its invited seats.",
    "inv.registered_done": "{count} people registered.",
    "inv.links_title": "Each delegate's private link",
    "inv.links_explain": "Send each person their link: it holds their check-in QR code.",
    "inv.edit": "Edit",
    "inv.substitute": "Send someone else",
    "inv.cancel": "Cancel",
    "inv.edit_title": "Edit: {name}",
    "inv.substitute_title": "Someone instead of {name}",
    "inv.substitute_hint": "The new person gets the seat, a new QR code and link; the old QR code stops working.",
    "inv.save": "Save",
    "inv.close": "Close",
    "inv.saved": "{name}'s details were saved.",
    "inv.substituted": "{name} will attend instead.",
    "inv.cancel_question": "Cancel {name}'s registration?",
    "inv.cancel_yes": "Yes, cancel",
    "inv.keep": "No, keep it",
    "inv.cancelled": "{name}'s registration was cancelled.",
    "inv.no_token": "The link has no token. Open the exact link of the invitation.",
    "inv.contact": "Contact",
  },
});

const $ = (id) => document.getElementById(id);
const token = tokenFromFragment();
const headers = { "X-Invitation-Token": token };
const LIVE = ["confirmed", "waitlisted", "pending_approval"];
let view = null;
let delegates = [];
let people = 0;
let idempotencyKey = newIdempotencyKey();
const links = [];

translatePage();
languageSwitch($("lang-switch"));
onLangChange(() => {
  render();
  for (const select of document.querySelectorAll("select")) fillCategories(select);
});
$("add-person").addEventListener("click", () => addPerson());
$("add-form").addEventListener("submit", register);
$("add-form").addEventListener("input", () => {
  idempotencyKey = newIdempotencyKey();
});
load();

async function load() {
  if (!token) {
    $("loading").hidden = true;
    showAlert($("load-error"), t("inv.no_token"));
    return;
  }
  try {
    await refresh();
    $("loading").hidden = true;
    $("invitation").hidden = false;
    addPerson();
  } catch (error) {
    $("loading").hidden = true;
    showAlert($("load-error"), errorMessage(error));
  }
}

async function refresh() {
  [view, delegates] = await Promise.all([api("/invitation", { headers }), api("/invitation/registrations", { headers })]);
  render();
}

function seatsLeft() {
  return view.invitation.seats - view.invitation.registered;
}

function render() {
  if (!view) return;
  const inv = view.invitation;
  document.title = `${inv.unit_name} – ${t("inv.page_title")}`;
  $("unit-name").textContent = inv.unit_name;
  $("conf-title").textContent = view.conference_title;
  $("conf-when").textContent = `${formatDateTime(view.conference_starts_at)} – ${formatTime(view.conference_ends_at)}`;
  $("conf-where").textContent = view.venue_name || "";
  $("seats").textContent = t("inv.seats", inv);
  $("expires").textContent = inv.revoked_at
    ? t("inv.revoked")
    : inv.expires_at
      ? t("inv.expires", { when: formatDateTime(inv.expires_at) })
      : "";
  $("no-delegates").hidden = delegates.length > 0;
  replace($("delegates"), delegates.map(delegateItem));
  const full = seatsLeft() <= 0;
  $("add-section").hidden = Boolean(inv.revoked_at);
  $("add-person").disabled = people >= seatsLeft();
  $("add-submit").disabled = full;
  if (full) showAlert($("add-error"), t("inv.full"), "warn");
}

function delegateItem(r) {
  const live = LIVE.includes(r.status);
  const nameId = `name-${r.id}`;
  return h(
    "li",
    {},
    h("strong", { id: nameId }, r.full_name),
    " ",
    h("span", { class: `status ${r.status}` }, statusLabel(r.status)),
    h("div", { class: "muted" }, [r.position, categoryLabel(r.category), r.reference].filter(Boolean).join(" · ")),
    h("div", { class: "muted" }, [r.email, r.phone].filter(Boolean).join(" · ")),
    live
      ? h(
          "div",
          { class: "actions" },
          h("button", { type: "button", class: "secondary", "aria-describedby": nameId, onclick: () => openEdit(r, "edit") }, t("inv.edit")),
          h("button", { type: "button", class: "secondary", "aria-describedby": nameId, onclick: () => openEdit(r, "substitute") }, t("inv.substitute")),
          h("button", { type: "button", class: "danger", "aria-describedby": nameId, onclick: (e) => askCancel(r, e.target) }, t("inv.cancel")),
        )
      : null,
  );
}

function addPerson() {
  people += 1;
  const index = people - 1;
  const fieldset = personFieldset({
    prefix: `delegates[${index}].`,
    legend: t("inv.person", { n: people }),
    h,
    fillCategories,
    t,
  });
  $("people").append(fieldset);
  $("add-person").disabled = people >= seatsLeft();
  if (index > 0) fieldset.querySelector("input").focus();
}

async function register(event) {
  event.preventDefault();
  const form = $("add-form");
  clearFieldErrors(form);
  showAlert($("add-error"), "");
  const body = { delegates: [...Array(people).keys()].map((i) => personFromForm(form, `delegates[${i}].`)) };
  $("add-submit").disabled = true;
  try {
    const created = await api("/invitation/registrations", { body, headers, idempotencyKey });
    idempotencyKey = newIdempotencyKey();
    for (const c of created) links.push({ name: c.registration.full_name, link: delegateLink(c.delegate_token) });
    renderLinks();
    people = 0;
    $("people").replaceChildren();
    await refresh();
    if (seatsLeft() > 0) addPerson();
    showAlert($("action-message"), t("inv.registered_done", { count: created.length }), "ok");
    $("action-message").scrollIntoView({ block: "center" });
  } catch (error) {
    showFieldErrors(form, error.fields);
    showAlert($("add-error"), errorMessage(error));
  } finally {
    $("add-submit").disabled = seatsLeft() <= 0;
  }
}

function renderLinks() {
  $("links-section").hidden = links.length === 0;
  replace(
    $("links"),
    links.map((l) => h("li", {}, h("strong", {}, l.name), h("p", { class: "link-box" }, l.link))),
  );
}

/** The edit or substitute form for one registration, in the edit section. */
function openEdit(registration, mode) {
  const section = $("edit-section");
  const form = $("edit-form");
  const values = mode === "edit" ? registration : { category: registration.category };
  $("edit-title").textContent = t(mode === "edit" ? "inv.edit_title" : "inv.substitute_title", { name: registration.full_name });
  const error = h("div", { role: "alert", hidden: true });
  replace(
    form,
    mode === "substitute" ? h("p", { class: "hint" }, t("inv.substitute_hint")) : null,
    personFieldset({ values, h, fillCategories, t }),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, t("inv.save")),
      h("button", { type: "button", class: "secondary", onclick: closeEdit }, t("inv.close")),
    ),
  );
  form.onsubmit = async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    showAlert(error, "");
    const person = personFromForm(form);
    try {
      if (mode === "edit") {
        // A cleared optional field is sent as null, so it is removed rather than kept.
        const patch = { ...person };
        for (const name of ["position", "email", "phone"]) if (!(name in patch)) patch[name] = null;
        await api(`/invitation/registrations/${registration.id}`, { method: "PATCH", body: patch, headers });
        showAlert($("action-message"), t("inv.saved", { name: person.full_name }), "ok");
      } else {
        const created = await api(`/invitation/registrations/${registration.id}/substitute`, { body: person, headers });
        links.push({ name: created.registration.full_name, link: delegateLink(created.delegate_token) });
        renderLinks();
        showAlert($("action-message"), t("inv.substituted", { name: person.full_name }), "ok");
      }
      closeEdit();
      await refresh();
    } catch (e) {
      showFieldErrors(form, e.fields);
      showAlert(error, errorMessage(e));
    }
  };
  section.hidden = false;
  form.querySelector("input").focus();
}

function closeEdit() {
  $("edit-section").hidden = true;
  $("edit-form").replaceChildren();
}

function askCancel(registration, button) {
  const box = h(
    "div",
    { class: "panel", role: "group" },
    h("p", {}, h("strong", {}, t("inv.cancel_question", { name: registration.full_name }))),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "danger",
          onclick: async () => {
            try {
              await api(`/invitation/registrations/${registration.id}/cancel`, { method: "POST", headers });
              showAlert($("action-message"), t("inv.cancelled", { name: registration.full_name }), "ok");
              await refresh();
            } catch (e) {
              showAlert($("action-message"), errorMessage(e));
            }
          },
        },
        t("inv.cancel_yes"),
      ),
      h("button", { type: "button", class: "secondary", onclick: () => { box.remove(); button.focus(); } }, t("inv.keep")),
    ),
  );
  button.closest("li").append(box);
  box.querySelector("button").focus();
}
