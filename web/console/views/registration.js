// One registration: the person and their status, editing with If-Match (412: someone else
// changed it), approve / reject / cancel, and its history: substitutions, session sign-ups
// (made or withdrawn here), check-ins with undo (a reason is required) and audit entries.

import { addMessages, t } from "../../shared/i18n.js";
import { h, replace, showAlert } from "../../shared/dom.js";
import { clearFieldErrors, errorMessage, showFieldErrors } from "../../shared/errors.js";
import { CATEGORIES, categoryLabel, fillCategories, statusLabel } from "../../shared/labels.js";
import * as session from "../session.js";
import { ensureStyles, field, label, table, when } from "./day-common.js";

addMessages({
  vi: {
    "registration.back": "‹ Danh sách đại biểu",
    "registration.data": "Thông tin đại biểu",
    "registration.reference": "Mã đăng ký",
    "registration.number": "Số thứ tự",
    "registration.status": "Trạng thái",
    "registration.source": "Nguồn",
    "registration.created": "Đăng ký lúc",
    "registration.updated": "Cập nhật lúc",
    "registration.full_name": "Họ và tên",
    "registration.position": "Chức vụ",
    "registration.unit": "Đơn vị",
    "registration.no_unit": "Không thuộc đơn vị trong danh mục",
    "registration.organization": "Tổ chức (ngoài danh mục)",
    "registration.category": "Thành phần",
    "registration.email": "Email",
    "registration.phone": "Điện thoại",
    "registration.edit": "Sửa thông tin",
    "registration.save": "Lưu",
    "registration.saved": "Đã lưu.",
    "registration.stale": "Thông tin này vừa được người khác thay đổi. Tải lại để xem bản mới rồi sửa lại.",
    "registration.reload": "Tải lại",
    "registration.actions": "Thao tác",
    "registration.approve": "Duyệt",
    "registration.reject": "Không duyệt",
    "registration.cancel": "Hủy đăng ký",
    "registration.confirm_cancel": "Hủy đăng ký của {name}?",
    "registration.confirm_reject": "Không duyệt đăng ký của {name}?",
    "registration.done": "Trạng thái mới: {status}.",
    "registration.history": "Lịch sử",
    "registration.substitutions": "Thay người",
    "registration.no_substitutions": "Chưa thay người lần nào.",
    "registration.col_when": "Lúc",
    "registration.col_previous": "Người trước",
    "registration.col_new": "Người thay",
    "registration.col_by": "Người thực hiện",
    "registration.by.invitation": "Đơn vị (qua thư mời)",
    "registration.by.organizer": "Ban tổ chức",
    "registration.by.door": "Tại cửa",
    "registration.sessions": "Đăng ký phiên",
    "registration.no_signup_sessions": "Không có phiên nào cần đăng ký riêng.",
    "registration.sign_up": "Đăng ký phiên",
    "registration.withdraw": "Rút khỏi phiên",
    "registration.signed_up": "Đã đăng ký phiên “{title}”.",
    "registration.withdrawn": "Đã rút khỏi phiên “{title}”.",
    "registration.is_signed_up": "Đã đăng ký",
    "registration.not_signed_up": "Chưa đăng ký",
    "registration.checkins": "Điểm danh",
    "registration.no_checkins": "Chưa có lượt điểm danh nào.",
    "registration.col_where": "Nơi",
    "registration.col_direction": "Chiều",
    "registration.col_method": "Cách",
    "registration.col_outcome": "Kết quả",
    "registration.col_undo": "Hủy lượt",
    "registration.door": "Cửa hội trường",
    "registration.undone": "Đã hủy {at}: {reason}",
    "registration.undo": "Hủy lượt này",
    "registration.undo_reason": "Lý do hủy lượt điểm danh",
    "registration.undo_confirm": "Xác nhận hủy lượt",
    "registration.undo_ok": "Đã hủy lượt điểm danh.",
    "registration.audit": "Nhật ký thay đổi",
    "registration.no_audit": "Không có mục nào.",
    "registration.col_action": "Thao tác",
    "registration.col_fields": "Trường",
    "registration.col_actor": "Ai",
    "registration.files": "Tệp",
    "registration.badge": "Thẻ đại biểu (PDF)",
    "registration.certificate": "Giấy chứng nhận (PDF)",
    "registration.qr_alt": "Mã QR điểm danh của {name}",
    "audit_action.insert": "Tạo",
    "audit_action.update": "Sửa",
    "audit_action.delete": "Xóa",
    "audit_action.erase": "Xóa dữ liệu cá nhân",
    "actor.account": "Tài khoản",
    "actor.device": "Thiết bị",
    "actor.delegate": "Đại biểu (đường liên kết)",
    "actor.invitation": "Đơn vị (thư mời)",
    "actor.public": "Công khai",
    "actor.system": "Hệ thống",
  },
  en: {
    "registration.back": "‹ Delegates",
    "registration.data": "The delegate",
    "registration.reference": "Reference",
    "registration.number": "Number",
    "registration.status": "Status",
    "registration.source": "Source",
    "registration.created": "Registered at",
    "registration.updated": "Updated at",
    "registration.full_name": "Full name",
    "registration.position": "Position",
    "registration.unit": "Unit",
    "registration.no_unit": "Not a unit of the directory",
    "registration.organization": "Organisation (outside the directory)",
    "registration.category": "Category",
    "registration.email": "Email",
    "registration.phone": "Phone",
    "registration.edit": "Edit",
    "registration.save": "Save",
    "registration.saved": "Saved.",
    "registration.stale": "Someone else changed this meanwhile. Reload to see their version, then edit again.",
    "registration.reload": "Reload",
    "registration.actions": "Actions",
    "registration.approve": "Approve",
    "registration.reject": "Reject",
    "registration.cancel": "Cancel the registration",
    "registration.confirm_cancel": "Cancel the registration of {name}?",
    "registration.confirm_reject": "Reject the registration of {name}?",
    "registration.done": "New status: {status}.",
    "registration.history": "History",
    "registration.substitutions": "Substitutions",
    "registration.no_substitutions": "No substitution.",
    "registration.col_when": "When",
    "registration.col_previous": "Previous person",
    "registration.col_new": "Replaced by",
    "registration.col_by": "By",
    "registration.by.invitation": "The unit (invitation link)",
    "registration.by.organizer": "The organizers",
    "registration.by.door": "At the door",
    "registration.sessions": "Session sign-ups",
    "registration.no_signup_sessions": "No session needs a separate sign-up.",
    "registration.sign_up": "Sign up",
    "registration.withdraw": "Withdraw",
    "registration.signed_up": "Signed up for “{title}”.",
    "registration.withdrawn": "Withdrawn from “{title}”.",
    "registration.is_signed_up": "Signed up",
    "registration.not_signed_up": "Not signed up",
    "registration.checkins": "Check-ins",
    "registration.no_checkins": "No check-in yet.",
    "registration.col_where": "Where",
    "registration.col_direction": "Direction",
    "registration.col_method": "Method",
    "registration.col_outcome": "Outcome",
    "registration.col_undo": "Undo",
    "registration.door": "Conference door",
    "registration.undone": "Undone {at}: {reason}",
    "registration.undo": "Undo this check-in",
    "registration.undo_reason": "Why is this check-in undone",
    "registration.undo_confirm": "Undo the check-in",
    "registration.undo_ok": "Check-in undone.",
    "registration.audit": "Audit log",
    "registration.no_audit": "No entries.",
    "registration.col_action": "Action",
    "registration.col_fields": "Fields",
    "registration.col_actor": "Who",
    "registration.files": "Files",
    "registration.badge": "Name badge (PDF)",
    "registration.certificate": "Certificate (PDF)",
    "registration.qr_alt": "Check-in QR code of {name}",
    "audit_action.insert": "Created",
    "audit_action.update": "Changed",
    "audit_action.delete": "Deleted",
    "audit_action.erase": "Personal data erased",
    "actor.account": "Account",
    "actor.device": "Device",
    "actor.delegate": "Delegate (link)",
    "actor.invitation": "Unit (invitation)",
    "actor.public": "Public",
    "actor.system": "System",
  },
});

async function readWithEtag(path) {
  const response = await session.fetchWithToken(path, { headers: { Accept: "application/json" } });
  return { data: await response.json(), etag: response.headers.get("ETag") };
}

export async function render(container, params, ctx) {
  ensureStyles();
  const conferenceId = params.id;
  const path = `/conferences/${conferenceId}/registrations/${params.rid}`;
  const tz = ctx.conference.time_zone;
  const urls = [];
  const [{ data: first, etag: firstEtag }, sessionsPage, unitsPage] = await Promise.all([
    readWithEtag(path),
    session.call(`/conferences/${conferenceId}/sessions?limit=500`).catch(() => ({ items: [] })),
    session.call("/units?limit=500").catch(() => ({ items: [] })),
  ]);
  let reg = first;
  let etag = firstEtag;
  const sessions = sessionsPage.items;
  const units = [...unitsPage.items].sort((a, b) => a.name.localeCompare(b.name, "vi"));

  const alert = h("div", { id: "registration-alert", role: "alert", class: "alert", hidden: true });
  const heading = h("h2", { id: "registration-name" });
  const facts = h("dl", { class: "facts", id: "registration-facts" });
  const actions = h("div", { class: "actions", id: "registration-actions" });
  const history = h("div", { id: "registration-history" });

  // The edit form.
  const inputs = {
    full_name: h("input", { type: "text", id: "edit-full-name", name: "full_name", maxlength: 200, required: true }),
    position: h("input", { type: "text", id: "edit-position", name: "position", maxlength: 200 }),
    unit_id: h("select", { id: "edit-unit", name: "unit_id" }),
    organization: h("input", { type: "text", id: "edit-organization", name: "organization", maxlength: 300 }),
    category: h("select", { id: "edit-category", name: "category" }),
    email: h("input", { type: "email", id: "edit-email", name: "email", maxlength: 254 }),
    phone: h("input", { type: "tel", id: "edit-phone", name: "phone", maxlength: 32 }),
  };
  const editError = h("p", { id: "edit-error", role: "alert", class: "alert", hidden: true });
  const reloadButton = h("button", { type: "button", class: "secondary", id: "edit-reload", hidden: true }, t("registration.reload"));
  const editForm = h(
    "form",
    { class: "panel", id: "edit-form", novalidate: true },
    h("h3", {}, t("registration.edit")),
    editError,
    reloadButton,
    h(
      "div",
      { class: "grid2" },
      field(t("registration.full_name"), inputs.full_name),
      field(t("registration.position"), inputs.position),
      field(t("registration.unit"), inputs.unit_id),
      field(t("registration.organization"), inputs.organization),
      field(t("registration.category"), inputs.category),
      field(t("registration.email"), inputs.email),
      field(t("registration.phone"), inputs.phone),
    ),
    h("button", { type: "submit", class: "primary" }, t("registration.save")),
  );

  function fillForm() {
    inputs.full_name.value = reg.full_name;
    inputs.position.value = reg.position || "";
    inputs.organization.value = reg.organization || "";
    inputs.email.value = reg.email || "";
    inputs.phone.value = reg.phone || "";
    fillCategories(inputs.category, reg.category);
    const options = [h("option", { value: "" }, t("registration.no_unit"))];
    if (reg.unit_id && !units.some((u) => u.id === reg.unit_id)) options.push(h("option", { value: reg.unit_id }, reg.unit_name || reg.unit_id));
    for (const u of units) options.push(h("option", { value: u.id }, u.name));
    replace(inputs.unit_id, options);
    inputs.unit_id.value = reg.unit_id || "";
  }

  editForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(editForm);
    editError.hidden = true;
    const text = (input) => input.value.trim() || null;
    const patch = {
      full_name: inputs.full_name.value.trim(),
      position: text(inputs.position),
      unit_id: inputs.unit_id.value || null,
      organization: text(inputs.organization),
      category: inputs.category.value,
      email: text(inputs.email),
      phone: text(inputs.phone),
    };
    const button = editForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await session.fetchWithToken(path, {
        method: "PATCH",
        headers: { "Content-Type": "application/json", Accept: "application/json", "If-Match": etag || "*" },
        body: JSON.stringify(patch),
      });
      etag = response.headers.get("ETag") || etag;
      await reloadAll();
      showAlert(editError, t("registration.saved"), "ok");
    } catch (error) {
      if (error.status === 412) {
        showAlert(editError, t("registration.stale"), "warn");
        reloadButton.hidden = false;
        reloadButton.focus();
      } else {
        const rest = showFieldErrors(editForm, error.fields);
        if (!Object.keys(error.fields || {}).length || Object.keys(rest).length) showAlert(editError, errorMessage(error));
        else showAlert(editError, t("error.validation_failed"));
      }
    } finally {
      button.disabled = false;
    }
  });
  reloadButton.addEventListener("click", async () => {
    reloadButton.hidden = true;
    editError.hidden = true;
    await reloadAll();
  });

  function drawFacts() {
    heading.textContent = reg.full_name;
    const row = (key, value) => [h("dt", {}, t(key)), h("dd", {}, value || t("day.none"))];
    replace(
      facts,
      row("registration.reference", reg.reference),
      row("registration.number", String(reg.number)),
      row("registration.status", h("span", { class: `status ${reg.status}`, id: "registration-status" }, statusLabel(reg.status))),
      row("registration.source", label("source", reg.source)),
      row("registration.position", reg.position),
      row("registration.unit", reg.unit_name),
      row("registration.organization", reg.organization),
      row("registration.category", categoryLabel(reg.category)),
      row("registration.email", reg.email),
      row("registration.phone", reg.phone),
      row("registration.created", when(reg.created_at, tz)),
      row("registration.updated", when(reg.updated_at, tz)),
    );
    const doAction = (action, key) => {
      const b = h("button", { type: "button", id: `registration-${action}`, class: action === "approve" ? null : action === "cancel" ? "danger" : "secondary" }, t(key));
      b.addEventListener("click", async () => {
        if (action !== "approve" && !confirm(t(`registration.confirm_${action}`, { name: reg.full_name }))) return;
        b.disabled = true;
        try {
          const updated = await session.call(`${path}/${action}`, { method: "POST" });
          await reloadAll();
          showAlert(alert, t("registration.done", { status: statusLabel(updated.status || reg.status) }), "ok");
        } catch (error) {
          showAlert(alert, errorMessage(error));
          b.disabled = false;
        }
      });
      return b;
    };
    const live = ["pending_approval", "confirmed", "waitlisted"].includes(reg.status);
    replace(
      actions,
      reg.status === "pending_approval" ? doAction("approve", "registration.approve") : null,
      reg.status === "pending_approval" ? doAction("reject", "registration.reject") : null,
      live ? doAction("cancel", "registration.cancel") : null,
      file("registration-badge", "registration.badge", `/conferences/${conferenceId}/badges.pdf?layout=single&registration_id=${reg.id}`, `the-${reg.reference}.pdf`),
      file("registration-certificate", "registration.certificate", `${path}/certificate.pdf`, `chung-nhan-${reg.reference}.pdf`),
    );
  }

  function file(idAttr, key, url, name) {
    const b = h("button", { type: "button", class: "secondary", id: idAttr }, t(key));
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await session.download(url, name);
      } catch (error) {
        showAlert(alert, errorMessage(error));
      } finally {
        b.disabled = false;
      }
    });
    return b;
  }

  async function drawHistory() {
    const [checkins, audit, signedUp] = await Promise.all([
      session.call(`${path}/checkins`).catch(() => []),
      session.call(`/conferences/${conferenceId}/audit?entity_id=${reg.id}&limit=50`).catch(() => ({ items: [] })),
      session.call(`${path}/sessions`).catch(() => []),
    ]);
    const titles = new Map(sessions.map((s) => [s.id, s.title]));

    const subs = reg.substitutions.length
      ? table(
          { text: t("registration.substitutions"), hidden: true },
          [t("registration.col_when"), t("registration.col_previous"), t("registration.col_new"), t("registration.col_by")],
          reg.substitutions.map((s) => [
            when(s.substituted_at || s.created_at || s.at, tz),
            [s.previous_name, s.previous_position, s.previous_email, s.previous_phone].filter(Boolean).join(" · "),
            s.new_name,
            [label("registration.by", s.by), s.device_name].filter(Boolean).join(" · "),
          ]),
          { id: "registration-substitutions" },
        )
      : h("p", { class: "muted" }, t("registration.no_substitutions"));

    const signupSessions = sessions.filter((s) => s.signup_required);
    const mine = new Set(signedUp);
    const signups = signupSessions.length
      ? h(
          "ul",
          { class: "plain", id: "registration-sessions" },
          signupSessions.map((s) => {
            const joined = mine.has(s.id);
            const act = h(
              "button",
              { type: "button", class: "secondary small", "aria-label": `${t(joined ? "registration.withdraw" : "registration.sign_up")}: ${s.title}` },
              t(joined ? "registration.withdraw" : "registration.sign_up"),
            );
            act.addEventListener("click", async () => {
              act.disabled = true;
              try {
                await session.call(`${path}/sessions/${s.id}`, { method: joined ? "DELETE" : "PUT" });
                showAlert(alert, t(joined ? "registration.withdrawn" : "registration.signed_up", { title: s.title }), "ok");
                await drawHistory();
              } catch (error) {
                showAlert(alert, errorMessage(error));
                act.disabled = false;
              }
            });
            return h(
              "li",
              { dataset: { sessionId: s.id } },
              h("span", { class: `tag${joined ? " joined" : ""}` }, t(joined ? "registration.is_signed_up" : "registration.not_signed_up")),
              " ",
              s.title,
              " ",
              act,
            );
          }),
        )
      : h("p", { class: "muted" }, t("registration.no_signup_sessions"));

    const checkinRows = checkins.map((c) => {
      let undo = "";
      if (c.undone_at) undo = t("registration.undone", { at: when(c.undone_at, tz), reason: c.undo_reason || "" });
      else if (c.outcome === "ok") {
        const reasonId = `undo-reason-${c.id}`;
        const reason = h("input", { type: "text", id: reasonId, name: "reason", maxlength: 500, required: true, "aria-describedby": `${reasonId}-error` });
        const form = h(
          "form",
          { class: "undo-form", novalidate: true },
          h("label", { for: reasonId }, t("registration.undo_reason")),
          reason,
          h("p", { id: `${reasonId}-error`, class: "field-error", hidden: true }),
          h("button", { type: "submit", class: "danger small" }, t("registration.undo_confirm")),
        );
        form.hidden = true;
        const open = h("button", { type: "button", class: "secondary small" }, t("registration.undo"));
        open.addEventListener("click", () => {
          form.hidden = false;
          open.hidden = true;
          reason.focus();
        });
        form.addEventListener("submit", async (event) => {
          event.preventDefault();
          clearFieldErrors(form);
          if (!reason.value.trim()) return showFieldErrors(form, { reason: { code: "required" } });
          try {
            await session.call(`/conferences/${conferenceId}/checkins/${c.id}/undo`, { body: { reason: reason.value.trim() } });
            showAlert(alert, t("registration.undo_ok"), "ok");
            await drawHistory();
          } catch (error) {
            const rest = showFieldErrors(form, error.fields);
            if (!Object.keys(error.fields || {}).length || Object.keys(rest).length) showAlert(alert, errorMessage(error));
          }
        });
        undo = h("div", {}, open, form);
      }
      return h(
        "tr",
        { dataset: { checkinId: c.id } },
        h("td", {}, when(c.occurred_at, tz)),
        h("td", {}, c.session_id ? titles.get(c.session_id) || c.session_id : t("registration.door")),
        h("td", {}, label("direction", c.direction)),
        h("td", {}, label("method", c.method)),
        h("td", {}, label("outcome", c.outcome), c.conflict ? ` (${c.conflict})` : ""),
        h("td", {}, undo),
      );
    });
    const checkinTable = checkins.length
      ? table(
          { text: t("registration.checkins"), hidden: true },
          ["col_when", "col_where", "col_direction", "col_method", "col_outcome", "col_undo"].map((k) => t(`registration.${k}`)),
          checkinRows,
          { id: "registration-checkins" },
        )
      : h("p", { class: "muted" }, t("registration.no_checkins"));

    const auditTable = audit.items.length
      ? table(
          { text: t("registration.audit"), hidden: true },
          [t("registration.col_when"), t("registration.col_action"), t("registration.col_fields"), t("registration.col_actor")],
          audit.items.map((e) => [
            when(e.at, tz),
            [label("audit_action", e.action), e.entity === "registrations" ? null : e.entity].filter(Boolean).join(" · "),
            e.fields.join(", "),
            [label("actor", e.actor_kind), e.actor_role ? label("role", e.actor_role) : null].filter(Boolean).join(" · "),
          ]),
          { id: "registration-audit" },
        )
      : h("p", { class: "muted" }, t("registration.no_audit"));

    replace(
      history,
      h("h3", {}, t("registration.substitutions")),
      subs,
      h("h3", {}, t("registration.sessions")),
      signups,
      h("h3", {}, t("registration.checkins")),
      h("div", { class: "table-wrap" }, checkinTable),
      h("h3", {}, t("registration.audit")),
      h("div", { class: "table-wrap" }, auditTable),
    );
  }

  async function reloadAll() {
    const fresh = await readWithEtag(path);
    reg = fresh.data;
    etag = fresh.etag;
    drawFacts();
    fillForm();
    await drawHistory();
  }

  const qr = h("img", { class: "qr", id: "registration-qr", alt: t("registration.qr_alt", { name: reg.full_name }) });
  container.append(
    h("p", {}, h("a", { href: `#/conferences/${conferenceId}/registrations` }, t("registration.back"))),
    heading,
    alert,
    h(
      "div",
      { class: "registration-top" },
      h("section", { class: "panel", "aria-labelledby": "registration-data-heading" }, h("h3", { id: "registration-data-heading" }, t("registration.data")), facts),
      qr,
    ),
    h("section", { "aria-labelledby": "registration-actions-heading" }, h("h3", { id: "registration-actions-heading", class: "visually-hidden" }, t("registration.actions")), actions),
    editForm,
    h("section", { "aria-labelledby": "registration-history-heading" }, h("h2", { id: "registration-history-heading" }, t("registration.history")), history),
  );
  drawFacts();
  fillForm();
  await drawHistory();
  session
    .fetchWithToken(`${path}/qr.svg`)
    .then((r) => r.blob())
    .then((blob) => {
      const url = URL.createObjectURL(blob);
      urls.push(url);
      qr.src = url;
    })
    .catch(() => qr.remove());
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
