/**
 * Expected failures of the operations a driver calls on a RawNode, as values: each names its kind,
 * whether retrying (elsewhere or later) can succeed, and says in `message` what happened. A broken
 * invariant is never one of these; it is an `assert`.
 */

/** This node is not the leader; `leaderId` is the leader it knows of ("" when none). */
export interface NotLeader {
  readonly kind: "NotLeader";
  readonly retriable: true;
  readonly leaderId: string;
  readonly message: string;
}

/** Leadership is being handed to `transferee`; proposals wait for the new leader (§3.10). */
export interface LeaderTransferInProgress {
  readonly kind: "LeaderTransferInProgress";
  readonly retriable: true;
  readonly transferee: string;
  readonly message: string;
}

/** Backpressure: the leader already holds `maxUncommittedEntriesBytes` of uncommitted proposals. */
export interface UncommittedLimitExceeded {
  readonly kind: "UncommittedLimitExceeded";
  readonly retriable: true;
  readonly uncommittedBytes: number;
  readonly limitBytes: number;
  readonly message: string;
}

/** A configuration change is not yet committed; only one at a time (§4.1). */
export interface ConfChangeInProgress {
  readonly kind: "ConfChangeInProgress";
  readonly retriable: true;
  readonly pendingIndex: number;
  readonly message: string;
}

/** The change does not apply to the current configuration (e.g. removing a node that is not a voter). */
export interface InvalidConfChange {
  readonly kind: "InvalidConfChange";
  readonly retriable: false;
  readonly message: string;
}

/** Leadership can only go to a voter of the current configuration. */
export interface InvalidTransferTarget {
  readonly kind: "InvalidTransferTarget";
  readonly retriable: false;
  readonly message: string;
}

export type ProposeError = NotLeader | LeaderTransferInProgress | UncommittedLimitExceeded;
export type ConfChangeError = ProposeError | ConfChangeInProgress | InvalidConfChange;
export type TransferError = NotLeader | InvalidTransferTarget;

/** Where a proposal went in the log; it is committed when an entry with this index and term is. */
export interface Proposed {
  readonly ok: true;
  readonly index: number;
  readonly term: number;
}

export type ProposeResult = Proposed | { readonly ok: false; readonly error: ProposeError };
export type ConfChangeResult = Proposed | { readonly ok: false; readonly error: ConfChangeError };
export type TransferResult = { readonly ok: true } | { readonly ok: false; readonly error: TransferError };

export function notLeader(leaderId: string): NotLeader {
  const where = leaderId === "" ? "no leader is known" : `the leader is ${leaderId}`;
  return { kind: "NotLeader", retriable: true, leaderId, message: `not the leader: ${where}` };
}

export function transferInProgress(transferee: string): LeaderTransferInProgress {
  return {
    kind: "LeaderTransferInProgress",
    retriable: true,
    transferee,
    message: `leadership is being transferred to ${transferee}`,
  };
}

export function uncommittedLimitExceeded(uncommittedBytes: number, limitBytes: number): UncommittedLimitExceeded {
  return {
    kind: "UncommittedLimitExceeded",
    retriable: true,
    uncommittedBytes,
    limitBytes,
    message: `uncommitted proposals hold ${uncommittedBytes} bytes; maxUncommittedEntriesBytes is ${limitBytes}`,
  };
}

export function confChangeInProgress(pendingIndex: number): ConfChangeInProgress {
  return {
    kind: "ConfChangeInProgress",
    retriable: true,
    pendingIndex,
    message: `the configuration change at index ${pendingIndex} is not yet committed`,
  };
}

export function invalidConfChange(reason: string): InvalidConfChange {
  return { kind: "InvalidConfChange", retriable: false, message: `invalid configuration change: ${reason}` };
}

export function invalidTransferTarget(reason: string): InvalidTransferTarget {
  return { kind: "InvalidTransferTarget", retriable: false, message: `cannot transfer leadership: ${reason}` };
}
