// The delegates of a conference: the API's filters and accent- and order-insensitive search,
// cursor paging, and approve / reject / cancel in bulk for the ticked rows.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage } from "../../shared/errors.js";
import { CATEGORIES, categoryLabel, statusLabel } from "../../shared/labels.js";
import * as session from "../session.js";
import { ensureStyles, field, label, num, select, SOURCES, STATUSES, UNIT_KINDS } from "./day-common.js";

addMessages({
  vi: {
    "registrations.heading": "Đại biểu",
    "registrations.import": "Nhập đại biểu từ tệp",
    "registrations.filters": "Lọc danh sách",
    "registrations.q": "Tìm (tên, đơn vị, mã, điện thoại, email)",
    "registrations.q_hint": "Gõ không dấu, theo thứ tự bất kỳ: “an nguyen van”.",
    "registrations.status": "Trạng thái",
    "registrations.category": "Thành phần",
    "registrations.source": "Nguồn",
    "registrations.unit_kind": "Loại đơn vị",
    "registrations.district": "Huyện, thành phố",
    "registrations.unit": "Đơn vị",
    "registrations.caption": "Danh sách đại biểu",
    "registrations.select_all": "Chọn tất cả trên trang",
    "registrations.select_one": "Chọn {name}",
    "registrations.col_ref": "Mã",
    "registrations.col_name": "Họ và tên",
    "registrations.col_position": "Chức vụ",
    "registrations.col_unit": "Đơn vị",
    "registrations.col_category": "Thành phần",
    "registrations.col_status": "Trạng thái",
    "registrations.more": "Xem thêm",
    "registrations.shown": "Đang hiện {n} đại biểu.",
    "registrations.shown_search": "{n} kết quả phù hợp nhất.",
    "registrations.empty": "Không có đại biểu nào phù hợp.",
    "registrations.selected": "Đã chọn {n}",
    "registrations.approve": "Duyệt",
    "registrations.reject": "Không duyệt",
    "registrations.cancel": "Hủy đăng ký",
    "registrations.confirm_cancel": "Hủy đăng ký của {n} đại biểu đã chọn?",
    "registrations.confirm_reject": "Không duyệt {n} đại biểu đã chọn?",
    "registrations.bulk_done": "{action}: {ok} thành công, {failed} không thực hiện được.",
    "registrations.bulk_failed_row": "{name}: {reason}",
    "registrations.none_selected": "Chưa chọn đại biểu nào.",
    "registrations.bulk": "Thao tác với các đại biểu đã chọn",
  },
  en: {
    "registrations.heading": "Delegates",
    "registrations.import": "Import delegates from a file",
    "registrations.filters": "Filter the list",
    "registrations.q": "Search (name, unit, reference, phone, email)",
    "registrations.q_hint": "Accents optional, any order: “an nguyen van”.",
    "registrations.status": "Status",
    "registrations.category": "Category",
    "registrations.source": "Source",
    "registrations.unit_kind": "Unit kind",
    "registrations.district": "District, city",
    "registrations.unit": "Unit",
    "registrations.caption": "Delegates",
    "registrations.select_all": "Select all on this page",
    "registrations.select_one": "Select {name}",
    "registrations.col_ref": "Reference",
    "registrations.col_name": "Full name",
    "registrations.col_position": "Position",
    "registrations.col_unit": "Unit",
    "registrations.col_category": "Category",
    "registrations.col_status": "Status",
    "registrations.more": "Show more",
    "registrations.shown": "Showing {n} delegates.",
    "registrations.shown_search": "The {n} best matches.",
    "registrations.empty": "No delegate matches.",
    "registrations.selected": "{n} selected",
    "registrations.approve": "Approve",
    "registrations.reject": "Reject",
    "registrations.cancel": "Cancel registration",
    "registrations.confirm_cancel": "Cancel the registration of the {n} selected delegates?",
    "registrations.confirm_reject": "Reject the {n} selected delegates?",
    "registrations.bulk_done": "{action}: {ok} done, {failed} could not be done.",
    "registrations.bulk_failed_row": "{name}: {reason}",
    "registrations.none_selected": "No delegate selected.",
    "registrations.bulk": "Actions on the selected delegates",
  },
});

const FILTERS = ["status", "category", "source", "unit_kind", "district_id", "unit_id"];
const PAGE = 50;

export async function render(container, params, ctx) {
  ensureStyles();
  const conferenceId = params.id;
  const base = `#/conferences/${conferenceId}/registrations`;
  const state = { cursor: null, items: [], selected: new Set(), loading: 0 };

  const q = h("input", { type: "search", id: "reg-q", name: "q", autocomplete: "off", value: ctx.query.get("q") || "", "aria-describedby": "reg-q-hint" });
  const selects = {
    status: select("reg-status", "status", STATUSES, statusLabel, ctx.query.get("status") || ""),
    category: select("reg-category", "category", [...CATEGORIES], categoryLabel, ctx.query.get("category") || ""),
    source: select("reg-source", "source", SOURCES, (v) => label("source", v), ctx.query.get("source") || ""),
    unit_kind: select("reg-unit-kind", "unit_kind", UNIT_KINDS, (v) => label("unit_kind", v), ctx.query.get("unit_kind") || ""),
    district_id: select("reg-district", "district_id", [], String, ""),
    unit_id: select("reg-unit", "unit_id", [], String, ""),
  };
  const status = h("p", { id: "reg-count", class: "muted", role: "status" });
  const alert = h("div", { id: "reg-alert", role: "alert", class: "alert", hidden: true });
  const tbody = h("tbody", { id: "reg-rows" });
  const selectAll = h("input", { type: "checkbox", id: "reg-select-all", "aria-label": t("registrations.select_all") });
  const more = h("button", { type: "button", id: "reg-more", class: "secondary", hidden: true }, t("registrations.more"));
  const selectedCount = h("span", { id: "reg-selected", class: "muted" });
  const bulk = (action, key) => h("button", { type: "button", id: `reg-bulk-${action}`, class: action === "approve" ? null : action === "cancel" ? "danger" : "secondary", dataset: { action } }, t(key));
  const bulkBar = h(
    "div",
    { class: "toolbar bulk", role: "group", "aria-label": t("registrations.bulk") },
    selectedCount,
    bulk("approve", "registrations.approve"),
    bulk("reject", "registrations.reject"),
    bulk("cancel", "registrations.cancel"),
  );

  const filterForm = h(
    "form",
    { class: "toolbar filters", role: "search", "aria-label": t("registrations.filters") },
    h(
      "div",
      { class: "field grow" },
      h("label", { for: "reg-q" }, t("registrations.q")),
      q,
      h("p", { id: "reg-q-hint", class: "hint" }, t("registrations.q_hint")),
    ),
    field(t("registrations.status"), selects.status),
    field(t("registrations.category"), selects.category),
    field(t("registrations.source"), selects.source),
    field(t("registrations.unit_kind"), selects.unit_kind),
    field(t("registrations.district"), selects.district_id),
    field(t("registrations.unit"), selects.unit_id),
  );
  filterForm.addEventListener("submit", (e) => {
    e.preventDefault();
    reload();
  });

  const table = h(
    "table",
    { class: "data", id: "reg-table" },
    h("caption", { class: "visually-hidden" }, t("registrations.caption")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", class: "pick" }, selectAll),
        h("th", { scope: "col" }, t("registrations.col_ref")),
        h("th", { scope: "col" }, t("registrations.col_name")),
        h("th", { scope: "col" }, t("registrations.col_position")),
        h("th", { scope: "col" }, t("registrations.col_unit")),
        h("th", { scope: "col" }, t("registrations.col_category")),
        h("th", { scope: "col" }, t("registrations.col_status")),
      ),
    ),
    tbody,
  );

  container.append(
    h(
      "div",
      { class: "head-row" },
      h("h2", {}, t("registrations.heading")),
      h("a", { class: "button secondary", href: `${base}/import`, id: "reg-import-link" }, t("registrations.import")),
    ),
    filterForm,
    alert,
    bulkBar,
    status,
    h("div", { class: "table-wrap" }, table),
    more,
  );

  function queryString(withCursor) {
    const p = new URLSearchParams();
    for (const name of FILTERS) if (selects[name].value) p.set(name, selects[name].value);
    const text = q.value.trim();
    if (text) p.set("q", text);
    return { filters: p.toString(), api: (() => {
      const a = new URLSearchParams(p);
      a.set("limit", String(PAGE));
      if (withCursor && state.cursor && !text) a.set("cursor", state.cursor);
      return a.toString();
    })() };
  }

  function row(r) {
    const box = h("input", { type: "checkbox", class: "reg-pick", value: r.id, checked: state.selected.has(r.id), "aria-label": t("registrations.select_one", { name: r.full_name }) });
    box.addEventListener("change", () => {
      if (box.checked) state.selected.add(r.id);
      else state.selected.delete(r.id);
      updateSelection();
    });
    return h(
      "tr",
      { dataset: { id: r.id } },
      h("td", { class: "pick" }, box),
      h("td", {}, r.reference),
      h("td", {}, h("a", { href: `${base}/${r.id}` }, r.full_name)),
      h("td", {}, r.position || ""),
      h("td", {}, r.unit_name || r.organization || ""),
      h("td", {}, categoryLabel(r.category)),
      h("td", {}, h("span", { class: `status ${r.status}` }, statusLabel(r.status))),
    );
  }

  function updateSelection() {
    selectedCount.textContent = t("registrations.selected", { n: num(state.selected.size) });
    const boxes = tbody.querySelectorAll(".reg-pick");
    selectAll.checked = boxes.length > 0 && [...boxes].every((b) => b.checked);
    for (const b of bulkBar.querySelectorAll("button")) b.disabled = state.selected.size === 0;
  }

  function showCount() {
    const searching = q.value.trim() !== "";
    if (state.items.length === 0) status.textContent = t("registrations.empty");
    else status.textContent = t(searching ? "registrations.shown_search" : "registrations.shown", { n: num(state.items.length) });
  }

  async function load(append) {
    const mine = ++state.loading;
    const { filters, api } = queryString(append);
    const started = performance.now();
    let page;
    try {
      page = await session.call(`/conferences/${conferenceId}/registrations?${api}`);
    } catch (error) {
      if (mine !== state.loading) return;
      showAlert(alert, errorMessage(error));
      return;
    }
    if (mine !== state.loading) return;
    alert.hidden = true;
    if (!append) {
      state.items = [];
      tbody.replaceChildren();
      history.replaceState(null, "", `${base}${filters ? `?${filters}` : ""}`);
    }
    state.items.push(...page.items);
    tbody.append(...page.items.map(row));
    state.cursor = page.next_cursor || null;
    more.hidden = !state.cursor;
    showCount();
    updateSelection();
    table.dataset.loadedMs = String(Math.round(performance.now() - started));
    table.dataset.query = filters;
  }

  function reload() {
    state.cursor = null;
    return load(false);
  }

  let typing = null;
  q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(reload, 150);
  });
  for (const s of Object.values(selects)) s.addEventListener("change", reload);
  more.addEventListener("click", () => load(true));
  selectAll.addEventListener("change", () => {
    for (const box of tbody.querySelectorAll(".reg-pick")) {
      box.checked = selectAll.checked;
      if (box.checked) state.selected.add(box.value);
      else state.selected.delete(box.value);
    }
    updateSelection();
  });

  bulkBar.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    const ids = [...state.selected];
    if (ids.length === 0) return showAlert(alert, t("registrations.none_selected"), "warn");
    if (action !== "approve" && !confirm(t(`registrations.confirm_${action}`, { n: ids.length }))) return;
    for (const b of bulkBar.querySelectorAll("button")) b.disabled = true;
    try {
      const results = [];
      for (let i = 0; i < ids.length; i += 500) {
        results.push(
          ...(await session.call(`/conferences/${conferenceId}/registration-actions`, {
            body: { action, registration_ids: ids.slice(i, i + 500) },
          })),
        );
      }
      const failed = results.filter((r) => r.code !== "ok");
      const names = new Map(state.items.map((r) => [r.id, r.full_name]));
      const lines = failed.slice(0, 10).map((r) =>
        t("registrations.bulk_failed_row", { name: names.get(r.registration_id) || r.registration_id, reason: errorMessage({ code: r.code }) }),
      );
      showAlert(
        alert,
        [t("registrations.bulk_done", { action: t(`registrations.${action}`), ok: num(results.length - failed.length), failed: num(failed.length) }), ...lines].join("\n"),
        failed.length ? "warn" : "ok",
      );
      state.selected.clear();
      await reload();
    } catch (error) {
      showAlert(alert, errorMessage(error));
    } finally {
      updateSelection();
    }
  });

  // Districts and units for the filters; the list does not wait for them.
  fillUnits(selects, ctx.query).then(() => {
    for (const name of ["district_id", "unit_id"]) {
      const wanted = ctx.query.get(name);
      if (wanted && selects[name].value !== wanted) selects[name].value = wanted;
    }
  });
  for (const name of ["district_id", "unit_id"]) {
    const wanted = ctx.query.get(name);
    if (wanted) selects[name].append(h("option", { value: wanted, selected: true }, wanted));
  }
  await reload();
  updateSelection();
  return () => clearTimeout(typing);
}

async function fillUnits(selects) {
  try {
    const [districts, units] = await Promise.all([
      session.call("/units?kind=district&limit=500"),
      session.call("/units?limit=500"),
    ]);
    for (const [name, page] of [["district_id", districts], ["unit_id", units]]) {
      const chosen = selects[name].value;
      const options = [...page.items].sort((a, b) => a.name.localeCompare(b.name, "vi"));
      replace(
        selects[name],
        h("option", { value: "" }, t("day.any")),
        options.map((u) => h("option", { value: u.id, selected: u.id === chosen }, u.name)),
      );
    }
  } catch {
    // The filters by unit stay empty; the list still works.
  }
}
