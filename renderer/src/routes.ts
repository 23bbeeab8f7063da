// Hash routes: they work the same from the desktop window's file:// page and from `serve`,
// and a wall display can be pointed straight at one line.

export type Route =
  | { screen: 'overview' }
  | { screen: 'line'; lineId: string | null }
  | { screen: 'history' }
  | { screen: 'diagnostics' }
  | { screen: 'settings' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head, ...rest] = path.split('/');
  switch (head) {
    case 'line': {
      let lineId: string | null = null;
      try {
        lineId = rest.length ? decodeURIComponent(rest.join('/')) || null : null;
      } catch {
        lineId = null;
      }
      return { screen: 'line', lineId };
    }
    case 'history':
      return { screen: 'history' };
    case 'diagnostics':
      return { screen: 'diagnostics' };
    case 'settings':
      return { screen: 'settings' };
    default:
      return { screen: 'overview' };
  }
}

export function routeHref(route: Route): string {
  if (route.screen === 'line') return route.lineId ? `#/line/${encodeURIComponent(route.lineId)}` : '#/line';
  return `#/${route.screen}`;
}
