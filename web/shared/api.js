// The API client shared by the web pages: JSON in and out, problem+json errors turned into an
// `ApiError` with the error `code` and the field errors indexed by field name.

/** A failed API call. `code` is the problem's stable code (or "network_error"), `fields` maps a
 * field name (as the API names it: `full_name`, `consent.accepted`, `delegates[1].phone`) to
 * `{code, message}`. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || problem.code || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || (status === 0 ? "network_error" : "unknown");
    this.problem = problem;
    this.retryAfter = problem.retryAfter ?? null;
    this.fields = {};
    for (const error of problem.errors || []) {
      if (!(error.field in this.fields)) this.fields[error.field] = { code: error.code, message: error.message };
    }
  }
}

const BASE = "/api/v1";

/**
 * Calls the API. `options`: `method` (default GET, or POST when there is a body), `body`
 * (sent as JSON), `headers`, `idempotencyKey`. Resolves to the parsed JSON (or null for 204),
 * rejects with an `ApiError`.
 */
export async function api(path, options = {}) {
  const headers = { Accept: "application/json, application/problem+json", ...(options.headers || {}) };
  const init = { method: options.method || (options.body === undefined ? "GET" : "POST"), headers };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  let response;
  try {
    response = await fetch(path.startsWith("/") && !path.startsWith(BASE) ? BASE + path : path, init);
  } catch (error) {
    throw new ApiError(0, { code: "network_error", detail: String(error) });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => ({})) : {};
  if (!response.ok) {
    const retryAfter = response.headers.get("Retry-After");
    throw new ApiError(response.status, { ...data, retryAfter: retryAfter ? Number(retryAfter) : null });
  }
  return data;
}

/** A random UUID for `Idempotency-Key`, so a retried submission never registers twice. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Plain http on a local network is not a secure context: no randomUUID, but random bytes.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `token` parameter of the URL fragment (`#token=…`): links carry their token there so it
 * never reaches a server log. */
export function tokenFromFragment() {
  return new URLSearchParams(location.hash.slice(1)).get("token");
}
