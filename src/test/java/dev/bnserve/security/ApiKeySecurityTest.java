package dev.bnserve.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.TestHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The optional API key over real HTTP: state-changing requests need {@code Authorization: Bearer <key>}, reads
 * and (by default) prediction stay open, refusals are 401 problem+json with {@code WWW-Authenticate: Bearer},
 * and the key shows up in no response and no log line.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "bnserve.security.api-key=" + ApiKeySecurityTest.KEY)
@ExtendWith(OutputCaptureExtension.class)
class ApiKeySecurityTest {

    static final String KEY = "test-key";
    static final byte[] TINY_CSV =
            "x,y,label\n1,2,a\n2,3,b\n3,1,a\n4,4,b\n5,2,a\n6,5,b\n7,3,a\n8,6,b\n".getBytes(StandardCharsets.UTF_8);

    /** A separate data directory for every application context (this class and the nested one). */
    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String dir = TestHttp.tempDir("bnserve-security").toString();
        registry.add("bnserve.data-dir", () -> dir);
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    TestHttp anonymous;
    TestHttp keyed;

    @BeforeEach
    void clients() {
        anonymous = new TestHttp(port);
        keyed = new TestHttp(port).withKey(KEY);
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void uploadWithoutKeyIs401ProblemWithBearerChallenge() throws Exception {
        HttpResponse<String> r = anonymous.postCsv("/datasets?name=nokey", TINY_CSV);
        JsonNode p = expect401(r);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer")
                .doesNotContain("invalid_token");
        assertThat(p.get("detail").asString()).contains("Authorization: Bearer");
        assertThat(anonymous.get("/datasets").body()).doesNotContain("nokey");
    }

    @Test
    void wrongKeysAre401WithInvalidToken() throws Exception {
        for (String authorization : new String[] {
            "Bearer wrong",
            "Bearer " + KEY + "x",
            "Bearer " + KEY.substring(1),
            "Bearer " + KEY.toUpperCase(),
            "bearer  " + KEY + "\u00e9",
            "Bearer " + "k".repeat(4000)
        }) {
            HttpResponse<String> r = anonymous.send(
                    "POST", "/datasets?name=wrongkey", "text/csv", TINY_CSV, Map.of("Authorization", authorization));
            expect401(r);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .as(authorization)
                    .startsWith("Bearer")
                    .contains("invalid_token");
        }
        // the key under another scheme, or without a scheme, is not a bearer token
        for (String authorization : new String[] {"Basic " + KEY, KEY, "Bearer", "Bearer ", "Token " + KEY}) {
            expect401(anonymous.send(
                    "POST", "/datasets?name=wrongkey", "text/csv", TINY_CSV, Map.of("Authorization", authorization)));
        }
        assertThat(anonymous.get("/datasets").body()).doesNotContain("wrongkey");
    }

    @Test
    void everyStateChangingEndpointNeedsTheKey() throws Exception {
        String dataset = keyed.upload("guarded", TINY_CSV);
        String model =
                keyed.train("{\"dataset\": \"" + dataset + "\", \"label\": \"label\", \"epochs\": 2, \"hidden\": [4]}");
        JsonNode doc = keyed.awaitReady(model);
        String export = keyed.get("/models/" + model + "/export").body();

        expect401(anonymous.multipart("/datasets", "guarded.csv", TINY_CSV));
        expect401(anonymous.delete("/datasets/" + dataset));
        expect401(anonymous.delete("/datasets/d-does-not-exist")); // 401 before 404: nothing to learn without the key
        expect401(anonymous.postJson("/models", "{\"dataset\": \"" + dataset + "\", \"label\": \"label\"}"));
        expect401(anonymous.postJson("/models", "not even json"));
        expect401(anonymous.delete("/models/" + model));
        expect401(anonymous.postJson("/models/import", export));
        expect401(anonymous.send("PUT", "/datasets/" + dataset, "text/csv", TINY_CSV, Map.of()));
        expect401(anonymous.send(
                "PATCH", "/models/" + model, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Map.of()));

        // nothing changed
        assertThat(anonymous.get("/datasets/" + dataset).statusCode()).isEqualTo(200);
        assertThat(TestHttp.json(anonymous.get("/models/" + model)).get("layers"))
                .isEqualTo(doc.get("layers"));

        // and with the key they all work
        HttpResponse<String> imported = keyed.postJson("/models/import", export);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
        String copy = TestHttp.json(imported).get("id").asString();
        assertThat(keyed.delete("/models/" + copy).statusCode()).isEqualTo(204);
        assertThat(keyed.delete("/models/" + model).statusCode()).isEqualTo(204);
        assertThat(keyed.delete("/datasets/" + dataset).statusCode()).isEqualTo(204);
        assertThat(keyed.delete("/datasets/" + dataset).statusCode()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ the right key

    @Test
    void rightKeyUploads() throws Exception {
        HttpResponse<String> raw = keyed.postCsv("/datasets?name=keyed", TINY_CSV);
        assertThat(raw.statusCode()).as(raw.body()).isEqualTo(201);
        assertThat(raw.headers().firstValue("Set-Cookie")).as("stateless").isEmpty();
        HttpResponse<String> multipart = keyed.multipart("/datasets", "keyed2.csv", TINY_CSV);
        assertThat(multipart.statusCode()).as(multipart.body()).isEqualTo(201);
        // the scheme is case-insensitive and surrounding blanks do not matter
        HttpResponse<String> lower = anonymous.send(
                "POST",
                "/datasets?name=keyed3",
                "text/csv",
                TINY_CSV,
                Map.of("Authorization", "bearer   " + KEY + " "));
        assertThat(lower.statusCode()).as(lower.body()).isEqualTo(201);
        // a bad upload with the right key is judged on its content
        HttpResponse<String> bad = keyed.postCsv("/datasets", "a,b\n1\n".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
    }

    // ------------------------------------------------------------------ open endpoints

    @Test
    void readsOperationsAndDocsAreOpen() throws Exception {
        String dataset = keyed.upload("readable", TINY_CSV);
        assertThat(anonymous.get("/datasets").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/datasets").body()).contains(dataset);
        assertThat(anonymous.get("/datasets/" + dataset).statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/models").statusCode()).isEqualTo(200);
        HttpResponse<String> missing = anonymous.get("/models/m-nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith(TestHttp.PROBLEM);
        HttpResponse<String> health = anonymous.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(TestHttp.json(health).get("status").asString()).isEqualTo("UP");
        assertThat(anonymous.get("/actuator/info").statusCode()).isEqualTo(200);
        // metrics are not public with a key set (issue 16, leaks)
        for (String metrics :
                List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/metrics/jvm.memory.used")) {
            assertThat(anonymous.get(metrics).statusCode()).as(metrics).isEqualTo(401);
            assertThat(keyed.get(metrics).statusCode()).as(metrics).isEqualTo(200);
        }
        assertThat(anonymous.get("/v3/api-docs").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
        // a wrong key on an open endpoint is ignored, not refused
        HttpResponse<String> wrong =
                anonymous.send("GET", "/datasets", null, null, Map.of("Authorization", "Bearer nope"));
        assertThat(wrong.statusCode()).isEqualTo(200);
    }

    @Test
    void predictionIsOpenByDefault() throws Exception {
        String model = readyModel(keyed);
        HttpResponse<String> byId = anonymous.postJson("/models/" + model + "/predict", "{\"features\": [3, 2]}");
        assertThat(byId.statusCode()).as(byId.body()).isEqualTo(200);
        HttpResponse<String> byBody = anonymous.postJson(
                "/predict", "{\"model\": \"" + model + "\", \"instances\": [[3, 2], {\"x\": 1, \"y\": 1}]}");
        assertThat(byBody.statusCode()).as(byBody.body()).isEqualTo(200);
        // a bad prediction request is judged on its content, not refused
        assertThat(anonymous.postJson("/predict", "{").statusCode()).isEqualTo(400);
        // the Open Inference Protocol's infer is prediction, its metadata reads
        HttpResponse<String> infer = anonymous.postJson("/v2/models/" + model + "/infer", INFER);
        assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
        assertThat(anonymous.get("/v2/models/" + model).statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/v2/health/ready").statusCode()).isEqualTo(200);
    }

    /** One row (x = 3, y = 2) for the tiny model, as Open Inference Protocol tensors. */
    static final String INFER =
            "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [3]},"
                    + " {\"name\": \"y\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [2]}]}";

    // ------------------------------------------------------------------ configuration hygiene

    @Test
    void noDefaultUserAndTheKeyIsNeverLogged(CapturedOutput output) throws Exception {
        // provoke a few refusals and successes, then look at everything logged so far (startup included)
        expect401(anonymous.postCsv("/datasets", TINY_CSV));
        expect401(anonymous.send(
                "POST", "/datasets", "text/csv", TINY_CSV, Map.of("Authorization", "Bearer " + KEY + "!")));
        assertThat(keyed.postCsv("/datasets?name=logged", TINY_CSV).statusCode())
                .isEqualTo(201);
        // a key in a malformed cookie (a console-like client storing it there) must not reach Tomcat's cookie log
        for (String cookie :
                new String[] {"key=\"" + KEY + "; x", "key=" + KEY + "\"; y=(", "{\"key\":\"" + KEY + "\"}"}) {
            anonymous.send("GET", "/models", null, null, Map.of("Cookie", cookie));
            anonymous.send("POST", "/datasets", "text/csv", TINY_CSV, Map.of("Cookie", cookie));
        }
        assertThat(output.getAll()).doesNotContain(KEY).doesNotContain("generated security password");
        UserDetailsService users = context.getBean(UserDetailsService.class);
        assertThat(users).isInstanceOf(InMemoryUserDetailsManager.class);
        assertThat(((InMemoryUserDetailsManager) users).userExists("user")).isFalse();
    }

    /** Odd URLs that reach Spring are refused as problems (encoded '/' never does: Tomcat refuses it first, see FuzzRegressionTest). */
    @Test
    void firewallRefusalsAreProblems() throws Exception {
        for (String path : new String[] {
            "/datasets/%2e%2e", "/models/x;y=1", "/datasets/%252e%252e", "/models/a%252Fb", "/datasets/.%2e"
        }) {
            HttpResponse<String> r = anonymous.get(path);
            assertThat(r.statusCode()).as(path + " " + r.body()).isBetween(400, 404);
            assertThat(r.headers().firstValue("Content-Type").orElse(""))
                    .as(path + " " + r.body())
                    .startsWith(TestHttp.PROBLEM);
            assertThat(r.body()).doesNotContain(KEY, "Exception", "java.", "dev.bnserve");
        }
    }

    // ------------------------------------------------------------------ protect-predict

    @Nested
    @TestPropertySource(properties = "bnserve.security.protect-predict=true")
    class WhenPredictionIsProtected {

        @Test
        void predictNeedsTheKey() throws Exception {
            String model = readyModel(keyed);
            JsonNode p = expect401(anonymous.postJson("/models/" + model + "/predict", "{\"features\": [3, 2]}"));
            assertThat(p.get("detail").asString()).contains("Authorization: Bearer");
            expect401(anonymous.postJson("/predict", "{\"model\": \"" + model + "\", \"features\": [3, 2]}"));
            expect401(anonymous.postJson("/predict", "{\"features\": [3, 2]}"));
            expect401(anonymous.send(
                    "POST",
                    "/predict",
                    "application/json",
                    "{\"features\": [3, 2]}".getBytes(StandardCharsets.UTF_8),
                    Map.of("Authorization", "Bearer wrong")));

            HttpResponse<String> byId = keyed.postJson("/models/" + model + "/predict", "{\"features\": [3, 2]}");
            assertThat(byId.statusCode()).as(byId.body()).isEqualTo(200);
            HttpResponse<String> byBody =
                    keyed.postJson("/predict", "{\"model\": \"" + model + "\", \"features\": [3, 2]}");
            assertThat(byBody.statusCode()).as(byBody.body()).isEqualTo(200);
            assertThat(byBody.body()).isEqualTo(byId.body());

            // infer is prediction: refused in the protocol's own error shape, answered with the key
            HttpResponse<String> infer = anonymous.postJson("/v2/models/" + model + "/infer", INFER);
            assertThat(infer.statusCode()).isEqualTo(401);
            assertThat(infer.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
            assertThat(infer.headers().firstValue("WWW-Authenticate").orElse(""))
                    .startsWith("Bearer");
            assertThat(TestHttp.json(infer).get("error").asString()).contains("Authorization: Bearer");
            HttpResponse<String> keyedInfer = keyed.postJson("/v2/models/" + model + "/infer", INFER);
            assertThat(keyedInfer.statusCode()).as(keyedInfer.body()).isEqualTo(200);

            // reads stay open, writes stay closed
            assertThat(anonymous.get("/models/" + model).statusCode()).isEqualTo(200);
            assertThat(anonymous.get("/v2/models/" + model).statusCode()).isEqualTo(200);
            assertThat(anonymous.get("/actuator/health").statusCode()).isEqualTo(200);
            expect401(anonymous.postCsv("/datasets", TINY_CSV));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Uploads the tiny dataset and trains a 2-epoch classifier on (x, y) with the key. */
    static String readyModel(TestHttp keyed) throws Exception {
        String dataset = keyed.upload("tiny", TINY_CSV);
        String model =
                keyed.train("{\"dataset\": \"" + dataset + "\", \"label\": \"label\", \"epochs\": 2, \"hidden\": [4]}");
        keyed.awaitReady(model);
        return model;
    }

    static JsonNode expect401(HttpResponse<String> r) {
        assertThat(r.statusCode())
                .as(r.request().method() + " " + r.uri() + " -> " + r.body())
                .isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type").orElse(""))
                .as(r.body())
                .startsWith(TestHttp.PROBLEM);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
        assertThat(r.headers().firstValue("Set-Cookie")).as("stateless").isEmpty();
        assertThat(r.body()).doesNotContain(KEY).doesNotContain("Exception", "java.", "dev.bnserve");
        JsonNode p = TestHttp.json(r);
        assertThat(p.get("status").asInt()).isEqualTo(401);
        assertThat(p.get("title").asString()).isEqualTo("Unauthorized");
        assertThat(p.get("detail").asString()).isNotBlank();
        return p;
    }
}
