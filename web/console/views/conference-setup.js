// A conference's first tab: its public registration link, the lifecycle (publish, close,
// reopen, cancel — each confirmed first) and its fields, saved with If-Match so an edit never
// silently overwrites someone else's.

import { addMessages, t } from "../../shared/i18n.js";
import { h, showAlert } from "../../shared/dom.js";
import { errorMessage, showFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";
import { conferenceFields, readConference } from "./conference-form.js";
import { missing } from "./conference-new.js";
import { confirmer, copyableLink, getVersioned, sendVersioned, showFormError } from "./setup-common.js";

addMessages({
  vi: {
    "csetup.created": "Đã tạo hội nghị ở dạng bản nháp. Hãy thêm chương trình (tab Chương trình) rồi công bố.",
    "csetup.state": "Trạng thái",
    "csetup.link": "Đường liên kết đăng ký",
    "csetup.link_draft": "Đường liên kết này hoạt động sau khi hội nghị được công bố.",
    "csetup.confirmed": "{count} đại biểu đã xác nhận",
    "csetup.edit": "Thông tin hội nghị",
    "csetup.save": "Lưu thay đổi",
    "csetup.cancelled_note": "Hội nghị đã bị hủy nên không thể sửa nữa.",
    "csetup.publish": "Công bố",
    "csetup.close": "Đóng đăng ký",
    "csetup.reopen": "Mở lại đăng ký",
    "csetup.cancel": "Hủy hội nghị",
    "csetup.ask.publish": "Công bố hội nghị? Hội nghị và chương trình sẽ hiện công khai và nhận đăng ký.",
    "csetup.ask.close": "Đóng hội nghị? Hội nghị vẫn hiện công khai nhưng không nhận đăng ký nữa.",
    "csetup.ask.reopen": "Mở lại hội nghị để nhận đăng ký?",
    "csetup.ask.cancel": "Hủy hội nghị? Việc này không thể hoàn tác: hội nghị sẽ không thể thay đổi nữa.",
    "csetup.done.publish": "Đã công bố hội nghị.",
    "csetup.done.close": "Đã đóng đăng ký.",
    "csetup.done.reopen": "Đã mở lại đăng ký.",
    "csetup.done.cancel": "Đã hủy hội nghị.",
  },
  en: {
    "csetup.created": "The conference was created as a draft. Add its agenda (Agenda tab), then publish it.",
    "csetup.state": "Status",
    "csetup.link": "Registration link",
    "csetup.link_draft": "This link works once the conference is published.",
    "csetup.confirmed": "{count} confirmed delegates",
    "csetup.edit": "Conference details",
    "csetup.save": "Save changes",
    "csetup.cancelled_note": "The conference was cancelled and can no longer change.",
    "csetup.publish": "Publish",
    "csetup.close": "Close registration",
    "csetup.reopen": "Reopen registration",
    "csetup.cancel": "Cancel the conference",
    "csetup.ask.publish": "Publish the conference? It and its agenda become public and open for registration.",
    "csetup.ask.close": "Close the conference? It stays public but takes no more registrations.",
    "csetup.ask.reopen": "Reopen the conference for registration?",
    "csetup.ask.cancel": "Cancel the conference? This cannot be undone: it can no longer change.",
    "csetup.done.publish": "The conference is published.",
    "csetup.done.close": "Registration is closed.",
    "csetup.done.reopen": "Registration is open again.",
    "csetup.done.cancel": "The conference is cancelled.",
  },
});

const ACTIONS = {
  draft: ["publish", "cancel"],
  published: ["close", "cancel"],
  closed: ["reopen", "cancel"],
  cancelled: [],
};

export async function render(container, params, ctx) {
  const path = `/conferences/${params.id}`;
  let { data: conference, etag } = await getVersioned(path);
  const reload = () => ctx.navigate(location.hash.split("?")[0]);

  // Status and lifecycle.
  const actionAlert = h("p", { id: "lifecycle-alert", role: "alert", class: "alert", hidden: true });
  const confirmRegion = h("div", { id: "lifecycle-confirm" });
  const ask = confirmer(confirmRegion);
  const actions = h(
    "div",
    { class: "actions" },
    ACTIONS[conference.status].map((action) =>
      h(
        "button",
        {
          type: "button",
          class: action === "cancel" ? "danger" : action === "publish" ? "" : "secondary",
          onclick: () =>
            ask(t(`csetup.ask.${action}`), t(`csetup.${action}`), async () => {
              try {
                await session.call(`${path}/${action}`, { method: "POST" });
                ctx.flash(t(`csetup.done.${action}`), "ok");
                reload();
              } catch (error) {
                showAlert(actionAlert, errorMessage(error));
              }
            }, action === "cancel" ? "danger" : "primary"),
        },
        t(`csetup.${action}`),
      ),
    ),
  );
  const link = `${location.origin}/r/${encodeURIComponent(conference.code)}`;
  const status = h(
    "section",
    { class: "panel", "aria-labelledby": "state-heading" },
    h("h2", { id: "state-heading" }, t("csetup.state"), ": ", t(`conference_status.${conference.status}`)),
    h("p", {}, t("csetup.confirmed", { count: conference.confirmed_count }), conference.capacity ? ` / ${conference.capacity}` : ""),
    h("h3", {}, t("csetup.link")),
    conference.status === "draft" ? h("p", { class: "hint" }, t("csetup.link_draft")) : null,
    copyableLink(link, "registration-link"),
    actionAlert,
    actions,
    confirmRegion,
  );

  // The fields.
  const alert = h("div", { id: "csetup-alert", role: "alert", class: "alert", hidden: true, tabindex: "-1" });
  const button = h("button", { type: "submit" }, t("csetup.save"));
  const form = h("form", { novalidate: true, id: "conference-form" }, conferenceFields(conference), h("div", { class: "actions" }, button));
  if (conference.status === "cancelled") {
    for (const el of form.elements) el.disabled = true;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    const body = readConference(form);
    const empty = missing(body, ["title", "code", "starts_at", "ends_at"]);
    if (empty) {
      showFieldErrors(form, empty);
      return;
    }
    button.disabled = true;
    try {
      ({ data: conference, etag } = await sendVersioned(path, body, etag));
      ctx.flash(t("setup.saved"), "ok");
      reload();
    } catch (error) {
      showFormError(form, alert, error, { onReload: reload });
    } finally {
      button.disabled = false;
    }
  });

  container.append(
    ...[
    ctx.query.get("created") ? h("p", { class: "alert ok", role: "status" }, t("csetup.created")) : null,
    status,
    h("h2", {}, t("csetup.edit")),
    conference.status === "cancelled" ? h("p", { class: "muted" }, t("csetup.cancelled_note")) : null,
    alert,
    form,
    ].filter(Boolean),
  );
}
