// The step dialog of an application's page (licensing, standardization; the officers' and the
// applicant's): the step opened (`current`, `open`), the values of its fields, and sending it
// (useWrite: one Idempotency-Key per step and application). The answer takes the application's
// place with a message naming its new status, or — a step that files a new application (延续, 变更,
// 复评换证) — the page goes to the new one.
import { computed, reactive, ref, type Ref, type WritableComputedRef } from 'vue'
import { ElMessage } from 'element-plus'
import type { RequestOptions } from '@/shared/api'
import { go } from '@/shared/monitoring/router'
import { useWrite } from './write'

export interface StepSpec {
  code: string
  label: string
  path: string
  /** The answer is a new application. */
  creates?: boolean
}

export interface StepAnswer {
  id: string
  kind_name: string
  status_name: string
}

/** What the step dialog (StepDialog.vue) shows of useStepDialog. */
export interface StepDialogState {
  current: Ref<{ label: string; danger?: boolean } | null>
  open: WritableComputedRef<boolean>
  values: Record<string, any>
  errors: Ref<Record<string, string>>
  other: Ref<string>
  more: Ref<string[]>
  saving: Ref<boolean>
}

export function useStepDialog<S extends StepSpec, A extends StepAnswer>(options: {
  act: (id: string, path: string, body: Record<string, unknown>, options: RequestOptions) => Promise<A>
  /** Puts the answer in the application's place. */
  apply: (answer: A) => void
  /** Where a new application opens: `<base>/<id>`. */
  base: string
  /** What the message says of a step taken (已办理, 已提交). */
  done: string
}) {
  const write = useWrite()
  const current = ref(null) as Ref<S | null>
  // one form for every step: text, numbers, dates and lists of codes
  const values = reactive<Record<string, any>>({})
  const open = computed({
    get: () => !!current.value,
    set: (v: boolean) => {
      if (!v) current.value = null
    },
  })

  function begin(spec: S, initial: Record<string, unknown>): void {
    for (const k of Object.keys(values)) delete values[k]
    Object.assign(values, initial)
    write.clear()
    current.value = spec
  }

  /** Sends the open step on application `id`; a refusal goes to `fail`. */
  async function send(id: string, body: Record<string, unknown>, fail: (err: unknown) => void): Promise<void> {
    const spec = current.value
    if (!spec) return
    const answer = await write.write(`${spec.code}:${id}`, body, (b, o) => options.act(id, spec.path, b, o), fail)
    if (!answer) return
    current.value = null
    if (spec.creates) {
      ElMessage({ type: 'success', message: `已提交${answer.kind_name}申请（编号 ${answer.id}）` })
      go(`${options.base}/${answer.id}`)
      return
    }
    options.apply(answer)
    ElMessage({ type: 'success', message: `${spec.label}：${options.done}，当前状态 ${answer.status_name}` })
  }

  return { ...write, current, values, open, begin, send }
}
