package dev.bnserve.nn;

import java.lang.reflect.Constructor;

/**
 * The one place that picks the numeric kernels, once per JVM, by one rule for both {@link Gemm} and the
 * inference {@link DenseKernel}: the JDK Vector API kernels ({@code VectorGemm}, {@code VectorDenseKernel}) when
 * the {@code jdk.incubator.vector} module is in the boot layer ({@code --add-modules jdk.incubator.vector}) and
 * its preferred species holds at least {@value #MIN_LANES} doubles, unless {@code -Dbnserve.scalar=true};
 * otherwise the pure-Java {@link ScalarGemm} and {@link DenseKernel#SCALAR}.
 *
 * <p>Every kernel evaluates the same fma chains, so the choice changes speed, never results. The vector classes
 * are only named here as strings, so this class (and the whole package) links without the module.
 */
final class Kernels {
    /** Fewer double lanes than this do not pay for the vector code. */
    static final int MIN_LANES = 4;

    /** Whether the Vector API kernels are used in this JVM. */
    static final boolean VECTOR = vectorUsable();

    private static final Constructor<?> VECTOR_GEMM = VECTOR ? constructor("dev.bnserve.nn.VectorGemm") : null;
    private static final DenseKernel DENSE = dense(VECTOR ? constructor("dev.bnserve.nn.VectorDenseKernel") : null);

    private Kernels() {}

    /** A new single-threaded GEMM engine of the chosen kind (each owns its packing buffers). */
    static GemmEngine newGemmEngine() {
        if (VECTOR_GEMM != null) {
            try {
                return (GemmEngine) VECTOR_GEMM.newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                // fall through to the scalar engine
            }
        }
        return new ScalarGemm();
    }

    /** The chosen dense kernel (stateless, shared). */
    static DenseKernel dense() {
        return DENSE;
    }

    private static boolean vectorUsable() {
        if (Boolean.getBoolean("bnserve.scalar")) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        try {
            // DoubleVector.SPECIES_PREFERRED.length(), without linking against the incubator module
            Object species = Class.forName("jdk.incubator.vector.DoubleVector")
                    .getField("SPECIES_PREFERRED")
                    .get(null);
            Object lanes = Class.forName("jdk.incubator.vector.VectorSpecies")
                    .getMethod("length")
                    .invoke(species);
            return (Integer) lanes >= MIN_LANES;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** The no-argument constructor of {@code className}, tried once so that a broken class fails here; else null. */
    private static Constructor<?> constructor(String className) {
        try {
            Constructor<?> ctor = Class.forName(className).getDeclaredConstructor();
            ctor.newInstance();
            return ctor;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    private static DenseKernel dense(Constructor<?> vector) {
        if (vector != null) {
            try {
                return (DenseKernel) vector.newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                // fall through to the scalar kernel
            }
        }
        return DenseKernel.SCALAR;
    }
}
