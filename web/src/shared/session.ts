// The signed-in user (`GET /api/v1/me`), loaded once per page and shared by the shell and views.
import { reactive, readonly } from 'vue'
import { ApiError, apiGet } from './api'
import type { Me, Permission } from './types'

interface SessionState {
  me: Me | null
  loading: boolean
  error: ApiError | null
}

const state = reactive<SessionState>({ me: null, loading: false, error: null })
let inflight: Promise<Me> | null = null

/** Loads `/api/v1/me` once; a 401 sends the browser to the login page (see api.ts). */
export function loadMe(force = false): Promise<Me> {
  if (inflight && !force) return inflight
  state.loading = true
  state.error = null
  inflight = apiGet<Me>('/api/v1/me', undefined, { notify: false })
    .then((me) => {
      state.me = {
        ...me,
        roles: me.roles ?? [],
        platforms: me.platforms ?? [],
        permissions: me.permissions ?? [],
      }
      return state.me
    })
    .catch((err: unknown) => {
      state.error = err instanceof ApiError ? err : new ApiError(0, null, '无法获取当前用户信息')
      inflight = null
      throw err
    })
    .finally(() => {
      state.loading = false
    })
  return inflight
}

export function useSession() {
  return readonly(state)
}

export function hasPermission(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && me.permissions.includes(permission)
}
