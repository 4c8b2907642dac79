// The device's calls to the API, with its token: profile, bundle (ETag/304, deltas), scans,
// batch upload of the offline queue, name search, undo. A network failure rejects with
// `offline: true`, so callers fall back to deciding on the device.

import * as store from "./store.js";

export class DeviceError extends Error {
  constructor(status, problem, offline = false) {
    super(problem.detail || problem.code || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || (offline ? "network_error" : "unknown");
    this.offline = offline;
  }
}

/** Scans sent per batch: the API takes up to 1,000; smaller batches show progress sooner. */
const BATCH = 200;

async function call(token, path, { method = "GET", body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      cache: "no-store",
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: "application/json, application/problem+json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new DeviceError(0, { detail: String(error) }, true);
  }
  if (response.status === 304) return { status: 304, data: null, response };
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // A 503 (database trouble) is as good as offline for the door: decide on the device.
    throw new DeviceError(response.status, data, response.status === 503 || response.status === 502);
  }
  return { status: response.status, data, response };
}

export async function profile(token) {
  return (await call(token, "/device")).data;
}

/** Brings the stored bundle up to date: a delta since the stored watermark (or the full
 * bundle), skipped with 304 when nothing changed. Returns the number of rows received. */
export async function syncBundle(token, conferenceId) {
  const watermark = await store.get("watermark");
  const etag = await store.get("etag");
  const query = watermark ? `?since=${encodeURIComponent(watermark)}` : "";
  const { status, data, response } = await call(token, `/conferences/${conferenceId}/device-bundle${query}`, {
    headers: etag ? { "If-None-Match": etag } : {},
  });
  if (status === 304) return 0;
  await store.applyBundle(data, response.headers.get("ETag"));
  return data.registrations.length;
}

export async function scan(token, conferenceId, body) {
  return (await call(token, `/conferences/${conferenceId}/checkins`, { method: "POST", body })).data;
}

/** Uploads the queue in batches, oldest first; returns [{scan, item}] for what the server
 * answered. Stops at the first network failure (the rest stays queued). */
export async function uploadQueue(token, conferenceId) {
  const pending = (await store.queued()).sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : 1));
  const answered = [];
  for (let i = 0; i < pending.length; i += BATCH) {
    const part = pending.slice(i, i + BATCH);
    const scans = part.map(({ nonce, code, registration_id, session_id, direction, occurred_at }) => ({
      nonce,
      direction,
      occurred_at,
      ...(code ? { code } : { registration_id }),
      ...(session_id ? { session_id } : {}),
    }));
    const { data } = await call(token, `/conferences/${conferenceId}/checkin-batches`, { method: "POST", body: { scans } });
    data.forEach((item, index) => answered.push({ scan: part[index], item }));
  }
  return answered;
}

export async function search(token, conferenceId, q) {
  return (await call(token, `/conferences/${conferenceId}/checkin-search?q=${encodeURIComponent(q)}`)).data;
}

export async function undo(token, conferenceId, checkinId, reason) {
  return (await call(token, `/conferences/${conferenceId}/checkins/${checkinId}/device-undo`, { method: "POST", body: { reason } })).data;
}
