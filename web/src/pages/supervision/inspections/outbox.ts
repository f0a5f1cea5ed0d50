// The on-site inspection's draft: what the officers typed and the actions not yet answered by the
// server, kept in localStorage under the user and the inspection (`new` before it is started), so
// a dropped connection, a reload or a closed tab loses nothing.
//
// Each user action (start the inspection, add or remove a finding, complete it) becomes a pending
// action with its Idempotency-Key generated once and stored with it; the queue is sent in order.
// A network error or a 5xx (or 429) keeps the action queued — 「网络中断，已暂存，恢复后自动提交」 —
// and it is sent again with the same key when the browser comes back `online` and every 10 s, so
// the server runs it once however many times it arrives. A refusal (4xx) drops it with the
// server's message; a success removes it and hands the answer to the page.
import { onBeforeUnmount, onMounted, reactive, ref } from 'vue'
import { ApiError, newIdempotencyKey, notifyError, request } from '@/shared/api'
import { inspectionPath, type Mode } from './api'

export type ActionKind = 'start' | 'finding' | 'remove' | 'complete'

export interface PendingAction {
  id: string
  kind: ActionKind
  body: Record<string, unknown>
  /** The Idempotency-Key of this action, sent with every attempt. */
  key: string
  /** When the user acted (ms since the epoch). */
  at: number
}

/** The start form, with what the page shows of the enterprise and officers while offline. */
export interface StartForm {
  uscc: string
  enterprise_name: string
  region_code: string
  sector_name: string
  officer_ids: string[]
  mode: Mode
  place: string
  plan_item_id: number | null
}

export interface CompletionForm {
  content: string
  unit_name: string
  unit_post: string
  refused: boolean
  refusal_note: string
}

export interface Draft {
  start: StartForm | null
  completion: CompletionForm | null
  pending: PendingAction[]
}

export type Outcome<T> = { status: 'done'; answer: T } | { status: 'queued' } | { status: 'rejected'; error: ApiError | Error }

export const RETRY_MS = 10_000
export const OFFLINE_NOTICE = '网络中断，已暂存，恢复后自动提交'
const PREFIX = 'safety:inspection-draft:'

export function storageKey(user: string, inspection: string): string {
  return `${PREFIX}${user}:${inspection}`
}

export function readDraft(user: string, inspection: string): Draft {
  try {
    const raw = window.localStorage.getItem(storageKey(user, inspection))
    const d = raw ? (JSON.parse(raw) as Partial<Draft>) : {}
    return { start: d.start ?? null, completion: d.completion ?? null, pending: Array.isArray(d.pending) ? d.pending : [] }
  } catch {
    return { start: null, completion: null, pending: [] }
  }
}

export function writeDraft(user: string, inspection: string, draft: Draft): void {
  const key = storageKey(user, inspection)
  try {
    if (!draft.start && !draft.completion && !draft.pending.length) window.localStorage.removeItem(key)
    else window.localStorage.setItem(key, JSON.stringify(draft))
  } catch {
    /* storage full or disabled: the page still works online */
  }
}

/** Worth sending again later: no HTTP answer, a server error, or too many requests. */
export function isTransient(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || err.status >= 500 || err.status === 429 || err.status === 408)
}

export interface OutboxOptions {
  user: string
  /** The inspection's id, or `new` for the one being started. */
  inspection: string
  /** A success: the action left the queue; `answer` is the inspection as the server now has it. */
  onDone: (action: PendingAction, answer: unknown) => void
}

export function useOutbox<T = unknown>(options: OutboxOptions) {
  const draft = reactive<Draft>(readDraft(options.user, options.inspection))
  /** The last attempt failed for the network or the server: the queue waits to be sent again. */
  const interrupted = ref(false)
  const sending = ref(false)
  const results = new Map<string, Outcome<T>>()
  let chain: Promise<void> = Promise.resolve()
  let timer: number | undefined

  function persist() {
    writeDraft(options.user, options.inspection, { start: draft.start, completion: draft.completion, pending: draft.pending })
  }

  function drop(id: string) {
    const i = draft.pending.findIndex((a) => a.id === id)
    if (i >= 0) draft.pending.splice(i, 1)
    persist()
  }

  async function drain(): Promise<void> {
    sending.value = true
    try {
      while (draft.pending.length) {
        const action = draft.pending[0]
        try {
          const answer = await request<T>(inspectionPath(action.kind, options.inspection), {
            method: 'POST',
            body: action.body,
            idempotencyKey: action.key,
            notify: false,
          })
          drop(action.id)
          interrupted.value = false
          results.set(action.id, { status: 'done', answer })
          options.onDone(action, answer)
        } catch (err) {
          if (err instanceof ApiError && err.redirecting) return
          if (isTransient(err)) {
            interrupted.value = true
            results.set(action.id, { status: 'queued' })
            return
          }
          drop(action.id)
          results.set(action.id, { status: 'rejected', error: err instanceof Error ? err : new Error(String(err)) })
          notifyError(err)
        }
      }
      interrupted.value = false
    } finally {
      sending.value = false
    }
  }

  /** Sends what is queued, after any sending already under way. */
  function flush(): Promise<void> {
    chain = chain.then(drain, drain)
    return chain
  }

  /** Queues a user action with its own key and tries to send it at once. */
  async function enqueue(kind: ActionKind, body: Record<string, unknown>): Promise<Outcome<T>> {
    const action: PendingAction = { id: newIdempotencyKey(), kind, body, key: newIdempotencyKey(), at: Date.now() }
    draft.pending.push(action)
    persist()
    await flush()
    const outcome = results.get(action.id) ?? { status: 'queued' as const }
    results.delete(action.id)
    return outcome
  }

  /** Takes back an action that has not been sent yet (not the one on its way). */
  function cancel(id: string): boolean {
    if (sending.value && draft.pending[0]?.id === id) return false
    drop(id)
    if (!draft.pending.length) interrupted.value = false
    return true
  }

  const onOnline = () => {
    if (draft.pending.length) flush()
  }

  onMounted(() => {
    window.addEventListener('online', onOnline)
    timer = window.setInterval(onOnline, RETRY_MS)
    if (draft.pending.length) {
      interrupted.value = true
      flush()
    }
  })
  onBeforeUnmount(() => {
    window.removeEventListener('online', onOnline)
    window.clearInterval(timer)
  })

  return { draft, interrupted, sending, persist, enqueue, flush, cancel }
}
