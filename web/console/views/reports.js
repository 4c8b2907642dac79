// Afterwards: every export and report the API offers, on one page. Files come through
// `session.download` (the token cannot ride on a plain link); the charts are shown inline from
// blob URLs; the attendance report's figures are shown as tables.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage } from "../../shared/errors.js";
import { CATEGORIES, categoryLabel, statusLabel } from "../../shared/labels.js";
import * as session from "../session.js";
import { ensureStyles, field, label, langParam, num, select, SOURCES, STATUSES, table, UNIT_KINDS } from "./day-common.js";

addMessages({
  vi: {
    "reports.heading": "Báo cáo và tệp xuất",
    "reports.sheet": "Danh sách ký tên",
    "reports.sheet_hint": "Nhóm theo loại đơn vị rồi đơn vị; có cột giờ điểm danh và chữ ký.",
    "reports.scope": "Phạm vi",
    "reports.whole": "Cả hội nghị",
    "reports.status": "Trạng thái",
    "reports.category": "Thành phần",
    "reports.source": "Nguồn",
    "reports.unit_kind": "Loại đơn vị",
    "reports.district": "Huyện, thành phố",
    "reports.unit": "Đơn vị",
    "reports.checked_in": "Điểm danh",
    "reports.checked_in_true": "Đã đến",
    "reports.checked_in_false": "Chưa đến",
    "reports.phone": "Thêm cột số điện thoại",
    "reports.pdf": "Tải PDF",
    "reports.xlsx": "Tải Excel",
    "reports.csv": "Tải CSV",
    "reports.json": "Tải JSON",
    "reports.delegates": "Danh sách đại biểu",
    "reports.delimiter": "Dấu phân cách CSV",
    "reports.delimiter_comma": "Dấu phẩy (,)",
    "reports.delimiter_semicolon": "Dấu chấm phẩy (;)",
    "reports.checkins": "Lịch sử điểm danh (mọi lượt quét)",
    "reports.attendance": "Báo cáo tham dự",
    "reports.figures": "Số liệu chính",
    "reports.registered": "Đã đăng ký",
    "reports.confirmed": "Đã xác nhận",
    "reports.attended": "Đã tham dự",
    "reports.invited_seats": "Số chỗ đã mời",
    "reports.units_present": "Đơn vị được mời có mặt",
    "reports.districts_present": "Huyện được mời có mặt",
    "reports.no_shows": "Vắng mặt",
    "reports.substitutions": "Thay người",
    "reports.by_session": "Theo phiên",
    "reports.by_day": "Theo ngày",
    "reports.col_session": "Phiên",
    "reports.col_day": "Ngày",
    "reports.col_attended": "Tham dự",
    "reports.charts": "Biểu đồ",
    "reports.chart_districts": "Tham dự theo huyện, thành phố",
    "reports.chart_kinds": "Tham dự theo loại đơn vị",
    "reports.chart_sessions": "Tham dự theo phiên",
    "reports.package": "Trọn bộ báo cáo (một tệp Excel)",
    "reports.certificates": "Giấy chứng nhận tham dự",
    "reports.rule": "Điều kiện",
    "reports.rule_door": "Đã vào cửa hội trường",
    "reports.rule_sessions": "Tham dự đủ số phiên",
    "reports.min_sessions": "Số phiên tối thiểu",
    "reports.badges": "Thẻ đại biểu",
    "reports.layout": "Khổ in",
    "reports.layout_sheet": "Tờ A4, 8 thẻ",
    "reports.layout_single": "Mỗi thẻ một trang",
    "reports.downloading": "Đang tạo tệp…",
    "reports.downloaded": "Đã tải “{name}”.",
  },
  en: {
    "reports.heading": "Reports and exports",
    "reports.sheet": "Sign-in sheet",
    "reports.sheet_hint": "Grouped by unit kind then unit, with check-in time and signature columns.",
    "reports.scope": "Scope",
    "reports.whole": "The whole conference",
    "reports.status": "Status",
    "reports.category": "Category",
    "reports.source": "Source",
    "reports.unit_kind": "Unit kind",
    "reports.district": "District, city",
    "reports.unit": "Unit",
    "reports.checked_in": "Check-in",
    "reports.checked_in_true": "Arrived",
    "reports.checked_in_false": "Not arrived",
    "reports.phone": "Add a phone column",
    "reports.pdf": "Download PDF",
    "reports.xlsx": "Download Excel",
    "reports.csv": "Download CSV",
    "reports.json": "Download JSON",
    "reports.delegates": "Delegate list",
    "reports.delimiter": "CSV separator",
    "reports.delimiter_comma": "Comma (,)",
    "reports.delimiter_semicolon": "Semicolon (;)",
    "reports.checkins": "Check-in history (every scan)",
    "reports.attendance": "Attendance report",
    "reports.figures": "Key figures",
    "reports.registered": "Registered",
    "reports.confirmed": "Confirmed",
    "reports.attended": "Attended",
    "reports.invited_seats": "Invited seats",
    "reports.units_present": "Invited units present",
    "reports.districts_present": "Invited districts present",
    "reports.no_shows": "No-shows",
    "reports.substitutions": "Substitutions",
    "reports.by_session": "By session",
    "reports.by_day": "By day",
    "reports.col_session": "Session",
    "reports.col_day": "Day",
    "reports.col_attended": "Attended",
    "reports.charts": "Charts",
    "reports.chart_districts": "Attendance by district",
    "reports.chart_kinds": "Attendance by unit kind",
    "reports.chart_sessions": "Attendance by session",
    "reports.package": "Every report (one Excel workbook)",
    "reports.certificates": "Certificates of attendance",
    "reports.rule": "Who gets one",
    "reports.rule_door": "Came in at the door",
    "reports.rule_sessions": "Attended enough sessions",
    "reports.min_sessions": "Fewest sessions",
    "reports.badges": "Name badges",
    "reports.layout": "Layout",
    "reports.layout_sheet": "A4 sheet of 8",
    "reports.layout_single": "One badge per page",
    "reports.downloading": "Preparing the file…",
    "reports.downloaded": "“{name}” downloaded.",
  },
});

export async function render(container, params, ctx) {
  ensureStyles();
  const id = params.id;
  const code = ctx.conference.code;
  const urls = [];
  const alert = h("div", { id: "reports-alert", role: "status", class: "alert", hidden: true });
  const [sessionsPage, districtsPage, unitsPage] = await Promise.all([
    session.call(`/conferences/${id}/sessions?limit=500`).catch(() => ({ items: [] })),
    session.call("/units?kind=district&limit=500").catch(() => ({ items: [] })),
    session.call("/units?limit=500").catch(() => ({ items: [] })),
  ]);
  const byName = (a, b) => a.name.localeCompare(b.name, "vi");
  const districts = [...districtsPage.items].sort(byName);
  const units = [...unitsPage.items].sort(byName);
  const unitSelect = (idAttr) => select(idAttr, "unit_id", units.map((u) => u.id), (v) => units.find((u) => u.id === v).name);
  const districtSelect = (idAttr) => select(idAttr, "district_id", districts.map((u) => u.id), (v) => districts.find((u) => u.id === v).name);

  /** Downloads `path` (query from the form's named controls) as `filename`. */
  async function get(button, path, filename) {
    button.disabled = true;
    showAlert(alert, t("reports.downloading"), "warn");
    try {
      await session.download(path, filename);
      showAlert(alert, t("reports.downloaded", { name: filename }), "ok");
    } catch (error) {
      alert.setAttribute("role", "alert");
      showAlert(alert, errorMessage(error));
    } finally {
      button.disabled = false;
    }
  }

  function formQuery(form) {
    const p = new URLSearchParams(langParam());
    for (const el of form.querySelectorAll("select[name], input[name]")) {
      if (el.type === "checkbox") {
        if (el.checked) p.set(el.name, "true");
      } else if (el.value !== "" && !el.disabled) p.set(el.name, el.value);
    }
    return p;
  }

  function button(idAttr, key, onClick) {
    const b = h("button", { type: "button", id: idAttr, class: "secondary" }, t(key));
    b.addEventListener("click", () => onClick(b));
    return b;
  }

  // Sign-in sheets: the conference's or a session's, with their filters.
  const scope = h(
    "select",
    { id: "sheet-scope" },
    h("option", { value: "" }, t("reports.whole")),
    sessionsPage.items.map((s) => h("option", { value: s.id }, s.title)),
  );
  const statusSel = select("sheet-status", "status", STATUSES, statusLabel, "confirmed");
  const checkedIn = h(
    "select",
    { id: "sheet-checked-in", name: "checked_in" },
    h("option", { value: "" }, t("day.any")),
    h("option", { value: "true" }, t("reports.checked_in_true")),
    h("option", { value: "false" }, t("reports.checked_in_false")),
  );
  const sheetForm = h(
    "form",
    { class: "panel", id: "sheet-form" },
    h("h2", {}, t("reports.sheet")),
    h("p", { class: "hint" }, t("reports.sheet_hint")),
    h(
      "div",
      { class: "grid2" },
      field(t("reports.scope"), scope),
      field(t("reports.status"), statusSel),
      field(t("reports.category"), select("sheet-category", "category", CATEGORIES, categoryLabel)),
      field(t("reports.district"), districtSelect("sheet-district")),
      field(t("reports.unit"), unitSelect("sheet-unit")),
      field(t("reports.checked_in"), checkedIn),
    ),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "sheet-phone", name: "phone" }), h("label", { for: "sheet-phone" }, t("reports.phone"))),
  );
  const sheetPath = (ext) => `/conferences/${id}${scope.value ? `/sessions/${scope.value}` : ""}/sign-in-sheet.${ext}?${formQuery(sheetForm)}`;
  const sheetName = (ext) => `danh-sach-ky-ten-${code}${scope.value ? `-phien-${scope.selectedIndex}` : ""}.${ext}`;
  sheetForm.append(
    h(
      "div",
      { class: "actions" },
      button("sheet-pdf", "reports.pdf", (b) => get(b, sheetPath("pdf"), sheetName("pdf"))),
      button("sheet-xlsx", "reports.xlsx", (b) => get(b, sheetPath("xlsx"), sheetName("xlsx"))),
    ),
  );

  // The delegate list.
  const delimiter = h(
    "select",
    { id: "delegates-delimiter", name: "delimiter" },
    h("option", { value: "comma" }, t("reports.delimiter_comma")),
    h("option", { value: "semicolon" }, t("reports.delimiter_semicolon")),
  );
  const delegatesForm = h(
    "form",
    { class: "panel", id: "delegates-form" },
    h("h2", {}, t("reports.delegates")),
    h(
      "div",
      { class: "grid2" },
      field(t("reports.status"), select("delegates-status", "status", STATUSES, statusLabel)),
      field(t("reports.category"), select("delegates-category", "category", CATEGORIES, categoryLabel)),
      field(t("reports.source"), select("delegates-source", "source", SOURCES, (v) => label("source", v))),
      field(t("reports.unit_kind"), select("delegates-unit-kind", "unit_kind", UNIT_KINDS, (v) => label("unit_kind", v))),
      field(t("reports.district"), districtSelect("delegates-district")),
      field(t("reports.unit"), unitSelect("delegates-unit")),
      field(t("reports.delimiter"), delimiter),
    ),
  );
  const delegatesQuery = (csv) => {
    const p = formQuery(delegatesForm);
    if (!csv) p.delete("delimiter");
    return p;
  };
  delegatesForm.append(
    h(
      "div",
      { class: "actions" },
      button("delegates-csv", "reports.csv", (b) => get(b, `/conferences/${id}/exports/registrations.csv?${delegatesQuery(true)}`, `dai-bieu-${code}.csv`)),
      button("delegates-xlsx", "reports.xlsx", (b) => get(b, `/conferences/${id}/exports/registrations.xlsx?${delegatesQuery(false)}`, `dai-bieu-${code}.xlsx`)),
    ),
  );

  // Check-in history.
  const checkinsPanel = h(
    "section",
    { class: "panel", id: "checkins-panel" },
    h("h2", {}, t("reports.checkins")),
    h(
      "div",
      { class: "actions" },
      button("checkins-csv", "reports.csv", (b) => get(b, `/conferences/${id}/exports/checkins.csv?${langParam()}`, `diem-danh-${code}.csv`)),
      button("checkins-xlsx", "reports.xlsx", (b) => get(b, `/conferences/${id}/exports/checkins.xlsx?${langParam()}`, `diem-danh-${code}.xlsx`)),
    ),
  );

  // The attendance report: its figures shown, the JSON and the workbook, the charts inline.
  const figures = h("div", { id: "attendance-figures" });
  const charts = h("div", { class: "charts", id: "charts" });
  const attendancePanel = h(
    "section",
    { class: "panel", id: "attendance-panel" },
    h("h2", {}, t("reports.attendance")),
    figures,
    h(
      "div",
      { class: "actions" },
      button("attendance-xlsx", "reports.xlsx", (b) => get(b, `/conferences/${id}/reports/attendance.xlsx?${langParam()}`, `bao-cao-tham-du-${code}.xlsx`)),
      button("attendance-json", "reports.json", (b) => get(b, `/conferences/${id}/reports/attendance`, `bao-cao-tham-du-${code}.json`)),
    ),
    h("h3", {}, t("reports.charts")),
    charts,
  );

  // The package, certificates, badges.
  const packagePanel = h(
    "section",
    { class: "panel", id: "package-panel" },
    h("h2", {}, t("reports.package")),
    h("div", { class: "actions" }, button("package-xlsx", "reports.xlsx", (b) => get(b, `/conferences/${id}/reports/package.xlsx?${langParam()}`, `bao-cao-${code}.xlsx`))),
  );
  const rule = h(
    "select",
    { id: "cert-rule", name: "rule" },
    h("option", { value: "door" }, t("reports.rule_door")),
    h("option", { value: "sessions" }, t("reports.rule_sessions")),
  );
  const minSessions = h("input", { type: "number", id: "cert-min", name: "min_sessions", min: 1, max: 1000, value: 1, disabled: true });
  rule.addEventListener("change", () => {
    minSessions.disabled = rule.value !== "sessions";
  });
  const certForm = h(
    "form",
    { class: "panel", id: "cert-form" },
    h("h2", {}, t("reports.certificates")),
    h("div", { class: "grid2" }, field(t("reports.rule"), rule), field(t("reports.min_sessions"), minSessions), field(t("reports.unit"), unitSelect("cert-unit"))),
  );
  certForm.append(h("div", { class: "actions" }, button("cert-pdf", "reports.pdf", (b) => get(b, `/conferences/${id}/certificates.pdf?${formQuery(certForm)}`, `giay-chung-nhan-${code}.pdf`))));
  const layout = h(
    "select",
    { id: "badge-layout", name: "layout" },
    h("option", { value: "sheet" }, t("reports.layout_sheet")),
    h("option", { value: "single" }, t("reports.layout_single")),
  );
  const badgeForm = h(
    "form",
    { class: "panel", id: "badge-form" },
    h("h2", {}, t("reports.badges")),
    h("div", { class: "grid2" }, field(t("reports.layout"), layout), field(t("reports.unit"), unitSelect("badge-unit"))),
  );
  badgeForm.append(h("div", { class: "actions" }, button("badge-pdf", "reports.pdf", (b) => get(b, `/conferences/${id}/badges.pdf?${formQuery(badgeForm)}`, `the-dai-bieu-${code}.pdf`))));
  for (const form of [sheetForm, delegatesForm, certForm, badgeForm]) form.addEventListener("submit", (e) => e.preventDefault());

  container.append(h("h2", { class: "visually-hidden" }, t("reports.heading")), alert, sheetForm, delegatesForm, checkinsPanel, attendancePanel, packagePanel, certForm, badgeForm);

  // The report's figures, then the charts (each its own request, shown as it arrives).
  session
    .call(`/conferences/${id}/reports/attendance`)
    .then((r) => {
      const share = (x) => `${Math.round(x * 1000) / 10} %`;
      const card = (idAttr, value, key) => h("div", { class: "card" }, h("div", { class: "value", id: idAttr }, value), h("div", { class: "label" }, t(key)));
      replace(
        figures,
        h(
          "div",
          { class: "cards" },
          card("report-registered", num(r.totals.registered), "reports.registered"),
          card("report-confirmed", num(r.totals.confirmed), "reports.confirmed"),
          card("report-attended", num(r.totals.attended), "reports.attended"),
          card("report-invited", num(r.totals.invited_seats), "reports.invited_seats"),
          card("report-units", `${num(r.coverage.invited_units_present)}/${num(r.coverage.invited_units)} (${share(r.coverage.invited_units_share)})`, "reports.units_present"),
          card("report-districts", `${num(r.coverage.invited_districts_present)}/${num(r.coverage.invited_districts)} (${share(r.coverage.invited_districts_share)})`, "reports.districts_present"),
          card("report-no-shows", num(r.no_shows.length), "reports.no_shows"),
          card("report-substitutions", num(r.substitutions.length), "reports.substitutions"),
        ),
        h(
          "div",
          { class: "grid2" },
          r.by_session.length
            ? table(t("reports.by_session"), [t("reports.col_session"), h("th", { scope: "col", class: "num" }, t("reports.col_attended"))], r.by_session.map((s) => [s.title, h("td", { class: "num" }, num(s.attended))]))
            : null,
          r.by_day.length
            ? table(t("reports.by_day"), [t("reports.col_day"), h("th", { scope: "col", class: "num" }, t("reports.col_attended"))], r.by_day.map((d) => [d.date, h("td", { class: "num" }, num(d.attended))]))
            : null,
        ),
      );
    })
    .catch((error) => replace(figures, h("p", { class: "alert error" }, errorMessage(error))));
  for (const [name, key] of [["districts", "reports.chart_districts"], ["unit-kinds", "reports.chart_kinds"], ["sessions", "reports.chart_sessions"]]) {
    const img = h("img", { class: "chart", id: `chart-${name}`, alt: t(key) });
    charts.append(h("figure", {}, img, h("figcaption", {}, t(key))));
    session
      .fetchWithToken(`/conferences/${id}/reports/charts/${name}.svg?${langParam()}`)
      .then((response) => response.blob())
      .then((blob) => {
        const url = URL.createObjectURL(blob);
        urls.push(url);
        img.src = url;
      })
      .catch(() => {
        img.alt = `${t(key)}: ${t("error.unknown")}`;
      });
  }
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
