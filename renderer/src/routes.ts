// Hash routes: they work the same from the desktop window's file:// page and from `serve`,
// and a wall display can be pointed straight at one line.
import { parseWallParams, wallHref, type WallParams } from './screens/wall/wallParams.ts';

export type Route =
  | { screen: 'overview' }
  | { screen: 'line'; lineId: string | null }
  | { screen: 'history' }
  | { screen: 'diagnostics' }
  | { screen: 'settings' }
  /** Full screen for a hall display (screens/wall/wallParams.ts: `#/wall?lines=a,b&theme=light`). */
  | { screen: 'wall'; params: WallParams };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
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
    case 'wall':
      return { screen: 'wall', params: parseWallParams(query) };
    default:
      return { screen: 'overview' };
  }
}

export function routeHref(route: Route): string {
  if (route.screen === 'wall') return wallHref(route.params);
  if (route.screen === 'line') return route.lineId ? `#/line/${encodeURIComponent(route.lineId)}` : '#/line';
  return `#/${route.screen}`;
}
