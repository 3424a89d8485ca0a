/**
 * Leadership transfer (dissertation §3.10): the leader stops taking proposals, brings the target's log
 * up to date, then sends it MsgTimeoutNow so that it campaigns at once, without a pre-vote and past
 * the other nodes' leader stickiness. If that has not happened within an election timeout, the
 * transfer is abandoned and proposals are taken again.
 */
import { isVoter } from "./conf-change.js";
import type { Raft } from "./raft.js";
import { invalidTransferTarget, notLeader, type TransferResult } from "./results.js";
import { sendAppend, sendTimeoutNow } from "./send.js";

export function transferLeadership(r: Raft, to: string): TransferResult {
  if (r.role !== "leader") return { ok: false, error: notLeader(r.leaderId) };
  if (!isVoter(r.conf, to)) return { ok: false, error: invalidTransferTarget(`${to} is not a voter`) };
  if (to === r.id) {
    abortTransfer(r);
    return { ok: true };
  }
  if (r.transferee === to) return { ok: true };
  r.transferee = to;
  r.transferElapsedTicks = 0;
  const pr = r.progress.get(to)!;
  if (pr.match === r.log.lastIndex) sendTimeoutNow(r, to);
  else sendAppend(r, to, true);
  return { ok: true };
}

export function tickTransfer(r: Raft): void {
  if (r.transferee === "") return;
  r.transferElapsedTicks++;
  if (r.transferElapsedTicks >= r.cfg.electionTimeoutTicks) abortTransfer(r);
}

function abortTransfer(r: Raft): void {
  r.transferee = "";
  r.transferElapsedTicks = 0;
}
