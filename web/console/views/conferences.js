// The conferences the organizer can see (drafts only their own; admins see every draft): status,
// dates, seats taken; search; a button to create one.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace } from "../../shared/dom.js";
import { errorMessage } from "../../shared/errors.js";
import * as session from "../session.js";
import { select, shortDateTime } from "./setup-common.js";

addMessages({
  vi: {
    "conferences.heading": "Hội nghị",
    "conferences.new": "Tạo hội nghị",
    "conferences.search": "Tìm theo tên hoặc mã",
    "conferences.status": "Trạng thái",
    "conferences.any_status": "Tất cả",
    "conferences.filter": "Lọc",
    "conferences.col.title": "Hội nghị",
    "conferences.col.code": "Mã",
    "conferences.col.status": "Trạng thái",
    "conferences.col.starts": "Bắt đầu",
    "conferences.col.ends": "Kết thúc",
    "conferences.col.confirmed": "Đã xác nhận / sức chứa",
    "conferences.empty": "Chưa có hội nghị nào. Hãy tạo hội nghị đầu tiên.",
    "conferences.caption": "Danh sách hội nghị",
  },
  en: {
    "conferences.heading": "Conferences",
    "conferences.new": "New conference",
    "conferences.search": "Search by title or code",
    "conferences.status": "Status",
    "conferences.any_status": "All",
    "conferences.filter": "Filter",
    "conferences.col.title": "Conference",
    "conferences.col.code": "Code",
    "conferences.col.status": "Status",
    "conferences.col.starts": "Starts",
    "conferences.col.ends": "Ends",
    "conferences.col.confirmed": "Confirmed / capacity",
    "conferences.empty": "No conferences yet. Create the first one.",
    "conferences.caption": "Conferences",
  },
});

export async function render(container, _params, ctx) {
  const q = ctx.query.get("q") || "";
  const status = ctx.query.get("status") || "";
  const search = h("input", { type: "search", id: "conf-q", name: "q", value: q });
  const statusSelect = select(
    "conf-status",
    "status",
    [["", t("conferences.any_status")], ...["draft", "published", "closed", "cancelled"].map((s) => [s, t(`conference_status.${s}`)])],
    status,
  );
  const filter = h(
    "form",
    { class: "toolbar", role: "search" },
    h("div", { class: "field" }, h("label", { for: "conf-q" }, t("conferences.search")), search),
    h("div", { class: "field" }, h("label", { for: "conf-status" }, t("conferences.status")), statusSelect),
    h("button", { type: "submit", class: "secondary" }, t("conferences.filter")),
  );
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (search.value.trim()) next.set("q", search.value.trim());
    if (statusSelect.value) next.set("status", statusSelect.value);
    ctx.navigate(`#/conferences${next.size ? `?${next}` : ""}`);
  });
  const list = h("div", { id: "conference-list" });
  container.append(
    h(
      "div",
      { class: "head-row" },
      h("h1", {}, t("conferences.heading")),
      h("a", { class: "button", href: "#/conferences/new" }, t("conferences.new")),
    ),
    filter,
    list,
  );

  const rows = [];
  const tbody = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("setup.more"));
  let cursor = null;
  async function load() {
    const params = new URLSearchParams({ limit: "100" });
    if (q) params.set("q", q);
    if (status) params.set("status", status);
    if (cursor) params.set("cursor", cursor);
    const page = await session.call(`/conferences?${params}`);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    for (const c of page.items) {
      rows.push(c);
      tbody.append(
        h(
          "tr",
          {},
          h("th", { scope: "row" }, h("a", { href: `#/conferences/${c.id}` }, c.title)),
          h("td", {}, c.code),
          h("td", {}, h("span", { class: `tag status-${c.status}` }, t(`conference_status.${c.status}`))),
          h("td", {}, shortDateTime(c.starts_at, c.time_zone)),
          h("td", {}, shortDateTime(c.ends_at, c.time_zone)),
          h("td", { class: "num" }, `${c.confirmed_count} / ${c.capacity ?? "∞"}`),
        ),
      );
    }
  }
  await load();
  if (rows.length === 0) {
    replace(list, h("p", { class: "muted" }, t("conferences.empty")));
    return;
  }
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      await load();
    } catch (error) {
      ctx.flash(errorMessage(error), "error");
    } finally {
      more.disabled = false;
    }
  });
  replace(
    list,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("caption", { class: "visually-hidden" }, t("conferences.caption")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["title", "code", "status", "starts", "ends"].map((k) => h("th", { scope: "col" }, t(`conferences.col.${k}`))),
            h("th", { scope: "col", class: "num" }, t("conferences.col.confirmed")),
          ),
        ),
        tbody,
      ),
    ),
    more,
  );
}
