/**
 * Switchable misbehaviour, the ways real providers fail. Each fault may be limited to paths, to
 * a number of firings, and to a window of the requests it could apply to.
 */

/** Limits shared by every fault. */
export interface FaultScope {
  /**
   * Only requests whose path (no query) matches: a RegExp, or a string matched anywhere in the
   * path where `*` stands for any characters (`/students` also matches `/schools/x/students`).
   */
  path?: string | RegExp;
  /** Fire at most this many times. Unlimited by default. */
  count?: number;
  /** First request (1-based, counting requests this fault could apply to) it fires on. */
  from?: number;
  /** Last request (inclusive) it fires on. */
  to?: number;
}

/** A fault to switch on. */
export type SandboxFault = FaultScope & (
  /** 429; `Retry-After` is sent only when `retryAfterSeconds` is given. */
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  /** A server error; `Retry-After` when `retryAfterSeconds` is given. */
  | { kind: 'serverError'; status: 500 | 502 | 503; retryAfterSeconds?: number }
  /** Answers normally after a delay. */
  | { kind: 'slow'; delayMs: number }
  /** Never answers (the socket stays open until the client gives up or the sandbox closes). */
  | { kind: 'hang' }
  /**
   * Sends half of a 200 body. By default announces the full Content-Length and cuts the
   * connection; with `keepConnection` the half is sent as a complete (invalid JSON) response.
   */
  | { kind: 'truncatedBody'; keepConnection?: boolean }
  /** A 200 whose body is `{}` (no envelope). */
  | { kind: 'missingEnvelope' }
  /** A list answered with a bare array instead of `{"users": [...]}`. */
  | { kind: 'bareArray' }
  /** A `next` link on the last page, pointing past the end. */
  | { kind: 'nextOnLastPage' }
  /** Every list is empty and `X-Total-Count` is 0 (a term rollover, or a provider bug). */
  | { kind: 'emptyFeed' }
  /** OAuth2 tokens die after `afterRequests` data requests each (401 until a new one is fetched). */
  | { kind: 'tokenExpiresMidPull'; afterRequests: number }
  /** After `afterRequests` data requests every request and every token request is refused with 401. */
  | { kind: 'revoked'; afterRequests: number }
  /** Every list page after the first inserts a new record that sorts before the current offset. */
  | { kind: 'shiftingData' }
  /** `X-Total-Count` is the real total plus `delta` (negative: lower than the rows). */
  | { kind: 'wrongTotalCount'; delta: number }
  /** The token endpoint refuses with an RFC 6749 error body (`invalid_scope`, `invalid_client`, …), HTTP 400 unless told. */
  | { kind: 'tokenError'; error: string; description?: string; status?: 400 | 401 }
  /** A redirect (302 unless told) to the same path under `/moved`, as a mistyped or outdated URL gets. */
  | { kind: 'redirect'; status?: 301 | 302 | 307 | 308 }
);

/** Every fault kind. */
export type SandboxFaultKind = SandboxFault['kind'];

/** @internal A fault while it is switched on. */
export interface ActiveFault {
  id: number;
  fault: SandboxFault;
  matcher?: RegExp;
  /** Requests it could apply to so far (for from/to). */
  seen: number;
  /** Times it fired. */
  fired: number;
}

/** The sandbox's fault switchboard. */
export class SandboxFaults {
  private readonly active: ActiveFault[] = [];
  private readonly firedByKind = new Map<SandboxFaultKind, number>();
  private nextId = 1;

  /** Switches a fault on (in addition to those already on); returns an id for `remove`. */
  set(fault: SandboxFault): number {
    validateFault(fault);
    const id = this.nextId++;
    this.active.push({ id, fault, matcher: toMatcher(fault.path), seen: 0, fired: 0 });
    return id;
  }

  /** Switches one fault off. */
  remove(id: number): void {
    const at = this.active.findIndex((f) => f.id === id);
    if (at >= 0) this.active.splice(at, 1);
  }

  /** Switches every fault off (fired counts are kept until `resetFired`). */
  clear(): void {
    this.active.length = 0;
  }

  /** The faults switched on now. */
  list(): SandboxFault[] {
    return this.active.map((f) => f.fault);
  }

  /** How often faults fired (of one kind, or all), since start or `resetFired`. */
  fired(kind?: SandboxFaultKind): number {
    if (kind) return this.firedByKind.get(kind) ?? 0;
    let total = 0;
    for (const n of this.firedByKind.values()) total += n;
    return total;
  }

  /** Forgets fired counts. */
  resetFired(): void {
    this.firedByKind.clear();
  }

  /**
   * @internal Faults of these kinds that may fire on a request to `path`. Each one counts the
   * request as seen; the caller calls `markFired` when it really applied it.
   */
  armed<K extends SandboxFaultKind>(kinds: readonly K[], path: string): Array<ActiveFault & { fault: Extract<SandboxFault, { kind: K }> }> {
    const result: Array<ActiveFault & { fault: Extract<SandboxFault, { kind: K }> }> = [];
    for (const active of this.active) {
      if (!(kinds as readonly string[]).includes(active.fault.kind)) continue;
      if (active.matcher && !active.matcher.test(path)) continue;
      active.seen++;
      const { from = 1, to = Infinity, count = Infinity } = active.fault;
      if (active.seen < from || active.seen > to || active.fired >= count) continue;
      result.push(active as ActiveFault & { fault: Extract<SandboxFault, { kind: K }> });
    }
    return result;
  }

  /** @internal True once a `revoked` fault let its requests through: new tokens are refused too. */
  isRevoked(): boolean {
    return this.active.some((active) => active.fault.kind === 'revoked' && active.seen >= active.fault.afterRequests);
  }

  /** @internal Records that a fault fired. */
  markFired(active: ActiveFault): void {
    active.fired++;
    this.firedByKind.set(active.fault.kind, (this.firedByKind.get(active.fault.kind) ?? 0) + 1);
  }
}

function toMatcher(path: string | RegExp | undefined): RegExp | undefined {
  if (path === undefined) return undefined;
  if (path instanceof RegExp) return new RegExp(path.source, path.flags.replace('g', ''));
  return new RegExp(path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
}

function validateFault(fault: SandboxFault): void {
  const whole = (value: unknown, name: string, min: number): void => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
      throw new TypeError(`fault ${fault.kind}: ${name} must be an integer >= ${min}`);
    }
  };
  whole(fault.count, 'count', 0);
  whole(fault.from, 'from', 1);
  whole(fault.to, 'to', 1);
  switch (fault.kind) {
    case 'serverError':
      if (![500, 502, 503].includes(fault.status)) throw new TypeError('fault serverError: status must be 500, 502 or 503');
      whole(fault.retryAfterSeconds, 'retryAfterSeconds', 0);
      break;
    case 'rateLimit': whole(fault.retryAfterSeconds, 'retryAfterSeconds', 0); break;
    case 'slow': whole(fault.delayMs, 'delayMs', 0); if (fault.delayMs === undefined) throw new TypeError('fault slow: delayMs is required'); break;
    case 'tokenExpiresMidPull':
    case 'revoked': whole(fault.afterRequests, 'afterRequests', 0); if (fault.afterRequests === undefined) throw new TypeError(`fault ${fault.kind}: afterRequests is required`); break;
    case 'wrongTotalCount': if (!Number.isInteger(fault.delta)) throw new TypeError('fault wrongTotalCount: delta must be an integer'); break;
    case 'tokenError': if (typeof fault.error !== 'string' || !fault.error) throw new TypeError('fault tokenError: error is required'); break;
    case 'hang': case 'truncatedBody': case 'missingEnvelope': case 'bareArray': case 'nextOnLastPage': case 'emptyFeed': case 'shiftingData': case 'redirect': break;
    default: throw new TypeError(`unknown fault kind ${(fault as { kind: string }).kind}`);
  }
}

const KIND_ALIASES: Record<string, SandboxFault> = {
  '429': { kind: 'rateLimit' },
  '500': { kind: 'serverError', status: 500 },
  '502': { kind: 'serverError', status: 502 },
  '503': { kind: 'serverError', status: 503 },
};

/**
 * Reads the CLI syntax `kind[:key=value,...]`, e.g. `429:retryAfter=2,count=3`,
 * `503:path=/users,from=2,to=4`, `slow:ms=1500`, `tokenExpiresMidPull:after=5`,
 * `wrongTotalCount:delta=-3`, `truncatedBody:keep`, `hang:path=/schools`.
 */
export function parseFaultSpec(spec: string): SandboxFault {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  const options = colon < 0 ? '' : spec.slice(colon + 1);
  const fault: Record<string, unknown> = { ...(KIND_ALIASES[name] ?? { kind: name }) };
  for (const option of options.split(',').map((o) => o.trim()).filter(Boolean)) {
    const equals = option.indexOf('=');
    const key = equals < 0 ? option : option.slice(0, equals);
    const value = equals < 0 ? '' : option.slice(equals + 1);
    const number = Number(value);
    switch (key) {
      case 'path': fault.path = value; break;
      case 'count': case 'from': case 'to': case 'status': case 'delta': fault[key] = number; break;
      case 'retryAfter': case 'retryAfterSeconds': fault.retryAfterSeconds = number; break;
      case 'ms': case 'delayMs': fault.delayMs = number; break;
      case 'after': case 'afterRequests': fault.afterRequests = number; break;
      case 'keep': case 'keepConnection': fault.keepConnection = true; break;
      default: throw new TypeError(`fault "${spec}": unknown option ${key}`);
    }
  }
  validateFault(fault as unknown as SandboxFault);
  return fault as unknown as SandboxFault;
}
