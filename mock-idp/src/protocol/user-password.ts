import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` is the user's fixture password. Both are hashed first so that the comparison
 * is constant-time whatever their lengths: the time taken says nothing about how much matched.
 */
export function passwordMatches(given: string, password: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(password));
}
