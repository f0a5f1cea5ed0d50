// One write of an application page — the enterprise's application forms, a step of an application
// (licensing, standardization): one Idempotency-Key per action, kept while the same body is retried
// and dropped once it is answered; `saving` while it is under way; the server's refusal as the
// errors of the fields shown (`errors`) and the rest (`other`, and `more` for a page that lists
// them one by one).
import { ref } from 'vue'
import { ApiError, IdempotencyKeys, notifyError, problemOf, type RequestOptions } from '@/shared/api'

export type Send<T> = (body: Record<string, unknown>, options: RequestOptions) => Promise<T>

export function useWrite() {
  const keys = new IdempotencyKeys()
  const saving = ref(false)
  const errors = ref<Record<string, string>>({})
  const other = ref('')
  const more = ref<string[]>([])

  function clear(): void {
    errors.value = {}
    other.value = ''
    more.value = []
  }

  /** Sends `body` under `action`'s key, the errors shown cleared first: the answer, or undefined
   *  once `fail` has had the refusal. */
  async function write<T>(action: string, body: Record<string, unknown>, send: Send<T>, fail: (err: unknown) => void): Promise<T | undefined> {
    clear()
    saving.value = true
    try {
      const answer = await send(body, { idempotencyKey: keys.key(action, body), notify: false })
      keys.settle(action)
      return answer
    } catch (err) {
      fail(err)
      return undefined
    } finally {
      saving.value = false
    }
  }

  /** The applicant's pages' way with a refusal: the errors of `fields` at their fields, the rest
   *  above the form. Anything but the server's answer is a message, and false. */
  function showProblem(err: unknown, fields: string[]): err is ApiError {
    const p = problemOf(err, fields)
    if (!p) {
      notifyError(err)
      return false
    }
    errors.value = p.fields
    other.value = p.other
    return true
  }

  return { saving, errors, other, more, clear, write, showProblem }
}
