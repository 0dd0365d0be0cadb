package dev.bnserve.nn;

/** Whether the JDK Vector API module was added to this JVM ({@code --add-modules jdk.incubator.vector}). */
final class VectorSupport {
    static final boolean AVAILABLE =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && !Boolean.getBoolean("bnserve.scalar");

    private VectorSupport() {}
}
