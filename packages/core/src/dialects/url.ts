/** A `scheme://user:password@host:port/path?query` URL split without `new URL()`, which would
 * stop the authority at a raw `/`, `?` or `#` inside a password. */
export interface NetworkUrlParts {
  readonly scheme: string
  /** The user name, percent-decoded; empty when absent. */
  readonly user: string
  /** The password, percent-decoded; undefined when the URL has none. */
  readonly password: string | undefined
  /** Everything after the credentials: `host:port/path?query`. */
  readonly hostPart: string
  readonly host: string
  readonly port: number | undefined
  /** The path without its leading `/`, percent-decoded. */
  readonly path: string
  /** Query parameters in order, percent-decoded. */
  readonly query: readonly (readonly [string, string])[]
}

const NETWORK_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s
const SECRET_QUERY_KEY = /^(password|pass|pwd|sslpassword|secret)$/i
const MASK = '***'

/**
 * Splits a network URL. The credentials end at the LAST `@`, so raw `@ : / ? #` in a password
 * work; an `@` in the query string must then be percent-encoded.
 */
export function splitNetworkUrl(url: string): NetworkUrlParts | null {
  const match = NETWORK_URL.exec(url)
  if (!match) return null
  const scheme = (match[1] ?? '').toLowerCase()
  const body = match[2] ?? ''
  const at = body.lastIndexOf('@')
  const userInfo = at >= 0 ? body.slice(0, at) : undefined
  const hostPart = at >= 0 ? body.slice(at + 1) : body
  const colon = userInfo === undefined ? -1 : userInfo.indexOf(':')
  const user = userInfo === undefined ? '' : decode(colon >= 0 ? userInfo.slice(0, colon) : userInfo)
  const password = userInfo !== undefined && colon >= 0 ? decode(userInfo.slice(colon + 1)) : undefined

  const hostMatch = /^(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)(?:\?([^#]*))?/.exec(hostPart)
  const host = decode(hostMatch?.[1] ?? '')
  const portText = hostMatch?.[2]
  const port = portText ? Number(portText) : undefined
  const path = decode((hostMatch?.[3] ?? '').replace(/^\//, ''))
  const query = (hostMatch?.[4] ?? '')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair): readonly [string, string] => {
      const eq = pair.indexOf('=')
      return eq >= 0 ? [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))] : [decode(pair), '']
    })
  return { scheme, user, password, hostPart, host, port, path, query }
}

/**
 * The URL with its password, and any `password=` style query parameter, replaced by `***`.
 * Non-network URLs (`sqlite:…`, `pglite:…`) are returned unchanged.
 *
 * @example maskUrl('postgres://app:s3cr%40t@db:5432/prod') // 'postgres://app:***@db:5432/prod'
 */
export function maskUrl(url: string): string {
  const match = NETWORK_URL.exec(url)
  if (!match) return url
  const body = match[2] ?? ''
  const at = body.lastIndexOf('@')
  let userInfo = at >= 0 ? body.slice(0, at) : undefined
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':')
    if (colon >= 0) userInfo = `${userInfo.slice(0, colon)}:${MASK}`
  }
  const hostPart = maskQuery(at >= 0 ? body.slice(at + 1) : body)
  return `${match[1]}://${userInfo === undefined ? '' : `${userInfo}@`}${hostPart}`
}

function maskQuery(hostPart: string): string {
  const q = hostPart.indexOf('?')
  if (q < 0) return hostPart
  const hash = hostPart.indexOf('#', q)
  const end = hash < 0 ? hostPart.length : hash
  const masked = hostPart
    .slice(q + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      return eq >= 0 && SECRET_QUERY_KEY.test(decode(pair.slice(0, eq)))
        ? `${pair.slice(0, eq)}=${MASK}`
        : pair
    })
    .join('&')
  return `${hostPart.slice(0, q + 1)}${masked}${hostPart.slice(end)}`
}

/**
 * The secrets a URL carries (its password, secret query parameters), for {@link redactSecrets}:
 * each in the form the URL spells it and percent-decoded. A secret that is also a part of the URL
 * migraph shows (its user, host or database) is left out: the masked URL shows it anyway, and
 * masking it would only rewrite messages that name that user or database.
 */
export function urlSecrets(url: string): string[] {
  const parts = splitNetworkUrl(url)
  if (!parts) return []
  const secrets: string[] = []
  const match = NETWORK_URL.exec(url)
  const body = match?.[2] ?? ''
  const at = body.lastIndexOf('@')
  if (at >= 0) {
    const userInfo = body.slice(0, at)
    const colon = userInfo.indexOf(':')
    if (colon >= 0) secrets.push(userInfo.slice(colon + 1))
  }
  if (parts.password !== undefined) secrets.push(parts.password)
  for (const [key, value] of parts.query) if (SECRET_QUERY_KEY.test(key)) secrets.push(value)
  const shown = new Set([parts.user, parts.host, parts.path])
  return [...new Set(secrets.filter((s) => s !== '' && !shown.has(s) && !shown.has(decode(s))))]
}

/** A URL in running text: a scheme, `://`, then everything up to white space or a quote. */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"`]+/g
/** A `key=value` setting of a secret, as connection strings (`password=… host=…`) spell it. */
const SECRET_SETTING = /\b(password|pass|pwd|sslpassword|secret)=("[^"]*"|'[^']*'|[^\s&;,)]*)/gi
const QUOTES = ['"', "'", '`']

/**
 * Masks the secrets in a message, and nothing else: the password of every URL in it (as
 * {@link maskUrl} does), every `password=…` setting, and each of `secrets` where the text quotes
 * it whole (`'s3cret'`), as a driver may when it echoes a setting. Any other occurrence of a
 * secret's text is left alone: a password `1` must not turn `127.0.0.1` into `***27.0.0.***`, nor
 * a password `postgres` the words "postgres database". Run it over any text that may quote a URL
 * or a driver's error.
 *
 * @example redactSecrets(String(error.message), urlSecrets(target.url))
 */
export function redactSecrets(message: string, secrets: readonly string[]): string {
  let result = message.replace(URL_IN_TEXT, (url) => maskUrl(url)).replace(SECRET_SETTING, `$1=${MASK}`)
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret === '') continue
    forms.add(secret)
    forms.add(decode(secret))
    forms.add(encodeURIComponent(secret))
    forms.add(encodeURI(secret))
  }
  forms.delete('')
  // Longest first, so a secret is not half-replaced through a shorter form it contains.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    for (const quote of QUOTES) {
      result = result.split(`${quote}${form}${quote}`).join(`${quote}${MASK}${quote}`)
    }
  }
  return result
}

/** Percent-decodes, leaving malformed escapes (a raw `%` in a password) as they are. */
export function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

/** `host:port`, bracketing IPv6 hosts. */
export function hostAndPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/** The URL rebuilt with its credentials percent-encoded, as drivers' URL parsers expect. */
export function normalizeNetworkUrl(parts: NetworkUrlParts, scheme: string): string {
  const credentials =
    parts.user === '' && parts.password === undefined
      ? ''
      : `${encodeURIComponent(parts.user)}${parts.password === undefined ? '' : `:${encodeURIComponent(parts.password)}`}@`
  return `${scheme}://${credentials}${parts.hostPart}`
}
