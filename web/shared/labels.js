// Names a person reads for the API's enum values: registration status, delegate category.

import { addMessages, t } from "./i18n.js";

export const CATEGORIES = ["guest", "agency", "district", "commune", "enterprise", "expert", "speaker", "press", "staff"];

addMessages({
  vi: {
    "status.confirmed": "Đã xác nhận",
    "status.waitlisted": "Trong danh sách chờ",
    "status.pending_approval": "Chờ ban tổ chức duyệt",
    "status.cancelled": "Đã hủy",
    "status.rejected": "Không được duyệt",
    "category.guest": "Khách mời",
    "category.agency": "Cơ quan, sở, ngành",
    "category.district": "Huyện, thành phố",
    "category.commune": "Xã, phường, thị trấn",
    "category.enterprise": "Doanh nghiệp, cơ sở sản xuất",
    "category.expert": "Chuyên gia",
    "category.speaker": "Báo cáo viên",
    "category.press": "Báo chí",
    "category.staff": "Ban tổ chức",
  },
  en: {
    "status.confirmed": "Confirmed",
    "status.waitlisted": "On the waiting list",
    "status.pending_approval": "Awaiting the organizers' approval",
    "status.cancelled": "Cancelled",
    "status.rejected": "Not approved",
    "category.guest": "Guest",
    "category.agency": "Agency, department",
    "category.district": "District, city",
    "category.commune": "Commune, ward, town",
    "category.enterprise": "Enterprise, production facility",
    "category.expert": "Expert",
    "category.speaker": "Speaker",
    "category.press": "Press",
    "category.staff": "Organizing staff",
  },
});

export function statusLabel(status) {
  return t(`status.${status}`);
}

export function categoryLabel(category) {
  return t(`category.${category}`);
}

/** Fills a `<select>` with the categories, keeping its current choice. */
export function fillCategories(select, chosen = select.value) {
  select.replaceChildren();
  for (const category of CATEGORIES) {
    const option = document.createElement("option");
    option.value = category;
    option.textContent = categoryLabel(category);
    option.selected = category === chosen;
    select.append(option);
  }
}
