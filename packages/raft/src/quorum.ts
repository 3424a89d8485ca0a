/** Majorities over a set of voters (Raft §5.2, §5.3). */

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The largest index that a majority of `voters` holds, given each voter's match index. */
export function quorumMatchIndex(voters: readonly string[], matchOf: (id: string) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[quorumSize(voters.length) - 1]!;
}

export type VoteOutcome = "won" | "lost" | "pending";

/** Whether the granted votes among `voters` form a majority, or the refusals make one impossible. */
export function voteOutcome(voters: readonly string[], votes: ReadonlyMap<string, boolean>): VoteOutcome {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const quorum = quorumSize(voters.length);
  if (granted >= quorum) return "won";
  return rejected > voters.length - quorum ? "lost" : "pending";
}
