// The agenda: sessions in time order; add one, edit one (read with its ETag, saved with
// If-Match), delete one after a confirmation. Times are in the conference's time zone.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage, showFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";
import { confirmer, field, fromLocalInput, getVersioned, listAll, select, sendVersioned, shortDateTime, showFormError, toLocalInput } from "./setup-common.js";

export const KINDS = ["opening", "presentation", "discussion", "film", "break", "visit", "other"];

addMessages({
  vi: {
    "agenda.heading": "Chương trình",
    "agenda.empty": "Chưa có phiên nào.",
    "agenda.caption": "Các phiên của hội nghị",
    "agenda.col.time": "Thời gian",
    "agenda.col.title": "Phiên",
    "agenda.col.kind": "Loại",
    "agenda.col.room": "Phòng",
    "agenda.col.speakers": "Báo cáo viên",
    "agenda.col.signup": "Đăng ký riêng",
    "agenda.col.seats": "Đã đăng ký / sức chứa",
    "agenda.col.actions": "Thao tác",
    "agenda.add": "Thêm phiên",
    "agenda.edit": "Sửa",
    "agenda.edit_named": "Sửa phiên {title}",
    "agenda.delete": "Xóa",
    "agenda.delete_named": "Xóa phiên {title}",
    "agenda.ask_delete": "Xóa phiên “{title}”? Những người đã đăng ký phiên này sẽ không còn trong phiên.",
    "agenda.deleted": "Đã xóa phiên.",
    "agenda.added": "Đã thêm phiên.",
    "agenda.form_new": "Thêm phiên",
    "agenda.form_edit": "Sửa phiên",
    "agenda.title": "Tên phiên",
    "agenda.kind": "Loại phiên",
    "agenda.starts_at": "Bắt đầu",
    "agenda.ends_at": "Kết thúc",
    "agenda.room": "Phòng, hội trường",
    "agenda.speakers": "Báo cáo viên",
    "agenda.speakers_hint": "Mỗi người một dòng.",
    "agenda.capacity": "Sức chứa",
    "agenda.capacity_hint": "Để trống nếu không giới hạn.",
    "agenda.signup_required": "Đại biểu phải đăng ký riêng phiên này",
    "agenda.description": "Mô tả",
    "agenda.save": "Lưu phiên",
    "agenda.cancel_edit": "Thôi",
    "agenda.tz": "Giờ theo múi giờ {zone}.",
    "session_kind.opening": "Khai mạc",
    "session_kind.presentation": "Báo cáo",
    "session_kind.discussion": "Thảo luận",
    "session_kind.film": "Chiếu phim",
    "session_kind.break": "Giải lao",
    "session_kind.visit": "Tham quan",
    "session_kind.other": "Khác",
  },
  en: {
    "agenda.heading": "Agenda",
    "agenda.empty": "No sessions yet.",
    "agenda.caption": "The conference's sessions",
    "agenda.col.time": "Time",
    "agenda.col.title": "Session",
    "agenda.col.kind": "Kind",
    "agenda.col.room": "Room",
    "agenda.col.speakers": "Speakers",
    "agenda.col.signup": "Sign-up",
    "agenda.col.seats": "Signed up / capacity",
    "agenda.col.actions": "Actions",
    "agenda.add": "Add a session",
    "agenda.edit": "Edit",
    "agenda.edit_named": "Edit session {title}",
    "agenda.delete": "Delete",
    "agenda.delete_named": "Delete session {title}",
    "agenda.ask_delete": "Delete the session “{title}”? Its sign-ups go with it.",
    "agenda.deleted": "Session deleted.",
    "agenda.added": "Session added.",
    "agenda.form_new": "New session",
    "agenda.form_edit": "Edit session",
    "agenda.title": "Title",
    "agenda.kind": "Kind",
    "agenda.starts_at": "Starts",
    "agenda.ends_at": "Ends",
    "agenda.room": "Room",
    "agenda.speakers": "Speakers",
    "agenda.speakers_hint": "One per line.",
    "agenda.capacity": "Capacity",
    "agenda.capacity_hint": "Leave empty for no limit.",
    "agenda.signup_required": "Delegates must sign up for this session",
    "agenda.description": "Description",
    "agenda.save": "Save the session",
    "agenda.cancel_edit": "Cancel",
    "agenda.tz": "Times in the {zone} time zone.",
    "session_kind.opening": "Opening",
    "session_kind.presentation": "Presentation",
    "session_kind.discussion": "Discussion",
    "session_kind.film": "Film",
    "session_kind.break": "Break",
    "session_kind.visit": "Visit",
    "session_kind.other": "Other",
  },
});

export async function render(container, params, ctx) {
  const conference = ctx.conference;
  const zone = conference.time_zone;
  const base = `/conferences/${params.id}/sessions`;
  const alert = h("p", { id: "agenda-alert", role: "alert", class: "alert", hidden: true });
  const confirmRegion = h("div", { id: "agenda-confirm" });
  const ask = confirmer(confirmRegion);
  const listBox = h("div", { id: "agenda-list" });
  const formBox = h("div", { id: "agenda-form" });
  const addButton = h("button", { type: "button", onclick: () => openForm(null) }, t("agenda.add"));
  container.append(
    h("h2", {}, t("agenda.heading")),
    h("p", { class: "hint" }, t("agenda.tz", { zone })),
    alert,
    confirmRegion,
    listBox,
    h("div", { class: "actions" }, addButton),
    formBox,
  );

  async function loadList() {
    const items = await listAll(base);
    if (items.length === 0) {
      replace(listBox, h("p", { class: "muted" }, t("agenda.empty")));
      return;
    }
    replace(
      listBox,
      h(
        "table",
        { class: "data" },
        h("caption", { class: "visually-hidden" }, t("agenda.caption")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["time", "title", "kind", "room", "speakers", "signup"].map((k) => h("th", { scope: "col" }, t(`agenda.col.${k}`))),
            h("th", { scope: "col", class: "num" }, t("agenda.col.seats")),
            h("th", { scope: "col" }, t("agenda.col.actions")),
          ),
        ),
        h(
          "tbody",
          {},
          items.map((s) =>
            h(
              "tr",
              {},
              h("td", {}, shortDateTime(s.starts_at, zone), " – ", shortDateTime(s.ends_at, zone).split(" ")[1]),
              h("th", { scope: "row" }, s.title),
              h("td", {}, t(`session_kind.${s.kind}`)),
              h("td", {}, s.room || t("setup.none")),
              h("td", {}, s.speakers.length ? s.speakers.join(", ") : t("setup.none")),
              h("td", {}, s.signup_required ? t("setup.yes") : t("setup.no")),
              h("td", { class: "num" }, `${s.signup_count} / ${s.capacity ?? "∞"}`),
              h(
                "td",
                { class: "row-actions" },
                h("button", { type: "button", class: "secondary", "aria-label": t("agenda.edit_named", { title: s.title }), onclick: () => openForm(s.id) }, t("agenda.edit")),
                " ",
                h(
                  "button",
                  {
                    type: "button",
                    class: "secondary",
                    "aria-label": t("agenda.delete_named", { title: s.title }),
                    onclick: () =>
                      ask(t("agenda.ask_delete", { title: s.title }), t("agenda.delete"), async () => {
                        try {
                          await session.call(`${base}/${s.id}`, { method: "DELETE" });
                          await loadList();
                          showAlert(alert, t("agenda.deleted"), "ok");
                        } catch (error) {
                          showAlert(alert, errorMessage(error));
                        }
                      }, "danger"),
                  },
                  t("agenda.delete"),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  async function openForm(sessionId) {
    alert.hidden = true;
    let current = null;
    let etag = null;
    if (sessionId) {
      try {
        ({ data: current, etag } = await getVersioned(`${base}/${sessionId}`));
      } catch (error) {
        showAlert(alert, errorMessage(error));
        return;
      }
    }
    const s = current || {};
    const formAlert = h("div", { id: "session-alert", role: "alert", class: "alert", hidden: true, tabindex: "-1" });
    const input = (name, type = "text", attrs = {}) => h("input", { type, id: `ss-${name}`, name, value: s[name] ?? "", ...attrs });
    const time = (name) => h("input", { type: "datetime-local", id: `ss-${name}`, name, value: toLocalInput(s[name], zone) });
    const save = h("button", { type: "submit" }, t("agenda.save"));
    const heading = h("h3", { id: "session-form-heading", tabindex: "-1" }, current ? `${t("agenda.form_edit")}: ${current.title}` : t("agenda.form_new"));
    const form = h(
      "form",
      { novalidate: true, class: "panel", "aria-labelledby": "session-form-heading" },
      heading,
      formAlert,
      field(input("title", "text", { maxlength: 300 }), t("agenda.title")),
      field(select("ss-kind", "kind", KINDS.map((k) => [k, t(`session_kind.${k}`)]), s.kind || "presentation"), t("agenda.kind")),
      h("div", { class: "grid2" }, field(time("starts_at"), t("agenda.starts_at")), field(time("ends_at"), t("agenda.ends_at"))),
      h(
        "div",
        { class: "grid2" },
        field(input("room", "text", { maxlength: 200 }), t("agenda.room"), { optional: true }),
        field(input("capacity", "number", { min: 1 }), t("agenda.capacity"), { hint: t("agenda.capacity_hint") }),
      ),
      field(h("textarea", { id: "ss-speakers", name: "speakers", rows: 3 }, (s.speakers || []).join("\n")), t("agenda.speakers"), {
        hint: t("agenda.speakers_hint"),
        optional: true,
      }),
      field(h("input", { type: "checkbox", id: "ss-signup_required", name: "signup_required", checked: !!s.signup_required }), t("agenda.signup_required")),
      field(h("textarea", { id: "ss-description", name: "description", rows: 3 }, s.description ?? ""), t("agenda.description"), { optional: true }),
      h(
        "div",
        { class: "actions" },
        save,
        h("button", { type: "button", class: "secondary", onclick: () => formBox.replaceChildren() }, t("agenda.cancel_edit")),
      ),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      formAlert.hidden = true;
      const get = (name) => form.elements[name].value.trim();
      const body = {
        title: get("title") || null,
        kind: get("kind"),
        starts_at: fromLocalInput(get("starts_at"), zone),
        ends_at: fromLocalInput(get("ends_at"), zone),
        room: get("room") || null,
        capacity: get("capacity") ? Number(get("capacity")) : null,
        speakers: form.elements.speakers.value.split("\n").map((x) => x.trim()).filter(Boolean),
        signup_required: form.elements.signup_required.checked,
        description: get("description") || null,
      };
      const empty = {};
      for (const name of ["title", "starts_at", "ends_at"]) if (!body[name]) empty[name] = { code: "required" };
      if (Object.keys(empty).length) {
        showFieldErrors(form, empty);
        return;
      }
      save.disabled = true;
      try {
        if (current) await sendVersioned(`${base}/${current.id}`, body, etag);
        else await session.call(base, { body });
        formBox.replaceChildren();
        await loadList();
        showAlert(alert, current ? t("setup.saved") : t("agenda.added"), "ok");
      } catch (error) {
        showFormError(form, formAlert, error, { onReload: () => openForm(current.id) });
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    form.elements.title.focus();
  }

  await loadList();
}
