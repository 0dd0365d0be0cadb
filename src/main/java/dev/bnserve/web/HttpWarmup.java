package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The HTTP path needs thousands of requests before the JIT has compiled it (Tomcat, the filters, Jackson, the
 * prediction codec), so the first users of a fresh service would see it slow. Once the service is up, this sends
 * {@code bnserve.warmup.http-requests} requests (default 3,000) to its own port from one low-priority daemon
 * thread, one at a time: {@code /ping}, {@code /actuator/health}, and a one-row {@code /predict} of the newest ready
 * model (zeros for its inputs) or, without one, a {@code /predict} that is refused. Nothing is stored; training and
 * models are untouched. {@code bnserve.warmup.http=false} turns it off (the test suite does).
 */
@Component
class HttpWarmup {
    private static final Logger log = LoggerFactory.getLogger(HttpWarmup.class);
    private final boolean enabled;
    private final int requests;
    private final ModelCatalog catalog;
    private final Environment env;

    HttpWarmup(BnserveProperties properties, ModelCatalog catalog, Environment env) {
        this.enabled = properties.warmup().http();
        this.requests = properties.warmup().httpRequests();
        this.catalog = catalog;
        this.env = env;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        Integer port = env.getProperty("local.server.port", Integer.class);
        if (!enabled || requests <= 0 || port == null || port <= 0) return;
        Thread t = new Thread(() -> run(port), "bnserve-http-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The body of the warm-up's predict request: a row of zeros for the newest ready model, or a refused one. */
    static String predictBody(List<ModelRecord> models) {
        Optional<ModelRecord> newest = models.stream()
                .filter(m -> m.status() == ModelStatus.READY && m.inputs() != null)
                .max(Comparator.comparing(m -> m.finished() == null ? java.time.Instant.EPOCH : m.finished()));
        if (newest.isEmpty()) return "{\"features\": [0]}";
        StringJoiner row = new StringJoiner(",", "[", "]");
        for (int i = 0; i < newest.get().inputs().size(); i++) row.add("0");
        return "{\"model\": \"" + newest.get().id() + "\", \"features\": " + row + "}";
    }

    private void run(int port) {
        long start = System.nanoTime();
        String base = "http://127.0.0.1:" + port;
        int ok = 0;
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            String body = predictBody(catalog.models().list());
            HttpRequest ping =
                    HttpRequest.newBuilder(URI.create(base + "/ping")).GET().build();
            HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                    .GET()
                    .build();
            HttpRequest predict = HttpRequest.newBuilder(URI.create(base + "/predict"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            for (int i = 0; i < requests; i++) {
                HttpRequest r = i % 3 == 0 ? ping : i % 3 == 1 ? health : predict;
                HttpResponse<Void> res = client.send(r, HttpResponse.BodyHandlers.discarding());
                if (res.statusCode() < 500) ok++;
            }
            log.info(
                    "HTTP path warmed up with {} requests ({} answered below 500) in {} ms",
                    requests,
                    ok,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            log.warn("HTTP warm-up stopped after {} requests: {}", ok, e.toString());
        }
    }
}
