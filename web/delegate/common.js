// Messages shared by the delegate pages (registration result, own page, invitation page).
import { addMessages } from "/app/shared/i18n.js";
import "/app/shared/person.js";

addMessages({
  vi: {
    "reg.status": "Trạng thái:",
    "reg.reference": "Mã đăng ký:",
    "reg.qr_alt": "Mã QR điểm danh của bạn",
    "reg.qr_hint": "Đưa mã QR này cho cán bộ tại cửa để điểm danh.",
  },
  en: {
    "reg.status": "Status:",
    "reg.reference": "Reference:",
    "reg.qr_alt": "Your check-in QR code",
    "reg.qr_hint": "Show this QR code at the door to check in.",
  },
});
