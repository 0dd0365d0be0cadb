package dev.bnserve.nn.archfixture;

import dev.bnserve.web.ProblemWriter;

/** A deliberate layering violation (nn → web) that ArchitectureTest must catch; never used by the service. */
public final class ReachesIntoWeb {
    private ReachesIntoWeb() {}

    public static int status() {
        return ProblemWriter.status(dev.bnserve.problem.Problem.Kind.MALFORMED); // a call, not an inlined constant
    }
}
