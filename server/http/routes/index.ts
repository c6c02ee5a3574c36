import type { Route } from '../types';
import { configRoutes } from './config-routes';
import { consoleRoutes } from './console-routes';
import { syncRoutes } from './sync-routes';
import { automationRoutes } from './automation-routes';
import { widgetRoutes } from './widget-routes';

/** Every route the router serves: the single source for the router, the docs and the access tests. */
export const routeTable: readonly Route[] = [...configRoutes, ...syncRoutes, ...automationRoutes, ...consoleRoutes, ...widgetRoutes];
