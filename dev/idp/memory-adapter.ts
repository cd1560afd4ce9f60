/**
 * In-memory storage for oidc-provider, one store per embedded IdP.
 *
 * Why not oidc-provider's own MemoryAdapter: it is a single process-wide store (every IdP started
 * in one test process would share it, and it prints a "development-only" warning), and it evicts an
 * entry the moment it expires. An evicted device code makes a late poll fail with `invalid_grant`
 * ("device code not found") instead of `expired_token`, which RFC 8628 §3.5 specifies. Here expired
 * entries are kept for a grace period; oidc-provider checks `exp` itself on every use, so keeping
 * them longer never makes an expired artifact valid.
 *
 * Adapter contract: oidc-provider's adapter interface (upsert/find/findByUid/findByUserCode/
 * consume/destroy/revokeByGrantId), as implemented by its lib/adapters/memory_adapter.js.
 */

type Payload = Record<string, unknown>;

interface Entry {
  payload: Payload;
  /** Epoch ms after which the entry may be dropped (expiry + grace); Infinity if it never expires. */
  dropAfter: number;
}

/**
 * Models whose artifacts belong to a grant: revoking the grant (refresh token reuse, a consumed
 * device code polled again, RFC 7009 revocation of a refresh token) deletes them all.
 */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** How long expired entries stay findable, so late polls still get `expired_token`. */
const DEFAULT_GRACE_MS = 10 * 60 * 1000;

const SWEEP_EVERY_MS = 60 * 1000;

class Store {
  readonly entries = new Map<string, Entry>();
  /** userCode (normalized) → DeviceCode id. */
  readonly userCodes = new Map<string, string>();
  /** Session uid → Session id. */
  readonly sessionUids = new Map<string, string>();
  /** grantId → keys of the artifacts issued under that grant. */
  readonly grants = new Map<string, Set<string>>();
  private nextSweep = Date.now() + SWEEP_EVERY_MS;

  constructor(readonly graceMs: number) {}

  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.dropAfter <= Date.now()) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, payload: Payload, expiresInSeconds: number | undefined): void {
    this.sweep();
    const previous = this.entries.get(key);
    if (previous) this.unindex(key, previous.payload);

    const dropAfter = typeof expiresInSeconds === 'number'
      ? Date.now() + expiresInSeconds * 1000 + this.graceMs
      : Number.POSITIVE_INFINITY;
    this.entries.set(key, { payload, dropAfter });
    this.index(key, payload);
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.unindex(key, entry.payload);
  }

  revokeGrant(grantId: string): void {
    const members = this.grants.get(grantId);
    if (!members) return;
    this.grants.delete(grantId);
    for (const key of members) this.remove(key);
  }

  private index(key: string, payload: Payload): void {
    const { model, id } = splitKey(key);
    if (model === 'Session' && typeof payload.uid === 'string') this.sessionUids.set(payload.uid, id);
    if (typeof payload.userCode === 'string') this.userCodes.set(payload.userCode, id);
    if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
      let members = this.grants.get(payload.grantId);
      if (!members) {
        members = new Set();
        this.grants.set(payload.grantId, members);
      }
      members.add(key);
    }
  }

  private unindex(key: string, payload: Payload): void {
    const { id } = splitKey(key);
    if (typeof payload.uid === 'string' && this.sessionUids.get(payload.uid) === id) {
      this.sessionUids.delete(payload.uid);
    }
    if (typeof payload.userCode === 'string' && this.userCodes.get(payload.userCode) === id) {
      this.userCodes.delete(payload.userCode);
    }
    if (typeof payload.grantId === 'string') {
      const members = this.grants.get(payload.grantId);
      members?.delete(key);
      if (members?.size === 0) this.grants.delete(payload.grantId);
    }
  }

  /** Drops long-expired entries now and then, so a long demo run does not grow without bound. */
  private sweep(): void {
    const now = Date.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [key, entry] of this.entries) {
      if (entry.dropAfter <= now) this.remove(key);
    }
  }
}

function splitKey(key: string): { model: string; id: string } {
  const i = key.indexOf(':');
  return { model: key.slice(0, i), id: key.slice(i + 1) };
}

export class MemoryAdapter {
  constructor(
    private readonly model: string,
    private readonly store: Store,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    this.store.set(this.key(id), payload, expiresIn);
  }

  async find(id: string): Promise<Payload | undefined> {
    return this.store.get(this.key(id))?.payload;
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    const id = this.store.sessionUids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    const id = this.store.userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    const entry = this.store.get(this.key(id));
    // oidc-provider stores `consumed` as epoch seconds and treats any truthy value as consumed.
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.remove(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeGrant(grantId);
  }
}

/** A factory for oidc-provider's `adapter` option: one private store shared by all models. */
export function createMemoryAdapter(options: { graceMs?: number } = {}): (model: string) => MemoryAdapter {
  const store = new Store(options.graceMs ?? DEFAULT_GRACE_MS);
  return (model) => new MemoryAdapter(model, store);
}
