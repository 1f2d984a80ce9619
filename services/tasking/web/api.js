// The tasking API, same origin: bearer token, JSON in and out, errors turned into ApiError.

const BASE = new URL("../v1/", new URL(".", document.baseURI));
const TOKEN_KEY = "paicha.worker.token";

export function getToken() {
  try { return localStorage.getItem(TOKEN_KEY); } catch { return null; }
}
export function setToken(token) { localStorage.setItem(TOKEN_KEY, token); }
export function clearToken() {
  try { localStorage.removeItem(TOKEN_KEY); } catch { /* storage disabled */ }
}

export class ApiError extends Error {
  // status 0 = no answer (network failure); code/message from {"error": {...}} when present.
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
  get network() { return this.status === 0; }
  get retryable() { return this.status === 0 || this.status >= 500 || this.status === 429; }
}

export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(new URL(path, BASE), {
      method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "");
  }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) {
    const err = data && typeof data === "object" && data.error ? data.error : {};
    throw new ApiError(response.status, err.code || "", err.message || "");
  }
  return data;
}

export function newRequestId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID needs a secure context (https or localhost); fall back to getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const api = {
  me: () => call("GET", "me"),
  tasks: (params) => call("GET", `tasks?${new URLSearchParams(params)}`),
  start: (taskId) => call("POST", `tasks/${encodeURIComponent(taskId)}/start`),
  outcome: (taskId, body) => call("POST", `tasks/${encodeURIComponent(taskId)}/outcomes`, body),
  result: (testId, body) => call("POST", `tests/${encodeURIComponent(testId)}/results`, body),
};
