// The data centre's field catalogue (`GET /api/v1/datacenter/catalogue`): every record kind of the
// ten databases, its fields, labels, limits and filters. The list, record, form, import and
// statistics views are generic and read everything from here.
import { apiGet } from '@/shared/api'
import type { Me } from '@/shared/types'

export type FieldType =
  | 'text'
  | 'enum'
  | 'enum_list'
  | 'text_list'
  | 'int'
  | 'decimal'
  | 'float'
  | 'date'
  | 'datetime'
  | 'bool'
  | 'uscc'
  | 'id_number'
  | 'phone'
  | 'region'
  | 'json'

export interface Option {
  value: string
  label: string
}

export interface Field {
  name: string
  label: string
  label_en?: string
  type: FieldType
  required: boolean
  computed: boolean
  filter: boolean
  search: boolean
  list_column: boolean
  enterprise_writable?: boolean
  max_length?: number
  min_length?: number
  minimum?: number
  maximum?: number
  pattern?: string
  pattern_hint?: string
  options?: Option[]
  dictionary?: string
  ref?: string
  mask?: string
  help?: string
  item_fields?: Field[]
}

export interface ListFilter {
  name: string
  label: string
  options: Option[]
}

export interface Kind {
  name: string
  database: string
  path: string
  label: string
  description: string
  key: string
  regional: boolean
  owned: boolean
  enterprise_writes: boolean
  updatable: boolean
  deletable: boolean
  category_field?: string
  month_field?: string
  writer_roles?: string[]
  reader_roles?: string[]
  fields: Field[]
  read_fields: Field[]
  list_filters: ListFilter[]
}

export interface Catalogue {
  databases: string[]
  kinds: Kind[]
}

/** Chinese names of the ten databases (the catalogue names them by their schema). */
export const DATABASE_LABELS: Record<string, string> = {
  laws: '安全生产法规标准库',
  enterprises: '企业基础信息库',
  hazards: '隐患排查治理库',
  major_hazards: '重大危险源库',
  rescue_teams: '应急救援队伍库',
  supplies: '应急物资库',
  accidents: '事故信息库',
  experts: '安全生产专家库',
  licences: '行政许可库',
  personnel: '执法与培训人员库',
}

export function databaseLabel(catalogue: Catalogue, database: string): string {
  return DATABASE_LABELS[database] ?? catalogue.kinds.find((k) => k.database === database)?.label ?? database
}

/** Columns every record carries besides its declared fields. */
export const SYSTEM_LABELS: Record<string, string> = {
  id: '编号',
  region_code: '所在行政区划',
  enterprise_name: '所属单位',
  version: '版本',
  created_at: '创建时间',
  created_by: '创建人',
  updated_at: '更新时间',
  updated_by: '更新人',
}

let loading: Promise<Catalogue> | null = null

/** The catalogue, fetched once per page. */
export function loadCatalogue(): Promise<Catalogue> {
  if (!loading) {
    loading = apiGet<Catalogue>('/api/v1/datacenter/catalogue', undefined, { notify: false })
      .then((c) => ({
        databases: c.databases ?? [],
        kinds: (c.kinds ?? []).map((k) => ({
          ...k,
          fields: k.fields ?? [],
          read_fields: k.read_fields ?? [],
          list_filters: k.list_filters ?? [],
        })),
      }))
      .catch((err: unknown) => {
        loading = null
        throw err
      })
  }
  return loading
}

function roleCodes(me: Me | null | undefined): Set<string> {
  return new Set((me?.roles ?? []).map((r) => r.code))
}

/** May this user read the kind (one of its reader roles)? Without a declaration, yes. */
export function canRead(me: Me | null | undefined, kind: Kind): boolean {
  if (!kind.reader_roles?.length) return true
  const mine = roleCodes(me)
  return kind.reader_roles.some((r) => mine.has(r))
}

/** May this user create, edit, delete and import records of the kind (one of its writer roles)?
 *  The server decides again, by region too; this only decides which buttons to show. */
export function canWrite(me: Me | null | undefined, kind: Kind): boolean {
  if (!me || me.kind !== 'staff') return false
  const writers = kind.writer_roles?.length ? kind.writer_roles : ['platform-admin', 'datacenter-admin']
  const mine = roleCodes(me)
  return writers.some((r) => mine.has(r))
}

/** Enterprises are created by their own submission or by import, not by POST on the collection. */
export function canCreate(me: Me | null | undefined, kind: Kind): boolean {
  return kind.name !== 'enterprise' && canWrite(me, kind)
}

/** Fields a caller may set (the form's and the import template's columns). */
export function writableFields(kind: Kind): Field[] {
  return kind.fields.filter((f) => !f.computed)
}

/** Every field a record shows: declared (incl. computed), then read-time fields. */
export function allFields(kind: Kind): Field[] {
  return [...kind.fields, ...kind.read_fields]
}

export function fieldLabel(kind: Kind, name: string): string {
  const base = baseFieldName(name)
  const f = allFields(kind).find((x) => x.name === base)
  return f?.label ?? SYSTEM_LABELS[base] ?? name
}

/** `plan.target`, `reports[0].level` → `plan`, `reports`: the form field a server error belongs to. */
export function baseFieldName(name: string): string {
  return name.split(/[.[]/)[0]
}

/** Region code column: declared as a field, or carried by every record of a regional kind. */
export function hasRegionColumn(kind: Kind): boolean {
  return kind.regional || kind.fields.some((f) => f.name === 'region_code')
}

export interface FilterSpec {
  name: string
  label: string
  /** Select options; absent for free text. */
  options?: Option[]
  field?: Field
}

/** The list's filters: every `filter` field (region first), then the read-time list filters. */
export function filterSpecs(kind: Kind): FilterSpec[] {
  const out: FilterSpec[] = []
  const region = kind.fields.find((f) => f.name === 'region_code')
  if (region?.filter || (kind.regional && !region)) {
    out.push({ name: 'region_code', label: region?.label ?? SYSTEM_LABELS.region_code, field: region ?? { ...REGION_FIELD } })
  }
  for (const f of kind.fields) {
    if (!f.filter || f.name === 'region_code') continue
    if (f.type === 'bool') {
      out.push({ name: f.name, label: f.label, field: f, options: [{ value: 'true', label: '是' }, { value: 'false', label: '否' }] })
    } else {
      out.push({ name: f.name, label: f.label, field: f, options: f.options })
    }
  }
  for (const lf of kind.list_filters) out.push({ name: lf.name, label: lf.label, options: lf.options })
  return out
}

/** The region column of kinds that carry it without declaring it (hazards, accidents…). */
export const REGION_FIELD: Field = {
  name: 'region_code',
  label: SYSTEM_LABELS.region_code,
  type: 'region',
  required: false,
  computed: true,
  filter: true,
  search: false,
  list_column: true,
  dictionary: 'region',
}
