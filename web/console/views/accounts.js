// Accounts (administrators only): the list, creating an organizer (or an administrator),
// disabling and enabling an account.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { errorMessage } from "../../shared/errors.js";
import * as session from "../session.js";
import { confirmer, field, listAll, select, shortDateTime, showFormError } from "./setup-common.js";

addMessages({
  vi: {
    "accounts.heading": "Tài khoản",
    "accounts.caption": "Các tài khoản",
    "accounts.col.name": "Tên",
    "accounts.col.email": "Email",
    "accounts.col.role": "Vai trò",
    "accounts.col.state": "Tình trạng",
    "accounts.col.created": "Tạo lúc",
    "accounts.col.actions": "Thao tác",
    "accounts.active": "Đang dùng",
    "accounts.disabled": "Đã khóa",
    "accounts.disable": "Khóa",
    "accounts.enable": "Mở khóa",
    "accounts.disable_named": "Khóa tài khoản {email}",
    "accounts.enable_named": "Mở khóa tài khoản {email}",
    "accounts.ask_disable": "Khóa tài khoản {email}? Người này sẽ không đăng nhập được và phiên đang mở bị từ chối.",
    "accounts.new": "Tạo tài khoản",
    "accounts.display_name": "Họ tên hoặc tên đơn vị",
    "accounts.email": "Email đăng nhập",
    "accounts.password": "Mật khẩu ban đầu",
    "accounts.password_hint": "Ít nhất 10 ký tự. Hãy gửi cho người dùng qua kênh riêng.",
    "accounts.role": "Vai trò",
    "accounts.submit": "Tạo tài khoản",
    "accounts.created": "Đã tạo tài khoản {email}.",
  },
  en: {
    "accounts.heading": "Accounts",
    "accounts.caption": "Accounts",
    "accounts.col.name": "Name",
    "accounts.col.email": "Email",
    "accounts.col.role": "Role",
    "accounts.col.state": "State",
    "accounts.col.created": "Created",
    "accounts.col.actions": "Actions",
    "accounts.active": "Active",
    "accounts.disabled": "Disabled",
    "accounts.disable": "Disable",
    "accounts.enable": "Enable",
    "accounts.disable_named": "Disable the account {email}",
    "accounts.enable_named": "Enable the account {email}",
    "accounts.ask_disable": "Disable the account {email}? It can no longer sign in and its open sessions are refused.",
    "accounts.new": "New account",
    "accounts.display_name": "Name (person or unit)",
    "accounts.email": "Sign-in email",
    "accounts.password": "First password",
    "accounts.password_hint": "At least 10 characters. Send it to the person separately.",
    "accounts.role": "Role",
    "accounts.submit": "Create the account",
    "accounts.created": "Account {email} created.",
  },
});

export async function render(container) {
  const alert = h("p", { id: "accounts-alert", role: "alert", class: "alert", hidden: true });
  const confirmRegion = h("div", { id: "accounts-confirm" });
  const ask = confirmer(confirmRegion);
  const listBox = h("div", { id: "accounts-list" });
  const me = session.current()?.account?.id;

  async function setDisabled(account, disable) {
    try {
      await session.call(`/accounts/${account.id}/${disable ? "disable" : "enable"}`, { method: "POST" });
      await loadList();
    } catch (error) {
      showAlert(alert, errorMessage(error));
    }
  }

  async function loadList() {
    const accounts = await listAll("/accounts");
    replace(
      listBox,
      h(
        "table",
        { class: "data" },
        h("caption", { class: "visually-hidden" }, t("accounts.caption")),
        h(
          "thead",
          {},
          h("tr", {}, ["name", "email", "role", "state", "created", "actions"].map((k) => h("th", { scope: "col" }, t(`accounts.col.${k}`)))),
        ),
        h(
          "tbody",
          {},
          accounts.map((a) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, a.display_name),
              h("td", {}, a.email),
              h("td", {}, t(`role.${a.role}`)),
              h("td", {}, a.disabled ? t("accounts.disabled") : t("accounts.active")),
              h("td", {}, shortDateTime(a.created_at, "Asia/Ho_Chi_Minh")),
              h(
                "td",
                {},
                a.id === me
                  ? null
                  : a.disabled
                    ? h("button", { type: "button", class: "secondary", "aria-label": t("accounts.enable_named", { email: a.email }), onclick: () => setDisabled(a, false) }, t("accounts.enable"))
                    : h(
                        "button",
                        {
                          type: "button",
                          class: "secondary",
                          "aria-label": t("accounts.disable_named", { email: a.email }),
                          onclick: () => ask(t("accounts.ask_disable", { email: a.email }), t("accounts.disable"), () => setDisabled(a, true), "danger"),
                        },
                        t("accounts.disable"),
                      ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  const input = (name, type = "text", attrs = {}) => h("input", { type, id: `acc-${name}`, name, ...attrs });
  const formAlert = h("div", { id: "acc-form-alert", role: "alert", class: "alert", hidden: true, tabindex: "-1" });
  const submit = h("button", { type: "submit" }, t("accounts.submit"));
  const form = h(
    "form",
    { novalidate: true, class: "panel", "aria-labelledby": "acc-new-heading" },
    h("h2", { id: "acc-new-heading" }, t("accounts.new")),
    formAlert,
    h(
      "div",
      { class: "grid2" },
      field(input("display_name", "text", { maxlength: 200 }), t("accounts.display_name")),
      field(input("email", "email", { maxlength: 254, autocomplete: "off" }), t("accounts.email")),
      field(input("password", "password", { minlength: 10, autocomplete: "new-password" }), t("accounts.password"), { hint: t("accounts.password_hint") }),
      field(select("acc-role", "role", ["organizer", "admin"].map((r) => [r, t(`role.${r}`)]), "organizer"), t("accounts.role")),
    ),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formAlert.hidden = true;
    const body = {
      display_name: form.elements.display_name.value.trim(),
      email: form.elements.email.value.trim(),
      password: form.elements.password.value,
      role: form.elements.role.value,
    };
    submit.disabled = true;
    try {
      const made = await session.call("/accounts", { body });
      form.reset();
      await loadList();
      showAlert(alert, t("accounts.created", { email: made.email }), "ok");
    } catch (error) {
      showFormError(form, formAlert, error);
    } finally {
      submit.disabled = false;
    }
  });

  container.append(h("h1", {}, t("accounts.heading")), alert, confirmRegion, listBox, form);
  await loadList();
}
