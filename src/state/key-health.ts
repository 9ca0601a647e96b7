/**
 * Which upstream keys are cooling down after a 429 or taken out after a 401/403, and why. Kept in this process for
 * the hot path; with Redis, every change here is told to the other instances (`onChange`) and theirs applied here.
 */

export interface KeyStatus {
  /** Epoch ms until which the key is skipped; 0 when usable. */
  coolingUntil: number;
  /** Set when upstream refused the key's credentials: the key stays out until the gateway restarts or an admin re-enables it. */
  disabledReason?: string;
}

/** One change of a key's health, as instances tell each other. */
export type KeyChange =
  | { id: string; until: number }
  | { id: string; disabled: string }
  | { id: string; enabled: true };

export class KeyHealth {
  /** Told of every change made here (not of those applied from elsewhere). */
  onChange: ((change: KeyChange) => void) | undefined;
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
    this.apply({ id: keyId, until });
    this.onChange?.({ id: keyId, until });
  }

  disable(keyId: string, reason: string): void {
    this.apply({ id: keyId, disabled: reason });
    this.onChange?.({ id: keyId, disabled: reason });
  }

  enable(keyId: string): void {
    this.apply({ id: keyId, enabled: true });
    this.onChange?.({ id: keyId, enabled: true });
  }

  /** Applies a change, made here or told by another instance. */
  apply(change: KeyChange): void {
    if ('until' in change) {
      if (change.until > (this.cooling.get(change.id) ?? 0)) this.cooling.set(change.id, change.until);
    } else if ('disabled' in change) this.disabled.set(change.id, change.disabled);
    else {
      this.disabled.delete(change.id);
      this.cooling.delete(change.id);
    }
  }

  status(keyId: string): KeyStatus {
    const reason = this.disabled.get(keyId);
    const status: KeyStatus = { coolingUntil: this.cooling.get(keyId) ?? 0 };
    if (reason !== undefined) status.disabledReason = reason;
    return status;
  }
}
