package dev.bnserve;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.problem.StorageProblems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Health of the data dir (issue 16): a read-only one makes health OUT_OF_SERVICE, a full one DOWN (both answer 503),
 * and start-up logs that it is not writable. Checked by writing and removing a one-byte probe file, at most once a
 * second however often health is asked.
 */
@Component("dataDir")
class DataDirHealth implements HealthIndicator {
    private static final Logger log = LoggerFactory.getLogger(DataDirHealth.class);
    /** Less usable space than this counts as full. */
    static final long MIN_FREE_BYTES = 1 << 20;

    private final Path dir;
    private volatile Check last;

    DataDirHealth(BnserveProperties properties) {
        this.dir = properties.dataDir();
    }

    /** The outcome of one probe: null failure means writable. */
    record Check(long at, StorageProblems.Failure failure, String reason) {}

    @EventListener(ApplicationReadyEvent.class)
    void atStartup() {
        Check c = check();
        if (c.failure() != null) {
            log.warn(
                    "The data dir {} is not writable: {} ({}). Uploads, training, imports and deletes are refused"
                            + " (507 when full, 503 when read-only) until it is; reads and predictions work.",
                    dir.toAbsolutePath(),
                    StorageProblems.describe(c.failure()),
                    c.reason());
        }
    }

    @Override
    public Health health() {
        Check c = check();
        if (c.failure() == null) return Health.up().build();
        Health.Builder b =
                c.failure() == StorageProblems.Failure.READ_ONLY ? Health.status(Status.OUT_OF_SERVICE) : Health.down();
        return b.withDetail("dataDir", StorageProblems.describe(c.failure())).build();
    }

    Check check() {
        Check c = last;
        long now = System.nanoTime();
        if (c != null && now - c.at() < 1_000_000_000L) return c;
        c = probe(now);
        last = c;
        return c;
    }

    private Check probe(long now) {
        Path probe = dir.resolve(".probe-" + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            Files.delete(probe);
            if (Files.getFileStore(dir).getUsableSpace() < MIN_FREE_BYTES) {
                return new Check(now, StorageProblems.Failure.FULL, "less than 1 MB free");
            }
            return new Check(now, null, null);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // best effort
            }
            StorageProblems.Failure f = StorageProblems.classify(e);
            return new Check(now, f != null ? f : StorageProblems.Failure.READ_ONLY, e.toString());
        }
    }
}
