// The delegate's own page /delegate#token=…: registration and QR code, sign-up for a session
// and leaving it, cancelling with a confirmation.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, publishedConference } from "../lib/api.js";
import { checkAccessibility, launch, phoneContext, screenshot } from "../lib/browser.js";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function selfRegistered(conference, person) {
  const notice = await call("GET", `/conferences/${conference.id}/privacy-notice`);
  return call("POST", `/conferences/${conference.id}/self-registrations`, {
    body: { category: "district", ...person, consent: { notice_version: notice.version, accepted: true } },
  });
}

test("a delegate signs up for a session, leaves it, and cancels after confirming", async () => {
  const { conference, sessions, token } = await publishedConference({
    sessions: ["Khai mạc", "Mô hình điển hình áp dụng SXSH"],
  });
  const { registration, delegate_token: delegateToken } = await selfRegistered(conference, {
    full_name: "Trần Thị Bình",
    position: "Chuyên viên",
    phone: "0912 345 678",
  });
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`/delegate#token=${delegateToken}`);

  await page.getByRole("heading", { level: 1, name: "Trần Thị Bình" }).waitFor();
  assert.equal(await page.locator("#me-status").innerText(), "Đã xác nhận");
  assert.equal(await page.locator("#me-reference").innerText(), registration.reference);
  await page.waitForFunction(() => document.getElementById("me-qr").naturalWidth > 0);
  assert.ok((await page.locator("#me-qr").boundingBox()).width >= 300, "the QR code fills a phone's width");
  await checkAccessibility(page, "delegate page");
  await screenshot(page, "delegate-page");

  // Only the session that needs a sign-up has a button.
  const signUp = page.getByRole("button", { name: "Đăng ký phiên" });
  assert.equal(await signUp.count(), 1);
  await signUp.click();
  await page.getByText("Đã đăng ký phiên “Mô hình điển hình áp dụng SXSH”.").waitFor();
  assert.deepEqual(await call("GET", "/delegate/registration/sessions", { headers: { "X-Delegate-Token": delegateToken } }), [
    sessions[1].id,
  ]);
  assert.match(await page.locator("#sessions li").nth(1).innerText(), /Đã đăng ký phiên này · 1\/30 chỗ/);

  await page.getByRole("button", { name: "Rút khỏi phiên" }).click();
  await page.getByText("Đã rút khỏi phiên “Mô hình điển hình áp dụng SXSH”.").waitFor();
  assert.deepEqual(await call("GET", "/delegate/registration/sessions", { headers: { "X-Delegate-Token": delegateToken } }), []);

  // Cancelling asks first; "no" keeps the registration.
  await page.getByRole("button", { name: "Hủy đăng ký", exact: true }).click();
  await page.getByRole("button", { name: "Không, giữ đăng ký" }).click();
  assert.equal(await page.locator("#me-status").innerText(), "Đã xác nhận");
  await page.getByRole("button", { name: "Hủy đăng ký", exact: true }).click();
  await checkAccessibility(page, "cancel confirmation");
  await page.getByRole("button", { name: "Có, hủy đăng ký" }).click();
  await page.getByText("Đăng ký của bạn đã được hủy.").waitFor();
  assert.equal(await page.locator("#me-status").innerText(), "Đã hủy");
  assert.equal(await page.locator("#qr-block").isHidden(), true);

  const stored = await call("GET", `/conferences/${conference.id}/registrations/${registration.id}`, { token });
  assert.equal(stored.status, "cancelled");
  assert.deepEqual(context.problems, []);
  await context.close();
});

test("a link without a valid token says the link does not work", async () => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto("/delegate#token=hdt_khong_hop_le");
  await page.getByRole("alert").filter({ hasText: /Không tìm thấy|không hợp lệ/ }).waitFor();
  await page.goto("/delegate");
  await page.reload();
  await page.getByRole("alert").filter({ hasText: "Đường liên kết thiếu mã" }).waitFor();
  await context.close();
});
