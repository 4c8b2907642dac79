// Check-in devices: register one (its token and pairing QR code are shown once, for the phone
// at the door to scan), see when each was last seen and how many scans it made, revoke one.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage, showFieldErrors, clearFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";
import { ensureStyles, field, num, table, when } from "./day-common.js";

addMessages({
  vi: {
    "devices.heading": "Thiết bị điểm danh",
    "devices.new": "Thêm thiết bị",
    "devices.name": "Tên thiết bị",
    "devices.name_hint": "Ví dụ: Cửa chính 1",
    "devices.gate": "Cửa (không bắt buộc)",
    "devices.sessions": "Phiên điểm danh (bỏ trống: cửa hội trường và mọi phiên)",
    "devices.create": "Thêm thiết bị",
    "devices.created": "Đã thêm “{name}”. Dùng ứng dụng điểm danh (/app/checkin/) trên điện thoại ở cửa quét mã ghép nối dưới đây, hoặc dán mã thiết bị.",
    "devices.once": "Mã này chỉ hiện một lần: ghép nối ngay hoặc lưu lại ở nơi an toàn.",
    "devices.token": "Mã thiết bị",
    "devices.copy": "Sao chép mã",
    "devices.copied": "Đã sao chép.",
    "devices.qr_alt": "Mã QR ghép nối thiết bị {name}",
    "devices.caption": "Các thiết bị của hội nghị",
    "devices.col_name": "Tên",
    "devices.col_gate": "Cửa",
    "devices.col_sessions": "Phiên",
    "devices.col_last_seen": "Hoạt động gần nhất",
    "devices.col_scans": "Lượt quét",
    "devices.col_state": "Tình trạng",
    "devices.col_actions": "Thao tác",
    "devices.all_sessions": "Cửa và mọi phiên",
    "devices.active": "Đang dùng",
    "devices.revoked": "Đã thu hồi {at}",
    "devices.never": "Chưa kết nối",
    "devices.revoke": "Thu hồi",
    "devices.revoke_label": "Thu hồi {name}",
    "devices.confirm_revoke": "Thu hồi thiết bị “{name}”? Thiết bị sẽ không điểm danh được nữa.",
    "devices.revoked_ok": "Đã thu hồi “{name}”.",
    "devices.empty": "Chưa có thiết bị nào.",
    "devices.refresh": "Cập nhật",
  },
  en: {
    "devices.heading": "Check-in devices",
    "devices.new": "Add a device",
    "devices.name": "Device name",
    "devices.name_hint": "For example: Main door 1",
    "devices.gate": "Gate (optional)",
    "devices.sessions": "Sessions it checks in (none: the door and every session)",
    "devices.create": "Add the device",
    "devices.created": "“{name}” added. Open the check-in app (/app/checkin/) on the phone at the door and scan the pairing code below, or paste the device token.",
    "devices.once": "The token is shown only once: pair now or keep it somewhere safe.",
    "devices.token": "Device token",
    "devices.copy": "Copy the token",
    "devices.copied": "Copied.",
    "devices.qr_alt": "Pairing QR code of device {name}",
    "devices.caption": "The conference's devices",
    "devices.col_name": "Name",
    "devices.col_gate": "Gate",
    "devices.col_sessions": "Sessions",
    "devices.col_last_seen": "Last seen",
    "devices.col_scans": "Scans",
    "devices.col_state": "State",
    "devices.col_actions": "Actions",
    "devices.all_sessions": "Door and every session",
    "devices.active": "In use",
    "devices.revoked": "Revoked {at}",
    "devices.never": "Never connected",
    "devices.revoke": "Revoke",
    "devices.revoke_label": "Revoke {name}",
    "devices.confirm_revoke": "Revoke the device “{name}”? It will no longer check anyone in.",
    "devices.revoked_ok": "“{name}” revoked.",
    "devices.empty": "No devices yet.",
    "devices.refresh": "Refresh",
  },
});

export async function render(container, params, ctx) {
  ensureStyles();
  const conferenceId = params.id;
  const tz = ctx.conference.time_zone;
  const sessions = await session.call(`/conferences/${conferenceId}/sessions?limit=500`).catch(() => ({ items: [] }));
  const sessionList = Array.isArray(sessions) ? sessions : sessions.items || [];
  const titles = new Map(sessionList.map((s) => [s.id, s.title]));
  const urls = [];

  const alert = h("div", { id: "devices-alert", role: "alert", class: "alert", hidden: true });
  const created = h("section", { id: "device-created", "aria-live": "polite" });
  const list = h("div", { id: "devices-list" });

  const name = h("input", { type: "text", id: "device-name", name: "name", maxlength: 200, required: true, placeholder: t("devices.name_hint") });
  const gate = h("input", { type: "text", id: "device-gate", name: "gate", maxlength: 100 });
  const sessionBoxes = sessionList.map((s) =>
    h("div", { class: "check" }, h("input", { type: "checkbox", id: `device-session-${s.id}`, value: s.id, name: "session_ids" }), h("label", { for: `device-session-${s.id}` }, s.title)),
  );
  const form = h(
    "form",
    { class: "panel", novalidate: true, id: "device-form" },
    h("h2", {}, t("devices.new")),
    h("div", { class: "grid2" }, field(t("devices.name"), name), field(t("devices.gate"), gate)),
    sessionList.length ? h("fieldset", { "data-field": "session_ids" }, h("legend", {}, t("devices.sessions")), sessionBoxes) : null,
    h("button", { type: "submit", class: "primary" }, t("devices.create")),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    alert.hidden = true;
    const body = {
      name: name.value.trim(),
      gate: gate.value.trim() || null,
      session_ids: sessionBoxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value),
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const made = await session.call(`/conferences/${conferenceId}/devices`, { body });
      await showCreated(made);
      form.reset();
      await refresh();
    } catch (error) {
      const rest = showFieldErrors(form, error.fields);
      if (!error.fields || Object.keys(rest).length || !Object.keys(error.fields).length) showAlert(alert, errorMessage(error));
    } finally {
      button.disabled = false;
    }
  });

  async function showCreated(made) {
    const tokenInput = h("input", { type: "text", id: "device-token", readonly: true, value: made.token, class: "mono" });
    const copy = h("button", { type: "button", class: "secondary", id: "device-token-copy" }, t("devices.copy"));
    const copied = h("span", { role: "status", class: "muted" });
    copy.addEventListener("click", async () => {
      tokenInput.select();
      try {
        await navigator.clipboard.writeText(made.token);
      } catch {
        document.execCommand("copy");
      }
      copied.textContent = t("devices.copied");
    });
    const img = h("img", { id: "device-qr", class: "qr large", alt: t("devices.qr_alt", { name: made.device.name }) });
    replace(
      created,
      h(
        "div",
        { class: "panel" },
        h("p", { class: "alert ok" }, t("devices.created", { name: made.device.name })),
        h("p", { class: "alert warn" }, t("devices.once")),
        h("div", { class: "pairing" }, img, h("div", {}, field(t("devices.token"), tokenInput), h("p", {}, copy, " ", copied))),
      ),
    );
    const response = await session.fetchWithToken(`/conferences/${conferenceId}/devices/${made.device.id}/pairing-qr`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: made.token }),
    });
    const url = URL.createObjectURL(await response.blob());
    urls.push(url);
    img.src = url;
  }

  async function refresh() {
    let devices;
    try {
      devices = await session.call(`/conferences/${conferenceId}/devices`);
    } catch (error) {
      showAlert(alert, errorMessage(error));
      return;
    }
    if (devices.length === 0) return replace(list, h("p", { class: "muted" }, t("devices.empty")));
    const rows = devices.map((d) => {
      const revoke = d.revoked_at
        ? ""
        : h("button", { type: "button", class: "danger small", "aria-label": t("devices.revoke_label", { name: d.name }) }, t("devices.revoke"));
      if (revoke)
        revoke.addEventListener("click", async () => {
          if (!confirm(t("devices.confirm_revoke", { name: d.name }))) return;
          try {
            await session.call(`/conferences/${conferenceId}/devices/${d.id}/revoke`, { method: "POST" });
            showAlert(alert, t("devices.revoked_ok", { name: d.name }), "ok");
            await refresh();
          } catch (error) {
            showAlert(alert, errorMessage(error));
          }
        });
      return h(
        "tr",
        { dataset: { id: d.id } },
        h("th", { scope: "row" }, d.name),
        h("td", {}, d.gate || ""),
        h("td", {}, d.session_ids.length ? d.session_ids.map((id) => titles.get(id) || id).join(", ") : t("devices.all_sessions")),
        h("td", {}, d.last_seen_at ? when(d.last_seen_at, tz) : t("devices.never")),
        h("td", { class: "num" }, num(d.scan_count)),
        h("td", {}, d.revoked_at ? h("span", { class: "status cancelled" }, t("devices.revoked", { at: when(d.revoked_at, tz) })) : h("span", { class: "status confirmed" }, t("devices.active"))),
        h("td", {}, revoke),
      );
    });
    const headings = ["col_name", "col_gate", "col_sessions", "col_last_seen", "col_scans", "col_state", "col_actions"].map((k) =>
      h("th", { scope: "col", class: k === "col_scans" ? "num" : null }, t(`devices.${k}`)),
    );
    replace(list, table(t("devices.caption"), headings, rows, { id: "devices-table" }));
  }

  const refreshButton = h("button", { type: "button", class: "secondary", id: "devices-refresh" }, t("devices.refresh"));
  refreshButton.addEventListener("click", refresh);
  container.append(
    h("div", { class: "head-row" }, h("h2", {}, t("devices.heading")), refreshButton),
    alert,
    list,
    created,
    form,
  );
  await refresh();
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
