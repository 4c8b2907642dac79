// Importing delegates from a CSV or XLSX file: a dry run first, its row errors shown as a
// table, then the import itself (all or nothing).

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage, fieldMessage } from "../../shared/errors.js";
import * as session from "../session.js";
import { ensureStyles, num, table } from "./day-common.js";

addMessages({
  vi: {
    "import.heading": "Nhập đại biểu từ tệp",
    "import.back": "‹ Danh sách đại biểu",
    "import.file": "Tệp CSV (UTF-8) hoặc Excel (.xlsx)",
    "import.hint": "Dòng đầu là tên cột: Họ và tên, Chức vụ, Đơn vị, Tổ chức, Thành phần, Điện thoại, Email. Đơn vị phải có trong danh mục.",
    "import.check": "Kiểm tra trước",
    "import.apply": "Nhập {n} đại biểu",
    "import.choose": "Vui lòng chọn một tệp.",
    "import.checking": "Đang kiểm tra…",
    "import.preview": "Kết quả kiểm tra",
    "import.rows": "Số dòng đọc được",
    "import.errors": "Số lỗi",
    "import.ok_preview": "Không có lỗi. Bấm “Nhập” để ghi {n} đại biểu.",
    "import.has_errors": "Có {n} lỗi. Sửa tệp rồi kiểm tra lại; chưa có gì được ghi.",
    "import.caption": "Các lỗi theo dòng",
    "import.col_row": "Dòng",
    "import.col_column": "Cột",
    "import.col_problem": "Lỗi",
    "import.done": "Đã nhập {n} đại biểu.",
    "import.to_list": "Xem danh sách đại biểu",
  },
  en: {
    "import.heading": "Import delegates from a file",
    "import.back": "‹ Delegates",
    "import.file": "CSV file (UTF-8) or Excel workbook (.xlsx)",
    "import.hint": "The first row names the columns: full_name, position, unit, organization, category, phone, email (or their Vietnamese names). Units must be in the directory.",
    "import.check": "Check first",
    "import.apply": "Import {n} delegates",
    "import.choose": "Please choose a file.",
    "import.checking": "Checking…",
    "import.preview": "What the check found",
    "import.rows": "Rows read",
    "import.errors": "Errors",
    "import.ok_preview": "No errors. Press “Import” to write {n} delegates.",
    "import.has_errors": "{n} errors. Correct the file and check again; nothing was written.",
    "import.caption": "Errors by row",
    "import.col_row": "Row",
    "import.col_column": "Column",
    "import.col_problem": "Problem",
    "import.done": "{n} delegates imported.",
    "import.to_list": "See the delegates",
  },
});

/** `rows[12].phone` → {row: 12, column: "phone"}. */
function place(field) {
  const m = /^rows\[(\d+)\]\.?(.*)$/.exec(field || "");
  return m ? { row: Number(m[1]), column: m[2] || "" } : { row: null, column: field || "" };
}

export async function render(container, params) {
  ensureStyles();
  const base = `#/conferences/${params.id}/registrations`;
  const file = h("input", { type: "file", id: "import-file", name: "file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "aria-describedby": "import-hint import-file-error" });
  const alert = h("div", { id: "import-alert", role: "alert", class: "alert", hidden: true });
  const check = h("button", { type: "submit", id: "import-check", class: "primary" }, t("import.check"));
  const apply = h("button", { type: "button", id: "import-apply", hidden: true }, t("import.apply", { n: 0 }));
  const preview = h("section", { id: "import-preview", "aria-live": "polite" });
  let chosen = null;

  const form = h(
    "form",
    { class: "panel", novalidate: true },
    h(
      "div",
      { class: "field" },
      h("label", { for: "import-file" }, t("import.file")),
      file,
      h("p", { id: "import-hint", class: "hint" }, t("import.hint")),
      h("p", { id: "import-file-error", class: "field-error", hidden: true }),
    ),
    h("div", { class: "actions" }, check, apply),
  );

  async function send(dryRun) {
    const body = await chosen.arrayBuffer();
    const xlsx = /\.xlsx$/i.test(chosen.name);
    const response = await session.fetchWithToken(`/conferences/${params.id}/registration-imports?dry_run=${dryRun}`, {
      method: "POST",
      headers: {
        "Content-Type": xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8",
        Accept: "application/json, application/problem+json",
      },
      body,
    });
    return response.json();
  }

  function showReport(report) {
    const errors = report.errors || [];
    const rows = errors.map((e) => {
      const where = place(e.field);
      return [where.row === null ? "" : String(where.row), where.column, fieldMessage(e, where.column)];
    });
    replace(
      preview,
      h("h2", {}, t("import.preview")),
      h(
        "div",
        { class: "cards" },
        h("div", { class: "card" }, h("div", { class: "value", id: "import-rows" }, num(report.rows)), h("div", { class: "label" }, t("import.rows"))),
        h("div", { class: "card" }, h("div", { class: "value", id: "import-error-count" }, num(errors.length)), h("div", { class: "label" }, t("import.errors"))),
      ),
      h(
        "p",
        { class: `alert ${errors.length ? "warn" : "ok"}`, id: "import-verdict" },
        errors.length ? t("import.has_errors", { n: num(errors.length) }) : t("import.ok_preview", { n: num(report.rows) }),
      ),
      errors.length ? table(t("import.caption"), [t("import.col_row"), t("import.col_column"), t("import.col_problem")], rows, { id: "import-errors" }) : null,
    );
    apply.hidden = errors.length > 0 || report.rows === 0;
    apply.textContent = t("import.apply", { n: num(report.rows) });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    apply.hidden = true;
    chosen = file.files[0] || null;
    const box = document.getElementById("import-file-error");
    if (!chosen) {
      file.setAttribute("aria-invalid", "true");
      box.textContent = t("import.choose");
      box.hidden = false;
      file.focus();
      return;
    }
    file.removeAttribute("aria-invalid");
    box.hidden = true;
    check.disabled = true;
    replace(preview, h("p", { class: "muted", role: "status" }, t("import.checking")));
    try {
      showReport(await send(true));
    } catch (error) {
      replace(preview);
      if (error.problem && Array.isArray(error.problem.errors) && error.problem.errors.length) showReport({ rows: 0, errors: error.problem.errors });
      else showAlert(alert, errorMessage(error));
    } finally {
      check.disabled = false;
    }
  });

  file.addEventListener("change", () => {
    apply.hidden = true;
    replace(preview);
  });

  apply.addEventListener("click", async () => {
    if (!chosen) return;
    apply.disabled = true;
    check.disabled = true;
    try {
      const report = await send(false);
      apply.hidden = true;
      replace(
        preview,
        h("p", { class: "alert ok", id: "import-done", role: "status" }, t("import.done", { n: num(report.created) })),
        h("p", {}, h("a", { href: base }, t("import.to_list"))),
      );
    } catch (error) {
      if (error.problem && Array.isArray(error.problem.errors) && error.problem.errors.length) showReport({ rows: 0, errors: error.problem.errors });
      else showAlert(alert, errorMessage(error));
    } finally {
      apply.disabled = false;
      check.disabled = false;
    }
  });

  container.append(h("p", {}, h("a", { href: base }, t("import.back"))), h("h2", {}, t("import.heading")), alert, form, preview);
}
