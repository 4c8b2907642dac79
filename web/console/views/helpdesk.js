// The help desk: a delegate without a QR code is found by name (`checkin-search`) and checked
// in by registration id; someone who comes instead of an invited delegate takes the seat
// (`walk-ins`). Those are check-in device operations, so the desk works as a device of the
// conference: the organizer adds one here (or pastes a device token) and this tab keeps its
// token for the session.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { api, newIdempotencyKey } from "../../shared/api.js";
import { clearFieldErrors, errorMessage, showFieldErrors } from "../../shared/errors.js";
import { categoryLabel, fillCategories } from "../../shared/labels.js";
import * as session from "../session.js";
import { ensureStyles, field, label, table, when } from "./day-common.js";

addMessages({
  vi: {
    "helpdesk.heading": "Bàn hỗ trợ",
    "helpdesk.device_intro": "Bàn hỗ trợ điểm danh như một thiết bị của hội nghị. Thêm một thiết bị cho bàn này, hoặc dán mã của một thiết bị đã có.",
    "helpdesk.create_device": "Thêm thiết bị “Bàn hỗ trợ”",
    "helpdesk.device_name": "Bàn hỗ trợ",
    "helpdesk.token": "Mã thiết bị",
    "helpdesk.use_token": "Dùng mã này",
    "helpdesk.bad_token": "Mã không đúng, hoặc thiết bị đã bị thu hồi.",
    "helpdesk.as_device": "Đang làm việc với thiết bị “{name}”.",
    "helpdesk.forget": "Đổi thiết bị",
    "helpdesk.search": "Tìm đại biểu theo tên",
    "helpdesk.search_hint": "Không cần dấu, theo thứ tự bất kỳ; cũng tìm theo đơn vị, mã đăng ký, số điện thoại.",
    "helpdesk.results": "Kết quả tìm kiếm",
    "helpdesk.no_results": "Không tìm thấy ai.",
    "helpdesk.col_name": "Họ và tên",
    "helpdesk.col_position": "Chức vụ",
    "helpdesk.col_unit": "Đơn vị",
    "helpdesk.col_category": "Thành phần",
    "helpdesk.col_actions": "Thao tác",
    "helpdesk.check_in": "Điểm danh",
    "helpdesk.check_in_label": "Điểm danh {name}",
    "helpdesk.walk_in": "Người khác đến thay",
    "helpdesk.walk_in_label": "Người khác đến thay {name}",
    "helpdesk.by_id": "Điểm danh theo mã đăng ký (ID)",
    "helpdesk.registration_id": "ID đăng ký",
    "helpdesk.check_in_id": "Điểm danh",
    "helpdesk.outcome_ok": "Đã điểm danh: {name}.",
    "helpdesk.outcome_already": "{name} đã điểm danh lúc {at}.",
    "helpdesk.outcome_other": "Không điểm danh được: {outcome}.",
    "helpdesk.walk_in_heading": "Người đến thay cho {name}",
    "helpdesk.full_name": "Họ và tên người đến thay",
    "helpdesk.position": "Chức vụ",
    "helpdesk.category": "Thành phần",
    "helpdesk.phone": "Điện thoại",
    "helpdesk.email": "Email",
    "helpdesk.walk_in_submit": "Ghi nhận thay người",
    "helpdesk.walk_in_cancel": "Thôi",
    "helpdesk.walk_in_done": "{name} đã thay cho {previous}. Mã đăng ký mới: {reference}.",
    "helpdesk.invalid_id": "ID đăng ký không hợp lệ.",
  },
  en: {
    "helpdesk.heading": "Help desk",
    "helpdesk.device_intro": "The help desk checks people in as a device of the conference. Add a device for this desk, or paste the token of an existing one.",
    "helpdesk.create_device": "Add a “Help desk” device",
    "helpdesk.device_name": "Help desk",
    "helpdesk.token": "Device token",
    "helpdesk.use_token": "Use this token",
    "helpdesk.bad_token": "Wrong token, or the device was revoked.",
    "helpdesk.as_device": "Working as the device “{name}”.",
    "helpdesk.forget": "Change device",
    "helpdesk.search": "Find a delegate by name",
    "helpdesk.search_hint": "Accents optional, any order; also by unit, reference, phone.",
    "helpdesk.results": "Search results",
    "helpdesk.no_results": "Nobody found.",
    "helpdesk.col_name": "Full name",
    "helpdesk.col_position": "Position",
    "helpdesk.col_unit": "Unit",
    "helpdesk.col_category": "Category",
    "helpdesk.col_actions": "Actions",
    "helpdesk.check_in": "Check in",
    "helpdesk.check_in_label": "Check in {name}",
    "helpdesk.walk_in": "Someone else came instead",
    "helpdesk.walk_in_label": "Someone else came instead of {name}",
    "helpdesk.by_id": "Check in by registration id",
    "helpdesk.registration_id": "Registration id",
    "helpdesk.check_in_id": "Check in",
    "helpdesk.outcome_ok": "Checked in: {name}.",
    "helpdesk.outcome_already": "{name} was already checked in at {at}.",
    "helpdesk.outcome_other": "Not checked in: {outcome}.",
    "helpdesk.walk_in_heading": "Who came instead of {name}",
    "helpdesk.full_name": "Full name of the person who came",
    "helpdesk.position": "Position",
    "helpdesk.category": "Category",
    "helpdesk.phone": "Phone",
    "helpdesk.email": "Email",
    "helpdesk.walk_in_submit": "Record the substitution",
    "helpdesk.walk_in_cancel": "Never mind",
    "helpdesk.walk_in_done": "{name} took the place of {previous}. New reference: {reference}.",
    "helpdesk.invalid_id": "Not a valid registration id.",
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const storeKey = (conferenceId) => `hoithao.console.helpdesk.${conferenceId}`;

function stored(conferenceId) {
  try {
    return JSON.parse(sessionStorage.getItem(storeKey(conferenceId)) || "null");
  } catch {
    return null;
  }
}

function store(conferenceId, value) {
  try {
    if (value) sessionStorage.setItem(storeKey(conferenceId), JSON.stringify(value));
    else sessionStorage.removeItem(storeKey(conferenceId));
  } catch {
    // Not kept: the desk asks again next time.
  }
}

export async function render(container, params, ctx) {
  ensureStyles();
  const conferenceId = params.id;
  const tz = ctx.conference.time_zone;
  container.append(h("h2", {}, t("helpdesk.heading")));
  const body = h("div", { id: "helpdesk" });
  container.append(body);
  let typing = null;

  /** A call as the desk's device. */
  const asDevice = (desk, path, options = {}) =>
    api(`/conferences/${conferenceId}${path}`, { ...options, headers: { Authorization: `Bearer ${desk.token}` } });

  async function verify(token) {
    const profile = await api("/device", { headers: { Authorization: `Bearer ${token}` } });
    if (profile.conference && profile.conference.id !== conferenceId) throw new Error("another conference's device");
    return { token, name: profile.device?.name || t("helpdesk.device_name") };
  }

  function drawSetup(message) {
    const alert = h("div", { id: "helpdesk-setup-alert", role: "alert", class: "alert", hidden: true });
    const create = h("button", { type: "button", id: "helpdesk-create" }, t("helpdesk.create_device"));
    const token = h("input", { type: "text", id: "helpdesk-token", name: "token", autocomplete: "off" });
    const form = h("form", { class: "toolbar", novalidate: true }, field(t("helpdesk.token"), token), h("button", { type: "submit", class: "secondary" }, t("helpdesk.use_token")));
    create.addEventListener("click", async () => {
      create.disabled = true;
      try {
        const made = await session.call(`/conferences/${conferenceId}/devices`, { body: { name: t("helpdesk.device_name") } });
        const desk = { token: made.token, name: made.device.name };
        store(conferenceId, desk);
        drawDesk(desk);
      } catch (error) {
        showAlert(alert, errorMessage(error));
        create.disabled = false;
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const desk = await verify(token.value.trim());
        store(conferenceId, desk);
        drawDesk(desk);
      } catch {
        showAlert(alert, t("helpdesk.bad_token"));
      }
    });
    replace(body, h("div", { class: "panel" }, h("p", {}, t("helpdesk.device_intro")), message ? h("p", { class: "alert warn" }, message) : null, alert, h("p", {}, create), form));
  }

  function drawDesk(desk) {
    const alert = h("div", { id: "helpdesk-alert", role: "status", class: "alert", hidden: true });
    const forget = h("button", { type: "button", class: "secondary small", id: "helpdesk-forget" }, t("helpdesk.forget"));
    forget.addEventListener("click", () => {
      store(conferenceId, null);
      drawSetup();
    });
    const q = h("input", { type: "search", id: "helpdesk-q", name: "q", autocomplete: "off", "aria-describedby": "helpdesk-q-hint" });
    const results = h("div", { id: "helpdesk-results", "aria-live": "polite" });
    const walkIn = h("div", { id: "helpdesk-walk-in" });
    const idInput = h("input", { type: "text", id: "helpdesk-id", name: "registration_id", autocomplete: "off" });
    const idForm = h("form", { class: "toolbar", novalidate: true }, field(t("helpdesk.registration_id"), idInput), h("button", { type: "submit" }, t("helpdesk.check_in_id")));

    const failed = (error) => {
      if (error.status === 401) {
        store(conferenceId, null);
        drawSetup(t("helpdesk.bad_token"));
        return;
      }
      showAlert(alert, errorMessage(error), "error");
    };

    async function checkIn(registrationId, name) {
      try {
        const result = await asDevice(desk, "/checkins", {
          body: { registration_id: registrationId, direction: "in", nonce: newIdempotencyKey(), occurred_at: new Date().toISOString() },
        });
        const who = result.delegate?.full_name || name || registrationId;
        if (result.outcome === "ok") showAlert(alert, t("helpdesk.outcome_ok", { name: who }), "ok");
        else if (result.outcome === "already_checked_in") showAlert(alert, t("helpdesk.outcome_already", { name: who, at: when(result.first_checked_in_at, tz) }), "warn");
        else showAlert(alert, t("helpdesk.outcome_other", { outcome: label("outcome", result.outcome) }), "error");
      } catch (error) {
        failed(error);
      }
    }

    function openWalkIn(card) {
      const inputs = {
        full_name: h("input", { type: "text", id: "walkin-full-name", name: "person.full_name", maxlength: 200, required: true }),
        position: h("input", { type: "text", id: "walkin-position", name: "person.position", maxlength: 200 }),
        category: h("select", { id: "walkin-category", name: "person.category" }),
        phone: h("input", { type: "tel", id: "walkin-phone", name: "person.phone", maxlength: 32 }),
        email: h("input", { type: "email", id: "walkin-email", name: "person.email", maxlength: 254 }),
      };
      fillCategories(inputs.category, card.category);
      const error = h("p", { role: "alert", class: "alert", hidden: true });
      const cancel = h("button", { type: "button", class: "secondary" }, t("helpdesk.walk_in_cancel"));
      cancel.addEventListener("click", () => replace(walkIn));
      const form = h(
        "form",
        { class: "panel", novalidate: true, id: "walkin-form" },
        h("h3", {}, t("helpdesk.walk_in_heading", { name: card.full_name })),
        error,
        h(
          "div",
          { class: "grid2" },
          field(t("helpdesk.full_name"), inputs.full_name),
          field(t("helpdesk.position"), inputs.position),
          field(t("helpdesk.category"), inputs.category),
          field(t("helpdesk.phone"), inputs.phone),
          field(t("helpdesk.email"), inputs.email),
        ),
        h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("helpdesk.walk_in_submit")), cancel),
      );
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        const text = (input) => input.value.trim() || null;
        try {
          const made = await asDevice(desk, "/walk-ins", {
            body: {
              replaces_registration_id: card.registration_id,
              person: {
                full_name: inputs.full_name.value.trim(),
                position: text(inputs.position),
                category: inputs.category.value,
                phone: text(inputs.phone),
                email: text(inputs.email),
              },
            },
          });
          replace(walkIn);
          showAlert(alert, t("helpdesk.walk_in_done", { name: made.registration.full_name, previous: card.full_name, reference: made.registration.reference }), "ok");
          search();
        } catch (e) {
          if (e.status === 401) return failed(e);
          const rest = showFieldErrors(form, e.fields, "person.");
          const matched = Object.keys(e.fields || {}).length - Object.keys(rest).length;
          showAlert(error, matched > 0 && Object.keys(rest).length === 0 ? t("error.validation_failed") : errorMessage(e));
        }
      });
      replace(walkIn, form);
      inputs.full_name.focus();
    }

    async function search() {
      const text = q.value.trim();
      if (!text) return replace(results);
      let cards;
      try {
        cards = await asDevice(desk, `/checkin-search?q=${encodeURIComponent(text)}`);
      } catch (error) {
        return failed(error);
      }
      if (q.value.trim() !== text) return;
      if (!cards.length) return replace(results, h("p", { class: "muted" }, t("helpdesk.no_results")));
      replace(
        results,
        table(
          { text: t("helpdesk.results"), hidden: true },
          ["col_name", "col_position", "col_unit", "col_category", "col_actions"].map((k) => t(`helpdesk.${k}`)),
          cards.map((card) => {
            const go = h("button", { type: "button", class: "small", "aria-label": t("helpdesk.check_in_label", { name: card.full_name }) }, t("helpdesk.check_in"));
            go.addEventListener("click", () => checkIn(card.registration_id, card.full_name));
            const sub = h("button", { type: "button", class: "secondary small", "aria-label": t("helpdesk.walk_in_label", { name: card.full_name }) }, t("helpdesk.walk_in"));
            sub.addEventListener("click", () => openWalkIn(card));
            return h(
              "tr",
              { dataset: { id: card.registration_id } },
              h("th", { scope: "row" }, card.full_name),
              h("td", {}, card.position || ""),
              h("td", {}, card.unit_name || card.organization || ""),
              h("td", {}, categoryLabel(card.category)),
              h("td", {}, go, " ", sub),
            );
          }),
          { id: "helpdesk-table" },
        ),
      );
    }

    q.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(search, 150);
    });
    idForm.addEventListener("submit", (event) => {
      event.preventDefault();
      clearFieldErrors(idForm);
      const value = idInput.value.trim();
      if (!UUID.test(value)) return showFieldErrors(idForm, { registration_id: { code: "invalid_format" } });
      checkIn(value, null);
    });

    replace(
      body,
      h("p", { class: "muted" }, t("helpdesk.as_device", { name: desk.name }), " ", forget),
      alert,
      h(
        "form",
        { role: "search", class: "toolbar", novalidate: true, onsubmit: (e) => (e.preventDefault(), search()) },
        h("div", { class: "field grow" }, h("label", { for: "helpdesk-q" }, t("helpdesk.search")), q, h("p", { id: "helpdesk-q-hint", class: "hint" }, t("helpdesk.search_hint"))),
      ),
      results,
      walkIn,
      h("section", { class: "panel" }, h("h3", {}, t("helpdesk.by_id")), idForm),
    );
    q.focus();
  }

  const desk = stored(conferenceId);
  if (desk) drawDesk(desk);
  else drawSetup();
  return () => clearTimeout(typing);
}
