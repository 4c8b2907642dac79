// The organizer console's setup side (/app/console/), driven in the browser: signing in (a
// wrong password, then the right one), creating a conference with two sessions and publishing
// it, importing units with one bad row (preview, then apply), inviting a unit, the If-Match
// conflict message, accounts, signing out. Every step is checked in the page and in the API.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { admin, call, publishedConference, uniqueCode } from "../lib/api.js";
import { checkAccessibility, launch, phoneContext, screenshot } from "../lib/browser.js";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const EMAIL = process.env.BROWSER_ADMIN_EMAIL;
const PASSWORD = process.env.BROWSER_ADMIN_PASSWORD;

async function desk() {
  const context = await phoneContext(browser, { viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

async function signIn(page, next = "") {
  await page.goto(`/app/console/${next}`);
  await page.getByRole("heading", { name: "Đăng nhập" }).waitFor();
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
}

/** Console errors other than the browser's own line for an answer we expected (401, 412, 422). */
function unexpected(problems) {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of (401|404|412|422)/.test(p));
}

/** Fails when the screen shows a message key instead of its text (a message missing in a language). */
async function assertTranslated(page) {
  const text = await page.locator("#view").innerText();
  assert.doesNotMatch(text, /\b(csetup|cform|cnew|setup|agenda|session_kind|units|inv|accounts|conferences|field|error)\.[a-z_.]+/);
}

/** YYYY-MM-DD in Hà Nội, `days` from now. */
function vnDate(days) {
  return new Date(Date.now() + days * 86400000 + 7 * 3600000).toISOString().slice(0, 10);
}

test("signing in: a wrong password is refused with a message, the right one opens the conferences", async () => {
  const { context, page } = await desk();
  await page.goto("/app/console/");
  await page.getByRole("heading", { name: "Đăng nhập" }).waitFor();
  await checkAccessibility(page, "console sign-in");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Mật khẩu").fill("not the password at all");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("alert").filter({ hasText: "Email hoặc mật khẩu không đúng" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("hoithao.console.session")), null);

  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("heading", { level: 1, name: "Hội nghị" }).waitFor();
  assert.match(await page.locator("#who").innerText(), new RegExp(EMAIL.replace(".", "\\.")));
  assert.deepEqual(unexpected(context.problems), []);
  await context.close();
});

test("an organizer creates a conference, adds two sessions and publishes it", async () => {
  const { context, page } = await desk();
  await signIn(page);
  await page.getByRole("heading", { level: 1, name: "Hội nghị" }).waitFor();
  await page.getByRole("link", { name: "Tạo hội nghị" }).click();
  await page.getByRole("heading", { level: 1, name: "Tạo hội nghị" }).waitFor();
  await checkAccessibility(page, "console new conference");

  const code = uniqueCode("sxsh-vinh-phuc");
  const day = vnDate(10);
  const title = "Hội nghị - Hội thảo phát triển CNNT và sản xuất sạch hơn";
  await page.getByLabel("Tên hội nghị").fill(title);
  // A code the API refuses: its message (by field error code) appears beside the input.
  await page.getByLabel("Mã hội nghị").fill("SXSH Vĩnh Phúc");
  await page.locator("#cf-starts_at").fill(`${day}T08:00`);
  await page.locator("#cf-ends_at").fill(`${day}T17:00`);
  await page.getByRole("button", { name: "Tạo hội nghị (bản nháp)" }).click();
  await page.locator("#cf-code-error", { hasText: "Chỉ gồm chữ thường không dấu" }).waitFor();
  assert.equal(await page.getByLabel("Mã hội nghị").getAttribute("aria-invalid"), "true");
  await page.getByLabel("Mã hội nghị").fill(code);
  await page.locator("#cf-starts_at").fill(`${day}T08:00`);
  await page.locator("#cf-ends_at").fill(`${day}T17:00`);
  await page.locator("#cf-venue_name").fill("Trung tâm Khuyến công và Tư vấn phát triển công nghiệp");
  await page.locator("#cf-venue_address").fill("Số 2 đường Lý Bôn, Vĩnh Yên, Vĩnh Phúc");
  await page.getByLabel("Sức chứa (số đại biểu tối đa)").fill("120");
  await page.getByLabel("Có danh sách chờ khi đủ chỗ").check();
  await page.getByLabel("Cách đăng ký").selectOption("invitation_only");
  await page.locator("#cf-host_organization").fill("Sở Công Thương tỉnh Vĩnh Phúc");
  const started = Date.now();
  await page.getByRole("button", { name: "Tạo hội nghị (bản nháp)" }).click();
  await page.getByText("Đã tạo hội nghị ở dạng bản nháp").waitFor();
  console.log(`create conference → setup tab: ${Date.now() - started} ms`);
  await page.getByRole("heading", { level: 1, name: new RegExp(title) }).waitFor();

  const token = await admin();
  const found = await call("GET", `/conferences?code=${code}`, { token });
  assert.equal(found.items.length, 1);
  const conference = found.items[0];
  assert.equal(conference.status, "draft");
  assert.equal(conference.time_zone, "Asia/Ho_Chi_Minh");
  assert.equal(Date.parse(conference.starts_at), Date.parse(`${day}T08:00:00+07:00`));
  assert.equal(Date.parse(conference.ends_at), Date.parse(`${day}T17:00:00+07:00`));
  assert.equal(conference.capacity, 120);
  assert.equal(conference.waitlist_enabled, true);
  assert.equal(conference.registration_mode, "invitation_only");
  assert.equal(conference.host_organization, "Sở Công Thương tỉnh Vĩnh Phúc");

  // The agenda: two sessions.
  await page.getByRole("link", { name: "Chương trình" }).click();
  await page.getByText("Chưa có phiên nào.").waitFor();
  await page.getByRole("button", { name: "Thêm phiên" }).click();
  await page.getByLabel("Tên phiên").fill("Khai mạc");
  await page.getByLabel("Loại phiên").selectOption("opening");
  await page.locator("#ss-starts_at").fill(`${day}T08:00`);
  await page.locator("#ss-ends_at").fill(`${day}T08:30`);
  await page.locator("#ss-room").fill("Hội trường A");
  await page.getByRole("button", { name: "Lưu phiên" }).click();
  await page.getByText("Đã thêm phiên.").waitFor();

  await page.getByRole("button", { name: "Thêm phiên" }).click();
  await page.getByLabel("Tên phiên").fill("Phương pháp luận và kỹ thuật sản xuất sạch hơn");
  await page.getByLabel("Loại phiên").selectOption("presentation");
  await page.locator("#ss-starts_at").fill(`${day}T08:30`);
  await page.locator("#ss-ends_at").fill(`${day}T09:30`);
  await page.locator("#ss-room").fill("Hội trường A");
  await page.locator("#ss-capacity").fill("60");
  await page.locator("#ss-speakers").fill("TS. Nguyễn Minh Trung\nThS. Lê Thị Hòa");
  await page.getByLabel("Đại biểu phải đăng ký riêng phiên này").check();
  await page.getByRole("button", { name: "Lưu phiên" }).click();
  await page.getByText("Đã thêm phiên.").waitFor();
  await page.locator("#agenda-list tbody tr").nth(1).waitFor();
  const rows = await page.locator("#agenda-list tbody th").allInnerTexts();
  assert.deepEqual(rows, ["Khai mạc", "Phương pháp luận và kỹ thuật sản xuất sạch hơn"]);
  await checkAccessibility(page, "console agenda");
  await screenshot(page, "console-agenda");

  const sessions = await call("GET", `/conferences/${conference.id}/sessions`, { token });
  const list = Array.isArray(sessions) ? sessions : sessions.items;
  assert.equal(list.length, 2);
  const talk = list.find((s) => s.kind === "presentation");
  assert.equal(talk.capacity, 60);
  assert.equal(talk.signup_required, true);
  assert.deepEqual(talk.speakers, ["TS. Nguyễn Minh Trung", "ThS. Lê Thị Hòa"]);
  assert.equal(Date.parse(talk.starts_at), Date.parse(`${day}T08:30:00+07:00`));

  // Editing a session keeps its fields and sends If-Match.
  await page.getByRole("button", { name: "Sửa phiên Khai mạc" }).click();
  await page.getByLabel("Tên phiên").fill("Khai mạc hội nghị");
  await page.getByRole("button", { name: "Lưu phiên" }).click();
  await page.getByText("Đã lưu.").waitFor();
  await page.locator("#agenda-list tbody th", { hasText: "Khai mạc hội nghị" }).waitFor();

  // Publish, after a confirmation.
  await page.getByRole("link", { name: "Thiết lập" }).click();
  await page.getByRole("button", { name: "Công bố" }).click();
  const confirm = page.getByRole("group", { name: /Công bố hội nghị\?/ });
  await confirm.getByRole("button", { name: "Công bố" }).click();
  await page.getByRole("heading", { level: 2, name: "Trạng thái: Đã công bố" }).waitFor();
  assert.equal((await call("GET", `/conferences/${conference.id}`, { token })).status, "published");
  assert.match(await page.locator("#registration-link").innerText(), new RegExp(`/r/${code}$`));
  await assertTranslated(page);
  await checkAccessibility(page, "console conference setup");
  await screenshot(page, "console-setup");

  // The list shows it with its status.
  await page.getByRole("navigation", { name: "Chính" }).getByRole("link", { name: "Hội nghị" }).click();
  const row = page.locator("#conference-list tr", { hasText: code });
  await row.waitFor();
  assert.match(await row.innerText(), /Đã công bố/);
  await checkAccessibility(page, "console conferences");
  await screenshot(page, "console-conferences");
  assert.deepEqual(unexpected(context.problems), []);
  await context.close();
});

test("units import: the preview shows the bad row and stores nothing; applying stores the good rows; a unit is invited", async () => {
  const { conference, token } = await publishedConference({ fields: { registration_mode: "invitation_only" } });
  const tag = conference.code.slice(-6);
  const district = `Huyện Tam Đảo ${tag}`;
  const csv = [
    "Tên đơn vị,Loại,Đơn vị cấp trên,Người liên hệ,Điện thoại",
    `${district},district,,Nguyễn Văn Hùng,0211 3824 111`,
    `Phòng Kinh tế và Hạ tầng huyện Tam Đảo,agency,${district},,`,
    `Thị trấn Tam Đảo,commune,${district},,`,
    `Xã Hồ Sơn,commune,${district},,`,
    `Xã Đại Đình,commune,${district},,`,
    `"Công ty TNHH Gốm sứ Tam Đảo ${tag}",enterprise,,Trần Thị Lan,0912 345 678`,
    `Xã Minh Quang,commune,Huyện Tam Đảo Mới ${tag},,`,
  ].join("\n");

  const { context, page } = await desk();
  await signIn(page, "#/units");
  await page.getByRole("heading", { level: 1, name: "Danh mục đơn vị" }).waitFor();
  await checkAccessibility(page, "console units");
  await page.getByLabel("Tệp danh mục").setInputFiles({ name: "don-vi-tam-dao.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Kiểm tra tệp" }).click();
  await page.locator("#import-counts").waitFor();
  assert.equal(await page.locator("#import-counts").innerText(), "7 dòng, 1 dòng có lỗi. Chưa có gì được lưu.");
  const errorRows = page.locator("#import-errors tbody tr");
  assert.equal(await errorRows.count(), 1);
  assert.deepEqual(await errorRows.first().locator("td").allInnerTexts().then((cells) => cells.slice(0, 2)), ["7", "Đơn vị cấp trên"]);
  assert.match(await errorRows.first().innerText(), /Đơn vị không có trong danh mục/);
  await checkAccessibility(page, "console units import preview");
  await screenshot(page, "console-units-import");
  // Nothing stored by the dry run.
  const before = await call("GET", `/units?q=${encodeURIComponent(district)}`, { token });
  assert.equal(before.items.filter((u) => u.name === district).length, 0);

  await page.getByRole("button", { name: "Bỏ qua 1 dòng lỗi, nhập 6 đơn vị còn lại" }).click();
  await page.getByText("Đã nhập 6 đơn vị.").waitFor();
  const districtUnit = (await call("GET", `/units?q=${encodeURIComponent(district)}`, { token })).items.find((u) => u.name === district);
  assert.ok(districtUnit, "the district was stored");
  assert.equal(districtUnit.kind, "district");
  assert.equal(districtUnit.phone, "+842113824111");
  const communes = await call("GET", `/units?parent_id=${districtUnit.id}&limit=50`, { token });
  assert.deepEqual(communes.items.map((u) => u.name).sort(), ["Phòng Kinh tế và Hạ tầng huyện Tam Đảo", "Thị trấn Tam Đảo", "Xã Hồ Sơn", "Xã Đại Đình"].sort());
  assert.equal((await call("GET", `/units?q=${encodeURIComponent("Minh Quang")}`, { token })).items.filter((u) => u.name === "Xã Minh Quang").length, 0);
  // The tree shows the communes under their district.
  const districtNode = page.locator("#unit-tree li").filter({ has: page.locator(".unit-name", { hasText: district }) });
  await districtNode.locator("li", { hasText: "Xã Hồ Sơn" }).waitFor();
  await assertTranslated(page);
  await checkAccessibility(page, "console units tree");
  await screenshot(page, "console-units-tree");

  // Invite the district with 3 seats: the link is shown once.
  await page.goto(`/app/console/#/conferences/${conference.id}/invitations`);
  await page.getByRole("heading", { level: 2, name: "Thư mời đơn vị" }).waitFor();
  await page.getByLabel("Lọc danh sách đơn vị").fill(`huyen tam dao ${tag}`);
  await page.getByLabel("Đơn vị", { exact: true }).selectOption({ label: district });
  await page.getByLabel("Số chỗ").fill("3");
  await page.getByRole("button", { name: "Mời", exact: true }).click();
  const link = await page.locator("#invitation-link").innerText();
  assert.match(link, /\/invitation#token=.+/);
  const row = page.locator("#inv-table tbody tr", { hasText: district });
  await row.waitFor();
  assert.deepEqual((await row.locator("td").allInnerTexts()).slice(0, 3), ["3", "0", "0"]);
  await assertTranslated(page);
  await checkAccessibility(page, "console invitations");
  await screenshot(page, "console-invitations");

  const invitations = await call("GET", `/conferences/${conference.id}/invitations`, { token });
  assert.equal(invitations.length, 1);
  assert.equal(invitations[0].unit_id, districtUnit.id);
  assert.equal(invitations[0].seats, 3);
  const seen = await call("GET", "/invitation", { headers: { "X-Invitation-Token": link.split("#token=")[1] } });
  assert.equal(JSON.stringify(seen).includes(district), true);

  // Send again: a new link is shown and the old one stops working.
  await page.getByRole("button", { name: `Gửi lại thư mời cho ${district}` }).click();
  await page.getByRole("group", { name: /Gửi lại thư mời cho/ }).getByRole("button", { name: "Gửi lại" }).click();
  await page.waitForFunction((old) => {
    const box = document.querySelector("#invitation-link");
    return box && box.textContent !== old;
  }, link);
  const newLink = await page.locator("#invitation-link").innerText();
  assert.match(newLink, /\/invitation#token=.+/);
  const oldRefused = await fetch(`${process.env.BASE_URL}/api/v1/invitation`, { headers: { "X-Invitation-Token": link.split("#token=")[1] } });
  assert.equal(oldRefused.ok, false);
  await call("GET", "/invitation", { headers: { "X-Invitation-Token": newLink.split("#token=")[1] } });

  // Revoke, after a confirmation.
  await page.getByRole("button", { name: `Thu hồi thư mời của ${district}` }).click();
  await page.getByRole("group", { name: /Thu hồi thư mời của/ }).getByRole("button", { name: "Thu hồi" }).click();
  await row.getByText("Đã thu hồi").waitFor();
  assert.ok((await call("GET", `/conferences/${conference.id}/invitations`, { token }))[0].revoked_at);
  assert.deepEqual(unexpected(context.problems), []);
  await context.close();
});

test("saving a conference someone else changed meanwhile shows the conflict and keeps their change", async () => {
  const { conference, token } = await publishedConference();
  const { context, page } = await desk();
  await signIn(page, `#/conferences/${conference.id}`);
  await page.getByRole("heading", { level: 2, name: "Thông tin hội nghị" }).waitFor();
  assert.equal(await page.getByLabel("Tên hội nghị").inputValue(), conference.title);

  // Someone else renames it between the organizer's load and save.
  await call("PATCH", `/conferences/${conference.id}`, {
    token,
    body: { title: "Hội thảo sản xuất sạch hơn (đã đổi tên)" },
    headers: { "If-Match": "*" },
  });
  await page.locator("#cf-venue_name").fill("Khách sạn Sông Hồng, Vĩnh Yên");
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  const alert = page.locator("#csetup-alert");
  await alert.getByText("Người khác vừa thay đổi mục này").waitFor();
  await checkAccessibility(page, "console setup conflict");
  const stored = await call("GET", `/conferences/${conference.id}`, { token });
  assert.equal(stored.title, "Hội thảo sản xuất sạch hơn (đã đổi tên)");
  assert.equal(stored.venue_name, conference.venue_name);

  // Reload shows their change; saving again works.
  await alert.getByRole("button", { name: "Tải lại" }).click();
  await page.waitForFunction(() => document.querySelector("#cf-title")?.value === "Hội thảo sản xuất sạch hơn (đã đổi tên)");
  await page.locator("#cf-venue_name").fill("Khách sạn Sông Hồng, Vĩnh Yên");
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  await page.locator("#flash", { hasText: "Đã lưu." }).waitFor();
  const saved = await call("GET", `/conferences/${conference.id}`, { token });
  assert.equal(saved.venue_name, "Khách sạn Sông Hồng, Vĩnh Yên");
  assert.equal(saved.title, "Hội thảo sản xuất sạch hơn (đã đổi tên)");
  await assertTranslated(page);
  await page.getByRole("button", { name: "Switch to English" }).click();
  await page.getByRole("heading", { level: 2, name: "Conference details" }).waitFor();
  await assertTranslated(page);
  for (const [tab, heading] of [["Agenda", "Agenda"], ["Invitations", "Unit invitations"]]) {
    await page.getByRole("link", { name: tab, exact: true }).click();
    await page.getByRole("heading", { level: 2, name: heading }).waitFor();
    await assertTranslated(page);
  }
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Units" }).click();
  await page.getByRole("heading", { level: 1, name: "Units directory" }).waitFor();
  await assertTranslated(page);
  await page.getByRole("button", { name: "Chuyển sang tiếng Việt" }).click();
  await page.getByRole("heading", { level: 1, name: "Danh mục đơn vị" }).waitFor();
  assert.deepEqual(unexpected(context.problems), []);
  await context.close();
});

test("an admin creates an organizer account; signing out forgets the token", async () => {
  const { context, page } = await desk();
  await signIn(page, "#/accounts");
  await page.getByRole("heading", { level: 1, name: "Tài khoản" }).waitFor();
  const email = `${uniqueCode("bantochuc")}@khuyencong.vinhphuc.gov.vn`;
  await page.getByLabel("Họ tên hoặc tên đơn vị").fill("Trung tâm Khuyến công Vĩnh Phúc");
  await page.getByLabel("Email đăng nhập").fill(email);
  await page.getByLabel("Mật khẩu ban đầu").fill("mot-mat-khau-du-dai");
  await page.getByRole("button", { name: "Tạo tài khoản" }).click();
  await page.getByText(`Đã tạo tài khoản ${email}.`).waitFor();
  await page.locator("#accounts-list tr", { hasText: email }).waitFor();
  await checkAccessibility(page, "console accounts");
  const token = await admin();
  const accounts = await call("GET", `/accounts?q=${encodeURIComponent(email)}`, { token });
  assert.equal(accounts.items.length, 1);
  assert.equal(accounts.items[0].role, "organizer");
  assert.equal(accounts.items[0].disabled, false);

  // English is one click away; the screen is drawn again in English.
  await page.getByRole("button", { name: "Switch to English" }).click();
  await page.getByRole("heading", { level: 1, name: "Accounts" }).waitFor();
  await page.getByRole("button", { name: "Chuyển sang tiếng Việt" }).click();
  await page.getByRole("heading", { level: 1, name: "Tài khoản" }).waitFor();

  assert.notEqual(await page.evaluate(() => sessionStorage.getItem("hoithao.console.session")), null);
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.getByRole("heading", { name: "Đăng nhập" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("hoithao.console.session")), null);
  await page.goto("/app/console/#/conferences");
  await page.getByRole("heading", { name: "Đăng nhập" }).waitFor();
  assert.match(page.url(), /#\/signin/);
  assert.deepEqual(unexpected(context.problems), []);
  await context.close();
});

test("a session is deleted after a confirmation; a unit is edited with its version", async () => {
  const { conference, sessions, token } = await publishedConference({ sessions: ["Khai mạc", "Chiếu phim tư liệu"] });
  const unit = await call("POST", "/units", { token, body: { name: `Huyện Lập Thạch ${conference.code}`, kind: "district" } });
  const { context, page } = await desk();
  await signIn(page, `#/conferences/${conference.id}/agenda`);
  await page.locator("#agenda-list tbody tr").nth(1).waitFor();
  await page.getByRole("button", { name: "Xóa phiên Chiếu phim tư liệu" }).click();
  await page.getByRole("group", { name: /Xóa phiên “Chiếu phim tư liệu”\?/ }).getByRole("button", { name: "Xóa" }).click();
  await page.getByText("Đã xóa phiên.").waitFor();
  assert.deepEqual(await page.locator("#agenda-list tbody th").allInnerTexts(), ["Khai mạc"]);
  const left = await call("GET", `/conferences/${conference.id}/sessions`, { token });
  assert.deepEqual(left.items.map((s) => s.id), [sessions[0].id]);

  await page.getByRole("navigation", { name: "Chính" }).getByRole("link", { name: "Đơn vị" }).click();
  await page.getByRole("button", { name: `Sửa ${unit.name}` }).click();
  await page.getByLabel(/Người liên hệ/).fill("Phan Văn Đức");
  await page.getByLabel(/Điện thoại/).fill("0211 3873 222");
  await page.getByRole("button", { name: "Lưu đơn vị" }).click();
  await page.getByText("Đã lưu.").waitFor();
  await page.locator("#unit-tree li", { hasText: "Phan Văn Đức" }).waitFor();
  const stored = await call("GET", `/units/${unit.id}`, { token });
  assert.equal(stored.contact_person, "Phan Văn Đức");
  assert.equal(stored.phone, "+842113873222");
  assert.equal(stored.kind, "district");
  await checkAccessibility(page, "console units after an edit");
  assert.deepEqual(unexpected(context.problems), []);
  await context.close();
});
