import type { Outcome } from '../stats.ts';

/** Something the load runner can call: one gRPC method or one HTTP request. */
export interface Target {
  /** Makes one call; never rejects (failures are outcomes). */
  call(): Promise<Outcome>;
  /** Closes connections. */
  close(): Promise<void>;
}
