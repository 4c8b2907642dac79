// The units directory: a tree (agencies with their offices; districts › communes; enterprises),
// adding and editing a unit (If-Match), and importing a CSV/XLSX file: a dry run first, its
// row errors shown as a table, then applying. The API's import is all-or-nothing; for a CSV the
// console can leave out the rows with errors and import the others.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { ApiError } from "../../shared/api.js";
import { errorMessage, fieldMessage, showFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";
import { field, getVersioned, listAll, select, sendVersioned, showFormError } from "./setup-common.js";

export const UNIT_KINDS = ["agency", "district", "commune", "enterprise", "other"];
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

addMessages({
  vi: {
    "units.heading": "Danh mục đơn vị",
    "units.count": "{count} đơn vị",
    "units.search": "Tìm đơn vị (không cần dấu)",
    "units.search_go": "Tìm",
    "units.search_clear": "Xem cả cây",
    "units.results": "Kết quả tìm “{q}”: {count} đơn vị",
    "units.empty": "Danh mục chưa có đơn vị nào. Hãy nhập từ tệp hoặc thêm từng đơn vị.",
    "units.group.agency": "Cơ quan, sở, ngành",
    "units.group.district": "Huyện, thành phố › xã, phường",
    "units.group.commune": "Xã, phường (chưa gắn huyện)",
    "units.group.enterprise": "Doanh nghiệp, cơ sở sản xuất",
    "units.group.other": "Khác",
    "units.kind.agency": "Cơ quan",
    "units.kind.district": "Huyện, thành phố",
    "units.kind.commune": "Xã, phường",
    "units.kind.enterprise": "Doanh nghiệp",
    "units.kind.other": "Khác",
    "units.add": "Thêm đơn vị",
    "units.edit": "Sửa",
    "units.edit_named": "Sửa {name}",
    "units.form_new": "Thêm đơn vị",
    "units.form_edit": "Sửa đơn vị",
    "units.name": "Tên đơn vị",
    "units.kind": "Loại",
    "units.parent": "Đơn vị cấp trên",
    "units.no_parent": "(không có)",
    "units.admin_code": "Mã hành chính",
    "units.address": "Địa chỉ",
    "units.contact_person": "Người liên hệ",
    "units.phone": "Điện thoại",
    "units.email": "Email",
    "units.save": "Lưu đơn vị",
    "units.cancel_edit": "Thôi",
    "units.added": "Đã thêm đơn vị.",
    "units.import": "Nhập từ tệp CSV hoặc XLSX",
    "units.import_help": "Cột: Tên đơn vị, Loại (agency, district, commune, enterprise, other hoặc tiếng Việt), Đơn vị cấp trên (theo tên), Mã hành chính, Địa chỉ, Người liên hệ, Điện thoại, Email. Tệp được kiểm tra trước; chưa có gì được lưu cho đến khi bạn bấm Nhập.",
    "units.file": "Tệp danh mục",
    "units.check": "Kiểm tra tệp",
    "units.no_file": "Hãy chọn một tệp CSV hoặc XLSX.",
    "units.preview": "Kết quả kiểm tra",
    "units.preview_counts": "{rows} dòng, {bad} dòng có lỗi. Chưa có gì được lưu.",
    "units.preview_ok": "Tệp hợp lệ: {rows} dòng. Chưa có gì được lưu.",
    "units.errors_caption": "Các lỗi trong tệp",
    "units.col.row": "Dòng",
    "units.col.field": "Cột",
    "units.col.message": "Lỗi",
    "units.row_hint": "Dòng đếm từ 1 là dòng dữ liệu đầu tiên, không tính dòng tiêu đề.",
    "units.apply": "Nhập {count} đơn vị",
    "units.apply_good": "Bỏ qua {bad} dòng lỗi, nhập {count} đơn vị còn lại",
    "units.fix_xlsx": "Hãy sửa các dòng lỗi trong tệp XLSX rồi kiểm tra lại.",
    "units.applied": "Đã nhập {count} đơn vị.",
    "units.apply_failed": "Không nhập được: các dòng dưới đây có lỗi. Chưa có gì được lưu.",
    "units.whole_row": "(cả dòng)",
    "units.col_name.name": "Tên đơn vị",
    "units.col_name.kind": "Loại",
    "units.col_name.parent": "Đơn vị cấp trên",
    "units.col_name.admin_code": "Mã hành chính",
    "units.col_name.address": "Địa chỉ",
    "units.col_name.contact_person": "Người liên hệ",
    "units.col_name.phone": "Điện thoại",
    "units.col_name.email": "Email",
  },
  en: {
    "units.heading": "Units directory",
    "units.count": "{count} units",
    "units.search": "Find a unit (accents optional)",
    "units.search_go": "Search",
    "units.search_clear": "Show the whole tree",
    "units.results": "Results for “{q}”: {count} units",
    "units.empty": "The directory is empty. Import a file or add units one by one.",
    "units.group.agency": "Agencies, departments",
    "units.group.district": "Districts › communes",
    "units.group.commune": "Communes (no district)",
    "units.group.enterprise": "Enterprises",
    "units.group.other": "Other",
    "units.kind.agency": "Agency",
    "units.kind.district": "District",
    "units.kind.commune": "Commune",
    "units.kind.enterprise": "Enterprise",
    "units.kind.other": "Other",
    "units.add": "Add a unit",
    "units.edit": "Edit",
    "units.edit_named": "Edit {name}",
    "units.form_new": "New unit",
    "units.form_edit": "Edit unit",
    "units.name": "Name",
    "units.kind": "Kind",
    "units.parent": "Parent unit",
    "units.no_parent": "(none)",
    "units.admin_code": "Administrative code",
    "units.address": "Address",
    "units.contact_person": "Contact person",
    "units.phone": "Phone",
    "units.email": "Email",
    "units.save": "Save the unit",
    "units.cancel_edit": "Cancel",
    "units.added": "Unit added.",
    "units.import": "Import a CSV or XLSX file",
    "units.import_help": "Columns: name, kind (agency, district, commune, enterprise, other, or in Vietnamese), parent (by name), admin_code, address, contact_person, phone, email. The file is checked first; nothing is stored until you press Import.",
    "units.file": "Directory file",
    "units.check": "Check the file",
    "units.no_file": "Choose a CSV or XLSX file.",
    "units.preview": "Check result",
    "units.preview_counts": "{rows} rows, {bad} rows with errors. Nothing was stored.",
    "units.preview_ok": "The file is valid: {rows} rows. Nothing was stored yet.",
    "units.errors_caption": "Errors in the file",
    "units.col.row": "Row",
    "units.col.field": "Column",
    "units.col.message": "Error",
    "units.row_hint": "Row 1 is the first data row, after the header.",
    "units.apply": "Import {count} units",
    "units.apply_good": "Skip the {bad} rows with errors, import the other {count}",
    "units.fix_xlsx": "Correct the rows with errors in the XLSX file, then check it again.",
    "units.applied": "{count} units imported.",
    "units.apply_failed": "Not imported: the rows below have errors. Nothing was stored.",
    "units.whole_row": "(whole row)",
    "units.col_name.name": "Name",
    "units.col_name.kind": "Kind",
    "units.col_name.parent": "Parent",
    "units.col_name.admin_code": "Administrative code",
    "units.col_name.address": "Address",
    "units.col_name.contact_person": "Contact person",
    "units.col_name.phone": "Phone",
    "units.col_name.email": "Email",
  },
});

/** The records of a CSV text, each as its raw text (quoted newlines kept), blank lines left
 * out as the server's reader leaves them out: `{header, records}`. */
export function csvRecords(text) {
  const records = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if ((c === "\n" || i === text.length) && !quoted) {
      const raw = text.slice(start, i).replace(/\r$/, "");
      if (raw !== "") records.push(raw);
      start = i + 1;
    }
  }
  const [header = "", ...rest] = records;
  return { header, records: rest };
}

/** Errors `rows[N].column` → `{row, column, code, message}`, sorted by row. */
function rowErrors(errors, rowMap = null) {
  return errors
    .map((e) => {
      const m = /^rows\[(\d+)\](?:\.(.+))?$/.exec(e.field);
      const row = m ? Number(m[1]) : 0;
      return { row: rowMap && row ? rowMap[row - 1] : row, column: m ? m[2] || "" : e.field, code: e.code, message: e.message };
    })
    .sort((a, b) => a.row - b.row);
}

export async function render(container, _params, ctx) {
  const q = ctx.query.get("q") || "";
  const alert = h("p", { id: "units-alert", role: "alert", class: "alert", hidden: true });
  const treeBox = h("div", { id: "unit-tree", class: "tree" });
  const formBox = h("div", { id: "unit-form" });
  const importBox = h("section", { id: "unit-import", "aria-labelledby": "import-heading" });
  const search = h("input", { type: "search", id: "units-q", name: "q", value: q });
  const searchForm = h(
    "form",
    { class: "toolbar", role: "search" },
    h("div", { class: "field" }, h("label", { for: "units-q" }, t("units.search")), search),
    h("button", { type: "submit", class: "secondary" }, t("units.search_go")),
    q ? h("a", { href: "#/units" }, t("units.search_clear")) : null,
  );
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = search.value.trim();
    ctx.navigate(value ? `#/units?q=${encodeURIComponent(value)}` : "#/units");
  });
  const count = h("p", { class: "muted", id: "units-count" });
  container.append(
    h("h1", {}, t("units.heading")),
    alert,
    searchForm,
    count,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => openForm(null) }, t("units.add"))),
    formBox,
    treeBox,
    importBox,
  );

  let units = [];
  let byId = new Map();

  function pathName(unit) {
    const names = [unit.name];
    let p = unit.parent_id && byId.get(unit.parent_id);
    for (let depth = 0; p && depth < 10; depth++) {
      names.unshift(p.name);
      p = p.parent_id && byId.get(p.parent_id);
    }
    return names.join(" › ");
  }

  function node(unit, children) {
    const kids = (children.get(unit.id) || []).sort((a, b) => a.name.localeCompare(b.name, "vi"));
    return h(
      "li",
      {},
      h(
        "span",
        { class: "unit-line" },
        h("span", { class: "unit-name" }, unit.name),
        " ",
        h("span", { class: "tag" }, t(`units.kind.${unit.kind}`)),
        unit.admin_code ? h("span", { class: "muted" }, ` · ${unit.admin_code}`) : null,
        unit.contact_person || unit.phone || unit.email
          ? h("span", { class: "muted" }, ` · ${[unit.contact_person, unit.phone, unit.email].filter(Boolean).join(", ")}`)
          : null,
        " ",
        h("button", { type: "button", class: "link-button", "aria-label": t("units.edit_named", { name: unit.name }), onclick: () => openForm(unit.id) }, t("units.edit")),
      ),
      kids.length ? h("ul", {}, kids.map((k) => node(k, children))) : null,
    );
  }

  async function loadTree() {
    if (q) {
      units = await listAll(`/units?q=${encodeURIComponent(q)}`);
      const all = await listAll("/units");
      byId = new Map(all.map((u) => [u.id, u]));
      count.textContent = t("units.results", { q, count: units.length });
      replace(
        treeBox,
        h(
          "ul",
          {},
          units.map((u) => {
            const li = node(u, new Map());
            li.querySelector(".unit-name").textContent = pathName(u);
            return li;
          }),
        ),
      );
      return;
    }
    units = await listAll("/units");
    byId = new Map(units.map((u) => [u.id, u]));
    count.textContent = t("units.count", { count: units.length });
    if (units.length === 0) {
      replace(treeBox, h("p", { class: "muted" }, t("units.empty")));
      return;
    }
    const children = new Map();
    const roots = [];
    for (const u of units) {
      if (u.parent_id && byId.has(u.parent_id)) {
        if (!children.has(u.parent_id)) children.set(u.parent_id, []);
        children.get(u.parent_id).push(u);
      } else roots.push(u);
    }
    replace(
      treeBox,
      UNIT_KINDS.map((kind) => {
        const group = roots.filter((u) => u.kind === kind).sort((a, b) => a.name.localeCompare(b.name, "vi"));
        if (!group.length) return null;
        return h(
          "section",
          { class: "unit-group", "aria-labelledby": `group-${kind}` },
          h("h2", { id: `group-${kind}` }, t(`units.group.${kind}`)),
          h("ul", {}, group.map((u) => node(u, children))),
        );
      }),
    );
  }

  async function openForm(unitId) {
    alert.hidden = true;
    let current = null;
    let etag = null;
    if (unitId) {
      try {
        ({ data: current, etag } = await getVersioned(`/units/${unitId}`));
      } catch (error) {
        showAlert(alert, errorMessage(error));
        return;
      }
    }
    const u = current || {};
    const input = (name, type = "text") => h("input", { type, id: `un-${name}`, name, value: u[name] ?? "" });
    const parents = [...(q ? byId.values() : units)]
      .filter((p) => p.id !== unitId && p.kind !== "commune")
      .map((p) => [p.id, pathName(p)])
      .sort((a, b) => a[1].localeCompare(b[1], "vi"));
    const formAlert = h("div", { id: "unit-alert", role: "alert", class: "alert", hidden: true, tabindex: "-1" });
    const save = h("button", { type: "submit" }, t("units.save"));
    const form = h(
      "form",
      { novalidate: true, class: "panel", "aria-labelledby": "unit-form-heading" },
      h("h2", { id: "unit-form-heading" }, current ? `${t("units.form_edit")}: ${current.name}` : t("units.form_new")),
      formAlert,
      field(input("name"), t("units.name")),
      h(
        "div",
        { class: "grid2" },
        field(select("un-kind", "kind", UNIT_KINDS.map((k) => [k, t(`units.kind.${k}`)]), u.kind || "agency"), t("units.kind")),
        field(select("un-parent_id", "parent_id", [["", t("units.no_parent")], ...parents], u.parent_id || ""), t("units.parent")),
      ),
      h(
        "div",
        { class: "grid2" },
        field(input("admin_code"), t("units.admin_code"), { optional: true }),
        field(input("address"), t("units.address"), { optional: true }),
        field(input("contact_person"), t("units.contact_person"), { optional: true }),
        field(input("phone", "tel"), t("units.phone"), { optional: true }),
        field(input("email", "email"), t("units.email"), { optional: true }),
      ),
      h(
        "div",
        { class: "actions" },
        save,
        h("button", { type: "button", class: "secondary", onclick: () => formBox.replaceChildren() }, t("units.cancel_edit")),
      ),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      formAlert.hidden = true;
      const body = {};
      for (const name of ["name", "kind", "parent_id", "admin_code", "address", "contact_person", "phone", "email"]) {
        body[name] = form.elements[name].value.trim() || null;
      }
      if (!body.name) {
        showFieldErrors(form, { name: { code: "required" } });
        return;
      }
      save.disabled = true;
      try {
        if (current) {
          await sendVersioned(`/units/${current.id}`, body, etag);
        } else {
          for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
          await session.call("/units", { body });
        }
        formBox.replaceChildren();
        await loadTree();
        showAlert(alert, current ? t("setup.saved") : t("units.added"), "ok");
      } catch (error) {
        showFormError(form, formAlert, error, { onReload: () => openForm(current.id) });
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    form.elements.name.focus();
  }

  // Import: check (dry run), then apply.
  const file = h("input", { type: "file", id: "import-file", name: "file", accept: ".csv,.xlsx,text/csv," + XLSX, "aria-describedby": "import-help" });
  const importAlert = h("p", { id: "import-alert", role: "alert", class: "alert", hidden: true });
  const check = h("button", { type: "submit" }, t("units.check"));
  const preview = h("div", { id: "import-preview", "aria-live": "polite" });
  const importForm = h(
    "form",
    { novalidate: true, class: "panel" },
    h("p", { class: "hint", id: "import-help" }, t("units.import_help")),
    h("div", { class: "field" }, h("label", { for: "import-file" }, t("units.file")), file),
    h("div", { class: "actions" }, check),
  );
  importBox.append(h("h2", { id: "import-heading" }, t("units.import")), importForm, importAlert, preview);

  function errorTable(errors) {
    return h(
      "table",
      { class: "data", id: "import-errors" },
      h("caption", {}, t("units.errors_caption")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col", class: "num" }, t("units.col.row")),
          h("th", { scope: "col" }, t("units.col.field")),
          h("th", { scope: "col" }, t("units.col.message")),
        ),
      ),
      h(
        "tbody",
        {},
        errors.map((e) =>
          h(
            "tr",
            {},
            h("td", { class: "num" }, String(e.row)),
            h("td", {}, e.column ? t(`units.col_name.${e.column}`) : t("units.whole_row")),
            h("td", {}, fieldMessage({ code: e.code }, e.column), h("span", { class: "muted" }, ` (${e.message})`)),
          ),
        ),
      ),
    );
  }

  async function upload(body, type, dryRun) {
    const response = await session.fetchWithToken(`/unit-imports${dryRun ? "?dry_run=true" : ""}`, {
      method: "POST",
      headers: { "Content-Type": type, Accept: "application/json" },
      body,
    });
    return response.json();
  }

  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    importAlert.hidden = true;
    preview.replaceChildren();
    const chosen = file.files[0];
    if (!chosen) {
      showAlert(importAlert, t("units.no_file"));
      return;
    }
    const isXlsx = chosen.name.toLowerCase().endsWith(".xlsx") || chosen.type === XLSX;
    const type = isXlsx ? XLSX : "text/csv";
    check.disabled = true;
    try {
      const started = performance.now();
      const report = await upload(chosen, type, true);
      console.log(`unit import dry run: ${report.rows} rows in ${Math.round(performance.now() - started)} ms`);
      const errors = rowErrors(report.errors);
      const badRows = new Set(errors.map((e) => e.row).filter((r) => r > 0));
      const good = report.rows - badRows.size;
      const parts = [
        h("h3", {}, t("units.preview")),
        h(
          "p",
          { id: "import-counts" },
          errors.length ? t("units.preview_counts", { rows: report.rows, bad: badRows.size }) : t("units.preview_ok", { rows: report.rows }),
        ),
      ];
      if (errors.length) parts.push(h("p", { class: "hint" }, t("units.row_hint")), errorTable(errors));
      const applyAlert = h("p", { role: "alert", class: "alert", hidden: true, id: "apply-alert" });
      const apply = async (button, text, rowMap) => {
        button.disabled = true;
        applyAlert.hidden = true;
        try {
          const done = await upload(text, type, false);
          file.value = "";
          await loadTree();
          replace(preview, h("p", { class: "alert ok", role: "status", id: "import-done" }, t("units.applied", { count: done.created })));
        } catch (error) {
          if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
            replace(preview, h("p", { class: "alert error", role: "alert" }, t("units.apply_failed")), errorTable(rowErrors(error.problem.errors, rowMap)));
          } else {
            showAlert(applyAlert, errorMessage(error));
            button.disabled = false;
          }
        }
      };
      if (!errors.length && report.rows > 0) {
        const button = h("button", { type: "button", id: "import-apply" }, t("units.apply", { count: report.rows }));
        button.addEventListener("click", () => apply(button, chosen, null));
        parts.push(h("div", { class: "actions" }, button));
      } else if (errors.length && !isXlsx && good > 0 && !errors.some((e) => e.row === 0)) {
        const source = csvRecords(await chosen.text());
        const rowMap = [];
        const kept = [];
        source.records.forEach((raw, i) => {
          if (!badRows.has(i + 1)) {
            kept.push(raw);
            rowMap.push(i + 1);
          }
        });
        const text = `${source.header}\n${kept.join("\n")}\n`;
        const button = h("button", { type: "button", id: "import-apply" }, t("units.apply_good", { bad: badRows.size, count: kept.length }));
        button.addEventListener("click", () => apply(button, new Blob([text], { type: "text/csv" }), rowMap));
        parts.push(h("div", { class: "actions" }, button));
      } else if (errors.length && isXlsx) {
        parts.push(h("p", {}, t("units.fix_xlsx")));
      }
      parts.push(applyAlert);
      replace(preview, parts);
    } catch (error) {
      showAlert(importAlert, errorMessage(error));
    } finally {
      check.disabled = false;
    }
  });

  await loadTree();
}
