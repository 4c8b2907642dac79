// The self-registration page /r/{code}: a delegate registers through the page and gets a QR
// code; invalid input comes back per field, in Vietnamese; the language switch is remembered.

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

test("a delegate registers through the page and sees a confirmed status, a QR code and a private link", async () => {
  const { conference, token } = await publishedConference({ sessions: ["Khai mạc", "Phương pháp luận SXSH"] });
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`/r/${conference.code}`);

  await page.getByRole("heading", { level: 1, name: conference.title }).waitFor();
  assert.match(await page.locator("#capacity").innerText(), /Còn 100 trên 100 chỗ/);
  const agenda = await page.locator("#agenda li").allInnerTexts();
  assert.equal(agenda.length, 2);
  assert.match(agenda[0], /08:00–09:00 Khai mạc/);
  await checkAccessibility(page, "registration page");
  await screenshot(page, "register-form");

  await page.getByLabel("Họ và tên").fill("Phạm Thị Yến");
  await page.getByLabel("Chức vụ").fill("Giám đốc");
  await page.getByLabel("Cơ quan, đơn vị").fill("Công ty TNHH Gốm Hương Canh");
  await page.getByLabel("Thành phần").selectOption("enterprise");
  await page.getByLabel("Email").fill("yen@example.vn");
  await page.getByLabel("Số điện thoại").fill("0949 487 574");
  await page.getByLabel("Tôi đã đọc và đồng ý").check();
  await page.getByRole("button", { name: "Đăng ký" }).click();

  await page.getByRole("heading", { name: "Đã nhận đăng ký" }).waitFor();
  assert.equal(await page.locator("#result-status").innerText(), "Đã xác nhận");
  const qr = page.locator("#result-qr");
  await page.waitForFunction(() => document.getElementById("result-qr").naturalWidth > 0);
  assert.ok((await qr.boundingBox()).width >= 200, "the QR code is large enough to scan");
  const link = await page.locator("#result-link").innerText();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/delegate#token=\S{20,}$/);
  assert.match(await page.locator("#result-emailed").innerText(), /yen@example\.vn/);
  await checkAccessibility(page, "registration result");
  await screenshot(page, "register-result");

  const stored = await call("GET", `/conferences/${conference.id}/registrations?q=pham%20yen`, { token });
  assert.equal(stored.items.length, 1);
  assert.equal(stored.items[0].status, "confirmed");
  assert.equal(stored.items[0].phone, "+84949487574");
  assert.equal(stored.items[0].source, "self");

  // The private link opens the delegate's own page with the same registration.
  await page.locator("#result-open").click();
  await page.getByRole("heading", { level: 1, name: "Phạm Thị Yến" }).waitFor();
  assert.deepEqual(context.problems, []);
  await context.close();
});

test("invalid input is shown beside each field in Vietnamese and nothing is registered", async () => {
  const { conference, token } = await publishedConference();
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`/r/${conference.code}`);
  await page.getByRole("heading", { level: 1, name: conference.title }).waitFor();

  await page.getByLabel("Email").fill("khong-phai-email");
  await page.getByRole("button", { name: "Đăng ký" }).click();

  await page.locator("#full_name-error").waitFor();
  assert.equal(await page.locator("#full_name-error").innerText(), "Vui lòng nhập thông tin này.");
  assert.equal(await page.locator("#email-error").innerText(), "Địa chỉ email không hợp lệ.");
  assert.equal(
    await page.locator("#consent-error").innerText(),
    "Vui lòng đọc và đồng ý với thông báo về dữ liệu cá nhân.",
  );
  assert.equal(await page.getByLabel("Họ và tên").getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#form-error").innerText(), /chưa hợp lệ/);
  // The first invalid field has the focus, so a keyboard or screen reader user starts there.
  assert.equal(await page.evaluate(() => document.activeElement.id), "full_name");
  await checkAccessibility(page, "registration errors");
  await screenshot(page, "register-errors");

  // Corrected, the consent still missing: the API's own consent error is shown.
  await page.getByLabel("Họ và tên").fill("Nguyễn Văn Bình");
  await page.getByLabel("Email").fill("binh@example.vn");
  await page.getByRole("button", { name: "Đăng ký" }).click();
  await page.waitForFunction(() => document.getElementById("full_name-error").hidden);
  assert.equal(
    await page.locator("#consent-error").innerText(),
    "Vui lòng đọc và đồng ý với thông báo về dữ liệu cá nhân.",
  );

  const stored = await call("GET", `/conferences/${conference.id}/registrations`, { token });
  assert.equal(stored.items.length, 0);
  assert.deepEqual(context.problems.filter((p) => !p.includes("422")), []);
  await context.close();
});

test("the English switch translates the page and is remembered", async () => {
  const { conference } = await publishedConference();
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`/r/${conference.code}`);
  await page.getByRole("heading", { level: 1, name: conference.title }).waitFor();
  await page.getByRole("button", { name: "Switch to English" }).click();
  await page.getByLabel("Full name").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.reload();
  await page.getByLabel("Full name").waitFor();
  assert.match(await page.locator("#capacity").innerText(), /100 of 100 seats left/);
  await context.close();
});

test("an unknown conference code says so", async () => {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto("/r/khong-co-hoi-nghi-nay");
  await page.getByRole("alert").filter({ hasText: "Không tìm thấy hội nghị" }).waitFor();
  await context.close();
});
