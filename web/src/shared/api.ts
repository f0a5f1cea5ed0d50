// The one place that talks to the gateway.
//
// - The browser never sees a token: the session is an HttpOnly cookie, so every call is
//   `fetch(url, { credentials: 'same-origin' })`.
// - Every non-GET request carries `X-CSRF-Token` (the readable cookie `safety_csrf`).
// - Every POST carries `Idempotency-Key`, one per user action: a retry of the same action
//   reuses it (see `IdempotencyKeys`). A caller may supply the key (`idempotencyKey`) — kept
//   with an action queued while offline, say — and it is then sent with any write method.
// - Errors are RFC 9457 problem+json; they become an `ApiError` and, unless the caller opts
//   out, an ElMessage. A 401 sends the browser to `/auth/login?next=<current path>`.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import type { Problem } from './types'

export const CSRF_COOKIE = 'safety_csrf'
export const LOGIN_PATH = '/auth/login'
export const LOGOUT_PATH = '/auth/logout'

const MSG_NETWORK = '网络连接失败，请检查网络后重试'
const MSG_FORBIDDEN = '当前账号无权执行此操作'
const MSG_TOO_MANY = '请求过于频繁，请稍后再试'
const MSG_LOGIN = '登录已失效，正在跳转到登录页…'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: Method
  /** Query parameters; empty strings, null and undefined are left out. */
  query?: Record<string, QueryValue>
  /** Sent as JSON. */
  body?: unknown
  /** Sent as multipart/form-data instead of `body` (file uploads); the browser sets the boundary. */
  form?: FormData
  /** The key of this user action: sent with a POST (a fresh one is made when absent) and, when
   *  given, with any other write (PUT, PATCH, DELETE). */
  idempotencyKey?: string
  /** Show an ElMessage when the call fails (default true). */
  notify?: boolean
  /** On 401 go to the login page (default true). The public pages pass false. */
  loginOn401?: boolean
}

/** A failed call. `status` 0 means the request never got an HTTP answer. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem | null
  /** True when the browser is already on its way to the login page. */
  readonly redirecting: boolean

  constructor(status: number, problem: Problem | null, message: string, redirecting = false) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.redirecting = redirecting
  }

  /** `errors[]` of the problem as field name → Chinese message (first one wins). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem?.errors ?? []) {
      if (e.field && !(e.field in out)) out[e.field] = e.message || e.message_en || e.code
    }
    return out
  }
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie ? document.cookie.split(';') : []) {
    const i = part.indexOf('=')
    const key = (i < 0 ? part : part.slice(0, i)).trim()
    if (key === name) {
      const raw = i < 0 ? '' : part.slice(i + 1).trim()
      try {
        return decodeURIComponent(raw)
      } catch {
        return raw
      }
    }
  }
  return null
}

/** A v4 UUID; `crypto.randomUUID` only exists in secure contexts, so fall back to getRandomValues. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * One Idempotency-Key per user action. `key(action, payload)` returns the same key while the
 * action (same name, same payload) has not succeeded, so a retry after a network error, a 5xx or
 * a 429 is recognised by the server. Call `settle(action)` after a success; a changed payload is a
 * new action and gets a new key.
 */
export class IdempotencyKeys {
  private readonly pending = new Map<string, { key: string; fingerprint: string }>()

  key(action: string, payload?: unknown): string {
    const fingerprint = JSON.stringify(payload ?? null)
    const known = this.pending.get(action)
    if (known && known.fingerprint === fingerprint) return known.key
    const key = newIdempotencyKey()
    this.pending.set(action, { key, fingerprint })
    return key
  }

  settle(action: string): void {
    this.pending.delete(action)
  }
}

/** The path (with query and hash) to come back to after signing in. */
export function currentPath(): string {
  const { pathname, search, hash } = window.location
  return pathname + search + hash
}

export function loginUrl(next = currentPath()): string {
  return `${LOGIN_PATH}?next=${encodeURIComponent(next)}`
}

export function goToLogin(next = currentPath()): void {
  window.location.href = loginUrl(next)
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.append(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && ('title' in value || 'status' in value)
}

/** The Chinese message shown for a failed call. */
export function errorMessage(status: number, problem: Problem | null): string {
  if (status === 0) return MSG_NETWORK
  if (status === 401) return MSG_LOGIN
  if (status === 403) return MSG_FORBIDDEN
  if (status === 429) return MSG_TOO_MANY
  const title = problem?.title?.trim()
  const detail = problem?.detail?.trim()
  if (title && detail && detail !== title) return `${title}：${detail}`
  if (title || detail) return (title || detail) as string
  return `请求失败（HTTP ${status}），请稍后重试`
}

/** Show the ElMessage for an error thrown by `request` (used by callers that passed notify:false). */
export function notifyError(err: unknown): void {
  if (err instanceof ApiError) {
    if (err.redirecting) return
    ElMessage({ type: 'error', message: err.message, grouping: true, showClose: true })
  } else {
    ElMessage({ type: 'error', message: '页面出现错误，请刷新后重试', grouping: true, showClose: true })
    console.error(err)
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method: Method = options.method ?? 'GET'
  const notify = options.notify ?? true
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  if (method !== 'GET') {
    const csrf = readCookie(CSRF_COOKIE)
    if (csrf) headers['X-CSRF-Token'] = csrf
  }
  if (method === 'POST') headers['Idempotency-Key'] = options.idempotencyKey ?? newIdempotencyKey()
  else if (method !== 'GET' && options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey
  let body: string | FormData | undefined
  if (options.form !== undefined) {
    body = options.form
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
    })
  } catch {
    const err = new ApiError(0, null, MSG_NETWORK)
    if (notify) notifyError(err)
    throw err
  }

  let payload: unknown = undefined
  const type = response.headers.get('Content-Type') ?? ''
  if (response.status !== 204 && type.includes('json')) {
    try {
      payload = await response.json()
    } catch {
      payload = undefined
    }
  }

  if (response.ok) return payload as T

  const problem = isProblem(payload) ? payload : null
  if (response.status === 401 && (options.loginOn401 ?? true)) {
    goToLogin()
    throw new ApiError(401, problem, MSG_LOGIN, true)
  }
  const err = new ApiError(response.status, problem, errorMessage(response.status, problem))
  if (notify) notifyError(err)
  throw err
}

export function apiGet<T>(path: string, query?: Record<string, QueryValue>, options: RequestOptions = {}): Promise<T> {
  return request<T>(path, { ...options, method: 'GET', query })
}

export function apiPost<T>(path: string, body: unknown = {}, options: RequestOptions = {}): Promise<T> {
  return request<T>(path, { ...options, method: 'POST', body })
}

export function apiPut<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return request<T>(path, { ...options, method: 'PUT', body })
}

export function apiPatch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return request<T>(path, { ...options, method: 'PATCH', body })
}

export function apiDelete<T>(path: string, query?: Record<string, QueryValue>, options: RequestOptions = {}): Promise<T> {
  return request<T>(path, { ...options, method: 'DELETE', query })
}

/** POST /auth/logout, then follow the `redirect` the server names (Keycloak's end-session page). */
export async function logout(): Promise<void> {
  const result = await request<{ redirect?: string } | undefined>(LOGOUT_PATH, { method: 'POST' })
  window.location.href = result?.redirect || '/app/'
}

/** A refused write for a dialog: the server's field errors for the fields the form shows, and one
 * line with everything else (other fields' messages, or the problem's title and detail). */
export function problemOf(err: unknown, shown: string[]): { fields: Record<string, string>; other: string } | null {
  if (!(err instanceof ApiError) || err.redirecting) return null
  const all = err.fieldErrors
  const fields: Record<string, string> = {}
  const rest: string[] = []
  for (const [f, m] of Object.entries(all)) {
    const at = shown.find((s) => f === s || f.startsWith(`${s}.`))
    if (at && !(at in fields)) fields[at] = m
    else rest.push(m)
  }
  return { fields, other: rest.length ? rest.join('；') : Object.keys(all).length ? '' : err.message }
}
