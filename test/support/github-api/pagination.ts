import type { ApiRequest } from './server.js'

/**
 * GitHub's page/per_page pagination: at most 100 a page, and a Link header with next, last,
 * first and prev, pointing back at this server (the client must follow it, not compute pages).
 */
export function paginate<T>(req: ApiRequest, items: readonly T[], defaultPerPage = 30): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get('per_page') ?? defaultPerPage) || defaultPerPage))
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const link = (p: number, rel: string): string => {
    const u = new URL(req.url)
    u.searchParams.set('page', String(p))
    return `<${u.href}>; rel="${rel}"`
  }
  const rels: string[] = []
  if (page < last) rels.push(link(page + 1, 'next'), link(last, 'last'))
  if (page > 1) rels.push(link(1, 'first'), link(page - 1, 'prev'))
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(', ') } : {} }
}
