// Sign in with email and password; then back to the screen that asked for it.

import { addMessages, t } from "../../shared/i18n.js";
import { h, showAlert } from "../../shared/dom.js";
import { errorMessage } from "../../shared/errors.js";
import * as session from "../session.js";

addMessages({
  vi: {
    "signin.heading": "Đăng nhập",
    "signin.email": "Email",
    "signin.password": "Mật khẩu",
    "signin.submit": "Đăng nhập",
    "signin.wrong": "Email hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa.",
    "signin.missing": "Vui lòng nhập email và mật khẩu.",
  },
  en: {
    "signin.heading": "Sign in",
    "signin.email": "Email",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.wrong": "Wrong email or password, or the account is disabled.",
    "signin.missing": "Please enter your email and password.",
  },
});

export async function render(container, _params, ctx) {
  const error = h("p", { id: "signin-error", role: "alert", class: "alert error", hidden: true });
  const email = h("input", { type: "email", id: "signin-email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", id: "signin-password", name: "password", autocomplete: "current-password", required: true });
  const button = h("button", { type: "submit", class: "primary" }, t("signin.submit"));
  const form = h(
    "form",
    { novalidate: true, class: "panel", "aria-describedby": "signin-error" },
    h("div", { class: "field" }, h("label", { for: "signin-email" }, t("signin.email")), email),
    h("div", { class: "field" }, h("label", { for: "signin-password" }, t("signin.password")), password),
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!email.value.trim() || !password.value) return showAlert(error, t("signin.missing"));
    button.disabled = true;
    try {
      await session.signIn(email.value.trim(), password.value);
      const next = ctx.query.get("next");
      ctx.navigate(next && next.startsWith("#/") && !next.startsWith("#/signin") ? next : "#/conferences");
    } catch (e) {
      showAlert(error, e.status === 401 ? t("signin.wrong") : errorMessage(e));
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  container.append(h("div", { class: "narrow" }, h("h1", {}, t("signin.heading")), error, form));
  email.focus();
}
