package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.TestHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 16, cross-site writes in open mode: a page on another site can send a form or text/plain body without a
 * preflight. Such requests are refused with 403 when the browser's Origin or Sec-Fetch-Site names another site; the
 * same bodies without those headers (curl) or from the service's own origin (the console) still work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class CrossSiteRequestTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-cross-site").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    @Test
    void crossSiteSimpleRequestsAreRefusedAndOthersWork() throws Exception {
        TestHttp http = new TestHttp(port);
        byte[] csv = TestHttp.resource("iris");
        String boundary = "b0undary";
        byte[] multipart = TestHttp.multipartBody(boundary, "file", "iris.csv", "text/csv", csv);
        String form = "multipart/form-data; boundary=" + boundary;
        int before = TestHttp.json(http.get("/datasets")).size();

        // what a page on evil.example can send without a preflight (all answered 201/202 or 4xx-by-content before)
        Map<String, String> evil = Map.of("Origin", "http://evil.example");
        assertRefused(http.send("POST", "/datasets?name=x", "text/plain", csv, evil));
        assertRefused(http.send("POST", "/datasets?name=x", form, multipart, evil));
        assertRefused(http.send("POST", "/datasets?name=x", form, multipart, Map.of("Sec-Fetch-Site", "cross-site")));
        assertRefused(http.send(
                "POST",
                "/models",
                "text/plain",
                "{\"dataset\": \"x\", \"label\": \"y\"}".getBytes(StandardCharsets.UTF_8),
                evil));
        assertRefused(http.send(
                "POST", "/models", "application/x-www-form-urlencoded", "a=b".getBytes(StandardCharsets.UTF_8), evil));
        assertRefused(http.send("DELETE", "/datasets/iris", null, null, evil));
        assertThat(TestHttp.json(http.get("/datasets")).size()).isEqualTo(before);

        // curl (no Origin) and the console (its own origin) are unaffected
        assertThat(http.send("POST", "/datasets?name=a", "text/plain", csv, Map.of())
                        .statusCode())
                .isEqualTo(201);
        assertThat(http.send("POST", "/datasets?name=b", form, multipart, Map.of("Origin", "http://localhost:" + port))
                        .statusCode())
                .isEqualTo(201);
        // a type a page cannot send without a preflight is left to CORS (which allows no other origin)
        assertThat(http.send("POST", "/datasets?name=c", "text/csv", csv, evil).statusCode())
                .isEqualTo(201);
    }

    static void assertRefused(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        assertThat(TestHttp.json(r).get("detail").asString()).contains("Cross-site");
    }
}
