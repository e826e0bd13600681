/** Who leads a round. Computed by every replica the same way, from committed data only. */
export interface ProposerElection {
  leader(round: number): number;
}
