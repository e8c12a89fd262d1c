/**
 * A tenant's notion of now. Tests move it (set / advance) through the control API to produce
 * expiry and clock skew: iat/nbf/exp, secret and certificate expiry, code, session and
 * refresh-token lifetimes all read this clock.
 */
export class TenantClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
  set(ms: number): void {
    this.offsetMs = ms - Date.now();
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
  get offset(): number {
    return this.offsetMs;
  }
}
