package dev.bnserve;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The service in a separate JVM (same classpath as the tests), for tests that kill or signal it. */
final class ServiceProcess implements AutoCloseable {

    final Process process;
    final int port;
    final Path log;
    final TestHttp http;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.http = new TestHttp(port);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /** Starts the application on a free port and waits (up to 90 s) until {@code GET /ping} answers 200. */
    static ServiceProcess start(Path dataDir, String... extraArgs) throws Exception {
        return start(dataDir, List.of(), extraArgs);
    }

    /** As {@link #start(Path, String...)}, with JVM options after the defaults (so {@code -Xmx256m} wins). */
    static ServiceProcess start(Path dataDir, List<String> jvmOptions, String... extraArgs) throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path log = Files.createTempFile("bnserve-proc-", ".log");
            log.toFile().deleteOnExit();
            String java = ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString());
            List<String> cmd = new ArrayList<>(List.of(
                    java,
                    "--add-modules",
                    "jdk.incubator.vector",
                    "-Xshare:auto",
                    "-Xmx512m",
                    // quicker start-up on a small, busy machine: C1 only, one GC thread
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path")));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of(
                    "dev.bnserve.BnserveApplication",
                    "--server.port=" + port,
                    "--bnserve.data-dir=" + dataDir,
                    "--spring.main.banner-mode=off"));
            cmd.addAll(List.of(extraArgs));
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ServiceProcess sp = new ServiceProcess(p, port, log);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) break;
                try {
                    HttpResponse<String> r = sp.http.get("/ping");
                    if (r.statusCode() == 200) return sp;
                } catch (IOException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
            String out = sp.logTail();
            sp.kill();
            if (out.contains("already in use")) continue; // lost the race for the port: try another
            fail("service did not start (exit " + (p.isAlive() ? "none" : p.exitValue()) + "):\n" + out, last);
        }
        throw new IllegalStateException("no free port after 3 attempts", last);
    }

    String logTail() {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8);
            return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
