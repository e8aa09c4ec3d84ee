/**
 * Paths whose last segment is a bearer secret: the customer's status page, one-click answers,
 * password-reset and invitation links. Whoever reads the log must not be able to follow them.
 */
const SECRET_PATHS: RegExp[] = [/^(\/s\/)[^/?#]+/, /^(\/r\/[^/?#]+\/)[^/?#]+/, /^(\/reset-password\/)[^/?#]+/, /^(\/invite\/)[^/?#]+/]

/** The URL as it may be logged: secret path segments replaced, the rest kept for debugging. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url
  for (const pattern of SECRET_PATHS) {
    if (pattern.test(url)) return url.replace(pattern, '$1[redacted]')
  }
  return url
}
