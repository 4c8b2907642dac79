// The live dashboard of the day: the check-in event stream (read with fetch, since EventSource
// cannot send the Authorization header; reconnecting with backoff) drives the last scans and a
// refresh of the attendance numbers: arrived, by unit kind, by district, per session.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace } from "../../shared/dom.js";
import { categoryLabel } from "../../shared/labels.js";
import * as session from "../session.js";
import { ensureStyles, label, num, table, when } from "./day-common.js";

addMessages({
  vi: {
    "dashboard.heading": "Điều hành trực tiếp",
    "dashboard.live": "Đang nhận lượt quét trực tiếp.",
    "dashboard.connecting": "Đang kết nối…",
    "dashboard.reconnecting": "Mất kết nối, thử lại sau {s} giây…",
    "dashboard.confirmed": "Đại biểu đã xác nhận",
    "dashboard.arrived": "Đã đến",
    "dashboard.inside_now": "Đang có mặt (cửa chính, hôm nay)",
    "dashboard.rate": "Tỷ lệ có mặt",
    "dashboard.not_yet": "Chưa đến",
    "dashboard.by_kind": "Theo loại đơn vị",
    "dashboard.by_district": "Theo huyện, thành phố",
    "dashboard.by_category": "Theo thành phần",
    "dashboard.sessions": "Theo phiên",
    "dashboard.col_group": "Nhóm",
    "dashboard.col_district": "Huyện, thành phố",
    "dashboard.col_session": "Phiên",
    "dashboard.col_confirmed": "Đã xác nhận",
    "dashboard.col_arrived": "Đã đến",
    "dashboard.col_inside": "Đang có mặt",
    "dashboard.col_checked_in": "Đã điểm danh",
    "dashboard.last_scans": "Lượt quét gần nhất",
    "dashboard.waiting": "Chưa có lượt quét nào từ khi mở trang.",
    "dashboard.col_time": "Giờ",
    "dashboard.col_person": "Đại biểu",
    "dashboard.col_where": "Nơi",
    "dashboard.col_direction": "Chiều",
    "dashboard.col_outcome": "Kết quả",
    "dashboard.door": "Cửa hội trường",
    "dashboard.undone": "(đã hủy lượt)",
    "dashboard.unknown_person": "Không rõ",
    "dashboard.none": "Chưa có số liệu.",
  },
  en: {
    "dashboard.heading": "Live",
    "dashboard.live": "Receiving scans live.",
    "dashboard.connecting": "Connecting…",
    "dashboard.reconnecting": "Connection lost, retrying in {s} seconds…",
    "dashboard.confirmed": "Confirmed delegates",
    "dashboard.arrived": "Arrived",
    "dashboard.inside_now": "Inside now (main door, today)",
    "dashboard.rate": "Attendance",
    "dashboard.not_yet": "Not arrived yet",
    "dashboard.by_kind": "By unit kind",
    "dashboard.by_district": "By district",
    "dashboard.by_category": "By category",
    "dashboard.sessions": "By session",
    "dashboard.col_group": "Group",
    "dashboard.col_district": "District",
    "dashboard.col_session": "Session",
    "dashboard.col_confirmed": "Confirmed",
    "dashboard.col_arrived": "Arrived",
    "dashboard.col_inside": "Inside now",
    "dashboard.col_checked_in": "Checked in",
    "dashboard.last_scans": "Last scans",
    "dashboard.waiting": "No scan since this page was opened.",
    "dashboard.col_time": "Time",
    "dashboard.col_person": "Delegate",
    "dashboard.col_where": "Where",
    "dashboard.col_direction": "Direction",
    "dashboard.col_outcome": "Outcome",
    "dashboard.door": "Conference door",
    "dashboard.undone": "(undone)",
    "dashboard.unknown_person": "Unknown",
    "dashboard.none": "No figures yet.",
  },
});

const MAX_SCANS = 30;

/** Reads `text/event-stream` frames from a fetch Response; calls `onEvent(type, data)`. */
async function readEvents(response, onEvent, signal) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  signal.addEventListener("abort", () => reader.cancel().catch(() => null), { once: true });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "event") type = value;
        else if (name === "data") data.push(value);
      }
      if (data.length) onEvent(type, data.join("\n"));
    }
  }
}

export async function render(container, params, ctx) {
  ensureStyles();
  const conferenceId = params.id;
  const tz = ctx.conference.time_zone;
  const controller = new AbortController();
  const names = new Map();
  const scans = [];
  let sessionTitles = new Map();
  let refreshTimer = null;
  let retryTimer = null;

  const connection = h("p", { id: "dashboard-connection", class: "muted", role: "status" }, t("dashboard.connecting"));
  const numbers = h("div", { id: "dashboard-numbers" });
  const scanBody = h("tbody", { id: "dashboard-scans" });
  const waiting = h("p", { class: "muted", id: "dashboard-waiting" }, t("dashboard.waiting"));
  const scanTable = h(
    "table",
    { class: "data", id: "dashboard-scan-table" },
    h("caption", { class: "visually-hidden" }, t("dashboard.last_scans")),
    h("thead", {}, h("tr", {}, ["col_time", "col_person", "col_where", "col_direction", "col_outcome"].map((k) => h("th", { scope: "col" }, t(`dashboard.${k}`))))),
    scanBody,
  );
  container.append(
    h("h2", {}, t("dashboard.heading")),
    connection,
    numbers,
    h("section", { "aria-labelledby": "dashboard-scans-heading" }, h("h3", { id: "dashboard-scans-heading" }, t("dashboard.last_scans")), waiting, h("div", { class: "table-wrap" }, scanTable)),
  );

  async function loadNumbers() {
    let a;
    try {
      a = await session.call(`/conferences/${conferenceId}/attendance`);
    } catch {
      return;
    }
    if (controller.signal.aborted) return;
    sessionTitles = new Map(a.sessions.map((s) => [s.session_id, s.title]));
    const rate = a.confirmed ? Math.round((a.checked_in / a.confirmed) * 1000) / 10 : 0;
    const card = (id, value, key) => h("div", { class: "card" }, h("div", { class: "value", id }, value), h("div", { class: "label" }, t(key)));
    const countRows = (items, nameOf) =>
      items.map((c) => [nameOf(c), h("td", { class: "num" }, num(c.confirmed)), h("td", { class: "num" }, num(c.checked_in))]);
    const numHead = (k) => h("th", { scope: "col", class: "num" }, t(k));
    replace(
      numbers,
      h(
        "div",
        { class: "cards" },
        card("dashboard-inside", num(a.door_inside_now), "dashboard.inside_now"),
        card("dashboard-arrived", num(a.checked_in), "dashboard.arrived"),
        card("dashboard-confirmed", num(a.confirmed), "dashboard.confirmed"),
        card("dashboard-missing", num(Math.max(0, a.confirmed - a.checked_in)), "dashboard.not_yet"),
        card("dashboard-rate", `${rate.toLocaleString()} %`, "dashboard.rate"),
      ),
      h(
        "div",
        { class: "grid2 dash-grid" },
        h(
          "section",
          {},
          h("h3", {}, t("dashboard.sessions")),
          a.sessions.length
            ? table(
                { text: t("dashboard.sessions"), hidden: true },
                [t("dashboard.col_session"), numHead("dashboard.col_checked_in"), numHead("dashboard.col_inside")],
                a.sessions.map((s) => [s.title, h("td", { class: "num" }, num(s.checked_in)), h("td", { class: "num" }, num(s.inside_now))]),
                { id: "dashboard-sessions" },
              )
            : h("p", { class: "muted" }, t("dashboard.none")),
        ),
        h(
          "section",
          {},
          h("h3", {}, t("dashboard.by_kind")),
          table(
            { text: t("dashboard.by_kind"), hidden: true },
            [t("dashboard.col_group"), numHead("dashboard.col_confirmed"), numHead("dashboard.col_arrived")],
            countRows(a.by_unit_kind, (c) => label("unit_kind", c.key)),
            { id: "dashboard-kinds" },
          ),
        ),
        h(
          "section",
          {},
          h("h3", {}, t("dashboard.by_district")),
          a.by_district.length
            ? table(
                { text: t("dashboard.by_district"), hidden: true },
                [t("dashboard.col_district"), numHead("dashboard.col_confirmed"), numHead("dashboard.col_arrived")],
                countRows(a.by_district, (c) => c.name || c.key),
                { id: "dashboard-districts" },
              )
            : h("p", { class: "muted" }, t("dashboard.none")),
        ),
        h(
          "section",
          {},
          h("h3", {}, t("dashboard.by_category")),
          table(
            { text: t("dashboard.by_category"), hidden: true },
            [t("dashboard.col_group"), numHead("dashboard.col_confirmed"), numHead("dashboard.col_arrived")],
            countRows(a.by_category, (c) => categoryLabel(c.key)),
            { id: "dashboard-categories" },
          ),
        ),
      ),
    );
  }

  function scheduleNumbers() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      loadNumbers();
    }, 400);
  }

  async function nameOf(registrationId) {
    if (!registrationId) return t("dashboard.unknown_person");
    if (!names.has(registrationId)) {
      names.set(
        registrationId,
        session
          .call(`/conferences/${conferenceId}/registrations/${registrationId}`)
          .then((r) => [r.full_name, r.unit_name || r.organization].filter(Boolean).join(" · "))
          .catch(() => t("dashboard.unknown_person")),
      );
    }
    return names.get(registrationId);
  }

  function onScan(event) {
    waiting.hidden = true;
    const person = h("td", { class: "person" }, "…");
    const existing = scanBody.querySelector(`tr[data-checkin-id="${CSS.escape(event.checkin_id)}"]`);
    if (existing) existing.remove();
    const tr = h(
      "tr",
      { dataset: { checkinId: event.checkin_id, registrationId: event.registration_id || "" }, class: event.outcome === "ok" ? "scan-ok" : "scan-bad" },
      h("td", {}, when(event.occurred_at, tz)),
      person,
      h("td", {}, event.session_id ? sessionTitles.get(event.session_id) || t("dashboard.col_session") : t("dashboard.door")),
      h("td", {}, label("direction", event.direction)),
      h("td", {}, label("outcome", event.outcome), event.undone ? ` ${t("dashboard.undone")}` : ""),
    );
    scanBody.prepend(tr);
    scans.unshift(event);
    while (scanBody.children.length > MAX_SCANS) scanBody.lastElementChild.remove();
    nameOf(event.registration_id).then((text) => {
      person.textContent = text;
    });
    scheduleNumbers();
  }

  async function connect(attempt) {
    if (controller.signal.aborted) return;
    connection.textContent = t("dashboard.connecting");
    try {
      const response = await session.fetchWithToken(`/conferences/${conferenceId}/checkin-events`, {
        headers: { Accept: "text/event-stream" },
        signal: controller.signal,
        cache: "no-store",
      });
      connection.textContent = t("dashboard.live");
      connection.className = "live-on";
      attempt = 0;
      // Scans made while disconnected are not replayed: the numbers catch up.
      loadNumbers();
      await readEvents(
        response,
        (type, data) => {
          if (type !== "checkin") return;
          try {
            onScan(JSON.parse(data));
          } catch {
            // A frame this client does not understand: skip it.
          }
        },
        controller.signal,
      );
    } catch (error) {
      if (controller.signal.aborted || (error && error.status === 401)) return;
    }
    if (controller.signal.aborted) return;
    const delay = Math.min(30, 2 ** Math.min(attempt, 5));
    connection.className = "muted";
    connection.textContent = t("dashboard.reconnecting", { s: delay });
    retryTimer = setTimeout(() => connect(attempt + 1), delay * 1000);
  }

  await loadNumbers();
  connect(0);
  return () => {
    controller.abort();
    clearTimeout(refreshTimer);
    clearTimeout(retryTimer);
  };
}
