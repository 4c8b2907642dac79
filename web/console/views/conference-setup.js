// A conference's first tab: its public registration link, the lifecycle (publish, close,
// reopen, cancel — each confirmed first) and its fields, saved with If-Match so an edit never
// silently overwrites someone else's.

import { addMessages, t } from "../../shared/i18n.js";
import { h, showAlert } from "../../shared/dom.js";
import { errorMessage, showFieldErrors } from "../../shared/errors.js";
import * as session from "../session.js";
import { conferenceFields, readConference } from "./conference-form.js";
import { missing } from "./conference-new.js";
import { confirmer, copyableLink, field, getVersioned, listAll, sendVersioned, showFormError } from "./setup-common.js";

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
    "csetup.organizers": "Người tổ chức hội nghị",
    "csetup.org_caption": "Các tài khoản tổ chức hội nghị này",
    "csetup.org_name": "Tên",
    "csetup.org_email": "Email",
    "csetup.org_actions": "Thao tác",
    "csetup.org_remove": "Bỏ",
    "csetup.org_remove_named": "Bỏ {email} khỏi người tổ chức",
    "csetup.org_ask_remove": "Bỏ {email} khỏi người tổ chức hội nghị này?",
    "csetup.org_add": "Thêm người tổ chức",
    "csetup.org_account": "Tài khoản",
    "csetup.org_choose": "Chọn tài khoản…",
    "csetup.org_added": "Đã thêm người tổ chức.",
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
    "csetup.organizers": "The conference's organizers",
    "csetup.org_caption": "Accounts organizing this conference",
    "csetup.org_name": "Name",
    "csetup.org_email": "Email",
    "csetup.org_actions": "Actions",
    "csetup.org_remove": "Remove",
    "csetup.org_remove_named": "Remove {email} from the organizers",
    "csetup.org_ask_remove": "Remove {email} from this conference's organizers?",
    "csetup.org_add": "Add an organizer",
    "csetup.org_account": "Account",
    "csetup.org_choose": "Choose an account…",
    "csetup.org_added": "Organizer added.",
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

  // Organizers: who may manage this conference (admins add any organizer account).
  const organizersBox = h("section", { id: "organizers", "aria-labelledby": "organizers-heading" });
  const orgAlert = h("p", { id: "org-alert", role: "alert", class: "alert", hidden: true });
  const orgConfirm = h("div", {});
  const askOrg = confirmer(orgConfirm);
  const orgList = h("div", {});
  organizersBox.append(h("h2", { id: "organizers-heading" }, t("csetup.organizers")), orgAlert, orgConfirm, orgList);
  async function loadOrganizers() {
    const organizers = await session.call(`${path}/organizers`);
    orgList.replaceChildren(
      h(
        "table",
        { class: "data" },
        h("caption", { class: "visually-hidden" }, t("csetup.org_caption")),
        h("thead", {}, h("tr", {}, ["org_name", "org_email", "org_actions"].map((k) => h("th", { scope: "col" }, t(`csetup.${k}`))))),
        h(
          "tbody",
          {},
          organizers.map((o) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, o.display_name),
              h("td", {}, o.email),
              h(
                "td",
                {},
                organizers.length > 1
                  ? h(
                      "button",
                      {
                        type: "button",
                        class: "secondary",
                        "aria-label": t("csetup.org_remove_named", { email: o.email }),
                        onclick: () =>
                          askOrg(t("csetup.org_ask_remove", { email: o.email }), t("csetup.org_remove"), async () => {
                            try {
                              await session.call(`${path}/organizers/${o.account_id}`, { method: "DELETE" });
                              await loadOrganizers();
                            } catch (error) {
                              showAlert(orgAlert, errorMessage(error));
                            }
                          }, "danger"),
                      },
                      t("csetup.org_remove"),
                    )
                  : null,
              ),
            ),
          ),
        ),
      ),
    );
    if (!session.isAdmin() || conference.status === "cancelled") return;
    const taken = new Set(organizers.map((o) => o.account_id));
    const accounts = (await listAll("/accounts?disabled=false")).filter((a) => !taken.has(a.id));
    if (!accounts.length) return;
    const choice = h(
      "select",
      { id: "org-account", name: "account_id" },
      h("option", { value: "" }, t("csetup.org_choose")),
      accounts.map((a) => h("option", { value: a.id }, `${a.display_name} <${a.email}>`)),
    );
    const addForm = h("form", { class: "toolbar" }, field(choice, t("csetup.org_account")), h("button", { type: "submit", class: "secondary" }, t("csetup.org_add")));
    addForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!choice.value) return;
      try {
        await session.call(`${path}/organizers/${choice.value}`, { method: "PUT" });
        showAlert(orgAlert, t("csetup.org_added"), "ok");
        await loadOrganizers();
      } catch (error) {
        showAlert(orgAlert, errorMessage(error));
      }
    });
    orgList.append(addForm);
  }

  container.append(
    ...[
    ctx.query.get("created") ? h("p", { class: "alert ok", role: "status" }, t("csetup.created")) : null,
    status,
    h("h2", {}, t("csetup.edit")),
    conference.status === "cancelled" ? h("p", { class: "muted" }, t("csetup.cancelled_note")) : null,
    alert,
    form,
    organizersBox,
    ].filter(Boolean),
  );
  await loadOrganizers();
}
