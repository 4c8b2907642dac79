// The rules the server applies, for when there is no server: folding and name search (the
// README's "Offline search on a device", src/domain/search.rs), and the offline verdict of a
// scan (the order of checkin_scan_v2: code, status, window, sign-up, then the once-rule).

/** Folds text as the server does: NFD, combining marks dropped, đ/Đ → d, lower case. */
export function fold(text) {
  return String(text || "")
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();
}

/** The words of a query, folded; empty for a blank query. */
export function queryWords(query) {
  return fold(query).split(/\s+/).filter(Boolean);
}

/**
 * Bundle entries matching `query`, ranked as the server ranks them: the exact folded name; then
 * every word a whole word of the name; then every word a prefix of a name word; then the rest
 * (matched through unit or reference); by folded name within each. At most `limit`.
 */
export function search(entries, query, limit = 20) {
  const words = queryWords(query);
  if (words.length === 0) return [];
  const joined = words.join(" ");
  const ranked = [];
  for (const entry of entries) {
    const haystack = entry.search_folded.split(" ");
    if (!words.every((w) => haystack.some((h) => h.startsWith(w)))) continue;
    const name = entry.name_folded.split(" ");
    let tier = 3;
    if (entry.name_folded === joined) tier = 0;
    else if (words.every((w) => name.includes(w))) tier = 1;
    else if (words.every((w) => name.some((n) => n.startsWith(w)))) tier = 2;
    ranked.push({ tier, entry });
  }
  ranked.sort((a, b) => a.tier - b.tier || (a.entry.name_folded < b.entry.name_folded ? -1 : a.entry.name_folded > b.entry.name_folded ? 1 : 0));
  return ranked.slice(0, limit).map((r) => r.entry);
}

const QR_PREFIX = "hoithao:1:";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `hoithao:1:<registration id>:<secret>` → {registrationId, secret}, or null. */
export function parseCode(code) {
  const text = String(code || "").trim();
  if (!text.startsWith(QR_PREFIX)) return null;
  const rest = text.slice(QR_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon < 0) return null;
  const registrationId = rest.slice(0, colon).toLowerCase();
  if (!UUID.test(registrationId)) return null;
  return { registrationId, secret: rest.slice(colon + 1) };
}

/** Whether scanned text is a device token (pairing) rather than a delegate's code. */
export function isDeviceToken(text) {
  return /^hdv_[A-Za-z0-9_-]{10,96}$/.test(String(text || "").trim());
}

/** Hex SHA-256 of text's UTF-8 bytes (WebCrypto), as the bundle's `qr_secret_sha256`. */
export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The local date (YYYY-MM-DD) of an instant in a time zone: the door day. */
export function localDay(instant, timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(instant));
}

/**
 * The verdict for a scan decided on the device. `scan`: {entry (bundle entry or null),
 * secretOk (the code's secret hashes to the entry's, or a manual pick), sessionId, at (Date)}.
 * `profile`: the device profile. `admitted(registrationId, sessionId, day)`: an earlier local
 * entry this device knows, or null. Returns {outcome, first} (first: the earlier entry).
 */
export function decide(scan, profile, admitted) {
  const { entry, secretOk, sessionId, at } = scan;
  if (!entry || !secretOk) return { outcome: "unknown_code" };
  if (entry.status === "cancelled" || entry.status === "rejected") return { outcome: "cancelled" };
  if (entry.status === "pending_approval") return { outcome: "pending_approval" };
  if (entry.status === "waitlisted") return { outcome: "waitlisted" };
  if (entry.status !== "confirmed") return { outcome: "unknown_code" };
  const session = sessionId ? profile.sessions.find((s) => s.id === sessionId) : null;
  const span = session || profile.conference;
  const margin = profile.checkin_window_margin_minutes * 60 * 1000;
  const time = at.getTime();
  if (time < Date.parse(span.starts_at) - margin || time > Date.parse(span.ends_at) + margin) {
    return { outcome: "outside_window" };
  }
  if (session && session.signup_required && !entry.session_ids.includes(session.id)) {
    return { outcome: "not_signed_up_for_session" };
  }
  const day = localDay(at, profile.conference.time_zone);
  const first = admitted(entry.registration_id, sessionId || null, day);
  if (first) return { outcome: "already_checked_in", first };
  return { outcome: "ok" };
}
