// The check-in app: pairing, the door screen, scans decided by the server when online and on
// the device when not (queued, uploaded on reconnect, the server's verdicts then replace the
// device's), manual search, undo of the last scan, and what the volunteer must always see:
// the network, the queue, the last sync and who is inside.

import "./messages.js";
import { h, replace, showAlert } from "../shared/dom.js";
import { formatTime, languageSwitch, onLangChange, t, translatePage } from "../shared/i18n.js";
import { newIdempotencyKey } from "../shared/api.js";
import * as rules from "./rules.js";
import * as store from "./store.js";
import * as net from "./sync.js";
import { startScanner } from "./scanner.js";
import { showOutcome, hideOutcome, feedback, tone } from "./outcome.js";

const $ = (id) => document.getElementById(id);
/** A code read again within this long is the same person still in front of the camera. */
const REPEAT_MS = 4000;
const SYNC_EVERY_MS = 20000;

const state = {
  token: null,
  profile: null,
  place: "",
  history: [],
  entries: null,
  seen: new Map(),
  insideDelta: 0,
  stopCamera: null,
  pairing: false,
  syncing: null,
  conflicts: 0,
};

const online = () => navigator.onLine;

// ---- pairing ----

async function pair(text) {
  const token = String(text || "").trim();
  const error = $("pair-error");
  if (!rules.isDeviceToken(token)) return showAlert(error, t("pair.malformed"));
  if (!online()) return showAlert(error, t("pair.offline"));
  let profile;
  try {
    profile = await net.profile(token);
  } catch (e) {
    return showAlert(error, t(e.offline ? "pair.offline" : "pair.invalid"));
  }
  stopCamera();
  showAlert(error, t("pair.loading"), "info");
  await store.clearAll();
  await store.set("token", token);
  await store.set("profile", profile);
  Object.assign(state, { token, profile, history: [], entries: null, insideDelta: 0, conflicts: 0 });
  state.place = profile.device.session_ids.length ? profile.device.session_ids[0] : "";
  await store.set("place", state.place);
  try {
    await net.syncBundle(token, profile.conference.id);
    await store.set("lastSync", new Date().toISOString());
  } catch {
    // The door still opens; the next sync fetches the bundle.
  }
  showAlert(error, "");
  showDoor();
}

function showPair() {
  stopCamera();
  state.pairing = true;
  $("door").hidden = true;
  $("pair").hidden = false;
  $("brand").textContent = t("app.title");
}

// ---- the door screen ----

function showDoor() {
  state.pairing = false;
  $("pair").hidden = true;
  $("door").hidden = false;
  renderDoor();
}

function renderDoor() {
  const { profile } = state;
  if (!profile) return;
  $("brand").textContent = `${t("app.title")} · ${profile.conference.code}`;
  $("conference-title").textContent = profile.conference.title;
  $("device-name").textContent = [profile.device.name, profile.device.gate].filter(Boolean).join(" · ");
  const limited = profile.device.session_ids.length > 0;
  const options = [];
  if (!limited) options.push(h("option", { value: "" }, t("door.gate")));
  for (const s of profile.sessions) {
    options.push(h("option", { value: s.id }, `${formatTime(s.starts_at, profile.conference.time_zone)} · ${s.title}`));
  }
  replace($("place"), options);
  $("place").value = state.place;
  $("camera").textContent = t(state.stopCamera ? "camera.stop" : "camera.start");
  renderStatus();
  renderHistory();
}

async function renderStatus() {
  if (!state.profile) return;
  const net = $("net");
  net.textContent = t(online() ? "status.online" : "status.offline");
  net.className = `pill ${online() ? "on" : "off"}`;
  const queued = await store.queueLength();
  $("queue").textContent = t("status.queue", { n: queued });
  $("queue").className = `pill ${queued ? "off" : ""}`;
  const session = state.profile.sessions.find((s) => s.id === state.place);
  const base = session ? session.inside_now : state.profile.door_inside_now;
  $("inside").textContent = t("status.inside", { n: Math.max(0, base + state.insideDelta) });
  const last = await store.get("lastSync");
  $("synced").textContent = last ? t("status.synced", { time: formatTime(last, state.profile.conference.time_zone) }) : t("status.never");
  $("bundle-size").textContent = t("status.bundle", { n: await store.bundleSize() });
  const banner = $("conflicts");
  banner.hidden = state.conflicts === 0;
  banner.textContent = state.conflicts ? t("conflicts.banner", { n: state.conflicts }) : "";
}

function renderHistory() {
  const zone = state.profile.conference.time_zone;
  const items = state.history.slice(0, 30).map((r) => {
    const notes = [];
    if (r.pending) notes.push(t("history.pending"));
    else if (r.local) notes.push(t("history.local"));
    if (r.undone) notes.push(t("history.undone"));
    return h(
      "li",
      { class: `hist ${tone(r.outcome)}${r.conflict ? " conflict" : ""}`, dataset: { nonce: r.nonce, outcome: r.outcome } },
      h("span", { class: "time" }, formatTime(r.at, zone)),
      " ",
      h("strong", {}, r.name || "—"),
      " · ",
      h("span", { class: "verdict" }, t(`outcome.${r.outcome}`)),
      notes.length ? h("span", { class: "muted" }, ` (${notes.join(", ")})`) : null,
      r.conflict ? h("span", { class: "conflict-note" }, t("history.conflict", { outcome: t(`outcome.${r.outcome}`) })) : null,
    );
  });
  replace($("history"), items.length ? items : [h("li", { class: "muted" }, t("history.empty"))]);
}

// ---- scans ----

function onCode(text) {
  const code = String(text).trim();
  if (state.pairing) {
    if (rules.isDeviceToken(code)) pair(code);
    return;
  }
  const now = Date.now();
  if (now - (state.seen.get(code) || 0) < REPEAT_MS) return;
  state.seen.set(code, now);
  if (rules.isDeviceToken(code)) return;
  admit({ code });
}

function admitted(registrationId, sessionId, day) {
  const first = state.history
    .filter((r) => r.registration_id === registrationId && (r.session_id || null) === sessionId && r.day === day)
    .filter((r) => r.outcome === "ok" && !r.undone)
    .pop();
  return first ? { at: first.at, device: null } : null;
}

/** One scan (a code) or manual check-in (a registration id): to the server when online, else
 * decided here and queued. Shown at once either way. */
async function admit({ code, registrationId }) {
  const { token, profile } = state;
  const at = new Date();
  const sessionId = state.place || null;
  const nonce = newIdempotencyKey();
  const body = {
    nonce,
    direction: "in",
    occurred_at: at.toISOString(),
    ...(code ? { code } : { registration_id: registrationId }),
    ...(sessionId ? { session_id: sessionId } : {}),
  };
  const day = rules.localDay(at, profile.conference.time_zone);
  const base = { nonce, at: at.toISOString(), session_id: sessionId, day };
  if (online()) {
    try {
      const result = await net.scan(token, profile.conference.id, body);
      const record = { ...base, ...fromServer(result), local: false, pending: false };
      await remember(record);
      return;
    } catch (e) {
      if (e.status === 401) return revoked();
      if (!e.offline) return showAlert($("door-error"), e.message);
    }
  }
  const parsed = code ? rules.parseCode(code) : { registrationId, secret: null };
  const entry = parsed ? await store.entry(parsed.registrationId) : null;
  const secretOk = Boolean(entry) && (code ? (await rules.sha256Hex(parsed.secret)) === entry.qr_secret_sha256 : true);
  const verdict = rules.decide({ entry, secretOk, sessionId, at }, profile, admitted);
  const record = {
    ...base,
    registration_id: entry && secretOk ? entry.registration_id : null,
    name: entry && secretOk ? entry.full_name : null,
    position: entry?.position ?? null,
    unit_name: entry?.unit_name ?? null,
    outcome: verdict.outcome,
    first: verdict.first || null,
    local: true,
    pending: true,
  };
  state.history.unshift(record);
  await store.enqueue(body, record);
  shown(record);
}

function fromServer(result) {
  const d = result.delegate || {};
  return {
    registration_id: d.registration_id ?? null,
    name: d.full_name ?? null,
    position: d.position ?? null,
    unit_name: d.unit_name ?? null,
    outcome: result.outcome,
    checkin_id: result.checkin_id,
    conflict: result.conflict ?? null,
    first: result.first_checked_in_at ? { at: result.first_checked_in_at, device: result.first_device } : null,
  };
}

async function remember(record) {
  state.history.unshift(record);
  await store.putHistory(record);
  shown(record);
}

function shown(record) {
  if (record.outcome === "ok") state.insideDelta += 1;
  showOutcome(record, state.profile.conference.time_zone);
  feedback(record.outcome);
  renderHistory();
  renderStatus();
}

// ---- sync ----

/** Uploads the queue, replaces local verdicts with the server's, refreshes the bundle and the
 * profile. One at a time; a call during a sync waits for it. */
function sync() {
  if (!state.syncing) {
    state.syncing = runSync().finally(() => {
      state.syncing = null;
      renderStatus();
    });
  }
  return state.syncing;
}

async function runSync() {
  if (!state.token || !online()) return;
  const { token, profile } = state;
  try {
    const answered = await net.uploadQueue(token, profile.conference.id);
    const settled = [];
    for (const { scan, item } of answered) {
      const record = state.history.find((r) => r.nonce === scan.nonce) || (await store.historyRecord(scan.nonce)) || { nonce: scan.nonce, at: scan.occurred_at };
      const local = record.outcome;
      if (item.result) {
        Object.assign(record, fromServer(item.result), { local_outcome: local, local: false, pending: false });
        // A conflict: the server decided otherwise, or knew something the device did not.
        const differs = item.result.outcome !== local;
        record.conflict = differs || (item.result.conflict && item.result.conflict !== local) ? item.result.conflict || item.result.outcome : null;
        if (record.conflict) state.conflicts += 1;
      } else {
        Object.assign(record, { pending: false, error: item.error });
      }
      settled.push(record);
    }
    if (settled.length) await store.settle(settled);
    if (await net.syncBundle(token, profile.conference.id)) state.entries = null;
    state.profile = await net.profile(token);
    state.insideDelta = 0;
    await store.set("profile", state.profile);
    await store.set("lastSync", new Date().toISOString());
    renderDoor();
  } catch (e) {
    if (e.status === 401) revoked();
  }
}

async function revoked() {
  await store.clearAll();
  Object.assign(state, { token: null, profile: null, history: [] });
  showPair();
  showAlert($("pair-error"), t("revoked"));
}

// ---- search and manual check-in ----

let searchTimer = null;
async function runSearch() {
  const q = $("search").value;
  if (!rules.queryWords(q).length) return replace($("results"));
  let found = null;
  if (online()) {
    try {
      found = await net.search(state.token, state.profile.conference.id, q);
    } catch {
      found = null;
    }
  }
  if (!found) {
    state.entries = state.entries || (await store.allEntries());
    found = rules.search(state.entries, q);
  }
  if ($("search").value !== q) return;
  const items = found.map((d) =>
    h(
      "li",
      {},
      h("span", { class: "who" }, h("strong", {}, d.full_name), h("br"), [d.position, d.unit_name].filter(Boolean).join(" · "), d.status && d.status !== "confirmed" ? ` · ${t(`search.status.${d.status}`)}` : ""),
      h("button", { type: "button", class: "primary", "aria-label": `${t("search.checkin")}: ${d.full_name}`, onclick: () => admit({ registrationId: d.registration_id }) }, t("search.checkin")),
    ),
  );
  replace($("results"), items.length ? items : [h("li", { class: "muted" }, t("search.none"))]);
}

// ---- undo ----

function lastScan() {
  return state.history.find((r) => !r.undone && (r.pending || r.checkin_id));
}

function openUndo() {
  const last = lastScan();
  if (!last) return showAlert($("door-error"), t("undo.nothing"), "info");
  $("undo-what").textContent = t("undo.what", { name: last.name || t(`outcome.${last.outcome}`), time: formatTime(last.at, state.profile.conference.time_zone) });
  $("undo-reason").value = "";
  showAlert($("undo-error"), "");
  $("undo-dialog").showModal();
  $("undo-reason").focus();
}

async function confirmUndo(event) {
  event.preventDefault();
  const reason = $("undo-reason").value.trim();
  if (!reason) return showAlert($("undo-error"), t("undo.reason_required"));
  const last = lastScan();
  try {
    if (!last.pending) await net.undo(state.token, state.profile.conference.id, last.checkin_id, reason);
    Object.assign(last, { undone: true, undo_reason: reason, pending: false });
    // A queued scan undone before upload leaves the queue: the server never admitted it.
    await store.settle([last]);
    if (last.outcome === "ok") state.insideDelta -= 1;
    $("undo-dialog").close();
    showAlert($("door-error"), t("undo.done"), "info");
    renderHistory();
    renderStatus();
  } catch (e) {
    showAlert($("undo-error"), e.offline ? t("status.offline") : e.message);
  }
}

// ---- camera ----

async function toggleCamera() {
  if (state.stopCamera) return stopCamera();
  try {
    state.stopCamera = await startScanner($("video"), onCode);
    $("video").closest(".viewfinder").classList.add("live");
  } catch {
    showAlert(state.pairing ? $("pair-error") : $("door-error"), t("camera.denied"));
  }
  if (state.profile) $("camera").textContent = t(state.stopCamera ? "camera.stop" : "camera.start");
}

function stopCamera() {
  if (state.stopCamera) state.stopCamera();
  state.stopCamera = null;
  $("video").closest(".viewfinder")?.classList.remove("live");
  if (state.profile) $("camera").textContent = t("camera.start");
}

// ---- start ----

async function start() {
  translatePage();
  languageSwitch($("lang"));
  onLangChange(() => (state.profile && !state.pairing ? renderDoor() : null));
  $("pair-form").addEventListener("submit", (e) => {
    e.preventDefault();
    pair($("pair-token").value);
  });
  $("pair-scan").addEventListener("click", () => {
    // The pairing screen shares the door's viewfinder: move it while pairing.
    $("pair").append($("video").closest(".viewfinder"));
    toggleCamera();
  });
  $("camera").addEventListener("click", () => {
    $("door").insertBefore($("video").closest(".viewfinder"), $("door").querySelector(".actions"));
    toggleCamera();
  });
  $("place").addEventListener("change", async () => {
    state.place = $("place").value;
    await store.set("place", state.place);
    renderStatus();
  });
  $("search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 200);
  });
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    runSearch();
  });
  $("undo").addEventListener("click", openUndo);
  $("undo-form").addEventListener("submit", confirmUndo);
  $("undo-cancel").addEventListener("click", () => $("undo-dialog").close());
  $("outcome").addEventListener("click", hideOutcome);
  $("unpair").addEventListener("click", async () => {
    if (!confirm(t("unpair.confirm"))) return;
    await store.clearAll();
    Object.assign(state, { token: null, profile: null, history: [] });
    showPair();
  });
  window.addEventListener("online", () => {
    renderStatus();
    sync();
  });
  window.addEventListener("offline", renderStatus);
  setInterval(() => online() && sync(), SYNC_EVERY_MS);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => null);

  // A pairing link (`#token=hdv_…`, the fragment never reaches a server) pairs at once.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) history.replaceState(null, "", location.pathname + location.search);
  state.token = await store.get("token");
  state.profile = await store.get("profile");
  if (fromLink && fromLink !== state.token) {
    showPair();
    return pair(fromLink);
  }
  if (!state.token || !state.profile) return showPair();
  state.place = (await store.get("place")) ?? "";
  state.history = await store.history();
  showDoor();
  sync();
}

start();
