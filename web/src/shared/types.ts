// Shapes of the gateway's JSON, as documented in the API contract.

export interface Role {
  code: string
  name: string
}

export interface Region {
  code: string
  name: string
}

export interface Platform {
  code: string
  name: string
  url: string
}

/** Optional feature codes listed in `Me.permissions`. */
export type Permission = 'onboarding.review' | 'audit.search' | (string & {})

export interface Me {
  username: string
  name: string
  kind: string
  roles: Role[]
  region: Region | null
  platforms: Platform[]
  permissions: Permission[]
}

/** Every list endpoint pages with an opaque token; empty means the last page. */
export interface Page<T> {
  items: T[]
  next_page_token: string
}

export interface ProblemFieldError {
  field: string
  code: string
  message: string
  message_en?: string
}

/** RFC 9457 problem details, as the gateway renders them. */
export interface Problem {
  type?: string
  title?: string
  title_en?: string
  status?: number
  detail?: string
  detail_en?: string
  instance?: string
  request_id?: string
  errors?: ProblemFieldError[]
}

export type ApplicationStatus = 'pending' | 'approved' | 'rejected'

export interface ApplicationInput {
  uscc: string
  name: string
  region_code: string
  contact_name: string
  contact_phone: string
  email?: string
  note?: string
}

export interface ApplicationReceipt {
  id: string
  status: ApplicationStatus
  submitted_at: string
}

export interface Application {
  id: string
  uscc: string
  name: string
  region_code: string
  region_name: string
  contact_name: string
  /** Already masked by the server, e.g. 138****0000. */
  contact_phone: string
  email: string | null
  note: string | null
  status: ApplicationStatus
  submitted_at: string
  decided_at: string | null
  decided_by: string | null
  reject_reason: string | null
  client_id: string | null
}

export interface ApprovalResult {
  application: Application
  client_id: string
  client_secret: string
}

export interface EnterpriseClient {
  client_id: string
  uscc: string
  name: string
  region_code: string
  region_name: string
  enabled: boolean
  created_at: string
  secret_rotated_at: string | null
}

export interface ClientSecret {
  client_id: string
  client_secret: string
}

export type AuditOutcome = 'success' | 'refused' | 'failed'

export interface AuditActor {
  label: string
  kind: string
  name?: string | null
  roles?: string[]
  /** A region code; tolerated as an object too. */
  region?: string | Region | null
}

export interface AuditEntry {
  id: string
  at: string
  actor: AuditActor
  service: string
  action: string
  target_type: string | null
  target_id: string | null
  uscc: string | null
  summary: Record<string, unknown> | null
  outcome: AuditOutcome
  reason: string | null
  request_id: string | null
  source_ip: string | null
}

export interface Registration {
  uscc: string
  name: string
  region_code: string
  grid_code: string
  grid_name: string
  [key: string]: unknown
}

/** One entry of the shell's left navigation; an entry with `children` is a titled group of entries. */
export interface NavItem {
  key: string
  label: string
  /** data-testid of the entry; `nav-<key>` when absent. */
  testid?: string
  children?: NavItem[]
}

/** A business module a platform will contain (placeholder home pages). */
export interface PlannedModule {
  name: string
  description: string
}
