/**
 * What went wrong, in domain terms: {@link dev.bnserve.problem.Problem} (a kind, a detail, located
 * {@link dev.bnserve.problem.Violation}s) is the one failure type every domain package throws. It knows nothing of
 * HTTP or Spring; the web layer alone turns it into {@code application/problem+json}.
 */
package dev.bnserve.problem;
