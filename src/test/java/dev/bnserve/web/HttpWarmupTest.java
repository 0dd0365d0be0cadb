package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.TestHttp;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.TestModels;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 15, a warm-up that covers the HTTP path: once the service is ready it sends itself requests through Tomcat
 * (ping, health, predict), which the request metrics count, and stores nothing.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"bnserve.warmup.http=true", "bnserve.warmup.http-requests=90", "bnserve.training.warmup=false"})
@DirtiesContext
class HttpWarmupTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-http-warmup").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @Autowired
    MeterRegistry meters;

    @Autowired
    ModelCatalog catalog;

    private long count(String uri) {
        return meters.find("http.server.requests").tag("uri", uri).timers().stream()
                .mapToLong(Timer::count)
                .sum();
    }

    @Test
    void theServiceSendsItselfRequestsThroughTomcatAndStoresNothing() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while ((count("/ping") < 30 || count("/predict") < 30) && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(count("/ping")).isEqualTo(30);
        assertThat(count("/predict")).isEqualTo(30);
        assertThat(catalog.models().list()).isEmpty();
    }

    @Test
    void thePredictRequestIsARowOfZerosForTheNewestReadyModel() {
        assertThat(HttpWarmup.predictBody(List.of())).isEqualTo("{\"features\": [0]}");
        var older = TestModels.identityClassifier("m-000000000001aaaaaaaaaa", Instant.parse("2026-01-01T00:00:00Z"));
        var newer = TestModels.identityClassifier("m-000000000002aaaaaaaaaa", Instant.parse("2026-02-01T00:00:00Z"));
        String zeros = "["
                + String.join(",", java.util.Collections.nCopies(newer.inputs().size(), "0")) + "]";
        assertThat(HttpWarmup.predictBody(List.of(older, newer)))
                .isEqualTo("{\"model\": \"m-000000000002aaaaaaaaaa\", \"features\": " + zeros + "}");
    }
}
