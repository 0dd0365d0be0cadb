package dev.bnserve.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.TestHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The console in a real Chromium against a real server: the whole flow, and the API's errors where they belong. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ConsoleBrowserTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    @TempDir
    static Path files;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> dataDir.toString());
    }

    @LocalServerPort
    int port;

    static ChromeDriver driver;

    @BeforeAll
    static void browser() {
        driver = Chromium.start();
    }

    @AfterAll
    static void quit() {
        if (driver != null) driver.quit();
    }

    String url(String path) {
        return "http://localhost:" + port + path;
    }

    @Test
    void uploadTrainWatchAndPredictThroughTheForms() throws Exception {
        Path iris = files.resolve("iris.csv");
        Files.write(iris, TestHttp.resource("iris"));
        driver.get(url("/"));
        Chromium.waiting(driver, 10).until(ExpectedConditions.presenceOfElementLocated(By.id("datasets")));
        Chromium.screenshot(driver, "scenario1-overview-empty", 1280);
        driver.findElement(By.id("file")).sendKeys(iris.toString());

        Chromium.waiting(driver, 20).until(ExpectedConditions.presenceOfElementLocated(By.id("train-form")));
        String datasetId = driver.getCurrentUrl().replaceAll(".*#/datasets/", "");
        assertThat(driver.findElements(By.cssSelector(".column svg.chart")))
                .as("a histogram per numeric column")
                .hasSize(4);
        Chromium.screenshot(driver, "scenario1-dataset", 1280);
        driver.findElement(By.id("train-submit")).click();

        Chromium.waiting(driver, 20).until(ExpectedConditions.urlContains("#/models/"));
        String modelId = driver.getCurrentUrl().replaceAll(".*#/models/", "");
        Chromium.waiting(driver, 180)
                .until(ExpectedConditions.attributeToBe(By.id("model-status"), "data-status", "ready"));
        JsonNode model = get("/models/" + modelId);
        assertThat(model.get("dataset").asString()).isEqualTo(datasetId);
        int epochs = model.get("request").get("epochs").asInt();
        assertThat(epochs).isEqualTo(30); // the form sent the defaults
        assertThat(model.get("history").size()).isEqualTo(epochs);
        assertThat(driver.findElement(By.id("loss-chart")).getAttribute("data-points"))
                .isEqualTo(String.valueOf(epochs));
        assertThat(driver.findElements(By.cssSelector("#batchnorm .bn-layer"))).hasSize(3);

        // Row 1 of iris.csv through the form, then the same row through the API.
        List<String> lines = Files.readAllLines(iris, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",");
        String[] row = lines.get(1).split(",");
        Map<String, Object> features = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals("species")) continue;
            WebElement input = driver.findElement(By.id("in-" + header[i]));
            input.clear();
            input.sendKeys(row[i]);
            features.put(header[i], Double.parseDouble(row[i]));
        }
        driver.findElement(By.id("predict-submit")).click();
        WebElement shown = Chromium.waiting(driver, 10)
                .until(ExpectedConditions.presenceOfElementLocated(By.id("predicted-class")));
        JsonNode answer = post("/models/" + modelId + "/predict", Map.of("features", features));
        assertThat(shown.getText()).isEqualTo(answer.get("prediction").asString());
        Map<String, Double> bars = new LinkedHashMap<>();
        for (WebElement li : driver.findElements(By.cssSelector("#prediction .prob"))) {
            bars.put(li.getAttribute("data-class"), Double.parseDouble(li.getAttribute("data-probability")));
        }
        Map<String, Double> api = new LinkedHashMap<>();
        answer.get("probabilities")
                .properties()
                .forEach(e -> api.put(e.getKey(), e.getValue().asDouble()));
        assertThat(bars).isEqualTo(api);

        Chromium.top(driver, "console", 1280, 1400); // the README's docs/console.png

        // The trace toggle: one table per BatchNorm layer, for the same answer.
        driver.findElement(By.id("trace-toggle")).click();
        driver.findElement(By.id("predict-submit")).click();
        Chromium.waiting(driver, 10).until(ExpectedConditions.presenceOfElementLocated(By.id("trace")));
        assertThat(driver.findElements(By.cssSelector("#trace .trace-step.bn"))).hasSize(3);
        assertThat(driver.findElement(By.id("predicted-class")).getText())
                .isEqualTo(answer.get("prediction").asString());
        Chromium.screenshot(driver, "scenario1-model", 1280);
        Chromium.screenshot(driver, "scenario1-model-phone", 390);

        // Swagger UI renders under its own policy (style attributes, data: icons; scripts still only 'self').
        driver.get(url("/swagger-ui.html"));
        Chromium.waiting(driver, 20)
                .until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".info .title"), "bnserve"));

        driver.get(url("/#/"));
        Chromium.waiting(driver, 10)
                .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#models tr[data-status=ready]")));
        Chromium.screenshot(driver, "scenario1-overview", 1280);
    }

    @Test
    void badCsvAndBadTrainingFieldShowTheApiMessageNextToTheirControl() throws Exception {
        byte[] ragged = "a,b,label\n1,2,x\n3,4\n".getBytes(StandardCharsets.UTF_8);
        Path bad = files.resolve("ragged.csv");
        Files.write(bad, ragged);
        HttpResponse<String> refused = HTTP.send(
                HttpRequest.newBuilder(URI.create(url("/datasets?name=ragged-api")))
                        .header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(ragged))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isBetween(400, 499);
        String detail = JSON.readTree(refused.body()).get("detail").asString();

        driver.get(url("/"));
        Chromium.waiting(driver, 10).until(ExpectedConditions.presenceOfElementLocated(By.id("file")));
        driver.findElement(By.id("file")).sendKeys(bad.toString());
        WebElement uploadError = Chromium.waiting(driver, 10).until(d -> {
            WebElement e = d.findElement(By.id("upload-error"));
            return e.getText().isBlank() ? null : e;
        });
        assertThat(uploadError.getText()).contains(detail);
        assertThat(driver.findElement(By.cssSelector("section.upload")).findElements(By.id("upload-error")))
                .as("the message sits in the upload control's card")
                .hasSize(1);
        Chromium.screenshot(driver, "scenario2-bad-csv", 1280);

        // A bad training field: the API's own message for it, under that field.
        String dataset = JSON.readTree(HTTP.send(
                                HttpRequest.newBuilder(URI.create(url("/datasets?name=iris2")))
                                        .header("Content-Type", "text/csv")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(TestHttp.resource("iris")))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("id")
                .asString();
        HttpResponse<String> badTraining =
                postRaw("/models", Map.of("dataset", dataset, "label", "species", "epochs", 0, "batchSize", -3));
        assertThat(badTraining.statusCode()).isEqualTo(422);
        Map<String, String> messages = new LinkedHashMap<>();
        JSON.readTree(badTraining.body())
                .get("errors")
                .forEach(e ->
                        messages.put(e.get("field").asString(), e.get("message").asString()));
        assertThat(messages).containsKeys("epochs", "batchSize");

        driver.get(url("/#/datasets/" + dataset));
        WebElement epochs =
                Chromium.waiting(driver, 10).until(ExpectedConditions.presenceOfElementLocated(By.id("f-epochs")));
        epochs.clear();
        epochs.sendKeys("0");
        WebElement batch = driver.findElement(By.id("f-batchSize"));
        batch.clear();
        batch.sendKeys("-3");
        driver.findElement(By.id("train-submit")).click();
        for (var e : messages.entrySet()) {
            WebElement slot = Chromium.waiting(driver, 10).until(d -> {
                WebElement s = d.findElement(By.cssSelector("[data-error-for='" + e.getKey() + "']"));
                return s.getText().isBlank() ? null : s;
            });
            assertThat(slot.getText()).isEqualTo(e.getValue());
            WebElement control = driver.findElement(By.id("f-" + e.getKey()));
            assertThat(slot.findElement(By.xpath("..")))
                    .as("the message shares the field with its control")
                    .isEqualTo(control.findElement(By.xpath("..")));
        }
        get("/models")
                .forEach(m -> assertThat(m.get("dataset").asString())
                        .as("nothing trained on " + dataset)
                        .isNotEqualTo(dataset));
        Chromium.screenshot(driver, "scenario2-bad-field", 1280);
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    HttpResponse<String> postRaw(String path, Object body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(url(path)))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode post(String path, Object body) throws Exception {
        HttpResponse<String> r = postRaw(path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
