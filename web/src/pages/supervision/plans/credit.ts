// What the serious-dishonesty list's plans measure (提高检查频次) made of the plan's listed enterprises:
// `summary.credit_listed` of a plan (services/supervision/inspections/planning.py `ListedTarget`, with
// the decision numbers the servicer adds). Plans drawn before the list was read have none.
export interface ListedTarget {
  uscc: string
  enterprise_name: string
  /** Its yearly class (A–D). */
  klass: string
  /** A key target by its class already. */
  class_key: boolean
  /** Its yearly cap (inspection_caps). */
  cap: number
  /** Planned for it. */
  inspections: number
  /** Extra inspections the measure asked for that the cap left out. */
  extra_capped: number
  reason_zh: string
  decision_numbers: string[]
}

export function listedTargets(summary: Record<string, unknown> | undefined): ListedTarget[] {
  const rows = summary?.credit_listed
  return Array.isArray(rows) ? (rows as ListedTarget[]) : []
}
