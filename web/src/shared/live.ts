// Live changes of one record kind: GET /api/v1/live/<path>, Server-Sent Events through the gateway
// (the session cookie authenticates it; the gateway sends only changes this user may read, naming
// the record, never its data). EventSource reconnects by itself and sends the id of the last event
// it saw, so nothing is missed; `reset` means too much was missed and the page should reload.
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

export interface LiveChange {
  kind: string
  id: string
  operation: 'created' | 'updated' | 'deleted'
  version: number
  changed_at: string
}

export function useLive(path: () => string, onChange: (c: LiveChange | null) => void): { connected: Ref<boolean> } {
  const connected = ref(false)
  let source: EventSource | null = null

  function close() {
    source?.close()
    source = null
    connected.value = false
  }

  function open(p: string) {
    close()
    if (typeof EventSource === 'undefined' || !p) return
    const s = new EventSource(`/api/v1/live/${encodeURIComponent(p)}`)
    source = s
    s.onopen = () => (connected.value = true)
    s.onerror = () => (connected.value = s.readyState === EventSource.OPEN) // CONNECTING: retrying by itself
    s.addEventListener('change', (e) => {
      try {
        onChange(JSON.parse((e as MessageEvent).data) as LiveChange)
      } catch {
        onChange(null)
      }
    })
    s.addEventListener('reset', () => onChange(null))
  }

  watch(path, open, { immediate: true })
  onBeforeUnmount(close)
  return { connected }
}
