// Shapes the application pages' shared parts read (licensing/api.ts and standardization/api.ts
// have the full ones).

/** A step the page offers as a button (an ActionSpec). */
export interface ActionButton {
  code: string
  label: string
  danger?: boolean
  primary?: boolean
}

/** A field of a step's dialog (a FieldSpec). */
export interface DialogField {
  name: string
  label: string
  type: 'text' | 'textarea' | 'date' | 'select' | 'multiselect' | 'number'
  required?: boolean
  placeholder?: string
  /** For text: how long it may be (the dialog's `text-maxlength` otherwise). */
  maxlength?: number
}

/** One step of an application's history. */
export interface StepEntry {
  action: string
  action_name: string
  status_from_name: string
  status_to_name: string
  actor: string
  at: string
  detail: Record<string, unknown>
}

/** An application as a list row. */
export interface ListRow {
  id: string
  kind: string
  kind_name: string
  status_name: string
  submitted_at: string
}

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

/** What the frame of an application's page reads of it. */
export interface PageApplication {
  id: string
  kind: string
  kind_name: string
  status_name: string
  submitted_at: string
  version: number
  steps?: StepEntry[]
}
