export interface LoginFailuresTable {
  user_id: number;
  failures: number;
  window_started_at: Date;
}
