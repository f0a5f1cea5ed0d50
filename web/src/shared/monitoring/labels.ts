// Display helpers of the monitoring views: Chinese names (the server sends names too; these are the
// fallbacks), the four warning colours, values with units, durations, countdowns, percentages and
// Beijing-time days. Times are shown in Asia/Shanghai whatever the browser's zone (see format.ts).
import { onBeforeUnmount, ref, type Ref } from 'vue'
import { beijingIso, formatDateTime } from '@/shared/format'
import {
  RATES_ARE_FRACTIONS,
  type Alarm,
  type AlarmLevel,
  type CommitmentStatus,
  type Escalation,
  type SourceState,
  type SpecialWork,
  type WarningColour,
} from './api'

export const COLOURS: { code: WarningColour; name: string; color: string }[] = [
  { code: 'red', name: '红色预警', color: '#d32f2f' },
  { code: 'orange', name: '橙色预警', color: '#f57c00' },
  { code: 'yellow', name: '黄色预警', color: '#fbc02d' },
  { code: 'blue', name: '蓝色预警', color: '#1976d2' },
  { code: 'none', name: '无预警', color: '#8fa89a' },
]

export function colourOf(code: string | null | undefined) {
  return COLOURS.find((c) => c.code === code) ?? COLOURS[COLOURS.length - 1]
}

export const LEVEL_NAMES: Record<AlarmLevel, string> = { warning: '预警', critical: '严重' }
export const ESCALATION_NAMES: Record<Escalation, string> = { enterprise: '企业', county: '区县', city: '市级' }
export const ESCALATION_TAG: Record<Escalation, 'info' | 'warning' | 'danger'> = { enterprise: 'info', county: 'warning', city: 'danger' }
export const STATUS_TAG: Record<string, 'danger' | 'warning' | 'success' | 'info'> = {
  raised: 'danger',
  acknowledged: 'warning',
  disposed: 'success',
  closed: 'info',
}
export const STATUS_NAMES: Record<string, string> = { raised: '待确认', acknowledged: '已确认', disposed: '已处置', closed: '已关闭' }

export const CONDITION_NAMES: Record<string, string> = {
  high: '超上限',
  low: '超下限',
  gas: '气体浓度超限',
  oxygen_high: '氧含量过高',
  oxygen_low: '氧含量过低',
  methane: '甲烷超限',
  power_cut_failure: '断电失效',
  offline: '离线',
  switch: '开关量报警',
}

export const SOURCE_STATES: { code: SourceState; name: string }[] = [
  { code: 'normal', name: '正常' },
  { code: 'stopped', name: '停产' },
  { code: 'maintenance', name: '检维修' },
  { code: 'special_work', name: '特殊作业' },
]

export const SPECIAL_WORKS: { code: SpecialWork; name: string }[] = [
  { code: 'hot_work', name: '动火作业' },
  { code: 'confined_space', name: '受限空间作业' },
  { code: 'work_at_height', name: '高处作业' },
  { code: 'lifting', name: '吊装作业' },
  { code: 'temporary_power', name: '临时用电' },
  { code: 'blinding', name: '盲板抽堵' },
  { code: 'excavation', name: '动土作业' },
  { code: 'road_closure', name: '断路作业' },
]

export const COMMITMENT_STATUS: Record<CommitmentStatus, { name: string; tag: 'success' | 'warning' | 'danger' | 'info' }> = {
  on_time: { name: '按时承诺', tag: 'success' },
  late: { name: '逾期承诺', tag: 'warning' },
  missing: { name: '未承诺', tag: 'danger' },
  pending: { name: '待承诺', tag: 'info' },
}

export function specialWorkNames(codes: string[] | null | undefined): string {
  return (codes ?? []).map((c) => SPECIAL_WORKS.find((w) => w.code === c)?.name ?? c).join('、') || '—'
}

export function sourceStateName(code: string, known?: string | null): string {
  return known || SOURCE_STATES.find((s) => s.code === code)?.name || code
}

/** A number as the sensor reports it (at most 3 decimals), with its unit. */
export function valueText(value: number | null | undefined, unit?: string | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  const n = Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000)
  return unit ? `${n} ${unit}` : n
}

/** A switch's state in words: 1 is on / acting / bypassed, 0 is off / normal. */
const SWITCH_STATES: Record<string, [string, string]> = {
  feed_power: ['断电', '供电'],
  emergency_shutoff: ['正常', '已切断'],
  sis_bypass: ['投用', '旁路'],
}
export function switchText(kind: string | null | undefined, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  const names = SWITCH_STATES[kind ?? ''] ?? ['关', '开']
  return names[value === 1 ? 1 : 0]
}

/** A point's latest value as a person reads it: a number with its unit, or a switch's state. */
export function pointValueText(p: { switch_kind?: string | null; last_value?: number | null; unit?: string | null }): string {
  return p.switch_kind ? switchText(p.switch_kind, p.last_value) : valueText(p.last_value, p.unit)
}

/** 3725 s → `1小时2分5秒`; 90061 s → `1天1小时1分`. */
export function durationText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.floor(seconds)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (d) return `${d}天${h}小时${m}分`
  if (h) return `${h}小时${m}分${sec}秒`
  if (m) return `${m}分${sec}秒`
  return `${sec}秒`
}

/** Milliseconds left → `05:09` / `1:05:09` / `2天 01:05:09`. */
export function countdownText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const pad = (n: number) => String(n).padStart(2, '0')
  const clock = h || d ? `${d ? pad(h) : h}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`
  return d ? `${d}天 ${clock}` : clock
}

/** How long the alarm has lasted: still active → since raised_at, else the server's duration_s. */
export function alarmDuration(a: Alarm, now: number): number | null {
  const raised = Date.parse(a.raised_at)
  if (a.active && !a.cleared_at && Number.isFinite(raised)) return Math.max(a.duration_s ?? 0, (now - raised) / 1000)
  return a.duration_s
}

/** A rate as a percentage with one decimal. */
export function percentText(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—'
  const p = RATES_ARE_FRACTIONS ? rate * 100 : rate
  return `${p.toFixed(1)}%`
}

export function percentValue(rate: number | null | undefined): number {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return 0
  return RATES_ARE_FRACTIONS ? rate * 100 : rate
}

/** An instant as ISO 8601 in Beijing time: `2026-12-02T10:00:00+08:00`. */
export function beijingInstant(ms: number): string {
  return beijingIso(formatDateTime(new Date(ms).toISOString()))
}

/** Today in Beijing, `YYYY-MM-DD`. */
export function beijingToday(now = Date.now()): string {
  return formatDateTime(new Date(now).toISOString()).slice(0, 10)
}

/** `HH:mm` in Beijing. */
export function beijingClock(now = Date.now()): string {
  return formatDateTime(new Date(now).toISOString()).slice(11, 16)
}

/** Alarm order of the queue: critical first, then higher escalation, then newest. */
export function alarmOrder(a: Alarm, b: Alarm): number {
  const level = (x: Alarm) => (x.level === 'critical' ? 0 : 1)
  const esc = (x: Alarm) => (x.escalation === 'city' ? 0 : x.escalation === 'county' ? 1 : 2)
  return level(a) - level(b) || esc(a) - esc(b) || Date.parse(b.raised_at) - Date.parse(a.raised_at)
}

// One clock for every countdown on the page, ticking once a second while someone reads it.
const now = ref(Date.now())
let timer: ReturnType<typeof setInterval> | undefined
let readers = 0

/** The current time in ms, updated every second; stops ticking when the last reader unmounts. */
export function useNow(): Ref<number> {
  readers += 1
  if (!timer) {
    now.value = Date.now()
    timer = setInterval(() => (now.value = Date.now()), 1000)
  }
  onBeforeUnmount(() => {
    readers -= 1
    if (readers <= 0 && timer) {
      clearInterval(timer)
      timer = undefined
      readers = 0
    }
  })
  return now
}
