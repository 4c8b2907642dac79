// The unit's invitation page /invitation#token=…: seats, registering two people at once,
// editing one and sending someone else in another's place.

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

async function invitedUnit(seats) {
  const { conference, token } = await publishedConference({ fields: { registration_mode: "invitation_only" } });
  const unit = await call("POST", "/units", {
    token,
    body: { name: `Phòng Kinh tế thành phố Vĩnh Yên ${conference.code}`, kind: "district" },
  });
  const invitation = await call("POST", `/conferences/${conference.id}/invitations`, {
    token,
    body: { unit_id: unit.id, seats },
  });
  return { conference, token, unit, invitationToken: invitation.token };
}

test("a unit registers two people at once through its invitation page", async () => {
  const { conference, token, unit, invitationToken } = await invitedUnit(3);
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`/invitation#token=${invitationToken}`);

  await page.getByRole("heading", { level: 1, name: unit.name }).waitFor();
  assert.match(await page.locator("#seats").innerText(), /Đã đăng ký 0\/3 chỗ/);
  await checkAccessibility(page, "invitation page");

  const first = page.getByRole("group", { name: "Người thứ 1" });
  await first.getByLabel("Họ và tên").fill("Nguyễn Văn An");
  await first.getByLabel("Chức vụ").fill("Trưởng phòng");
  await first.getByLabel("Số điện thoại").fill("0912 345 678");
  await page.getByRole("button", { name: "Thêm người" }).click();
  const second = page.getByRole("group", { name: "Người thứ 2" });
  await second.getByLabel("Họ và tên").fill("Lê Thị Cúc");
  await second.getByLabel("Email").fill("cuc@example.vn");
  await screenshot(page, "invitation-form");
  await page.getByRole("button", { name: "Đăng ký", exact: true }).click();

  await page.getByText("Đã đăng ký 2 người.").waitFor();
  assert.match(await page.locator("#seats").innerText(), /Đã đăng ký 2\/3 chỗ/);
  const names = await page.locator("#delegates li strong").allInnerTexts();
  assert.deepEqual(names.sort(), ["Lê Thị Cúc", "Nguyễn Văn An"]);
  const links = await page.locator("#links .link-box").allInnerTexts();
  assert.equal(links.length, 2);
  for (const link of links) assert.match(link, /\/delegate#token=/);
  await checkAccessibility(page, "invitation after registering");
  await screenshot(page, "invitation-registered");

  const stored = await call("GET", `/conferences/${conference.id}/registrations?source=invitation`, { token });
  assert.deepEqual(stored.items.map((r) => r.full_name).sort(), ["Lê Thị Cúc", "Nguyễn Văn An"]);
  assert.ok(stored.items.every((r) => r.source === "invitation" && r.status === "confirmed"));
  assert.deepEqual(context.problems, []);
  await context.close();
});

test("a unit edits a delegate and sends someone else in another's place", async () => {
  const { conference, token, invitationToken } = await invitedUnit(2);
  const headers = { "X-Invitation-Token": invitationToken };
  await call("POST", "/invitation/registrations", {
    headers,
    body: {
      delegates: [
        { full_name: "Nguyễn Văn An", category: "district", phone: "0912 345 678" },
        { full_name: "Lê Thị Cúc", category: "district", email: "cuc@example.vn" },
      ],
    },
  });
  const context = await phoneContext(browser);
  const page = await context.newPage();
  await page.goto(`/invitation#token=${invitationToken}`);
  const an = page.locator("#delegates li").filter({ hasText: "Nguyễn Văn An" });
  await an.waitFor();

  await an.getByRole("button", { name: "Sửa" }).click();
  const editForm = page.locator("#edit-form");
  await editForm.getByLabel("Chức vụ").fill("Phó trưởng phòng");
  await editForm.getByRole("button", { name: "Lưu" }).click();
  await page.getByText("Đã lưu thông tin của Nguyễn Văn An.").waitFor();

  const cuc = page.locator("#delegates li").filter({ hasText: "Lê Thị Cúc" });
  await cuc.getByRole("button", { name: "Cử người khác" }).click();
  await editForm.getByLabel("Họ và tên").fill("Đỗ Minh Dũng");
  await editForm.getByLabel("Email").fill("khong-phai-email");
  await editForm.getByRole("button", { name: "Lưu" }).click();
  await editForm.getByText("Địa chỉ email không hợp lệ.").waitFor();
  await editForm.getByLabel("Email").fill("dung@example.vn");
  await editForm.getByRole("button", { name: "Lưu" }).click();
  await page.getByText("Đỗ Minh Dũng sẽ tham dự thay.").waitFor();

  const stored = await call("GET", "/invitation/registrations", { headers });
  const byName = Object.fromEntries(stored.map((r) => [r.full_name, r]));
  assert.equal(byName["Nguyễn Văn An"].position, "Phó trưởng phòng");
  assert.equal(byName["Đỗ Minh Dũng"].email, "dung@example.vn");
  assert.equal(byName["Lê Thị Cúc"], undefined);
  const subs = await call("GET", `/conferences/${conference.id}/substitutions`, { token });
  assert.equal(subs.items.length, 1);
  await context.close();
});
