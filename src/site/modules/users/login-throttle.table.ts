/** Failed logins of one (account, address) pair since its count last restarted. */
export interface LoginThrottleTable {
  /** The normalized email as typed (an account may or may not have it). */
  account: string;
  address: string;
  failures: number;
  last_failed_at: Date;
}
