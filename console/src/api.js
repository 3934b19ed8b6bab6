// The API as the console calls it: same origin, JSON in and out, basic
// credentials from the sign-in form (kept for this browser tab only).

const KEY = 'streamvisor.credentials';

export class ApiError extends Error {
  constructor(status, body) {
    super(messageOf(status, body));
    this.status = status;
    this.body = body;
  }
}

function messageOf(status, body) {
  if (body && typeof body === 'object') {
    return body.errorMessage || body.error || body['Access-Check-Result'] || `HTTP ${status}`;
  }
  return body ? String(body) : `HTTP ${status}`;
}

export function signIn(user, password) {
  sessionStorage.setItem(KEY, btoa(`${user}:${password}`));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export function signedIn() {
  return sessionStorage.getItem(KEY) !== null;
}

export async function call(method, path, body) {
  // X-Requested-With: a 401 comes without the basic challenge, so the
  // browser leaves signing in to the console's own form.
  const headers = {Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
  const creds = sessionStorage.getItem(KEY);
  if (creds) headers.Authorization = `Basic ${creds}`;
  const init = {method, headers};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (e) {
    // plain text (task logs)
  }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? '' : body);

export const SUP = '/druid/indexer/v1/supervisor';
