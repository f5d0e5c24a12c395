/**
 * A security-relevant event: access denied, integrity failure, suspected
 * injection, anomaly, dropped audit events. Never carries sensitive values.
 *
 * @example
 * ```ts
 * db.reportSecurityEvent({ type: 'access_denied', repository: 'users', actor: 'user:42', message: 'not an admin' });
 * ```
 */
export interface SecurityEvent {
  readonly type: 'access_denied' | 'integrity_failure' | 'injection_suspected' | 'anomaly' | 'events_dropped' | (string & {});
  readonly message: string;
  readonly repository?: string | undefined;
  readonly ids?: readonly string[] | undefined;
  readonly actor?: string | undefined;
  readonly tenant?: string | undefined;
  readonly traceId?: string | undefined;
  readonly source?: string | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}
