// The delegate pages' landing page: a conference code leads to its registration page.
import { addMessages, languageSwitch, t, translatePage } from "/app/shared/i18n.js";

addMessages({
  vi: {
    "home.title": "Đăng ký hội nghị",
    "home.intro": "Nhập mã hội nghị do ban tổ chức cung cấp để xem chương trình và đăng ký.",
    "home.code": "Mã hội nghị",
    "home.open": "Mở trang đăng ký",
    "home.links": "Đại biểu đã đăng ký và đơn vị được mời: hãy mở đường liên kết trong email đã nhận.",
    "home.code_required": "Vui lòng nhập mã hội nghị.",
  },
  en: {
    "home.title": "Conference registration",
    "home.intro": "Enter the conference code the organizers gave you to see the agenda and register.",
    "home.code": "Conference code",
    "home.open": "Open the registration page",
    "home.links": "Registered delegates and invited units: open the link in the email you received.",
    "home.code_required": "Please enter the conference code.",
  },
});

translatePage();
languageSwitch(document.getElementById("lang-switch"));

document.getElementById("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("code");
  const error = document.getElementById("code-error");
  const code = input.value.trim().toLowerCase();
  if (!code) {
    input.setAttribute("aria-invalid", "true");
    error.textContent = t("home.code_required");
    error.hidden = false;
    input.focus();
    return;
  }
  location.assign(`/r/${encodeURIComponent(code)}`);
});
