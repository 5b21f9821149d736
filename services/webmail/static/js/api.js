// api.js - the JSON API of docs/WEBMAIL-API.md: session cookie, CSRF header, errors.

let csrfToken = '';
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// ApiError - an error answer of the API: HTTP status, its "error" code and message
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

// apiSetCsrf - remember the CSRF token given by login or GET /api/session
export function apiSetCsrf(token) {
  csrfToken = token || '';
}

// apiRequest - one API call; JSON in and out, X-CSRF-Token on every change
export async function apiRequest(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  if (CHANGES.has(method) && path !== '/api/login') headers['X-CSRF-Token'] = csrfToken;
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (typeof body === 'string') {
    payload = body;
    headers['Content-Type'] = options.type || 'text/plain';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => ({})) : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.error, data && data.message);
    if (res.status === 401 && path !== '/api/login' && path !== '/api/session') {
      window.dispatchEvent(new CustomEvent('merpati:logged-out'));
    }
    throw err;
  }
  return data;
}

// api - shorthands: api.get(path), api.post(path, body), ...
export const api = {
  get: (path) => apiRequest('GET', path),
  post: (path, body = {}) => apiRequest('POST', path, body),
  put: (path, body = {}) => apiRequest('PUT', path, body),
  patch: (path, body = {}) => apiRequest('PATCH', path, body),
  del: (path, body) => apiRequest('DELETE', path, body),
  raw: apiRequest,
};

// apiQuery - "?a=1&b=x" from an object, leaving out empty values
export function apiQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
