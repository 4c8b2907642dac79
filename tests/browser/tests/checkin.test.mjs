// The check-in app (/app/checkin/) in headless Chromium with a fake camera playing real QR
// codes: pairing, online scans, offline scans queued and uploaded, a conflict, name search.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { admin, call, publishedConference } from "../lib/api.js";
import { BASE_URL, checkAccessibility, launch, phoneContext, screenshot } from "../lib/browser.js";
import { readGreyPng, readQrSvg, writeY4m } from "./checkin-camera.mjs";

const work = mkdtempSync(path.join(tmpdir(), "hoithao-checkin-"));
// The fake camera's videos are about 80 MB each.
after(() => rmSync(work, { recursive: true, force: true }));
/** Generous: a poll for something the page does in the background. */
const WAIT = 60_000;

let token;
let conference;
const people = {};

/** A conference whose check-in window is open now (an hour ago to three hours on). */
before(async () => {
  token = await admin();
  const now = Date.now();
  ({ conference } = await publishedConference({
    fields: {
      starts_at: new Date(now - 3600_000).toISOString(),
      ends_at: new Date(now + 3 * 3600_000).toISOString(),
      registration_mode: "open",
    },
  }));
  const names = {
    an: "Nguyễn Văn An",
    binh: "Trần Thị Bình",
    cuong: "Lê Hoàng Cường",
    hoa: "Phạm Thị Hoa",
    nhung: "Đặng Thị Hồng Nhung",
  };
  let n = 0;
  for (const [key, full_name] of Object.entries(names)) {
    n += 1;
    const created = await call("POST", `/conferences/${conference.id}/registrations`, {
      token,
      body: { full_name, category: "agency", position: "Chuyên viên", organization: "Sở Công Thương Vĩnh Phúc", phone: `09120000${n}${n}` },
    });
    people[key] = created.registration;
  }
});

async function device(name) {
  return call("POST", `/conferences/${conference.id}/devices`, { token, body: { name } });
}

async function qrImage(person) {
  const response = await fetch(`${BASE_URL}/api/v1/conferences/${conference.id}/registrations/${person.id}/qr.png`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  return readGreyPng(new Uint8Array(await response.arrayBuffer()));
}

async function checkins(person) {
  return call("GET", `/conferences/${conference.id}/registrations/${person.id}/checkins`, { token });
}

/** Chromium whose camera plays `scenes` (see writeY4m). */
async function withCamera(name, scenes) {
  const file = path.join(work, `${name}.y4m`);
  writeY4m(file, scenes);
  return launch([
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${file}`,
  ]);
}

/** Opens the app and pairs it by pasting `deviceToken`; resolves on the door screen. */
async function openPaired(context, deviceToken) {
  const page = await context.newPage();
  await page.goto("/app/checkin/");
  await page.locator("#pair").waitFor({ state: "visible" });
  await page.fill("#pair-token", deviceToken);
  await page.click("#pair-form button[type=submit]");
  await page.locator("#door").waitFor({ state: "visible", timeout: WAIT });
  return page;
}

/** Closes the outcome screen if it is still up (it also closes by itself). */
async function dismiss(page) {
  if (await page.locator("#outcome").isVisible()) await page.locator("#outcome").click().catch(() => null);
}

async function text(page, selector) {
  return (await page.locator(selector).textContent()).trim();
}

/** Waits until `selector`'s text includes `expected`. */
async function waitText(page, selector, expected) {
  await page.waitForFunction(
    ([s, e]) => document.querySelector(s)?.textContent.includes(e),
    [selector, expected],
    { timeout: WAIT },
  );
}

test("pairing by pasting the token shows the conference; a first load stays small", async () => {
  const browser = await launch();
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const requests = [];
    page.on("requestfinished", (request) => requests.push(request));
    const started = Date.now();
    await page.goto("/app/checkin/");
    await page.locator("#pair-token").waitFor({ state: "visible" });
    const interactiveMs = Date.now() - started;
    await page.waitForLoadState("networkidle");
    let transferred = 0;
    for (const request of requests) transferred += (await request.sizes()).responseBodySize;
    console.log(`check-in app first load: ${requests.length} requests, ${transferred} bytes transferred, pairing form shown after ${interactiveMs} ms`);
    assert.ok(transferred <= 250 * 1024, `first load ${transferred} bytes`);
    assert.equal(await text(page, "#pair h1"), "Ghép nối thiết bị");
    await checkAccessibility(page, "check-in pairing");
    await screenshot(page, "checkin-pair");

    await page.fill("#pair-token", "not-a-token");
    await page.click("#pair-form button[type=submit]");
    await waitText(page, "#pair-error", "không phải mã thiết bị");

    const made = await device("Cửa chính");
    await page.fill("#pair-token", made.token);
    await page.click("#pair-form button[type=submit]");
    await page.locator("#door").waitFor({ state: "visible", timeout: WAIT });
    assert.equal(await text(page, "#conference-title"), conference.title);
    assert.equal(await text(page, "#device-name"), "Cửa chính");
    await waitText(page, "#bundle-size", "5 đại biểu");
    assert.deepEqual(context.problems, []);
  } finally {
    await browser.close();
  }
});

test("pairing by scanning the organizer's pairing QR code through the camera", async () => {
  const made = await device("Cửa quét ghép nối");
  const response = await fetch(`${BASE_URL}/api/v1/conferences/${conference.id}/devices/${made.device.id}/pairing-qr`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ token: made.token }),
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/svg+xml");
  const browser = await withCamera("pairing", [[readQrSvg(await response.text()), 60]]);
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto("/app/checkin/");
    await page.click("#pair-scan");
    await page.locator("#door").waitFor({ state: "visible", timeout: WAIT });
    assert.equal(await text(page, "#device-name"), "Cửa quét ghép nối");
    assert.equal(await text(page, "#conference-title"), conference.title);
    assert.deepEqual(context.problems, []);
  } finally {
    await browser.close();
  }
});

test("an online scan through the camera shows ok with the name, then already checked in", async () => {
  const browser = await withCamera("online", [[await qrImage(people.an), 60]]);
  try {
    const context = await phoneContext(browser);
    const made = await device("Cửa A");
    const page = await openPaired(context, made.token);
    await checkAccessibility(page, "check-in door");
    await screenshot(page, "checkin-door");

    await page.click("#camera");
    // Read the ok screen in the page at the moment it shows: on a loaded machine the test's own
    // round trips may outlast it (the code stays in view and is read again after a few seconds).
    const shown = await (
      await page.waitForFunction(
        () => {
          const outcome = document.querySelector("#outcome");
          if (!outcome || outcome.hidden || outcome.dataset.outcome !== "ok") return null;
          const read = (id) => document.querySelector(id)?.textContent.trim() ?? "";
          return { name: read("#outcome-name"), detail: read("#outcome-detail"), title: read("#outcome-title") };
        },
        null,
        { timeout: WAIT },
      )
    ).jsonValue();
    assert.equal(shown.name, "Nguyễn Văn An");
    assert.match(shown.detail, /Chuyên viên/);
    assert.equal(shown.title, "Mời vào");
    await screenshot(page, "checkin-ok");

    // The same code stays in front of the camera: read again only after a few seconds.
    const again = page.locator('#outcome[data-outcome="already_checked_in"]');
    await again.waitFor({ state: "visible", timeout: WAIT });
    assert.match(await text(page, "#outcome-note"), /Cửa A/);
    await screenshot(page, "checkin-already");
    // The code stays in view, so outcomes keep coming: stop the camera under the outcome screen.
    await page.locator("#camera").dispatchEvent("click");
    await dismiss(page);

    const rows = await checkins(people.an);
    assert.equal(rows[0].outcome, "ok");
    assert.equal(rows[0].method, "scan");
    assert.ok(rows.slice(1).every((r) => r.outcome === "already_checked_in"));
    assert.ok(rows.length >= 2);
    await waitText(page, "#inside", "Đang có mặt: 1");
    assert.deepEqual(context.problems, []);
  } finally {
    await browser.close();
  }
});

test("offline, three scans are decided on the device and queued; back online they upload, the stored rows match and a conflict shows", async () => {
  // Hoa came in through another door, which this phone cannot know offline.
  const other = await device("Cửa B");
  const qrHoa = await qrImage(people.hoa);
  const hoaPayload = await call("POST", `/conferences/${conference.id}/checkins`, {
    token: other.token,
    body: {
      registration_id: people.hoa.id,
      direction: "in",
      nonce: crypto.randomUUID(),
      occurred_at: new Date(Date.now() - 60_000).toISOString(),
    },
  });
  assert.equal(hoaPayload.outcome, "ok");
  const browser = await withCamera("offline", [
    [await qrImage(people.binh), 1.6],
    [null, 0.6],
    [await qrImage(people.cuong), 1.6],
    [null, 0.6],
    [qrHoa, 1.6],
    [null, 60],
  ]);
  try {
    const context = await phoneContext(browser);
    const made = await device("Cửa C");
    const page = await openPaired(context, made.token);
    await waitText(page, "#bundle-size", "5 ");

    await context.setOffline(true);
    await waitText(page, "#net", "Ngoại tuyến");
    await page.click("#camera");
    await waitText(page, "#queue", "Chờ gửi: 3");
    await page.click("#camera");
    await dismiss(page);
    const local = await page.$$eval("#history li", (items) => items.map((li) => li.textContent));
    assert.equal(local.length, 3, local.join("\n"));
    assert.ok(local.every((line) => line.includes("Mời vào") && line.includes("chờ gửi")), local.join("\n"));
    await screenshot(page, "checkin-offline-queue");
    assert.equal((await checkins(people.binh)).length, 0, "nothing reached the server");

    await context.setOffline(false);
    await waitText(page, "#queue", "Chờ gửi: 0");
    await page.locator("#conflicts").waitFor({ state: "visible", timeout: WAIT });
    const conflict = page.locator("#history li.conflict");
    assert.equal(await conflict.count(), 1);
    assert.match(await conflict.textContent(), /Phạm Thị Hoa/);
    assert.match(await conflict.textContent(), /Đã điểm danh rồi/);
    await screenshot(page, "checkin-conflict");

    // The device's history and the server's rows agree, scan by scan (door time and verdict).
    const history = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("hoithao-checkin");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction("history").objectStore("history").getAll();
            req.onsuccess = () => resolve(req.result);
          };
        }),
    );
    assert.equal(history.length, 3);
    for (const record of history) {
      const person = Object.values(people).find((p) => p.id === record.registration_id);
      const rows = (await checkins(person)).filter((r) => r.device_id === made.device.id);
      assert.equal(rows.length, 1, record.name);
      assert.equal(rows[0].method, "offline");
      assert.equal(Date.parse(rows[0].occurred_at), Date.parse(record.at));
      assert.equal(rows[0].outcome, record.outcome);
      assert.equal(rows[0].id, record.checkin_id);
      assert.equal(record.pending, false);
    }
    const hoa = history.find((r) => r.registration_id === people.hoa.id);
    assert.equal(hoa.local_outcome, "ok");
    assert.equal(hoa.outcome, "already_checked_in");
    assert.deepEqual(context.problems.filter((p) => !p.includes("ERR_INTERNET_DISCONNECTED")), []);
  } finally {
    await browser.close();
  }
});

test("a name typed without diacritics, given name first, finds the delegate online and offline; manual check-in", async () => {
  const browser = await launch();
  try {
    const context = await phoneContext(browser);
    const made = await device("Bàn tra cứu");
    const page = await openPaired(context, made.token);
    await waitText(page, "#bundle-size", "5 ");

    await page.fill("#search", "nhung dang");
    await waitText(page, "#results", "Đặng Thị Hồng Nhung");
    await context.setOffline(true);
    await waitText(page, "#net", "Ngoại tuyến");
    await page.fill("#search", "");
    await page.fill("#search", "hong nhung dang");
    await waitText(page, "#results", "Đặng Thị Hồng Nhung");
    assert.equal(await page.locator("#results li").count(), 1);
    await checkAccessibility(page, "check-in search");
    await screenshot(page, "checkin-search");

    await page.click("#results li button");
    await page.locator('#outcome[data-outcome="ok"]').waitFor({ state: "visible", timeout: WAIT });
    await waitText(page, "#queue", "Chờ gửi: 1");
    await dismiss(page);

    await context.setOffline(false);
    await waitText(page, "#queue", "Chờ gửi: 0");
    const rows = (await checkins(people.nhung)).filter((r) => r.device_id === made.device.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outcome, "ok");

    // Undo the last scan, with a reason.
    await page.click("#undo");
    await page.fill("#undo-reason", "nhầm người");
    await page.click("#undo-confirm");
    await waitText(page, "#door-error", "Đã hoàn tác");
    const undone = (await checkins(people.nhung)).find((r) => r.id === rows[0].id);
    assert.equal(undone.undo_reason, "nhầm người");
  } finally {
    await browser.close();
  }
});

test("English on request", async () => {
  const browser = await launch();
  try {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto("/app/checkin/?lang=en");
    await page.locator("#pair").waitFor({ state: "visible" });
    assert.equal(await text(page, "#pair h1"), "Pair this device");
    await page.click("#lang");
    assert.equal(await text(page, "#pair h1"), "Ghép nối thiết bị");
  } finally {
    await browser.close();
  }
});

test("a delegate who registers through the page is admitted by the check-in app scanning the page's QR code", async () => {
  // The delegate's phone: the registration page, and the QR code exactly as it shows it.
  let image;
  let delegateToken;
  const phone = await launch();
  try {
    const context = await phoneContext(phone);
    const page = await context.newPage();
    await page.goto(`/r/${conference.code}`);
    await page.getByRole("heading", { level: 1, name: conference.title }).waitFor();
    await page.getByLabel("Họ và tên").fill("Vũ Thị Lan Anh");
    await page.getByLabel("Chức vụ").fill("Kế toán trưởng");
    await page.getByLabel("Cơ quan, đơn vị").fill("Công ty CP Gạch ngói Vĩnh Phúc");
    await page.getByLabel("Thành phần").selectOption("enterprise");
    await page.getByLabel("Số điện thoại").fill("0987 654 321");
    await page.getByLabel("Tôi đã đọc và đồng ý").check();
    await page.getByRole("button", { name: "Đăng ký" }).click();
    await page.getByRole("heading", { name: "Đã nhận đăng ký" }).waitFor({ timeout: WAIT });
    await page.waitForFunction(() => document.getElementById("result-qr").naturalWidth > 0);
    delegateToken = decodeURIComponent((await page.locator("#result-link").innerText()).split("#token=")[1]);
    assert.deepEqual(context.problems, []);
  } finally {
    await phone.close();
  }
  // The code the page showed, from where the page loads it (the page's CSP keeps its blob
  // URL out of reach of a script).
  const qr = await fetch(`${BASE_URL}/api/v1/delegate/registration/qr.svg`, {
    headers: { "X-Delegate-Token": delegateToken },
  });
  assert.equal(qr.status, 200);
  image = readQrSvg(await qr.text());
  const me = await call("GET", "/delegate/registration", { headers: { "X-Delegate-Token": delegateToken } });
  assert.equal(me.status, "confirmed");
  const registrationId = me.id;

  // The door: a phone paired after the registration, its camera showing that QR code.
  const browser = await withCamera("self-registered", [[image, 60]]);
  try {
    const context = await phoneContext(browser);
    const made = await device("Cửa đăng ký trực tuyến");
    const page = await openPaired(context, made.token);
    await page.click("#camera");
    await page.locator('#outcome[data-outcome="ok"]').waitFor({ state: "visible", timeout: WAIT });
    assert.equal(await text(page, "#outcome-name"), "Vũ Thị Lan Anh");
    assert.match(await text(page, "#outcome-detail"), /Kế toán trưởng/);
    await page.locator("#camera").dispatchEvent("click");
    await dismiss(page);

    const rows = await checkins({ id: registrationId });
    assert.equal(rows[0].outcome, "ok");
    assert.equal(rows[0].device_id, made.device.id);
    assert.deepEqual(context.problems, []);
  } finally {
    await browser.close();
  }
});
