/** Which upstream keys are cooling down after a 429 or taken out after a 401/403, and why (in-process). */

export interface KeyStatus {
  /** Epoch ms until which the key is skipped; 0 when usable. */
  coolingUntil: number;
  /** Set when upstream refused the key's credentials: the key stays out until the gateway restarts or an admin re-enables it. */
  disabledReason?: string;
}

export class KeyHealth {
  private readonly cooling = new Map<string, number>();
  private readonly disabled = new Map<string, string>();

  usable(keyId: string, now: number): boolean {
    if (this.disabled.size && this.disabled.has(keyId)) return false;
    if (this.cooling.size === 0) return true;
    const until = this.cooling.get(keyId);
    if (until === undefined) return true;
    if (until > now) return false;
    this.cooling.delete(keyId);
    return true;
  }

  /** Epoch ms at which a cooling key becomes usable (0 if it is not cooling; Infinity if disabled). */
  usableAt(keyId: string): number {
    if (this.disabled.has(keyId)) return Number.POSITIVE_INFINITY;
    return this.cooling.get(keyId) ?? 0;
  }

  coolDown(keyId: string, until: number): void {
    const current = this.cooling.get(keyId) ?? 0;
    if (until > current) this.cooling.set(keyId, until);
  }

  disable(keyId: string, reason: string): void {
    this.disabled.set(keyId, reason);
  }

  enable(keyId: string): void {
    this.disabled.delete(keyId);
    this.cooling.delete(keyId);
  }

  status(keyId: string): KeyStatus {
    const reason = this.disabled.get(keyId);
    const status: KeyStatus = { coolingUntil: this.cooling.get(keyId) ?? 0 };
    if (reason !== undefined) status.disabledReason = reason;
    return status;
  }
}
