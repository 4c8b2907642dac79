// Test fixtures made through the real API (the server the runner started): an admin session,
// conferences with sessions, invitations.

import { BASE_URL } from "./browser.js";

export async function call(method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(`${BASE_URL}/api/v1${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return data;
}

let adminToken = null;

/** An access token of the admin the runner created. */
export async function admin() {
  if (!adminToken) {
    const login = await call("POST", "/auth/login", {
      body: { email: process.env.BROWSER_ADMIN_EMAIL, password: process.env.BROWSER_ADMIN_PASSWORD },
    });
    adminToken = login.access_token;
  }
  return adminToken;
}

let counter = 0;

/** A unique conference code for one test. */
export function uniqueCode(prefix) {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * A published conference starting in a week, with `sessions` (titles; the first with a sign-up
 * limit) and a privacy notice. `fields` overrides the conference's fields.
 */
export async function publishedConference({ code, fields = {}, sessions = [] } = {}) {
  const token = await admin();
  const start = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  start.setUTCHours(1, 0, 0, 0); // 08:00 in Hà Nội
  const end = new Date(start.getTime() + 8 * 3600 * 1000);
  const conference = await call("POST", "/conferences", {
    token,
    body: {
      code: code || uniqueCode("web"),
      title: "Hội thảo sản xuất sạch hơn",
      description: "Hội nghị - Hội thảo phát triển công nghiệp nông thôn và sản xuất sạch hơn.",
      venue_name: "Trung tâm Khuyến công",
      venue_address: "Vĩnh Yên, Vĩnh Phúc",
      starts_at: start.toISOString(),
      ends_at: end.toISOString(),
      capacity: 100,
      waitlist_enabled: true,
      registration_mode: "open",
      host_organization: "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Vĩnh Phúc",
      ...fields,
    },
  });
  const made = [];
  for (const [i, title] of sessions.entries()) {
    const s = new Date(start.getTime() + i * 3600 * 1000);
    made.push(
      await call("POST", `/conferences/${conference.id}/sessions`, {
        token,
        body: {
          title,
          kind: i === 0 ? "opening" : "presentation",
          starts_at: s.toISOString(),
          ends_at: new Date(s.getTime() + 3600 * 1000).toISOString(),
          ...(i === 1 ? { capacity: 30, signup_required: true } : {}),
        },
      }),
    );
  }
  await call("POST", `/conferences/${conference.id}/privacy-notices`, {
    token,
    body: {
      text_vi: "Ban tổ chức dùng họ tên, đơn vị và số điện thoại của bạn để đăng ký và điểm danh.",
      text_en: "The organizers use your name, unit and phone number for registration and check-in.",
    },
  }).catch(() => null);
  await call("POST", `/conferences/${conference.id}/publish`, { token });
  return { conference, sessions: made, token };
}
