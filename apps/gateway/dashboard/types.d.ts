// Shapes of what the dashboard reads: Traefik's API (§4 of the behaviour reference) and the gateway's
// /api/history and /api/live. For the type checker only; the server does not serve .d.ts files.

export type Status = 'enabled' | 'disabled' | 'warning';

export interface Resource {
  name: string;
  provider: string;
  status: Status;
  error?: string[];
}

export interface Router extends Resource {
  rule?: string;
  priority?: number;
  entryPoints?: string[];
  using?: string[];
  middlewares?: string[];
  service?: string;
  tls?: Record<string, unknown>;
}

export interface Server {
  url: string;
  weight?: number;
}

export interface Service extends Resource {
  type?: string;
  usedBy?: string[];
  serverStatus?: Record<string, string>;
  loadBalancer?: {
    servers?: Server[];
    strategy?: string;
    passHostHeader?: boolean;
    serversTransport?: string;
  };
}

export interface Middleware extends Resource {
  type?: string;
  usedBy?: string[];
  [config: string]: unknown;
}

export interface Counts {
  total: number;
  warnings: number;
  errors: number;
}

export interface Overview {
  http: { routers: Counts; services: Counts; middlewares: Counts };
  features: { tracing: string; metrics: string; accessLog: boolean };
  providers: string[];
}

export interface EntryPoint {
  name: string;
  address: string;
  http?: { tls?: unknown };
}

export interface Version {
  Version: string;
  Codename: string;
  startDate: string;
}

export interface HistoryEntry {
  id: number;
  time: string;
  status: 'applied' | 'unchanged' | 'rejected';
  files?: string[];
  file?: string;
  error?: string;
  recovered?: string[];
  routers?: Counts;
  services?: Counts;
  middlewares?: Counts;
  disabled?: { name: string; error: string[] }[];
}

export type SeriesKind = 'routers' | 'services' | 'entrypoints';

export interface LivePoint {
  requests: number;
  p50: number | null;
  p99: number | null;
}

export interface LiveSummary {
  requests: number;
  rps: number;
  codes: Record<string, number>;
  p50: number | null;
  p99: number | null;
}

export interface Decisions {
  allowed: number;
  denied: number;
  error: number;
}

export interface LiveTick {
  time: number;
  points: Record<SeriesKind, Record<string, LivePoint>>;
  decisions: Record<string, Decisions>;
  summary?: Record<SeriesKind, Record<string, LiveSummary>>;
  decisionSummary?: Record<string, Decisions & { perSecond: Decisions }>;
}

export interface LiveSnapshot {
  intervalMs: number;
  windowMs: number;
  recentMs: number;
  ticks: LiveTick[];
  last?: LiveTick;
}
