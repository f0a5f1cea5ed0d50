// The data centre's views are chosen by the location hash:
//   #/                                 概览
//   #/applications | #/clients | #/audit
//   #/statistics                       统计分析
//   #/records/<path>                   list of a record kind (e.g. #/records/hazards)
//   #/records/<path>/new               create form
//   #/records/<path>/import            import wizard
//   #/records/<path>/view/<id>         record page
//   #/records/<path>/edit/<id>         edit form

export type Route =
  | { view: 'overview' | 'applications' | 'clients' | 'audit' | 'statistics' }
  | { view: 'records'; path: string; mode: 'list' | 'new' | 'import' }
  | { view: 'records'; path: string; mode: 'view' | 'edit'; id: string }

const SIMPLE = new Set(['applications', 'clients', 'audit', 'statistics'])

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean)
  const [first, path, mode, id] = parts
  if (first && SIMPLE.has(first)) return { view: first as 'applications' | 'clients' | 'audit' | 'statistics' }
  if (first === 'records' && path) {
    const p = decodeURIComponent(path)
    if ((mode === 'view' || mode === 'edit') && id) return { view: 'records', path: p, mode, id: decodeURIComponent(id) }
    if (mode === 'new' || mode === 'import') return { view: 'records', path: p, mode }
    return { view: 'records', path: p, mode: 'list' }
  }
  return { view: 'overview' }
}

const enc = encodeURIComponent

export const hashes = {
  list: (path: string) => `#/records/${enc(path)}`,
  create: (path: string) => `#/records/${enc(path)}/new`,
  import: (path: string) => `#/records/${enc(path)}/import`,
  record: (path: string, id: string | number) => `#/records/${enc(path)}/view/${enc(String(id))}`,
  edit: (path: string, id: string | number) => `#/records/${enc(path)}/edit/${enc(String(id))}`,
}

export function go(hash: string): void {
  window.location.hash = hash
}

/** The API collection of a kind. */
export function apiBase(path: string): string {
  return `/api/v1/${path}`
}

export function apiRecord(path: string, id: string | number): string {
  return `/api/v1/${path}/${enc(String(id))}`
}
