/** `#/duty?tab=spot-checks` → URLSearchParams of `tab=spot-checks`. */
export function hashQuery(hash = window.location.hash): URLSearchParams {
  const i = hash.indexOf('?')
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1))
}
