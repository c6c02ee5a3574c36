import type { RouteKey } from '../../domain/contract';
import type { ErasedRouteSpec, Route, RouteTable } from '../types';
import { automationRoutes } from './automation-routes';
import { configRoutes } from './config-routes';
import { consoleRoutes } from './console-routes';
import { syncRoutes } from './sync-routes';
import { widgetRoutes } from './widget-routes';

/** Every route of the contract with its spec: the compiler refuses a route missing or one too many. */
export const routes: RouteTable = { ...configRoutes, ...syncRoutes, ...automationRoutes, ...consoleRoutes, ...widgetRoutes };

/** Every route the router serves, as rows: the single source for the router, the docs and the access tests. */
export const routeTable: readonly Route[] = (Object.keys(routes) as RouteKey[]).map((key) => {
  const [method, path] = key.split(' ') as [string, string];
  // The one place a spec loses its route's types: the router hands it what its own rules read.
  const spec = routes[key] as unknown as ErasedRouteSpec;
  return { key, method: method.toLowerCase() as Route['method'], path, summary: spec.summary, public: spec.public === true, spec };
});
