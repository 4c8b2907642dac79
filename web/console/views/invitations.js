// Invitations: invite a unit with a number of seats (its link is shown once, with a copy
// button), send it again (a new link, emailed to the unit's contact; the old one stops working),
// revoke it; per unit the seats, registered and confirmed delegates.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage } from "../../shared/errors.js";
import * as session from "../session.js";
import { confirmer, copyableLink, field, fromLocalInput, listAll, shortDateTime, showFormError } from "./setup-common.js";

addMessages({
  vi: {
    "inv.heading": "Thư mời đơn vị",
    "inv.empty": "Chưa mời đơn vị nào.",
    "inv.caption": "Các đơn vị được mời",
    "inv.col.unit": "Đơn vị",
    "inv.col.seats": "Số chỗ",
    "inv.col.registered": "Đã đăng ký",
    "inv.col.confirmed": "Đã xác nhận",
    "inv.col.state": "Tình trạng",
    "inv.col.actions": "Thao tác",
    "inv.totals": "Tổng",
    "inv.active": "Còn hiệu lực",
    "inv.expires": "hết hạn {at}",
    "inv.revoked": "Đã thu hồi",
    "inv.resend": "Gửi lại",
    "inv.resend_named": "Gửi lại thư mời cho {unit}",
    "inv.revoke": "Thu hồi",
    "inv.revoke_named": "Thu hồi thư mời của {unit}",
    "inv.ask_resend": "Gửi lại thư mời cho {unit}? Đường liên kết mới sẽ được tạo và gửi email cho người liên hệ; đường liên kết cũ sẽ không dùng được nữa.",
    "inv.ask_revoke": "Thu hồi thư mời của {unit}? Đường liên kết sẽ không dùng được nữa; các đại biểu đã đăng ký vẫn giữ nguyên.",
    "inv.revoked_done": "Đã thu hồi thư mời.",
    "inv.new": "Mời một đơn vị",
    "inv.unit": "Đơn vị",
    "inv.unit_hint": "Gõ vài chữ của tên đơn vị (không cần dấu) rồi chọn trong danh sách.",
    "inv.unit_filter": "Lọc danh sách đơn vị",
    "inv.choose_unit": "Chọn đơn vị…",
    "inv.seats": "Số chỗ",
    "inv.expires_at": "Hết hạn lúc",
    "inv.submit": "Mời",
    "inv.link_heading": "Đường liên kết của {unit}",
    "inv.link_once": "Đường liên kết này chỉ hiện một lần. Hãy sao chép và gửi cho đơn vị (hoặc dùng Gửi lại để gửi email và tạo đường liên kết mới).",
    "inv.no_units": "Danh mục chưa có đơn vị. Hãy thêm đơn vị ở mục Đơn vị trước.",
  },
  en: {
    "inv.heading": "Unit invitations",
    "inv.empty": "No unit is invited yet.",
    "inv.caption": "Invited units",
    "inv.col.unit": "Unit",
    "inv.col.seats": "Seats",
    "inv.col.registered": "Registered",
    "inv.col.confirmed": "Confirmed",
    "inv.col.state": "State",
    "inv.col.actions": "Actions",
    "inv.totals": "Total",
    "inv.active": "Active",
    "inv.expires": "expires {at}",
    "inv.revoked": "Revoked",
    "inv.resend": "Send again",
    "inv.resend_named": "Send the invitation to {unit} again",
    "inv.revoke": "Revoke",
    "inv.revoke_named": "Revoke the invitation of {unit}",
    "inv.ask_resend": "Send the invitation to {unit} again? A new link is made and emailed to the contact; the old link stops working.",
    "inv.ask_revoke": "Revoke the invitation of {unit}? The link stops working; delegates already registered stay.",
    "inv.revoked_done": "Invitation revoked.",
    "inv.new": "Invite a unit",
    "inv.unit": "Unit",
    "inv.unit_hint": "Type part of the unit's name (accents optional), then pick it in the list.",
    "inv.unit_filter": "Filter the units",
    "inv.choose_unit": "Choose a unit…",
    "inv.seats": "Seats",
    "inv.expires_at": "Expires at",
    "inv.submit": "Invite",
    "inv.link_heading": "The link of {unit}",
    "inv.link_once": "This link is shown only once. Copy it and send it to the unit (or use Send again to email a new link).",
    "inv.no_units": "The directory has no units. Add units under Units first.",
  },
});

/** Lower case without Vietnamese diacritics, for filtering the unit list. */
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
}

export async function render(container, params, ctx) {
  const zone = ctx.conference.time_zone;
  const base = `/conferences/${params.id}/invitations`;
  const alert = h("p", { id: "inv-alert", role: "alert", class: "alert", hidden: true });
  const linkBox = h("div", { id: "inv-link", tabindex: "-1" });
  const confirmRegion = h("div", { id: "inv-confirm" });
  const ask = confirmer(confirmRegion);
  const listBox = h("div", { id: "inv-list" });
  const formBox = h("section", { "aria-labelledby": "inv-new-heading" });
  container.append(h("h2", {}, t("inv.heading")), alert, linkBox, confirmRegion, listBox, formBox);

  function showLink(unitName, token) {
    const url = `${location.origin}/invitation#token=${token}`;
    replace(
      linkBox,
      h(
        "div",
        { class: "panel" },
        h("h3", {}, t("inv.link_heading", { unit: unitName })),
        h("p", { class: "hint" }, t("inv.link_once")),
        copyableLink(url, "invitation-link"),
      ),
    );
    linkBox.focus();
  }

  async function loadList() {
    const invitations = await session.call(base);
    if (!invitations.length) {
      replace(listBox, h("p", { class: "muted" }, t("inv.empty")));
      return;
    }
    const sum = (k) => invitations.filter((i) => !i.revoked_at).reduce((n, i) => n + Number(i[k]), 0);
    replace(
      listBox,
      h(
        "table",
        { class: "data", id: "inv-table" },
        h("caption", { class: "visually-hidden" }, t("inv.caption")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("inv.col.unit")),
            ["seats", "registered", "confirmed"].map((k) => h("th", { scope: "col", class: "num" }, t(`inv.col.${k}`))),
            h("th", { scope: "col" }, t("inv.col.state")),
            h("th", { scope: "col" }, t("inv.col.actions")),
          ),
        ),
        h(
          "tbody",
          {},
          invitations.map((inv) =>
            h(
              "tr",
              { class: inv.revoked_at ? "revoked" : null },
              h("th", { scope: "row" }, inv.unit_name),
              h("td", { class: "num" }, String(inv.seats)),
              h("td", { class: "num" }, String(inv.registered)),
              h("td", { class: "num" }, String(inv.confirmed)),
              h(
                "td",
                {},
                inv.revoked_at
                  ? t("inv.revoked")
                  : [t("inv.active"), inv.expires_at ? ` (${t("inv.expires", { at: shortDateTime(inv.expires_at, zone) })})` : ""].join(""),
              ),
              h(
                "td",
                { class: "row-actions" },
                inv.revoked_at
                  ? null
                  : [
                      h(
                        "button",
                        {
                          type: "button",
                          class: "secondary",
                          "aria-label": t("inv.resend_named", { unit: inv.unit_name }),
                          onclick: () =>
                            ask(t("inv.ask_resend", { unit: inv.unit_name }), t("inv.resend"), async () => {
                              try {
                                const sent = await session.call(`${base}/${inv.id}/resend`, { method: "POST" });
                                showLink(inv.unit_name, sent.token);
                              } catch (error) {
                                showAlert(alert, errorMessage(error));
                              }
                            }),
                        },
                        t("inv.resend"),
                      ),
                      " ",
                      h(
                        "button",
                        {
                          type: "button",
                          class: "secondary",
                          "aria-label": t("inv.revoke_named", { unit: inv.unit_name }),
                          onclick: () =>
                            ask(t("inv.ask_revoke", { unit: inv.unit_name }), t("inv.revoke"), async () => {
                              try {
                                await session.call(`${base}/${inv.id}/revoke`, { method: "POST" });
                                await loadList();
                                showAlert(alert, t("inv.revoked_done"), "ok");
                              } catch (error) {
                                showAlert(alert, errorMessage(error));
                              }
                            }, "danger"),
                        },
                        t("inv.revoke"),
                      ),
                    ],
              ),
            ),
          ),
        ),
        h(
          "tfoot",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "row" }, t("inv.totals")),
            ["seats", "registered", "confirmed"].map((k) => h("td", { class: "num" }, String(sum(k)))),
            h("td", {}),
            h("td", {}),
          ),
        ),
      ),
    );
  }

  // The form: a filter box narrowing a <select> of every unit (accent-insensitive).
  const units = await listAll("/units");
  if (!units.length) {
    formBox.append(h("h3", { id: "inv-new-heading" }, t("inv.new")), h("p", { class: "muted" }, t("inv.no_units")));
  } else {
    const unitSelect = h("select", { id: "inv-unit_id", name: "unit_id" });
    const fillUnits = (filter) => {
      const f = fold(filter.trim());
      const chosen = unitSelect.value;
      unitSelect.replaceChildren(h("option", { value: "" }, t("inv.choose_unit")));
      const matching = units.filter((u) => !f || fold(u.name).includes(f)).sort((a, b) => a.name.localeCompare(b.name, "vi"));
      for (const u of matching) unitSelect.append(h("option", { value: u.id, selected: u.id === chosen }, u.name));
      if (matching.length === 1) unitSelect.value = matching[0].id;
    };
    const filter = h("input", { type: "search", id: "inv-unit-filter", "aria-describedby": "inv-unit-hint" });
    filter.addEventListener("input", () => fillUnits(filter.value));
    fillUnits("");
    const seats = h("input", { type: "number", id: "inv-seats", name: "seats", min: 1, max: 10000, value: 2 });
    const expires = h("input", { type: "datetime-local", id: "inv-expires_at", name: "expires_at" });
    const formAlert = h("div", { id: "inv-form-alert", role: "alert", class: "alert", hidden: true, tabindex: "-1" });
    const submit = h("button", { type: "submit" }, t("inv.submit"));
    const form = h(
      "form",
      { novalidate: true, class: "panel" },
      formAlert,
      h(
        "div",
        { class: "field" },
        h("label", { for: "inv-unit-filter" }, t("inv.unit_filter")),
        h("p", { class: "hint", id: "inv-unit-hint" }, t("inv.unit_hint")),
        filter,
      ),
      field(unitSelect, t("inv.unit")),
      h("div", { class: "grid2" }, field(seats, t("inv.seats")), field(expires, t("inv.expires_at"), { optional: true })),
      h("div", { class: "actions" }, submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      formAlert.hidden = true;
      const body = { unit_id: unitSelect.value, seats: Number(seats.value) };
      if (!body.unit_id) {
        showFormError(form, formAlert, { code: "validation_failed", fields: { unit_id: { code: "required" } } });
        return;
      }
      const at = fromLocalInput(expires.value, zone);
      if (at) body.expires_at = at;
      submit.disabled = true;
      try {
        const made = await session.call(base, { body });
        showLink(made.invitation.unit_name, made.token);
        await loadList();
        form.reset();
        fillUnits("");
      } catch (error) {
        showFormError(form, formAlert, error);
      } finally {
        submit.disabled = false;
      }
    });
    formBox.append(h("h3", { id: "inv-new-heading" }, t("inv.new")), form);
  }
  await loadList();
}
