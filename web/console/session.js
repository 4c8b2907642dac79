// The organizer's session: the access token lives in sessionStorage (gone when the tab
// closes, never in a cookie the server would have to guard), every API call carries it, and
// an expired or refused token sends the organizer to sign in again, then back where they were.

import { api, ApiError } from "../shared/api.js";

const KEY = "hoithao.console.session";
let cached = null;

/** The stored session `{token, expiresAt, account}` or null when signed out or expired. */
export function current() {
  if (!cached) {
    try {
      cached = JSON.parse(sessionStorage.getItem(KEY) || "null");
    } catch {
      cached = null;
    }
  }
  if (cached && Date.parse(cached.expiresAt) <= Date.now()) forget();
  return cached;
}

/** Signs in: resolves to the account, rejects with an `ApiError` (wrong credentials: 401). */
export async function signIn(email, password) {
  const issued = await api("/auth/login", { body: { email, password } });
  const account = await api("/auth/me", { headers: { Authorization: `Bearer ${issued.access_token}` } });
  cached = { token: issued.access_token, expiresAt: issued.expires_at, account };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(cached));
  } catch {
    // Storage disabled: the session lasts as long as this page.
  }
  return account;
}

/** Forgets the token (signing out, or the server refused it). */
export function forget() {
  cached = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}

export function isAdmin() {
  return current()?.account?.role === "admin";
}

const expiredListeners = [];

/** Calls `listener()` when the server refuses the token (expired or revoked account). */
export function onExpired(listener) {
  expiredListeners.push(listener);
}

function authHeaders(extra = {}) {
  const session = current();
  return session ? { ...extra, Authorization: `Bearer ${session.token}` } : extra;
}

/** `api()` with the organizer's token. A 401 forgets the session and tells the listeners. */
export async function call(path, options = {}) {
  try {
    return await api(path, { ...options, headers: authHeaders(options.headers) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forget();
      for (const listener of expiredListeners) listener();
    }
    throw error;
  }
}

/**
 * A raw authorized `fetch` for what is not JSON: file downloads, CSV/XLSX uploads, the event
 * stream. Returns the `Response`; a problem+json answer becomes an `ApiError`.
 */
export async function fetchWithToken(path, init = {}) {
  const url = path.startsWith("/api/") ? path : `/api/v1${path}`;
  let response;
  try {
    response = await fetch(url, { ...init, headers: authHeaders(init.headers || {}) });
  } catch (error) {
    throw new ApiError(0, { code: "network_error", detail: String(error) });
  }
  if (!response.ok) {
    const type = response.headers.get("Content-Type") || "";
    const problem = type.includes("json") ? await response.json().catch(() => ({})) : {};
    if (response.status === 401) {
      forget();
      for (const listener of expiredListeners) listener();
    }
    throw new ApiError(response.status, problem);
  }
  return response;
}

/** Downloads `path` as a file named `filename` (the token cannot ride on a plain link). */
export async function download(path, filename) {
  const response = await fetchWithToken(path);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
