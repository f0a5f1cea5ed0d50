// "Latest request wins" loading for views whose filters change while an answer is on its way:
// each load gets a generation number and an answer (or error) of an older generation is dropped,
// so a slow reply for last year's filter never overwrites this year's. `useLatest` loads one
// value; `usePaged` a list that pages with `next_page_token` (加载更多 appends; a reload starts
// over and drops whatever page was still coming).
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from './api'

/** The message shown in place of a failed load ('' when the browser is already off to the login). */
export function loadError(err: unknown, fallback = '加载失败，请稍后重试'): string {
  if (err instanceof ApiError) return err.redirecting ? '' : err.message
  return fallback
}

export interface Latest<T> {
  data: ShallowRef<T | null>
  loading: Ref<boolean>
  error: Ref<string>
  /** Loads again; resolves with the value, or null when it failed or a newer load superseded it. */
  load: () => Promise<T | null>
}

export function useLatest<T>(fetch: () => Promise<T>, fallback?: string): Latest<T> {
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const error = ref('')
  let generation = 0

  async function load(): Promise<T | null> {
    const mine = ++generation
    loading.value = true
    try {
      const value = await fetch()
      if (mine !== generation) return null
      data.value = value
      error.value = ''
      return value
    } catch (err) {
      if (mine !== generation) return null
      data.value = null
      error.value = loadError(err, fallback)
      return null
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return { data, loading, error, load }
}

export interface PageAnswer<T> {
  items: T[]
  next_page_token?: string | null
  total?: number
}

export interface Paged<T> {
  items: ShallowRef<T[]>
  total: Ref<number | null>
  nextToken: Ref<string>
  loading: Ref<boolean>
  error: Ref<string>
  /** From the first page (the filters changed). */
  reload: () => Promise<void>
  /** The next page, appended. */
  more: () => Promise<void>
}

export function usePaged<T>(fetchPage: (pageToken: string) => Promise<PageAnswer<T>>, fallback?: string): Paged<T> {
  const items = shallowRef<T[]>([])
  const total = ref<number | null>(null)
  const nextToken = ref('')
  const loading = ref(false)
  const error = ref('')
  let generation = 0

  async function run(append: boolean): Promise<void> {
    const mine = ++generation
    loading.value = true
    try {
      const page = await fetchPage(append ? nextToken.value : '')
      if (mine !== generation) return
      items.value = append ? [...items.value, ...(page.items ?? [])] : (page.items ?? [])
      nextToken.value = page.next_page_token ?? ''
      total.value = page.total ?? null
      error.value = ''
    } catch (err) {
      if (mine !== generation) return
      if (!append) items.value = []
      error.value = loadError(err, fallback)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return { items, total, nextToken, loading, error, reload: () => run(false), more: () => run(true) }
}
