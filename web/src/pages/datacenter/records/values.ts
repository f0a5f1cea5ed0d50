// Values of catalogue fields: how they are shown, how a form holds them, what is sent, and the
// client-side checks. The checks are the catalogue's own rules (required, lengths, pattern, range,
// options, and the shape of credit codes, ID numbers, phones, dates), with the server's wording
// (services/datacenter/registry/values.py), so a bad value is flagged before it is sent. The
// server checks everything again, and more (dictionaries, references, cross-field rules).
import { formatDateTime } from '@/shared/format'
import type { Field } from './catalogue'
import { dictionaryLabel, regionName } from './lookups'

// ---- display ------------------------------------------------------------------------------------

export function isBlank(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    (typeof v === 'string' && !v.trim()) ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  )
}

function optionLabel(f: Field, code: unknown): string {
  const s = String(code)
  return f.options?.find((o) => o.value === s)?.label ?? s
}

function codeLabel(f: Field, code: unknown): string {
  if (f.options?.length) return optionLabel(f, code)
  if (f.type === 'region') return regionName(String(code))
  if (f.dictionary) return dictionaryLabel(f.dictionary, String(code))
  return String(code)
}

/** One value as text: option labels not codes, 是/否, Beijing time, region names; masked values as given. */
export function displayValue(f: Field | undefined, v: unknown): string {
  if (isBlank(v)) return '—'
  if (!f) return typeof v === 'object' ? JSON.stringify(v) : String(v)
  switch (f.type) {
    case 'bool':
      return v === true || v === 'true' ? '是' : '否'
    case 'datetime':
      return formatDateTime(String(v))
    case 'enum':
    case 'region':
      return codeLabel(f, v)
    case 'enum_list':
    case 'text_list':
      return (Array.isArray(v) ? v : [v]).map((x) => codeLabel(f, x)).join('、')
    case 'json':
      return Array.isArray(v) ? `${v.length} 项` : '已填写'
    default:
      if (f.dictionary && typeof v === 'string') return dictionaryLabel(f.dictionary, v)
      if (f.options?.length) return optionLabel(f, v)
      return String(v)
  }
}

/** A short description of what a column takes (import help, form hints). */
export function describeField(f: Field): string {
  const parts: string[] = []
  const range = (unit = '') => {
    if (f.minimum !== undefined && f.maximum !== undefined) return `${f.minimum}–${f.maximum}${unit}`
    if (f.minimum !== undefined) return `不小于${f.minimum}${unit}`
    if (f.maximum !== undefined) return `不大于${f.maximum}${unit}`
    return ''
  }
  switch (f.type) {
    case 'enum':
      parts.push(`选项：${(f.options ?? []).map((o) => o.label).join('、')}`)
      break
    case 'enum_list':
      parts.push(`可多选（以“；”分隔）：${(f.options ?? []).map((o) => o.label).join('、')}`)
      break
    case 'text_list':
      parts.push('多个值以“；”分隔')
      break
    case 'int':
      parts.push(['整数', range()].filter(Boolean).join('，'))
      break
    case 'decimal':
    case 'float':
      parts.push(['数字', range()].filter(Boolean).join('，'))
      break
    case 'date':
      parts.push('日期 YYYY-MM-DD')
      break
    case 'datetime':
      parts.push('时间 YYYY-MM-DD HH:MM（北京时间）')
      break
    case 'bool':
      parts.push('是 / 否')
      break
    case 'uscc':
      parts.push('18位统一社会信用代码')
      break
    case 'id_number':
      parts.push('18位居民身份证号码')
      break
    case 'phone':
      parts.push('手机11位或区号-号码')
      break
    case 'region':
      parts.push('行政区划代码（6、9或12位）')
      break
    case 'json':
      parts.push(f.item_fields?.length ? `JSON：${f.item_fields.map((i) => i.label).join('、')}` : 'JSON')
      break
    default:
      if (f.min_length && f.max_length) parts.push(`${f.min_length}–${f.max_length}个字符`)
      else if (f.max_length) parts.push(`不超过${f.max_length}个字符`)
      else if (f.min_length) parts.push(`至少${f.min_length}个字符`)
  }
  if (f.pattern_hint) parts.push(f.pattern_hint)
  if (f.dictionary && f.type !== 'region') parts.push('字典代码')
  if (f.help) parts.push(f.help)
  return parts.filter(Boolean).join('；')
}

/** The hint under a form control: what the control itself does not already show. */
export function formHint(f: Field): string {
  if (f.type === 'enum' || f.type === 'enum_list' || f.type === 'bool' || f.type === 'region' || f.dictionary) return f.help ?? ''
  if (f.type === 'json' && f.item_fields?.length) return f.help ?? ''
  return describeField(f)
}

// ---- form values ----------------------------------------------------------------------------------

/** A json field in a form: a list of items, one object, or JSON text (no declared item shape). */
export interface JsonForm {
  mode: 'list' | 'object' | 'text'
  items: Record<string, unknown>[]
  text: string
}

/** json fields the rules read as one object rather than a list (hazards: 五落实 plan, verification,
 *  listed supervision; accidents: investigation). A stored object is always edited as one. */
const SINGLE_OBJECT_JSON = new Set(['plan', 'verification', 'supervision', 'investigation'])

export function isJsonForm(v: unknown): v is JsonForm {
  return typeof v === 'object' && v !== null && 'mode' in v && 'items' in v
}

/** `2026-11-20T10:00:00+08:00` → `2026-11-20T10:00:00`, the Beijing wall clock the picker holds. */
function wallClock(iso: string): string {
  const shown = formatDateTime(iso)
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(shown) ? shown.replace(' ', 'T') : iso
}

export function emptyItem(fields: Field[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, toForm(f, null)]))
}

/** The form value of an API value. */
export function toForm(f: Field, v: unknown): unknown {
  switch (f.type) {
    case 'enum_list':
    case 'text_list':
      return Array.isArray(v) ? v.map(String) : isBlank(v) ? [] : [String(v)]
    case 'int':
    case 'decimal':
    case 'float': {
      if (isBlank(v)) return null
      const n = typeof v === 'number' ? v : Number(v)
      return Number.isFinite(n) ? n : null
    }
    case 'date':
      return isBlank(v) ? null : String(v).slice(0, 10)
    case 'datetime':
      return isBlank(v) ? null : wallClock(String(v))
    case 'bool':
      return v === true || v === false ? v : null
    case 'json': {
      const items = f.item_fields ?? []
      if (!items.length) return { mode: 'text', items: [], text: isBlank(v) ? '' : JSON.stringify(v, null, 2) } as JsonForm
      const toItem = (x: unknown) => {
        const obj = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>
        return Object.fromEntries(items.map((sub) => [sub.name, toForm(sub, obj[sub.name])]))
      }
      if (Array.isArray(v)) return { mode: 'list', items: v.map(toItem), text: '' } as JsonForm
      if (typeof v === 'object' && v !== null) return { mode: 'object', items: [toItem(v)], text: '' } as JsonForm
      return { mode: SINGLE_OBJECT_JSON.has(f.name) ? 'object' : 'list', items: [], text: '' } as JsonForm
    }
    default:
      return isBlank(v) ? '' : String(v)
  }
}

/** What is sent for a form value: trimmed text, typed numbers, ISO times with +08:00, null when empty. */
export function toPayload(f: Field, v: unknown): unknown {
  switch (f.type) {
    case 'enum_list':
    case 'text_list': {
      const list = (Array.isArray(v) ? v : []).map((x) => String(x).trim()).filter(Boolean)
      return list.length ? list : null
    }
    case 'int':
    case 'decimal':
    case 'float':
      return typeof v === 'number' && Number.isFinite(v) ? v : null
    case 'date':
      return isBlank(v) ? null : String(v)
    case 'datetime':
      return isBlank(v) ? null : `${String(v).replace(' ', 'T')}+08:00`
    case 'bool':
      return typeof v === 'boolean' ? v : null
    case 'json': {
      if (!isJsonForm(v)) return null
      if (v.mode === 'text') {
        if (!v.text.trim()) return null
        try {
          return JSON.parse(v.text)
        } catch {
          return v.text // refused by the check before sending
        }
      }
      const items = (f.item_fields ?? []).length ? v.items.map((item) => itemPayload(f.item_fields ?? [], item)) : []
      if (v.mode === 'object') return items[0] ?? null
      return items.length ? items : null
    }
    case 'uscc':
    case 'id_number':
      return isBlank(v) ? null : String(v).trim().toUpperCase()
    case 'phone':
      return isBlank(v) ? null : String(v).replace(/\s/g, '')
    default:
      return isBlank(v) ? null : String(v).trim()
  }
}

function itemPayload(fields: Field[], item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const sub of fields) {
    const value = toPayload(sub, item[sub.name])
    if (value !== null) out[sub.name] = value
  }
  return out
}

/** Is a form value empty (for `required`)? */
export function isEmptyForm(f: Field, v: unknown): boolean {
  if (f.type === 'json' && isJsonForm(v)) return v.mode === 'text' ? !v.text.trim() : v.items.length === 0
  return isBlank(v)
}

// ---- checks ---------------------------------------------------------------------------------------

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'
const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,8}|400-?\d{3}-?\d{4})$/
const REGION = /^(?!00)\d{6}(\d{3}(\d{3})?)?$/

/** GB 32100-2015: null when valid, else the reason. */
export function usccProblem(code: string): string | null {
  if (code.length !== 18) return '应为18位'
  if ([...code].some((c) => !USCC_ALPHABET.includes(c))) return '含有不允许的字符（不使用I、O、S、V、Z）'
  const total = [...code.slice(0, 17)].reduce((sum, c, i) => sum + USCC_ALPHABET.indexOf(c) * USCC_WEIGHTS[i], 0)
  return USCC_ALPHABET[(31 - (total % 31)) % 31] === code[17] ? null : '校验位错误'
}

/** GB 11643-1999: null when valid, else the reason. */
export function residentIdProblem(code: string): string | null {
  if (code.length !== 18) return '应为18位'
  if (!/^\d{17}[\dX]$/.test(code)) return '只能是数字，末位可为X'
  const total = [...code.slice(0, 17)].reduce((sum, c, i) => sum + Number(c) * ID_WEIGHTS[i], 0)
  return ID_CHECK[total % 11] === code[17] ? null : '校验位错误'
}

function fmt(n: number): string {
  return String(n)
}

function textProblem(f: Field, s: string): string | null {
  const length = [...s].length // code points, as the server counts
  if (f.max_length !== undefined && length > f.max_length) return `不能超过${f.max_length}个字符`
  if (length < (f.min_length ?? 0)) return `至少${f.min_length}个字符`
  if (f.pattern) {
    let re: RegExp | null = null
    try {
      re = new RegExp(`^(?:${f.pattern})$`)
    } catch {
      re = null // a pattern JavaScript cannot read: the server checks it
    }
    if (re && !re.test(s)) return `格式不正确${f.pattern_hint ? `（${f.pattern_hint}）` : ''}`
  }
  return null
}

function optionProblem(f: Field, s: string): string | null {
  const options = f.options ?? []
  if (!options.length || options.some((o) => o.value === s || o.label === s)) return null
  return `取值“${s}”不在可选范围内（${options.map((o) => o.label).join('、')}）`
}

function rangeProblem(f: Field, n: number): string | null {
  if (f.minimum !== undefined && n < f.minimum) return `不能小于${fmt(f.minimum)}`
  if (f.maximum !== undefined && n > f.maximum) return `不能大于${fmt(f.maximum)}`
  return null
}

function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/** The reason a non-empty form value is wrong (without the label), or null. */
export function problem(f: Field, v: unknown): string | null {
  switch (f.type) {
    case 'text':
    case 'enum':
    case 'uscc':
    case 'id_number':
    case 'phone':
    case 'region': {
      let s = String(v).trim()
      if (f.type === 'enum') return optionProblem(f, s)
      if (f.type === 'uscc') {
        s = s.toUpperCase()
        const p = usccProblem(s)
        if (p) return p
      } else if (f.type === 'id_number') {
        s = s.toUpperCase()
        const p = residentIdProblem(s)
        if (p) return p
      } else if (f.type === 'phone') {
        s = s.replace(/\s/g, '')
        if (!PHONE.test(s)) return '电话号码格式不正确（手机11位或区号-号码）'
      } else if (f.type === 'region') {
        if (!REGION.test(s)) return '行政区划代码应为6、9或12位数字（GB/T 2260）'
      }
      return textProblem(f, s)
    }
    case 'enum_list':
    case 'text_list': {
      for (const item of Array.isArray(v) ? v : [v]) {
        const s = String(item).trim()
        if (!s) continue
        const p = (f.type === 'enum_list' ? optionProblem(f, s) : null) ?? textProblem(f, s)
        if (p) return p
      }
      return null
    }
    case 'int':
    case 'decimal':
    case 'float': {
      const n = typeof v === 'number' ? v : Number(String(v).replace(/,/g, ''))
      if (!Number.isFinite(n)) return '应为数字'
      if (f.type === 'int' && !Number.isInteger(n)) return '应为整数'
      return rangeProblem(f, n)
    }
    case 'date':
      return validDate(String(v).replace(/[/.]/g, '-').slice(0, 10)) ? null : '日期格式应为 YYYY-MM-DD'
    case 'datetime': {
      const s = String(v)
      return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?/.test(s) && validDate(s.slice(0, 10))
        ? null
        : '时间格式应为 YYYY-MM-DD HH:MM[:SS]'
    }
    case 'bool':
      return null
    case 'json':
      return jsonProblem(f, v)
    default:
      return null
  }
}

function jsonProblem(f: Field, v: unknown): string | null {
  if (!isJsonForm(v)) return null
  if (v.mode === 'text') {
    let parsed: unknown
    try {
      parsed = JSON.parse(v.text)
    } catch {
      return '应为JSON'
    }
    if (typeof parsed !== 'object' || parsed === null) return '应为对象或列表'
    return null
  }
  for (const [i, item] of v.items.entries()) {
    for (const sub of f.item_fields ?? []) {
      const value = item[sub.name]
      if (isEmptyForm(sub, value)) {
        if (sub.required) return `第${i + 1}项的${sub.label}不能为空`
        continue
      }
      const p = problem(sub, value)
      if (p) return `第${i + 1}项的${sub.label}${p}`
    }
  }
  return null
}

/** The message for a form value, as the server words it (`单位名称：至少2个字符`), or null. */
export function validate(f: Field, v: unknown): string | null {
  if (isEmptyForm(f, v)) return f.required ? `${f.label}不能为空` : null
  const p = problem(f, v)
  return p ? `${f.label}：${p}` : null
}

/** Form values of a record (every writable field). */
export function formOf(fields: Field[], record: Record<string, unknown> | null): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, toForm(f, record ? record[f.name] : null)]))
}

/** Equal payloads (after the same conversion), to find the changed fields of an edit. */
export function samePayload(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}
